//! Per-flow accounting: what the kernel's flow counters say (see `sockscope-ebpf/src/flows.rs`),
//! as records (`--summary flows`, `sockscope top`): one per process × socket, with the
//! protocol, the local and peer endpoints, bytes and calls each way, errors, first and last
//! seen. Pure apart from [`load_config`] (BTF and tracefs at load time).

use std::fmt::Write as _;

use serde_json::{Value, json};
use sockscope_common::{
    RecordHeader, SOCK_INFO_SIZE, SockInfo, SockOffsets,
    flows::{FlowConfig, FlowKey, FlowVal, fk},
    seg, sk,
};

use crate::{
    btf::Btf,
    decode::sockaddr::{ntop4, ntop6},
    record::{ReadStatus, Record, Seg},
    render::{Clock, comm},
};

/// The tracepoints the flow programs attach to as ordinary tracepoints (program name =
/// tracepoint name).
pub const HOOKS: [(&str, &str); 2] = [("sock", "sock_send_length"), ("sock", "sock_recv_length")];

/// The same tracepoints attached as raw tracepoints: (program, tracepoint).
pub const RAW_HOOKS: [(&str, &str); 2] = [
    ("raw_sock_send_length", "sock_send_length"),
    ("raw_sock_recv_length", "sock_recv_length"),
];

/// How the flow programs attach: raw tracepoints (default; no trace record is built), or
/// ordinary tracepoints with `SOCKSCOPE_FLOW_HOOK=tracepoint` (for comparison).
pub fn use_raw() -> bool {
    std::env::var("SOCKSCOPE_FLOW_HOOK").map_or(true, |v| v != "tracepoint")
}

const AF_UNIX: u16 = 1;
const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;
const AF_NETLINK: u16 = 16;

/// The flow programs' globals: record offsets from tracefs, struct offsets from BTF (as for
/// `-yy`). Unused (defaults) when `on` is false.
pub fn load_config(btf: &Btf, on: bool) -> anyhow::Result<(FlowConfig, SockOffsets)> {
    let mut cfg = FlowConfig {
        off_sk: 8,
        off_ret: 20,
        off_flags: 24,
        _pad: 0,
    };
    if !on {
        return Ok((cfg, SockOffsets::OFF));
    }
    let f = |name: &str| {
        let a = crate::tracefs::field_offset("sock", "sock_send_length", name);
        let b = crate::tracefs::field_offset("sock", "sock_recv_length", name);
        match (a, b) {
            (Some(a), Some(b)) if a == b => Ok(a),
            _ => Err(anyhow::anyhow!(
                "this kernel has no sock:sock_send_length/sock_recv_length tracepoints with a '{name}' field (Linux 6.3 or later is needed for flows)"
            )),
        }
    };
    cfg.off_sk = f("sk")?;
    cfg.off_ret = f("ret")?;
    cfg.off_flags = f("flags")?;
    let (offsets, _unresolved) = crate::sock_offsets::resolve(btf, 2);
    Ok((cfg, offsets))
}

/// One end of a flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Not known, or not connected.
    None,
    Ip {
        addr: String,
        port: u16,
    },
    /// AF_UNIX: the path (`@name` for an abstract one; None: unbound).
    Unix {
        path: Option<String>,
    },
    Netlink {
        portid: u32,
    },
}

/// A flow read from the kernel.
#[derive(Clone, Copy, Debug)]
pub struct Flow {
    pub key: FlowKey,
    pub val: FlowVal,
}

fn unix_path(len: u32, path: &[u8]) -> Option<String> {
    let n = (len as usize).saturating_sub(2).min(path.len());
    if n == 0 {
        return None;
    }
    let p = &path[..n];
    Some(if p[0] == 0 {
        format!("@{}", String::from_utf8_lossy(&p[1..]))
    } else {
        let end = p.iter().position(|&c| c == 0).unwrap_or(n);
        String::from_utf8_lossy(&p[..end]).into_owned()
    })
}

impl Flow {
    pub fn bytes(&self) -> u64 {
        self.val.bytes_sent + self.val.bytes_recv
    }

    pub fn calls(&self) -> u64 {
        self.val.calls_sent + self.val.calls_recv
    }

