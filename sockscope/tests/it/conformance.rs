//! Conformance suite: sockscope's text output against strace 6.1's, call by call.
//!
//! Builds every `conformance/scenarios/*.c`, runs each under strace and under sockscope in
//! several settings (default, `-s 0`, `-s 64`, `-s 4096`, `-x`, `-xx`), extracts the rendered
//! calls (syscall name through return value), normalises what must differ between two runs
//! (see `normalise`), and compares them per thread, in order. Any difference fails, except the
//! entries of `conformance/known-differences.txt`. See `conformance/README.md`.
//!
//! Environment knobs (all optional):
//! - `CONFORMANCE_SCENARIOS=inet,unix`: only these scenarios;
//! - `CONFORMANCE_SETTINGS=default,x`: only these settings (names as in `SETTINGS`);
//! - `CONFORMANCE_SELFTEST=1`: compare strace with a second strace run instead of sockscope
//!   (checks that the corpus itself is deterministic);
//! - `CONFORMANCE_SOCKSCOPE=/path/to/sockscope`: a binary other than the one cargo built;
//! - `CONFORMANCE_JOBS=N`: scenario×setting pairs run at once (default 2).

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::compare;
use compare::*;

const CALLS: [&str; 14] = [
    "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "read", "write", "readv",
    "writev", "sendfile", "splice", "preadv2", "pwritev2",
];
const TRACE: &str = "trace=sendto,recvfrom,sendmsg,recvmsg,sendmmsg,recvmmsg";
/// The data calls (read, write, readv, writev, sendfile, splice): traced in the `data`
/// scenario only (the others' descriptors are all sockets or make no such call on one).
const DATA_CALLS: [&str; 8] = [
    "read", "write", "readv", "writev", "sendfile", "splice", "preadv2", "pwritev2",
];
const DATA_SCENARIO: &str = "data";
const DATA_TRACE: &str = "trace=sendto,recvfrom,sendmsg,recvmsg,sendmmsg,recvmmsg,read,write,readv,writev,sendfile,splice,preadv2,pwritev2";
/// The `data` scenario's first traced call: data calls before it (the dynamic loader, the
/// namespace set-up) are dropped from strace's output.
const DATA_MARKER: &str = "sendto(-1, ";
/// In the `data` scenario every descriptor that is not a socket is at least this.
const DATA_FD_MIN: i64 = 100;

/// The strace trace list of a scenario.
fn trace_of(scenario: &str) -> &'static str {
    if scenario == DATA_SCENARIO {
        DATA_TRACE
    } else {
        TRACE
    }
}

/// Settings run for the `data` scenario only, beyond `SETTINGS`: the descriptor decorations
/// (`-y`, `-yy`, every descriptor, the non-socket end of sendfile/splice too) and `-T`.
const DATA_SETTINGS: [(&str, &[&str]); 3] = [("y", &["-y"]), ("yy", &["-yy"]), ("T", &["-T"])];

/// (name, options given to both strace and sockscope)
const SETTINGS: [(&str, &[&str]); 9] = [
    ("default", &[]),
    ("s0", &["-s", "0"]),
    ("s64", &["-s", "64"]),
    ("s4096", &["-s", "4096"]),
    ("x", &["-x"]),
    ("xx", &["-xx"]),
    ("v", &["-v"]),
    ("Xraw", &["-X", "raw"]),
    ("Xverbose", &["-X", "verbose"]),
];

/// Longest a single traced run may take before it is killed.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);
/// Differences printed on failure (all of them go to the report file).
const PRINT_LIMIT: usize = 150;

fn env_list(name: &str) -> Option<Vec<String>> {
    let v = std::env::var(name).ok()?;
    let items: Vec<String> = v
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() { None } else { Some(items) }
}

// ---------------------------------------------------------------------------------------------
// Extraction
// ---------------------------------------------------------------------------------------------

/// The calls of one run: per thread (in order of first appearance), the call texts in order.
#[derive(Debug, Default)]
struct Trace {
    threads: Vec<(u32, Vec<String>)>,
}

impl Trace {
    fn push(&mut self, tid: u32, call: String) {
        match self.threads.iter_mut().find(|(t, _)| *t == tid) {
            Some((_, v)) => v.push(call),
            None => self.threads.push((tid, vec![call])),
        }
    }

    /// Registers a thread (keeps threads in order of first appearance in the output).
    fn touch(&mut self, tid: u32) {
        if !self.threads.iter().any(|(t, _)| *t == tid) {
            self.threads.push((tid, Vec::new()));
        }
    }

    fn calls(&self) -> usize {
        self.threads.iter().map(|(_, v)| v.len()).sum()
    }
}

fn is_traced_call(text: &str) -> bool {
    CALLS
        .iter()
        .any(|c| text.strip_prefix(c).is_some_and(|r| r.starts_with('(')))
}

