//! A call already in progress when sockscope attaches (issue 12): a server blocked in recvfrom
//! before `-p` attaches gets one datagram after attach. By default recvfrom is captured at its
//! exit (its in-length noted inside the receive), so the call is shown like any other. With
//! entry programs (`-T`) its exit has no traced entry (what the caller handed in, such as
//! *addrlen, is gone), so the call is counted — in the summary line and the JSON summary
//! record — and never vanishes silently. Needs root.

use crate::support;

use std::io::{BufRead as _, BufReader, Read as _};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use support::*;

#[test]
fn call_in_progress_at_attach_is_shown_or_counted() {
    if !require_root("call_in_progress_at_attach_is_shown_or_counted") {
        return;
    }
    // Default: shown, with what the exit can know (the datagram and its source).
    let (shown, text) = in_progress_run(&[]);
    assert_eq!(shown, 1, "the recvfrom is shown:\n{text}");
    assert!(
        text.contains(r#""strace":"recvfrom(3, \"ping\", 64"#),
        "{text}"
    );
    // With -T (entry programs): counted.
    let (shown, text) = in_progress_run(&["-T"]);
    assert_eq!(shown, 0, "the recvfrom is counted, not shown:\n{text}");
}

/// Runs the scenario with `opts`; returns how many recvfrom records were shown (the rest being
/// counted, as the function checks) and the JSON text.
fn in_progress_run(opts: &[&str]) -> (u64, String) {
    let port = 40611;
    let exe = workload("inprogress");
    let mut w = Command::new(&exe)
        .arg(port.to_string())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    // Let it reach recvfrom and block there.
    std::thread::sleep(Duration::from_millis(300));
    let mut t = Command::new(SOCKSCOPE)
        .args(["--json", "-o", "-", "-p", &w.id().to_string()])
        .args(opts)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = t.stdout.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let mut err = BufReader::new(t.stderr.take().unwrap());
    let mut errtext = String::new();
    loop {
        let mut l = String::new();
        if err.read_line(&mut l).unwrap() == 0 {
            panic!("sockscope ended before attaching:\n{errtext}");
        }
        errtext += &l;
        if l.contains("attached") {
            break;
        }
    }
    // The workload is still blocked in its recvfrom (it has not exited).
    assert!(w.try_wait().unwrap().is_none(), "workload ended early");
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    peer.send_to(b"ping", ("127.0.0.1", port)).unwrap();
    let mut buf = [0u8; 16];
    let (n, _) = peer.recv_from(&mut buf).expect("the echo");
    assert_eq!(&buf[..n], b"ping");
    assert!(w.wait().unwrap().success());
    // -p ends when the traced process has gone.
    let st = wait_exit(&mut t, Duration::from_secs(20), "sockscope -p");
    let _ = err.read_to_string(&mut errtext);
    assert!(st.success(), "{errtext}");
    let text = out.join().unwrap();
    let recs: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let named = |n: &str| {
        recs.iter()
            .filter(|r| r["eventName"] == n)
            .collect::<Vec<_>>()
    };
    // The call after it is traced as usual: the capture worked.
    assert_eq!(named("sendto").len(), 1, "{text}");
    let shown = named("recvfrom").len() as u64;
    let sum = named("sockscope_summary");
    assert_eq!(sum.len(), 1, "{text}");
    let counted = sum[0]["inProgressAtAttach"]
        .as_u64()
        .expect("inProgressAtAttach");
    assert_eq!(
        shown + counted,
        1,
        "the recvfrom is shown or counted:\n{text}"
    );
    if counted == 1 {
        assert!(
            errtext.contains(", 1 calls in progress at attach not shown"),
            "{errtext}"
        );
    }
    (shown, text)
}
