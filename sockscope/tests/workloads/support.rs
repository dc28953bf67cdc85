//! Shared helpers of the integration tests (each includes this file with `#[path]`): root
//! check and skips, building the C workloads, running sockscope and strace with a time limit,
//! reading sockscope's stderr (attached and summary lines), parsing lines, and normalising
//! what differs between runs (pointers, timestamps, strace's padding).
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, OnceLock, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const SOCKSCOPE: &str = env!("CARGO_BIN_EXE_sockscope");
pub const STRACE: &str = "/usr/bin/strace";
pub const TRACE_ALL: &str = "trace=sendto,recvfrom,sendmsg,recvmsg,sendmmsg,recvmmsg";

/// True under CI=true: there a test that cannot run fails instead of skipping.
fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// True when the tests can run (root). Not root: a failure under CI=true, else a skip.
pub fn require_root(test: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return true;
    }
    if under_ci() {
        panic!("{test}: needs root (CI=true, so this is a failure, not a skip)");
    }
    eprintln!("SKIP {test}: needs root to load eBPF programs");
    false
}

/// `test` cannot run here (`why`, e.g. a missing tool): a failure under CI=true, else a skip.
pub fn skip(test: &str, why: &str) {
    if under_ci() {
        panic!("{test}: cannot run under CI=true: {why}");
    }
    eprintln!("SKIP {test}: {why}");
}

fn tmp_root() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

/// Compiles `tests/workloads/NAME.c` once per test binary; returns the executable's path.
pub fn workload(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let map = BUILT.get_or_init(Default::default);
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = map.get(name) {
        return p.clone();
    }
    let src_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/workloads");
    let out_dir = tmp_root().join(format!("workloads-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let exe = out_dir.join(name);
    compile_c(&src_dir.join(format!("{name}.c")), &exe);
    map.insert(name.to_string(), exe.clone());
    exe
}

/// Compiles the C program `src` to `exe` (cc -O0 -pthread -Wall); a failure shows cc's errors.
pub fn compile_c(src: &Path, exe: &Path) {
    let out = Command::new("cc")
        .args(["-O0", "-pthread", "-Wall", "-o"])
        .arg(exe)
        .arg(src)
        .output()
        .expect("running cc");
    assert!(
        out.status.success(),
        "cc {} failed:\n{}",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh, empty work directory (short path: AF_UNIX paths must fit in 108 bytes).
pub fn workdir(tag: &str) -> PathBuf {
    let d = tmp_root().join(format!("{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    assert!(
        d.as_os_str().len() < 80,
        "work dir path too long: {}",
        d.display()
    );
    d
}

pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Asserts sockscope's answer to bad input: exit status 2, exactly one `sockscope: ...` line on
/// stderr, no panic, nothing on stdout. Returns that line.
pub fn assert_one_line_error<'a>(
    status: ExitStatus,
    stdout: &str,
    stderr: &'a str,
    what: &str,
) -> &'a str {
    assert_eq!(
        status.code(),
        Some(2),
        "{what}: status {status:?}, stderr:\n{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{what}: not one line:\n{stderr}");
    assert!(
        stderr.starts_with("sockscope: ") && stderr.ends_with('\n'),
        "{what}: {stderr:?}"
    );
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(stdout.is_empty(), "{what}: stdout: {stdout}");
    stderr.trim_end()
}

/// Waits for `child` at most `limit`, killing it (and failing) when it takes longer.
/// Runs `c` with stdin closed and stdout/stderr captured, waiting at most `limit`.
pub fn run_limit(c: &mut Command, limit: Duration, what: &str) -> Run {
    let child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    wait_limit(child, limit, what)
}

pub fn wait_limit(mut child: Child, limit: Duration, what: &str) -> Run {
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_end(&mut s);
        }
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_end(&mut s);
        }
        s
    });
    let status = wait_exit(&mut child, limit, what);
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    Run {
        status,
        stdout,
        stderr,
    }
}