    /// What `-yy` would have captured for the socket (for the protocol name and the filter).
    pub fn sockinfo(&self) -> SockInfo {
        // SAFETY: plain data, all-zero is valid.
        let mut i: SockInfo = unsafe { std::mem::zeroed() };
        let v = &self.val;
        i.known = sk::LOOKED_UP | sk::INODE | sk::SOCKET;
        i.fd = -1;
        i.ino = self.key.ino;
        i.mode = 0o140000;
        i.sock_type = v.sk_type;
        if v.known & fk::COMMON != 0 {
            i.known |= sk::COMMON;
            i.family = v.family;
            i.state = v.state;
            i.num = v.lport;
            i.dport_be = v.rport.to_be();
            if v.family == AF_INET6 {
                i.v6_rcv_saddr = v.laddr;
                i.v6_daddr = v.raddr;
            } else {
                i.rcv_saddr.copy_from_slice(&v.laddr[..4]);
                i.daddr.copy_from_slice(&v.raddr[..4]);
            }
        }
        if v.known & fk::PROTO != 0 {
            i.known |= sk::PROTO;
            i.protocol = v.protocol;
            i.sk_type = v.sk_type;
        }
        if v.known & fk::UNIX_ADDR != 0 {
            i.known |= sk::UNIX_ADDR;
            i.unix_len = v.unix_len;
            i.unix_path = v.unix_path;
        }
        if v.known & fk::UNIX_PEER != 0 {
            i.known |= sk::UNIX_PEER;
            i.peer_ino = v.peer_ino;
        }
        if v.known & fk::NETLINK != 0 {
            i.known |= sk::NETLINK;
            i.portid = v.portid;
        }
        i
    }

    /// The protocol as `--filter`'s `proto` names it (tcp, udp, unix, netlink...).
    pub fn proto(&self) -> Option<String> {
        proto_of(&self.sockinfo())
    }

    pub fn local(&self) -> Endpoint {
        let v = &self.val;
        if v.known & fk::COMMON == 0 {
            return Endpoint::None;
        }
        match v.family {
            AF_INET => Endpoint::Ip {
                addr: ntop4(&[v.laddr[0], v.laddr[1], v.laddr[2], v.laddr[3]]),
                port: v.lport,
            },
            AF_INET6 => Endpoint::Ip {
                addr: ntop6(&v.laddr),
                port: v.lport,
            },
            AF_UNIX if v.known & fk::UNIX_ADDR != 0 => Endpoint::Unix {
                path: unix_path(v.unix_len, &v.unix_path),
            },
            AF_NETLINK if v.known & fk::NETLINK != 0 => Endpoint::Netlink { portid: v.portid },
            _ => Endpoint::None,
        }
    }

    pub fn peer(&self) -> Endpoint {
        let v = &self.val;
        if v.known & fk::COMMON == 0 {
            return Endpoint::None;
        }
        let v4 = [v.raddr[0], v.raddr[1], v.raddr[2], v.raddr[3]];
        match v.family {
            AF_INET if v.rport != 0 || v4 != [0; 4] => Endpoint::Ip {
                addr: ntop4(&v4),
                port: v.rport,
            },
            AF_INET6 if v.rport != 0 || v.raddr != [0; 16] => Endpoint::Ip {
                addr: ntop6(&v.raddr),
                port: v.rport,
            },
            AF_UNIX
                if v.known & fk::UNIX_PEER != 0
                    && (v.peer_ino != 0 || v.known & fk::UNIX_HAS_PEER != 0) =>
            {
                Endpoint::Unix {
                    path: unix_path(v.peer_unix_len, &v.peer_path),
                }
            }
            _ => Endpoint::None,
        }
    }

    /// A stand-in record for `--filter`: the flow's process and socket (a `seg::SOCK`
    /// segment), marked so that per-call fields are absent. `buf` holds the segment bytes.
    pub fn subject<'a>(&self, buf: &'a mut Vec<u8>) -> Record<'a> {
        // SAFETY: plain data, all-zero is valid.
        let mut h: RecordHeader = unsafe { std::mem::zeroed() };
        h.tgid = self.key.tgid;
        h.tid = self.key.tgid;
        h.comm = self.val.comm;
        h.flags = crate::filter::FLOW_SUBJECT;
        h.args[0] = u64::MAX;
        h.nsegs = 1;
        let info = self.sockinfo();
        buf.clear();
        // SAFETY: SockInfo is repr(C) plain data.
        buf.extend_from_slice(unsafe {
            std::slice::from_raw_parts((&info as *const SockInfo).cast::<u8>(), SOCK_INFO_SIZE)
        });
        Record {
            header: h,
            event: sockscope_common::EventId::Sendto,
            segs: smallvec::smallvec![Seg {
                kind: seg::SOCK,
                status: ReadStatus::Ok,
                index: 0,
                addr: 0,
                data: buf.as_slice(),
            }],
        }
    }

    /// The flow record of `--summary flows --json` and `top --json`.
    pub fn json(&self, clock: &Clock) -> Value {
        let v = &self.val;
        let (laddr, lport) = endpoint_json(&self.local());
        let (raddr, rport) = endpoint_json(&self.peer());
        json!({
            "eventName": "sockscope_flow",
            "pid": self.key.tgid,
            "comm": comm(&v.comm),
            "proto": self.proto(),
            "laddr": laddr,
            "lport": lport,
            "raddr": raddr,
            "rport": rport,
            "inode": if self.key.ino == 0 { Value::Null } else { json!(self.key.ino) },
            "peerInode": if v.family == AF_UNIX && v.peer_ino != 0 { json!(v.peer_ino) } else { Value::Null },
            "bytesSent": v.bytes_sent,
            "bytesReceived": v.bytes_recv,
            "callsSent": v.calls_sent,
            "callsReceived": v.calls_recv,
            "errors": v.errors,
            "firstSeen": clock.wall_ns(v.first_ns) as i64,
            "lastSeen": clock.wall_ns(v.last_ns) as i64,
        })
    }
}

