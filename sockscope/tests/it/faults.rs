//! Issue 15: a traced process cannot forge or colour the output; faults handled as strace
//! handles them (closed stderr, write errors, stopping sockscope stops the command it started,
//! SIGHUP, `-p` of a thread / 0 / itself, exec failures, a call cut short by the process's
//! death); where the trace goes; the habits strace users bring (-q, -t/-tt/-ttt/-r, -u,
//! capabilities instead of root, --cgroup NAME, clap's hints, --help, --version, man page and
//! completions). Needs root for the tracing parts; see `support::require_root`.

use crate::support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::*;

/// The names `forge.c` gives itself, in order (its payloads are `N-<index>`).
const FORGED: &[&[u8]] = &[
    b"x\n00:00:00 sshd",
    b"\x1b[31mred\x1b[0m",
    b"a\rb",
    b"bel\x07 bs\x08",
    b"tab\tdel\x7f",
    b"sp ace",
    b"\xff\xfe\x80ok",
    b"back\\slash",
];

/// The kernel keeps 15 bytes of a name.
fn comm15(n: &[u8]) -> &[u8] {
    &n[..n.len().min(15)]
}

/// Undoes sockscope's `\xHH` / `\\` escaping of the name token.
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') {
            out.push(u8::from_str_radix(&s[i + 2..i + 4], 16).unwrap());
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn forged_names_cannot_forge_lines_or_reach_the_terminal() {
    if !require_root("forged_names_cannot_forge_lines_or_reach_the_terminal") {
        return;
    }
    let exe = workload("forge");
    let mut c = Command::new(SOCKSCOPE);
    c.args(["-o", "-", "-e", "trace=sendto", "--"])
        .arg(&exe)
        .arg("40460");
    let out = c.stdin(Stdio::null()).output().unwrap();
    assert!(out.status.success(), "{:?}", out);
    let raw = out.stdout;
    // No control byte, no byte outside printable ASCII, anywhere in the output.
    for (i, &b) in raw.iter().enumerate() {
        assert!(
            b == b'\n' || (0x20..0x7f).contains(&b),
            "byte {b:#04x} at {i} reached the output:\n{}",
            String::from_utf8_lossy(&raw)
        );
    }
    let text = String::from_utf8(raw).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), FORGED.len(), "one line per call:\n{text}");
    for (i, l) in lines.iter().enumerate() {
        let e = parse_line(l).unwrap_or_else(|| panic!("unparseable line {l:?}"));
        assert!(e.call.starts_with(&format!("sendto(3, \"N-{i}\"")), "{l}");
        assert_eq!(e.pid, e.tid);
        assert_eq!(
            unescape(&e.comm),
            comm15(FORGED[i]),
            "name token {:?} of line {l:?}",
            e.comm
        );
    }
    assert!(
        lines[0].contains(" x\\x0a00:00:00\\x20sshd "),
        "{}",
        lines[0]
    );

    // JSON: the exact bytes. processName is the name as a string (control bytes escaped by
    // JSON); a name that is not UTF-8 has U+FFFD there and its bytes in processNameHex.
    let out = Command::new(SOCKSCOPE)
        .args(["--json", "-o", "-", "-e", "trace=sendto", "--"])
        .arg(&exe)
        .arg("40460")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let evs: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &Value| v["eventName"] == "sendto")
        .collect();
    assert_eq!(evs.len(), FORGED.len(), "{text}");
    for (i, v) in evs.iter().enumerate() {
        let name = comm15(FORGED[i]);
        match std::str::from_utf8(name) {
            Ok(s) => {
                assert_eq!(v["processName"], s, "{v}");
                assert!(v.get("processNameHex").is_none(), "{v}");
            }
            Err(_) => {
                let hex: String = name.iter().map(|b| format!("{b:02x}")).collect();
                assert_eq!(v["processNameHex"], hex, "{v}");
                assert_eq!(v["processName"], String::from_utf8_lossy(name).as_ref());
            }
        }
    }
}

/// Spawns `sockscope ARGS` with stderr read line by line; returns after the `attached` line.
struct Tracer {
    child: Child,
    lines: mpsc::Receiver<String>,
    all: std::thread::JoinHandle<String>,
}

