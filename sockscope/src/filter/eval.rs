//! The compiled expression, globs, and the values of a record (read through the typed call).
#![allow(unused_imports)]
use crate::call::Call;
use crate::decode::errno::{MAX_ERRNO, errno_name};
use crate::decode::msghdr::Msghdr;
use crate::decode::xlat::{ADDRESS_FAMILIES, MSG_FLAGS};
use crate::events::EVENTS;
use crate::record::Record;
use sockscope_common::{EventId, MAX_MMSG, wire::IOVEC_SIZE};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::*;

// =============================================================================================
// Compiled expression

#[derive(Clone, Debug)]
pub(super) enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Const(bool),
    Test(Test),
}

#[derive(Clone, Debug)]
pub(super) struct Test {
    pub(super) field: Field,
    pub(super) cond: Cond,
    /// `!=` / `!~`: the field is present and no value satisfies `cond`.
    pub(super) negate: bool,
}

#[derive(Clone, Debug)]
pub(super) enum Cond {
    /// The field alone: a boolean field is true / any other field is present.
    Present,
    /// Set of events (bit `1 << id`).
    Events(u32),
    Int(IntCond),
    Comm(StrCond),
    Addr(AddrCond),
}

#[derive(Clone, Debug)]
pub(super) enum IntCond {
    Cmp(Op, i128),
    /// Inclusive ranges.
    In(Vec<(i128, i128)>),
    /// All these bits set.
    Has(u64),
}

#[derive(Clone, Debug)]
pub(super) enum StrCond {
    /// Any of these exact names.
    In(Vec<Vec<u8>>),
    Glob(Glob),
}