fn endpoint_json(e: &Endpoint) -> (Value, Value) {
    match e {
        Endpoint::None => (Value::Null, Value::Null),
        Endpoint::Ip { addr, port } => (json!(addr), json!(port)),
        Endpoint::Unix { path } => (json!(path), Value::Null),
        Endpoint::Netlink { portid } => (Value::Null, json!(portid)),
    }
}

/// An endpoint as text: `127.0.0.1:80`, `[::1]:80`, `/run/x.sock`, `@name`, `unix:?`,
/// `netlink:1234`, `*`.
pub fn endpoint_text(e: &Endpoint) -> String {
    match e {
        Endpoint::None => "*".into(),
        Endpoint::Ip { addr, port } if addr.contains(':') => format!("[{addr}]:{port}"),
        Endpoint::Ip { addr, port } => format!("{addr}:{port}"),
        Endpoint::Unix { path: Some(p) } => p.clone(),
        Endpoint::Unix { path: None } => "unix:unnamed".into(),
        Endpoint::Netlink { portid } => format!("netlink:{portid}"),
    }
}

/// `proto` of a socket: the kernel's protocol name, lower case, without the v6 suffix
/// (`tcp`, `udp`, `udplite`, `raw`, `sctp`, `dccp`, `mptcp`, `ping`, `l2tp`, `unix`, `netlink`).
pub fn proto_of(info: &SockInfo) -> Option<String> {
    crate::endpoints::proto_of(info).map(String::from)
}

/// Flows sorted by bytes (both ways), then calls, then pid; `filter` keeps some.
pub fn collect(raw: Vec<(FlowKey, FlowVal)>, filter: Option<&crate::filter::Filter>) -> Vec<Flow> {
    let mut buf = Vec::new();
    let mut v: Vec<Flow> = raw
        .into_iter()
        .map(|(key, val)| Flow { key, val })
        .filter(|f| filter.is_none_or(|flt| flt.matches(&f.subject(&mut buf))))
        .collect();
    v.sort_by(|a, b| {
        b.bytes()
            .cmp(&a.bytes())
            .then(b.calls().cmp(&a.calls()))
            .then(a.key.tgid.cmp(&b.key.tgid))
            .then(a.key.ino.cmp(&b.key.ino))
    });
    v
}

/// Local wall-clock time of a monotonic timestamp, `HH:MM:SS.uuuuuu`.
pub fn hms(clock: &Clock, mono_ns: u64) -> String {
    let ns = clock.wall_ns(mono_ns);
    let secs = (ns / 1_000_000_000) as libc::time_t;
    let us = (ns % 1_000_000_000) / 1000;
    // SAFETY: localtime_r fills tm from secs.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    unsafe { libc::localtime_r(&secs, &mut tm) };
    format!(
        "{:02}:{:02}:{:02}.{:06}",
        tm.tm_hour, tm.tm_min, tm.tm_sec, us
    )
}

/// The `--summary flows` table.
pub fn table(flows: &[Flow], lost: u64, clock: &Clock) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>7} {:<15} {:<7} {:<45} {:>12} {:>12} {:>8} {:>8} {:>6} {:<15} {:<15}",
        "PID",
        "COMM",
        "PROTO",
        "LOCAL <-> PEER",
        "BYTES SENT",
        "BYTES RECV",
        "SENT",
        "RECV",
        "ERRORS",
        "FIRST",
        "LAST"
    );
    for f in flows {
        let v = &f.val;
        let ends = format!(
            "{} <-> {}",
            endpoint_text(&f.local()),
            endpoint_text(&f.peer())
        );
        let _ = writeln!(
            out,
            "{:>7} {:<15} {:<7} {:<45} {:>12} {:>12} {:>8} {:>8} {:>6} {:<15} {:<15}",
            f.key.tgid,
            comm(&v.comm),
            f.proto().unwrap_or_else(|| "?".into()),
            ends,
            v.bytes_sent,
            v.bytes_recv,
            v.calls_sent,
            v.calls_recv,
            v.errors,
            hms(clock, v.first_ns),
            hms(clock, v.last_ns)
        );
    }
    let tot = totals(flows);
    let _ = writeln!(
        out,
        "{} flows, {} bytes sent, {} bytes received, {} sends, {} receives, {} errors{}",
        flows.len(),
        tot.bytes_sent,
        tot.bytes_recv,
        tot.calls_sent,
        tot.calls_recv,
        tot.errors,
        if lost > 0 {
            format!(", {lost} flows not kept (flow map full)")
        } else {
            String::new()
        }
    );
    out
}

