//! Issue 14: flows. A known traffic matrix (`workloads/matrix.c`: 3 clients × a TCP, a UDP and
//! a UNIX stream server, distinct byte counts each way, send/recv and read/write) must come out
//! exactly in `--summary flows`, in `top -b`'s totals, and as the sum of the per-call events of
//! the same run; endpoint filters select connected UDP and TCP traffic; `-c` gives strace's
//! table; `--stats-interval` and SIGUSR1 report progress. Needs root (see
//! `support::require_root`).

use crate::support;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use support::*;

/// The calls traced one event per call on this branch, by direction. The flow counters see
/// every send and receive (read/write included); the per-call sums cover these calls
/// (read/write/readv/writev/preadv2/pwritev2 since issue 11).
const PER_CALL_SEND: &[&str] = &["sendto", "sendmsg", "write", "writev", "pwritev2"];
const PER_CALL_RECV: &[&str] = &["recvfrom", "recvmsg", "read", "readv", "preadv2"];

/// The syscall behind a libc name the workload reports.
fn syscall_of(libc_name: &str) -> &str {
    match libc_name {
        "send" => "sendto",
        "recv" => "recvfrom",
        other => other,
    }
}

/// The workload's own account: (pid, proto, sent, received, send call, receive call, failed
/// calls, MSG_PEEK receives).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Line {
    pid: u64,
    proto: String,
    sent: u64,
    recv: u64,
    send_call: String,
    recv_call: String,
    errors: u64,
    peeks: u64,
}

fn matrix_lines(dir: &Path) -> Vec<Line> {
    let text = std::fs::read_to_string(dir.join("flows.txt")).expect("flows.txt");
    let mut v: Vec<Line> = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 9, "bad line {l}");
            Line {
                pid: f[1].parse().unwrap(),
                proto: f[2].into(),
                sent: f[3].parse().unwrap(),
                recv: f[4].parse().unwrap(),
                send_call: syscall_of(f[5]).into(),
                recv_call: syscall_of(f[6]).into(),
                errors: f[7].parse().unwrap(),
                peeks: f[8].parse().unwrap(),
            }
        })
        .collect();
    v.sort();
    // 3 clients × 3 protocols, 3 TCP + 3 UNIX accepted connections, 1 UDP server socket,
    // client 0's refused UDP socket.
    assert_eq!(v.len(), 17, "matrix lines: {v:?}");
    v
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON {l}: {e}")))
        .collect()
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn flow_key(f: &Value) -> (u64, String, u64, u64) {
    (
        u(&f["pid"]),
        f["proto"].as_str().unwrap_or("?").to_string(),
        u(&f["bytesSent"]),
        u(&f["bytesReceived"]),
    )
}