#[derive(Clone, Debug)]
pub(super) enum AddrCond {
    In(Vec<AddrPat>),
    Glob(Glob),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum AddrPat {
    /// An IPv6 network (IPv4 v4-mapped): its address (host bits clear) and mask, parsed by
    /// ipnet; matched by a masked compare: 2.9 ns for a set of 4 where `Ipv6Net::contains`
    /// takes 19.4 ns (filter/tests.rs `bench_cidr`).
    Net(u128, u128),
    Unix {
        abstract_: bool,
        name: Vec<u8>,
    },
}

impl Node {
    pub(super) fn eval(&self, rec: &Record) -> bool {
        match self {
            Node::And(v) => v.iter().all(|n| n.eval(rec)),
            Node::Or(v) => v.iter().any(|n| n.eval(rec)),
            Node::Not(n) => !n.eval(rec),
            Node::Const(b) => *b,
            Node::Test(t) => t.eval(rec),
        }
    }
}

/// Any value passes (`negate` false), or there is a value and none passes (`negate` true).
pub(super) fn quantify<V: Copy>(vals: &[V], negate: bool, f: impl Fn(V) -> bool) -> bool {
    if negate {
        !vals.is_empty() && !vals.iter().any(|v| f(*v))
    } else {
        vals.iter().any(|v| f(*v))
    }
}

impl Test {
    pub(super) fn eval(&self, rec: &Record) -> bool {
        let f = self.field;
        if rec.header.flags & FLOW_SUBJECT != 0 && f.on == On::Call {
            return false;
        }
        match (&self.cond, f.read) {
            (Cond::Present, Read::Event) => true,
            (Cond::Present, Read::Bool(read)) => read(rec),
            (Cond::Present, Read::Name(read)) => read(rec).is_some(),
            // MSG_* flags: present on every call (as their bits are tested, absent on the data
            // calls).
            (Cond::Present, Read::Int(_)) if f.kind == Kind::Flags => true,
            (Cond::Present, Read::Int(read)) => {
                let mut v = Small::new();
                read(rec, &mut v);
                !v.as_slice().is_empty()
            }
            (Cond::Present, Read::Addr(role)) => {
                let mut v = Small::new();
                addrs(rec, role, &mut v);
                !v.as_slice().is_empty()
            }
            (Cond::Events(mask), _) => mask & (1u32 << (rec.event as u16 as u32 & 31)) != 0,
            (Cond::Int(c), Read::Int(read)) => {
                let mut v = Small::new();
                read(rec, &mut v);
                quantify(v.as_slice(), self.negate, |x| c.test(x))
            }
            (Cond::Comm(c), Read::Name(read)) => match read(rec) {
                Some(name) => quantify(&[name], self.negate, |n| c.test(n)),
                None => false,
            },
            (Cond::Addr(c), Read::Addr(role)) => {
                let mut v = Small::new();
                addrs(rec, role, &mut v);
                quantify(v.as_slice(), self.negate, |a| c.test(&a))
            }
            // The parser compiles each kind of field to its kind of condition.
            (Cond::Int(_) | Cond::Comm(_) | Cond::Addr(_), _) => false,
        }
    }
}

impl IntCond {
    pub(super) fn test(&self, x: i128) -> bool {
        match self {
            IntCond::Cmp(op, v) => match op {
                Op::Eq => x == *v,
                Op::Lt => x < *v,
                Op::Le => x <= *v,
                Op::Gt => x > *v,
                Op::Ge => x >= *v,
                // Compiled as Eq with `negate`; globs never reach numbers.
                Op::Ne | Op::Glob | Op::NotGlob => false,
            },
            IntCond::In(ranges) => ranges.iter().any(|(lo, hi)| *lo <= x && x <= *hi),
            IntCond::Has(bits) => x >= 0 && (x as u64) & bits == *bits,
        }
    }
}

/// Bytes of the kernel's comm kept for a comparison (TASK_COMM_LEN - 1).
pub(super) const COMM_MAX: usize = 15;

impl StrCond {
    pub(super) fn test(&self, s: &[u8]) -> bool {
        match self {
            StrCond::In(names) => names.iter().any(|n| n.as_slice() == s),
            StrCond::Glob(g) => g.matches(s),
        }
    }
}

impl AddrCond {
    pub(super) fn test(&self, a: &SockAddr) -> bool {
        match self {
            AddrCond::In(pats) => pats.iter().any(|p| p.matches(a)),
            AddrCond::Glob(g) => match a.kind {
                AddrKind::Unix {
                    abstract_: false,
                    name,
                } => g.matches(name),
                AddrKind::Unix {
                    abstract_: true,
                    name,
                } => {
                    // "@name" without allocating: sun_path holds at most 108 bytes.
                    let mut buf = [0u8; 1 + SUN_PATH_MAX];
                    let n = name.len().min(SUN_PATH_MAX);
                    buf[0] = b'@';
                    buf[1..1 + n].copy_from_slice(&name[..n]);
                    g.matches(&buf[..1 + n])
                }
                _ => false,
            },
        }
    }
}

impl AddrPat {
    /// An IP network, IPv4 as its v4-mapped IPv6 network.
    pub(super) fn net(net: ipnet::IpNet) -> AddrPat {
        let v6 = match net {
            ipnet::IpNet::V4(n) => {
                ipnet::Ipv6Net::new_assert(n.addr().to_ipv6_mapped(), n.prefix_len() + 96)
            }
            ipnet::IpNet::V6(n) => n,
        };
        let mask = u128::from(v6.netmask());
        AddrPat::Net(u128::from(v6.network()), mask)
    }

