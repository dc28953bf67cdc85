//! The socket's own endpoints on every event: protocol, local and peer address (IP and port,
//! UNIX path, netlink port id), read in the kernel at the call by the `-yy` capture
//! (`seg::SOCK`), for `--filter` (`proto`, `laddr`, `lport`, `raddr`, `rport`, `peer`) and
//! the JSON `socket` object.
//!
//! The capture costs about 8 kernel reads per call, so it is made only when something needs
//! it ([`capture_level`]): `-yy`, `--json`, or a filter over these fields. Text output without
//! them pays nothing; `-y` decorations in text still appear only with `-y`/`-yy`.

use serde_json::Value;
use sockscope_common::{SockInfo, sk};

use crate::{
    decode::{Style, sockinfo},
    filter::Filter,
    record::Record,
};

const AF_UNIX: u16 = 1;
const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;
const AF_NETLINK: u16 = 16;

/// The kernel-side capture level (`SockOffsets::level`: 0 none, 1 `-y`, 2 `-yy`): what `-y`
/// asks for, raised to 2 when the JSON output or the filter needs the endpoints.
pub fn capture_level(yflag: u8, json: bool, filter: Option<&Filter>) -> u8 {
    if json || filter.is_some_and(Filter::uses_endpoints) {
        2
    } else {
        yflag.min(2)
    }
}

/// The captured socket of a record.
pub fn info(rec: &Record) -> Option<SockInfo> {
    crate::call::Call::new(rec).sock(0)
}

/// `proto`: the kernel's protocol name in lower case without the v6 suffix (`tcp`, `udp`,
/// `udplite`, `raw`, `sctp`, `dccp`, `mptcp`, `ping`, `l2tp`, `unix`, `netlink`).
pub fn proto_of(info: &SockInfo) -> Option<&'static str> {
    Some(match sockinfo::proto_name(info)? {
        "TCP" | "TCPv6" => "tcp",
        "UDP" | "UDPv6" => "udp",
        "UDPLITE" | "UDPLITEv6" => "udplite",
        "RAW" | "RAWv6" => "raw",
        "SCTP" | "SCTPv6" => "sctp",
        "DCCP" | "DCCPv6" => "dccp",
        "MPTCP" | "MPTCPv6" => "mptcp",
        "PING" | "PINGv6" => "ping",
        "L2TP/IP" | "L2TP/IPv6" => "l2tp",
        "UNIX" | "UNIX-STREAM" => "unix",
        "NETLINK" => "netlink",
        _ => return None,
    })
}

pub fn proto(rec: &Record) -> Option<&'static str> {
    proto_of(&info(rec)?)
}

/// One end of the socket.
#[derive(Clone, Copy, Debug)]
pub enum End<'a> {
    V4([u8; 4], u16),
    V6([u8; 16], u16),
    /// sun_path bytes (a leading NUL: abstract).
    Unix(&'a [u8]),
}

fn connected(i: &SockInfo) -> bool {
    i.dport_be != 0
        || if i.family == AF_INET6 {
            i.v6_daddr != [0; 16]
        } else {
            i.daddr != [0; 4]
        }
}

/// The socket's local end (`local`) or its peer. Absent: not captured, not connected (peer),
/// a UNIX socket without a name, or a family without addresses. A UNIX peer's path is not
/// captured per call (only its inode): `raddr` of a UNIX call is absent.
pub fn end<'a>(rec: &Record<'a>, local: bool) -> Option<End<'a>> {
    let data = crate::call::Call::new(rec).sock_bytes(0)?;
    let i = sockinfo::parse(data)?;
    if i.known & sk::COMMON == 0 {
        return None;
    }
    match i.family {
        AF_INET | AF_INET6 if !local && !connected(&i) => None,
        AF_INET if local => Some(End::V4(i.rcv_saddr, i.num)),
        AF_INET => Some(End::V4(i.daddr, u16::from_be(i.dport_be))),
        AF_INET6 if local => Some(End::V6(i.v6_rcv_saddr, i.num)),
        AF_INET6 => Some(End::V6(i.v6_daddr, u16::from_be(i.dport_be))),
        AF_UNIX if local && i.known & sk::UNIX_ADDR != 0 => {
            let n = (i.unix_len as usize)
                .saturating_sub(2)
                .min(i.unix_path.len());
            if n == 0 {
                return None;
            }
            let off = std::mem::offset_of!(SockInfo, unix_path);
            data.get(off..off + n).map(End::Unix)
        }
        _ => None,
    }
}

/// `lport` / `rport`: the socket's ports (a netlink socket's `lport` is its port id).
pub fn port(rec: &Record, local: bool) -> Option<u32> {
    let i = info(rec)?;
    if i.known & sk::COMMON == 0 {
        return None;
    }
    match i.family {
        AF_NETLINK if local && i.known & sk::NETLINK != 0 => Some(i.portid),
        AF_INET | AF_INET6 if local => Some(i.num as u32),
        AF_INET | AF_INET6 if connected(&i) => Some(u16::from_be(i.dport_be) as u32),
        _ => None,
    }
}

