//! strace 6.1's own test suite, run under sockscope.
//!
//! strace's tests are C programs that make system calls and print, on stdout, the lines strace
//! must write for them; their scripts (`tests/gen_tests.in` → `*.gen.test`, `init.sh`'s
//! `run_strace_match_diff`) run each program under `strace -o LOG OPTIONS` with the program's
//! stdout going to EXP, and `diff -u EXP LOG`. This test does the same with sockscope in place of
//! strace: it fetches Debian's strace 6.1 source at test time (`scripts/strace-suite.sh`, cached
//! under `target/strace-suite/`; nothing of strace is kept in the project), builds the programs of
//! the tests listed in `strace-suite/tests.txt` plus the netlink tests, runs each under
//! `sockscope OPTIONS -o LOG -- PROGRAM > EXP` with the options of its `gen_tests.in` line (or of
//! its hand-written script), and compares the calls sockscope rendered with the lines of EXP that
//! are calls sockscope traces (other lines — `close(...)`, `+++ exited`, `-e read=` dumps — are
//! not compared). The comparison is exact (strace's is `diff`): the programs print their own
//! pointers, inodes and lengths.
//!
//! Per test: calls compared (expected calls, plus calls sockscope printed that were not
//! expected) and calls agreeing (a longest-common-subsequence alignment, so one missing call does
//! not shift the rest). Pass criterion, for the tests counted (`msg` group; `netlink` too once
//! NETLINK_IN_CRITERION is on): some calls were compared, agreement ≥ THRESHOLD, and every
//! difference matches an entry of `strace-suite/known-differences.txt` (with its reason).
//!
//! Knobs: `STRACE_SUITE_TESTS=a,b` (only these tests), `STRACE_SUITE_JOBS=N` (default 2),
//! `STRACE_SUITE_SOCKSCOPE=path` (another binary), `STRACE_SUITE_DIR=path` (cache dir).

use crate::compare;
use crate::support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use compare::*;

/// strace's %network class, as far as sockscope traces it.
const NETWORK: [&str; 6] = [
    "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
];

/// The calls sockscope traces, from `sockscope events --json` (so that calls added to sockscope,
/// such as read/write, are compared without touching this file).
fn calls() -> &'static [String] {
    static CALLS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    CALLS.get_or_init(|| {
        let out = Command::new(support::SOCKSCOPE)
            .args(["events", "--json"])
            .output()
            .expect("running sockscope events --json");
        let names: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l)
                    .expect("sockscope events --json: one JSON object per line")
            })
            .filter_map(|e| e["name"].as_str().map(str::to_string))
            .collect();
        assert!(
            NETWORK.iter().all(|c| names.iter().any(|n| n == c)),
            "sockscope events --json lacks a message call: {names:?}"
        );
        names
    })
}

/// Lowest agreement (agreeing / compared calls) of the counted tests that passes. The issue's
/// target is 99.5%; the msg group agrees on 99.98% (36,831 of 36,837 calls, every remaining
/// difference listed in strace-suite/known-differences.txt), so the bound is 99.95%: a few new
/// differences fail the suite even before the known-differences check. When the netlink group
/// joins the criterion, set this again to what then passes (and at least 0.995).
const THRESHOLD: f64 = 0.9995;

// >>> NETLINK CRITERION: the netlink tests (netlink_*, nfnetlink_*, nlattr_*) count towards
// THRESHOLD (their decoders: sockscope/src/decode/netlink*), and their differences must be listed
// in known-differences.txt like the others.
const NETLINK_IN_CRITERION: bool = true;
// <<< NETLINK CRITERION

/// Longest a traced test run may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);
/// Differences printed on failure (all of them go to the report file).
const PRINT_LIMIT: usize = 80;

// ---------------------------------------------------------------------------------------------
// The test list
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Msg,
    Netlink,
    Data,
}

impl Group {
    fn name(self) -> &'static str {
        match self {
            Group::Msg => "msg",
            Group::Netlink => "netlink",
            Group::Data => "data",
        }
    }

    fn counted(self) -> bool {
        match self {
            Group::Msg | Group::Data => true,
            Group::Netlink => NETLINK_IN_CRITERION,
        }
    }
}