    pub(super) fn matches(&self, a: &SockAddr) -> bool {
        match (self, a.kind) {
            (AddrPat::Net(net, mask), AddrKind::Ip { ip, .. }) => (ip ^ net) & mask == 0,
            (
                AddrPat::Unix { abstract_, name },
                AddrKind::Unix {
                    abstract_: a_abs,
                    name: a_name,
                },
            ) => *abstract_ == a_abs && name.as_slice() == a_name,
            _ => false,
        }
    }
}

// =============================================================================================
// Globs

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum GlobTok {
    Star,
    Any,
    Byte(u8),
}

/// Hand-written: 1.5-12 ns a match where globset takes 27-65 ns (filter/tests.rs
/// `bench_globs`); globset is its oracle in `glob_agrees_with_globset`.
#[derive(Clone, Debug)]
pub(super) struct Glob(pub(super) Vec<GlobTok>);

impl Glob {
    pub(super) fn new(p: &[u8]) -> Glob {
        let mut v = Vec::with_capacity(p.len());
        let mut i = 0;
        while i < p.len() {
            match p[i] {
                b'*' => {
                    if v.last() != Some(&GlobTok::Star) {
                        v.push(GlobTok::Star);
                    }
                }
                b'?' => v.push(GlobTok::Any),
                b'\\' if i + 1 < p.len() => {
                    i += 1;
                    v.push(GlobTok::Byte(p[i]));
                }
                b => v.push(GlobTok::Byte(b)),
            }
            i += 1;
        }
        Glob(v)
    }

    /// Whole-string match; backtracks only to the last `*` (linear in practice).
    pub(super) fn matches(&self, t: &[u8]) -> bool {
        let p = &self.0;
        let (mut pi, mut ti) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            match p.get(pi) {
                Some(GlobTok::Star) => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                Some(GlobTok::Any) => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                Some(GlobTok::Byte(b)) if *b == t[ti] => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
            match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            }
        }
        p[pi..].iter().all(|t| *t == GlobTok::Star)
    }
}

// =============================================================================================
// Values of a record

/// Most values a field has in one record: one per captured mmsghdr.
pub(super) const MAXV: usize = MAX_MMSG as usize;

/// A few values on the stack (no allocation on the hot path).
pub(super) struct Small<V> {
    pub(super) v: [V; MAXV],
    pub(super) n: usize,
}

impl<V: Copy + Default> Small<V> {
    pub(super) fn new() -> Self {
        Small {
            v: [V::default(); MAXV],
            n: 0,
        }
    }
    pub(super) fn push(&mut self, x: V) {
        if self.n < MAXV {
            self.v[self.n] = x;
            self.n += 1;
        }
    }
    pub(super) fn as_slice(&self) -> &[V] {
        &self.v[..self.n]
    }
}

pub(super) const AF_UNIX: u16 = 1;
pub(super) const AF_INET: u16 = 2;
pub(super) const AF_INET6: u16 = 10;
/// sizeof(sockaddr_un.sun_path).
pub(super) const SUN_PATH_MAX: usize = 108;

#[derive(Clone, Copy, Debug, Default)]
pub(super) struct SockAddr<'a> {
    pub(super) family: u16,
    pub(super) kind: AddrKind<'a>,
}

#[derive(Clone, Copy, Debug, Default)]
pub(super) enum AddrKind<'a> {
    /// Another family, or too short for its address.
    #[default]
    Other,
    /// v4-mapped for IPv4.
    Ip {
        ip: u128,
        port: u16,
    },
    Unix {
        abstract_: bool,
        name: &'a [u8],
    },
}

pub(super) fn v4_mapped(a: [u8; 4]) -> u128 {
    0xffff_0000_0000u128 | u32::from_be_bytes(a) as u128
}

/// A socket address from its bytes (their length is the address length); None under 2 bytes.
/// Parsed by the one sockaddr parser (`decode::sockaddr::SockAddr`).
pub(super) fn sockaddr(b: &[u8]) -> Option<SockAddr<'_>> {
    use crate::decode::sockaddr::{Family, SockAddr as Parsed};
    if b.len() < 2 {
        return None;
    }
    let sa = Parsed::parse(b);
    let kind = match sa.fam {
        Family::Inet { port, addr } if sa.len() >= 8 => AddrKind::Ip {
            ip: v4_mapped(addr),
            port,
        },
        Family::Inet6 { port, addr, .. } if sa.len() >= 24 => AddrKind::Ip {
            ip: u128::from_be_bytes(addr),
            port,
        },
        _ => match sa.unix_name() {
            Some((abstract_, name)) => AddrKind::Unix { abstract_, name },
            None => AddrKind::Other,
        },
    };
    Some(SockAddr {
        family: sa.family,
        kind,
    })
}

