//! Netlink as real tools use it, against strace 6.1: inside a network namespace the test
//! creates (loopback up, 127.1.2.3/32 on lo, a route in table 100, a rule), `ip link show`,
//! `ip addr show`, `ip route show [table 100]`, `ip rule show`, `ss -tunap`, `ss -x` and the
//! changes `ip addr add`, `ip route add ... table 100`, `ip rule add` run once under strace and
//! once under sockscope (both inside the namespace, so interface and generic netlink names
//! resolve alike). Every traced line must be the same, after normalising what differs between
//! two runs: pointers, sequence numbers, port ids, inode numbers and cookies, timestamps.
//!
//! Needs root (eBPF, namespaces), `ip`, `ss`, `strace`; otherwise skipped, except under CI=true.

use crate::support;

use std::path::Path;
use std::process::Command;

use support::{SOCKSCOPE, require_root, skip, workdir};

const TRACE: &str = "trace=sendto,recvfrom,sendmsg,recvmsg";

/// A network namespace removed when dropped.
struct Netns(String);

impl Netns {
    fn new() -> Netns {
        let name = format!("sockscope-nl-{}", std::process::id());
        let _ = Command::new("ip")
            .args(["netns", "del", &name])
            .stderr(std::process::Stdio::null())
            .status();
        let st = Command::new("ip")
            .args(["netns", "add", &name])
            .status()
            .unwrap();
        assert!(st.success(), "ip netns add {name}");
        Netns(name)
    }

    fn run(&self, args: &[&str]) {
        let st = Command::new("ip")
            .args(["netns", "exec", &self.0])
            .args(args)
            .status()
            .unwrap();
        assert!(st.success(), "in netns: {args:?}");
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

/// The normalised calls of a strace or sockscope output.
fn calls(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with("+++") && !l.starts_with("---") && !l.is_empty())
        .map(|l| normalise(regex_lite_prefix(l)))
        .collect()
}

/// sockscope's `HH:MM:SS.uuuuuu COMM PID/TID ` prefix removed.
fn regex_lite_prefix(l: &str) -> &str {
    let b = l.as_bytes();
    let is_time = b.len() > 16
        && b[2] == b':'
        && b[5] == b':'
        && b[8] == b'.'
        && b[..15]
            .iter()
            .enumerate()
            .all(|(i, c)| [2, 5, 8].contains(&i) || c.is_ascii_digit());
    if !is_time {
        return l;
    }
    // Time, comm, pid/tid: three fields (a comm may hold spaces: the pid/tid field ends it).
    let rest = &l[16..];
    match rest.find(|c: char| c.is_ascii_digit()).and_then(|_| {
        rest.match_indices(' ').map(|(i, _)| i).find(|&i| {
            let before = &rest[..i];
            let tok = before.rsplit(' ').next().unwrap_or("");
            tok.contains('/')
                && tok
                    .split('/')
                    .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
        })
    }) {
        Some(i) => &rest[i + 1..],
        None => l,
    }
}

/// Replaces the numbers after each `key=` (and `[a, b]` after cookie keys) with `N`, pointers
/// (hex of 9+ digits) with `PTR`, and collapses strace's padding before ` = `.
fn normalise(l: &str) -> String {
    const KEYS: [&str; 16] = [
        "nlmsg_seq=",
        "nlmsg_pid=",
        "nl_pid=",
        "_ino=",
        "_inode=",
        "idiag_inode=",
        "ndiag_portid=",
        "ndiag_dst_portid=",
        "cstamp=",
        "tstamp=",
        "rta_lastuse=",
        "rta_expires=",
        "idiag_sport=htons(",
        "ndm_confirmed=",
        "ndm_used=",
        "ndm_updated=",
    ];
    let mut s = l.to_string();
    for key in KEYS {
        let mut out = String::new();
        let mut rest = s.as_str();
        while let Some(i) = rest.find(key) {
            out.push_str(&rest[..i + key.len()]);
            rest = &rest[i + key.len()..];
            let n = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '-'))
                .unwrap_or(rest.len());
            if n > 0 {
                out.push('N');
            }
            rest = &rest[n..];
        }
        out.push_str(rest);
        s = out;
    }
    for key in ["_cookie=["] {
        let mut out = String::new();
        let mut rest = s.as_str();
        while let Some(i) = rest.find(key) {
            out.push_str(&rest[..i + key.len()]);
            rest = &rest[i + key.len()..];
            let end = rest.find(']').unwrap_or(rest.len());
            out.push('N');
            rest = &rest[end..];
        }
        out.push_str(rest);
        s = out;
    }
    // Pointers.
    let mut out = String::new();
    let mut rest = s.as_str();
    while let Some(i) = rest.find("0x") {
        out.push_str(&rest[..i]);
        let hex = rest[i + 2..]
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len() - i - 2);
        if hex >= 9 {
            out.push_str("PTR");
        } else {
            out.push_str(&rest[i..i + 2 + hex]);
        }
        rest = &rest[i + 2 + hex..];
    }
    out.push_str(rest);
    // strace pads the return value to a column: `)    = 0` becomes `) = 0`.
    let mut s = String::new();
    let mut rest = out.as_str();
    while let Some(i) = rest.find(")  ") {
        s.push_str(&rest[..i + 1]);
        let after = rest[i + 1..].trim_start_matches(' ');
        if after.starts_with('=') {
            s.push(' ');
            rest = after;
        } else {
            rest = &rest[i + 1..];
        }
    }
    s.push_str(rest);
    s
}

