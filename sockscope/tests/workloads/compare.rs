//! Shared helpers of the two strace comparisons, `conformance.rs` and `strace_suite.rs`
//! (included with `#[path]`): the repository root, known-differences files (`*` globs),
//! the alignment of two call lists, and running a traced program with a time limit.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root (conformance/, strace-suite/, scripts/ live there).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `pat` with `*` matching any run of characters (no `*`: equality).
pub fn glob_match(pat: &str, text: &str) -> bool {
    let parts: Vec<&str> = pat.split('*').collect();
    if parts.len() == 1 {
        return pat == text;
    }
    let mut rest = text;
    let first = parts[0];
    let last = parts[parts.len() - 1];
    let Some(r) = rest.strip_prefix(first) else {
        return false;
    };
    rest = r;
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(p) => rest = &rest[p + mid.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// One entry of a known-differences file: the keys (each a glob, e.g. a test or scenario
/// name, or `*`) and the pattern of the line that differs.
pub struct Known {
    pub keys: Vec<String>,
    pub pattern: String,
}

/// Reads a known-differences file: lines `KEY | ... | pattern | reason` with one field per
/// name in `keys`, all fields non-empty; blank lines and `#` comments are skipped.
pub fn load_known(path: &Path, keys: &[&str]) -> Result<Vec<Known>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let n_fields = keys.len() + 2;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.splitn(n_fields, " | ").collect();
        if f.len() != n_fields || f.iter().any(|x| x.trim().is_empty()) {
            return Err(format!(
                "{}:{}: expected `{} | pattern | reason` with a non-empty reason: {line}",
                path.display(),
                n + 1,
                keys.join(" | ")
            ));
        }
        out.push(Known {
            keys: f[..keys.len()]
                .iter()
                .map(|k| k.trim().to_string())
                .collect(),
            pattern: f[keys.len()].trim().to_string(),
        });
    }
    Ok(out)
}

/// True when an entry's keys match `keys` and its pattern matches `line`.
pub fn is_known(known: &[Known], keys: &[&str], line: &str) -> bool {
    known.iter().any(|k| {
        k.keys.len() == keys.len()
            && k.keys.iter().zip(keys).all(|(p, v)| glob_match(p, v))
            && glob_match(&k.pattern, line)
    })
}

/// Longest common subsequence alignment of two call lists.
pub fn align(a: &[String], b: &[String]) -> Vec<(Option<usize>, Option<usize>)> {
    let (n, m) = (a.len(), b.len());
    let mut dp = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            dp[i][j] = if a[i] == b[j] {
                dp[i + 1][j + 1] + 1
            } else {
                dp[i + 1][j].max(dp[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push((Some(i), Some(j)));
            i += 1;
            j += 1;
        } else if j < m && (i == n || dp[i][j + 1] >= dp[i + 1][j]) {
            out.push((None, Some(j)));
            j += 1;
        } else {
            out.push((Some(i), None));
            i += 1;
        }
    }
    out
}

/// How a run under `run_capped` ended.
pub struct Capped {
    /// Exit code (None: killed by a signal, or by the time limit).
    pub code: Option<i32>,
    /// Killed because it ran longer than the limit.
    pub timed_out: bool,
    pub stderr: String,
    /// From before the start to the end of the run.
    pub elapsed: Duration,
}

/// Runs `cmd` with stdin closed, stdout to `stdout`, stderr captured, killing it after `limit`.
/// Err only when it cannot be started (or waited for).
pub fn run_capped(cmd: &mut Command, stdout: Stdio, limit: Duration) -> Result<Capped, String> {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn {cmd:?}: {e}"))?;
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut std::io::BufReader::new(stderr), &mut s);
        s
    });
    let mut timed_out = false;
    let code = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break st.code();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            timed_out = true;
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // After a kill, a child's children may still hold stderr open: wait for it at most 2 s.
    let give_up = Instant::now() + Duration::from_secs(2);
    while timed_out && !reader.is_finished() && Instant::now() < give_up {
        std::thread::sleep(Duration::from_millis(10));
    }
    let stderr = if reader.is_finished() || !timed_out {
        reader.join().unwrap_or_default()
    } else {
        String::new()
    };
    Ok(Capped {
        code,
        timed_out,
        stderr,
        elapsed: start.elapsed(),
    })
}

#[cfg(test)]
mod compare_unit {
    use super::*;

    #[test]
    fn known_differences_files_load_and_match() {
        let root = repo_root();
        let conf = load_known(
            &root.join("conformance/known-differences.txt"),
            &["scenario", "setting"],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            conf.iter()
                .all(|k| k.keys.len() == 2 && !k.pattern.is_empty())
        );
        let suite = load_known(&root.join("strace-suite/known-differences.txt"), &["test"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            suite
                .iter()
                .all(|k| k.keys.len() == 1 && !k.pattern.is_empty())
        );

        let k = vec![Known {
            keys: vec!["msghdr".into(), "*".into()],
            pattern: "recvmsg(3, *) = 0".into(),
        }];
        assert!(is_known(&k, &["msghdr", "v"], "recvmsg(3, {x}, 0) = 0"));
        assert!(!is_known(&k, &["mmsg", "v"], "recvmsg(3, {x}, 0) = 0"));
        assert!(!is_known(&k, &["msghdr"], "recvmsg(3, {x}, 0) = 0"));
        assert!(!is_known(&k, &["msghdr", "v"], "recvmsg(3, {x}, 0) = 1"));
    }

    #[test]
    fn run_capped_reports_code_stderr_and_timeout() {
        let mut c = Command::new("sh");
        c.args(["-c", "echo oops >&2; exit 3"]);
        let r = run_capped(&mut c, Stdio::null(), Duration::from_secs(10)).unwrap();
        assert_eq!(
            (r.code, r.timed_out, r.stderr.as_str()),
            (Some(3), false, "oops\n")
        );
        let mut c = Command::new("sleep");
        c.arg("10");
        let r = run_capped(&mut c, Stdio::null(), Duration::from_millis(200)).unwrap();
        assert!(r.timed_out && r.code.is_none());
        assert!(r.elapsed < Duration::from_secs(5));
        assert!(
            run_capped(
                &mut Command::new("/nonexistent"),
                Stdio::null(),
                Duration::from_secs(1)
            )
            .is_err()
        );
    }
}