/// The JSON `socket` object of an event without `-y`: the socket's endpoints as `-yy` gives
/// them (no path lookup of non-socket descriptors); null when nothing was captured.
pub fn socket_json(rec: &Record, style: &Style) -> Value {
    let Some(info) = info(rec) else {
        return Value::Null;
    };
    sockinfo::socket_json(rec.header.args[0] as i32, Some(&info), 2, None, style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ReadStatus;
    use crate::record::Seg;
    use sockscope_common::{EventId, RecordHeader, SOCK_INFO_SIZE, seg};

    fn info_bytes(i: &SockInfo) -> Vec<u8> {
        // SAFETY: plain data.
        unsafe { std::slice::from_raw_parts((i as *const SockInfo).cast::<u8>(), SOCK_INFO_SIZE) }
            .to_vec()
    }

    /// A UDP socket 127.0.0.1:5000 connected to 127.0.0.53:53.
    fn udp_connected() -> SockInfo {
        // SAFETY: plain data.
        let mut i: SockInfo = unsafe { std::mem::zeroed() };
        i.known = sk::LOOKED_UP | sk::INODE | sk::SOCKET | sk::COMMON | sk::PROTO;
        i.mode = 0o140000;
        i.family = AF_INET;
        i.sock_type = 2;
        i.sk_type = 2;
        i.protocol = 17;
        i.num = 5000;
        i.dport_be = 53u16.to_be();
        i.rcv_saddr = [127, 0, 0, 1];
        i.daddr = [127, 0, 0, 53];
        i
    }

    fn rec<'a>(sock: &'a [u8], addr: Option<&'a [u8]>) -> Record<'a> {
        // SAFETY: plain data.
        let mut h: RecordHeader = unsafe { std::mem::zeroed() };
        h.event = EventId::Sendto as u16;
        h.ret = 10;
        let mut segs = vec![Seg {
            kind: seg::SOCK,
            status: ReadStatus::Ok,
            index: 0,
            addr: 0,
            data: sock,
        }];
        if let Some(a) = addr {
            h.args[4] = 0x1000;
            h.args[5] = a.len() as u64;
            segs.push(Seg {
                kind: seg::ADDR,
                status: ReadStatus::Ok,
                index: 0,
                addr: 0x1000,
                data: a,
            });
        }
        Record {
            header: h,
            event: EventId::Sendto,
            segs: segs.into(),
        }
    }

    #[test]
    fn socket_fields_on_a_call() {
        let sock = info_bytes(&udp_connected());
        let connected = rec(&sock, None);
        let m = |e: &str, r: &Record| Filter::parse(e).unwrap().matches(r);
        for yes in [
            "rport == 53",
            "proto == udp && raddr in 127.0.0.0/8",
            "lport == 5000 && laddr == 127.0.0.1",
            "peer == 127.0.0.53",
            "proto in {tcp, UDP}",
            "proto ~ \"ud*\"",
        ] {
            assert!(m(yes, &connected), "{yes}");
        }
        for no in [
            "dport == 53",
            "proto == tcp",
            "raddr in 10.0.0.0/8",
            "proto != udp",
        ] {
            assert!(!m(no, &connected), "{no}");
        }
        // With a destination argument, `peer` is that address; `raddr` stays the socket's.
        let to: [u8; 16] = [2, 0, 0, 53, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0];
        let sendto = rec(&sock, Some(&to));
        assert!(m(
            "peer in 10.0.0.0/8 && dport == 53 && raddr == 127.0.0.53",
            &sendto
        ));
        // Unconnected: no raddr, no rport; laddr/lport stay.
        let mut i = udp_connected();
        i.dport_be = 0;
        i.daddr = [0; 4];
        let sock = info_bytes(&i);
        let r = rec(&sock, None);
        assert!(!m("raddr", &r) && !m("rport", &r) && !m("peer", &r) && m("lport == 5000", &r));
        // No capture: every socket field is absent.
        let mut none = rec(&sock, None);
        none.segs.clear();
        assert!(!m("proto", &none) && !m("lport", &none) && !m("proto != tcp", &none));
    }

    #[test]
    fn level() {
        let f = Filter::parse("rport == 443").unwrap();
        let g = Filter::parse("dport == 443").unwrap();
        assert_eq!(capture_level(0, false, None), 0);
        assert_eq!(capture_level(1, false, Some(&g)), 1);
        assert_eq!(capture_level(0, false, Some(&f)), 2);
        assert_eq!(capture_level(0, true, None), 2);
        assert_eq!(capture_level(3, false, None), 2);
        assert!(Filter::parse("!(proto == udp)").unwrap().uses_endpoints());
        assert!(
            Filter::parse("pid == 1 || rport == 53")
                .unwrap()
                .applies_to_flows()
        );
        assert!(
            !Filter::parse("rport == 53 && len > 3")
                .unwrap()
                .applies_to_flows()
        );
        assert!(
            Filter::parse("pid == 1 || peer in 10.0.0.0/8")
                .unwrap()
                .uses_endpoints()
        );
    }
}
