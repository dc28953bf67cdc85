//! Unit tests of `decode::msghdr`, on records built from bytes.

//! Expectations are strace 6.1's output for the same calls (loopback / socketpair test
//! programs run under `strace -e trace=sendmsg,recvmsg,sendmmsg,recvmmsg`), with the user
//! memory rebuilt at the same addresses.
use super::*;
use crate::decode::Style;
use crate::decode::cmsg::control_json;
use crate::record::{Record, RecordBuilder};
use serde_json::json;
use sockscope_common::{EventId, seg};

// ---- a fake user memory and the kernel side's capture rules (sockscope-ebpf/src/main.rs)

/// Sparse user memory: bytes written by `put`, everything else unmapped.
#[derive(Clone, Default)]
struct Mem(std::collections::HashMap<u64, u8>);

impl Mem {
    fn put(&mut self, addr: u64, b: &[u8]) -> &mut Self {
        for (i, v) in b.iter().enumerate() {
            self.0.insert(addr + i as u64, *v);
        }
        self
    }
    fn read(&self, addr: u64, n: u64) -> Option<Vec<u8>> {
        (addr..addr.checked_add(n)?)
            .map(|a| self.0.get(&a).copied())
            .collect()
    }
}

struct K {
    b: RecordBuilder,
    snaplen: u64,
}

impl K {
    fn new(ev: EventId, args: [u64; 6], ret: i64) -> K {
        K {
            b: RecordBuilder::new(ev, args, ret),
            snaplen: 32,
        }
    }
    fn push(&mut self, mem: &Mem, kind: u8, index: u16, src: u64, want: u64) {
        let b = self.b.clone();
        let n = want.min(4096);
        self.b = if src == 0 {
            b.null(kind, index)
        } else if n == 0 {
            b.seg(kind, index, src, &[])
        } else {
            match mem.read(src, n) {
                Some(d) => b.seg(kind, index, src, &d),
                None => b.fault(kind, index, src),
            }
        };
    }
    fn capture_iov(&mut self, mem: &Mem, m: &Msghdr, index: u16, total: u64) {
        if m.iov == 0 || m.iovlen == 0 {
            return;
        }
        let niov = m.iovlen.min(16);
        self.push(mem, seg::IOV, index, m.iov, niov * 16);
        let mut left = total;
        for i in 0..niov {
            if left == 0 {
                break;
            }
            let Some(e) = mem.read(m.iov + i * 16, 16) else {
                break;
            };
            let (base, len) = (rd_u64(&e, 0), rd_u64(&e, 8));
            let n = len.min(left);
            left -= n;
            let snap = self.snaplen;
            self.push(
                mem,
                seg::IOV_DATA,
                (index << 8) | i as u16,
                base,
                n.min(snap),
            );
        }
    }
    fn capture_msg(&mut self, mem: &Mem, m: &Msghdr, index: u16, total: u64) {
        if m.name != 0 {
            let nl = (m.namelen as i32).max(0) as u64;
            self.push(mem, seg::ADDR, index, m.name, nl.min(128));
        }
        self.capture_iov(mem, m, index, total);
        if m.control != 0 && m.controllen != 0 {
            self.push(mem, seg::CONTROL, index, m.control, m.controllen.min(1024));
        }
    }
    fn build(self) -> Vec<u8> {
        self.b.build()
    }
}

fn msghdr_at(mem: &Mem, a: u64) -> Option<Msghdr> {
    mem.read(a, 56).and_then(|b| Msghdr::parse(&b))
}

fn k_sendmsg(mem: &Mem, msg: u64, ret: i64) -> Vec<u8> {
    let mut k = K::new(EventId::Sendmsg, [3, msg, 0, 0, 0, 0], ret);
    k.push(mem, seg::MSGHDR, 0, msg, 56);
    if let Some(m) = msghdr_at(mem, msg) {
        k.capture_msg(mem, &m, 0, u64::MAX);
    }
    k.build()
}

fn k_recvmsg(entry: &Mem, exit: &Mem, msg: u64, ret: i64) -> Vec<u8> {
    let mut k = K::new(EventId::Recvmsg, [3, msg, 0, 0, 0, 0], ret);
    k.push(entry, seg::MSGHDR, 0, msg, 56);
    if ret >= 0 {
        k.push(exit, seg::MSGHDR_EXIT, 0, msg, 56);
        if let Some(m) = msghdr_at(exit, msg) {
            k.capture_msg(exit, &m, 0, ret as u64);
        }
    }
    k.build()
}

fn k_sendmmsg(entry: &Mem, exit: &Mem, vec: u64, vlen: u64, ret: i64, snaplen: u64) -> Vec<u8> {
    let mut k = K::new(EventId::Sendmmsg, [4, vec, vlen, 0, 0, 0], ret);
    k.snaplen = snaplen;
    let n = vlen.min(8);
    k.push(entry, seg::MMSGHDR, 0, vec, n * 64);
    for i in 0..n {
        let Some(m) = msghdr_at(entry, vec + i * 64) else {
            break;
        };
        k.capture_msg(entry, &m, i as u16, u64::MAX);
    }
    if ret > 0 {
        k.push(exit, seg::MMSGHDR_EXIT, 0, vec, (ret as u64).min(8) * 64);
    }
    k.build()
}

fn k_recvmmsg(entry: &Mem, exit: &Mem, args: [u64; 6], ret: i64, snaplen: u64) -> Vec<u8> {
    let mut k = K::new(EventId::Recvmmsg, args, ret);
    k.snaplen = snaplen;
    let [_, vec, vlen, _, timeout, _] = args;
    k.push(entry, seg::MMSGHDR, 0, vec, vlen.min(8) * 64);
    if timeout != 0 {
        k.push(entry, seg::TIMESPEC, 0, timeout, 16);
    }
    if ret > 0 {
        let n = (ret as u64).min(8);
        k.push(exit, seg::MMSGHDR_EXIT, 0, vec, n * 64);
        for i in 0..n {
            let Some(m) = msghdr_at(exit, vec + i * 64) else {
                break;
            };
            let got = exit.read(vec + i * 64 + 56, 4).map_or(0, |b| rd_u32(&b, 0)) as u64;
            k.capture_msg(exit, &m, i as u16, got);
        }
    }
    if timeout != 0 {
        k.push(exit, seg::TIMESPEC_EXIT, 0, timeout, 16);
    }
    k.build()
}

// ---- byte builders

fn mh(
    name: u64,
    namelen: u32,
    iov: u64,
    iovlen: u64,
    control: u64,
    controllen: u64,
    flags: u32,
) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&name.to_le_bytes());
    b.extend_from_slice(&namelen.to_le_bytes());
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&iov.to_le_bytes());
    b.extend_from_slice(&iovlen.to_le_bytes());
    b.extend_from_slice(&control.to_le_bytes());
    b.extend_from_slice(&controllen.to_le_bytes());
    b.extend_from_slice(&flags.to_le_bytes());
    b.extend_from_slice(&[0; 4]);
    b
}

fn mmsg(h: Vec<u8>, msg_len: u32) -> Vec<u8> {
    let mut b = h;
    b.extend_from_slice(&msg_len.to_le_bytes());
    b.extend_from_slice(&[0; 4]);
    b
}

fn iovs(v: &[(u64, u64)]) -> Vec<u8> {
    v.iter()
        .flat_map(|(b, l)| b.to_le_bytes().into_iter().chain(l.to_le_bytes()))
        .collect()
}

