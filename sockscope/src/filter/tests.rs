#![allow(unused_imports)]
use super::*;
use crate::call::Call;
use crate::decode::errno::{MAX_ERRNO, errno_name};
use crate::decode::msghdr::MSGHDR_SIZE;
use crate::decode::msghdr::Msghdr;
use crate::decode::xlat::{ADDRESS_FAMILIES, MSG_FLAGS};
use crate::events::EVENTS;
use crate::record::RecordBuilder;
use crate::render::cpu_ns;
use sockscope_common::seg;
use sockscope_common::{EventId, MAX_MMSG, wire::IOVEC_SIZE};
use std::net::{Ipv4Addr, Ipv6Addr};

// ---- sockaddr / msghdr bytes as user space lays them out -----------------------------------

fn sin(ip: [u8; 4], port: u16) -> Vec<u8> {
    let mut b = vec![0u8; 16];
    b[..2].copy_from_slice(&AF_INET.to_ne_bytes());
    b[2..4].copy_from_slice(&port.to_be_bytes());
    b[4..8].copy_from_slice(&ip);
    b
}

fn sin6(ip: &str, port: u16) -> Vec<u8> {
    let mut b = vec![0u8; 28];
    b[..2].copy_from_slice(&AF_INET6.to_ne_bytes());
    b[2..4].copy_from_slice(&port.to_be_bytes());
    b[8..24].copy_from_slice(&ip.parse::<Ipv6Addr>().unwrap().octets());
    b
}

/// sockaddr_un with `path` and, as SUN_LEN does, its NUL (not for abstract names).
fn sun(path: &[u8]) -> Vec<u8> {
    let mut b = AF_UNIX.to_ne_bytes().to_vec();
    b.extend_from_slice(path);
    if path.first() != Some(&0) {
        b.push(0);
    }
    b
}

fn msghdr(name: u64, namelen: u32, iov: u64, iovlen: u64, flags: u32) -> Vec<u8> {
    let mut b = vec![0u8; MSGHDR_SIZE];
    b[0..8].copy_from_slice(&name.to_le_bytes());
    b[8..12].copy_from_slice(&namelen.to_le_bytes());
    b[16..24].copy_from_slice(&iov.to_le_bytes());
    b[24..32].copy_from_slice(&iovlen.to_le_bytes());
    b[48..52].copy_from_slice(&flags.to_le_bytes());
    b
}

fn iovs(lens: &[u64]) -> Vec<u8> {
    let mut b = Vec::new();
    for (i, l) in lens.iter().enumerate() {
        b.extend_from_slice(&(0x9000 + 0x100 * i as u64).to_le_bytes());
        b.extend_from_slice(&l.to_le_bytes());
    }
    b
}

fn mmsg(hdrs: &[(Vec<u8>, u32)]) -> Vec<u8> {
    let mut b = Vec::new();
    for (h, len) in hdrs {
        b.extend_from_slice(h);
        b.extend_from_slice(&len.to_le_bytes());
        b.extend_from_slice(&[0; 4]);
    }
    b
}

// ---- records built as sockscope-ebpf captures them ------------------------------------------

/// sendto(fd, buf, len, flags, addr, addrlen) = ret.
fn sendto(fd: u64, len: u64, flags: u64, addr: Option<&[u8]>, ret: i64) -> Vec<u8> {
    let (ap, alen) = addr.map_or((0, 0), |a| (0x7000, a.len() as u64));
    let mut b = RecordBuilder::new(EventId::Sendto, [fd, 0x1000, len, flags, ap, alen], ret).seg(
        seg::BUF,
        0,
        0x1000,
        &vec![b'x'; len.min(32) as usize],
    );
    if let Some(a) = addr {
        b = b.seg(seg::ADDR, 0, ap, a).seg(seg::ADDR_EXIT, 0, ap, a);
    }
    b.build()
}

/// recvfrom(fd, buf, len, flags, &addr, &addrlen) = ret, the kernel filling in `from`.
fn recvfrom(len: u64, flags: u64, from: Option<&[u8]>, ret: i64) -> Vec<u8> {
    let (ap, lp) = if from.is_some() {
        (0x7000, 0x7100)
    } else {
        (0, 0)
    };
    let mut b = RecordBuilder::new(EventId::Recvfrom, [3, 0x1000, len, flags, ap, lp], ret);
    if from.is_some() {
        b = b.seg(seg::ADDRLEN_IN, 0, lp, &128i32.to_ne_bytes());
    }
    if ret >= 0 {
        b = b.seg(seg::BUF, 0, 0x1000, &vec![b'y'; ret.min(32) as usize]);
        if let Some(a) = from {
            b = b
                .seg(seg::ADDRLEN_OUT, 0, lp, &(a.len() as i32).to_ne_bytes())
                .seg(seg::ADDR, 0, ap, a);
        }
    }
    b.build()
}

fn sendmsg(name: Option<&[u8]>, iov_lens: &[u64], flags: u64, ret: i64) -> Vec<u8> {
    let (np, nl) = name.map_or((0, 0), |n| (0x7000, n.len() as u32));
    let mh = msghdr(np, nl, 0x8000, iov_lens.len() as u64, 0);
    let mut b = RecordBuilder::new(EventId::Sendmsg, [3, 0x6000, flags, 0, 0, 0], ret).seg(
        seg::MSGHDR,
        0,
        0x6000,
        &mh,
    );
    if let Some(n) = name {
        b = b.seg(seg::ADDR, 0, np, n);
    }
    if !iov_lens.is_empty() {
        b = b.seg(seg::IOV, 0, 0x8000, &iovs(iov_lens));
    }
    if let Some(n) = name {
        b = b.seg(seg::ADDR_EXIT, 0, np, n);
    }
    b.build()
}