/// `cmd` under strace, then (after `undo`, for a change) under sockscope.
fn trace_both(
    ns: &Netns,
    dir: &Path,
    tag: &str,
    cmd: &[&str],
    undo: &[&str],
    opts: &[&str],
) -> (Vec<String>, Vec<String>) {
    let s_out = dir.join(format!("{tag}.strace"));
    let st = Command::new("ip")
        .args(["netns", "exec", &ns.0, "strace", "-qq", "-e", TRACE])
        .args(opts)
        .arg("-o")
        .arg(&s_out)
        .args(cmd)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "{cmd:?} under strace");
    if !undo.is_empty() {
        ns.run(undo);
    }
    let k_out = dir.join(format!("{tag}.sockscope"));
    let st = Command::new("ip")
        .args(["netns", "exec", &ns.0, SOCKSCOPE, "-e", TRACE])
        .args(opts)
        .arg("-o")
        .arg(&k_out)
        .arg("--")
        .args(cmd)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "{cmd:?} under sockscope");
    (
        calls(&std::fs::read_to_string(&s_out).unwrap()),
        calls(&std::fs::read_to_string(&k_out).unwrap()),
    )
}

#[test]
fn ip_and_ss_match_strace() {
    if !require_root("netlink_tools") {
        return;
    }
    for tool in ["ip", "ss", "strace"] {
        if Command::new(tool).arg("-V").output().is_err() {
            return skip("netlink_tools", &format!("{tool} is not installed"));
        }
    }
    let dir = workdir("netlink-tools");
    let ns = Netns::new();
    ns.run(&["ip", "link", "set", "lo", "up"]);
    ns.run(&["ip", "addr", "add", "127.1.2.3/32", "dev", "lo"]);
    ns.run(&[
        "ip",
        "route",
        "add",
        "127.5.0.0/16",
        "dev",
        "lo",
        "table",
        "100",
    ]);
    ns.run(&["ip", "rule", "add", "from", "127.1.2.3", "table", "100"]);

    type Case<'a> = (&'a str, &'a [&'a str], &'a str, &'a [&'a str]);
    let cmds: &[Case] = &[
        ("link", &["ip", "link", "show"], "RTM_NEWLINK", &[]),
        (
            "addr",
            &["ip", "addr", "show"],
            "inet_addr(\"127.1.2.3\")",
            &[],
        ),
        ("route", &["ip", "route", "show"], "RTM_GETROUTE", &[]),
        (
            "route100",
            &["ip", "route", "show", "table", "100"],
            "inet_addr(\"127.5.0.0\")",
            &[],
        ),
        ("rule", &["ip", "rule", "show"], "RTM_NEWRULE", &[]),
        ("ss-tunap", &["ss", "-tunap"], "SOCK_DIAG_BY_FAMILY", &[]),
        ("ss-x", &["ss", "-x"], "sdiag_family=AF_UNIX", &[]),
        (
            "addr-add",
            &["ip", "addr", "add", "127.1.2.4/32", "dev", "lo"],
            "RTM_NEWADDR",
            &["ip", "addr", "del", "127.1.2.4/32", "dev", "lo"],
        ),
        (
            "route-add",
            &[
                "ip",
                "route",
                "add",
                "127.6.0.0/16",
                "dev",
                "lo",
                "table",
                "100",
            ],
            "RTM_NEWROUTE",
            &[
                "ip",
                "route",
                "del",
                "127.6.0.0/16",
                "dev",
                "lo",
                "table",
                "100",
            ],
        ),
        (
            "rule-add",
            &["ip", "rule", "add", "from", "127.1.2.4", "table", "100"],
            "FRA_SRC",
            &["ip", "rule", "del", "from", "127.1.2.4", "table", "100"],
        ),
    ];
    // Last: 120 more addresses, and `-s 64`, so that one reply strace decodes is larger than
    // 4 KiB (the kernel side keeps 8 KiB of a netlink buffer).
    let batch = dir.join("addrs.batch");
    let lines: String = (1..=120)
        .map(|i| format!("addr add 127.9.0.{i}/32 dev lo\n"))
        .collect();
    std::fs::write(&batch, lines).unwrap();
    let many: &[Case] = &[(
        "addr-many",
        &["ip", "addr", "show"],
        "inet_addr(\"127.9.0.40\")",
        &[],
    )];
    let mut failures = Vec::new();
    let mut compared = 0;
    for (i, (tag, cmd, needle, undo)) in cmds.iter().chain(many).enumerate() {
        let opts: &[&str] = if i == cmds.len() {
            ns.run(&["ip", "-batch", batch.to_str().unwrap()]);
            &["-s", "64"]
        } else {
            &[]
        };
        let (want, got) = trace_both(&ns, &dir, tag, cmd, undo, opts);
        // What strace printed proves the calls were decoded as netlink: a sockscope run that
        // captured nothing cannot match it.
        assert!(
            want.iter().any(|l| l.contains(needle)),
            "{cmd:?}: strace output lacks {needle}: {want:#?}"
        );
        if *tag == "addr-many" {
            // The dump reply strace decoded must be larger than 4 KiB (else this case tests
            // nothing more than the others).
            let big = want.iter().any(|l| {
                l.contains("RTM_NEWADDR")
                    && l.rsplit(") = ").next().and_then(|r| r.parse::<u64>().ok()) > Some(4096)
            });
            assert!(big, "no RTM_NEWADDR reply above 4 KiB: {want:#?}");
        }
        if want.len() != got.len() {
            failures.push(format!(
                "{cmd:?}: {} calls under strace, {} under sockscope\nstrace: {want:#?}\nsockscope: {got:#?}",
                want.len(),
                got.len()
            ));
            continue;
        }
        for (w, g) in want.iter().zip(&got) {
            compared += 1;
            if w != g {
                failures.push(format!("{cmd:?}\n  strace:    {w}\n  sockscope: {g}"));
            }
        }
    }
    eprintln!(
        "netlink_tools: {compared} calls compared, {} differ",
        failures.len()
    );
    assert!(compared > 20, "only {compared} calls compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn normalise_keeps_what_matters() {
    assert_eq!(
        normalise(
            "sendto(3, {nlmsg_len=16, nlmsg_seq=1733, nlmsg_pid=-1392508053}, 0x7ffc12345678) = 16"
        ),
        "sendto(3, {nlmsg_len=16, nlmsg_seq=N, nlmsg_pid=N}, PTR) = 16"
    );
    assert_eq!(normalise("x(0x80000000)    = 0"), "x(0x80000000) = 0");
    assert_eq!(
        regex_lite_prefix("05:39:34.123456 ip 1234/1234 sendmsg(3, ...) = 1"),
        "sendmsg(3, ...) = 1"
    );
    assert_eq!(regex_lite_prefix("sendmsg(3) = 1"), "sendmsg(3) = 1");
}
