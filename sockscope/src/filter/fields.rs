//! The one field table of `--filter` ([`FIELDS`]): each field's name, kind (how its values are
//! written and compared), where it exists, how it reads the typed call, and what it means. The
//! parser, the evaluator and the error messages read it; a unit test checks that `--help` and
//! the README name every field.
use crate::call::Call;
use crate::decode::errno::MAX_ERRNO;
use crate::decode::msghdr::Msghdr;
use crate::record::Record;
use sockscope_common::EventId;

use super::eval::{AddrKind, Small, addrs, iov_total, msg_at, msg_count};

/// One field.
#[derive(Debug)]
pub(super) struct FieldDef {
    pub(super) name: &'static str,
    pub(super) kind: Kind,
    pub(super) on: On,
    pub(super) read: Read,
    /// What it holds: the field's documentation, kept in its row (read by the docs test).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) doc: &'static str,
}

/// A field: its row of [`FIELDS`].
pub(super) type Field = &'static FieldDef;

/// How a field's values are written in an expression and compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Alone or negated, no operator.
    Bool,
    /// Event names (and globs over them), compiled to a set of events.
    Event,
    Int,
    /// A port number, 0..65535.
    Port,
    /// A socket's port (a netlink socket's port id may be larger): not range-checked.
    SockPort,
    /// An errno name or number.
    Errno,
    /// An address family name or number; `==`, `!=`, `in` only.
    Family,
    /// MSG_* flags: `has`, `==`, `!=`.
    Flags,
    /// The thread name (15 bytes kept by the kernel).
    Comm,
    /// The socket's protocol name (any case).
    Proto,
    /// An IP address, CIDR or UNIX path.
    Address,
}

/// Where a field exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum On {
    /// On calls only.
    Call,
    /// On calls and on flows (`top`, `--summary flows`).
    Flow,
    /// On calls and flows, read from the socket captured in the kernel (needs the `-yy`
    /// capture).
    Socket,
}

/// Whose address an address field reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    Dst,
    Src,
    /// dst for sends, src for receives.
    Call,
    /// The socket's own endpoint, as read in the kernel at the call.
    Local,
    /// The socket's peer (connected sockets).
    Remote,
    /// The call's address when it has one, else the socket's peer.
    Peer,
}

/// Numbers: none (absent), one, or one per message of the mmsg calls.
pub(super) type IntReader = fn(&Record, &mut Small<i128>);
/// A name (absent: None).
pub(super) type NameReader = for<'r> fn(&'r Record) -> Option<&'r [u8]>;

/// How a field reads the typed call.
#[derive(Clone, Copy)]
pub(super) enum Read {
    /// The event itself (compiled to a set of events).
    Event,
    Bool(fn(&Record) -> bool),
    Int(IntReader),
    Name(NameReader),
    /// The addresses of a role.
    Addr(Role),
}

impl std::fmt::Debug for Read {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Read::Event => f.write_str("Event"),
            Read::Bool(_) => f.write_str("Bool"),
            Read::Int(_) => f.write_str("Int"),
            Read::Name(_) => f.write_str("Name"),
            Read::Addr(r) => write!(f, "Addr({r:?})"),
        }
    }
}

const fn def(name: &'static str, kind: Kind, on: On, read: Read, doc: &'static str) -> FieldDef {
    FieldDef {
        name,
        kind,
        on,
        read,
        doc,
    }
}