/// Waits for `child` to exit, at most `limit`; longer: kills it and fails.
pub fn wait_exit(child: &mut Child, limit: Duration, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?}, killed");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// True for sockscope's `sockscope: attached N programs` line.
pub fn is_attached_line(l: &str) -> bool {
    l.starts_with("sockscope: attached ") && l.ends_with(" programs")
}

/// A child's stderr, read on a thread: each line goes to `lines` as it comes; `all` gives
/// the whole text once the stream has ended.
pub struct StderrLines {
    pub lines: mpsc::Receiver<String>,
    pub all: JoinHandle<String>,
}

/// Takes `child`'s (piped) stderr and starts reading it line by line.
pub fn stderr_lines(child: &mut Child) -> StderrLines {
    let err = child.stderr.take().expect("stderr is not piped");
    let (tx, lines) = mpsc::channel();
    let all = std::thread::spawn(move || {
        let mut all = String::new();
        for l in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(l.clone());
            all.push_str(&l);
            all.push('\n');
        }
        all
    });
    StderrLines { lines, all }
}

/// Runs `sockscope OPTS -- CMD...` to completion. With a command the trace goes to stderr
/// unless `-o` says otherwise: `-o -` is added (the workloads print nothing on stdout), so
/// that `stdout` is the trace.
pub fn sockscope_cmd(opts: &[&str], cmd: &[&str]) -> Run {
    let mut c = Command::new(SOCKSCOPE);
    if !cmd.is_empty() && !opts.contains(&"-o") {
        c.args(["-o", "-"]);
    }
    c.args(opts);
    if !cmd.is_empty() {
        c.arg("--").args(cmd);
    }
    let child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting sockscope");
    let r = wait_limit(child, Duration::from_secs(45), "sockscope");
    if opts.contains(&"--json") {
        for l in r.stdout.lines().filter(|l| l.starts_with('{')) {
            check_json_event(l);
        }
    }
    r
}

/// Checks one `--json` line against `sockscope schema` (the committed JSON Schema): every JSON
/// line a test gets from `sockscope_cmd` passes through here.
pub fn check_json_event(line: &str) {
    static SCHEMA: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    let v = SCHEMA.get_or_init(|| {
        let out = Command::new(SOCKSCOPE)
            .arg("schema")
            .output()
            .expect("running sockscope schema");
        assert!(out.status.success(), "sockscope schema failed");
        let schema: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("sockscope schema: not JSON");
        jsonschema::validator_for(&schema).expect("sockscope schema: not a valid JSON Schema")
    });
    let ev: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    let errors: Vec<String> = v
        .iter_errors(&ev)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "JSON line fails the schema: {errors:?}\n{line}"
    );
}

/// Like `sockscope_cmd`, but checks that the run succeeded and reported nothing lost.
pub fn sockscope_ok(opts: &[&str], cmd: &[&str]) -> Run {
    let r = sockscope_cmd(opts, cmd);
    assert!(
        r.status.success(),
        "sockscope {opts:?} -- {cmd:?} exited with {:?}; stderr:\n{}",
        r.status,
        r.stderr
    );
    assert!(
        r.stderr.lines().any(is_attached_line),
        "no 'attached' line on stderr:\n{}",
        r.stderr
    );
    let (events, lost) = summary(&r.stderr).expect("no summary line on stderr");
    assert_eq!(lost, 0, "events lost:\n{}", r.stderr);
    assert!(events > 0, "no events captured:\n{}", r.stderr);
    r
}

/// `sockscope: N events, M lost` → (N, M).
pub fn summary(stderr: &str) -> Option<(u64, u64)> {
    for l in stderr.lines() {
        if let Some(rest) = l.strip_prefix("sockscope: ") {
            let mut it = rest.split(", ");
            let ev = it
                .next()?
                .strip_suffix(" events")
                .and_then(|n| n.parse().ok());
            let lost = it
                .next()
                .and_then(|s| s.strip_suffix(" lost"))
                .and_then(|n| n.parse().ok());
            if let (Some(e), Some(l)) = (ev, lost) {
                return Some((e, l));
            }
        }
    }
    None
}