pub(super) fn is_send(e: EventId) -> bool {
    matches!(e, EventId::Sendto | EventId::Sendmsg | EventId::Sendmmsg)
}

/// One message of a msg call: its msghdr (as the kernel side read it to capture the name and
/// iovecs) and, for receives, the msg_namelen the caller gave.
pub(super) struct Msg {
    pub(super) hdr: Msghdr,
    pub(super) user_namelen: Option<u32>,
}

/// The messages of sendmsg/recvmsg/sendmmsg/recvmmsg that were captured.
pub(super) fn msg_count(rec: &Record) -> usize {
    let h = &rec.header;
    let n = match rec.event {
        EventId::Sendmsg => 1,
        EventId::Recvmsg if h.ret >= 0 => 1,
        EventId::Sendmmsg => {
            let have = Call::new(rec).mmsghdr_count(false);
            have.min(h.args[2] as u32 as usize)
        }
        EventId::Recvmmsg if h.ret > 0 => {
            let have = Call::new(rec).mmsghdr_count(true);
            have.min(h.ret.min(MAXV as i64) as usize)
        }
        _ => 0,
    };
    n.min(MAXV)
}

pub(super) fn msg_at(rec: &Record, i: usize) -> Option<Msg> {
    let c = Call::new(rec);
    match rec.event {
        EventId::Sendmsg => Some(Msg {
            hdr: c.msghdr(false)?,
            user_namelen: None,
        }),
        EventId::Recvmsg => {
            let entry = c.msghdr(false);
            let exit = c.msghdr(true);
            let hdr = exit.or(entry)?;
            Some(Msg {
                hdr,
                user_namelen: entry.map(|e| e.namelen),
            })
        }
        EventId::Sendmmsg => Some(Msg {
            hdr: c.mmsghdr(false, i)?,
            user_namelen: None,
        }),
        EventId::Recvmmsg => {
            let entry = c.mmsghdr(false, i);
            let hdr = c.mmsghdr(true, i).or(entry)?;
            Some(Msg {
                hdr,
                user_namelen: entry.map(|e| e.namelen),
            })
        }
        _ => None,
    }
}

/// A C int length as a byte count (negative: 0).
pub(super) fn int_len(v: u32) -> usize {
    (v as i32).max(0) as usize
}

/// The address `role` reads in the call, one per message for the mmsg calls.
pub(super) fn addrs<'a>(rec: &Record<'a>, role: Role, out: &mut Small<SockAddr<'a>>) {
    let send = is_send(rec.event);
    match role {
        Role::Local | Role::Remote => {
            if let Some(a) = socket_end(rec, role == Role::Local) {
                out.push(a);
            }
            return;
        }
        Role::Peer => {
            if rec.header.flags & FLOW_SUBJECT == 0 {
                addrs(rec, Role::Call, out);
            }
            if out.as_slice().is_empty() {
                addrs(rec, Role::Remote, out);
            }
            return;
        }
        Role::Dst if !send => return,
        Role::Src if send => return,
        _ => {}
    }
    let h = &rec.header;
    let c = Call::new(rec);
    match rec.event {
        EventId::Sendto => {
            if h.args[4] != 0
                && let Some(d) = c.addr_bytes(0)
                && let Some(a) = sockaddr(&d[..d.len().min(int_len(h.args[5] as u32))])
            {
                out.push(a);
            }
        }
        EventId::Recvfrom => {
            if h.ret >= 0
                && h.args[4] != 0
                && let Some(d) = c.addr_bytes(0)
            {
                // The kernel wrote at most the length the caller gave.
                let n = c
                    .socklen_in()
                    .map_or(d.len(), |u| d.len().min(int_len(u as u32)));
                if let Some(a) = sockaddr(&d[..n]) {
                    out.push(a);
                }
            }
        }
        _ => {
            for i in 0..msg_count(rec) {
                let Some(m) = msg_at(rec, i) else { continue };
                if m.hdr.name == 0 {
                    continue;
                }
                let Some(d) = c.addr_bytes(i as u16) else {
                    continue;
                };
                let mut n = d.len().min(int_len(m.hdr.namelen));
                if let Some(u) = m.user_namelen {
                    n = n.min(int_len(u));
                }
                if let Some(a) = sockaddr(&d[..n]) {
                    out.push(a);
                }
            }
        }
    }
}