fn line_key(l: &Line) -> (u64, String, u64, u64) {
    (l.pid, l.proto.clone(), l.sent, l.recv)
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[test]
fn matrix_flows_equal_the_matrix_and_the_per_call_sums() {
    if !require_root("matrix_flows_equal_the_matrix_and_the_per_call_sums") {
        return;
    }
    let exe = workload("matrix");
    let dir = workdir("flows-mx");
    let r = sockscope_ok(
        &["--json", "--summary", "flows"],
        &[exe.to_str().unwrap(), dir.to_str().unwrap()],
    );
    let lines = matrix_lines(&dir);
    let recs = json_lines(&r.stdout);
    let flows: Vec<&Value> = recs
        .iter()
        .filter(|v| v["eventName"] == "sockscope_flow")
        .collect();
    let events: Vec<&Value> = recs.iter().filter(|v| v["syscall"].is_string()).collect();
    assert!(!events.is_empty(), "no per-call events");

    // 1. The flows are the matrix, exactly, and nothing else.
    assert_eq!(
        sorted(flows.iter().map(|f| flow_key(f)).collect()),
        sorted(lines.iter().map(line_key).collect::<Vec<_>>()),
        "flows vs the workload's matrix"
    );
    // Errors and peeks as the workload made them; a peek is a receive that moves no bytes.
    for f in &flows {
        let line = lines.iter().find(|l| line_key(l) == flow_key(f)).unwrap();
        assert_eq!(u(&f["errors"]), line.errors, "{f}");
        if line.peeks > 0 {
            assert!(u(&f["callsReceived"]) > line.peeks, "{f}");
        }
        assert!(
            u(&f["callsSent"]) >= 1 && u(&f["callsReceived"]) >= 1,
            "{f}"
        );
        assert!(u(&f["firstSeen"]) <= u(&f["lastSeen"]), "{f}");
        assert!(f["comm"] == "matrix", "{f}");
        match f["proto"].as_str() {
            Some("tcp") | Some("udp") => {
                assert_eq!(f["laddr"], "127.0.0.1", "{f}");
                assert!(u(&f["lport"]) > 0, "{f}");
            }
            Some("unix") => assert!(f["lport"].is_null() && f["rport"].is_null(), "{f}"),
            other => panic!("unexpected proto {other:?}: {f}"),
        }
    }
    // A client's TCP flow points at the server's port, and the server's accepted flow back.
    let tcp_port = flows
        .iter()
        .filter(|f| f["proto"] == "tcp")
        .map(|f| u(&f["lport"]))
        .fold(HashMap::<u64, usize>::new(), |mut m, p| {
            *m.entry(p).or_default() += 1;
            m
        })
        .into_iter()
        .find(|(_, n)| *n == 3)
        .map(|(p, _)| p)
        .expect("three accepted TCP flows share the server's port");
    for f in flows.iter().filter(|f| f["proto"] == "tcp") {
        assert!(
            u(&f["lport"]) == tcp_port || u(&f["rport"]) == tcp_port,
            "TCP flow not on the server port {tcp_port}: {f}"
        );
        assert_eq!(f["raddr"], "127.0.0.1", "{f}");
    }

    // 2. The per-call events of the same run sum to the same numbers, flow by flow (for the
    // calls traced per call; the others must show no per-call event at all).
    let mut per_call: HashMap<(u64, u64), [u64; 4]> = HashMap::new();
    for e in &events {
        let pid = u(&e["processId"]);
        let ino = u(&e["socket"]["inode"]);
        let name = e["syscall"].as_str().unwrap();
        let ret = e["returnValue"].as_i64().unwrap();
        let s = per_call.entry((pid, ino)).or_default();
        // A MSG_PEEK receive leaves the bytes queued: a call, but no bytes (as the flows).
        let flags = e["args"][3]["value"].as_u64().unwrap_or(0);
        let peek = name == "recvfrom" && flags & 2 != 0;
        let bytes = if peek { 0 } else { ret.max(0) as u64 };
        if PER_CALL_SEND.contains(&name) {
            s[0] += bytes;
            s[2] += 1;
        } else if PER_CALL_RECV.contains(&name) {
            s[1] += bytes;
            s[3] += 1;
        } else {
            panic!("event {name} outside the per-call lists: {e}");
        }
    }
    let mut checked = 0;
    for f in &flows {
        let key = (u(&f["pid"]), u(&f["inode"]));
        let got = per_call.remove(&key).unwrap_or_default();
        let line = lines
            .iter()
            .find(|l| line_key(l) == flow_key(f))
            .expect("matching line");
        let (send_traced, recv_traced) = (
            PER_CALL_SEND.contains(&line.send_call.as_str()),
            PER_CALL_RECV.contains(&line.recv_call.as_str()),
        );
        let want = [
            if send_traced { u(&f["bytesSent"]) } else { 0 },
            if recv_traced {
                u(&f["bytesReceived"])
            } else {
                0
            },
            if send_traced { u(&f["callsSent"]) } else { 0 },
            if recv_traced {
                u(&f["callsReceived"])
            } else {
                0
            },
        ];
        assert_eq!(got, want, "per-call sums vs flow {f} ({line:?})");
        checked += (send_traced || recv_traced) as usize;
    }
    assert!(
        checked >= 8,
        "too few flows made with traced calls: {checked}"
    );
    assert!(
        per_call.is_empty(),
        "events on sockets without a flow: {per_call:?}"
    );
    let summary = recs
        .iter()
        .find(|v| v["eventName"] == "sockscope_summary")
        .expect("summary record");
    assert_eq!(u(&summary["flowsNotKept"]), 0);

    // Text: the table on stderr, one line per flow and the totals line, busiest first.
    let dir = workdir("flows-mx-text");
    let r = sockscope_ok(
        &["--summary", "flows"],
        &[exe.to_str().unwrap(), dir.to_str().unwrap()],
    );
    let lines = matrix_lines(&dir);
    let (sent, recv): (u64, u64) = (
        lines.iter().map(|l| l.sent).sum(),
        lines.iter().map(|l| l.recv).sum(),
    );
    let errors: u64 = lines.iter().map(|l| l.errors).sum();
    // (support::sockscope_cmd passes `-o -`: the table follows the calls in the output.)
    let table: Vec<&str> = r
        .stdout
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("PID COMM"))
        .collect();
    assert!(!table.is_empty(), "no flows table:\n{}", r.stdout);
    assert!(
        table[0].contains("LOCAL <-> PEER") && table[0].contains("BYTES SENT"),
        "{}",
        r.stdout
    );
    assert_eq!(table.len(), 1 + lines.len() + 1, "{}", r.stdout); // + the totals line
    assert!(
        table[1 + lines.len()].starts_with(&format!(
            "{} flows, {sent} bytes sent, {recv} bytes received, ",
            lines.len()
        )) && table[1 + lines.len()].ends_with(&format!(" {errors} errors")),
        "{}",
        r.stdout
    );
    let bytes = |l: &str| -> u64 {
        let f: Vec<&str> = l.split_whitespace().collect();
        let n = f.len();
        f[n - 7].parse::<u64>().unwrap() + f[n - 6].parse::<u64>().unwrap()
    };
    for w in table[1..=lines.len()].windows(2) {
        assert!(
            bytes(w[0]) >= bytes(w[1]),
            "not sorted by bytes:\n{}",
            r.stdout
        );
    }
}