/// One text line of sockscope.
#[derive(Debug, Clone)]
pub struct Ev {
    pub comm: String,
    pub pid: u32,
    pub tid: u32,
    pub call: String,
}

/// Parses every stdout line (`HH:MM:SS.uuuuuu COMM PID/TID CALL`); a malformed line fails.
pub fn parse_text(stdout: &str) -> Vec<Ev> {
    stdout
        .lines()
        .map(|l| parse_line(l).unwrap_or_else(|| panic!("malformed sockscope line: {l:?}")))
        .collect()
}

pub fn parse_line(l: &str) -> Option<Ev> {
    let (ts, rest) = l.split_once(' ')?;
    let b = ts.as_bytes();
    let ts_ok = b.len() == 15
        && b.iter().enumerate().all(|(i, &c)| match i {
            2 | 5 => c == b':',
            8 => c == b'.',
            _ => c.is_ascii_digit(),
        });
    if !ts_ok {
        return None;
    }
    let (comm, rest) = rest.split_once(' ')?;
    let (ids, call) = rest.split_once(' ')?;
    let (pid, tid) = ids.split_once('/')?;
    Some(Ev {
        comm: comm.to_string(),
        pid: pid.parse().ok()?,
        tid: tid.parse().ok()?,
        call: call.to_string(),
    })
}

/// Runs CMD under `strace -f -qq -e signal=none OPTS -o FILE`; (pid, call) per line, with
/// strace's column padding before ` = ` removed. None when strace is not installed.
pub fn strace(opts: &[&str], cmd: &[&str], dir: &Path) -> Option<Vec<(u32, String)>> {
    if !Path::new(STRACE).exists() {
        eprintln!("note: {STRACE} missing, strace comparison skipped");
        return None;
    }
    let out = dir.join("strace.out");
    let child = Command::new(STRACE)
        .args(["-f", "-qq", "-e", "signal=none"])
        .args(opts)
        .arg("-o")
        .arg(&out)
        .args(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting strace");
    let r = wait_limit(child, Duration::from_secs(45), "strace");
    assert!(
        r.status.success(),
        "strace run failed: {:?}\n{}",
        r.status,
        r.stderr
    );
    let text = std::fs::read_to_string(&out).unwrap();
    Some(
        text.lines()
            .map(|l| {
                let (pid, call) = match l.split_once(' ') {
                    Some((p, c)) if p.bytes().all(|b| b.is_ascii_digit()) => {
                        (p.parse().unwrap(), c.trim_start())
                    }
                    _ => (0, l),
                };
                (pid, unpad(call))
            })
            .collect(),
    )
}

/// strace pads the call to column 40 before ` = `; sockscope does not.
pub fn unpad(call: &str) -> String {
    match call.rfind(" = ") {
        Some(i) => format!("{} = {}", call[..i].trim_end(), &call[i + 3..]),
        None => call.to_string(),
    }
}

/// Replaces the digits after each `key` for which `pred(value)` holds with `N`.
pub fn mask_after(s: &str, key: &str, pred: impl Fn(u128) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(key) {
        let (head, tail) = rest.split_at(i + key.len());
        out.push_str(head);
        let n = tail.bytes().take_while(|b| b.is_ascii_digit()).count();
        match tail[..n].parse::<u128>() {
            Ok(v) if n > 0 && pred(v) => out.push('N'),
            _ => out.push_str(&tail[..n]),
        }
        rest = &tail[n..];
    }
    out.push_str(rest);
    out
}

/// Pointers (hex numbers of 9 digits or more) → `0xPTR`.
pub fn mask_pointers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("0x") {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let n = tail[2..]
            .bytes()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if n >= 9 {
            out.push_str("0xPTR");
        } else {
            out.push_str(&tail[..2 + n]);
        }
        rest = &tail[2 + n..];
    }
    out.push_str(rest);
    out
}

