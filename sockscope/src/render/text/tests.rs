use sockscope_common::{EventId, RF_SEGS_TRUNCATED, seg};

use super::*;
use crate::{
    record::RecordBuilder,
    render::{Clock, RenderOpts},
};

fn sin(port: u16) -> Vec<u8> {
    let mut a = vec![2, 0];
    a.extend_from_slice(&port.to_be_bytes());
    a.extend_from_slice(&[127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    a
}

fn render(bytes: &[u8]) -> String {
    let rec = Record::parse(bytes).unwrap();
    let mut out = String::new();
    line(
        &mut out,
        &rec,
        &RenderOpts::new(Style::default(), false, Clock { offset_ns: 0 }),
    );
    out
}

fn sendto(at_exit: &[u8]) -> RecordBuilder {
    RecordBuilder::new(EventId::Sendto, [3, 0x1000, 2, 0, 0x2000, 16], 2)
        .seg(seg::BUF, 0, 0x1000, b"hi")
        .seg(seg::ADDR, 0, 0x2000, &sin(40001))
        .seg(seg::ADDR_EXIT, 0, 0x2000, at_exit)
}

#[test]
fn toctou_marker_only_when_the_destination_changed() {
    let call = r#"sendto(3, "hi", 2, 0, {sa_family=AF_INET, sin_port=htons(40001), sin_addr=inet_addr("127.0.0.1")}, 16) = 2"#;
    let same = render(&sendto(&sin(40001)).build());
    assert!(same.ends_with(call), "{same}");
    let changed = render(&sendto(&sin(40002)).build());
    assert!(
        changed.ends_with(&format!(
            "{call} [TOCTOU: dest_addr at exit {{sa_family=AF_INET, sin_port=htons(40002), sin_addr=inet_addr(\"127.0.0.1\")}}]"
        )),
        "{changed}"
    );
}

fn call_with(rec: &[u8], opts: &RenderOpts) -> String {
    let rec = Record::parse(rec).unwrap();
    let mut out = String::from("PREFIX ");
    call(&mut out, &rec, opts);
    out
}

#[test]
fn a_column_aligns_the_return_value_as_strace() {
    let b = RecordBuilder::new(EventId::Sendto, [3, 0x1000, 2, 0, 0, 0], 2)
        .seg(seg::BUF, 0, 0x1000, b"hi")
        .build();
    let opts = RenderOpts::new(Style::default(), false, Clock { offset_ns: 0 });
    // `sendto(3, "hi", 2, 0, NULL, 0)` is 30 bytes; strace prints ") ", pads to the column
    // (counted from the call's start, not sockscope's prefix) and then "= ".
    assert_eq!(
        call_with(&b, &opts),
        r#"PREFIX sendto(3, "hi", 2, 0, NULL, 0) = 2"#
    );
    assert_eq!(
        call_with(&b, &opts.with_acolumn(40)),
        format!(
            r#"PREFIX sendto(3, "hi", 2, 0, NULL, 0){}= 2"#,
            " ".repeat(10)
        )
    );
    assert_eq!(
        call_with(&b, &opts.with_acolumn(20)),
        r#"PREFIX sendto(3, "hi", 2, 0, NULL, 0) = 2"#
    );
}

#[test]
fn nonverbose_calls_show_pointers() {
    let b = RecordBuilder::new(EventId::Sendto, [3, 0x1000, 2, 0, 0x2000, 16], 2)
        .seg(seg::BUF, 0, 0x1000, b"hi")
        .seg(seg::ADDR, 0, 0x2000, &sin(40001))
        .build();
    let mut opts = RenderOpts::new(Style::default(), false, Clock { offset_ns: 0 });
    opts.nonverbose = 1 << (EventId::Sendto as u16);
    assert_eq!(
        call_with(&b, &opts),
        r#"PREFIX sendto(3, "hi", 2, 0, 0x2000, 16) = 2"#
    );
    opts.nonverbose = 1 << (EventId::Recvmsg as u16);
    assert!(call_with(&b, &opts).contains("sin_port=htons(40001)"));
}

#[test]
fn killed_in_the_call_is_a_question_mark() {
    let mut b = RecordBuilder::new(EventId::Recvfrom, [3, 0x1000, 64, 0, 0x2000, 0x3000], -512);
    b.header_mut().flags |= sockscope_common::RF_KILLED;
    let text = render(&b.build());
    assert!(
        text.ends_with(" recvfrom(3,  <unfinished ...>) = ?"),
        "{text}"
    );
    let mut b = sendto(&sin(40001));
    b.header_mut().ret = -512;
    b.header_mut().flags |= sockscope_common::RF_KILLED;
    let text = render(&b.build());
    assert!(
        text.ends_with(r#"sendto(3, "hi", 2, 0, {sa_family=AF_INET, sin_port=htons(40001), sin_addr=inet_addr("127.0.0.1")}, 16 <unfinished ...>) = ?"#),
        "{text}"
    );
    // Not killed: strace's restart code.
    let b = RecordBuilder::new(EventId::Recvfrom, [3, 0x1000, 64, 0, 0, 0], -512);
    assert!(render(&b.build()).ends_with("= ? ERESTARTSYS (To be restarted if SA_RESTART is set)"));
}

#[test]
fn prefix_name_is_one_escaped_token() {
    let mut b = sendto(&sin(40001));
    let name = b"x\n00:00:00 sshd";
    b.header_mut().comm = [0; 16];
    b.header_mut().comm[..name.len()].copy_from_slice(name);
    let text = render(&b.build());
    assert!(!text.contains('\n'), "{text:?}");
    let mut it = text.split(' ');
    let _time = it.next();
    assert_eq!(it.next(), Some("x\\x0a00:00:00\\x20sshd"), "{text}");
    for bad in [0x1bu8, b'\r', 0x07, 0x08, b'\t', 0x7f, 0xff, 0x9b] {
        let mut b = sendto(&sin(40001));
        b.header_mut().comm = [0; 16];
        b.header_mut().comm[..3].copy_from_slice(&[b'a', bad, b'b']);
        let text = render(&b.build());
        assert!(
            text.bytes().all(|c| (0x20..0x7f).contains(&c)),
            "{bad:#x}: {text:?}"
        );
        assert!(text.contains(&format!(" a\\x{bad:02x}b ")), "{text}");
    }
}

#[test]
fn time_columns() {
    let opts = |t| RenderOpts::new(Style::default(), false, Clock { offset_ns: 0 }).with_time(t);
    let mut b = sendto(&sin(40001));
    b.header_mut().ts_ns = 1_700_000_000_123_456_789;
    let bytes = b.build();
    let rec = Record::parse(&bytes).unwrap();
    let col = |t| {
        let mut out = String::new();
        line(&mut out, &rec, &opts(t));
        out.split(' ').next().unwrap().to_string()
    };
    assert_eq!(col(TimeFormat::Epoch), "1700000000.123456");
    assert_eq!(col(TimeFormat::Seconds).len(), 8);
    assert_eq!(col(TimeFormat::Micros).len(), 15);
    assert!(col(TimeFormat::Micros).ends_with(".123456"));
    // -t / -tt against localtime_r and format!, across seconds and microsecond digits.
    for (secs, usec) in [
        (1_700_000_000i64, 0u64),
        (1_700_000_000, 7),
        (1_700_000_001, 42),
        (1_700_003_599, 9_999),
        (1_700_003_600, 10_000),
        (1_700_050_000, 123_456),
        (1_700_086_399, 999_999),
    ] {
        let mut b = sendto(&sin(40001));
        b.header_mut().ts_ns = secs as u64 * 1_000_000_000 + usec * 1000 + 999;
        let bytes = b.build();
        let rec = Record::parse(&bytes).unwrap();
        // SAFETY: localtime_r fills tm.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        unsafe { libc::localtime_r(&secs, &mut tm) };
        let hms = format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
        for (t, want) in [
            (TimeFormat::Seconds, hms.clone()),
            (TimeFormat::Micros, format!("{hms}.{usec:06}")),
        ] {
            let mut out = String::new();
            line(&mut out, &rec, &opts(t));
            assert_eq!(out.split(' ').next().unwrap(), want);
        }
    }
    let mut out = String::new();
    line(&mut out, &rec, &opts(TimeFormat::Relative));
    out.clear();
    line(&mut out, &rec, &opts(TimeFormat::Relative));
    assert!(out.starts_with("     0.000000 "), "{out}");
}

#[test]
fn truncated_capture_is_marked() {
    let mut b = sendto(&sin(40001));
    b.header_mut().flags |= RF_SEGS_TRUNCATED;
    let text = render(&b.build());
    assert!(text.ends_with(") = 2 [capture truncated]"), "{text}");
}

/// The task column kept from the last line equals the one written afresh, as the name, the
/// process and the thread change in turn (a name with bytes to escape included), and a line
/// of another task between two of the same one.
#[test]
fn task_column_kept_from_the_last_line_equals_a_fresh_one() {
    let name = |s: &[u8]| {
        let mut c = [0u8; 16];
        c[..s.len()].copy_from_slice(s);
        c
    };
    let tasks = [
        (name(b"task"), 100, 101),
        (name(b"task"), 100, 101),
        (name(b"task"), 200, 101),
        (name(b"task"), 100, 101),
        (name(b"task"), 100, 102),
        (name(b"tasx"), 100, 102),
        (name(b"a\xffb\x01\\c d"), 100, 102),
        (name(b"a\xffb\x01\\c d"), 100, 102),
        (name(b"fifteen-chars-x"), 4_000_000, 4_000_001),
        (name(b"task"), 100, 101),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (comm, tgid, tid) in tasks {
        let (mut kept, mut fresh) = (String::from("x"), String::from("x"));
        task_column(&mut kept, comm, tgid, tid);
        task_column_text(&mut fresh, &comm, tgid, tid);
        assert_eq!(kept, fresh);
        seen.insert(kept);
    }
    // Every distinct task gave its own text (the key is not missing a field).
    assert_eq!(seen.len(), 6, "{seen:?}");
}