/// recvmsg with msg_namelen 128 at entry; the kernel stores `from` (None: a connected
/// socket, namelen 0).
fn recvmsg(from: Option<&[u8]>, iov_lens: &[u64], ret: i64) -> Vec<u8> {
    let entry = msghdr(0x7000, 128, 0x8000, iov_lens.len() as u64, 0);
    let mut b = RecordBuilder::new(EventId::Recvmsg, [3, 0x6000, 0x40, 0, 0, 0], ret).seg(
        seg::MSGHDR,
        0,
        0x6000,
        &entry,
    );
    if ret >= 0 {
        let got = from.map_or(0, |f| f.len() as u32);
        b = b
            .seg(
                seg::MSGHDR_EXIT,
                0,
                0x6000,
                &msghdr(0x7000, got, 0x8000, iov_lens.len() as u64, 0),
            )
            .seg(seg::ADDR, 0, 0x7000, from.unwrap_or(&[]))
            .seg(seg::IOV, 0, 0x8000, &iovs(iov_lens));
    }
    b.build()
}

fn sendmmsg(names: &[&[u8]], iov_lens: &[u64], ret: i64) -> Vec<u8> {
    let hdrs: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                msghdr(0x7000 + i as u64 * 0x100, n.len() as u32, 0x8000, 1, 0),
                0,
            )
        })
        .collect();
    let mut b = RecordBuilder::new(
        EventId::Sendmmsg,
        [4, 0x6000, names.len() as u64, 0, 0, 0],
        ret,
    )
    .seg(seg::MMSGHDR, 0, 0x6000, &mmsg(&hdrs));
    for (i, n) in names.iter().enumerate() {
        b = b
            .seg(seg::ADDR, i as u16, 0x7000 + i as u64 * 0x100, n)
            .seg(seg::IOV, i as u16, 0x8000, &iovs(&[iov_lens[i]]));
    }
    if ret > 0 {
        let sent: Vec<_> = hdrs.iter().take(ret as usize).cloned().collect();
        b = b.seg(seg::MMSGHDR_EXIT, 0, 0x6000, &mmsg(&sent));
    }
    b.build()
}

fn recvmmsg(vlen: usize, froms: &[&[u8]], ret: i64) -> Vec<u8> {
    let entry: Vec<_> = (0..vlen)
        .map(|i| (msghdr(0x7000 + i as u64 * 0x100, 128, 0x8000, 1, 0), 0))
        .collect();
    let mut b = RecordBuilder::new(
        EventId::Recvmmsg,
        [4, 0x6000, vlen as u64, 0x10000, 0, 0],
        ret,
    )
    .seg(seg::MMSGHDR, 0, 0x6000, &mmsg(&entry));
    if ret > 0 {
        let exit: Vec<_> = froms
            .iter()
            .enumerate()
            .map(|(i, f)| {
                (
                    msghdr(0x7000 + i as u64 * 0x100, f.len() as u32, 0x8000, 1, 0),
                    100,
                )
            })
            .collect();
        b = b.seg(seg::MMSGHDR_EXIT, 0, 0x6000, &mmsg(&exit));
        for (i, f) in froms.iter().enumerate() {
            b = b
                .seg(seg::ADDR, i as u16, 0x7000 + i as u64 * 0x100, f)
                .seg(seg::IOV, i as u16, 0x8000, &iovs(&[1500]));
        }
    }
    b.build()
}

fn m(expr: &str, bytes: &[u8]) -> bool {
    let f = Filter::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    f.matches(&Record::parse(bytes).unwrap())
}

fn perr(expr: &str) -> FilterError {
    match Filter::parse(expr) {
        Ok(_) => panic!("{expr}: parsed"),
        Err(e) => e,
    }
}

// ---- parsing errors ----------------------------------------------------------------------