#[test]
fn top_batch_totals_equal_the_matrix() {
    if !require_root("top_batch_totals_equal_the_matrix") {
        return;
    }
    let exe = workload("matrix");
    let dir = workdir("flows-top");
    // Both attachments of the socket tracepoints: raw (default) and ordinary.
    for hook in ["raw", "tracepoint"] {
        let r = run_limit(
            Command::new(SOCKSCOPE)
                .env("SOCKSCOPE_FLOW_HOOK", hook)
                .args(["top", "-b", "--json", "-d", "0.2", "-n", "1000", "--"])
                .arg(&exe)
                .arg(&dir),
            Duration::from_secs(45),
            "sockscope top",
        );
        assert!(r.status.success(), "top: {:?}\n{}", r.status, r.stderr);
        let lines = matrix_lines(&dir);
        let recs = json_lines(&r.stdout);
        let tops: Vec<&Value> = recs
            .iter()
            .filter(|v| v["eventName"] == "sockscope_top")
            .collect();
        let last = *tops.last().expect("no snapshot");
        let n = u(&last["snapshot"]);
        // Totals never reset: they only grow from snapshot to snapshot.
        for w in tops.windows(2) {
            assert!(u(&w[0]["bytesSent"]) <= u(&w[1]["bytesSent"]));
        }
        let sent: u64 = lines.iter().map(|l| l.sent).sum();
        let recv: u64 = lines.iter().map(|l| l.recv).sum();
        assert_eq!(u(&last["bytesSent"]), sent, "{last}");
        assert_eq!(u(&last["bytesReceived"]), recv, "{last}");
        assert_eq!(u(&last["flows"]), lines.len() as u64, "{last}");
        assert_eq!(
            u(&last["errors"]),
            lines.iter().map(|l| l.errors).sum::<u64>()
        );
        assert_eq!(u(&last["lost"]), 0);
        let snap: Vec<_> = recs
            .iter()
            .filter(|v| v["eventName"] == "sockscope_flow" && u(&v["snapshot"]) == n)
            .map(flow_key)
            .collect();
        assert_eq!(
            sorted(snap),
            sorted(lines.iter().map(line_key).collect::<Vec<_>>()),
            "last snapshot vs the matrix ({hook})"
        );
    }
    let lines = matrix_lines(&dir);
    let (sent, recv): (u64, u64) = (
        lines.iter().map(|l| l.sent).sum(),
        lines.iter().map(|l| l.recv).sum(),
    );
    // Text batch mode: one header line per snapshot with the same totals.
    let dir = workdir("flows-top-text");
    let r = run_limit(
        Command::new(SOCKSCOPE)
            .args(["top", "-b", "-d", "0.2", "--"])
            .arg(&exe)
            .arg(&dir),
        Duration::from_secs(45),
        "sockscope top",
    );
    assert!(r.status.success(), "top: {:?}\n{}", r.status, r.stderr);
    let head = r
        .stdout
        .lines()
        .rfind(|l| l.starts_with("sockscope top - "))
        .expect("a snapshot header")
        .to_string();
    assert!(
        head.contains(&format!("sent: {sent} B")) && head.contains(&format!("received: {recv} B")),
        "{head}"
    );
    // Bad input: one line, status 2, nothing attached.
    for bad in [
        &["top", "-b", "--filter", "len > 3"][..],
        &["top", "-b", "-n", "0"],
        &["top", "-b", "-d", "nan"],
        &["top", "--json"],
    ] {
        let r = run_limit(
            Command::new(SOCKSCOPE).args(bad),
            Duration::from_secs(20),
            "top",
        );
        assert_one_line_error(r.status, &r.stdout, &r.stderr, &format!("{bad:?}"));
    }
}

