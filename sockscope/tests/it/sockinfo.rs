//! `-yy` against strace 6.1: the workload `tests/sockinfo/workload.c` makes one or two calls on
//! a socket of every family and type sockscope names (TCP/TCPv6 connected and unconnected,
//! UDP/UDPv6 unbound, bound and connected, UNIX stream/dgram/seqpacket with paths, abstract
//! names, socketpairs and unbound senders, NETLINK_ROUTE unbound and bound, a raw socket) and on
//! non-sockets (/dev/null, a pipe, a file, a closed descriptor, -1). It runs once under
//! `strace -yy` and once under `sockscope -yy`; the descriptor argument of every line must
//! be the same, after numbering inode numbers, ephemeral ports and port ids in order of first
//! appearance (they differ between two runs; the numbering keeps the relations, e.g. that a
//! UNIX peer is the other end's inode).
//!
//! One known difference: strace names RAW sockets only with the kernel's raw_diag module
//! (CONFIG_INET_RAW_DIAG); without it strace prints `RAW:[INODE]` where sockscope prints the
//! addresses it read. The RAW line is checked on its own.
//!
//! Needs root (eBPF); not root: skipped, except under CI=true.

use crate::support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{SOCKSCOPE, compile_c, require_root, skip, workdir};

const TRACE: &str = "trace=sendto,recvfrom,sendmsg,recvmsg,sendmmsg,recvmmsg";
/// Fixed ports used by the workload: BASE..BASE+9 (and BASE+10..BASE+12 in the JSON test).
/// Below the kernel's default ephemeral range (32768–60999): an ephemeral port equal to a
/// fixed one was left literal in one run and numbered in the other (CI saw a UDP socket
/// auto-bound to 41706 under strace when BASE was 41700).
const BASE: u32 = 31700;

/// `tests/sockinfo/workload.c` compiled into `dir`.
fn workload_exe(dir: &Path) -> PathBuf {
    let exe = dir.join("workload");
    compile_c(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sockinfo/workload.c"),
        &exe,
    );
    exe
}