#[test]
fn errors_name_the_column_and_what_was_expected() {
    let e = perr("dport ==");
    assert_eq!(
        e.to_string(),
        "--filter: at column 9: expected a port number (0..65535) after '==', found end of input"
    );
    let e = perr("dprot == 53");
    assert_eq!(e.column, 1);
    assert!(
        e.message
            .starts_with("unknown field 'dprot' (did you mean 'dport'?); fields: event, fd, pid"),
        "{e}"
    );
    let e = perr("dport == 53 ||");
    assert_eq!(
        (e.column, e.message.as_str()),
        (15, "expected a field name, '!' or '(', found end of input")
    );
    let e = perr("(dport == 53");
    assert_eq!(e.column, 13);
    assert!(
        e.message.contains("expected ')'") && e.message.contains("column 1"),
        "{e}"
    );
    let e = perr("dport == 53)");
    assert_eq!(e.column, 12);
    assert!(e.message.contains("unbalanced ')'"), "{e}");
    assert_eq!(perr("dport = 53").column, 7);
    assert_eq!(perr("failed & ret > 0").column, 8);
    let e = perr("dport 53");
    assert_eq!(e.column, 7);
    assert!(
        e.message.starts_with(
            "expected an operator after 'dport' (==, !=, <, <=, >, >=, in), found '53'"
        ),
        "{e}"
    );
    let e = perr("comm < x");
    assert_eq!(
        (e.column, e.message.as_str()),
        (
            6,
            "operator '<' does not apply to field 'comm' (operators: ==, !=, in, ~, !~)"
        )
    );
    assert_eq!(perr("failed == 1").column, 8);
    assert_eq!(perr("ret has 1").column, 5);
    assert_eq!(
        perr("dport == 70000").message,
        "port 70000 out of range 0..65535"
    );
    let e = perr("event == sendot");
    assert!(
        e.message.contains("(did you mean 'sendto'?)") && e.column == 10,
        "{e}"
    );
    let e = perr("errno == EAGIAN");
    assert!(e.message.contains("did you mean 'EAGAIN'"), "{e}");
    let e = perr("flags has MSG_DONTWAT");
    assert!(e.message.contains("did you mean 'MSG_DONTWAIT'"), "{e}");
    assert_eq!(perr("dst == 10.0.0.0/33").column, 8);
    assert_eq!(perr("dst in ::/129").column, 8);
    let e = perr("dst == foo");
    assert!(
        e.message.starts_with("expected an IP address, a CIDR"),
        "{e}"
    );
    assert_eq!(perr("dst in {10.0.0.0/8 ::1}").column, 20);
    assert_eq!(perr("dst in {}").column, 9);
    assert_eq!(
        perr("comm == \"abc").message,
        "unterminated string: expected a closing \""
    );
    assert_eq!(perr("comm == \"a\\xZZ\"").column, 11);
    assert_eq!(
        perr("").message,
        "expected a field name, '!' or '(', found end of input"
    );
    assert_eq!(perr("   ").column, 4);
    assert!(
        perr("53 == dport")
            .message
            .starts_with("expected a field name (event, fd")
    );
    assert!(
        perr("event ~ \"foo*\"")
            .message
            .starts_with("pattern \"foo*\" matches no event")
    );
    assert_eq!(perr("fd in {5..3}").message, "empty range '5..3': 5 > 3");
    assert!(
        perr("family < 2")
            .message
            .starts_with("operator '<' does not apply")
    );
    // Columns count characters, not bytes.
    assert_eq!(perr("comm == \"é\" &&").column, 15);
    // One line whatever the input.
    for s in ["comm == \"a\nb\" &&", "fd == \u{1}x", "x\ny"] {
        assert!(!perr(s).to_string().contains('\n'), "{s:?}");
    }
    assert!(perr(&"(".repeat(1000)).message.contains("nested"));
    assert!(perr(&"!".repeat(1000)).message.contains("nested"));
}

// ---- fields ------------------------------------------------------------------------------

#[test]
fn identity_fields() {
    let mut b = RecordBuilder::new(EventId::Sendto, [7, 0, 5, 0, 0, 0], 5);
    {
        let h = b.header_mut();
        h.tgid = 1234;
        h.tid = 1240;
        h.ppid = 1;
        h.uid = 1000;
        h.gid = 100;
        h.comm = *b"systemd-resolve\0";
    }
    let r = b.build();
    for e in [
        "pid == 1234",
        "tid == 1240 && tid != 1234",
        "ppid == 1",
        "uid == 1000 && gid == 100",
        "fd == 7 && fd in {3, 5..9}",
        "comm == systemd-resolve",
        "comm == \"systemd-resolved\"",
        "comm ~ \"systemd-*\"",
        "comm ~ 'sys?emd*'",
        "comm in {nginx, systemd-resolve}",
        "comm !~ nginx*",
        "comm != nginx",
        "event == sendto && event != recvfrom",
        "event in {sendto, recvfrom}",
        "event ~ send*",
        "event !~ recv*",
        "true",
        "!false",
    ] {
        assert!(m(e, &r), "{e}");
    }
    for e in [
        "pid == 1240",
        "pid < 1000",
        "comm == systemd",
        "comm ~ \"resolve\"",
        "comm in {nginx}",
        "event == recvfrom",
        "event in {sendmsg, sendmmsg}",
        "fd in {1..6, 8}",
        "false",
    ] {
        assert!(!m(e, &r), "{e}");
    }
}

#[test]
fn fd_is_the_int_argument() {
    let r = RecordBuilder::new(EventId::Sendto, [u32::MAX as u64, 0, 0, 0, 0, 0], -9).build();
    assert!(m("fd == -1 && fd < 0", &r));
}