fn start(args: &[&str], stdout: Stdio) -> Tracer {
    let mut child = Command::new(SOCKSCOPE)
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let StderrLines { lines, all } = stderr_lines(&mut child);
    let t = Tracer { child, lines, all };
    let first = t
        .lines
        .recv_timeout(Duration::from_secs(30))
        .expect("no line from sockscope");
    assert!(first.starts_with("sockscope: attached "), "{first}");
    t
}

/// The pids of the processes running `exe` (the workload sockscope started).
fn pids_of(exe: &Path) -> Vec<u32> {
    let mut v = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe)
            && launch_running(pid)
        {
            v.push(pid);
        }
    }
    v
}

fn launch_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        s.rsplit_once(')')
            .is_some_and(|(_, r)| !r.trim_start().starts_with(['Z', 'X']))
    })
}

/// SIGINT, SIGTERM and SIGHUP of `sockscope -- CMD`: CMD is stopped with the same signal (as
/// strace does), the summary is printed, and the status is the one a shell reports (128+N).
#[test]
fn stopping_sockscope_stops_its_command() {
    if !require_root("stopping_sockscope_stops_its_command") {
        return;
    }
    // A copy of the loop workload of our own, so that its processes are ours to count.
    let dir = workdir("faults-stop");
    let exe = dir.join("stoploop");
    std::fs::copy(workload("loop"), &exe).unwrap();
    for (sig, name) in [
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGINT, "SIGINT"),
    ] {
        let out = dir.join(format!("{name}.txt"));
        let mut t = start(
            &[
                "-o",
                out.to_str().unwrap(),
                "--",
                exe.to_str().unwrap(),
                "STOP",
                "0",
                "20000",
                "40461",
            ],
            Stdio::null(),
        );
        let seen = || {
            std::fs::read_to_string(&out)
                .unwrap_or_default()
                .matches("\"STOP-")
                .count()
        };
        let t0 = Instant::now();
        while seen() < 3 && t0.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(seen() >= 3, "{name}: the command's sends not seen");
        assert_eq!(pids_of(&exe).len(), 1, "{name}: the command runs");
        // SAFETY: signalling the sockscope we started.
        unsafe { libc::kill(t.child.id() as i32, sig) };
        let st = wait_exit(&mut t.child, Duration::from_secs(20), name);
        let err = t.all.join().unwrap();
        assert_eq!(st.code(), Some(128 + sig), "{name}: {st:?}\n{err}");
        assert!(summary(&err).is_some(), "{name}: no summary:\n{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            pids_of(&exe).is_empty(),
            "{name}: the command still runs after sockscope ended"
        );
    }
}

