//! TOCTOU of send destinations (issue 6): sockscope reads sendto's dest_addr and sendmsg's
//! msg_name again at exit and marks the call when they changed while the kernel held it.
//!
//! `workloads/toctou.c` makes the race deterministic: it fills a UNIX datagram receiver's
//! queue so that a blocking send sleeps, and a second thread rewrites the destination once the
//! caller sleeps inside the call (its /proc state says so), then drains the queue so the call
//! completes. The kernel sent to the address it copied at entry (the workload checks that
//! nothing reached the other paths); sockscope must show that address in the call and the new
//! one in the marker. Calls without a race never carry the marker. Needs root; see
//! `support::require_root`.

use crate::support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::*;

/// The calm run binds UDP 127.0.0.1:40320: one at a time.
static CALM: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn calm_lock() -> std::sync::MutexGuard<'static, ()> {
    CALM.lock().unwrap_or_else(|e| e.into_inner())
}

const MARK: &str = " [TOCTOU: ";

fn un(path: &str) -> String {
    format!(r#"{{sa_family=AF_UNIX, sun_path="{path}"}}"#)
}

/// The three raced calls of `toctou DIR race`, with their markers, as sockscope prints them.
fn raced_lines(dir: &Path) -> Vec<String> {
    let d = dir.display();
    let (a, b, c) = (
        format!("{d}/a.sock"),
        format!("{d}/b.sock"),
        format!("{d}/c.sock"),
    );
    let len = 2 + a.len() + 1;
    let msg = |p: &str| {
        format!(
            r#"sendmsg(4, {{msg_name={}, msg_namelen={len}, msg_iov=[{{iov_base="{p}", iov_len={}}}], msg_iovlen=1, msg_controllen=0, msg_flags=0}}, 0) = {}"#,
            un(&a),
            p.len(),
            p.len()
        )
    };
    vec![
        format!(
            r#"sendto(4, "race", 4, 0, {}, {len}) = 4 [TOCTOU: dest_addr at exit {}]"#,
            un(&a),
            un(&b)
        ),
        format!("{} [TOCTOU: msg_name at exit {}]", msg("race-msg"), un(&b)),
        format!("{} [TOCTOU: msg_name at exit {}]", msg("race-ptr"), un(&c)),
    ]
}

/// Runs `sockscope OPTS -- toctou DIR MODE` (with extra environment) to completion.
fn run(opts: &[&str], dir: &Path, mode: &str, env: &[(&str, &str)]) -> Run {
    let exe = workload("toctou");
    let mut c = Command::new(SOCKSCOPE);
    c.args(["-o", "-"])
        .args(opts)
        .arg("--")
        .arg(&exe)
        .arg(dir)
        .arg(mode);
    for (k, v) in env {
        c.env(k, v);
    }
    let r = run_limit(&mut c, Duration::from_secs(40), "sockscope -- toctou");
    assert_eq!(
        r.status.code(),
        Some(0),
        "{opts:?} {mode}: status {:?} (the workload's or sockscope's); stderr:\n{}",
        r.status,
        r.stderr
    );
    let (events, lost) = summary(&r.stderr).unwrap_or_else(|| panic!("no summary:\n{}", r.stderr));
    assert_eq!(lost, 0, "{}", r.stderr);
    // Captured: shown, or filtered out (`, N filtered out`).
    let filtered: u64 = r
        .stderr
        .lines()
        .flat_map(|l| l.split(", "))
        .find_map(|p| p.strip_suffix(" filtered out")?.parse().ok())
        .unwrap_or(0);
    assert!(events + filtered > 0, "nothing captured:\n{}", r.stderr);
    r
}

/// The race seen by sockscope: exactly the three raced calls carry the marker, with the
/// address at entry in the call and the rewritten one in the marker; nothing else does. With
/// -T the marker comes after the duration.
#[test]
fn raced_destination_is_marked_with_both_addresses() {
    if !require_root("raced_destination_is_marked_with_both_addresses") {
        return;
    }
    let dir = workdir("toctou-race");
    let want = raced_lines(&dir);

    let r = run(&["--toctou"], &dir, "race", &[]);
    let evs = parse_text(&r.stdout);
    let marked: Vec<String> = evs
        .iter()
        .filter(|e| e.call.contains(MARK))
        .map(|e| e.call.clone())
        .collect();
    assert_calls_eq("calls with a TOCTOU marker", &want, &marked);
    let pid = evs[0].pid;
    for e in evs.iter().filter(|e| e.call.contains(MARK)) {
        assert_eq!(
            (e.comm.as_str(), e.pid, e.tid),
            ("toctou", pid, pid),
            "{e:?}"
        );
    }
    // The fills (three rounds, each ending in EAGAIN) and the drains are unmarked.
    let fills = evs.iter().filter(|e| e.call.contains("\"fill\"")).count();
    let eagain = evs
        .iter()
        .filter(|e| e.call.starts_with("sendto(4, \"fill\"") && e.call.contains(" EAGAIN "))
        .count();
    assert_eq!(eagain, 3, "{}", r.stdout);
    assert!(fills > 6, "{fills} fill sends/receives");
    assert_eq!(evs.iter().filter(|e| e.call.contains("TOCTOU")).count(), 3);

    // -T: ` <duration>` then the marker.
    let r = run(&["--toctou", "-T"], &dir, "race", &[]);
    let marked: Vec<String> = parse_text(&r.stdout)
        .into_iter()
        .filter(|e| e.call.contains(MARK))
        .map(|e| {
            let (call, marker) = e.call.split_once(MARK).unwrap();
            format!("{}{MARK}{marker}", normalise(call, None))
        })
        .collect();
    let want_t: Vec<String> = want
        .iter()
        .map(|l| l.replacen(MARK, &format!(" <D>{MARK}"), 1))
        .collect();
    assert_calls_eq("-T: calls with a TOCTOU marker", &want_t, &marked);
}

/// `--filter toctou` shows exactly the raced calls; `!toctou` everything else.
#[test]
fn filter_toctou_selects_the_raced_calls() {
    if !require_root("filter_toctou_selects_the_raced_calls") {
        return;
    }
    let dir = workdir("toctou-filter");
    let r = run(&["--filter", "toctou"], &dir, "race", &[]);
    let got: Vec<String> = parse_text(&r.stdout).into_iter().map(|e| e.call).collect();
    assert_calls_eq("--filter toctou", &raced_lines(&dir), &got);
    assert!(r.stderr.contains(" filtered out"), "{}", r.stderr);

    let r = run(
        &["--filter", "!toctou && event == sendto"],
        &dir,
        "race",
        &[],
    );
    let evs = parse_text(&r.stdout);
    assert!(evs.len() > 3, "{}", r.stdout);
    for e in &evs {
        assert!(
            e.call.starts_with("sendto(4, \"fill\"") && !e.call.contains("TOCTOU"),
            "{e:?}"
        );
    }
}

/// By default (and with the old `--no-toctou`) sendto and sendmsg are captured at exit only
/// (issue 12): the same race shows, unmarked, the destination the caller's memory holds when
/// the call returns (the rewritten one, the marker's), not the one the kernel copied at entry —
/// the documented price of the default.
#[test]
fn default_is_exit_only_without_the_check() {
    if !require_root("default_is_exit_only_without_the_check") {
        return;
    }
    for opts in [&[][..], &["--no-toctou"][..]] {
        exit_only_race(opts);
    }
}

fn exit_only_race(opts: &[&str]) {
    let dir = workdir("toctou-off");
    let r = run(opts, &dir, "race", &[]);
    let evs = parse_text(&r.stdout);
    let a = un(&format!("{}/a.sock", dir.display()));
    let unmarked: Vec<String> = raced_lines(&dir)
        .iter()
        .map(|l| {
            let (call, marker) = l.split_once(MARK).unwrap();
            let at_exit = marker
                .trim_end_matches(']')
                .split_once(" at exit ")
                .unwrap()
                .1;
            call.replacen(&a, at_exit, 1)
        })
        .collect();
    let got: Vec<String> = evs
        .iter()
        .filter(|e| e.call.contains("\"race"))
        .map(|e| e.call.clone())
        .collect();
    // The raced sends, unmarked; then each payload as the receiver got it.
    let sends: Vec<String> = got
        .iter()
        .filter(|c| c.starts_with("send"))
        .cloned()
        .collect();
    assert_calls_eq("raced calls, check off", &unmarked, &sends);
    assert!(!r.stdout.contains("TOCTOU"), "{}", r.stdout);
}

/// Control: many sends without a race, plus the race workload's calls made calmly (the
/// receiver drained first, nobody rewriting anything): never a marker.
#[test]
fn calls_without_a_race_are_never_marked() {
    if !require_root("calls_without_a_race_are_never_marked") {
        return;
    }
    let _calm = calm_lock();
    let dir = workdir("toctou-calm");
    let r = run(&["--toctou"], &dir, "calm", &[]);
    let evs = parse_text(&r.stdout);
    let calm = evs
        .iter()
        .filter(|e| e.call.starts_with("send") && e.call.contains("\"calm-"))
        .count();
    assert_eq!(calm, 400, "200 sendto + 200 sendmsg expected");
    let races = evs
        .iter()
        .filter(|e| e.call.starts_with("send") && e.call.contains("\"race"))
        .count();
    assert_eq!(races, 3);
    for e in &evs {
        assert!(!e.call.contains("TOCTOU"), "marked without a race: {e:?}");
    }
    let r = run(&["--filter", "toctou"], &dir, "calm", &[]);
    assert!(r.stdout.is_empty(), "--filter toctou:\n{}", r.stdout);
}

/// Every object inside `v` that has an `atExit` key (the at-exit address, wherever it is).
fn at_exits(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            if let Some(a) = m.get("atExit") {
                out.push(a.clone());
            }
            m.values().for_each(|x| at_exits(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| at_exits(x, out)),
        _ => {}
    }
}

/// JSON: every event has a top-level `"toctou"` boolean, true exactly for the raced calls,
/// which also carry the address at exit; the calm run has it false everywhere.
#[test]
fn json_marks_exactly_the_raced_calls() {
    if !require_root("json_marks_exactly_the_raced_calls") {
        return;
    }
    let _calm = calm_lock();
    let dir = workdir("toctou-json");
    let d = dir.display().to_string();
    let mut problems = Vec::new();
    let mut no_flag = Vec::new();
    for mode in ["race", "calm"] {
        let r = run(&["--json", "--toctou"], &dir, mode, &[]);
        let mut raced = Vec::new();
        let mut n = 0;
        for l in r.stdout.lines() {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            if v["eventName"] == "sockscope_summary" {
                continue;
            }
            n += 1;
            let text = v["strace"].as_str().unwrap_or("").to_string();
            let is_race = mode == "race" && text.starts_with("send") && text.contains("\"race");
            match v.get("toctou") {
                Some(Value::Bool(b)) if *b == is_race => {}
                None => no_flag.push(format!("{mode}: {text}")),
                other => problems.push(format!(
                    "{mode}: top-level \"toctou\" is {other:?}, expected {is_race}: {text}"
                )),
            }
            let mut ex = Vec::new();
            at_exits(&v, &mut ex);
            if is_race {
                raced.push(text.clone());
                let want = if text.contains("race-ptr") {
                    "c.sock"
                } else {
                    "b.sock"
                };
                let want = format!("{d}/{want}");
                let ok = ex.len() == 1
                    && ex[0]["sa_family"] == "AF_UNIX"
                    && ex[0]["sun_path"] == want.as_str();
                if !ok {
                    problems.push(format!(
                        "{mode}: the address at exit ({want}) not in the JSON: atExit {ex:?}: {text}"
                    ));
                }
                if !v.to_string().contains(&format!("{d}/a.sock")) {
                    problems.push(format!("{mode}: the address at entry missing: {v}"));
                }
            } else if !ex.is_empty() {
                problems.push(format!("{mode}: atExit without a race: {v}"));
            }
        }
        assert!(n > 10, "{mode}: only {n} JSON events");
        let want: Vec<String> = raced_lines(&dir)
            .iter()
            .map(|l| l.split_once(MARK).unwrap().0.to_string())
            .collect();
        if mode == "race" {
            assert_calls_eq("raced calls (strace text in JSON)", &want, &raced);
        }
    }
    if !no_flag.is_empty() {
        problems.push(format!(
            "no top-level \"toctou\" on {} events, e.g. {}",
            no_flag.len(),
            no_flag[0]
        ));
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