#[test]
fn ret_failed_errno() {
    let ok = sendto(3, 5, 0, None, 5);
    let again = recvfrom(100, 0x40, None, -11);
    let badf = sendto(99, 5, 0, None, -9);
    assert!(m(
        "ret == 5 && ret >= 5 && ret <= 5 && !(ret > 5) && !(ret < 5)",
        &ok
    ));
    assert!(m("!failed && !errno", &ok));
    assert!(!m("failed", &ok));
    assert!(!m("errno == EAGAIN", &ok));
    assert!(!m("errno != EAGAIN", &ok), "absent: a comparison is false");
    assert!(
        m("!(errno == EAGAIN)", &ok),
        "absent: ! of a comparison is true"
    );
    assert!(m(
        "failed && errno && errno == EAGAIN && errno == 11 && errno == EWOULDBLOCK",
        &again
    ));
    assert!(m(
        "ret == -11 && ret < 0 && errno in {EINTR, eagain}",
        &again
    ));
    assert!(!m("errno != EAGAIN", &again));
    assert!(m(
        "failed && errno != EAGAIN && errno == EBADF && errno < 10",
        &badf
    ));
    // ERESTARTSYS is an error strace names; a huge negative value is not an errno.
    assert!(m("errno == ERESTARTSYS", &sendto(3, 5, 0, None, -512)));
    let weird = sendto(3, 5, 0, None, -5000);
    assert!(m("!failed && !errno && ret == -5000", &weird));
}

#[test]
fn len_and_vlen() {
    assert!(m(
        "len == 1500 && len > 1024",
        &sendto(3, 1500, 0, None, 1500)
    ));
    assert!(m(
        "len == 65536 && ret == 20",
        &recvfrom(65536, 0, None, 20)
    ));
    assert!(m("len == 0", &sendto(3, 0, 0, None, 0)));
    assert!(m("len == 0x10000000000", &sendto(3, 1 << 40, 0, None, -14)));
    assert!(m(
        "len == 600 && !vlen",
        &sendmsg(None, &[100, 200, 300], 0, 600)
    ));
    assert!(m("len == 0", &sendmsg(None, &[], 0, 0)));
    assert!(m("len == 4096", &recvmsg(None, &[4096], 10)));
    assert!(
        !m("len", &recvmsg(None, &[4096], -11)),
        "failed recvmsg: iovecs not captured"
    );
    // More iovecs than captured: the total is unknown.
    let mh = msghdr(0, 0, 0x8000, 40, 0);
    let r = RecordBuilder::new(EventId::Sendmsg, [3, 0x6000, 0, 0, 0, 0], 10)
        .seg(seg::MSGHDR, 0, 0x6000, &mh)
        .seg(seg::IOV, 0, 0x8000, &iovs(&[1; 32]))
        .build();
    assert!(!m("len || len == 32 || len != 32", &r));
    let a = sin([10, 0, 0, 1], 53);
    let r = sendmmsg(&[&a, &a], &[10, 2000], 2);
    assert!(m(
        "vlen == 2 && len == 10 && len == 2000 && len > 1500 && len < 100",
        &r
    ));
    assert!(!m("len == 500 || len != 10", &r));
    assert!(m("vlen == 3 && len == 1500", &recvmmsg(3, &[&a], 1)));
}

#[test]
fn flags() {
    let r = recvfrom(100, 0x40 | 0x2, None, 5);
    for e in [
        "flags has MSG_DONTWAIT",
        "flags has MSG_PEEK|MSG_DONTWAIT",
        "flags has dontwait | peek",
        "flags has 0x40",
        "flags == MSG_DONTWAIT|MSG_PEEK",
        "flags == 0x42",
        "flags != 0",
        "flags != MSG_DONTWAIT",
        "!(flags has MSG_WAITALL)",
        "flags has MSG_PEEK && !(flags has MSG_OOB)",
    ] {
        assert!(m(e, &r), "{e}");
    }
    for e in [
        "flags has MSG_WAITALL",
        "flags has MSG_PEEK|MSG_WAITALL",
        "flags == 0",
        "flags == MSG_PEEK",
    ] {
        assert!(!m(e, &r), "{e}");
    }
    assert!(m("flags == 0", &sendto(3, 1, 0, None, 1)));
    assert!(m("flags has MSG_NOSIGNAL", &sendmsg(None, &[1], 0x4000, 1)));
    assert!(m(
        "flags has MSG_WAITFORONE",
        &recvmmsg(2, &[&sin([1, 2, 3, 4], 5)], 1)
    ));
    assert!(m(
        "flags has MSG_CMSG_COMPAT",
        &sendto(3, 1, 0x8000_0000, None, 1)
    ));
    // Only the int's 32 bits are the flags.
    assert!(m(
        "flags == 0x40",
        &sendto(3, 1, 0xffff_ffff_0000_0040, None, 1)
    ));
}