/// What differs between two runs of the same workload: pointers, timestamps in control
/// messages (epoch seconds), sub-second fields, the time left of a recvmmsg timeout,
/// durations (`-T`), and the given pid in `pid=` (SCM_CREDENTIALS).
pub fn normalise(call: &str, pid: Option<u32>) -> String {
    let mut s = mask_pointers(call);
    s = mask_after(&s, "tv_sec=", |v| v >= 1_000_000_000);
    s = mask_after(&s, "tv_usec=", |_| true);
    s = mask_after(&s, "tv_nsec=", |v| v != 0);
    if let Some(i) = s.find(" (left {") {
        let tail = mask_after(&s[i..], "tv_sec=", |_| true);
        s = format!("{}{}", &s[..i], tail);
    }
    if let Some(i) = s.rfind(" <") {
        let d = &s[i + 2..];
        if d.ends_with('>')
            && d[..d.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.')
        {
            s = format!("{} <D>", &s[..i]);
        }
    }
    if let Some(p) = pid {
        s = s.replace(&format!("pid={p},"), "pid=P,");
    }
    s
}

/// strace's quoting of a buffer shown whole (no -x), for expected lines.
pub fn quote(data: &[u8]) -> String {
    let mut s = String::from("\"");
    for (i, &c) in data.iter().enumerate() {
        match c {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            0x0b => s.push_str("\\v"),
            0x0c => s.push_str("\\f"),
            b'\r' => s.push_str("\\r"),
            0x20..=0x7e => s.push(c as char),
            _ => {
                let next_octal = data.get(i + 1).is_some_and(|n| (b'0'..=b'7').contains(n));
                if next_octal {
                    s.push_str(&format!("\\{c:03o}"));
                } else {
                    s.push_str(&format!("\\{c:o}"));
                }
            }
        }
    }
    s.push('"');
    s
}

/// The differences between two lists of calls, line by line ("" when equal).
pub fn diff_calls(what: &str, expected: &[String], got: &[String]) -> String {
    let mut report = String::new();
    for i in 0..expected.len().max(got.len()) {
        let e = expected.get(i).map(String::as_str).unwrap_or("<none>");
        let g = got.get(i).map(String::as_str).unwrap_or("<none>");
        if e != g {
            report.push_str(&format!("#{i}\n  expected: {e}\n  got:      {g}\n"));
        }
    }
    if report.is_empty() {
        return report;
    }
    format!(
        "{what}: {} expected, {} got; differences:\n{report}",
        expected.len(),
        got.len()
    )
}

/// Compares two lists of calls line by line; on a difference, panics with every mismatch.
pub fn assert_calls_eq(what: &str, expected: &[String], got: &[String]) {
    let d = diff_calls(what, expected, got);
    assert!(d.is_empty(), "{d}");
}

/// The pid a workload wrote into DIR/NAME.
pub fn read_pid(dir: &Path, name: &str) -> u32 {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .trim()
        .parse()
        .unwrap()
}

/// Current time, epoch seconds.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The cgroup v2 mount point (from /proc/self/mountinfo; `/sys/fs/cgroup` or, on a hybrid host,
/// `/sys/fs/cgroup/unified`), if any.
pub fn cgroup2_mount() -> Option<PathBuf> {
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    info.lines().find_map(|l| {
        let (pre, post) = l.split_once(" - ")?;
        (post.split_whitespace().next() == Some("cgroup2"))
            .then(|| pre.split_whitespace().nth(4).map(PathBuf::from))
            .flatten()
    })
}

/// A cgroup v2 group created for a test (`sockscope-TAG-PID` under `mount`), removed when
/// dropped (after its last member left).
pub struct Cgroup(pub PathBuf);

impl Cgroup {
    pub fn create(mount: &Path, tag: &str) -> Cgroup {
        let p = mount.join(format!("sockscope-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir(&p);
        std::fs::create_dir(&p).unwrap_or_else(|e| panic!("mkdir {}: {e}", p.display()));
        Cgroup(p)
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        // Its members exited; the kernel may take a moment to let the directory go.
        for _ in 0..200 {
            if std::fs::remove_dir(&self.0).is_ok() || !self.0.exists() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        eprintln!("note: could not remove cgroup {}", self.0.display());
    }
}