#[derive(Clone, Debug)]
struct Spec {
    group: Group,
    name: String,
    /// The test's program (tests/<prog>).
    prog: String,
    /// Program arguments.
    args: Vec<String>,
    /// strace's options for the test, as given to strace.
    strace_opts: Vec<String>,
    /// Shell redirections the test sets up before running strace (`exec 9</dev/full`).
    redirs: Vec<String>,
    /// Programs the script runs first (exit 77 = the test is skipped).
    checks: Vec<String>,
    /// How the expected lines are obtained.
    expect: Expect,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Expect {
    /// The program's stdout (run_strace_match_diff, and the net-y*.test scripts).
    Stdout,
    /// tests/<name>.expected (match_diff with no arguments).
    File,
    /// Regular expressions, one per call (match_grep); see `scm_rights_patterns`.
    Patterns,
}

/// Splits a gen_tests.in argument string as sh would for these simple cases: words separated by
/// blanks, single and double quotes grouping.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// gen_tests.in: test name → its argument string.
fn gen_tests(src_tests: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(src_tests.join("gen_tests.in"))
        .expect("reading strace's tests/gen_tests.in");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let l = l.trim_end();
            match l.find(|c: char| c.is_whitespace()) {
                Some(i) => (l[..i].to_string(), l[i..].trim().to_string()),
                None => (l.to_string(), String::new()),
            }
        })
        .collect()
}

/// A gen_tests.in entry's strace options and redirections, as its generated script runs it:
/// `+SCRIPT.test ARGS` runs SCRIPT with ARGS as "$@" (only netlink_sock_diag.test and
/// net-yy-inet.test are used here); otherwise run_strace_match_diff ARGS, which adds
/// `-e trace=NAME` when ARGS select no calls.
fn gen_options(name: &str, args: &str) -> Option<(Vec<String>, Vec<String>)> {
    let (args, shell) = match args.split_once(';') {
        Some((a, rest)) => (a, rest),
        None => (args, ""),
    };
    let mut redirs = Vec::new();
    for cmd in shell.split(';') {
        let w = shell_words(cmd);
        match w.split_first() {
            None => {}
            Some((exec, rest)) if exec == "exec" => redirs.extend(rest.iter().cloned()),
            Some(_) => return None, // a shell command this runner does not reproduce
        }
    }
    let mut words = shell_words(args);
    if let Some(first) = words.first().cloned()
        && let Some(script) = first.strip_prefix('+')
    {
        words.remove(0);
        return match script {
            "netlink_sock_diag.test" => {
                let mut o = vec!["-e".to_string(), "trace=sendto".to_string()];
                o.extend(words);
                Some((o, redirs))
            }
            _ => None,
        };
    }
    if words
        .iter()
        .any(|w| w.starts_with("QUIRK:") || w == "test_pidns" || w == "check_scno_tampering")
    {
        return None;
    }
    let selects = words
        .iter()
        .any(|w| w.contains("-e trace=") || w.starts_with("-etrace=") || w.starts_with("--trace="))
        || words
            .windows(2)
            .any(|p| p[0] == "-e" && p[1].starts_with("trace="));
    if !selects {
        words.push("-e".into());
        words.push(format!("trace={name}"));
    }
    Some((words, redirs))
}

fn is_netlink_test(name: &str) -> bool {
    name.starts_with("netlink_") || name.starts_with("nfnetlink_") || name.starts_with("nlattr")
}

/// Reads strace-suite/tests.txt and adds the netlink tests of gen_tests.in.
fn load_specs(src_tests: &Path) -> Vec<Spec> {
    let gen_list = gen_tests(src_tests);
    let list = std::fs::read_to_string(repo_root().join("strace-suite/tests.txt"))
        .expect("reading strace-suite/tests.txt");
    let mut specs = Vec::new();
    for line in list.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split(" | ").map(str::trim).collect();
        assert!(f.len() >= 3, "strace-suite/tests.txt: bad line: {line}");
        let group = match f[0] {
            "msg" => Group::Msg,
            "data" => Group::Data,
            "netlink" => Group::Netlink,
            g => panic!("strace-suite/tests.txt: unknown group {g}"),
        };
        let name = f[1].to_string();
        let notes = f.get(3).copied().unwrap_or("");
        let mut spec = Spec {
            group,
            prog: name.clone(),
            name: name.clone(),
            args: Vec::new(),
            strace_opts: Vec::new(),
            redirs: Vec::new(),
            checks: Vec::new(),
            expect: Expect::Stdout,
        };
        if f[2] == "gen" {
            let args = gen_list
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("{name}: not in gen_tests.in"))
                .1
                .clone();
            let (o, r) = gen_options(&name, &args)
                .unwrap_or_else(|| panic!("{name}: gen_tests.in line not supported: {args}"));
            spec.strace_opts = o;
            spec.redirs = r;
        } else {
            spec.strace_opts = shell_words(f[2]);
        }
        for note in shell_words(notes) {
            match note.split_once('=') {
                Some(("prog", p)) => spec.prog = p.to_string(),
                Some(("check", p)) => spec.checks.push(p.to_string()),
                Some(("args", a)) => spec.args = vec![a.to_string()],
                Some(("expected", "file")) => spec.expect = Expect::File,
                None if note == "patterns" => spec.expect = Expect::Patterns,
                _ => panic!("strace-suite/tests.txt: {name}: unknown note {note}"),
            }
        }
        specs.push(spec);
    }
    // The netlink tests: every gen_tests.in entry run through netlink_sock_diag.test, and that
    // test itself (netlink_sock_diag.test: `run_prog ../netlink_netlink_diag` first).
    let mut netlink: Vec<(String, String)> =
        vec![("netlink_sock_diag".into(), "+netlink_sock_diag.test".into())];
    netlink.extend(
        gen_list
            .iter()
            .filter(|(n, a)| is_netlink_test(n) && a.starts_with("+netlink_sock_diag.test"))
            .cloned(),
    );
    for (name, args) in netlink {
        let Some((o, r)) = gen_options(&name, &args) else {
            continue;
        };
        specs.push(Spec {
            group: Group::Netlink,
            prog: name.clone(),
            name,
            args: Vec::new(),
            strace_opts: o,
            redirs: r,
            checks: vec!["netlink_netlink_diag".into()],
            expect: Expect::Stdout,
        });
    }
    specs
}