/// The fields, in the order they are documented and listed in errors.
pub(super) static FIELDS: [FieldDef; 28] = {
    use Kind as K;
    use On::{Call as C, Flow as F, Socket as S};
    [
        def(
            "event",
            K::Event,
            C,
            Read::Event,
            "the call's name (`sendto`, `recvmsg`, `read`...)",
        ),
        def("fd", K::Int, C, Read::Int(fd), "the socket argument (int)"),
        def(
            "pid",
            K::Int,
            F,
            Read::Int(pid),
            "the caller's process (tgid)",
        ),
        def("tid", K::Int, C, Read::Int(tid), "the caller's thread"),
        def("ppid", K::Int, C, Read::Int(ppid), "the caller's parent"),
        def("uid", K::Int, C, Read::Int(uid), "the caller's user id"),
        def("gid", K::Int, C, Read::Int(gid), "the caller's group id"),
        def(
            "comm",
            K::Comm,
            F,
            Read::Name(comm),
            "the thread name (at most 15 bytes)",
        ),
        def(
            "len",
            K::Int,
            C,
            Read::Int(len),
            "buffer length: `len` of sendto/recvfrom; for the msg calls the sum of the iovec lengths, per message for sendmmsg/recvmmsg",
        ),
        def(
            "vlen",
            K::Int,
            C,
            Read::Int(vlen),
            "sendmmsg/recvmmsg `vlen`",
        ),
        def(
            "ret",
            K::Int,
            C,
            Read::Int(ret),
            "the return value (`-errno` on failure)",
        ),
        def(
            "failed",
            K::Bool,
            C,
            Read::Bool(failed),
            "the call returned an error",
        ),
        def(
            "errno",
            K::Errno,
            C,
            Read::Int(errno),
            "the error (`EAGAIN` or a number)",
        ),
        def(
            "flags",
            K::Flags,
            C,
            Read::Int(flags),
            "the MSG_* argument (`MSG_DONTWAIT`, `DONTWAIT`, `0x40`)",
        ),
        def(
            "family",
            K::Family,
            C,
            Read::Int(family),
            "family of `addr` (`AF_INET`, `inet6`, `AF_UNIX`, a number)",
        ),
        def(
            "addr",
            K::Address,
            C,
            Read::Addr(Role::Call),
            "the address in the call, whichever direction (`dst` for sends, `src` for receives)",
        ),
        def("port", K::Port, C, Read::Int(port), "the port of `addr`"),
        def(
            "dst",
            K::Address,
            C,
            Read::Addr(Role::Dst),
            "destination: sendto's dest_addr, sendmsg's/sendmmsg's msg_name",
        ),
        def("dport", K::Port, C, Read::Int(dport), "the port of `dst`"),
        def(
            "src",
            K::Address,
            C,
            Read::Addr(Role::Src),
            "source: recvfrom's src_addr, recvmsg's/recvmmsg's msg_name (as filled in)",
        ),
        def("sport", K::Port, C, Read::Int(sport), "the port of `src`"),
        def(
            "toctou",
            K::Bool,
            C,
            Read::Bool(toctou),
            "the destination changed during the call (naming it turns on `--toctou`)",
        ),
        def(
            "proto",
            K::Proto,
            S,
            Read::Name(proto),
            "the socket's protocol (`tcp`, `udp`, `unix`, `netlink`, `raw`, `sctp`...; any case)",
        ),
        def(
            "laddr",
            K::Address,
            S,
            Read::Addr(Role::Local),
            "the socket's local address (UNIX: its path)",
        ),
        def(
            "lport",
            K::SockPort,
            S,
            Read::Int(lport),
            "the socket's local port (netlink: the port id)",
        ),
        def(
            "raddr",
            K::Address,
            S,
            Read::Addr(Role::Remote),
            "the socket's peer, when connected (UNIX peers have no `raddr`)",
        ),
        def(
            "rport",
            K::SockPort,
            S,
            Read::Int(rport),
            "the port of the socket's peer",
        ),
        def(
            "peer",
            K::Address,
            S,
            Read::Addr(Role::Peer),
            "the call's address (`addr`) when it has one, else the socket's peer (`raddr`)",
        ),
    ]
};

/// The field called `name`.
pub(super) fn by_name(name: &str) -> Option<Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// The field names, for error messages.
pub(super) fn field_list() -> String {
    let names: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
    names.join(", ")
}

impl PartialEq for FieldDef {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Kind {
    /// What a value looks like, for "expected ..." messages.
    pub(super) fn expects(self) -> &'static str {
        match self {
            Kind::Event => "an event name (sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg)",
            Kind::Comm => "a process name",
            Kind::Proto => "a protocol name (tcp, udp, unix, netlink, raw, sctp...)",
            Kind::Errno => "an errno name (EAGAIN) or number",
            Kind::Flags => "a MSG_* flag name (MSG_DONTWAIT) or number",
            Kind::Family => "an address family (AF_INET, AF_INET6, AF_UNIX) or number",
            Kind::Port | Kind::SockPort => "a port number (0..65535)",
            Kind::Address => {
                "an IP address, a CIDR (10.0.0.0/8, fe80::/10) or a UNIX path (\"/path\", @abstract)"
            }
            Kind::Int | Kind::Bool => "a number",
        }
    }

    /// The operators it takes, for error messages.
    pub(super) fn operators(self) -> &'static str {
        match self {
            Kind::Bool => "none: write it alone or negated",
            Kind::Event | Kind::Comm | Kind::Proto | Kind::Address => "==, !=, in, ~, !~",
            Kind::Flags => "has, ==, !=",
            Kind::Family => "==, !=, in",
            Kind::Int | Kind::Port | Kind::SockPort | Kind::Errno => "==, !=, <, <=, >, >=, in",
        }
    }
}