fn sin(port: u16, a: [u8; 4]) -> Vec<u8> {
    let mut b = vec![2, 0];
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&a);
    b.extend_from_slice(&[0; 8]);
    b
}

/// One cmsg: header with `len`, `data`, padded to 8.
fn cm(len: u64, level: i32, ctype: i32, data: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&len.to_le_bytes());
    b.extend_from_slice(&level.to_le_bytes());
    b.extend_from_slice(&ctype.to_le_bytes());
    b.extend_from_slice(data);
    b.resize((b.len() + 7) & !7, 0);
    b
}

fn i32s(v: &[i32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn env_s(max_strlen: usize) -> MsgEnv {
    MsgEnv {
        style: Style {
            max_strlen,
            xflag: 0,
        },
        optmem_max: 131072,
        ifname: |i| (i == 1).then(|| "lo".to_string()),
        yflag: 0,
        pid: 0,
    }
}

fn env() -> MsgEnv {
    env_s(32)
}

fn text(f: fn(&mut String, &Call, &MsgEnv), bytes: &[u8], env: &MsgEnv) -> String {
    let r = Record::parse(bytes).unwrap();
    let r = Call::new(&r);
    let mut s = String::new();
    f(&mut s, &r, env);
    s
}

const SIN: &str = "{sa_family=AF_INET, sin_port=htons(40001), sin_addr=inet_addr(\"127.0.0.1\")}";
const MSG: u64 = 0x1000_0010;
const NAME: u64 = 0x1000_0000;
const IOV: u64 = 0x1000_0050;
const S1: u64 = 0x1000_0450;
/// Receive-side msg_name buffer (128 bytes).
const RNAME: u64 = 0x1000_3000;
const S2: u64 = 0x1000_0490;
const CTL: u64 = 0x1000_04d0;

/// The t1 program's memory: a sockaddr_in, "hello", a 40-byte string.
fn base_mem() -> Mem {
    let mut m = Mem::default();
    m.put(NAME, &sin(40001, [127, 0, 0, 1]))
        .put(S1, b"hello\0\0\0")
        .put(S2, b"0123456789abcdefghijklmnopqrstuvwxyzABCD\0");
    m
}

/// sendmsg of "hello" to 127.0.0.1:40001 with `ctl` as control bytes (controllen = its
/// length unless given).
fn send_with(ctl: &[u8], controllen: Option<u64>) -> String {
    let mut m = base_mem();
    let cl = controllen.unwrap_or(ctl.len() as u64);
    m.put(IOV, &iovs(&[(S1, 5)]))
        .put(MSG, &mh(NAME, 16, IOV, 1, CTL, cl, 0))
        .put(CTL, ctl);
    text(format_sendmsg_msg, &k_sendmsg(&m, MSG, 5), &env())
}

fn wrap_ctl(ctl: &str, controllen: u64) -> String {
    format!(
        "{{msg_name={SIN}, msg_namelen=16, msg_iov=[{{iov_base=\"hello\", iov_len=5}}], msg_iovlen=1, \
         msg_control={ctl}, msg_controllen={controllen}, msg_flags=0}}"
    )
}

// ---- sendmsg

#[test]
fn sendmsg_basic() {
    let mut m = base_mem();
    m.put(IOV, &iovs(&[(S1, 5)]))
        .put(MSG, &mh(NAME, 16, IOV, 1, 0, 0, 0));
    assert_eq!(
        text(format_sendmsg_msg, &k_sendmsg(&m, MSG, 5), &env()),
        format!(
            "{{msg_name={SIN}, msg_namelen=16, msg_iov=[{{iov_base=\"hello\", iov_len=5}}], msg_iovlen=1, \
             msg_controllen=0, msg_flags=0}}"
        )
    );
}

#[test]
fn sendmsg_iovecs_null_and_long() {
    let mut m = base_mem();
    m.put(IOV, &iovs(&[(S1, 5), (0, 0), (S2, 40)]))
        .put(MSG, &mh(NAME, 16, IOV, 3, 0, 0, 0));
    let rec = k_sendmsg(&m, MSG, 45);
    assert_eq!(
        text(format_sendmsg_msg, &rec, &env()),
        format!(
            "{{msg_name={SIN}, msg_namelen=16, msg_iov=[{{iov_base=\"hello\", iov_len=5}}, {{iov_base=NULL, iov_len=0}}, \
             {{iov_base=\"0123456789abcdefghijklmnopqrstuv\"..., iov_len=40}}], msg_iovlen=3, msg_controllen=0, msg_flags=0}}"
        )
    );
    // -s 5 (the kernel side captured 32 bytes: only 5 are shown).
    assert_eq!(
        text(format_sendmsg_msg, &rec, &env_s(5)),
        format!(
            "{{msg_name={SIN}, msg_namelen=16, msg_iov=[{{iov_base=\"hello\", iov_len=5}}, {{iov_base=NULL, iov_len=0}}, \
             {{iov_base=\"01234\"..., iov_len=40}}], msg_iovlen=3, msg_controllen=0, msg_flags=0}}"
        )
    );
}

#[test]
fn sendmsg_iov_array_cut_at_s() {
    let mut m = base_mem();
    let v: Vec<(u64, u64)> = (0..40).map(|i| (S2 + i, 1)).collect();
    m.put(IOV, &iovs(&v))
        .put(MSG, &mh(NAME, 16, IOV, 40, 0, 0, 0));
    let out = text(format_sendmsg_msg, &k_sendmsg(&m, MSG, 40), &env_s(5));
    assert_eq!(
        out,
        format!(
            "{{msg_name={SIN}, msg_namelen=16, msg_iov=[{{iov_base=\"0\", iov_len=1}}, {{iov_base=\"1\", iov_len=1}}, \
             {{iov_base=\"2\", iov_len=1}}, {{iov_base=\"3\", iov_len=1}}, {{iov_base=\"4\", iov_len=1}}, ...], \
             msg_iovlen=40, msg_controllen=0, msg_flags=0}}"
        )
    );
    // With -s 32 strace shows 32 iovecs; only MAX_IOV=16 are captured: cut after 16.
    let out = text(format_sendmsg_msg, &k_sendmsg(&m, MSG, 40), &env());
    assert!(
        out.contains("{iov_base=\"f\", iov_len=1}, ...], msg_iovlen=40"),
        "{out}"
    );
}

#[test]
fn sendmsg_pointers() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            mh(0, 16, IOV, 1, 0, 0, 0),
            "msg_name=NULL, msg_namelen=16, msg_iov=[{iov_base=\"hello\", iov_len=5}]",
        ),
        (mh(NAME, 16, 8, 1, 0, 0, 0), "msg_iov=0x8, msg_iovlen=1"),
        (mh(NAME, 16, 0, 3, 0, 0, 0), "msg_iov=NULL, msg_iovlen=3"),
        (mh(NAME, 16, IOV, 0, 0, 0, 0), "msg_iov=[], msg_iovlen=0"),
        (
            mh(NAME, 16, IOV, 1, 0x18, 32, 0),
            "msg_control=0x18, msg_controllen=32",
        ),
        (
            mh(NAME, 16, IOV, 1, 0, 32, 0),
            "msg_control=NULL, msg_controllen=32",
        ),
        (
            mh(NAME, 16, IOV, 1, CTL, 10, 0),
            "msg_control=0x100004d0, msg_controllen=10",
        ),
        (
            mh(NAME, 16, IOV, 1, 0, 0, 0x100008),
            "msg_controllen=0, msg_flags=MSG_CTRUNC|0x100000}",
        ),
        (
            mh(NAME, 16, IOV, u64::MAX / 8, 0, 0, 0),
            "msg_iov=0x10000050, msg_iovlen=2305843009213693951",
        ),
    ];
    for (h, want) in cases {
        let mut m = base_mem();
        m.put(IOV, &iovs(&[(S1, 5)]))
            .put(MSG, &h)
            .put(CTL, &cm(20, 1, 1, &i32s(&[0, 1, 2])));
        let out = text(format_sendmsg_msg, &k_sendmsg(&m, MSG, -14), &env());
        assert!(out.contains(want), "{out}\n  wanted {want}");
    }
    // iov_base faulting.
    let mut m = base_mem();
    m.put(IOV, &iovs(&[(0x10, 5)]))
        .put(MSG, &mh(NAME, 16, IOV, 1, 0, 0, 0));
    let out = text(format_sendmsg_msg, &k_sendmsg(&m, MSG, -22), &env());
    assert!(
        out.contains("msg_iov=[{iov_base=0x10, iov_len=5}]"),
        "{out}"
    );
    // The msghdr itself: NULL, faulting, short.
    let m = base_mem();
    assert_eq!(
        text(format_sendmsg_msg, &k_sendmsg(&m, 0, -14), &env()),
        "NULL"
    );
    assert_eq!(
        text(format_sendmsg_msg, &k_sendmsg(&m, 0x20, -14), &env()),
        "0x20"
    );
    let short = RecordBuilder::new(EventId::Sendmsg, [3, MSG, 0, 0, 0, 0], 5)
        .seg(seg::MSGHDR, 0, MSG, &[1; 40])
        .build();
    assert_eq!(text(format_sendmsg_msg, &short, &env()), "0x10000010");
}