// ---------------------------------------------------------------------------------------------
// strace options → sockscope options
// ---------------------------------------------------------------------------------------------

/// sockscope's options for a test's strace options. Calls sockscope does not trace are dropped
/// from `-e trace=` (their lines are not compared); `-e read=`/`-e write=` (hex dumps of
/// descriptors' data) and `-e signal=` are dropped and listed in the second value.
fn translate(opts: &[String]) -> Result<(Vec<String>, Vec<String>), String> {
    let mut out = Vec::new();
    let mut dropped = Vec::new();
    let mut trace: Option<Vec<String>> = None;
    let mut i = 0;
    let next = |i: &mut usize, flag: &str| -> Result<String, String> {
        *i += 1;
        opts.get(*i)
            .cloned()
            .ok_or_else(|| format!("{flag} without a value"))
    };
    while i < opts.len() {
        let o = &opts[i];
        let (flag, joined) = if o.starts_with("--") || o.len() <= 2 || !o.starts_with('-') {
            (o.as_str(), None)
        } else {
            (&o[..2], Some(o[2..].to_string()))
        };
        match flag {
            "-e" => {
                let v = match joined {
                    Some(v) => v,
                    None => next(&mut i, "-e")?,
                };
                let (key, list) = v.split_once('=').unwrap_or(("trace", v.as_str()));
                match key {
                    "trace" | "t" => {
                        let mut calls = Vec::new();
                        for item in list.split(',') {
                            match item.trim_start_matches('?') {
                                "%network" | "network" | "%net" => {
                                    calls.extend(NETWORK.iter().map(|c| c.to_string()))
                                }
                                "all" => calls.extend(calls_all()),
                                c if calls_all().iter().any(|k| k == c) => {
                                    calls.push(c.to_string())
                                }
                                _ => {}
                            }
                        }
                        trace.get_or_insert_with(Vec::new).extend(calls);
                    }
                    "verbose" | "v" => {
                        out.push("-e".into());
                        out.push(format!("verbose={list}"));
                    }
                    "read" | "write" => dropped.push(format!("-e {v}")),
                    // sockscope prints no signal lines: -e signal= changes nothing compared.
                    "signal" | "signals" | "s" => {}
                    _ => return Err(format!("-e {v}: not supported by this runner")),
                }
            }
            "-a" | "-s" | "-X" => {
                let v = match joined {
                    Some(v) => v,
                    None => next(&mut i, flag)?,
                };
                out.push(flag.into());
                out.push(v);
            }
            "-v" | "-x" | "-y" => out.push(o.clone()), // also -xx, -yy
            _ => return Err(format!("{o}: not supported by this runner")),
        }
        i += 1;
    }
    // strace aligns the return value at column 40 unless told otherwise; sockscope does not
    // align by default.
    if !out.iter().any(|o| o == "-a") {
        out.push("-a".into());
        out.push("40".into());
    }
    match trace {
        Some(calls) if calls.is_empty() => {
            return Err("-e trace= selects none of sockscope's calls".into());
        }
        Some(mut calls) => {
            calls.dedup();
            out.push("-e".into());
            out.push(format!("trace={}", calls.join(",")));
        }
        None => {}
    }
    Ok((out, dropped))
}