/// Sum of a message's iovec lengths, when the whole iovec array was captured.
pub(super) fn iov_total(rec: &Record, index: u16, h: &Msghdr) -> Option<i128> {
    if h.iovlen == 0 {
        return Some(0);
    }
    let d = Call::new(rec).iov(index)?;
    let n = usize::try_from(h.iovlen).ok()?;
    let entries = d.get(..n.checked_mul(IOVEC_SIZE)?)?;
    Some(
        entries
            .chunks_exact(IOVEC_SIZE)
            .map(|e| u64::from_le_bytes(e[8..16].try_into().unwrap_or([0; 8])) as i128)
            .sum(),
    )
}

/// The socket's own endpoint (`local`) or its peer, from the socket capture.
pub(super) fn socket_end<'a>(rec: &Record<'a>, local: bool) -> Option<SockAddr<'a>> {
    let e = crate::endpoints::end(rec, local)?;
    let kind = match e {
        crate::endpoints::End::V4(a, port) => AddrKind::Ip {
            ip: v4_mapped(a),
            port,
        },
        crate::endpoints::End::V6(a, port) => AddrKind::Ip {
            ip: u128::from_be_bytes(a),
            port,
        },
        crate::endpoints::End::Unix(path) => match path.first() {
            Some(0) => AddrKind::Unix {
                abstract_: true,
                name: &path[1..],
            },
            _ => {
                let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
                AddrKind::Unix {
                    abstract_: false,
                    name: &path[..end],
                }
            }
        },
    };
    let family = match kind {
        AddrKind::Ip { .. } if matches!(e, crate::endpoints::End::V4(..)) => AF_INET,
        AddrKind::Ip { .. } => AF_INET6,
        _ => AF_UNIX,
    };
    Some(SockAddr { family, kind })
}

impl Node {
    pub(super) fn any_field(&self, f: &impl Fn(Field) -> bool) -> bool {
        match self {
            Node::And(v) | Node::Or(v) => v.iter().any(|n| n.any_field(f)),
            Node::Not(n) => n.any_field(f),
            Node::Const(_) => false,
            Node::Test(t) => f(t.field),
        }
    }
}

impl Filter {
    /// Whether the expression reads the socket's endpoints (`proto`, `laddr`, `lport`,
    /// `raddr`, `rport`, `peer`): then the kernel must capture them at each call.
    pub fn uses_endpoints(&self) -> bool {
        self.root.any_field(&|f: Field| f.on == On::Socket)
    }

    /// Whether the expression reads `toctou`: then the kernel must read sendto's and
    /// sendmsg's destination at entry and again at exit (`--toctou`).
    pub fn uses_toctou(&self) -> bool {
        self.root.any_field(&|f: Field| f.name == "toctou")
    }

    /// Whether every field the expression names is present on a flow (`pid`, `comm` and the
    /// socket fields): then it can select flows as well as calls.
    pub fn applies_to_flows(&self) -> bool {
        !self.root.any_field(&|f: Field| f.on == On::Call)
    }
}