#[test]
fn addresses_per_call() {
    let dns = sin([10, 1, 2, 3], 53);
    let to = sendto(3, 30, 0, Some(&dns), 30);
    assert!(m(
        "dst == 10.1.2.3 && dport == 53 && family == AF_INET && addr == 10.1.2.3 && port == 53",
        &to
    ));
    assert!(m(
        "dst in 10.0.0.0/8 && !src && !sport && dst && family != AF_INET6",
        &to
    ));
    assert!(!m(
        "src == 10.1.2.3 || sport == 53 || src in 0.0.0.0/0 || src != 1.2.3.4",
        &to
    ));
    assert!(m("dport == 53 || sport == 53", &to));

    let from = recvfrom(512, 0, Some(&dns), 40);
    assert!(m(
        "src == 10.1.2.3 && sport == 53 && addr in 10.0.0.0/8 && port == 53 && family == inet",
        &from
    ));
    assert!(!m("dst || dport || dst == 10.1.2.3 || dport != 1", &from));
    assert!(m("dport == 53 || sport == 53", &from));
    // Failed receive: the kernel side captures no address.
    assert!(!m(
        "src || family || sport",
        &recvfrom(512, 0, Some(&dns), -11)
    ));
    // NULL address: connected socket.
    let conn = sendto(3, 5, 0, None, 5);
    assert!(!m(
        "dst || family == AF_INET || dst != 1.2.3.4 || dport != 53",
        &conn
    ));
    assert!(m("!dst && !(dport == 53)", &conn));

    let v6 = sin6("2001:db8::1", 443);
    let sm = sendmsg(Some(&v6), &[10], 0, 10);
    assert!(m(
        "dst == 2001:db8::1 && dst in 2001:db8::/32 && dport == 443 && family == AF_INET6",
        &sm
    ));
    assert!(!m("src", &sm));
    assert!(!m("dst", &sendmsg(None, &[10], 0, 10)));

    let rm = recvmsg(Some(&v6), &[100], 10);
    assert!(m(
        "src == 2001:db8::1 && sport == 443 && !dst && family == 10",
        &rm
    ));
    // recvmsg on a connected socket: msg_namelen comes back 0.
    assert!(!m("src || family", &recvmsg(None, &[100], 10)));
    assert!(!m("src", &recvmsg(Some(&v6), &[100], -11)));
}

#[test]
fn recvfrom_address_cut_to_the_callers_length() {
    // addrlen 4 at entry: the kernel wrote only the family and the port.
    let a = sin([10, 0, 0, 1], 53);
    let r = RecordBuilder::new(EventId::Recvfrom, [3, 0x1000, 10, 0, 0x7000, 0x7100], 1)
        .seg(seg::ADDRLEN_IN, 0, 0x7100, &4i32.to_ne_bytes())
        .seg(seg::BUF, 0, 0x1000, b"x")
        .seg(seg::ADDRLEN_OUT, 0, 0x7100, &16i32.to_ne_bytes())
        .seg(seg::ADDR, 0, 0x7000, &a)
        .build();
    assert!(m("family == AF_INET && !(src in 0.0.0.0/0) && !sport", &r));
}

#[test]
fn mmsg_any_message() {
    let a = sin([10, 0, 0, 1], 53);
    let b = sin([192, 168, 1, 1], 5353);
    let s = sendmmsg(&[&a, &b], &[10, 20], 2);
    for e in [
        "dst == 10.0.0.1",
        "dst == 192.168.1.1",
        "dport == 5353 && dport == 53",
        "dst in {172.16.0.0/12, 192.168.0.0/16}",
        "dst != 8.8.8.8",
        "dport != 80",
        "dport in {1..100}",
    ] {
        assert!(m(e, &s), "{e}");
    }
    for e in [
        "dst != 10.0.0.1",
        "dport != 53",
        "dst == 8.8.8.8",
        "src",
        "family == AF_INET6",
    ] {
        assert!(!m(e, &s), "{e}");
    }
    let u = sun(b"/tmp/a");
    let r = recvmmsg(4, &[&a, &u], 2);
    assert!(m(
        "src == 10.0.0.1 && src == /tmp/a && family == AF_UNIX && family == AF_INET",
        &r
    ));
    assert!(m("sport == 53 && sport != 80 && !dst", &r));
    // Only the messages received count.
    assert!(!m("src == /tmp/a", &recvmmsg(4, &[&a, &u], 1)));
    assert!(!m("src || len", &recvmmsg(4, &[], -11)));
}

#[test]
fn unix_paths() {
    let p = sun(b"/run/systemd/journal/socket");
    let r = sendto(3, 5, 0, Some(&p), 5);
    for e in [
        "dst == \"/run/systemd/journal/socket\"",
        "dst == /run/systemd/journal/socket",
        "dst ~ \"/run/*\"",
        "dst !~ \"/tmp/*\"",
        "dst in {\"/tmp/x\", /run/systemd/journal/socket}",
        "family == AF_UNIX && family == unix && family == AF_LOCAL && family == 1",
        "dst != /tmp/x",
        "!dport",
    ] {
        assert!(m(e, &r), "{e}");
    }
    for e in [
        "dst == /run/systemd",
        "dst == @/run/systemd/journal/socket",
        "dst in 0.0.0.0/0",
        "dst ~ /tmp/*",
    ] {
        assert!(!m(e, &r), "{e}");
    }
    // Abstract: the whole name, NULs included, as strace shows it.
    let a = sun(b"\0bus\0x");
    let r = sendto(3, 5, 0, Some(&a), 5);
    assert!(m(
        "dst == \"@bus\\0x\" && dst ~ \"@bus*\" && dst ~ \"@*\"",
        &r
    ));
    assert!(!m("dst == @bus || dst == \"bus\\0x\" || dst ~ \"/*\"", &r));
    // Unnamed: "".
    let r = recvfrom(10, 0, Some(&AF_UNIX.to_ne_bytes()), 3);
    assert!(m("src == \"\" && family == AF_UNIX", &r));
    // A path without a NUL filling the addrlen.
    let mut raw = AF_UNIX.to_ne_bytes().to_vec();
    raw.extend_from_slice(b"/x");
    assert!(m("dst == /x", &sendto(3, 1, 0, Some(&raw), 1)));
    // A quoted relative path.
    assert!(m(
        "dst == \"rel.sock\"",
        &sendto(3, 1, 0, Some(&sun(b"rel.sock")), 1)
    ));
}