#[test]
fn sendmsg_names() {
    let cases: [(u64, u32, &str); 6] = [
        (NAME, 0, "msg_name=0x10000000, msg_namelen=0,"),
        (NAME, 1, "msg_name=0x10000000, msg_namelen=1,"),
        (NAME, 2, "msg_name={sa_family=AF_INET}, msg_namelen=2,"),
        (NAME, u32::MAX, "msg_name=0x10000000, msg_namelen=-1,"),
        (1, 16, "msg_name=0x1, msg_namelen=16,"),
        (0, 16, "msg_name=NULL, msg_namelen=16,"),
    ];
    for (name, namelen, want) in cases {
        let mut m = base_mem();
        m.put(IOV, &iovs(&[(S1, 5)]))
            .put(MSG, &mh(name, namelen, IOV, 1, 0, 0, 0));
        let out = text(format_sendmsg_msg, &k_sendmsg(&m, MSG, -22), &env());
        assert!(
            out.starts_with(&format!(
                "{{{want} msg_iov=[{{iov_base=\"hello\", iov_len=5}}]"
            )),
            "{out}\n  wanted {want}"
        );
    }
    let mut m = base_mem();
    let mut a6 = vec![10, 0, 0x9c, 0x41, 0, 0, 0, 0];
    a6.extend([0u8; 15]);
    a6.extend([1, 0, 0, 0, 0]);
    m.put(IOV, &iovs(&[(S1, 5)]))
        .put(MSG, &mh(RNAME, 28, IOV, 1, 0, 0, 0))
        .put(RNAME, &a6);
    assert_eq!(
        text(format_sendmsg_msg, &k_sendmsg(&m, MSG, -97), &env()),
        "{msg_name={sa_family=AF_INET6, sin6_port=htons(40001), sin6_flowinfo=htonl(0), \
         inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, msg_namelen=28, \
         msg_iov=[{iov_base=\"hello\", iov_len=5}], msg_iovlen=1, msg_controllen=0, msg_flags=0}"
    );
}

#[test]
fn recvmsg_name_truncated() {
    // namelen 4 given, 16 needed: decoded with 4 bytes, `4 => 16`; MSG_TRUNC data.
    let b1 = 0x1000_0200u64;
    let mut entry = Mem::default();
    entry
        .put(MSG, &mh(RNAME, 4, IOV, 1, 0, 0, 0))
        .put(IOV, &iovs(&[(b1, 5)]))
        .put(RNAME, &[0; 16]);
    let mut exit = entry.clone();
    exit.put(MSG, &mh(RNAME, 16, IOV, 1, 0, 0, 0x28))
        .put(RNAME, &[2, 0, 0x9c, 0x43])
        .put(b1, b"hello");
    assert_eq!(
        text(
            format_recvmsg_msg,
            &k_recvmsg(&entry, &exit, MSG, 11),
            &env()
        ),
        "{msg_name={sa_family=AF_INET, sa_data=\"\\234C\"}, msg_namelen=4 => 16, msg_iov=[{iov_base=\"hello\", iov_len=5}], \
         msg_iovlen=1, msg_controllen=0, msg_flags=MSG_CTRUNC|MSG_TRUNC}"
    );
}

// ---- control messages (strace 6.1 output of sendmsg with these control buffers)

#[test]
fn cmsg_socket_level() {
    let fds = i32s(&[0, 1, 2]);
    assert_eq!(
        send_with(&cm(28, 1, 1, &fds), None),
        wrap_ctl(
            "[{cmsg_len=28, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[0, 1, 2]}]",
            32
        )
    );
    let cr = i32s(&[1234, 0, -1]);
    assert_eq!(
        send_with(&cm(28, 1, 2, &cr), None),
        wrap_ctl(
            "[{cmsg_len=28, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, cmsg_data={pid=1234, uid=0, gid=-1}}]",
            32
        )
    );
    assert_eq!(
        send_with(&cm(20, 1, 3, b"foo\0"), None),
        wrap_ctl(
            "[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_SECURITY, cmsg_data=\"foo\\0\"}]",
            24
        )
    );
    let f40: Vec<i32> = (0..40).collect();
    let all: Vec<String> = (0..32).map(|i| i.to_string()).collect();
    assert_eq!(
        send_with(&cm(176, 1, 1, &i32s(&f40)), None),
        wrap_ctl(
            &format!(
                "[{{cmsg_len=176, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[{}, ...]}}]",
                all.join(", ")
            ),
            176
        )
    );
}

#[test]
fn cmsg_timestamps() {
    let tv: Vec<u8> = [1i64, 2, 3, 4, 5, 6]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let mut c = cm(32, 1, 29, &tv[..16]);
    c.extend(cm(32, 1, 35, &tv[..16]));
    c.extend(cm(64, 1, 37, &tv));
    assert_eq!(
        send_with(&c, None),
        wrap_ctl(
            "[{cmsg_len=32, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMP_OLD, cmsg_data={tv_sec=1, tv_usec=2}}, \
             {cmsg_len=32, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMPNS_OLD, cmsg_data={tv_sec=1, tv_nsec=2}}, \
             {cmsg_len=64, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMPING_OLD, cmsg_data=[{tv_sec=1, tv_nsec=2}, \
             {tv_sec=3, tv_nsec=4}, {tv_sec=5, tv_nsec=6}]}]",
            128
        )
    );
    let mut c = cm(32, 1, 63, &tv[..16]);
    c.extend(cm(32, 1, 64, &tv[..16]));
    c.extend(cm(64, 1, 65, &tv));
    assert_eq!(
        send_with(&c, None),
        wrap_ctl(
            "[{cmsg_len=32, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMP_NEW, cmsg_data={tv_sec=1, tv_usec=2}}, \
             {cmsg_len=32, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMPNS_NEW, cmsg_data={tv_sec=1, tv_nsec=2}}, \
             {cmsg_len=64, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMPING_NEW, cmsg_data=[{tv_sec=1, tv_nsec=2}, \
             {tv_sec=3, tv_nsec=4}, {tv_sec=5, tv_nsec=6}]}]",
            128
        )
    );
    let mut c = cm(24, 1, 29, &tv[..8]);
    c.extend(cm(24, 1, 35, &tv[..8]));
    c.extend(cm(56, 1, 37, &tv[..40]));
    c.extend(cm(24, 1, 65, &tv[..8]));
    assert_eq!(
        send_with(&c, None),
        wrap_ctl(
            "[{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMP_OLD, cmsg_data=???}, \
             {cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMPNS_OLD, cmsg_data=???}, \
             {cmsg_len=56, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMPING_OLD, cmsg_data=???}, \
             {cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMPING_NEW, cmsg_data=???}]",
            128
        )
    );
}

