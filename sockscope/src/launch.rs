//! Starting `-- CMD` so that it is traced from its first instruction: the child is forked,
//! waits on a pipe until the programs are attached and its pid is in the filter, then execs.

use std::{
    ffi::{CString, OsString},
    os::unix::ffi::OsStrExt,
    path::{Path, PathBuf},
};

use anyhow::{anyhow, bail};

/// A forked child held before exec.
pub struct Held {
    pub pid: u32,
    go: libc::c_int,
    err: libc::c_int,
}

/// Resolves `cmd` like execvp would, so a missing command is reported before anything starts.
pub fn resolve(cmd: &OsString) -> anyhow::Result<PathBuf> {
    let p = Path::new(cmd);
    let executable = |p: &Path| {
        let c = CString::new(p.as_os_str().as_bytes()).ok();
        // SAFETY: access(2) on a NUL-terminated path.
        p.is_file() && c.is_some_and(|c| unsafe { libc::access(c.as_ptr(), libc::X_OK) } == 0)
    };
    if cmd.as_bytes().contains(&b'/') {
        if executable(p) {
            return Ok(p.to_path_buf());
        }
        bail!("{}: command not found or not executable", p.display());
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    for dir in std::env::split_paths(&path) {
        let cand = dir.join(p);
        if executable(&cand) {
            return Ok(cand);
        }
    }
    bail!("{}: command not found", p.display())
}

/// Forks a child that will exec `path` with `argv` once released.
pub fn spawn_held(path: &Path, argv: &[OsString]) -> anyhow::Result<Held> {
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
            libc::execv(cpath.as_ptr(), ptrs.as_ptr());
            let e = *libc::__errno_location();
            libc::write(err[1], (&e as *const i32).cast(), 4);
            libc::_exit(127);
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
    /// Lets the child exec; fails if exec failed.
    pub fn release(self) -> anyhow::Result<u32> {
        let b = 1u8;
        let mut e = 0i32;
        // SAFETY: plain pipe I/O on our descriptors.
        unsafe {
            libc::write(self.go, (&b as *const u8).cast(), 1);
            libc::close(self.go);
            let n = libc::read(self.err, (&mut e as *mut i32).cast(), 4);
            libc::close(self.err);
            if n == 4 {
                libc::waitpid(self.pid as i32, std::ptr::null_mut(), 0);
                return Err(anyhow!(
                    "cannot execute command: {}",
                    std::io::Error::from_raw_os_error(e)
                ));
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