#[test]
fn cidr_edges() {
    let at = |ip: [u8; 4]| sendto(3, 1, 0, Some(&sin(ip, 9)), 1);
    let at6 = |ip: &str| sendto(3, 1, 0, Some(&sin6(ip, 9)), 1);
    // /0
    assert!(m("dst in 0.0.0.0/0", &at([1, 2, 3, 4])));
    assert!(m("dst in 0.0.0.0/0", &at([255, 255, 255, 255])));
    assert!(!m("dst in 0.0.0.0/0", &at6("2001:db8::1")));
    assert!(m("dst in ::/0", &at6("2001:db8::1")));
    assert!(
        m("dst in ::/0", &at([1, 2, 3, 4])),
        "IPv4 is v4-mapped IPv6"
    );
    // /32, /31, host bits ignored
    assert!(m(
        "dst in 1.2.3.4/32 && dst == 1.2.3.4/32 && dst == 1.2.3.4",
        &at([1, 2, 3, 4])
    ));
    assert!(!m("dst in 1.2.3.4/32", &at([1, 2, 3, 5])));
    assert!(m("dst in 1.2.3.4/31", &at([1, 2, 3, 5])));
    assert!(!m("dst in 1.2.3.4/31", &at([1, 2, 3, 6])));
    assert!(m("dst in 10.99.99.99/8", &at([10, 0, 0, 1])));
    assert!(!m("dst in 10.0.0.0/8", &at([11, 0, 0, 1])));
    // /128, /127, /10
    assert!(m("dst in ::1/128 && dst == ::1", &at6("::1")));
    assert!(!m("dst in ::1/128", &at6("::")));
    assert!(m("dst in ::/127", &at6("::1")));
    assert!(m("dst in fe80::/10", &at6("febf:ffff::1")));
    assert!(!m("dst in fe80::/10", &at6("fec0::1")));
    assert!(m(
        "dst in ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
        &at6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
    ));
    // v4-mapped both ways
    assert!(m(
        "dst == 127.0.0.1 && dst in 127.0.0.0/8",
        &at6("::ffff:127.0.0.1")
    ));
    assert!(m(
        "dst == ::ffff:10.0.0.1 && dst in ::ffff:0:0/96",
        &at([10, 0, 0, 1])
    ));
    assert!(!m("dst == ::1", &at([127, 0, 0, 1])));
    assert!(!m("dst == 127.0.0.1", &at6("::1")));
    // IPv4-compatible (::a.b.c.d) is not mapped
    assert!(!m("dst == 10.0.0.1", &at6("::10.0.0.1")));
    // A quoted IP is an IP.
    assert!(m("dst == \"1.2.3.4\"", &at([1, 2, 3, 4])));
    // AF_INET6 too short for its address: family only.
    let short = &sin6("::1", 9)[..20];
    assert!(m(
        "family == AF_INET6 && !(dst in ::/0) && !dport",
        &sendto(3, 1, 0, Some(short), 1)
    ));
}

#[test]
fn precedence_and_grouping() {
    let r = sendto(3, 10, 0, Some(&sin([10, 0, 0, 1], 53)), 10);
    // && binds tighter than ||
    assert!(m("false && false || true", &r));
    assert!(m("true || false && false", &r));
    assert!(!m("(true || false) && false", &r));
    assert!(!m("false && (false || true)", &r));
    // ! binds tighter than && and applies to a whole test
    assert!(!m("!true && true", &r));
    assert!(m("!(true && false)", &r));
    assert!(m("!dst == 8.8.8.8", &r));
    assert!(m("!!dst", &r));
    assert!(m("!(!(!(false)))", &r));
    // no spaces needed
    assert!(m("dport==53||sport==53", &r));
    assert!(m("!failed&&(dst==10.0.0.1)&&len>=10", &r));
    assert!(m("dst in{10.0.0.0/8,::1,}", &r));
    // long chains stay flat (no deep recursion in eval or drop)
    let long = vec!["dport == 53"; 5000].join(" && ");
    assert!(m(&long, &r));
    let long = vec!["dport == 54"; 5000].join(" || ");
    assert!(!m(&long, &r));
}

#[test]
fn numbers() {
    assert_eq!(parse_number("0x40"), Some(64));
    assert_eq!(parse_number("-0x1"), Some(-1));
    assert_eq!(parse_number("18446744073709551615"), Some(u64::MAX as i128));
    for s in [
        "",
        "-",
        "0x",
        "1e3",
        "--1",
        "+-1",
        "12a",
        "18446744073709551616",
        "0x1g",
    ] {
        assert_eq!(parse_number(s), None, "{s}");
    }
    assert!(m("ret == 0x5 && ret == +5", &sendto(3, 5, 0, None, 5)));
}

#[test]
fn glob_matching() {
    let g = |p: &str, t: &str| Glob::new(p.as_bytes()).matches(t.as_bytes());
    assert!(g("*", "") && g("*", "abc") && g("a*c", "abbbc") && g("a*b*c", "axbyc"));
    assert!(g("?", "a") && !g("?", "") && !g("?", "ab"));
    assert!(!g("a*c", "abcd") && g("*c*", "abcd"));
    assert!(g("a\\*", "a*") && !g("a\\*", "ab"));
    assert!(g("a\\", "a\\"));
    assert!(g("**a**", "bab"));
}