/// `sockscope -o - -- CMD | head -1`: the closed pipe ends sockscope quietly, CMD is stopped
/// (SIGPIPE, as under strace), and the status is 141 as a shell reports it.
#[test]
fn closed_output_stops_the_command() {
    if !require_root("closed_output_stops_the_command") {
        return;
    }
    let dir = workdir("faults-head");
    let exe = dir.join("headloop");
    std::fs::copy(workload("loop"), &exe).unwrap();
    let errf = dir.join("err.txt");
    let r = run_limit(
        Command::new("bash")
            .arg("-c")
            .arg(r#""$0" -o - -- "$1" HEAD 0 5000 40462 2>"$2" | head -1; echo "status=${PIPESTATUS[0]}" >&2"#)
            .arg(SOCKSCOPE)
            .arg(&exe)
            .arg(&errf),
        Duration::from_secs(30),
        "sockscope -o - | head -1",
    );
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert!(r.stdout.contains("\"HEAD-0\""), "{}", r.stdout);
    assert_eq!(r.stderr.trim(), "status=141");
    let err = std::fs::read_to_string(&errf).unwrap();
    assert!(summary(&err).is_some(), "{err}");
    assert!(
        !err.contains("writing output"),
        "a closed pipe is quiet: {err}"
    );
    assert!(pids_of(&exe).is_empty(), "the command still runs");
}

/// `sockscope 2>&1 | head -3` (system-wide, stderr and stdout the same closed pipe): no panic,
/// exit 0.
#[test]
fn closed_stderr_does_not_panic() {
    if !require_root("closed_stderr_does_not_panic") {
        return;
    }
    let mut lp = Command::new(workload("loop"))
        .args(["CLOSED", "0", "10000", "40463"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let r = run_limit(
        Command::new("bash")
            .arg("-c")
            .arg(r#""$0" --comm loop 2>&1 | head -3 >/dev/null; echo "status=${PIPESTATUS[0]}""#)
            .arg(SOCKSCOPE),
        Duration::from_secs(30),
        "sockscope 2>&1 | head -3",
    );
    let _ = lp.kill();
    let _ = lp.wait();
    assert_eq!(r.stdout.trim(), "status=0", "stderr: {}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

/// `-o /dev/full`: the write error stops the trace (and the command), names the error, and
/// the status is 1; the summary says how many lines were not written.
#[test]
fn write_error_stops_with_status_1() {
    if !require_root("write_error_stops_with_status_1") {
        return;
    }
    let dir = workdir("faults-full");
    let exe = dir.join("fullloop");
    std::fs::copy(workload("loop"), &exe).unwrap();
    let r = run_limit(
        Command::new(SOCKSCOPE)
            .args(["-o", "/dev/full", "--"])
            .arg(&exe)
            .args(["FULL", "0", "1000", "40464"]),
        Duration::from_secs(30),
        "sockscope -o /dev/full",
    );
    assert_eq!(r.status.code(), Some(1), "{}", r.stderr);
    assert!(
        r.stderr
            .lines()
            .any(|l| l == "sockscope: writing output: No space left on device"),
        "{}",
        r.stderr
    );
    let s = r
        .stderr
        .lines()
        .find(|l| l.contains(" events, "))
        .unwrap_or_else(|| panic!("no summary:\n{}", r.stderr));
    assert!(
        s.starts_with("sockscope: 0 events, ") && s.ends_with(" not written"),
        "{s}"
    );
    assert!(!s.contains(" 0 not written"), "{s}");
    assert!(pids_of(&exe).is_empty(), "the command still runs");
}

/// `-p TID` of a thread that is not its process's leader traces that thread only (as
/// strace); with -f its whole process.
#[test]
fn p_with_a_thread_id_traces_that_thread() {
    if !require_root("p_with_a_thread_id_traces_that_thread") {
        return;
    }
    let dir = workdir("faults-thr");
    let mut w = Command::new(workload("thr2"))
        .arg(&dir)
        .arg("40465")
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while !dir.join("tid").exists() && t0.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let tid = read_pid(&dir, "tid");
    let pid = w.id();
    assert_ne!(tid, pid);
    for (follow, want_main) in [(false, false), (true, true)] {
        let out = dir.join(format!("p-{follow}.txt"));
        let mut args = vec!["-p".to_string(), tid.to_string(), "-o".into()];
        args.push(out.to_str().unwrap().into());
        if follow {
            args.push("-f".into());
        }
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut t = start(&a, Stdio::null());
        std::thread::sleep(Duration::from_millis(800));
        // SAFETY: our sockscope.
        unsafe { libc::kill(t.child.id() as i32, libc::SIGINT) };
        let st = wait_exit(&mut t.child, Duration::from_secs(20), "-p tid");
        let err = t.all.join().unwrap();
        assert_eq!(st.code(), Some(0), "{err}");
        let evs = parse_text(&std::fs::read_to_string(&out).unwrap());
        let thread = evs.iter().filter(|e| e.call.contains("\"thread-")).count();
        let main = evs.iter().filter(|e| e.call.contains("\"main-")).count();
        assert!(thread >= 5, "follow={follow}: the thread's sends: {evs:?}");
        assert!(evs.iter().all(|e| e.pid == pid), "{evs:?}");
        if want_main {
            assert!(main >= 5, "-f -p TID: the whole process: {evs:?}");
        } else {
            assert_eq!(main, 0, "-p TID: only that thread: {evs:?}");
            assert!(evs.iter().all(|e| e.tid == tid), "{evs:?}");
        }
    }
    let _ = w.kill();
    let _ = w.wait();
}

/// `-p 0`, `--tid 0`, `-p` of sockscope itself: bad input, one line, status 2.
#[test]
fn p_zero_and_self_are_bad_input() {
    for args in [
        &["-p", "0"][..],
        &["--tid", "0"],
        &["--tid", "0", "--", "true"],
    ] {
        let out = Command::new(SOCKSCOPE)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_one_line_error(
            out.status,
            &String::from_utf8_lossy(&out.stdout),
            &String::from_utf8_lossy(&out.stderr),
            &format!("{args:?}"),
        );
    }
    if !require_root("p_zero_and_self_are_bad_input") {
        return;
    }
    // The shell's pid becomes sockscope's by exec.
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"exec "$0" -p $$"#)
        .arg(SOCKSCOPE)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let l = assert_one_line_error(
        out.status,
        &String::from_utf8_lossy(&out.stdout),
        &err,
        "-p self",
    );
    assert!(l.contains("itself"), "{l}");
}

/// A command that cannot be started: 127 when not found, 126 when not executable or not an
/// executable format, as a shell; one line on stderr.
#[test]
fn exec_failures_give_the_shells_status() {
    if !require_root("exec_failures_give_the_shells_status") {
        return;
    }
    let dir = workdir("faults-exec");
    let bad_elf = dir.join("bad-elf");
    std::fs::write(&bad_elf, b"\x7fELF\x02\x01\x01garbage").unwrap();
    let noexec = dir.join("noexec");
    std::fs::write(&noexec, b"#!/bin/sh\n").unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&bad_elf, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&noexec, std::fs::Permissions::from_mode(0o644)).unwrap();
    for (cmd, code) in [
        ("/nonexistent/sockscope-no-such-cmd", 127),
        ("sockscope-no-such-command-xyz", 127),
        (noexec.to_str().unwrap(), 126),
        (bad_elf.to_str().unwrap(), 126),
    ] {
        let out = Command::new(SOCKSCOPE)
            .args(["-q", "--", cmd])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{cmd}: {err}");
        let errs: Vec<&str> = err.lines().filter(|l| summary(l).is_none()).collect();
        assert_eq!(errs.len(), 1, "{cmd}: one line: {err}");
        assert!(errs[0].starts_with("sockscope: "), "{err}");
        assert!(!err.contains("panicked"));
    }
}

/// A thread blocked in recvfrom when its process exits: `recvfrom(3,  <unfinished ...>) = ?`,
/// exactly as strace prints it (checked against strace when installed).
#[test]
fn killed_in_a_call_prints_question_mark() {
    if !require_root("killed_in_a_call_prints_question_mark") {
        return;
    }
    let exe = workload("blocked");
    let r = sockscope_ok(&["-e", "trace=recvfrom"], &[exe.to_str().unwrap(), "40466"]);
    let evs = parse_text(&r.stdout);
    assert_eq!(evs.len(), 1, "{}", r.stdout);
    assert_eq!(evs[0].call, "recvfrom(3,  <unfinished ...>) = ?");
    assert_ne!(evs[0].pid, evs[0].tid);
    let r = sockscope_ok(
        &["--json", "-e", "trace=recvfrom"],
        &[exe.to_str().unwrap(), "40466"],
    );
    let v: Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(v["exitedInCall"], true, "{v}");
    assert_eq!(v["strace"], "recvfrom(3,  <unfinished ...>) = ?", "{v}");
    let dir = workdir("faults-blocked");
    if let Some(lines) = strace(
        &["-e", "trace=recvfrom"],
        &[exe.to_str().unwrap(), "40466"],
        &dir,
    ) {
        let calls: Vec<String> = lines
            .into_iter()
            .map(|(_, c)| c)
            .filter(|c| c.starts_with("recvfrom"))
            .collect();
        assert_eq!(calls, vec![evs[0].call.clone()], "strace differs");
    }
}

/// Where the trace goes: with `-- CMD` to stderr (the command's stdout stays its own); with
/// `-p` / system-wide to stdout; `-o -` to stdout; `-q` drops the attached line.
#[test]
fn output_rule_and_quiet() {
    if !require_root("output_rule_and_quiet") {
        return;
    }
    let lp = workload("loop");
    let script = format!("echo OWN-STDOUT; {} RULE 3 0 40467", lp.display());
    let out = Command::new(SOCKSCOPE)
        .args(["--", "sh", "-c", &script])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "OWN-STDOUT\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("\"RULE-").count(), 3, "{err}");
    assert!(err.contains("sockscope: attached "), "{err}");

    // -q: no attached line, the summary stays; --json to stdout with -o -: only JSON there.
    let out = Command::new(SOCKSCOPE)
        .args([
            "-q",
            "--json",
            "-o",
            "-",
            "--",
            lp.to_str().unwrap(),
            "RULE",
            "3",
            "0",
            "40467",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("attached"), "{err}");
    assert!(summary(&err).is_some(), "{err}");
    let text = String::from_utf8_lossy(&out.stdout);
    for l in text.lines() {
        let _: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
    }
    assert_eq!(text.lines().count(), 4, "3 events + summary:\n{text}");

    // -p: to stdout.
    let mut w = Command::new(&lp)
        .args(["PRULE", "0", "20000", "40467"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let mut t = start(&["-p", &w.id().to_string()], Stdio::piped());
    let mut stdout = t.child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: our sockscope.
    unsafe { libc::kill(t.child.id() as i32, libc::SIGTERM) };
    let st = wait_exit(&mut t.child, Duration::from_secs(20), "-p");
    assert_eq!(st.code(), Some(0));
    let _ = w.kill();
    let _ = w.wait();
    let text = reader.join().unwrap();
    assert!(text.contains("\"PRULE-"), "-p trace on stdout: {text}");
    let err = t.all.join().unwrap();
    assert!(!err.contains("PRULE"), "{err}");
}

/// strace's -t, -tt, -ttt, -r time columns.
#[test]
fn time_columns() {
    if !require_root("time_columns") {
        return;
    }
    let lp = workload("loop");
    let run = |opt: &str| {
        let r = sockscope_ok(
            &[opt],
            &[lp.to_str().unwrap(), "TIME", "3", "1000", "40468"],
        );
        r.stdout.lines().map(str::to_string).collect::<Vec<_>>()
    };
    let col = |l: &str| l.trim_start().split(' ').next().unwrap().to_string();
    for l in run("-t") {
        let c = col(&l);
        assert!(
            c.len() == 8 && c.as_bytes()[2] == b':' && c.as_bytes()[5] == b':',
            "{l}"
        );
    }
    for l in run("-tt") {
        assert!(parse_line(&l).is_some(), "{l}");
    }
    let now = now_secs() as f64;
    for l in run("-ttt") {
        let v: f64 = col(&l).parse().unwrap();
        assert!((v - now).abs() < 120.0, "{l}");
        assert_eq!(col(&l).split('.').nth(1).unwrap().len(), 6, "{l}");
    }
    let rel = run("-r");
    assert_eq!(rel.len(), 3);
    assert!(rel[0].starts_with("     0.000000 "), "{}", rel[0]);
    for l in &rel[1..] {
        let v: f64 = col(l).parse().unwrap();
        assert!((0.0009..5.0).contains(&v), "{l}");
        assert_eq!(&l[6..7], ".", "{l}");
    }
}

/// `-u USER` runs the command as that user (uid and groups), as strace's -u.
#[test]
fn u_runs_the_command_as_user() {
    if !require_root("u_runs_the_command_as_user") {
        return;
    }
    let lp = workload("loop");
    let dir = workdir("faults-u");
    // The workload must be reachable by nobody.
    let exe = Path::new("/tmp").join(format!("sockscope-u-loop-{}", std::process::id()));
    std::fs::copy(&lp, &exe).unwrap();
    let r = sockscope_ok(
        &["--json", "-u", "nobody"],
        &[exe.to_str().unwrap(), "USER", "2", "0", "40469"],
    );
    let _ = std::fs::remove_file(&exe);
    let evs: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &Value| v["eventName"] == "sendto")
        .collect();
    assert_eq!(evs.len(), 2, "{}", r.stdout);
    for v in &evs {
        assert_eq!(v["userId"], 65534, "{v}");
    }
    let _ = dir;
    let out = Command::new(SOCKSCOPE)
        .args(["-u", "no-such-user-sockscope", "--", "true"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_one_line_error(
        out.status,
        &String::from_utf8_lossy(&out.stdout),
        &String::from_utf8_lossy(&out.stderr),
        "-u unknown",
    );
}

/// Not root, but CAP_BPF + CAP_PERFMON + CAP_DAC_READ_SEARCH: tracing works; without one of
/// them the message names what is missing. The command gets none of them.
#[test]
fn capabilities_instead_of_root() {
    if !require_root("capabilities_instead_of_root") {
        return;
    }
    if !Path::new("/usr/bin/setpriv").exists() {
        eprintln!("SKIP capabilities_instead_of_root: setpriv missing");
        return;
    }
    let exe = Path::new("/tmp").join(format!("sockscope-cap-loop-{}", std::process::id()));
    std::fs::copy(workload("loop"), &exe).unwrap();
    let caps = "+bpf,+perfmon,+dac_read_search";
    let r = run_limit(
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                &format!("--inh-caps={caps}"),
                &format!("--ambient-caps={caps}"),
                SOCKSCOPE,
                "-o",
                "-",
                "--json",
                "--",
            ])
            .arg(&exe)
            .args(["CAPS", "3", "0", "40470"]),
        Duration::from_secs(40),
        "sockscope with capabilities",
    );
    assert_eq!(r.status.code(), Some(0), "{}", r.stderr);
    let evs: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &Value| v["eventName"] == "sendto")
        .collect();
    assert_eq!(evs.len(), 3, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(evs.iter().all(|v| v["userId"] == 65534));

    // The command does not inherit sockscope's capabilities.
    let capf = Path::new("/tmp").join(format!("sockscope-capeff-{}", std::process::id()));
    let _ = std::fs::remove_file(&capf);
    let r = run_limit(
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                &format!("--inh-caps={caps}"),
                &format!("--ambient-caps={caps}"),
                SOCKSCOPE,
                "-q",
                "--",
                "sh",
                "-c",
            ])
            .arg(format!(
                "grep -E '^Cap(Eff|Amb)' /proc/self/status > {}",
                capf.display()
            )),
        Duration::from_secs(40),
        "sockscope with capabilities, command's own",
    );
    assert_eq!(r.status.code(), Some(0), "{}", r.stderr);
    let caps_of_cmd = std::fs::read_to_string(&capf).unwrap();
    let _ = std::fs::remove_file(&capf);
    assert_eq!(
        caps_of_cmd, "CapEff:\t0000000000000000\nCapAmb:\t0000000000000000\n",
        "the command got capabilities"
    );

    let r = run_limit(
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--inh-caps=+bpf",
                "--ambient-caps=+bpf",
                SOCKSCOPE,
                "--",
            ])
            .arg(&exe)
            .args(["CAPS", "3", "0", "40470"]),
        Duration::from_secs(40),
        "sockscope with CAP_BPF only",
    );
    let _ = std::fs::remove_file(&exe);
    let l = assert_one_line_error(r.status, &r.stdout, &r.stderr, "CAP_BPF only");
    assert!(
        l.contains("CAP_PERFMON") && l.contains("CAP_DAC_READ_SEARCH") && !l.contains("CAP_BPF,"),
        "{l}"
    );
}

/// `--cgroup NAME` is taken relative to where cgroup v2 is mounted (here possibly
/// /sys/fs/cgroup/unified).
#[test]
fn cgroup_name_relative_to_the_v2_mount() {
    if !require_root("cgroup_name_relative_to_the_v2_mount") {
        return;
    }
    let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let Some(root) = info.lines().find_map(|l| {
        let (pre, post) = l.split_once(" - ")?;
        (post.split_whitespace().next() == Some("cgroup2"))
            .then(|| std::path::PathBuf::from(pre.split_whitespace().nth(4).unwrap()))
    }) else {
        eprintln!("SKIP: no cgroup v2 mounted");
        return;
    };
    let name = format!("sockscope-faults-{}", std::process::id());
    let cg = root.join(&name);
    let _ = std::fs::remove_dir(&cg);
    std::fs::create_dir(&cg).unwrap();
    let lp = workload("loop");
    let script = format!(
        "echo $$ > {}/cgroup.procs && exec {} CG 3 0 40471",
        cg.display(),
        lp.display()
    );
    let outside = format!("{} OUT 3 0 40471", lp.display());
    let r = sockscope_ok(
        &["--cgroup", &name],
        &["sh", "-c", &format!("sh -c '{script}'; {outside}")],
    );
    for _ in 0..200 {
        if std::fs::remove_dir(&cg).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let evs = parse_text(&r.stdout);
    assert_eq!(evs.len(), 3, "{}", r.stdout);
    assert!(evs.iter().all(|e| e.call.contains("\"CG-")), "{}", r.stdout);
}

/// clap's hints survive (in one line), --help summarises the filter language and the output
/// rule, --version names the commit.
#[test]
fn cli_hints_help_version() {
    let out = Command::new(SOCKSCOPE)
        .args(["curl", "-s", "http://127.0.0.1:8080/"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let l = assert_one_line_error(
        out.status,
        &String::from_utf8_lossy(&out.stdout),
        &err,
        "sockscope curl",
    );
    assert!(l.contains("-- curl"), "{l}");
    let out = Command::new(SOCKSCOPE).arg("--bogus").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tip:") && err.lines().count() == 1, "{err}");

    let out = Command::new(SOCKSCOPE).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for want in [
        "Filter expressions",
        "dport",
        "flags has",
        "len is the buffer size",
        "ret the bytes",
        "-o -",
        "stderr",
        "-ttt",
        "-u <USER>",
        "-q",
    ] {
        assert!(help.contains(want), "--help lacks {want:?}:\n{help}");
    }
    let out = Command::new(SOCKSCOPE).arg("--version").output().unwrap();
    let v = String::from_utf8_lossy(&out.stdout);
    let commit = v
        .trim()
        .strip_suffix(')')
        .and_then(|s| s.split("(commit ").nth(1))
        .unwrap_or_else(|| panic!("{v}"));
    let git = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    match git {
        Ok(g) if g.status.success() => {
            let head = String::from_utf8_lossy(&g.stdout).trim().to_string();
            // The binary names the commit it was built from (HEAD when built from this tree).
            assert!(
                commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit()),
                "{v}"
            );
            if commit != head {
                eprintln!("note: built from {commit}, HEAD is {head}");
            }
        }
        _ => assert!(!commit.is_empty(), "{v}"),
    }
}

/// The man page and shell completions: generated by `sockscope-gen`, well-formed, and the
/// installed copies (scripts/install.sh) are current when present.
#[test]
fn man_page_and_completions() {
    let gen_bin = Path::new(SOCKSCOPE).with_file_name("sockscope-gen");
    assert!(gen_bin.exists(), "{} missing", gen_bin.display());
    let dir = workdir("faults-gen");
    let out = Command::new(&gen_bin).arg(&dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let man = std::fs::read_to_string(dir.join("man/man1/sockscope.1")).unwrap();
    assert!(
        man.contains(".TH sockscope 1"),
        "{}",
        &man[..200.min(man.len())]
    );
    for want in ["\\-p", "\\-\\-filter", "\\-\\-json", "Filter expressions"] {
        assert!(man.contains(want), "man page lacks {want}");
    }
    if Command::new("man").arg("--version").output().is_ok() {
        let r = Command::new("man")
            .arg("-l")
            .arg(dir.join("man/man1/sockscope.1"))
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&r.stdout);
        assert!(
            r.status.success() && text.contains("sockscope"),
            "man -l: {text}"
        );
    }
    let bash = dir.join("completions/sockscope.bash");
    let b = std::fs::read_to_string(&bash).unwrap();
    assert!(
        b.contains("--filter") && b.contains("--json"),
        "bash completion"
    );
    // Loads in bash and completes an option.
    let r = Command::new("bash")
        .arg("-c")
        .arg(r#"source "$0" && COMP_WORDS=(sockscope --jso) COMP_CWORD=1 COMP_LINE="sockscope --jso" COMP_POINT=15 && _sockscope sockscope --jso sockscope && printf '%s\n' "${COMPREPLY[@]}""#)
        .arg(&bash)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&r.stdout)
            .lines()
            .any(|l| l.trim() == "--json"),
        "bash completion of --jso: {:?}",
        r
    );
    for f in ["completions/_sockscope", "completions/sockscope.fish"] {
        let t = std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(t.contains("filter"), "{f}");
    }
    // Installed copies (the set-up installs them) equal what this binary generates.
    for (installed, generated) in [
        (
            "/usr/local/share/man/man1/sockscope.1",
            "man/man1/sockscope.1",
        ),
        (
            "/usr/local/share/bash-completion/completions/sockscope",
            "completions/sockscope.bash",
        ),
    ] {
        match std::fs::read_to_string(installed) {
            Ok(t) => {
                if t != std::fs::read_to_string(dir.join(generated)).unwrap() {
                    eprintln!(
                        "note: {installed} differs from this build's (re-run scripts/install.sh)"
                    );
                }
            }
            Err(_) => eprintln!("note: {installed} not installed (scripts/install.sh installs it)"),
        }
    }
}

/// `bpf(2)` with an attribute block of `attr` (zero-padded to 128 bytes).
fn bpf(cmd: libc::c_long, attr: &[u64]) -> libc::c_long {
    let mut buf = [0u64; 16];
    buf[..attr.len()].copy_from_slice(attr);
    // SAFETY: the attribute block is valid for the command's layout and 128 bytes long.
    unsafe { libc::syscall(libc::SYS_bpf, cmd, buf.as_mut_ptr(), 128usize) }
}

const BPF_MAP_LOOKUP_ELEM: libc::c_long = 1;
const BPF_PROG_GET_FD_BY_ID: libc::c_long = 13;
const BPF_MAP_GET_FD_BY_ID: libc::c_long = 14;
const BPF_MAP_TYPE_PROG_ARRAY: u32 = 3;

/// The prog ids in the program array `map_fd` (keys 0 and 1).
fn prog_array_entries(map_fd: i32) -> Vec<u32> {
    let mut ids = Vec::new();
    for key in 0u32..2 {
        let mut value = 0u32;
        let r = bpf(
            BPF_MAP_LOOKUP_ELEM,
            &[
                map_fd as u64,
                &key as *const u32 as u64,
                &mut value as *mut u32 as u64,
                0,
            ],
        );
        if r == 0 {
            ids.push(value);
        }
    }
    ids
}

/// The prog_array teardown: a program array holds its programs, and the kernel empties it only
/// when the last user reference to the map goes. Something holding the map open by id while
/// sockscope exits (bpftool, a monitor) used to keep sockscope's step programs loaded in it.
/// sockscope now empties MMSG_STEPS itself before closing: with the map held open by this
/// test across sockscope's exit, the array is found empty and the step programs are freed.
#[test]
fn prog_array_is_emptied_before_close() {
    if !require_root("prog_array_is_emptied_before_close") {
        return;
    }
    let mut w = Command::new(workload("loop"))
        .args(["PA", "0", "20000", "40472"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let mut t = start(
        &["-p", &w.id().to_string(), "-o", "/dev/null"],
        Stdio::null(),
    );
    let spid = t.child.id();
    let mut map_id = None;
    let t0 = Instant::now();
    while map_id.is_none() && t0.elapsed() < Duration::from_secs(30) {
        for e in std::fs::read_dir(format!("/proc/{spid}/fdinfo"))
            .unwrap()
            .flatten()
        {
            let info = std::fs::read_to_string(e.path()).unwrap_or_default();
            let field = |k: &str| {
                info.lines()
                    .find_map(|l| l.strip_prefix(k))
                    .and_then(|v| v.trim().parse::<u32>().ok())
            };
            if field("map_type:") == Some(BPF_MAP_TYPE_PROG_ARRAY) {
                map_id = field("map_id:");
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let map_id = map_id.expect("sockscope holds no program array");
    let fd = bpf(BPF_MAP_GET_FD_BY_ID, &[map_id as u64]);
    assert!(
        fd >= 0,
        "open map {map_id} by id: {}",
        std::io::Error::last_os_error()
    );
    let fd = fd as i32;
    let progs = prog_array_entries(fd);
    assert_eq!(
        progs.len(),
        2,
        "the two mmsg step programs are in the array"
    );

    // SAFETY: our sockscope.
    unsafe { libc::kill(spid as i32, libc::SIGINT) };
    let st = wait_exit(&mut t.child, Duration::from_secs(20), "prog array");
    assert_eq!(st.code(), Some(0));
    let _ = w.kill();
    let _ = w.wait();

    // We still hold the map: it must be empty, and the step programs gone (RCU may lag).
    assert!(prog_array_entries(fd).is_empty(), "array not emptied");
    let gone = |id: u32| {
        let p = bpf(BPF_PROG_GET_FD_BY_ID, &[id as u64]);
        if p >= 0 {
            // SAFETY: the fd we just got.
            unsafe { libc::close(p as i32) };
            false
        } else {
            true
        }
    };
    let t0 = Instant::now();
    while !progs.iter().all(|&id| gone(id)) && t0.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        progs.iter().all(|&id| gone(id)),
        "step programs {progs:?} still loaded while another holder keeps the map"
    );
    // SAFETY: our fd.
    unsafe { libc::close(fd) };
}