// ---------------------------------------------------------------------------------------------
// Extraction and comparison
// ---------------------------------------------------------------------------------------------

fn calls_all() -> Vec<String> {
    calls().to_vec()
}

fn is_traced_call(text: &str) -> bool {
    calls().iter().any(|c| {
        text.strip_prefix(c.as_str())
            .is_some_and(|r| r.starts_with('('))
    })
}

/// The calls of sockscope's text output (`HH:MM:SS.uuuuuu COMM PID/TID CALL`), in order, with
/// their process ids.
fn sockscope_calls(text: &str) -> Result<Vec<(u32, String)>, String> {
    let mut calls = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let rest = line
            .get(16..)
            .ok_or_else(|| format!("unexpected sockscope line: {line}"))?;
        let mut found = None;
        for (i, _) in rest.match_indices(' ') {
            let after = &rest[i + 1..];
            if !is_traced_call(after) {
                continue;
            }
            let word = rest[..i].rsplit(' ').next().unwrap_or("");
            if let Some((p, t)) = word.split_once('/')
                && let Ok(pid) = p.parse::<u32>()
                && t.parse::<u32>().is_ok()
            {
                found = Some((pid, after.to_string()));
                break;
            }
        }
        calls.push(found.ok_or_else(|| format!("unexpected sockscope line: {line}"))?);
    }
    Ok(calls)
}

/// The lines of an expected output that are calls sockscope traces.
fn expected_calls(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| is_traced_call(l))
        .map(str::to_string)
        .collect()
}

#[derive(Debug, Clone)]
struct Diff {
    /// The expected line (None: sockscope printed a call strace's test does not expect).
    expected: Option<String>,
    /// sockscope's line at that place, if any.
    got: Option<String>,
    known: bool,
}

#[derive(Debug, Default)]
struct Outcome {
    compared: usize,
    agreed: usize,
    diffs: Vec<Diff>,
}

/// Compares the expected calls with sockscope's; unmatched lines next to each other are paired
/// (expected, got) for the report.
fn compare(test: &str, exp: &[String], got: &[String], known: &[Known]) -> Outcome {
    let mut o = Outcome::default();
    let al = align(exp, got);
    let mut k = 0;
    while k < al.len() {
        match al[k] {
            (Some(_), Some(_)) => {
                o.agreed += 1;
                o.compared += 1;
                k += 1;
            }
            _ => {
                // A run of unmatched lines: pair the i-th missing expected with the i-th extra.
                let start = k;
                while k < al.len() && !matches!(al[k], (Some(_), Some(_))) {
                    k += 1;
                }
                let miss: Vec<usize> = al[start..k].iter().filter_map(|p| p.0).collect();
                let extra: Vec<usize> = al[start..k].iter().filter_map(|p| p.1).collect();
                for n in 0..miss.len().max(extra.len()) {
                    o.compared += 1;
                    let expected = miss.get(n).map(|&i| exp[i].clone());
                    let got = extra.get(n).map(|&j| got[j].clone());
                    let key = expected.as_deref().or(got.as_deref()).unwrap_or("");
                    let known = is_known(known, &[test], key);
                    o.diffs.push(Diff {
                        expected,
                        got,
                        known,
                    });
                }
            }
        }
    }
    o
}

/// `grep -E -x PATTERN` over sockscope's calls, per pattern (init.sh's match_grep).
fn compare_patterns(test: &str, patterns: &[String], got: &[String], known: &[Known]) -> Outcome {
    let mut o = Outcome::default();
    let input = got.join("\n") + "\n";
    for p in patterns {
        o.compared += 1;
        let mut child = Command::new("grep")
            .env("LC_ALL", "C")
            .args(["-E", "-x", "-q", "-e", p])
            .stdin(Stdio::piped())
            .spawn()
            .expect("running grep");
        {
            use std::io::Write as _;
            let mut stdin = child.stdin.take().unwrap();
            let _ = stdin.write_all(input.as_bytes());
        }
        if child.wait().expect("grep").success() {
            o.agreed += 1;
        } else {
            o.diffs.push(Diff {
                expected: Some(format!("/{p}/")),
                got: got
                    .iter()
                    .find(|g| g.split('(').next() == p.split("\\(").next())
                    .cloned(),
                known: is_known(known, &[test], &format!("/{p}/")),
            });
        }
    }
    o
}