#[test]
fn cmsg_ip_level() {
    let mut pi = 1u32.to_le_bytes().to_vec();
    pi.extend_from_slice(&[127, 0, 0, 1, 127, 0, 0, 2]);
    let mut c = cm(28, 0, 8, &pi);
    c.extend(cm(20, 0, 2, &64u32.to_le_bytes()));
    c.extend(cm(17, 0, 1, &[0x10]));
    assert_eq!(
        send_with(&c, None),
        wrap_ctl(
            "[{cmsg_len=28, cmsg_level=SOL_IP, cmsg_type=IP_PKTINFO, cmsg_data={ipi_ifindex=if_nametoindex(\"lo\"), \
             ipi_spec_dst=inet_addr(\"127.0.0.1\"), ipi_addr=inet_addr(\"127.0.0.2\")}}, \
             {cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=[64]}, \
             {cmsg_len=17, cmsg_level=SOL_IP, cmsg_type=IP_TOS, cmsg_data=[0x10]}]",
            80
        )
    );
    let opts = [1u8, 2, 0, 0xff, 0x44];
    let mut c = cm(21, 0, 6, &opts);
    c.extend(cm(21, 0, 7, &opts));
    c.extend(cm(20, 0, 23, &64u32.to_le_bytes()));
    c.extend(cm(20, 0, 3, b"ab\0c"));
    c.extend(cm(20, 0, 99, &64u32.to_le_bytes()));
    assert_eq!(
        send_with(&c, None),
        wrap_ctl(
            "[{cmsg_len=21, cmsg_level=SOL_IP, cmsg_type=IP_RECVOPTS, cmsg_data=[0x1, 0x2, 0, 0xff, 0x44]}, \
             {cmsg_len=21, cmsg_level=SOL_IP, cmsg_type=IP_RETOPTS, cmsg_data=[0x1, 0x2, 0, 0xff, 0x44]}, \
             {cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=IP_CHECKSUM, cmsg_data=[64]}, \
             {cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=SCM_SECURITY, cmsg_data=\"ab\\0c\"}, \
             {cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=0x63 /* IP_??? */}]",
            120
        )
    );
    let mut ee = vec![111, 0, 0, 0, 2, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    ee.extend(sin(40001, [127, 0, 0, 1]));
    let mut c = cm(48, 0, 11, &ee);
    c.extend(cm(32, 0, 20, &sin(40001, [127, 0, 0, 1])));
    assert_eq!(
        send_with(&c, None),
        wrap_ctl(
            &format!(
                "[{{cmsg_len=48, cmsg_level=SOL_IP, cmsg_type=IP_RECVERR, cmsg_data={{ee_errno=111, ee_origin=2, \
                 ee_type=3, ee_code=3, ee_info=0, ee_data=0, offender={SIN}}}}}, \
                 {{cmsg_len=32, cmsg_level=SOL_IP, cmsg_type=IP_ORIGDSTADDR, cmsg_data={SIN}}}]"
            ),
            80
        )
    );
}

#[test]
fn cmsg_other_levels() {
    let mut c = cm(36, 41, 50, &i32s(&[1, 2, 3, 4, 5]));
    c.extend(cm(20, 41, 52, &64u32.to_le_bytes()));
    c.extend(cm(20, 41, 67, &64u32.to_le_bytes()));
    assert_eq!(
        send_with(&c, None),
        wrap_ctl(
            "[{cmsg_len=36, cmsg_level=SOL_IPV6, cmsg_type=0x32}, {cmsg_len=20, cmsg_level=SOL_IPV6, cmsg_type=0x34}, \
             {cmsg_len=20, cmsg_level=SOL_IPV6, cmsg_type=0x43}]",
            88
        )
    );
    let d = 64u32.to_le_bytes();
    let mut c = cm(20, 12345, -1, &d);
    c.extend(cm(20, 1, 76, &d));
    c.extend(cm(20, 6, 0, &d));
    c.extend(cm(20, 1, 41, &d));
    assert_eq!(
        send_with(&c, None),
        wrap_ctl(
            "[{cmsg_len=20, cmsg_level=0x3039 /* SOL_??? */, cmsg_type=0xffffffff}, \
             {cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=0x4c /* SCM_??? */}, \
             {cmsg_len=20, cmsg_level=SOL_TCP, cmsg_type=0}, {cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SO_WIFI_STATUS}]",
            96
        )
    );
}

#[test]
fn cmsg_lying_lengths() {
    let fds = i32s(&[0, 1, 2]);
    let r = "cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS";
    // cmsg_len past the buffer: data cut at the buffer's end.
    assert_eq!(
        send_with(&cm(1000, 1, 1, &fds), None),
        wrap_ctl(
            &format!("[{{cmsg_len=1000, {r}, cmsg_data=[0, 1, 2, 0]}}]"),
            32
        )
    );
    // Shorter than a header: no data, the rest reported with its address.
    assert_eq!(
        send_with(&cm(8, 1, 1, &fds), None),
        wrap_ctl(&format!("[{{cmsg_len=8, {r}}}, ... /* 0x100004e0 */]"), 32)
    );
    assert_eq!(
        send_with(&cm(0, 1, 1, &fds), None),
        wrap_ctl(&format!("[{{cmsg_len=0, {r}}}, ... /* 0x100004e0 */]"), 32)
    );
    let mut c = cm(20, 1, 1, &fds[..4]);
    c.extend(cm(28, 1, 1, &fds[..4]));
    assert_eq!(
        send_with(&c, None),
        wrap_ctl(
            &format!(
                "[{{cmsg_len=20, {r}, cmsg_data=[0]}}, {{cmsg_len=28, {r}, cmsg_data=[0, 0]}}]"
            ),
            48
        )
    );
    let c = cm(20, 1, 1, &fds);
    assert_eq!(
        send_with(&c, Some(20)),
        wrap_ctl(&format!("[{{cmsg_len=20, {r}, cmsg_data=[0]}}]"), 20)
    );
    assert_eq!(
        send_with(&c, Some(30)),
        wrap_ctl(
            &format!("[{{cmsg_len=20, {r}, cmsg_data=[0]}}, ... /* 0x100004e8 */]"),
            30
        )
    );
    // The second header overlaps the first one's data (cmsg_len=2 read from the fds).
    let mut c = cm(20, 1, 1, &fds);
    c.extend(cm(0x7fff_ffff_ffff_ffff, 1, 1, &fds));
    assert_eq!(
        send_with(&c, None),
        wrap_ctl(
            &format!(
                "[{{cmsg_len=20, {r}, cmsg_data=[0]}}, {{cmsg_len=2, cmsg_level=0xffffffff /* SOL_??? */, \
                 cmsg_type=0x7fffffff}}, ... /* 0x100004f8 */]"
            ),
            64
        )
    );
    // Data shorter than the decoder's minimum: no cmsg_data.
    assert_eq!(
        send_with(&cm(18, 1, 1, &fds[..2]), None),
        wrap_ctl(&format!("[{{cmsg_len=18, {r}}}]"), 24)
    );
    assert_eq!(
        send_with(&cm(27, 1, 2, &fds[..11]), None),
        wrap_ctl(
            "[{cmsg_len=27, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS}]",
            32
        )
    );
    assert_eq!(
        send_with(&cm(16, 1, 3, &[]), None),
        wrap_ctl(
            "[{cmsg_len=16, cmsg_level=SOL_SOCKET, cmsg_type=SCM_SECURITY}]",
            16
        )
    );
    let mut c = cm(20, 1, 1, &fds[..4]);
    c.extend(cm(20, 1, 1, &fds[..4]));
    assert_eq!(
        send_with(&c, Some(44)),
        wrap_ctl(
            &format!("[{{cmsg_len=20, {r}, cmsg_data=[0]}}, {{cmsg_len=20, {r}, cmsg_data=[0]}}]"),
            44
        )
    );
    // A length within 7 of 2^64 (strace itself would loop forever): ends the walk.
    let c = cm(u64::MAX - 2, 1, 1, &fds);
    assert_eq!(
        send_with(&c, None),
        wrap_ctl(
            &format!("[{{cmsg_len=18446744073709551613, {r}, cmsg_data=[0, 1, 2, 0]}}]"),
            32
        )
    );
}

#[test]
fn cmsg_over_optmem_and_capture() {
    let fds = i32s(&[0, 1, 2]);
    // controllen 140000 > optmem_max 131072: strace stops at optmem_max.
    let big = 0x1000_14d0u64;
    let mut m = base_mem();
    m.put(IOV, &iovs(&[(S1, 5)]))
        .put(MSG, &mh(NAME, 16, IOV, 1, big, 140000, 0));
    let mut c = cm(20, 1, 1, &fds[..4]);
    c.resize(140000, 0);
    m.put(big, &c);
    let out = text(format_sendmsg_msg, &k_sendmsg(&m, MSG, -105), &env());
    assert!(
        out.contains(
            "msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[0]}, \
             {cmsg_len=0, cmsg_level=SOL_IP, cmsg_type=0 /* IP_??? */}, ... /* 0x100014f8 */], msg_controllen=140000"
        ),
        "{out}"
    );
    // Well-formed cmsgs past the 1024 captured bytes: cut with `...`.
    let mut c = Vec::new();
    for _ in 0..100 {
        c.extend(cm(20, 1, 1, &fds[..4]));
    }
    let mut m = base_mem();
    m.put(IOV, &iovs(&[(S1, 5)]))
        .put(MSG, &mh(NAME, 16, IOV, 1, big, c.len() as u64, 0))
        .put(big, &c);
    let out = text(format_sendmsg_msg, &k_sendmsg(&m, MSG, 5), &env());
    assert_eq!(out.matches("cmsg_data=[0]").count(), 1024 / 24);
    assert!(
        out.ends_with("cmsg_data=[0]}, ...], msg_controllen=2400, msg_flags=0}"),
        "{out}"
    );
}

// ---- recvmsg

#[test]
fn recvmsg_udp_with_control() {
    let (b1, b2, b3) = (0x1000_0200u64, 0x1000_0280u64, 0x1000_0300u64);
    let mut entry = Mem::default();
    entry
        .put(MSG, &mh(RNAME, 128, IOV, 3, CTL, 1024, 0))
        .put(IOV, &iovs(&[(b1, 4), (b2, 100), (b3, 10)]))
        .put(RNAME, &[0; 128]);
    let mut exit = entry.clone();
    let mut pi = 1u32.to_le_bytes().to_vec();
    pi.extend_from_slice(&[127, 0, 0, 1, 127, 0, 0, 1]);
    let mut c = cm(28, 0, 8, &pi);
    c.extend(cm(20, 0, 2, &64u32.to_le_bytes()));
    c.extend(cm(17, 0, 1, &[0]));
    c.extend(cm(32, 0, 20, &sin(40002, [127, 0, 0, 1])));
    c.resize(1024, 0);
    exit.put(MSG, &mh(RNAME, 16, IOV, 3, CTL, 112, 0))
        .put(RNAME, &sin(40003, [127, 0, 0, 1]))
        .put(b1, b"hell")
        .put(b2, b"o world")
        .put(b3, b"\0\0\0\0\0\0\0\0\0\0")
        .put(CTL, &c);
    let rec = k_recvmsg(&entry, &exit, MSG, 11);
    assert_eq!(
        text(format_recvmsg_msg, &rec, &env()),
        "{msg_name={sa_family=AF_INET, sin_port=htons(40003), sin_addr=inet_addr(\"127.0.0.1\")}, msg_namelen=128 => 16, \
         msg_iov=[{iov_base=\"hell\", iov_len=4}, {iov_base=\"o world\", iov_len=100}, {iov_base=\"\", iov_len=10}], \
         msg_iovlen=3, msg_control=[{cmsg_len=28, cmsg_level=SOL_IP, cmsg_type=IP_PKTINFO, \
         cmsg_data={ipi_ifindex=if_nametoindex(\"lo\"), ipi_spec_dst=inet_addr(\"127.0.0.1\"), \
         ipi_addr=inet_addr(\"127.0.0.1\")}}, {cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=[64]}, \
         {cmsg_len=17, cmsg_level=SOL_IP, cmsg_type=IP_TOS, cmsg_data=[0]}, {cmsg_len=32, cmsg_level=SOL_IP, \
         cmsg_type=IP_ORIGDSTADDR, cmsg_data={sa_family=AF_INET, sin_port=htons(40002), \
         sin_addr=inet_addr(\"127.0.0.1\")}}], msg_controllen=112, msg_flags=0}"
    );
    let j = recvmsg_json(&Call::new(&Record::parse(&rec).unwrap()), &env());
    assert_eq!(j["namelen"], 16);
    assert_eq!(j["namelenIn"], 128);
    assert_eq!(
        j["iov"][1]["payload"]["data"],
        crate::escape::hex(b"o world")
    );
    assert_eq!(j["iov"][1]["len"], 100);
    assert_eq!(j["iov"][2]["payload"]["data"], "");
    assert_eq!(j["control"]["cmsgs"][0]["typeName"], "IP_PKTINFO");
    assert_eq!(j["control"]["cmsgs"][0]["pktinfo"]["ifname"], "lo");
    assert_eq!(j["control"]["cmsgs"][1]["values"], json!([64]));
    assert_eq!(j["control"]["truncated"], false);
    assert_eq!(j["flags"], json!([]));
}

#[test]
fn recvmsg_failed_and_unreadable() {
    let mut entry = Mem::default();
    entry.put(MSG, &mh(RNAME, 128, IOV, 3, CTL, 1024, 0));
    let rec = k_recvmsg(&entry, &entry, MSG, -11);
    assert_eq!(text(format_recvmsg_msg, &rec, &env()), "{msg_namelen=128}");
    assert_eq!(
        recvmsg_json(&Call::new(&Record::parse(&rec).unwrap()), &env()),
        json!({"ptr": MSG, "namelenIn": 128})
    );
    assert_eq!(
        text(
            format_recvmsg_msg,
            &k_recvmsg(&entry, &entry, 0, -14),
            &env()
        ),
        "NULL"
    );
    assert_eq!(
        text(
            format_recvmsg_msg,
            &k_recvmsg(&entry, &entry, 8, -14),
            &env()
        ),
        "0x8"
    );
}

#[test]
fn recvmsg_truncated_data_and_ctrunc() {
    let b1 = 0x1000_0200u64;
    // MSG_TRUNC: 11 bytes returned, 5-byte iovec; no name, short control.
    let mut entry = Mem::default();
    entry
        .put(MSG, &mh(0, 0, IOV, 1, CTL, 40, 0))
        .put(IOV, &iovs(&[(b1, 5)]));
    let mut exit = entry.clone();
    let mut pi = 1u32.to_le_bytes().to_vec();
    pi.extend_from_slice(&[127, 0, 0, 1, 127, 0, 0, 1]);
    exit.put(MSG, &mh(0, 0, IOV, 1, CTL, 32, 8))
        .put(b1, b"x\0\0\0\0")
        .put(CTL, &cm(28, 0, 8, &pi));
    assert_eq!(
        text(
            format_recvmsg_msg,
            &k_recvmsg(&entry, &exit, MSG, 1),
            &env()
        ),
        "{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"x\", iov_len=5}], msg_iovlen=1, \
         msg_control=[{cmsg_len=28, cmsg_level=SOL_IP, cmsg_type=IP_PKTINFO, cmsg_data={ipi_ifindex=if_nametoindex(\"lo\"), \
         ipi_spec_dst=inet_addr(\"127.0.0.1\"), ipi_addr=inet_addr(\"127.0.0.1\")}}], msg_controllen=32, msg_flags=MSG_CTRUNC}"
    );
}

#[test]
fn recvmsg_unix_rights_ctrunc() {
    let b1 = 0x1000_0200u64;
    let name = 0x1000_0140u64;
    let mut entry = Mem::default();
    entry
        .put(MSG, &mh(name, 128, IOV, 1, CTL, 56, 0))
        .put(IOV, &iovs(&[(b1, 100)]));
    let mut exit = entry.clone();
    let mut c = cm(28, 1, 2, &i32s(&[13662, 0, 0]));
    c.extend(cm(24, 1, 1, &i32s(&[7, 8])));
    exit.put(MSG, &mh(name, 0, IOV, 1, CTL, 56, 0x4000_0008))
        .put(b1, b"abc")
        .put(CTL, &c);
    assert_eq!(
        text(
            format_recvmsg_msg,
            &k_recvmsg(&entry, &exit, MSG, 3),
            &env()
        ),
        "{msg_name=0x10000140, msg_namelen=128 => 0, msg_iov=[{iov_base=\"abc\", iov_len=100}], msg_iovlen=1, \
         msg_control=[{cmsg_len=28, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, cmsg_data={pid=13662, uid=0, gid=0}}, \
         {cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[7, 8]}], msg_controllen=56, \
         msg_flags=MSG_CTRUNC|MSG_CMSG_CLOEXEC}"
    );
}

#[test]
fn recvmsg_recverr_and_ipv6_json() {
    let b1 = 0x1000_0200u64;
    let mut entry = Mem::default();
    entry
        .put(MSG, &mh(RNAME, 128, IOV, 1, CTL, 1024, 0))
        .put(IOV, &iovs(&[(b1, 100)]))
        .put(RNAME, &[0; 128]);
    let mut exit = entry.clone();
    let mut ee = vec![111, 0, 0, 0, 2, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    ee.extend(sin(0, [127, 0, 0, 1]));
    exit.put(MSG, &mh(RNAME, 16, IOV, 1, CTL, 48, 0x2000))
        .put(RNAME, &sin(40009, [127, 0, 0, 1]))
        .put(b1, b"q")
        .put(CTL, &cm(48, 0, 11, &ee));
    let rec = k_recvmsg(&entry, &exit, MSG, 1);
    assert_eq!(
        text(format_recvmsg_msg, &rec, &env()),
        "{msg_name={sa_family=AF_INET, sin_port=htons(40009), sin_addr=inet_addr(\"127.0.0.1\")}, msg_namelen=128 => 16, \
         msg_iov=[{iov_base=\"q\", iov_len=100}], msg_iovlen=1, msg_control=[{cmsg_len=48, cmsg_level=SOL_IP, \
         cmsg_type=IP_RECVERR, cmsg_data={ee_errno=111, ee_origin=2, ee_type=3, ee_code=3, ee_info=0, ee_data=0, \
         offender={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr(\"127.0.0.1\")}}}], msg_controllen=48, \
         msg_flags=MSG_ERRQUEUE}"
    );
    let j = recvmsg_json(&Call::new(&Record::parse(&rec).unwrap()), &env());
    assert_eq!(j["control"]["cmsgs"][0]["recverr"]["eeErrno"], 111);
    assert_eq!(j["flags"], json!(["MSG_ERRQUEUE"]));
    // IPv6 cmsgs: hex types in text, decoded in JSON.
    let mut pi6 = vec![0u8; 15];
    pi6.push(1);
    pi6.extend(1u32.to_le_bytes());
    let mut c = cm(36, 41, 50, &pi6);
    c.extend(cm(20, 41, 52, &64i32.to_le_bytes()));
    c.extend(cm(20, 41, 67, &0i32.to_le_bytes()));
    let j = control_json(CTL, c.len() as u64, Some(&c), &env());
    assert_eq!(j["cmsgs"][0]["typeName"], "IPV6_PKTINFO");
    assert_eq!(j["cmsgs"][0]["pktinfo"]["addr"], "::1");
    assert_eq!(j["cmsgs"][0]["pktinfo"]["ifindex"], 1);
    assert_eq!(j["cmsgs"][1]["typeName"], "IPV6_HOPLIMIT");
    assert_eq!(j["cmsgs"][1]["values"], json!([64]));
    assert_eq!(j["cmsgs"][2]["typeName"], "IPV6_TCLASS");
    assert_eq!(j["cmsgs"][0]["levelName"], "SOL_IPV6");
    let mut s = String::new();
    format_control(&mut s, CTL, c.len() as u64, Some(&c), &env());
    assert_eq!(
        s,
        "[{cmsg_len=36, cmsg_level=SOL_IPV6, cmsg_type=0x32}, {cmsg_len=20, cmsg_level=SOL_IPV6, cmsg_type=0x34}, \
         {cmsg_len=20, cmsg_level=SOL_IPV6, cmsg_type=0x43}]"
    );
    // SCM_PIDFD: unknown to strace 6.1, named in JSON.
    let c = cm(20, 1, 0x4c, &5i32.to_le_bytes());
    let j = control_json(CTL, c.len() as u64, Some(&c), &env());
    assert_eq!(j["cmsgs"][0]["typeName"], "SCM_PIDFD");
    assert_eq!(j["cmsgs"][0]["pidfd"], 5);
}

// ---- sendmmsg / recvmmsg

const VEC: u64 = 0x1000_0890;
const BUFS: u64 = 0x1000_0c00;
const MIOV: u64 = 0x1000_1000;
const TS: u64 = 0x1000_0880;

fn dgram(i: u64) -> String {
    format!(
        "{{msg_hdr={{msg_name={{sa_family=AF_INET, sin_port=htons(40002), sin_addr=inet_addr(\"127.0.0.1\")}}, \
         msg_namelen=16, msg_iov=[{{iov_base=\"{}\", iov_len=3}}], msg_iovlen=1, msg_controllen=0, msg_flags=0}}",
        &"abcdef"[i as usize..i as usize + 3]
    )
}

/// sendmmsg memory: n messages of 3 bytes to 127.0.0.1:40002.
fn smm_mem(n: u64) -> Mem {
    let mut m = Mem::default();
    m.put(NAME, &sin(40002, [127, 0, 0, 1]));
    for i in 0..n {
        m.put(
            BUFS + 64 * i,
            &b"abcdef"[(i % 4) as usize..(i % 4) as usize + 3],
        );
        m.put(MIOV + 16 * i, &iovs(&[(BUFS + 64 * i, 3)]));
        m.put(
            VEC + 64 * i,
            &mmsg(mh(NAME, 16, MIOV + 16 * i, 1, 0, 0, 0), 0),
        );
    }
    m
}

fn with_lens(m: &Mem, n: u64, lens: &[u32]) -> Mem {
    let mut x = m.clone();
    for (i, l) in lens.iter().enumerate().take(n as usize) {
        x.put(VEC + 64 * i as u64 + 56, &l.to_le_bytes());
    }
    x
}

#[test]
fn sendmmsg_vectors() {
    let m = smm_mem(3);
    let exit = with_lens(&m, 3, &[3, 3, 3]);
    let rec = k_sendmmsg(&m, &exit, VEC, 3, 3, 32);
    assert_eq!(
        text(format_sendmmsg_vec, &rec, &env()),
        format!(
            "[{}, msg_len=3}}, {}, msg_len=3}}, {}, msg_len=3}}]",
            dgram(0),
            dgram(1),
            dgram(2)
        )
    );
    let j = sendmmsg_json(&Call::new(&Record::parse(&rec).unwrap()), &env());
    assert_eq!(j[2]["msgLen"], 3);
    assert_eq!(
        j[2]["msgHdr"]["iov"][0]["payload"]["data"],
        crate::escape::hex(b"cde")
    );
    // Partial send: msg_len only on the first; a faulting iov_base in the second.
    let mut m2 = m.clone();
    m2.put(MIOV + 16, &iovs(&[(8, 3)]));
    let exit = with_lens(&m2, 1, &[3]);
    let rec = k_sendmmsg(&m2, &exit, VEC, 3, 1, 32);
    let second = dgram(1).replace("\"bcd\"", "0x8");
    assert_eq!(
        text(format_sendmmsg_vec, &rec, &env()),
        format!("[{}, msg_len=3}}, {second}}}, {}}}]", dgram(0), dgram(2))
    );
    // Error: no msg_len at all.
    let rec = k_sendmmsg(&m2, &m2, VEC, 3, -9, 32);
    assert_eq!(
        text(format_sendmmsg_vec, &rec, &env()),
        format!("[{}}}, {second}}}, {}}}]", dgram(0), dgram(2))
    );
    // -s 2: two entries, then `...`; strings cut at 2.
    let rec = k_sendmmsg(&m2, &exit, VEC, 3, 1, 2);
    let first = dgram(0).replace("\"abc\"", "\"ab\"...");
    assert_eq!(
        text(format_sendmmsg_vec, &rec, &env_s(2)),
        format!("[{first}, msg_len=3}}, {second}}}, ...]")
    );
    // NULL, faulting, empty.
    assert_eq!(
        text(
            format_sendmmsg_vec,
            &k_sendmmsg(&m, &m, 0, 3, -14, 32),
            &env()
        ),
        "NULL"
    );
    assert_eq!(
        text(
            format_sendmmsg_vec,
            &k_sendmmsg(&m, &m, 8, 3, -14, 32),
            &env()
        ),
        "0x8"
    );
    assert_eq!(
        text(
            format_sendmmsg_vec,
            &k_sendmmsg(&m, &m, VEC, 0, 0, 32),
            &env()
        ),
        "[]"
    );
    // 12 sent, 8 captured: fewer than min(vlen, MAX_MMSG = 32) means the kernel side could
    // not read the rest of the vector (it ran into an unmapped page): strace prints the
    // readable entries and `... /* address of the first unreadable */`. (The MAX_MMSG cut
    // itself, plain `...`, is checked by strace's mmsg_name test in tests/it/strace_suite.rs.)
    let m = smm_mem(12);
    let exit = with_lens(&m, 12, &[3; 12]);
    let out = text(
        format_sendmmsg_vec,
        &k_sendmmsg(&m, &exit, VEC, 12, 12, 32),
        &env(),
    );
    assert_eq!(out.matches("msg_len=3").count(), 8);
    assert!(
        out.ends_with(&format!("msg_len=3}}, ... /* {:#x} */]", VEC + 8 * 64)),
        "{out}"
    );
}

fn rmm_mems(n: u64, namelen_in: u32) -> (Mem, Mem) {
    let names = 0x1000_2000u64;
    let mut entry = Mem::default();
    for i in 0..n {
        entry.put(MIOV + 16 * i, &iovs(&[(BUFS + 64 * i, 64)]));
        entry.put(
            VEC + 64 * i,
            &mmsg(
                mh(names + 128 * i, namelen_in, MIOV + 16 * i, 1, 0, 0, 0),
                0,
            ),
        );
    }
    entry.put(TS, &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let mut exit = entry.clone();
    for i in 0..n {
        exit.put(names + 128 * i, &sin(40003, [127, 0, 0, 1]));
        exit.put(
            BUFS + 64 * i,
            &b"abcdef"[(i % 4) as usize..(i % 4) as usize + 3],
        );
        exit.put(
            VEC + 64 * i,
            &mmsg(mh(names + 128 * i, 16, MIOV + 16 * i, 1, 0, 0, 8), 3),
        );
    }
    let mut left = 0u64.to_le_bytes().to_vec();
    left.extend(999_995_462u64.to_le_bytes());
    exit.put(TS, &left);
    (entry, exit)
}

fn rdgram(i: u64, arrow: bool, s: usize) -> String {
    let d = &"abcdef"[i as usize..i as usize + 3];
    let d = if s < 3 {
        format!("\"{}\"...", &d[..s])
    } else {
        format!("\"{d}\"")
    };
    format!(
        "{{msg_hdr={{msg_name={{sa_family=AF_INET, sin_port=htons(40003), sin_addr=inet_addr(\"127.0.0.1\")}}, \
         msg_namelen={}16, msg_iov=[{{iov_base={d}, iov_len=64}}], msg_iovlen=1, msg_controllen=0, \
         msg_flags=MSG_CTRUNC}}, msg_len=3}}",
        if arrow { "128 => " } else { "" }
    )
}

#[test]
fn recvmmsg_vectors_timeout_suffix() {
    let (entry, exit) = rmm_mems(4, 128);
    let rec = k_recvmmsg(&entry, &exit, [3, VEC, 4, 0x40, TS, 0], 3, 32);
    let r = Record::parse(&rec).unwrap();
    let r = Call::new(&r);
    let mut s = String::new();
    format_recvmmsg_vec(&mut s, &r, &env());
    assert_eq!(
        s,
        format!(
            "[{}, {}, {}]",
            rdgram(0, true, 32),
            rdgram(1, true, 32),
            rdgram(2, true, 32)
        )
    );
    let mut t = String::new();
    format_recvmmsg_timeout(&mut t, &r);
    assert_eq!(t, "{tv_sec=1, tv_nsec=0}");
    assert_eq!(
        recvmmsg_ret_suffix(&r).as_deref(),
        Some(" (left {tv_sec=0, tv_nsec=999995462})")
    );
    let j = recvmmsg_timeout_json(&r);
    assert_eq!(j["in"]["tvSec"], 1);
    assert_eq!(j["left"]["tvNsec"], 999_995_462u64);
    let j = recvmmsg_json(&r, &env());
    assert_eq!(j.as_array().unwrap().len(), 3);
    assert_eq!(
        j[1]["msgHdr"]["iov"][0]["payload"]["data"],
        crate::escape::hex(b"bcd")
    );
    assert_eq!(j[1]["msgHdr"]["namelenIn"], 128);
    assert_eq!(j[1]["msgLen"], 3);
    // Same namelen in and out: no `=>`; -s 2 cuts the vector and the strings.
    let (entry, exit) = rmm_mems(4, 16);
    let rec = k_recvmmsg(&entry, &exit, [3, VEC, 4, 0x40, 0, 0], 3, 2);
    assert_eq!(
        text(format_recvmmsg_vec, &rec, &env_s(2)),
        format!("[{}, {}, ...]", rdgram(0, false, 2), rdgram(1, false, 2))
    );
    let r = Record::parse(&rec).unwrap();
    let r = Call::new(&r);
    assert_eq!(recvmmsg_ret_suffix(&r), None);
    let mut t = String::new();
    format_recvmmsg_timeout(&mut t, &r);
    assert_eq!(t, "NULL");
    // Failure: the pointer; no suffix; the entry timeout or its pointer.
    let rec = k_recvmmsg(&entry, &entry, [3, VEC, 4, 0x40, TS, 0], -11, 32);
    let r = Record::parse(&rec).unwrap();
    let r = Call::new(&r);
    assert_eq!(text(format_recvmmsg_vec, &rec, &env()), "0x10000890");
    assert_eq!(recvmmsg_ret_suffix(&r), None);
    let rec = k_recvmmsg(&entry, &entry, [3, 8, 12, 0x40, 0x10, 0], -14, 32);
    let r = Record::parse(&rec).unwrap();
    let r = Call::new(&r);
    let mut t = String::new();
    format_recvmmsg_timeout(&mut t, &r);
    assert_eq!(t, "0x10");
    assert_eq!(text(format_recvmmsg_vec, &rec, &env()), "0x8");
    // 0 received: `[]` and (Timeout).
    let rec = k_recvmmsg(&entry, &entry, [3, VEC, 4, 0, TS, 0], 0, 32);
    let r = Record::parse(&rec).unwrap();
    let r = Call::new(&r);
    assert_eq!(text(format_recvmmsg_vec, &rec, &env()), "[]");
    assert_eq!(recvmmsg_ret_suffix(&r).as_deref(), Some(" (Timeout)"));
}

// ---- malformed input never panics

#[test]
fn malformed_records_do_not_panic() {
    let e = env();
    let fns: [fn(&mut String, &Call, &MsgEnv); 4] = [
        format_sendmsg_msg,
        format_recvmsg_msg,
        format_sendmmsg_vec,
        format_recvmmsg_vec,
    ];
    let hdrs = [
        mh(NAME, 16, IOV, 5, CTL, 64, 0),
        mh(NAME, u32::MAX, IOV, u64::MAX, CTL, u64::MAX, u32::MAX),
        mh(NAME, 200, IOV, 3, CTL, 17, 0),
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..300 {
        let h = &hdrs[round % hdrs.len()];
        let junk: Vec<u8> = (0..(rnd() % 200) as usize).map(|_| rnd() as u8).collect();
        let mut ctl = cm(
            rnd() % 80,
            (rnd() % 3) as i32,
            (rnd() % 70) as i32,
            &junk[..junk.len().min(40)],
        );
        ctl.extend(&junk);
        for ev in [
            EventId::Sendmsg,
            EventId::Recvmsg,
            EventId::Sendmmsg,
            EventId::Recvmmsg,
        ] {
            let ret = (rnd() % 20) as i64 - 2;
            let mut b = RecordBuilder::new(ev, [3, MSG, rnd() % 20, 0, TS, 0], ret);
            // Short or whole headers, iov arrays shorter than iovlen, lying control.
            let cut = (rnd() % 70) as usize;
            b = b
                .seg(seg::MSGHDR, 0, MSG, &h[..cut.min(h.len())])
                .seg(seg::MSGHDR_EXIT, 0, MSG, h);
            let mut mm = mmsg(h.clone(), rnd() as u32);
            mm.extend(mmsg(h.clone(), 7));
            b = b
                .seg(seg::MMSGHDR, 0, VEC, &mm[..(rnd() % 129) as usize])
                .seg(seg::MMSGHDR_EXIT, 0, VEC, &mm);
            b = b
                .seg(seg::IOV, 0, IOV, &junk[..junk.len().min(40)])
                .seg(seg::IOV, 1, IOV, &junk);
            b = b
                .seg(seg::IOV_DATA, 0, S1, &junk)
                .seg(seg::IOV_DATA, 1, S1, b"x");
            b = b.seg(seg::ADDR, 0, NAME, &junk[..junk.len().min(3)]).seg(
                seg::CONTROL,
                0,
                CTL,
                &ctl,
            );
            b = b.seg(seg::CONTROL, 1, CTL, &junk).seg(
                seg::TIMESPEC,
                0,
                TS,
                &junk[..junk.len().min(9)],
            );
            let bytes = b.build();
            let r = Record::parse(&bytes).unwrap();
            let r = Call::new(&r);
            for f in fns {
                let mut s = String::new();
                f(&mut s, &r, &e);
            }
            let _ = (
                sendmsg_json(&r, &e),
                recvmsg_json(&r, &e),
                sendmmsg_json(&r, &e),
                recvmmsg_json(&r, &e),
            );
            let _ = (recvmmsg_ret_suffix(&r), recvmmsg_timeout_json(&r));
            let _ = control_json(CTL, rnd() % 300, Some(&ctl), &e);
        }
    }
}

#[test]
fn json_shape_sendmsg() {
    let mut m = base_mem();
    m.put(IOV, &iovs(&[(S1, 5), (0, 0)]))
        .put(MSG, &mh(NAME, 16, IOV, 2, CTL, 32, 0x100008));
    m.put(CTL, &cm(28, 1, 1, &i32s(&[5, 6, 7])));
    let rec = k_sendmsg(&m, MSG, 5);
    let j = sendmsg_json(&Call::new(&Record::parse(&rec).unwrap()), &env());
    assert_eq!(j["ptr"], MSG);
    assert_eq!(j["namelen"], 16);
    assert_eq!(
        j["iov"][0],
        json!({"base": S1, "len": 5, "payload": {"encoding": "hex", "data": crate::escape::hex(b"hello"), "captured": 5, "length": 5, "truncated": false}})
    );
    assert_eq!(j["iov"][1]["payload"], Value::Null);
    assert_eq!(j["iovlen"], 2);
    assert_eq!(
        j["control"]["cmsgs"][0],
        json!({"len": 28, "level": 1, "levelName": "SOL_SOCKET", "type": 1, "typeName": "SCM_RIGHTS", "fds": [5, 6, 7]})
    );
    assert_eq!(j["controllen"], 32);
    assert_eq!(j["flags"], json!(["MSG_CTRUNC", "0x100000"]));
    assert_eq!(j["flagsRaw"], 0x100008);
    let short = RecordBuilder::new(EventId::Sendmsg, [3, 0, 0, 0, 0, 0], -14)
        .null(seg::MSGHDR, 0)
        .build();
    assert_eq!(
        sendmsg_json(&Call::new(&Record::parse(&short).unwrap()), &env()),
        json!({"ptr": null})
    );
}
