//! `-p ID`: what to trace for each id given, checked before anything is attached. A process id
//! traces the whole process; the id of a thread that is not its process's leader traces that
//! thread only, as strace does (with `-f`, its whole process, as `strace -f -p` does).

use anyhow::bail;

use crate::launch;

/// The `-p` ids resolved.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Targets {
    /// Processes (tgids) for the kernel's process filter.
    pub pids: Vec<u32>,
    /// Threads to restrict the trace to (a thread's tid given to `-p` without `-f`).
    pub tids: Vec<u32>,
    /// Ids whose end ends the trace (without `-f`).
    pub watch: Vec<u32>,
}

/// Resolves the `-p` ids: refuses 0, sockscope itself, ids that do not exist, and a mix of
/// single threads with whole processes (the kernel scopes are ANDed; use `--tid` for that).
pub fn resolve_pids(ids: &[u32], follow: bool) -> anyhow::Result<Targets> {
    let me = std::process::id();
    let mut t = Targets::default();
    let mut whole = false;
    for &p in ids {
        if p == 0 {
            bail!("-p 0: not a process id");
        }
        if !launch::alive(p) {
            bail!("-p {p}: no such process");
        }
        let tgid = launch::tgid_of(p).unwrap_or(p);
        if p == me || tgid == me {
            bail!("-p {p}: that is sockscope itself, which never traces itself");
        }
        if tgid != p && !follow {
            t.tids.push(p);
            t.watch.push(p);
        } else {
            whole = true;
            t.watch.push(tgid);
        }
        if !t.pids.contains(&tgid) {
            t.pids.push(tgid);
        }
    }
    if whole && !t.tids.is_empty() {
        bail!(
            "-p {}: a thread (not its process's leader) cannot be combined with -p of whole processes; give its process id, or use --tid",
            t.tids[0]
        );
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_self_are_refused() {
        assert!(resolve_pids(&[0], false).is_err());
        let e = resolve_pids(&[std::process::id()], false).unwrap_err();
        assert!(e.to_string().contains("itself"), "{e}");
    }

    #[test]
    fn a_thread_traces_that_thread() {
        // A thread of this test process: the test process is not sockscope, but a thread of
        // it still resolves (its tgid is ours, so it is refused as "itself" here); use a
        // child's main thread instead: a process id traces the whole process.
        let mut c = std::process::Command::new("sleep").arg("5").spawn().unwrap();
        let t = resolve_pids(&[c.id()], false).unwrap();
        assert_eq!(t.pids, vec![c.id()]);
        assert!(t.tids.is_empty());
        let _ = c.kill();
        let _ = c.wait();
    }
}