/// `sockscope --json --filter EXPR -- matrix DIR 40341`: the events and the workload's lines.
fn filtered(expr: &str, tag: &str) -> (Vec<Value>, Vec<Line>) {
    let exe = workload("matrix");
    let dir = workdir(tag);
    let r = sockscope_cmd(
        &["--json", "--filter", expr],
        &[exe.to_str().unwrap(), dir.to_str().unwrap(), "40341"],
    );
    assert!(r.status.success(), "{expr}: {:?}\n{}", r.status, r.stderr);
    let evs = json_lines(&r.stdout)
        .into_iter()
        .filter(|v| v["syscall"].is_string())
        .collect();
    (evs, matrix_lines(&dir))
}

/// (pid, syscall) of the workload's sockets of `proto` whose calls are traced, by side.
fn expected_calls(lines: &[Line], proto: &str, clients: bool) -> Vec<(u64, String)> {
    let mut v = Vec::new();
    for l in lines.iter().filter(|l| l.proto == proto) {
        // A client's socket is the one whose sent count is an `up` size (< 2000).
        if (l.sent < 2000) != clients {
            continue;
        }
        for c in [&l.send_call, &l.recv_call] {
            if PER_CALL_SEND.contains(&c.as_str()) || PER_CALL_RECV.contains(&c.as_str()) {
                v.push((l.pid, c.clone()));
            }
        }
    }
    v.sort();
    v.dedup();
    v
}