/// Sums over flows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub bytes_sent: u64,
    pub bytes_recv: u64,
    pub calls_sent: u64,
    pub calls_recv: u64,
    pub errors: u64,
}

pub fn totals(flows: &[Flow]) -> Totals {
    let mut t = Totals::default();
    for f in flows {
        t.bytes_sent += f.val.bytes_sent;
        t.bytes_recv += f.val.bytes_recv;
        t.calls_sent += f.val.calls_sent;
        t.calls_recv += f.val.calls_recv;
        t.errors += f.val.errors;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn flow(tgid: u32, family: u16, proto: u16, ty: u16) -> Flow {
        // SAFETY: plain data.
        let mut val: FlowVal = unsafe { std::mem::zeroed() };
        val.family = family;
        val.protocol = proto;
        val.sk_type = ty;
        val.known = fk::COMMON | fk::PROTO;
        val.comm[..4].copy_from_slice(b"curl");
        Flow {
            key: FlowKey {
                tgid,
                _pad: 0,
                sk: 1,
                ino: 77,
            },
            val,
        }
    }

    #[test]
    fn endpoints_and_json() {
        let mut f = flow(42, AF_INET, 6, 1);
        f.val.laddr[..4].copy_from_slice(&[127, 0, 0, 1]);
        f.val.raddr[..4].copy_from_slice(&[127, 0, 0, 2]);
        f.val.lport = 40000;
        f.val.rport = 443;
        f.val.bytes_sent = 10;
        f.val.bytes_recv = 20;
        assert_eq!(f.proto().as_deref(), Some("tcp"));
        assert_eq!(endpoint_text(&f.local()), "127.0.0.1:40000");
        assert_eq!(endpoint_text(&f.peer()), "127.0.0.2:443");
        let j = f.json(&Clock { offset_ns: 0 });
        assert_eq!(j["raddr"], "127.0.0.2");
        assert_eq!(j["rport"], 443);
        assert_eq!(j["bytesReceived"], 20);
        let filt = crate::filter::Filter::parse(
            "rport == 443 && proto == tcp && comm == curl && raddr in 127.0.0.0/8",
        )
        .unwrap();
        let mut b = Vec::new();
        assert!(filt.matches(&f.subject(&mut b)));
        let filt = crate::filter::Filter::parse("proto == udp").unwrap();
        assert!(!filt.matches(&f.subject(&mut b)));
        // Per-call fields are absent on a flow.
        let filt = crate::filter::Filter::parse("fd == -1 || event == sendto").unwrap();
        assert!(!filt.matches(&f.subject(&mut b)));
    }

    #[test]
    fn unix_and_unconnected() {
        let mut f = flow(1, AF_UNIX, 0, 1);
        f.val.known |= fk::UNIX_ADDR | fk::UNIX_PEER;
        f.val.unix_len = 2 + 5;
        f.val.unix_path[..5].copy_from_slice(b"/tmp/");
        f.val.peer_ino = 9;
        f.val.peer_unix_len = 2 + 4;
        f.val.peer_path[..4].copy_from_slice(b"\0abc");
        assert_eq!(f.proto().as_deref(), Some("unix"));
        assert_eq!(endpoint_text(&f.local()), "/tmp/");
        assert_eq!(endpoint_text(&f.peer()), "@abc");
        let j = f.json(&Clock { offset_ns: 0 });
        assert!(j["lport"].is_null() && j["rport"].is_null());
        let u = flow(1, AF_INET6, 17, 2);
        assert_eq!(u.peer(), Endpoint::None);
        assert_eq!(u.proto().as_deref(), Some("udp"));
    }

    #[test]
    fn sorted_by_bytes() {
        let mut a = flow(1, AF_INET, 17, 2);
        a.val.bytes_sent = 5;
        let mut b = flow(2, AF_INET, 17, 2);
        b.val.bytes_recv = 50;
        let v = collect(vec![(a.key, a.val), (b.key, b.val)], None);
        assert_eq!(v[0].key.tgid, 2);
        assert_eq!(totals(&v).bytes_sent, 5);
    }
}