/// (call name, descriptor argument) of every traced line of a strace or sockscope output.
fn fd_args(text: &str) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for line in text.lines() {
        // sockscope's prefix: "HH:MM:SS.uuuuuu COMM PID/TID ".
        let call = match line.find(|c: char| c.is_ascii_alphabetic()) {
            Some(_) => line,
            None => continue,
        };
        let Some(open) = call.find('(') else { continue };
        let name_start = call[..open].rfind(' ').map(|i| i + 1).unwrap_or(0);
        let name = &call[name_start..open];
        if ![
            "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
        ]
        .contains(&name)
        {
            continue;
        }
        let rest = &call[open + 1..];
        // The number, then a balanced <...> decoration if any.
        let mut end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .unwrap_or(rest.len());
        if rest[end..].starts_with('<') {
            // '<' / '>' outside quoted strings and not in "->" (strace escapes them in paths).
            let (mut depth, mut quoted, mut prev) = (0, false, ' ');
            for (i, c) in rest[end..].char_indices() {
                let esc = prev == '\\';
                prev = if esc { ' ' } else { c };
                match c {
                    '"' if !esc => quoted = !quoted,
                    _ if quoted => {}
                    '<' => depth += 1,
                    '>' if rest[end..][..i].ends_with('-') => {}
                    '>' => {
                        depth -= 1;
                        if depth == 0 {
                            end += i + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        v.push((name.to_string(), rest[..end].to_string()));
    }
    v
}

/// Numbers of 4+ digits that are not the workload's fixed ports become `#k`, k numbering the
/// distinct values in order of first appearance; so does a netlink socket's port id (the
/// workload's pid, which differs between the two runs and has fewer digits on a fresh machine).
fn normalise(args: &[(String, String)]) -> Vec<(String, String)> {
    let mut ids: HashMap<String, usize> = HashMap::new();
    args.iter()
        .map(|(name, a)| {
            let mut out = String::new();
            let mut digits = String::new();
            let flush =
                |digits: &mut String, out: &mut String, ids: &mut HashMap<String, usize>| {
                    // A port follows ':'; an inode number of the same value does not.
                    let fixed = out.ends_with(':')
                        && digits
                            .parse::<u32>()
                            .is_ok_and(|p| (BASE..BASE + 10).contains(&p));
                    let portid = out
                        .rfind("NETLINK:[")
                        .is_some_and(|i| out.ends_with(':') && !out[i..].contains(']'));
                    if (digits.len() >= 4 && !fixed) || (portid && !digits.is_empty()) {
                        let n = ids.len();
                        let k = *ids.entry(digits.clone()).or_insert(n);
                        out.push_str(&format!("#{k}"));
                    } else {
                        out.push_str(digits);
                    }
                    digits.clear();
                };
            for c in a.chars() {
                if c.is_ascii_digit() {
                    digits.push(c);
                } else {
                    flush(&mut digits, &mut out, &mut ids);
                    out.push(c);
                }
            }
            flush(&mut digits, &mut out, &mut ids);
            (name.clone(), out)
        })
        .collect()
}

fn is_raw(a: &str) -> bool {
    a.contains("<RAW:")
}

#[test]
fn yy_matches_strace() {
    if !require_root("sockinfo") {
        return;
    }
    if Command::new("strace").arg("-V").output().is_err() {
        skip("sockinfo", "strace is not installed");
        return;
    }
    let dir = workdir("sockinfo-yy");
    let exe = workload_exe(&dir);
    let base = BASE.to_string();

    let strace_out = dir.join("strace.txt");
    let st = Command::new("strace")
        .args(["-yy", "-qq", "-e", TRACE, "-o"])
        .arg(&strace_out)
        .arg(&exe)
        .arg(&dir)
        .arg(&base)
        .status()
        .unwrap();
    assert!(st.success(), "workload under strace failed");

    let ss_out = dir.join("sockscope.txt");
    let st = Command::new(SOCKSCOPE)
        .args(["-yy", "-e", TRACE, "-o"])
        .arg(&ss_out)
        .arg("--")
        .arg(&exe)
        .arg(&dir)
        .arg(&base)
        .status()
        .unwrap();
    assert!(st.success(), "workload under sockscope failed");

    let expected = fd_args(&std::fs::read_to_string(&strace_out).unwrap());
    let got = fd_args(&std::fs::read_to_string(&ss_out).unwrap());
    assert!(
        expected.len() >= 50,
        "strace saw only {} calls",
        expected.len()
    );
    // The corpus covers every form: a sockscope run that captured nothing cannot match it.
    let all: String = expected.iter().map(|(_, a)| a.as_str()).collect();
    for needle in [
        "<TCP:[127.0.0.1:",
        "<TCPv6:[[::1]:",
        "<UDP:[127.0.0.1:",
        "<UDP:[0.0.0.0:",
        "<UDPv6:[[::1]:",
        "->127.0.0.1:",
        "<UNIX-STREAM:[",
        "<UNIX:[",
        ",@\"sockscope-abs-a-",
        "x.sock\"]>",
        "<NETLINK:[ROUTE:",
        "</dev/null<char 1:3>>",
        "<pipe:[",
        "plain file>",
    ] {
        assert!(all.contains(needle), "strace output lacks {needle}: {all}");
    }
    assert_eq!(
        got.len(),
        expected.len(),
        "call count differs\nstrace:    {expected:?}\nsockscope: {got:?}"
    );

    // The RAW line, on its own (see the module comment).
    for ((en, ea), (gn, ga)) in expected.iter().zip(&got) {
        if is_raw(ea) {
            assert_eq!(en, gn);
            let fd = ea.split('<').next().unwrap();
            assert!(
                ga == ea || *ga == format!("{fd}<RAW:[0.0.0.0:1]>"),
                "raw socket: strace {ea}, sockscope {ga}"
            );
        }
    }
    let e = normalise(
        &expected
            .iter()
            .filter(|(_, a)| !is_raw(a))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let g = normalise(
        &got.iter()
            .filter(|(_, a)| !is_raw(a))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let diffs: Vec<String> = e
        .iter()
        .zip(&g)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| {
            format!(
                "call {i}: strace {}({}  sockscope {}({}",
                a.0, a.1, b.0, b.1
            )
        })
        .collect();
    assert!(
        diffs.is_empty(),
        "{} descriptor(s) differ:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_socket_object() {
    if !require_root("sockinfo") {
        return;
    }
    let dir = workdir("sockinfo-json");
    let exe = workload_exe(&dir);
    let out = dir.join("out.json");
    let st = Command::new(SOCKSCOPE)
        .args(["-yy", "--json", "-e", "trace=sendto,recvfrom", "-o"])
        .arg(&out)
        .arg("--")
        .arg(&exe)
        .arg(&dir)
        .arg((BASE + 10).to_string())
        .status()
        .unwrap();
    assert!(st.success());
    let text = std::fs::read_to_string(&out).unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["eventName"] != "sockscope_summary")
        .collect();
    assert!(events.len() >= 50);
    let mut families = std::collections::BTreeSet::new();
    for ev in &events {
        let s = &ev["socket"];
        assert!(s.is_object(), "no socket object: {ev}");
        assert_eq!(s["fd"], ev["args"][0]["value"]);
        if s["kind"] == "socket" {
            families.insert(s["family"].as_str().unwrap().to_string());
            // The strace text of the decoration is the one in the event's strace line.
            let deco = format!("<{}>", s["strace"].as_str().unwrap());
            assert!(ev["strace"].as_str().unwrap().contains(&deco), "{ev}");
            assert!(s.get("unknown").is_none(), "{s}");
        }
    }
    for f in ["AF_INET", "AF_INET6", "AF_UNIX", "AF_NETLINK"] {
        assert!(families.contains(f), "{families:?}");
    }
    let udp = events
        .iter()
        .map(|e| &e["socket"])
        .find(|s| s["protocolName"] == "UDP" && s["peer"].is_object())
        .expect("a connected UDP socket");
    assert_eq!(udp["type"], "SOCK_DGRAM");
    assert_eq!(udp["protocol"], 17);
    assert_eq!(udp["peer"]["address"], "127.0.0.1");
    assert_eq!(udp["peer"]["port"], BASE + 12);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The comparison's normalisation: a netlink port id (the workload's pid) is not compared
/// literally, whatever its number of digits; other short numbers are.
#[test]
fn normalise_netlink_port_ids() {
    let a = |s: &str| normalise(&[("sendto".to_string(), s.to_string())]);
    assert_eq!(a("3<NETLINK:[ROUTE:432]>"), a("3<NETLINK:[ROUTE:434]>"));
    assert_eq!(a("3<NETLINK:[ROUTE:12]>"), a("3<NETLINK:[ROUTE:87654]>"));
    assert_ne!(a("3<UNIX:[12]>"), a("3<UNIX:[13]>"));
    assert_ne!(a("3<NETLINK:[ROUTE:1]>x:2"), a("3<NETLINK:[ROUTE:1]>x:3"));
    // A fixed port stays literal; an inode number of the same value is numbered.
    let fixed = BASE + 2;
    assert_eq!(
        a(&format!("3<UDP:[127.0.0.1:{fixed}]>"))[0].1,
        format!("3<UDP:[127.0.0.1:{fixed}]>")
    );
    assert_eq!(a(&format!("3<UNIX:[{fixed}]>"))[0].1, "3<UNIX:[#0]>");
}
