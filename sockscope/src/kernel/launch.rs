//! Starting `-- CMD` so that it is traced from its first instruction: the child is forked,
//! waits on a pipe until the programs are attached and its pid is in the filter, then execs.

use std::{
    ffi::{CString, OsString},
    os::unix::ffi::OsStrExt,
    path::{Path, PathBuf},
};

use anyhow::bail;

/// A forked child held before exec.
pub struct Held {
    pub pid: u32,
    go: libc::c_int,
    err: libc::c_int,
}

/// A command that could not be started: the message and the status a shell gives (127 not
/// found, 126 found but not executable). `main` exits with `code`.
#[derive(Debug, thiserror::Error)]
#[error("{msg}")]
pub struct ExecFailed {
    pub code: i32,
    pub msg: String,
}

fn exec_failed(code: i32, msg: String) -> anyhow::Error {
    ExecFailed { code, msg }.into()
}

/// Resolves `cmd` like execvp would, so a missing command is reported before anything starts:
/// 127 when not found, 126 when found but not executable (as a shell).
pub fn resolve(cmd: &OsString) -> anyhow::Result<PathBuf> {
    let p = Path::new(cmd);
    let name = crate::escape::path(p);
    let executable = |p: &Path| {
        let c = CString::new(p.as_os_str().as_bytes()).ok();
        // SAFETY: access(2) on a NUL-terminated path.
        p.is_file() && c.is_some_and(|c| unsafe { libc::access(c.as_ptr(), libc::X_OK) } == 0)
    };
    if cmd.as_bytes().contains(&b'/') {
        if executable(p) {
            return Ok(p.to_path_buf());
        }
        if p.exists() {
            return Err(exec_failed(126, format!("{name}: not executable")));
        }
        return Err(exec_failed(127, format!("{name}: command not found")));
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    let mut found_unusable = false;
    for dir in std::env::split_paths(&path) {
        let cand = dir.join(p);
        if executable(&cand) {
            return Ok(cand);
        }
        found_unusable |= cand.exists();
    }
    if found_unusable {
        return Err(exec_failed(126, format!("{name}: not executable")));
    }
    Err(exec_failed(127, format!("{name}: command not found")))
}

/// Forks a child that will exec `path` with `argv` once released (as `user` when given, with
/// its groups; ambient capabilities are dropped so that the command never inherits the
/// tracer's privileges through them).
pub fn spawn_held(
    path: &Path,
    argv: &[OsString],
    user: Option<&crate::privs::Creds>,
) -> anyhow::Result<Held> {
    let groups: Vec<libc::gid_t> = user.map(|u| u.groups.clone()).unwrap_or_default();
    let cpath = CString::new(path.as_os_str().as_bytes())?;
    let cargs: Vec<CString> = argv
        .iter()
        .map(|a| CString::new(a.as_bytes()))
        .collect::<Result<_, _>>()?;
    let mut ptrs: Vec<*const libc::c_char> = cargs.iter().map(|c| c.as_ptr()).collect();
    ptrs.push(std::ptr::null());
    let mut go = [0; 2];
    let mut err = [0; 2];
    // SAFETY: pipe2 fills the arrays.
    if unsafe { libc::pipe2(go.as_mut_ptr(), libc::O_CLOEXEC) } != 0
        || unsafe { libc::pipe2(err.as_mut_ptr(), libc::O_CLOEXEC) } != 0
    {
        bail!("pipe: {}", std::io::Error::last_os_error());
    }
    // SAFETY: the child only calls async-signal-safe functions (read, execv, write, _exit).
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        bail!("fork: {}", std::io::Error::last_os_error());
    }
    if pid == 0 {
        unsafe {
            libc::close(go[1]);
            libc::close(err[0]);
            let mut b = 0u8;
            // Wait for the parent: one byte means go, EOF means the parent gave up.
            if libc::read(go[0], (&mut b as *mut u8).cast(), 1) != 1 {
                libc::_exit(127);
            }
            libc::prctl(
                libc::PR_CAP_AMBIENT,
                libc::PR_CAP_AMBIENT_CLEAR_ALL,
                0,
                0,
                0,
            );
            // Rust's runtime ignores SIGPIPE, and an ignored signal stays ignored across exec:
            // the command gets the default back (as std::process::Command does), so that it
            // dies of a closed pipe as it would untraced.
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            // [stage, errno]: stage 1 = changing the user, 2 = exec.
            let fail = |stage: i32| {
                let msg = [stage, *libc::__errno_location()];
                libc::write(err[1], msg.as_ptr().cast(), 8);
                libc::_exit(if stage == 2 && msg[1] == libc::ENOENT {
                    127
                } else {
                    126
                });
            };
            if let Some(u) = user
                && (libc::setgroups(groups.len(), groups.as_ptr()) != 0
                    || libc::setgid(u.gid) != 0
                    || libc::setuid(u.uid) != 0)
            {
                fail(1);
            }
            libc::execv(cpath.as_ptr(), ptrs.as_ptr());
            fail(2);
        }
    }
    // SAFETY: closing our copies of the child's ends.
    unsafe {
        libc::close(go[0]);
        libc::close(err[1]);
    }
    Ok(Held {
        pid: pid as u32,
        go: go[1],
        err: err[0],
    })
}