fn seen_calls(evs: &[Value]) -> Vec<(u64, String)> {
    let mut v: Vec<_> = evs
        .iter()
        .map(|e| {
            (
                u(&e["processId"]),
                e["syscall"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn endpoint_filters_select_connected_tcp_and_udp() {
    if !require_root("endpoint_filters_select_connected_tcp_and_udp") {
        return;
    }
    // rport: the clients' connected TCP sockets (send/recv with no address argument, which
    // `dport` never matched), not the server's accepted ones (their lport is 40341).
    let (evs, lines) = filtered("rport == 40341", "flt-rport");
    assert!(!evs.is_empty(), "rport filter selected nothing");
    for e in &evs {
        assert_eq!(e["socket"]["peer"]["port"], 40341, "{e}");
        assert_eq!(e["socket"]["protocolName"], "TCP", "{e}");
    }
    assert_eq!(seen_calls(&evs), expected_calls(&lines, "tcp", true));
    // The old field: the call's own address argument. Connected sends have none.
    let (evs, _) = filtered("dport == 40341", "flt-dport");
    assert!(
        evs.is_empty(),
        "dport matched a call without an address: {evs:?}"
    );
    // peer: the call's address, else the socket's peer.
    let (evs, lines) = filtered(
        "peer in 127.0.0.0/8 && proto == tcp && rport == 40341",
        "flt-peer",
    );
    assert_eq!(seen_calls(&evs), expected_calls(&lines, "tcp", true));

    // raddr in a CIDR and proto: the clients' connected UDP sockets; the server's unconnected
    // one has no peer (raddr absent), so its recvfrom/sendto are not selected.
    let (evs, lines) = filtered("raddr in 127.0.0.0/8 && proto == udp", "flt-udp");
    assert!(!evs.is_empty(), "raddr/proto filter selected nothing");
    for e in &evs {
        assert_eq!(e["socket"]["protocolName"], "UDP", "{e}");
        assert_eq!(e["socket"]["peer"]["address"], "127.0.0.1", "{e}");
    }
    assert_eq!(seen_calls(&evs), expected_calls(&lines, "udp", true));
    // proto alone: both sides of UDP (the server's sendto/recvfrom included).
    let (evs, lines) = filtered("proto == UDP", "flt-proto");
    let mut want = expected_calls(&lines, "udp", true);
    want.extend(expected_calls(&lines, "udp", false));
    assert_eq!(seen_calls(&evs), sorted(want));
    // A CIDR the traffic is not in selects nothing.
    let (evs, _) = filtered("raddr in 10.0.0.0/8 || laddr in ::1/128", "flt-none");
    assert!(evs.is_empty(), "{evs:?}");
}

/// strace's table rows: (calls, errors, name) in order; the header and dividers.
fn table(text: &str) -> (Vec<String>, Vec<String>) {
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("% time"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(lines.len() >= 4, "no table in:\n{text}");
    let frame = vec![lines[0].to_string(), lines[1].to_string()];
    // Timing columns excepted: from the calls column (after "% time", seconds, usecs/call).
    let rows = lines[2..]
        .iter()
        .filter(|l| !l.starts_with("------"))
        .map(|l| l.get(31..).unwrap_or("").to_string())
        .collect();
    (frame, rows)
}

#[test]
fn count_table_matches_strace_c() {
    if !require_root("count_table_matches_strace_c") {
        return;
    }
    let exe = workload("msg");
    for sort in ["calls", "name", "errors"] {
        let dir = workdir("flows-count");
        let r = sockscope_cmd(
            &["-c", "-S", sort],
            &[exe.to_str().unwrap(), dir.to_str().unwrap()],
        );
        assert!(r.status.success(), "{:?}\n{}", r.status, r.stderr);
        // (support::sockscope_cmd passes `-o -`: the table goes to the output, as strace -o.)
        assert!(
            r.stdout.starts_with("% time "),
            "-c alone prints only the table: {}",
            r.stdout
        );
        assert!(
            !r.stderr.lines().any(|l| l.starts_with("sockscope: ")),
            "-c alone prints only the table: {}",
            r.stderr
        );
        let (ours_frame, ours) = table(&r.stdout);
        let dir = workdir("flows-count-strace");
        let s = run_limit(
            Command::new(STRACE)
                .args(["-f", "-qq", "-c", "-S", sort, "-e", TRACE_ALL])
                .arg(&exe)
                .arg(&dir),
            Duration::from_secs(45),
            "strace -c",
        );
        assert!(s.status.success(), "strace: {}", s.stderr);
        let (theirs_frame, theirs) = table(&s.stderr);
        assert_eq!(ours_frame, theirs_frame, "-S {sort}: header");
        assert_eq!(
            ours, theirs,
            "-S {sort}: rows (calls, errors, syscall)\nours:\n{}\nstrace:\n{}",
            r.stdout, s.stderr
        );
        assert!(ours.len() >= 7, "-S {sort}: {ours:?}");
    }
    // -C: the calls and the table; -U chooses columns as strace.
    let dir = workdir("flows-count-C");
    let r = sockscope_cmd(
        &["-C", "-U", "name,calls,errors"],
        &[exe.to_str().unwrap(), dir.to_str().unwrap()],
    );
    assert!(r.status.success());
    let calls_text = r
        .stdout
        .lines()
        .take_while(|l| !l.starts_with("syscall"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(parse_text(&calls_text).len() > 10, "-C prints the calls");
    let head = r
        .stdout
        .lines()
        .find(|l| l.starts_with("syscall"))
        .expect("table");
    assert_eq!(head, "syscall              calls    errors");
    let total = r
        .stdout
        .lines()
        .find(|l| l.starts_with("total"))
        .expect("total line");
    let calls: u64 = total.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert_eq!(calls as usize, parse_text(&calls_text).len(), "{total}");
    // Without -o: the table on stderr, as strace; nothing else from sockscope.
    let dir = workdir("flows-count-plain");
    let r = run_limit(
        Command::new(SOCKSCOPE)
            .args(["-c", "--"])
            .arg(&exe)
            .arg(&dir),
        Duration::from_secs(45),
        "sockscope -c",
    );
    assert!(r.status.success(), "{}", r.stderr);
    assert!(r.stderr.starts_with("% time "), "{}", r.stderr);
    assert!(
        r.stderr.lines().any(|l| l.ends_with(" total")),
        "{}",
        r.stderr
    );
    let r = sockscope_cmd(&["-c", "-S", "bogus"], &["true"]);
    assert_one_line_error(r.status, &r.stdout, &r.stderr, "-S bogus");
}

#[test]
fn stats_interval_and_sigusr1_report_progress() {
    if !require_root("stats_interval_and_sigusr1_report_progress") {
        return;
    }
    let r = sockscope_cmd(&["--json", "--stats-interval", "0.2"], &["sleep", "1.2"]);
    assert!(r.status.success(), "{}", r.stderr);
    let lines: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("sockscope: stats: "))
        .collect();
    assert!(lines.len() >= 3, "stats lines: {}", r.stderr);
    assert!(
        lines[0].contains(" events, ")
            && lines[0].contains(" lost, ")
            && lines[0].contains(" events/s, ")
            && lines[0].ends_with(" filtered out")
    );
    let recs = json_lines(&r.stdout);
    assert!(
        recs.iter()
            .filter(|v| v["eventName"] == "sockscope_stats")
            .count()
            >= 3
    );
    // SIGUSR1: once.
    let child = Command::new(SOCKSCOPE)
        .args(["--", "sleep", "2"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGUSR1) };
    let r = wait_limit(child, Duration::from_secs(30), "sockscope");
    assert!(r.status.success(), "{}", r.stderr);
    assert_eq!(
        r.stderr
            .lines()
            .filter(|l| l.starts_with("sockscope: stats: "))
            .count(),
        1,
        "{}",
        r.stderr
    );
    let r = sockscope_cmd(&["--stats-interval", "0"], &["true"]);
    assert_one_line_error(r.status, &r.stdout, &r.stderr, "--stats-interval 0");
}

#[test]
fn top_screen_in_tmux() {
    if !require_root("top_screen_in_tmux") {
        return;
    }
    // scripts/setup.sh installs tmux; without it this is a failure under CI, else a skip.
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "top_screen_in_tmux: no tmux (CI=true)"
        );
        eprintln!("SKIP top_screen_in_tmux: no tmux");
        return;
    }
    let exe = workload("matrix");
    let dir = workdir("flows-tmux");
    let sess = format!("sockscope-top-{}", std::process::id());
    // The workload again and again inside top, 80×24.
    let script = format!(
        "while :; do {} {} >/dev/null 2>&1; sleep 0.1; done",
        exe.display(),
        dir.display()
    );
    let ok = Command::new("tmux")
        .args(["new-session", "-d", "-s", &sess, "-x", "80", "-y", "24"])
        .arg(format!("{SOCKSCOPE} top -d 0.3 -- sh -c '{script}'"))
        .status()
        .unwrap();
    assert!(ok.success());
    struct Kill(String);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = Command::new("tmux")
                .args(["kill-session", "-t", &self.0])
                .output();
        }
    }
    let _k = Kill(sess.clone());
    let capture = || {
        let o = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &sess])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let keys = |k: &[&str]| {
        Command::new("tmux")
            .args(["send-keys", "-t", &sess])
            .args(k)
            .status()
            .unwrap();
    };
    let wait_for = |what: &str| -> String {
        let t0 = std::time::Instant::now();
        loop {
            let s = capture();
            if s.contains(what) {
                return s;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "no {what:?} on screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    let s = wait_for("matrix");
    assert!(
        s.contains("sockscope top") && s.contains("LOCAL <-> PEER"),
        "{s}"
    );
    assert!(
        s.lines().all(|l| l.chars().count() <= 80),
        "wider than 80:\n{s}"
    );
    keys(&["Tab"]);
    let s = wait_for("FLOWS");
    assert!(s.contains("TX TOT"), "{s}");
    keys(&["s"]);
    wait_for("sort: calls/s");
    keys(&["Tab", "/"]);
    keys(&["proto == udp", "Enter"]);
    let s = wait_for("[proto == udp]");
    assert!(
        !s.contains(" tcp ") && !s.contains(" unix "),
        "filter not applied:\n{s}"
    );
    assert!(s.contains(" udp "), "no UDP flow shown:\n{s}");
    keys(&["q"]);
    let t0 = std::time::Instant::now();
    while Command::new("tmux")
        .args(["has-session", "-t", &sess])
        .output()
        .unwrap()
        .status
        .success()
    {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "top did not quit on q"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