/// Parses `strace -f -o` output: `PID  call...`, merging `<unfinished ...>` / `<... resumed>`
/// pairs and ignoring signal (`---`) and exit (`+++`) lines.
fn parse_strace(text: &str) -> Result<Trace, String> {
    let mut trace = Trace::default();
    let mut pending: HashMap<u32, String> = HashMap::new();
    for line in text.lines() {
        let Some((pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let Ok(tid) = pid.parse::<u32>() else {
            return Err(format!("unexpected strace line: {line}"));
        };
        let rest = rest.trim_start();
        if rest.starts_with("---") || rest.starts_with("+++") {
            continue;
        }
        if let Some(head) = rest.strip_suffix(" <unfinished ...>") {
            if is_traced_call(head) {
                trace.touch(tid);
            }
            pending.insert(tid, head.to_string());
            continue;
        }
        if let Some(r) = rest.strip_prefix("<... ") {
            let Some(pos) = r.find(" resumed>") else {
                return Err(format!("unexpected strace line: {line}"));
            };
            let tail = &r[pos + " resumed>".len()..];
            let Some(head) = pending.remove(&tid) else {
                return Err(format!("resumed without unfinished: {line}"));
            };
            let full = format!("{head}{tail}");
            if is_traced_call(&full) {
                trace.push(tid, full);
            }
            continue;
        }
        if is_traced_call(rest) {
            trace.push(tid, rest.to_string());
        }
    }
    if let Some((tid, head)) = pending.into_iter().next() {
        // A call that never returned (the process was killed in it).
        trace.push(tid, format!("{head} <never resumed>"));
    }
    Ok(trace)
}

/// Parses sockscope's text output: `HH:MM:SS.uuuuuu COMM PID/TID CALL`. COMM may hold spaces,
/// so the call is found as the first ` <digits>/<digits> <call>(` after the timestamp.
fn parse_sockscope(text: &str) -> Result<Trace, String> {
    let mut trace = Trace::default();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = || format!("unexpected sockscope line: {line}");
        let b = line.as_bytes();
        let ts_ok = b.len() > 16
            && b[2] == b':'
            && b[5] == b':'
            && b[8] == b'.'
            && b[15] == b' '
            && [0, 1, 3, 4, 6, 7, 9, 10, 11, 12, 13, 14]
                .iter()
                .all(|&i| b[i].is_ascii_digit());
        if !ts_ok {
            return Err(bad());
        }
        let rest = &line[16..];
        let mut found = None;
        for (i, _) in rest.match_indices(' ') {
            let after = &rest[i + 1..];
            if !is_traced_call(after) {
                continue;
            }
            let before = &rest[..i];
            let word = before.rsplit(' ').next().unwrap_or("");
            if before.len() == word.len() {
                continue; // no COMM before the ids
            }
            if let Some((p, t)) = word.split_once('/')
                && let (Ok(_), Ok(tid)) = (p.parse::<u32>(), t.parse::<u32>())
            {
                found = Some((tid, after.to_string()));
                break;
            }
        }
        let Some((tid, call)) = found else {
            return Err(bad());
        };
        trace.push(tid, call);
    }
    Ok(trace)
}

// ---------------------------------------------------------------------------------------------
// Normalisation: only what must differ between two runs of the same scenario.
// ---------------------------------------------------------------------------------------------

/// 1. Pointer values: hex numbers of 9+ digits (user-space addresses; no flag or length that a
///    scenario prints is that wide) become `0xPTR`.
/// 2. Ephemeral ports: the scenarios set the namespace's ephemeral range to 50000-50999 and use
///    fixed ports 40100-40199 elsewhere; `htons(50xxx)` becomes `htons(EPHEMERAL)`.
/// 3. Received timestamps: `tv_sec`/`tv_usec`/`tv_nsec` values inside `SO_TIMESTAMP*` control
///    messages, and in recvmmsg's `(left {...})` remaining-timeout suffix, become `N`.
/// 4. Column alignment: strace pads before ` = ` to column 40 counted from the start of its own
///    line (which begins with the pid), so the padding depends on the prefix; runs of spaces
///    between `)` and `= ` collapse to one.
fn normalise(call: &str) -> String {
    let s = replace_pointers(call);
    let s = replace_ephemeral_ports(&s);
    let s = replace_timestamps(&s);
    collapse_alignment(&s)
}

fn replace_pointers(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'0'
            && i + 1 < b.len()
            && b[i + 1] == b'x'
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        {
            let mut j = i + 2;
            while j < b.len() && (b[j].is_ascii_digit() || (b'a'..=b'f').contains(&b[j])) {
                j += 1;
            }
            if j - (i + 2) >= 9 {
                out.push_str("0xPTR");
                i = j;
                continue;
            }
        }
        let ch = s[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn replace_ephemeral_ports(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find("htons(") {
        let (head, tail) = rest.split_at(pos + "htons(".len());
        out.push_str(head);
        let digits: String = tail.chars().take_while(|c| c.is_ascii_digit()).collect();
        let after = &tail[digits.len()..];
        match digits.parse::<u32>() {
            Ok(p) if (50000..=50999).contains(&p) && after.starts_with(')') => {
                out.push_str("EPHEMERAL")
            }
            _ => out.push_str(&digits),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Replaces the digits after `tv_sec=`, `tv_usec=`, `tv_nsec=` in `region`.
fn blank_times(region: &str) -> String {
    let mut out = String::with_capacity(region.len());
    let mut rest = region;
    loop {
        let next = ["tv_sec=", "tv_usec=", "tv_nsec="]
            .iter()
            .filter_map(|k| rest.find(k).map(|p| (p, k.len())))
            .min();
        let Some((pos, klen)) = next else { break };
        out.push_str(&rest[..pos + klen]);
        let tail = &rest[pos + klen..];
        let n = tail
            .bytes()
            .take_while(|c| c.is_ascii_digit() || *c == b'-')
            .count();
        out.push_str(if n > 0 { "N" } else { "" });
        rest = &tail[n..];
    }
    out.push_str(rest);
    out
}

fn replace_timestamps(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    // With -X raw the type is a number (SO_TIMESTAMP{,NS,ING}_{OLD,NEW} = 0x1d, 0x23, 0x25,
    // 0x3f, 0x40, 0x41), with -X verbose a number and the name in a comment.
    let is_ts = |t: &str| {
        t.starts_with("SO_TIMESTAMP")
            || ["0x1d", "0x23", "0x25", "0x3f", "0x40", "0x41"]
                .iter()
                .any(|n| {
                    t.strip_prefix(n)
                        .is_some_and(|r| r.starts_with([',', ' ', '}']))
                })
    };
    let find_ts = |r: &str| {
        r.match_indices("cmsg_type=")
            .map(|(p, _)| p)
            .find(|&p| is_ts(&r[p + "cmsg_type=".len()..]))
    };
    while let Some(pos) = find_ts(rest) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        // the control message ends where the next one starts (or the array ends)
        let end = tail[1..]
            .find("cmsg_len=")
            .map(|e| e + 1)
            .unwrap_or(tail.len());
        out.push_str(&blank_times(&tail[..end]));
        rest = &tail[end..];
    }
    out.push_str(rest);
    // recvmmsg writes the remaining time back into its timeout argument, and strace prints
    // both that argument and the ` (left {...})` suffix from it: both depend on timing.
    if out.starts_with("recvmmsg(")
        && out.contains(" (left {")
        && let Some(pos) = out.rfind(", {tv_sec=")
    {
        let (head, tail) = out.split_at(pos);
        return format!("{head}{}", blank_times(tail));
    }
    out
}

fn collapse_alignment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find(")  ") {
        let after = &rest[pos + 1..];
        let spaces = after.bytes().take_while(|&c| c == b' ').count();
        if after[spaces..].starts_with("= ") {
            out.push_str(&rest[..pos + 1]);
            out.push(' ');
            rest = &after[spaces..];
        } else {
            out.push_str(&rest[..pos + 2]);
            rest = &rest[pos + 2..];
        }
    }
    out.push_str(rest);
    out
}

/// What differs between two runs only in the extra settings: inode numbers and ephemeral ports
/// inside `-y`/`-yy` decorations (`socket:[12345]`, `UNIX-STREAM:[123->456]`,
/// `TCP:[127.0.0.1:40100->127.0.0.1:50123]`), the times `-T` appends (` <0.000012>`).
fn normalise_setting(s: &str, setting: &str) -> String {
    match setting {
        "y" | "yy" => normalise_decorations(s),
        "T" => match s.rfind(" <") {
            Some(p)
                if s.ends_with('>')
                    && s[p + 2..s.len() - 1]
                        .bytes()
                        .all(|c| c.is_ascii_digit() || c == b'.') =>
            {
                format!("{} <T>", &s[..p])
            }
            _ => s.to_string(),
        },
        _ => s.to_string(),
    }
}

fn normalise_decorations(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        // a number right after "[" or "->" (an inode), or after ":" (a port) of 50000-50999
        let after_open = i >= 1 && b[i - 1] == b'[';
        let after_arrow = i >= 2 && &b[i - 2..i] == b"->";
        let after_colon = i >= 1 && b[i - 1] == b':';
        if b[i].is_ascii_digit() && (after_open || after_arrow || after_colon) {
            let j = i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let n: u64 = s[i..j].parse().unwrap_or(0);
            let end_ok = j < b.len() && matches!(b[j], b']' | b',' | b'-');
            if end_ok
                && (after_open || after_arrow)
                && j - i >= 4
                && !(40100..=40199).contains(&n)
                && !(50000..=50999).contains(&n)
            {
                out.push_str("INODE");
                i = j;
                continue;
            }
            if end_ok && (50000..=50999).contains(&n) {
                out.push_str("EPHEMERAL");
                i = j;
                continue;
            }
        }
        let ch = s[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// The descriptors a data call's line names (read/write/readv/writev: the first argument;
/// sendfile: the first two; splice: the first and third), None for other calls.
fn data_fds(call: &str) -> Option<Vec<i64>> {
    let (name, rest) = call.split_once('(')?;
    if !DATA_CALLS.contains(&name) {
        return None;
    }
    // Splits off one argument, skipping a `<...>` decoration (nested, as `</dev/null<char 1:3>>`).
    fn arg(s: &str) -> (&str, &str) {
        let mut depth = 0;
        for (i, c) in s.char_indices() {
            match c {
                '<' => depth += 1,
                '>' => depth -= 1,
                ',' if depth == 0 => return (&s[..i], s[i + 1..].trim_start()),
                _ => {}
            }
        }
        (s, "")
    }
    let num = |a: &str| -> i64 {
        let d: String = a
            .chars()
            .enumerate()
            .take_while(|(k, c)| c.is_ascii_digit() || (*k == 0 && *c == '-'))
            .map(|(_, c)| c)
            .collect();
        d.parse().unwrap_or(-1)
    };
    let (a0, r) = arg(rest);
    let (a1, r) = arg(r);
    let (_, r) = arg(r);
    let _ = r;
    Some(match name {
        "sendfile" => vec![num(a0), num(a1)],
        "splice" => {
            let (_, r2) = arg(rest);
            let (_, r2) = arg(r2);
            let (a2, _) = arg(r2);
            vec![num(a0), num(a2)]
        }
        _ => vec![num(a0)],
    })
}

/// The `data` scenario's strace output, cut to what sockscope must show: per thread, data calls
/// before the marker are dropped, and so are data calls whose descriptors are all not sockets
/// (by the scenario's contract, at least `DATA_FD_MIN`).
fn filter_data(t: &mut Trace) {
    for (_, calls) in &mut t.threads {
        let mut begun = false;
        calls.retain(|c| {
            if c.starts_with(DATA_MARKER) {
                begun = true;
            }
            match data_fds(c) {
                None => true,
                Some(fds) => begun && fds.iter().any(|&f| f < DATA_FD_MIN),
            }
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Known differences
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
enum Diff {
    Changed {
        thread: usize,
        index: usize,
        expected: String,
        got: String,
    },
    Missing {
        thread: usize,
        index: usize,
        expected: String,
    },
    Extra {
        thread: usize,
        got: String,
    },
}

/// Compares one thread's calls; returns (agreed, differences).
fn compare_thread(thread: usize, exp: &[String], got: &[String]) -> (usize, Vec<Diff>) {
    if exp.len() == got.len() && exp == got {
        return (exp.len(), Vec::new());
    }
    let steps = align(exp, got);
    let mut agreed = 0;
    let mut diffs = Vec::new();
    let mut k = 0;
    while k < steps.len() {
        match steps[k] {
            (Some(_), Some(_)) => {
                agreed += 1;
                k += 1;
            }
            _ => {
                // a run of mismatches: pair deletions with insertions as changes
                let mut dels = Vec::new();
                let mut ins = Vec::new();
                while k < steps.len() && !matches!(steps[k], (Some(_), Some(_))) {
                    match steps[k] {
                        (Some(i), None) => dels.push(i),
                        (None, Some(j)) => ins.push(j),
                        _ => unreachable!(),
                    }
                    k += 1;
                }
                for x in 0..dels.len().max(ins.len()) {
                    match (dels.get(x), ins.get(x)) {
                        (Some(&i), Some(&j)) => diffs.push(Diff::Changed {
                            thread,
                            index: i,
                            expected: exp[i].clone(),
                            got: got[j].clone(),
                        }),
                        (Some(&i), None) => diffs.push(Diff::Missing {
                            thread,
                            index: i,
                            expected: exp[i].clone(),
                        }),
                        (None, Some(&j)) => diffs.push(Diff::Extra {
                            thread,
                            got: got[j].clone(),
                        }),
                        (None, None) => unreachable!(),
                    }
                }
            }
        }
    }
    (agreed, diffs)
}

/// Pairs the threads of two runs (thread ids differ between runs): greedily by the number of
/// calls they agree on (identical sequences first), the remaining ones in order of first
/// appearance.
fn pair_threads(exp: &Trace, got: &Trace) -> Vec<(Option<usize>, Option<usize>)> {
    let (ne, ng) = (exp.threads.len(), got.threads.len());
    let mut scores = Vec::new();
    for i in 0..ne {
        for j in 0..ng {
            let (e, g) = (&exp.threads[i].1, &got.threads[j].1);
            let score = if e == g {
                usize::MAX
            } else {
                align(e, g)
                    .iter()
                    .filter(|p| p.0.is_some() && p.1.is_some())
                    .count()
            };
            if score > 0 {
                scores.push((score, i, j));
            }
        }
    }
    // highest score first; ties in order of appearance
    scores.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut pe: Vec<Option<usize>> = vec![None; ne];
    let mut used_g = vec![false; ng];
    for (_, i, j) in scores {
        if pe[i].is_none() && !used_g[j] {
            pe[i] = Some(j);
            used_g[j] = true;
        }
    }
    let mut rest_g = (0..ng)
        .filter(|&j| !used_g[j])
        .collect::<Vec<_>>()
        .into_iter();
    let mut pairs = Vec::new();
    for (i, p) in pe.into_iter().enumerate() {
        pairs.push((Some(i), p.or_else(|| rest_g.next())));
    }
    for j in rest_g {
        pairs.push((None, Some(j)));
    }
    pairs
}

struct Outcome {
    compared: usize,
    agreed: usize,
    /// Differences not covered by the known-differences file, already formatted.
    failures: Vec<String>,
    waived: usize,
}

fn compare(scenario: &str, setting: &str, exp: &Trace, got: &Trace, known: &[Known]) -> Outcome {
    let norm = |t: &Trace| Trace {
        threads: t
            .threads
            .iter()
            .map(|(tid, v)| {
                (
                    *tid,
                    v.iter()
                        .map(|c| normalise_setting(&normalise(c), setting))
                        .collect(),
                )
            })
            .collect(),
    };
    let (exp, got) = (norm(exp), norm(got));
    let mut out = Outcome {
        compared: 0,
        agreed: 0,
        failures: Vec::new(),
        waived: 0,
    };
    let empty: Vec<String> = Vec::new();
    for (n, (ei, gi)) in pair_threads(&exp, &got).into_iter().enumerate() {
        let e = ei.map(|i| &exp.threads[i].1).unwrap_or(&empty);
        let g = gi.map(|j| &got.threads[j].1).unwrap_or(&empty);
        out.compared += e.len();
        let (agreed, diffs) = compare_thread(n + 1, e, g);
        out.agreed += agreed;
        for d in diffs {
            let key = match &d {
                Diff::Changed { expected, .. } | Diff::Missing { expected, .. } => expected,
                Diff::Extra { got, .. } => got,
            };
            if is_known(known, &[scenario, setting], key) {
                out.waived += 1;
                continue;
            }
            let text = match d {
                Diff::Changed {
                    thread,
                    index,
                    expected,
                    got,
                } => format!(
                    "[{scenario}/{setting}] thread {thread} call {}\n  expected: {expected}\n  got:      {got}",
                    index + 1
                ),
                Diff::Missing {
                    thread,
                    index,
                    expected,
                } => format!(
                    "[{scenario}/{setting}] thread {thread} call {}: missing\n  expected: {expected}",
                    index + 1
                ),
                Diff::Extra { thread, got } => {
                    format!("[{scenario}/{setting}] thread {thread}: extra call\n  got:      {got}")
                }
            };
            out.failures.push(text);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

/// A run's end and the trace it wrote to its `-o` file.
struct RunResult {
    run: Capped,
    output: String,
}

/// Runs a tracer (stdout discarded) for at most RUN_TIMEOUT; reads the trace from `out_file`.
fn run_traced(mut cmd: Command, out_file: &Path) -> Result<RunResult, String> {
    let run = run_capped(&mut cmd, Stdio::null(), RUN_TIMEOUT)?;
    let output = std::fs::read(out_file).map(|b| String::from_utf8_lossy(&b).into_owned());
    Ok(RunResult {
        run,
        output: output.unwrap_or_default(),
    })
}

fn fresh_dir(p: &Path) {
    let _ = std::fs::remove_dir_all(p);
    std::fs::create_dir_all(p).unwrap();
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

struct Job {
    scenario: String,
    setting: (&'static str, &'static [&'static str]),
}

struct JobResult {
    scenario: String,
    setting: &'static str,
    outcome: Option<Outcome>,
    errors: Vec<String>,
    times: (Duration, Duration),
}

fn run_job(job: &Job, bin_dir: &Path, work: &Path, tracer: &Tracer, known: &[Known]) -> JobResult {
    let (sname, sargs) = job.setting;
    let exe = bin_dir.join(&job.scenario);
    // Both runs use the same work directory (paths appear in AF_UNIX addresses).
    let wdir = work.join(format!("{}.{}", job.scenario, sname));
    let out_dir = work.join("out");
    let tag = format!("{}/{}", job.scenario, sname);
    let mut errors = Vec::new();

    fresh_dir(&wdir);
    let strace_out = out_dir.join(format!("{}.{}.strace", job.scenario, sname));
    // The data scenario runs in a network namespace the harness makes, with strace inside it:
    // strace -yy asks sock_diag in its own namespace (see netns_wrap).
    let mut cmd = netns_wrap(&job.scenario, "strace");
    cmd.args(["-f", "-qq", "-o"])
        .arg(&strace_out)
        .args(["-e", trace_of(&job.scenario)])
        .args(sargs);
    cmd.arg(&exe).arg(&wdir);
    let exp = run_traced(cmd, &strace_out);

    // sockscope traces only the calls strace saw in this run: loading and detaching the
    // programs of calls the scenario never makes (the mmsg ones are the costliest) is most of
    // sockscope's run time on small scenarios. strace traced all six, so no call the scenario
    // makes is left out; without a strace output, all six.
    let sockscope_trace = match &exp {
        Ok(r) => calls_seen(&r.output),
        Err(_) => trace_of(&job.scenario).to_string(),
    };

    fresh_dir(&wdir);
    let got_out = out_dir.join(format!("{}.{}.{}", job.scenario, sname, tracer.name()));
    let cmd = match tracer {
        Tracer::Sockscope(bin) => {
            let mut c = Command::new(bin);
            c.args(sargs)
                .arg("-o")
                .arg(&got_out)
                .args(["-e", sockscope_trace.as_str()])
                .arg("--");
            if job.scenario == DATA_SCENARIO {
                // The same namespace set-up as strace's run (unshare execs the scenario).
                c.args(["unshare", "--net", "--"])
                    .env("SCENARIO_NETNS_GIVEN", "1");
            }
            c.arg(&exe).arg(&wdir);
            c
        }
        Tracer::Strace => {
            let mut c = netns_wrap(&job.scenario, "strace");
            c.args(["-f", "-qq", "-o"])
                .arg(&got_out)
                .args(["-e", trace_of(&job.scenario)])
                .args(sargs);
            c.arg(&exe).arg(&wdir);
            c
        }
    };
    let _ = std::fs::remove_file(&got_out);
    let got = run_traced(cmd, &got_out);
    let _ = std::fs::remove_dir_all(&wdir);

    let mut times = (Duration::ZERO, Duration::ZERO);
    let check = |r: &Result<RunResult, String>, who: &str, errors: &mut Vec<String>| match r {
        Err(e) => errors.push(format!("[{tag}] {who}: {e}")),
        Ok(RunResult { run: r, .. }) if r.code != Some(0) => errors.push(format!(
            "[{tag}] {who} exited with {} after {:.1}s (the scenario must exit 0):\n{}",
            r.code
                .map(|c| c.to_string())
                .unwrap_or_else(|| "a signal or timeout".into()),
            r.elapsed.as_secs_f64(),
            tail(&r.stderr, 15)
        )),
        Ok(_) => {}
    };
    check(&exp, "strace", &mut errors);
    check(&got, tracer.name(), &mut errors);
    let (Ok(exp), Ok(got)) = (exp, got) else {
        return JobResult {
            scenario: job.scenario.clone(),
            setting: sname,
            outcome: None,
            errors,
            times,
        };
    };
    times = (exp.run.elapsed, got.run.elapsed);
    let exp_trace = match parse_strace(&exp.output) {
        Ok(mut t) => {
            if job.scenario == DATA_SCENARIO {
                filter_data(&mut t);
            }
            t
        }
        Err(e) => {
            errors.push(format!("[{tag}] strace output: {e}"));
            Trace::default()
        }
    };
    let got_trace = match tracer {
        Tracer::Sockscope(_) => parse_sockscope(&got.output),
        Tracer::Strace => parse_strace(&got.output),
    };
    let got_trace = match got_trace {
        Ok(mut t) => {
            if job.scenario == DATA_SCENARIO && matches!(tracer, Tracer::Strace) {
                filter_data(&mut t);
            }
            t
        }
        Err(e) => {
            errors.push(format!("[{tag}] {} output: {e}", tracer.name()));
            Trace::default()
        }
    };
    if exp_trace.calls() == 0 {
        errors.push(format!(
            "[{tag}] strace captured no call: nothing to compare"
        ));
    }
    let outcome = compare(&job.scenario, sname, &exp_trace, &got_trace, known);
    JobResult {
        scenario: job.scenario.clone(),
        setting: sname,
        outcome: Some(outcome),
        errors,
        times,
    }
}

/// `program` to run, in a fresh network namespace for the data scenario (`unshare --net`,
/// with SCENARIO_NETNS_GIVEN telling common.h not to make another): strace's -yy then finds
/// the scenario's sockets through sock_diag, which answers for its caller's namespace only.
fn netns_wrap(scenario: &str, program: &str) -> Command {
    if scenario == DATA_SCENARIO {
        let mut c = Command::new("unshare");
        c.args(["--net", "--", program])
            .env("SCENARIO_NETNS_GIVEN", "1");
        c
    } else {
        Command::new(program)
    }
}

/// `trace=NAME,...` with the calls of `strace_output` (all six if none is recognised).
fn calls_seen(strace_output: &str) -> String {
    let names = CALLS;
    let seen: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| {
            strace_output.contains(&format!("{n}("))
                || strace_output.contains(&format!("<... {n} resumed>"))
        })
        .collect();
    if seen.is_empty() {
        TRACE.to_string()
    } else {
        format!("trace={}", seen.join(","))
    }
}

enum Tracer {
    Sockscope(PathBuf),
    Strace,
}

impl Tracer {
    fn name(&self) -> &'static str {
        match self {
            Tracer::Sockscope(_) => "sockscope",
            Tracer::Strace => "strace-again",
        }
    }
}

fn build_scenarios(src: &Path, bin: &Path, only: &Option<Vec<String>>) -> Vec<String> {
    std::fs::create_dir_all(bin).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(src)
        .unwrap_or_else(|e| panic!("{}: {e}", src.display()))
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "c").then(|| p.file_stem()?.to_str().map(String::from))?
        })
        .filter(|n| only.as_ref().is_none_or(|o| o.contains(n)))
        .collect();
    names.sort();
    if let Some(o) = only {
        for n in o {
            assert!(
                names.contains(n),
                "CONFORMANCE_SCENARIOS names unknown scenario {n}"
            );
        }
    }
    for n in &names {
        let out = Command::new("cc")
            .args(["-O0", "-pthread", "-Wall", "-o"])
            .arg(bin.join(n))
            .arg(src.join(format!("{n}.c")))
            .output()
            .expect("run cc (the set-up installs gcc)");
        assert!(
            out.status.success(),
            "building scenario {n} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    names
}

#[test]
fn conformance() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        let msg = "conformance: skipped: needs root (eBPF, network namespaces, AF_PACKET)";
        if ci {
            panic!("{msg}; CI=true, so this is a failure");
        }
        eprintln!("{msg}");
        return;
    }
    let root = repo_root();
    let conf = root.join("conformance");
    let known = load_known(
        &conf.join("known-differences.txt"),
        &["scenario", "setting"],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        Command::new("strace")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success()),
        "strace not found (scripts/setup.sh installs it)"
    );

    let tracer = if std::env::var("CONFORMANCE_SELFTEST").is_ok_and(|v| v == "1") {
        Tracer::Strace
    } else {
        let bin = std::env::var_os("CONFORMANCE_SOCKSCOPE")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_sockscope")));
        Tracer::Sockscope(bin)
    };

    let base = std::env::temp_dir().join(format!("sockscope-conf.{}", std::process::id()));
    fresh_dir(&base);
    let only = env_list("CONFORMANCE_SCENARIOS");
    let scenarios = build_scenarios(&conf.join("scenarios"), &base.join("bin"), &only);
    assert!(
        !scenarios.is_empty(),
        "no scenario in conformance/scenarios"
    );
    let only_settings = env_list("CONFORMANCE_SETTINGS");
    let settings: Vec<_> = SETTINGS
        .iter()
        .chain(DATA_SETTINGS.iter())
        .filter(|(n, _)| {
            only_settings
                .as_ref()
                .is_none_or(|o| o.iter().any(|x| x == n))
        })
        .copied()
        .collect();
    assert!(
        !settings.is_empty(),
        "CONFORMANCE_SETTINGS selects no setting"
    );
    let work = base.join("w");
    std::fs::create_dir_all(work.join("out")).unwrap();

    let mut queue = VecDeque::new();
    for s in &scenarios {
        for st in &settings {
            if DATA_SETTINGS.iter().any(|d| d.0 == st.0) && s != DATA_SCENARIO {
                continue;
            }
            queue.push_back(Job {
                scenario: s.clone(),
                setting: *st,
            });
        }
    }
    let queue = Arc::new(Mutex::new(queue));
    let results = Arc::new(Mutex::new(Vec::new()));
    let jobs: usize = std::env::var("CONFORMANCE_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
        .max(1);
    let known = Arc::new(known);
    let tracer = Arc::new(tracer);
    let started = Instant::now();
    std::thread::scope(|sc| {
        for _ in 0..jobs {
            let (queue, results, known, tracer) = (
                queue.clone(),
                results.clone(),
                known.clone(),
                tracer.clone(),
            );
            let (bin, work) = (base.join("bin"), work.clone());
            sc.spawn(move || {
                loop {
                    let Some(job) = queue.lock().unwrap().pop_front() else {
                        break;
                    };
                    let r = run_job(&job, &bin, &work, &tracer, &known);
                    results.lock().unwrap().push(r);
                }
            });
        }
    });
    let mut results = std::mem::take(&mut *results.lock().unwrap());
    let order = |r: &JobResult| {
        (
            scenarios.iter().position(|s| *s == r.scenario),
            SETTINGS
                .iter()
                .chain(DATA_SETTINGS.iter())
                .position(|s| s.0 == r.setting),
        )
    };
    results.sort_by_key(order);

    let (mut compared, mut agreed, mut waived) = (0, 0, 0);
    let mut failures: Vec<String> = Vec::new();
    let mut table = String::new();
    for r in &results {
        failures.extend(r.errors.iter().cloned());
        if let Some(o) = &r.outcome {
            compared += o.compared;
            agreed += o.agreed;
            waived += o.waived;
            failures.extend(o.failures.iter().cloned());
            let _ = writeln!(
                table,
                "  {:<12} {:<8} {:>5} compared {:>5} agreed  (strace {:.1}s, {} {:.1}s)",
                r.scenario,
                r.setting,
                o.compared,
                o.agreed,
                r.times.0.as_secs_f64(),
                tracer.name(),
                r.times.1.as_secs_f64()
            );
        } else {
            let _ = writeln!(table, "  {:<12} {:<8} not compared", r.scenario, r.setting);
        }
    }
    if compared == 0 {
        failures.push("no call was compared: nothing captured is a defect, not a pass".into());
    }

    let report_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-report.txt");
    let mut report = String::new();
    let _ = writeln!(
        report,
        "conformance against {} ({:.1}s)",
        tracer.name(),
        started.elapsed().as_secs_f64()
    );
    report.push_str(&table);
    let _ = writeln!(report, "\n{} differences / errors:\n", failures.len());
    for f in &failures {
        let _ = writeln!(report, "{f}\n");
    }
    let _ = std::fs::write(&report_path, &report);

    eprintln!("conformance: per scenario and setting");
    eprint!("{table}");
    if failures.is_empty() {
        let _ = std::fs::remove_dir_all(&base);
    } else {
        eprintln!(
            "\nconformance: {} differences / errors (first {} shown):",
            failures.len(),
            PRINT_LIMIT.min(failures.len())
        );
        for f in failures.iter().take(PRINT_LIMIT) {
            eprintln!("{f}");
        }
        eprintln!(
            "\nconformance: full report in {}; raw outputs in {}",
            report_path.display(),
            work.join("out").display()
        );
    }
    let summary = format!(
        "conformance: {compared} calls compared, {agreed} agreed ({waived} known differences waived)"
    );
    println!("{summary}");
    eprintln!("{summary}");
    assert!(
        failures.is_empty(),
        "{summary}; {} differences/errors (see above)",
        failures.len()
    );
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn trace_list_from_strace_output() {
        let text = "12 recvfrom(3,  <unfinished ...>\n\
                    13 sendmmsg(4, [], 0, 0) = 0\n\
                    12 <... recvmsg resumed>{msg_name=NULL}, 0) = 1\n";
        assert_eq!(calls_seen(text), "trace=recvfrom,recvmsg,sendmmsg");
        assert_eq!(calls_seen(""), TRACE);
    }

    #[test]
    fn strace_merge_and_normalise() {
        let text = "12 recvfrom(3,  <unfinished ...>\n\
                    13 sendto(4, \"x\", 1, 0, NULL, 0) = 1\n\
                    12 <... recvfrom resumed>\"x\", 8, 0, NULL, NULL) = 1\n\
                    12 --- SIGCHLD {si_signo=SIGCHLD} ---\n\
                    13 sendto(4, \"\", 0, 0, NULL, 0)      = 0\n";
        let t = parse_strace(text).unwrap();
        assert_eq!(
            t.threads[0].1,
            vec!["recvfrom(3, \"x\", 8, 0, NULL, NULL) = 1"]
        );
        assert_eq!(
            normalise(&t.threads[1].1[1]),
            "sendto(4, \"\", 0, 0, NULL, 0) = 0"
        );
        assert_eq!(
            normalise("recvfrom(3, 0x7ffcebb02fe0, 0x80000000, {sin_port=htons(50123)}) = 1"),
            "recvfrom(3, 0xPTR, 0x80000000, {sin_port=htons(EPHEMERAL)}) = 1"
        );
        assert_eq!(
            normalise(
                "recvmmsg(3, [], 1, 0, {tv_sec=5, tv_nsec=0}) = 1 (left {tv_sec=4, tv_nsec=99})"
            ),
            "recvmmsg(3, [], 1, 0, {tv_sec=N, tv_nsec=N}) = 1 (left {tv_sec=N, tv_nsec=N})"
        );
        assert_eq!(
            normalise(
                "x [{cmsg_type=SO_TIMESTAMP_OLD, cmsg_data={tv_sec=17, tv_usec=3}}, {cmsg_len=2, tv_sec=1}]"
            ),
            "x [{cmsg_type=SO_TIMESTAMP_OLD, cmsg_data={tv_sec=N, tv_usec=N}}, {cmsg_len=2, tv_sec=1}]"
        );
    }

    #[test]
    fn sockscope_lines() {
        let t =
            parse_sockscope("12:00:01.000002 my prog 1/2 sendto(3, \"a\", 1, 0, NULL, 0) = 1\n")
                .unwrap();
        assert_eq!(
            t.threads,
            vec![(2, vec!["sendto(3, \"a\", 1, 0, NULL, 0) = 1".to_string()])]
        );
        assert!(parse_sockscope("garbage\n").is_err());
    }

    #[test]
    fn globs_and_alignment() {
        assert!(glob_match(
            "sendto(*, MSG_SPLICE*) = *",
            "sendto(3, MSG_SPLICE_PAGES) = -1"
        ));
        assert!(!glob_match("a*b", "ab c"));
        let e = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let g = vec![
            "a".to_string(),
            "x".to_string(),
            "c".to_string(),
            "d".to_string(),
        ];
        let (agreed, diffs) = compare_thread(1, &e, &g);
        assert_eq!(agreed, 2);
        assert_eq!(diffs.len(), 2);
    }
}