impl Held {
    /// Lets the child exec; fails if exec failed ([`ExecFailed`]: 127 when the file is gone,
    /// 126 otherwise, e.g. not an executable format, as a shell).
    pub fn release(self, what: &Path) -> anyhow::Result<u32> {
        let b = 1u8;
        let mut e = [0i32; 2];
        // SAFETY: plain pipe I/O on our descriptors.
        unsafe {
            libc::write(self.go, (&b as *const u8).cast(), 1);
            libc::close(self.go);
            let n = libc::read(self.err, e.as_mut_ptr().cast(), 8);
            libc::close(self.err);
            if n == 8 {
                libc::waitpid(self.pid as i32, std::ptr::null_mut(), 0);
                let err = std::io::Error::from_raw_os_error(e[1]).to_string();
                let err = err.split(" (os error").next().unwrap_or(&err).to_string();
                let name = crate::escape::path(what);
                return Err(if e[0] == 1 {
                    exec_failed(126, format!("-u: cannot change to the user: {err}"))
                } else {
                    let code = if e[1] == libc::ENOENT { 127 } else { 126 };
                    exec_failed(code, format!("cannot execute {name}: {err}"))
                });
            }
        }
        Ok(self.pid)
    }

    /// Abandons the child (it exits without running the command).
    pub fn abandon(self) {
        // SAFETY: closing the go pipe makes the child's read return EOF; then reap it.
        unsafe {
            libc::close(self.go);
            libc::close(self.err);
            libc::waitpid(self.pid as i32, std::ptr::null_mut(), 0);
        }
    }
}

/// Non-blocking check whether `pid` (our child) has exited: its exit code as a shell reports it.
pub fn try_wait(pid: u32) -> Option<i32> {
    let mut status = 0;
    // SAFETY: waitpid on our own child.
    let r = unsafe { libc::waitpid(pid as i32, &mut status, libc::WNOHANG) };
    if r != pid as i32 {
        return None;
    }
    if libc::WIFEXITED(status) {
        Some(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        Some(128 + libc::WTERMSIG(status))
    } else {
        None
    }
}

/// Whether a process exists.
pub fn alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks existence.
    unsafe { libc::kill(pid as i32, 0) == 0 || *libc::__errno_location() == libc::EPERM }
}

/// Whether a process exists and has not exited (a zombie waiting for its parent counts as
/// gone; `alive` would still see it).
pub fn running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised comm, which may itself contain ')'.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => false,
    }
}

/// Stops our child `pid` as strace stops the command it started: sends it `sig`, waits up to
/// `grace` for it to end, then SIGKILL. Returns its status as a shell reports it.
pub fn stop_child(pid: u32, sig: libc::c_int, grace: std::time::Duration) -> i32 {
    // SAFETY: signalling our own child.
    unsafe { libc::kill(pid as i32, sig) };
    let start = std::time::Instant::now();
    while start.elapsed() < grace {
        if let Some(code) = try_wait(pid) {
            return code;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // SAFETY: as above.
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    wait_blocking(pid).unwrap_or(128 + libc::SIGKILL)
}

/// Waits for our child `pid`: its status as a shell reports it.
pub fn wait_blocking(pid: u32) -> Option<i32> {
    let mut status = 0;
    loop {
        // SAFETY: waitpid on our own child.
        let r = unsafe { libc::waitpid(pid as i32, &mut status, 0) };
        if r == pid as i32 {
            break;
        }
        if r < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return None;
        }
    }
    if libc::WIFEXITED(status) {
        Some(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        Some(128 + libc::WTERMSIG(status))
    } else {
        None
    }
}

/// The thread group of a thread id (`Tgid:` in /proc/TID/status); None when it is gone.
pub fn tgid_of(tid: u32) -> Option<u32> {
    std::fs::read_to_string(format!("/proc/{tid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("Tgid:"))
        .and_then(|v| v.trim().parse().ok())
}