/// scm_rights-fd.test's expectations, as regular expressions (grep -E -x): the program sends
/// descriptors 4 (/dev/null), 5 (/dev/zero) and 6 (a file named 127 times "A\n" then "Z" in a
/// directory) with SCM_RIGHTS over a socket pair (descriptor 3), with -y -x.
fn scm_rights_patterns() -> Vec<String> {
    let n = "[1-9][0-9]*";
    let sock = r"<socket:\[[0-9]+\]>";
    let x = "[[:xdigit:]]";
    let iov: String = (1..16).map(|i| format!(r"\\xf{i:x}")).collect();
    let path = format!(r"(/.*/(A\\n){{127}}Z|\\x2f(\\x{x}{x})*\\x2f(\\x41\\x0a){{127}}\\x5a)");
    let msg = |control: &str| {
        format!(
            r#"\{{msg_name=NULL, msg_namelen=0, msg_iov=\[\{{iov_base="{iov}", iov_len=15\}}\], msg_iovlen=1, msg_control=\[{control}\], msg_controllen={n}, msg_flags=0\}}"#
        )
    };
    let rights = format!(
        r"\{{cmsg_len={n}, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=\[4</dev/null>, 5</dev/zero>, 6<{path}>\]\}}"
    );
    let creds = format!(
        r"\{{cmsg_len={n}, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, cmsg_data=\{{pid={n}, uid=[0-9]+, gid=[0-9]+\}}\}}"
    );
    vec![
        format!(r"sendmsg\(3{sock}, {}, 0\) = 15", msg(&rights)),
        format!(
            r"recvmsg\(0{sock}, {}, 0\) = 15",
            msg(&format!("{creds}, {rights}"))
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Known differences
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

enum Result_ {
    Ran {
        outcome: Outcome,
        dropped: Vec<String>,
        elapsed: Duration,
    },
    Skipped(String),
    Failed(String),
}

/// `run_capped` with RUN_TIMEOUT: Ok((exit code, stderr)), Err when killed or not started.
fn run_limit(cmd: &mut Command, stdout: Stdio) -> Result<(Option<i32>, String), String> {
    let r = run_capped(cmd, stdout, RUN_TIMEOUT)?;
    if r.timed_out {
        return Err(format!("still running after {RUN_TIMEOUT:?}, killed"));
    }
    Ok((r.code, r.stderr))
}

fn run_test(
    spec: &Spec,
    tests_dir: &Path,
    run_root: &Path,
    sockscope: &Path,
    known: &[Known],
) -> Result_ {
    let prog = tests_dir.join(&spec.prog);
    if !prog.exists() {
        // A netlink test program that does not compile against this system's kernel headers
        // (e.g. nlattr_nhmsg with linux-libc-dev 6.1.192's struct nexthop_grp) is skipped,
        // visibly, with the compiler's first error; any other missing program is a failure.
        let log = tests_dir.join("../../make-tests.log");
        let needle = format!("{}.c:", spec.prog.split('-').next().unwrap_or(&spec.prog));
        let compile_error = std::fs::read_to_string(&log).ok().and_then(|l| {
            l.lines()
                .find(|x| x.starts_with(&needle) && x.contains(": error:"))
                .map(str::to_string)
        });
        return match compile_error {
            Some(e) if spec.group == Group::Netlink => Result_::Skipped(format!(
                "does not compile against this system's headers: {e}"
            )),
            _ => Result_::Failed(format!("program {} not built", spec.prog)),
        };
    }
    let work = run_root.join(&spec.name);
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let (opts, dropped) = match translate(&spec.strace_opts) {
        Ok(t) => t,
        Err(e) => return Result_::Failed(format!("options {:?}: {e}", spec.strace_opts)),
    };
    let mut args = spec.args.clone();
    if spec.expect == Expect::Patterns {
        // scm_rights-fd.test: run_prog ../scm_rights /dev/zero, then strace ... $args "$file".
        let dir = work.join("dir");
        std::fs::create_dir_all(&dir).unwrap();
        let file: String = "A\n".repeat(127) + "Z";
        std::fs::write(dir.join(&file), b"").unwrap();
        args = vec!["/dev/zero".into(), format!("dir/{file}")];
    }
    // The script's checks, then the program alone (run_prog): exit 77 means "skip".
    let check_runs: Vec<(PathBuf, Vec<String>)> = spec
        .checks
        .iter()
        .map(|c| (tests_dir.join(c), Vec::new()))
        .chain(std::iter::once((
            prog.clone(),
            args.iter()
                .take(if spec.expect == Expect::Patterns {
                    1
                } else {
                    usize::MAX
                })
                .cloned()
                .collect(),
        )))
        .collect();
    for (p, a) in &check_runs {
        let mut c = Command::new(p);
        c.args(a).current_dir(&work);
        match run_limit(&mut c, Stdio::null()) {
            Ok((Some(0), _)) => {}
            Ok((Some(77), err)) => {
                return Result_::Skipped(format!(
                    "{} exited with 77: {}",
                    p.file_name().unwrap().to_string_lossy(),
                    err.lines().next().unwrap_or("")
                ));
            }
            Ok((code, err)) => {
                return Result_::Failed(format!(
                    "{} alone exited with {code:?}: {}",
                    p.display(),
                    err.trim()
                ));
            }
            Err(e) => return Result_::Failed(format!("{}: {e}", p.display())),
        }
    }
    let log = work.join("log");
    let exp = work.join("exp");
    let mut c = if spec.redirs.is_empty() {
        Command::new(sockscope)
    } else {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!(
                "exec {}; exec \"$0\" \"$@\"",
                spec.redirs.join(" ")
            ))
            .arg(sockscope);
        c
    };
    // strace without -f traces the program only, not its children; sockscope follows a command's
    // children, so the program's pid is recorded (sh execs it) and only its calls are compared.
    let pidfile = work.join("pid");
    c.args(&opts)
        .arg("-o")
        .arg(&log)
        .arg("--")
        .args(["/bin/sh", "-c", "echo $$ > \"$0\"; exec \"$@\""])
        .arg(&pidfile)
        .arg(&prog)
        .args(&args)
        .current_dir(&work);
    let start = Instant::now();
    let exp_file = std::fs::File::create(&exp).unwrap();
    let (code, stderr) = match run_limit(&mut c, Stdio::from(exp_file)) {
        Ok(r) => r,
        Err(e) => return Result_::Failed(format!("sockscope: {e}")),
    };
    let elapsed = start.elapsed();
    if code != Some(0) {
        return Result_::Failed(format!(
            "sockscope {} -- {} exited with {code:?}: {}",
            opts.join(" "),
            spec.prog,
            stderr.trim()
        ));
    }
    if let Some(l) = stderr
        .lines()
        .find(|l| l.contains(" lost") && !l.contains(" 0 lost"))
    {
        return Result_::Failed(format!("events lost: {l}"));
    }
    let pid: Option<u32> = std::fs::read_to_string(&pidfile)
        .ok()
        .and_then(|p| p.trim().parse().ok());
    let Some(pid) = pid else {
        return Result_::Failed("the program's pid was not recorded".into());
    };
    let got: Vec<String> = match std::fs::read_to_string(&log)
        .map_err(|e| e.to_string())
        .and_then(|t| sockscope_calls(&t))
    {
        Ok(g) => g
            .into_iter()
            .filter(|(p, _)| *p == pid)
            .map(|(_, c)| c)
            .collect(),
        Err(e) => return Result_::Failed(e),
    };
    let outcome = match spec.expect {
        Expect::Patterns => compare_patterns(&spec.name, &scm_rights_patterns(), &got, known),
        Expect::Stdout | Expect::File => {
            let path = if spec.expect == Expect::File {
                tests_dir.join(format!("{}.expected", spec.name))
            } else {
                exp
            };
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            compare(&spec.name, &expected_calls(&text), &got, known)
        }
    };
    Result_::Ran {
        outcome,
        dropped,
        elapsed,
    }
}

#[derive(Default, Clone, Copy)]
struct Totals {
    tests: usize,
    compared: usize,
    agreed: usize,
    unknown: usize,
}

impl Totals {
    fn pct(&self) -> f64 {
        if self.compared == 0 {
            0.0
        } else {
            100.0 * self.agreed as f64 / self.compared as f64
        }
    }
}

#[test]
fn strace_suite() {
    if !support::require_root("strace_suite") {
        return;
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let cache = std::env::var_os("STRACE_SUITE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/strace-suite"));
    let sockscope = std::env::var_os("STRACE_SUITE_SOCKSCOPE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(support::SOCKSCOPE));
    let script = repo_root().join("scripts/strace-suite.sh");

    // Fetch and configure (once), then read the test list and build the programs (cached).
    let st = Command::new(&script)
        .arg(&cache)
        .status()
        .expect("running scripts/strace-suite.sh");
    assert!(
        st.success(),
        "scripts/strace-suite.sh failed ({st}); CI={ci}"
    );
    let tests_dir = cache.join("strace-6.1/tests");
    let mut specs = load_specs(&tests_dir);
    if let Ok(only) = std::env::var("STRACE_SUITE_TESTS") {
        let only: Vec<&str> = only.split(',').map(str::trim).collect();
        specs.retain(|s| only.contains(&s.name.as_str()));
    }
    let mut progs: Vec<String> = specs
        .iter()
        .flat_map(|s| std::iter::once(s.prog.clone()).chain(s.checks.iter().cloned()))
        .collect();
    progs.sort();
    progs.dedup();
    let st = Command::new(&script)
        .arg(&cache)
        .args(&progs)
        .status()
        .expect("running scripts/strace-suite.sh");
    assert!(
        st.success(),
        "scripts/strace-suite.sh (build) failed ({st})"
    );

    let known_path = repo_root().join("strace-suite/known-differences.txt");
    let known = load_known(&known_path, &["test"]).unwrap_or_else(|e| panic!("{e}"));
    let run_root = cache.join("run");
    let jobs: usize = std::env::var("STRACE_SUITE_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
        .max(1);
    let results: Mutex<Vec<Option<Result_>>> = Mutex::new((0..specs.len()).map(|_| None).collect());
    let next = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        let i = *n;
                        *n += 1;
                        i
                    };
                    if i >= specs.len() {
                        break;
                    }
                    let r = run_test(&specs[i], &tests_dir, &run_root, &sockscope, &known);
                    results.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    let results: Vec<Result_> = results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(Option::unwrap)
        .collect();

    // The report: one line per test, then the differences, then the totals per group.
    let mut table = String::new();
    let mut details = String::new();
    // Unlisted differences of the tests in the pass criterion, printed on the terminal.
    let mut to_print: Vec<String> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut totals = [Totals::default(); 3];
    let gi = |g: Group| g as usize;
    let _ = writeln!(
        table,
        "{:<8} {:<40} {:>9} {:>9} {:>8}  note",
        "group", "test", "compared", "agreeing", "%"
    );
    for (spec, r) in specs.iter().zip(&results) {
        match r {
            Result_::Ran {
                outcome,
                dropped,
                elapsed,
            } => {
                let t = &mut totals[gi(spec.group)];
                t.tests += 1;
                t.compared += outcome.compared;
                t.agreed += outcome.agreed;
                let unknown = outcome.diffs.iter().filter(|d| !d.known).count();
                t.unknown += unknown;
                let pct = if outcome.compared == 0 {
                    0.0
                } else {
                    100.0 * outcome.agreed as f64 / outcome.compared as f64
                };
                let mut note = format!("{:.1}s", elapsed.as_secs_f64());
                if !dropped.is_empty() {
                    let _ = write!(note, "; not reproduced: {}", dropped.join(" "));
                }
                if !outcome.diffs.is_empty() {
                    let _ = write!(
                        note,
                        "; {} known, {} unknown differences",
                        outcome.diffs.len() - unknown,
                        unknown
                    );
                }
                if outcome.compared == 0 {
                    note += "; NO CALL COMPARED";
                    if spec.group.counted() {
                        failures.push(format!("{}: no call compared", spec.name));
                    }
                }
                let _ = writeln!(
                    table,
                    "{:<8} {:<40} {:>9} {:>9} {:>7.2}%  {note}",
                    spec.group.name(),
                    spec.name,
                    outcome.compared,
                    outcome.agreed,
                    pct
                );
                for d in &outcome.diffs {
                    let block = format!(
                        "{} {} [{}]\n  expected: {}\n  got:      {}\n",
                        if d.known { "KNOWN" } else { "DIFF " },
                        spec.name,
                        spec.group.name(),
                        d.expected.as_deref().unwrap_or("(no call)"),
                        d.got.as_deref().unwrap_or("(no call)")
                    );
                    details.push_str(&block);
                    if !d.known && spec.group.counted() {
                        to_print.push(block);
                    }
                }
            }
            Result_::Skipped(why) => {
                let _ = writeln!(
                    table,
                    "{:<8} {:<40} {:>9} {:>9} {:>8}  skipped: {why}",
                    spec.group.name(),
                    spec.name,
                    "-",
                    "-",
                    "-"
                );
            }
            Result_::Failed(why) => {
                let _ = writeln!(
                    table,
                    "{:<8} {:<40} {:>9} {:>9} {:>8}  FAILED: {why}",
                    spec.group.name(),
                    spec.name,
                    "-",
                    "-",
                    "-"
                );
                if spec.group.counted() {
                    failures.push(format!("{}: {why}", spec.name));
                }
            }
        }
    }
    let mut summary = String::new();
    let mut crit = Totals::default();
    for g in [Group::Msg, Group::Netlink, Group::Data] {
        let t = totals[gi(g)];
        if g.counted() {
            crit.tests += t.tests;
            crit.compared += t.compared;
            crit.agreed += t.agreed;
            crit.unknown += t.unknown;
        }
        if t.tests == 0 && g == Group::Data {
            continue;
        }
        let _ = writeln!(
            summary,
            "strace-suite {}: {} tests, {} calls compared, {} agreeing ({:.2}%), {} unlisted differences{}",
            g.name(),
            t.tests,
            t.compared,
            t.agreed,
            t.pct(),
            t.unknown,
            if g.counted() {
                ""
            } else {
                " (not in the pass criterion yet)"
            }
        );
    }
    let _ = writeln!(
        summary,
        "strace-suite criterion: {} calls compared, {} agreeing ({:.2}%, threshold {:.2}%)",
        crit.compared,
        crit.agreed,
        crit.pct(),
        THRESHOLD * 100.0
    );
    let report = format!("{table}\n{details}\n{summary}");
    std::fs::create_dir_all(&cache).unwrap();
    let _ = std::fs::write(cache.join("report.txt"), &report);
    let _ = std::fs::write(cache.join("summary.txt"), &summary);
    println!("{table}");
    for block in to_print.iter().take(PRINT_LIMIT) {
        print!("{block}");
    }
    if to_print.len() > PRINT_LIMIT {
        println!(
            "... (all differences in {})",
            cache.join("report.txt").display()
        );
    }
    print!("{summary}");
    eprint!("{summary}");

    if crit.compared == 0 {
        failures.push("no call compared".into());
    }
    if crit.unknown > 0 {
        failures.push(format!(
            "{} differences not in strace-suite/known-differences.txt",
            crit.unknown
        ));
    }
    if (crit.agreed as f64) < THRESHOLD * crit.compared as f64 {
        failures.push(format!(
            "agreement {:.2}% below {:.2}%",
            crit.pct(),
            THRESHOLD * 100.0
        ));
    }
    assert!(
        failures.is_empty(),
        "strace suite failed:\n{}",
        failures.join("\n")
    );
}

#[cfg(test)]
mod unit {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn options_translate() {
        let (o, d) = translate(&s(&["-a22", "-yy", "-eclose,network"])).unwrap();
        assert_eq!(
            o,
            s(&[
                "-a",
                "22",
                "-yy",
                "-e",
                "trace=sendto,recvfrom,sendmsg,recvmsg,sendmmsg,recvmmsg"
            ])
        );
        assert!(d.is_empty());
        let (o, d) = translate(&s(&[
            "-e",
            "read=0",
            "-e",
            "write=1",
            "-e",
            "trace=recvmmsg,sendmmsg",
        ]))
        .unwrap();
        assert_eq!(o, s(&["-a", "40", "-e", "trace=recvmmsg,sendmmsg"]));
        assert_eq!(d.len(), 2);
        let (o, _) = translate(&s(&["-v", "-a25", "-e", "verbose=none", "-Xraw"])).unwrap();
        assert_eq!(o, s(&["-v", "-a", "25", "-e", "verbose=none", "-X", "raw"]));
        assert!(translate(&s(&["-e", "trace=connect"])).is_err());
    }

    #[test]
    fn gen_lines() {
        assert_eq!(
            gen_options("recvfrom", "-a35").unwrap().0,
            s(&["-a35", "-e", "trace=recvfrom"])
        );
        let (o, r) = gen_options(
            "nlattr_ifla_xdp-y",
            "+netlink_sock_diag.test -y; exec 9</dev/full",
        )
        .unwrap();
        assert_eq!(o, s(&["-e", "trace=sendto", "-y"]));
        assert_eq!(r, s(&["9</dev/full"]));
        assert!(gen_options("x", "test_pidns -a24 -e trace=connect").is_none());
    }

    #[test]
    fn sockscope_lines() {
        let t = "05:01:02.123456 my prog 12/13 sendto(3, \"a\", 1, 0, NULL, 0) = 1\n";
        assert_eq!(
            sockscope_calls(t).unwrap(),
            [(12, "sendto(3, \"a\", 1, 0, NULL, 0) = 1".to_string())]
        );
    }

    #[test]
    fn comparison_counts() {
        let exp = s(&["sendto(a) = 1", "sendto(b) = 1", "sendto(c) = 1"]);
        let got = s(&[
            "sendto(a) = 1",
            "sendto(B) = 1",
            "sendto(c) = 1",
            "sendto(d) = 1",
        ]);
        let o = compare("t", &exp, &got, &[]);
        assert_eq!((o.compared, o.agreed, o.diffs.len()), (4, 2, 2));
    }
}