// ---- no panics ---------------------------------------------------------------------------

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn no_panic_on_random_input() {
    const PIECES: &[&str] = &[
        " ",
        "(",
        ")",
        "{",
        "}",
        ",",
        "!",
        "&&",
        "||",
        "|",
        "&",
        "=",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "~",
        "!~",
        "in",
        "has",
        "\"",
        "'",
        "\\",
        "\\x",
        "..",
        "/",
        ":",
        "@",
        "-",
        "0x",
        "0",
        "53",
        "65536",
        "-1",
        "99999999999999999999",
        "10.0.0.0/8",
        "::1",
        "fe80::/10",
        "1.2.3.4/33",
        "\"/tmp/x\"",
        "@abs",
        "é",
        "\u{0}",
        "\n",
        "MSG_PEEK",
        "EAGAIN",
        "AF_INET",
        "sendto",
        "send*",
        "*",
        "?",
        "true",
        "false",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let a = sin([10, 0, 0, 1], 53);
    let u = sun(b"\0x");
    let recs = [
        sendto(3, 5, 0x40, Some(&a), 5),
        recvfrom(100, 0, Some(&sin6("::ffff:1.2.3.4", 1)), -11),
        sendmsg(Some(&u), &[1, 2], 0, 3),
        recvmsg(Some(&a), &[4096], 100),
        sendmmsg(&[&a, &u], &[1, 2], 1),
        recvmmsg(8, &[&a, &a, &u], 3),
    ];
    let recs: Vec<_> = recs.iter().map(|b| Record::parse(b).unwrap()).collect();
    let mut parsed = 0;
    for _ in 0..20000 {
        let mut s = String::new();
        if rng.below(2) == 0 {
            s.push_str(FIELDS[rng.below(FIELDS.len())].name);
        }
        for _ in 0..rng.below(12) {
            if rng.below(4) == 0 {
                s.push(char::from_u32(rng.below(0x3000) as u32).unwrap_or('x'));
            } else {
                s.push_str(PIECES[rng.below(PIECES.len())]);
            }
            if rng.below(3) == 0 {
                s.push_str(FIELDS[rng.below(FIELDS.len())].name);
            }
        }
        match Filter::parse(&s) {
            Ok(f) => {
                parsed += 1;
                for r in &recs {
                    f.matches(r);
                }
            }
            Err(e) => {
                let line = e.to_string();
                assert!(!line.contains('\n'), "{s:?} -> {line:?}");
                assert!(
                    e.column >= 1 && e.column <= s.chars().count() + 1,
                    "{s:?} -> {line}"
                );
            }
        }
    }
    assert!(parsed > 100, "only {parsed} random filters parsed");
}

#[test]
fn no_panic_on_random_records() {
    let filters: Vec<_> = [
        "dst in ::/0 || src == /x || addr ~ \"@*\"",
        "len > 0 || dport == 1 || sport == 1 || family == AF_INET || port",
        "errno == EAGAIN || flags has MSG_PEEK || vlen > 1 || toctou",
    ]
    .iter()
    .map(|s| Filter::parse(s).unwrap())
    .collect();
    let mut rng = Rng(42);
    let kinds = [
        seg::ADDR,
        seg::ADDRLEN_IN,
        seg::MSGHDR,
        seg::MSGHDR_EXIT,
        seg::IOV,
        seg::MMSGHDR,
        seg::MMSGHDR_EXIT,
    ];
    for _ in 0..5000 {
        let ev = EventId::ALL[rng.below(6)];
        let args = [0u64; 6].map(|_| {
            if rng.below(2) == 0 {
                rng.next()
            } else {
                rng.below(8) as u64
            }
        });
        let ret = [
            rng.next() as i64,
            rng.below(10) as i64,
            -(rng.below(5000) as i64),
        ][rng.below(3)];
        let mut b = RecordBuilder::new(ev, args, ret);
        for _ in 0..rng.below(8) {
            let len = [0, 1, 2, 8, 16, 24, 56, 64, 128, 200, 600][rng.below(11)];
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.below(3) == 0 {
                        0
                    } else {
                        rng.next() as u8
                    }
                })
                .collect();
            let (k, i) = (kinds[rng.below(kinds.len())], rng.below(9) as u16);
            b = match rng.below(4) {
                0 => b.fault(k, i, 1),
                1 => b.null(k, i),
                _ => b.seg(k, i, 1, &bytes),
            };
        }
        let bytes = b.build();
        let r = Record::parse(&bytes).unwrap();
        for f in &filters {
            f.matches(&r);
        }
    }
}

/// The field table is the one list of fields: every place that lists them for people (the
/// module documentation, `--help`, the README) names each one, and each row says what it holds.
#[test]
fn docs_name_every_field() {
    let module = include_str!("mod.rs");
    let help = crate::cli::AFTER_HELP;
    let readme = include_str!("../../../README.md");
    for f in FIELDS.iter() {
        assert!(!f.doc.is_empty(), "{}: no doc", f.name);
        let quoted = format!("`{}`", f.name);
        assert!(
            module.contains(&quoted),
            "filter/mod.rs does not name {}",
            f.name
        );
        assert!(
            readme.contains(&quoted),
            "README.md does not name {}",
            f.name
        );
        assert!(
            help.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| w == f.name),
            "--help does not name {}",
            f.name
        );
    }
}