impl FieldDef {
    pub(super) fn expects(&self) -> &'static str {
        self.kind.expects()
    }

    pub(super) fn operators(&self) -> &'static str {
        self.kind.operators()
    }
}

// =============================================================================================
// Readers

fn fd(rec: &Record, out: &mut Small<i128>) {
    out.push(rec.header.args[0] as i32 as i128);
}

fn pid(rec: &Record, out: &mut Small<i128>) {
    out.push(rec.header.tgid as i128);
}

fn tid(rec: &Record, out: &mut Small<i128>) {
    out.push(rec.header.tid as i128);
}

fn ppid(rec: &Record, out: &mut Small<i128>) {
    out.push(rec.header.ppid as i128);
}

fn uid(rec: &Record, out: &mut Small<i128>) {
    out.push(rec.header.uid as i128);
}

fn gid(rec: &Record, out: &mut Small<i128>) {
    out.push(rec.header.gid as i128);
}

fn ret(rec: &Record, out: &mut Small<i128>) {
    out.push(rec.header.ret as i128);
}

fn errno(rec: &Record, out: &mut Small<i128>) {
    let r = rec.header.ret;
    if r < 0 && r.unsigned_abs() <= MAX_ERRNO {
        out.push(-(r as i128));
    }
}

fn flags(rec: &Record, out: &mut Small<i128>) {
    let i = match rec.event {
        EventId::Sendmsg | EventId::Recvmsg => 2,
        // The data calls carry no MSG_* flags (splice's are SPLICE_F_*).
        e if crate::events::is_data(e) => return,
        _ => 3,
    };
    out.push(rec.header.args[i] as u32 as i128);
}

fn vlen(rec: &Record, out: &mut Small<i128>) {
    if matches!(rec.event, EventId::Sendmmsg | EventId::Recvmmsg) {
        out.push(rec.header.args[2] as u32 as i128);
    }
}

fn len(rec: &Record, out: &mut Small<i128>) {
    let h = &rec.header;
    match rec.event {
        EventId::Sendto | EventId::Recvfrom => out.push(h.args[2] as i128),
        EventId::Read | EventId::Write => out.push(h.args[2] as i128),
        EventId::Sendfile => out.push(h.args[3] as i128),
        EventId::Splice => out.push(h.args[4] as i128),
        EventId::Readv | EventId::Writev | EventId::Preadv2 | EventId::Pwritev2 => {
            let v = Msghdr {
                iov: h.args[1],
                iovlen: h.args[2],
                ..Msghdr::default()
            };
            if let Some(t) = iov_total(rec, 0, &v) {
                out.push(t);
            }
        }
        _ => {
            for i in 0..msg_count(rec) {
                if let Some(m) = msg_at(rec, i)
                    && let Some(t) = iov_total(rec, i as u16, &m.hdr)
                {
                    out.push(t);
                }
            }
        }
    }
}

/// The ports of the addresses of `role` (IP addresses only).
fn ports(rec: &Record, role: Role, out: &mut Small<i128>) {
    let mut a = Small::new();
    addrs(rec, role, &mut a);
    for s in a.as_slice() {
        if let AddrKind::Ip { port, .. } = s.kind {
            out.push(port as i128);
        }
    }
}

fn port(rec: &Record, out: &mut Small<i128>) {
    ports(rec, Role::Call, out)
}

fn dport(rec: &Record, out: &mut Small<i128>) {
    ports(rec, Role::Dst, out)
}

fn sport(rec: &Record, out: &mut Small<i128>) {
    ports(rec, Role::Src, out)
}

fn family(rec: &Record, out: &mut Small<i128>) {
    let mut a = Small::new();
    addrs(rec, Role::Call, &mut a);
    for s in a.as_slice() {
        out.push(s.family as i128);
    }
}

fn lport(rec: &Record, out: &mut Small<i128>) {
    if let Some(p) = crate::endpoints::port(rec, true) {
        out.push(p as i128);
    }
}

fn rport(rec: &Record, out: &mut Small<i128>) {
    if let Some(p) = crate::endpoints::port(rec, false) {
        out.push(p as i128);
    }
}

fn failed(rec: &Record) -> bool {
    let r = rec.header.ret;
    r < 0 && r.unsigned_abs() <= MAX_ERRNO
}

fn toctou(rec: &Record) -> bool {
    Call::new(rec).toctou().is_some()
}

fn comm<'r>(rec: &'r Record) -> Option<&'r [u8]> {
    Some(crate::render::comm_bytes(&rec.header.comm))
}

fn proto<'r>(rec: &'r Record) -> Option<&'r [u8]> {
    crate::endpoints::proto(rec).map(str::as_bytes)
}
