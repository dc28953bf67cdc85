//! The data calls (issue 11): read, write, readv, writev, sendfile, splice on sockets, with
//! everything that applies to the message calls: -e trace= (names; strace classes refused),
//! -e status=, --filter, JSON, -T, -p; and calls on files and pipes never shown.
//! `workloads/data.c` makes each call once on a UNIX stream pair, and the same kinds of calls
//! on a file and a pipe. Needs root; see `support::require_root`.

use crate::support;

use serde_json::Value;
use support::*;

/// The calls (without the prefix) of `sockscope OPTS -- data WORKDIR`.
fn calls(opts: &[&str]) -> Vec<String> {
    let dir = workdir("data");
    let exe = workload("data");
    let r = sockscope_ok(opts, &[exe.to_str().unwrap(), dir.to_str().unwrap()]);
    let evs = parse_text(&r.stdout);
    let (events, lost) = summary(&r.stderr).unwrap();
    assert_eq!(lost, 0);
    assert_eq!(
        events as usize,
        evs.len(),
        "every event shown:\n{}",
        r.stdout
    );
    evs.into_iter().map(|e| mask_pointers(&e.call)).collect()
}

const ALL: [&str; 9] = [
    r#"write(3, "hello socket", 12) = 12"#,
    r#"read(4, "hello socket", 256) = 12"#,
    r#"writev(3, [{iov_base="ab", iov_len=2}, {iov_base="cdef", iov_len=4}], 2) = 6"#,
    r#"readv(4, [{iov_base="abc", iov_len=3}, {iov_base="def", iov_len=8}], 2) = 6"#,
    "read(4, 0xPTR, 256) = -1 EAGAIN (Resource temporarily unavailable)",
    "sendfile(3, 7, [0] => [10], 10) = 10",
    r#"read(4, "file-bytes", 256) = 10"#,
    "splice(5, NULL, 3, NULL, 7, SPLICE_F_MORE) = 7",
    r#"read(4, "spliced", 256) = 7"#,
];

#[test]
fn default_traces_every_data_call_on_sockets_only() {
    if !require_root("default_traces_every_data_call_on_sockets_only") {
        return;
    }
    let got = calls(&[]);
    assert_calls_eq("default", &ALL.map(String::from), &got);
}

#[test]
fn trace_status_and_filter_narrow() {
    if !require_root("trace_status_and_filter_narrow") {
        return;
    }
    let reads: Vec<String> = ALL
        .iter()
        .filter(|c| c.starts_with("read("))
        .map(|c| c.to_string())
        .collect();
    assert_calls_eq("-e trace=read", &reads, &calls(&["-e", "trace=read"]));
    let not_read: Vec<String> = ALL
        .iter()
        .filter(|c| !c.starts_with("read("))
        .map(|c| c.to_string())
        .collect();
    assert_calls_eq("-e trace=!read", &not_read, &calls(&["-e", "trace=!read"]));
    assert_calls_eq(
        "-e status=failed",
        &[ALL[4].to_string()],
        &calls(&["-e", "status=failed"]),
    );
    assert_calls_eq(
        "--filter",
        &[ALL[0].to_string(), ALL[2].to_string()],
        &calls(&["--filter", "event in {write, writev} && len > 5"]),
    );
    // strace's classes hold calls sockscope does not trace: refused, never narrowed.
    for class in ["trace=%network", "trace=%desc", "trace=%net"] {
        let r = sockscope_cmd(&["-e", class], &["true"]);
        let line = assert_one_line_error(r.status, &r.stdout, &r.stderr, class);
        assert!(line.contains("cannot be honoured"), "{line}");
    }
}

#[test]
fn json_and_durations() {
    if !require_root("json_and_durations") {
        return;
    }
    let dir = workdir("data-json");
    let exe = workload("data");
    let r = sockscope_ok(&["--json"], &[exe.to_str().unwrap(), dir.to_str().unwrap()]);
    let evs: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &Value| v["eventName"] != "sockscope_summary")
        .collect();
    assert_eq!(evs.len(), ALL.len(), "{}", r.stdout);
    let w = &evs[0];
    assert_eq!(w["eventName"], "write");
    assert_eq!(w["args"][1]["payload"]["data"], "68656c6c6f20736f636b6574");
    assert_eq!(w["duration"], Value::Null, "no entry program without -T");
    let sf = evs.iter().find(|e| e["eventName"] == "sendfile").unwrap();
    assert_eq!(sf["args"][2]["value"]["atEntry"], 0);
    assert_eq!(sf["args"][2]["value"]["atExit"], 10);
    assert_eq!(sf["strace"], "sendfile(3, 7, [0] => [10], 10) = 10");
    // -y: the other descriptor of sendfile/splice in `otherSockets`.
    let r = sockscope_ok(
        &["--json", "-y", "-e", "trace=splice"],
        &[exe.to_str().unwrap(), dir.to_str().unwrap()],
    );
    let sp: Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(sp["eventName"], "splice");
    assert_eq!(sp["socket"]["kind"], "file", "{sp}");
    assert_eq!(sp["otherSockets"]["fd_out"]["kind"], "socket", "{sp}");
    // -T: the entry programs give real durations.
    let r = sockscope_ok(
        &["--json", "-T"],
        &[exe.to_str().unwrap(), dir.to_str().unwrap()],
    );
    let durs: Vec<u64> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["eventName"] != "sockscope_summary")
        .map(|v| v["duration"].as_u64().expect("a duration with -T"))
        .collect();
    assert_eq!(durs.len(), ALL.len());
    assert!(durs.iter().all(|&d| d > 0 && d < 5_000_000_000), "{durs:?}");
}

#[test]
fn y_names_both_ends_from_the_kernel() {
    if !require_root("y_names_both_ends_from_the_kernel") {
        return;
    }
    let got = calls(&["-y", "-e", "trace=sendfile,splice"]);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].starts_with("sendfile(3<socket:[")
            && got[0].contains("]>, 7</")
            && got[0].ends_with("/data.bin>, [0] => [10], 10) = 10"),
        "{}",
        got[0]
    );
    assert!(
        got[1].starts_with("splice(5<pipe:[") && got[1].contains("]>, NULL, 3<socket:["),
        "{}",
        got[1]
    );
}