// ---- globset as the oracle of the glob matcher; CIDR and glob costs -----------------------

/// The same glob in globset's syntax: `*`, `?`, every other byte a literal (in a class, so
/// that `[`, `{`, `\` stay literal); None when a byte is not ASCII (globset's patterns are
/// text). `*` and `?` cross `/` (no literal separator), as ours do.
fn globset_of(p: &Glob) -> Option<globset::GlobMatcher> {
    let mut s = String::new();
    for t in &p.0 {
        match t {
            GlobTok::Star => s.push('*'),
            GlobTok::Any => s.push('?'),
            GlobTok::Byte(b) if b.is_ascii_alphanumeric() => s.push(*b as char),
            GlobTok::Byte(b) if b.is_ascii() && *b != b'\n' => {
                s.push('[');
                s.push(*b as char);
                s.push(']');
            }
            GlobTok::Byte(_) => return None,
        }
    }
    Some(
        globset::GlobBuilder::new(&s)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .ok()?
            .compile_matcher(),
    )
}

#[test]
fn glob_agrees_with_globset() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let alphabet = b"ab/.*?\\[{";
    let text_alphabet = b"ab/.[{\\";
    let mut compared = 0;
    for _ in 0..20_000 {
        let p: Vec<u8> = (0..rng.below(7))
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let t: Vec<u8> = (0..rng.below(8))
            .map(|_| text_alphabet[rng.below(text_alphabet.len())])
            .collect();
        let g = Glob::new(&p);
        let Some(oracle) = globset_of(&g) else {
            continue;
        };
        let want = oracle.is_match_candidate(&globset::Candidate::from_bytes(&t));
        assert_eq!(
            g.matches(&t),
            want,
            "pattern {:?} text {:?}",
            p.escape_ascii().to_string(),
            t.escape_ascii().to_string()
        );
        compared += 1;
    }
    assert!(compared > 10_000);
}

/// `cargo test --release -p sockscope --lib bench_ -- --ignored --nocapture`
#[test]
#[ignore]
fn bench_globs() {
    use std::hint::black_box;
    let n = 2_000_000;
    let cases: [(&str, &[u8]); 4] = [
        ("nginx*", b"nginx-worker"),
        ("*resolve*", b"systemd-resolve"),
        ("/run/*", b"/run/systemd/journal/socket"),
        ("s?nd*", b"curl"),
    ];
    for (p, t) in cases {
        let ours = Glob::new(p.as_bytes());
        let theirs = globset_of(&ours).unwrap();
        assert_eq!(
            ours.matches(t),
            theirs.is_match_candidate(&globset::Candidate::from_bytes(t))
        );
        let t0 = cpu_ns();
        for _ in 0..n {
            black_box(ours.matches(black_box(t)));
        }
        let a = (cpu_ns() - t0) as f64 / n as f64;
        let t0 = cpu_ns();
        for _ in 0..n {
            black_box(theirs.is_match_candidate(&globset::Candidate::from_bytes(black_box(t))));
        }
        let b = (cpu_ns() - t0) as f64 / n as f64;
        println!("glob {p:12} ours {a:6.1} ns  globset {b:6.1} ns");
    }
}

#[test]
#[ignore]
fn bench_cidr() {
    use std::hint::black_box;
    let n = 20_000_000;
    let nets: Vec<ipnet::IpNet> = ["10.0.0.0/8", "192.168.0.0/16", "fe80::/10", "127.0.0.1"]
        .iter()
        .map(|s| {
            s.parse()
                .unwrap_or_else(|_| ipnet::IpNet::from(s.parse::<std::net::IpAddr>().unwrap()))
        })
        .collect();
    let pats: Vec<AddrPat> = nets.iter().map(|n| AddrPat::net(*n)).collect();
    let v6: Vec<ipnet::Ipv6Net> = nets
        .iter()
        .map(|n| match n {
            ipnet::IpNet::V4(n) => {
                ipnet::Ipv6Net::new_assert(n.addr().to_ipv6_mapped(), n.prefix_len() + 96)
            }
            ipnet::IpNet::V6(n) => *n,
        })
        .collect();
    let ips: Vec<u128> = [
        [10, 1, 2, 3],
        [127, 0, 0, 1],
        [8, 8, 8, 8],
        [192, 168, 1, 1],
    ]
    .iter()
    .map(|a| v4_mapped(*a))
    .collect();
    let mut hits = (0, 0);
    let t0 = cpu_ns();
    for i in 0..n {
        let ip = black_box(ips[i % ips.len()]);
        hits.0 += pats
            .iter()
            .any(|p| matches!(p, AddrPat::Net(net, mask) if (ip ^ net) & mask == 0))
            as usize;
    }
    let a = (cpu_ns() - t0) as f64 / n as f64;
    let t0 = cpu_ns();
    for i in 0..n {
        let ip = Ipv6Addr::from(black_box(ips[i % ips.len()]));
        hits.1 += v6.iter().any(|net| net.contains(&ip)) as usize;
    }
    let b = (cpu_ns() - t0) as f64 / n as f64;
    assert_eq!(hits.0, hits.1);
    println!("cidr set of 4: masked compare {a:5.2} ns  Ipv6Net::contains {b:5.2} ns");
}
