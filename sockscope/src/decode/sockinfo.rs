//! `-y` / `-yy`: the descriptor decoration, as strace 6.1 prints it, from the [`SockInfo`] the
//! kernel side captured at the call's entry (strace, too, looks the descriptor up at entry).
//!
//! strace 6.1 (`printfd_pid`, `printsocket`, `printdev` in `src/util.c`, the sock_diag parsers in
//! `src/socketutils.c`):
//!
//! * `-y` (decode-fds=path): `3<socket:[12345]>`, `3</dev/null>`, `4<pipe:[678]>`; a path the
//!   kernel marks " (deleted)" prints `3</tmp/f>(deleted)`; no decoration for a descriptor that
//!   is not open.
//! * `-yy` (decode-fds=all), sockets by protocol name (the kernel's `sk_prot->name`):
//!   - inet (TCP, UDP, UDPLITE, RAW, SCTP, DCCP and their v6 forms):
//!     `TCP:[127.0.0.1:57974->127.0.0.1:40003]`, `UDP:[0.0.0.0:40001]`,
//!     `UDPv6:[[::1]:40002]`; the peer part only when the remote port or address is non-zero;
//!     `UDP:[INODE]` when sock_diag does not list the socket (not bound to a port yet);
//!   - `UNIX:[INODE->PEER,"path"]` / `UNIX-STREAM:...` (stream sockets), abstract names as
//!     `@"name"`, each part only when present, `UNIX:[INODE]` when neither is;
//!   - `NETLINK:[ROUTE:PORTID]`, `NETLINK:[INODE]` while unbound (port id 0), `NETLINK:[PROTO]`
//!     for a protocol number strace has no name for;
//!   - `PING:[INODE]`, `L2TP/IP:[INODE]` (no sock_diag handler), and `socket:[INODE]` for
//!     protocols strace does not know (PACKET, MPTCP, VSOCK...);
//!   - devices: `/dev/null<char 1:3>`; other files: the path.
//!
//! Differences from strace, by design:
//! * the socket is read from the kernel at each call; strace caches the first details it
//!   resolves per inode and keeps printing them after a later bind/connect changes the socket;
//! * strace needs the kernel's sock_diag modules (RAW sockets need CONFIG_INET_RAW_DIAG) and
//!   prints `RAW:[INODE]` without them; sockscope prints the details it read;
//! * paths of non-socket descriptors are read in user space from `/proc/PID/fd/FD` when the
//!   line is rendered when the kernel side's own walk (`fdpath`) has no path: the kernel's inode
//!   number is checked against it, and a descriptor closed or reused since prints `3`.
//! * `<?>`: what the kernel side could not read (offsets not in this kernel's BTF, a read that
//!   faulted, or a record without the capture).

use std::fmt::Write as _;

use serde_json::Value;

use crate::render::json::model::{
    Endpoint, Hex, Lossy, NameOrNumber, NetlinkSock, Rdev, Socket, SocketKind, Str, UnixSock,
};
use sockscope_common::{SOCK_INFO_SIZE, SockInfo, sk};

use super::{
    Style,
    sockaddr::{ntop4, ntop6},
    strfmt::{QuoteOpts, string_quote},
    xlat::{self, ADDRESS_FAMILIES, NETLINK_PROTOCOLS, SOCKET_TYPES},
};

const AF_UNIX: u16 = 1;
const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;
const AF_NETLINK: u16 = 16;
const SOCK_STREAM: u16 = 1;
const SOCK_DGRAM: u16 = 2;
const SOCK_RAW: u16 = 3;
const SOCK_SEQPACKET: u16 = 5;
const SOCK_DCCP: u16 = 6;

const S_IFMT: u16 = 0o170000;
const S_IFSOCK: u16 = 0o140000;
const S_IFCHR: u16 = 0o020000;
const S_IFBLK: u16 = 0o060000;

/// The SockInfo in a `seg::SOCK` segment's bytes.
pub fn parse(data: &[u8]) -> Option<SockInfo> {
    if data.len() < SOCK_INFO_SIZE {
        return None;
    }
    // SAFETY: SockInfo is repr(C) plain data, valid for any bytes; read_unaligned copes with
    // the alignment.
    Some(unsafe { std::ptr::read_unaligned(data.as_ptr().cast::<SockInfo>()) })
}

/// The path of a non-socket descriptor, as `/proc/PID/fd/FD` gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdPath {
    pub path: Vec<u8>,
    /// The kernel appended " (deleted)" and the path is not that file any more.
    pub deleted: bool,
}

/// Whether the kernel saw an open file that is not a socket (a path is worth looking up).
pub fn wants_path(info: &SockInfo) -> bool {
    info.known & sk::INODE != 0 && info.known & sk::NO_FILE == 0 && info.mode & S_IFMT != S_IFSOCK
}

/// `/proc/PID/fd/FD`'s target, when it is still the inode the kernel saw at the call (the
/// descriptor may have been closed or reused since; then None). strace's " (deleted)" rule.
pub fn proc_fd_path(pid: u32, info: &SockInfo) -> Option<FdPath> {
    use std::os::unix::{ffi::OsStrExt, fs::MetadataExt};
    let link = format!("/proc/{pid}/fd/{}", info.fd);
    let target = std::fs::read_link(&link).ok()?;
    let meta = std::fs::metadata(&link).ok()?;
    if meta.ino() != info.ino {
        return None;
    }
    let mut path = target.as_os_str().as_bytes().to_vec();
    let mut deleted = false;
    const SFX: &[u8] = b" (deleted)";
    if path.len() > SFX.len() && path.ends_with(SFX) {
        let bare = std::ffi::OsStr::from_bytes(&path[..path.len() - SFX.len()]).to_owned();
        let same = std::fs::symlink_metadata(&bare)
            .is_ok_and(|m| m.ino() == meta.ino() && m.dev() == meta.dev());
        if !same {
            path.truncate(path.len() - SFX.len());
            deleted = true;
        }
    }
    Some(FdPath { path, deleted })
}

/// The kernel's protocol name for the socket (`sk_prot->name`, which strace reads through the
/// `system.sockprotoname` xattr), when the family, type and protocol give it.
pub fn proto_name(info: &SockInfo) -> Option<&'static str> {
    if info.known & sk::COMMON == 0 {
        return None;
    }
    let ty = if info.known & sk::PROTO != 0 {
        info.sk_type
    } else {
        info.sock_type
    };
    let proto = info.protocol;
    let v6 = info.family == AF_INET6;
    let pick = |v4: &'static str, v6n: &'static str| Some(if v6 { v6n } else { v4 });
    match info.family {
        AF_UNIX => Some(if info.sock_type == SOCK_STREAM {
            "UNIX-STREAM"
        } else {
            "UNIX"
        }),
        AF_NETLINK => Some("NETLINK"),
        AF_INET | AF_INET6 => {
            if info.known & sk::PROTO == 0 {
                return None;
            }
            match (ty, proto) {
                (SOCK_RAW, _) => pick("RAW", "RAWv6"),
                (SOCK_STREAM, 6) => pick("TCP", "TCPv6"),
                (SOCK_STREAM | SOCK_SEQPACKET, 132) => pick("SCTP", "SCTPv6"),
                (SOCK_STREAM, 262) => pick("MPTCP", "MPTCPv6"),
                (SOCK_DGRAM, 17) => pick("UDP", "UDPv6"),
                (SOCK_DGRAM, 136) => pick("UDPLITE", "UDPLITEv6"),
                (SOCK_DGRAM, 1) if !v6 => Some("PING"),
                (SOCK_DGRAM, 58) if v6 => Some("PINGv6"),
                (SOCK_DGRAM, 115) => pick("L2TP/IP", "L2TP/IPv6"),
                (SOCK_DCCP, 33) => pick("DCCP", "DCCPv6"),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Protocols whose details strace gets from sock_diag (inet_diag has a handler for them).
fn inet_resolvable(name: &str) -> bool {
    matches!(
        name,
        "TCP"
            | "TCPv6"
            | "UDP"
            | "UDPv6"
            | "UDPLITE"
            | "UDPLITEv6"
            | "RAW"
            | "RAWv6"
            | "SCTP"
            | "SCTPv6"
            | "DCCP"
            | "DCCPv6"
    )
}

/// The part of a `-yy` decoration between `<` and `>` for a socket.
pub fn socket_text(out: &mut String, info: &SockInfo, style: &Style) {
    let ino = info.ino;
    let Some(name) = proto_name(info) else {
        let _ = write!(out, "socket:[{ino}]");
        return;
    };
    // Protocols strace knows by name but cannot look up print NAME:[INODE].
    let fallback = |out: &mut String| {
        let _ = write!(out, "{name}:[{ino}]");
    };
    match info.family {
        AF_INET | AF_INET6 => {
            if !inet_resolvable(name) {
                if name.starts_with("MPTCP") {
                    let _ = write!(out, "socket:[{ino}]");
                } else {
                    fallback(out);
                }
                return;
            }
            // sock_diag lists a socket once it has a local port (its hash tables).
            if info.num == 0 {
                return fallback(out);
            }
            let v6 = info.family == AF_INET6;
            let addr = |v4: &[u8; 4], v6a: &[u8; 16]| {
                if v6 {
                    format!("[{}]", ntop6(v6a))
                } else {
                    ntop4(v4)
                }
            };
            let _ = write!(
                out,
                "{name}:[{}:{}",
                addr(&info.rcv_saddr, &info.v6_rcv_saddr),
                info.num
            );
            let dport = u16::from_be(info.dport_be);
            let zero = if v6 {
                info.v6_daddr == [0; 16]
            } else {
                info.daddr == [0; 4]
            };
            if dport != 0 || !zero {
                let _ = write!(out, "->{}:{}", addr(&info.daddr, &info.v6_daddr), dport);
            }
            out.push(']');
        }
        AF_UNIX => {
            if info.known & (sk::UNIX_ADDR | sk::UNIX_PEER) != sk::UNIX_ADDR | sk::UNIX_PEER {
                return fallback(out);
            }
            let path_len = (info.unix_len as usize)
                .saturating_sub(2)
                .min(info.unix_path.len());
            if info.peer_ino == 0 && path_len == 0 {
                return fallback(out);
            }
            let _ = write!(out, "{name}:[{ino}");
            if info.peer_ino != 0 {
                let _ = write!(out, "->{}", info.peer_ino);
            }
            if path_len > 0 {
                let path = &info.unix_path[..path_len];
                let z = QuoteOpts {
                    zero_terminated: true,
                    ..Default::default()
                };
                out.push(',');
                if path[0] == 0 {
                    out.push('@');
                    string_quote(out, &path[1..], path_len - 1, z, style.xflag);
                } else {
                    string_quote(out, path, path_len, z, style.xflag);
                }
            }
            out.push(']');
        }
        AF_NETLINK => {
            if info.known & sk::NETLINK == 0 || info.known & sk::PROTO == 0 || info.portid == 0 {
                return fallback(out);
            }
            match xlat::xlat_lookup(&NETLINK_PROTOCOLS, info.protocol as u64) {
                Some(p) => {
                    let _ = write!(
                        out,
                        "{name}:[{}:{}]",
                        p.trim_start_matches("NETLINK_"),
                        info.portid
                    );
                }
                None => {
                    let _ = write!(out, "{name}:[{}]", info.protocol);
                }
            }
        }
        _ => {
            let _ = write!(out, "socket:[{ino}]");
        }
    }
}

/// strace's `print_quoted_string_ex(path, len, QUOTE_OMIT_LEADING_TRAILING_QUOTES, "<>")`.
pub(crate) fn quote_path(out: &mut String, path: &[u8], style: &Style) {
    let opts = QuoteOpts {
        omit_quotes: true,
        ..Default::default()
    };
    let hex_all = style.xflag == 2
        || (style.xflag == 1
            && path
                .iter()
                .any(|&c| c > 0x7e || (c < b' ' && !(9..=13).contains(&c))));
    if hex_all || !path.iter().any(|&c| c == b'<' || c == b'>') {
        string_quote(out, path, path.len(), opts, style.xflag);
        return;
    }
    // '<' and '>' are printed in octal (as non-printable bytes are), so that the decoration
    // stays parseable; the quoting of the rest is unchanged.
    let mut start = 0;
    for (i, &c) in path.iter().enumerate() {
        if c == b'<' || c == b'>' {
            string_quote(out, &path[start..i], i - start, opts, style.xflag);
            let next_oct = path.get(i + 1).is_some_and(|d| (b'0'..=b'7').contains(d));
            let _ = if next_oct {
                write!(out, "\\{:03o}", c)
            } else {
                write!(out, "\\{:o}", c)
            };
            start = i + 1;
        }
    }
    string_quote(out, &path[start..], path.len() - start, opts, style.xflag);
}

/// The descriptor argument: `fd` alone without `-y`, else with its decoration. `info` is the
/// kernel's capture (None: the record has none), `path` what `/proc` gave for a non-socket.
pub fn format_fd(
    out: &mut String,
    fd: i32,
    info: Option<&SockInfo>,
    yflag: u8,
    path: Option<&FdPath>,
    style: &Style,
) {
    super::strfmt::push_int(out, fd);
    if yflag == 0 {
        return;
    }
    let Some(info) = info else {
        out.push_str("<?>");
        return;
    };
    if info.known & sk::NO_FILE != 0 {
        return;
    }
    if info.known & sk::INODE == 0 {
        out.push_str("<?>");
        return;
    }
    let fmt = info.mode & S_IFMT;
    if fmt == S_IFSOCK {
        out.push('<');
        if yflag >= 2 {
            socket_text(out, info, style);
        } else {
            let _ = write!(out, "socket:[{}]", info.ino);
        }
        out.push('>');
        return;
    }
    // No path (the kernel's walk was cut short and /proc no longer has the descriptor): the
    // number alone, as strace prints a descriptor whose path it cannot get.
    let Some(p) = path else {
        return;
    };
    out.push('<');
    quote_path(out, &p.path, style);
    if yflag >= 2 && (fmt == S_IFCHR || fmt == S_IFBLK) && p.path.first() == Some(&b'/') {
        let _ = write!(
            out,
            "<{} {}:{}>",
            if fmt == S_IFBLK { "block" } else { "char" },
            info.rdev >> 20,
            info.rdev & 0xfffff
        );
        out.push('>');
        return;
    }
    out.push('>');
    if p.deleted {
        out.push_str("(deleted)");
    }
}

fn file_type(mode: u16) -> &'static str {
    match mode & S_IFMT {
        S_IFSOCK => "socket",
        S_IFCHR => "char",
        S_IFBLK => "block",
        0o010000 => "fifo",
        0o100000 => "regular",
        0o040000 => "directory",
        0o120000 => "symlink",
        _ => "unknown",
    }
}

/// The `socket` object of a JSON event: what the kernel said about the descriptor. Parts that
/// could not be read are listed in `unknown`. Null without `-y`.
pub fn socket_json(
    fd: i32,
    info: Option<&SockInfo>,
    yflag: u8,
    path: Option<&FdPath>,
    style: &Style,
) -> Value {
    serde_json::to_value(socket_model(fd, info, yflag, path, style)).unwrap_or_default()
}

fn name_or_number(x: &xlat::Xlat, v: u64) -> NameOrNumber {
    xlat::xlat_lookup(x, v).map_or(NameOrNumber::Number(v), NameOrNumber::Name)
}

/// The typed model of [`socket_json`].
pub fn socket_model<'a>(
    fd: i32,
    info: Option<&'a SockInfo>,
    yflag: u8,
    path: Option<&'a FdPath>,
    style: &Style,
) -> Option<Socket<'a>> {
    if yflag == 0 {
        return None;
    }
    let mut o = Socket {
        fd,
        ..Socket::default()
    };
    let Some(info) = info else {
        o.kind = SocketKind::Unknown;
        o.unknown = Some(vec!["file"]);
        return Some(o);
    };
    let mut unknown: Vec<&'static str> = Vec::new();
    let k = info.known;
    if k & sk::NO_FILE != 0 {
        o.kind = SocketKind::None;
        return Some(o);
    }
    if k & sk::INODE == 0 {
        o.kind = SocketKind::Unknown;
        o.unknown = Some(vec!["file"]);
        return Some(o);
    }
    let mut text = String::new();
    format_fd(&mut text, fd, Some(info), yflag.max(2), path, style);
    let is_sock = info.mode & S_IFMT == S_IFSOCK;
    o.kind = if is_sock {
        SocketKind::Socket
    } else {
        SocketKind::File
    };
    o.file_type = Some(file_type(info.mode));
    o.inode = Some(info.ino);
    if let Some(d) = text.find('<') {
        // "3<UDP:[...]>" → "UDP:[...]": the decoration as strace -yy prints it.
        o.strace = Some(text[d + 1..text.len() - 1].to_string());
    }
    if !is_sock {
        if matches!(info.mode & S_IFMT, S_IFCHR | S_IFBLK) {
            o.rdev = Some(Rdev {
                major: (info.rdev >> 20) as u64,
                minor: (info.rdev & 0xfffff) as u64,
            });
        }
        match path {
            Some(p) => {
                o.path = Some(Str(Lossy(&p.path)));
                // Not UTF-8: the exact bytes too (the string has U+FFFD for them).
                if std::str::from_utf8(&p.path).is_err() {
                    o.path_hex = Some(Hex(&p.path));
                }
                o.deleted = Some(p.deleted);
            }
            None => unknown.push("path"),
        }
    } else if yflag >= 2 {
        if k & sk::SOCKET != 0 {
            o.sock_type = Some(name_or_number(&SOCKET_TYPES, info.sock_type as u64));
        } else {
            unknown.push("type");
        }
        if k & sk::COMMON != 0 {
            o.family = Some(name_or_number(&ADDRESS_FAMILIES, info.family as u64));
            o.state = Some(info.state as u64);
        } else {
            unknown.extend(["family", "local", "peer"]);
        }
        if k & sk::PROTO != 0 {
            o.protocol = Some(info.protocol as u64);
        } else {
            unknown.push("protocol");
        }
        o.protocol_name = proto_name(info);
        if k & sk::COMMON != 0 {
            match info.family {
                AF_INET | AF_INET6 => {
                    let v6 = info.family == AF_INET6;
                    let (l, p) = if v6 {
                        (ntop6(&info.v6_rcv_saddr), ntop6(&info.v6_daddr))
                    } else {
                        (ntop4(&info.rcv_saddr), ntop4(&info.daddr))
                    };
                    let dport = u16::from_be(info.dport_be);
                    o.local = Some(Endpoint {
                        address: l,
                        port: info.num,
                    });
                    let connected = dport != 0
                        || if v6 {
                            info.v6_daddr != [0; 16]
                        } else {
                            info.daddr != [0; 4]
                        };
                    o.peer = Some(connected.then_some(Endpoint {
                        address: p,
                        port: dport,
                    }));
                }
                AF_UNIX => {
                    let mut u = UnixSock::default();
                    if k & sk::UNIX_ADDR != 0 {
                        let n = (info.unix_len as usize)
                            .saturating_sub(2)
                            .min(info.unix_path.len());
                        let path = &info.unix_path[..n];
                        if n == 0 {
                            u.path = Some(None);
                        } else if path[0] == 0 {
                            u.path = Some(Some(Str(Lossy(&path[1..]))));
                            u.abstract_ = Some(true);
                        } else {
                            let end = path.iter().position(|&c| c == 0).unwrap_or(n);
                            u.path = Some(Some(Str(Lossy(&path[..end]))));
                            u.abstract_ = Some(false);
                        }
                    } else {
                        unknown.push("unixPath");
                    }
                    if k & sk::UNIX_PEER != 0 {
                        u.peer_inode = Some((info.peer_ino != 0).then_some(info.peer_ino));
                    } else {
                        unknown.push("unixPeer");
                    }
                    o.unix = Some(u);
                }
                AF_NETLINK => {
                    if k & sk::NETLINK != 0 {
                        o.netlink = Some(NetlinkSock {
                            portid: info.portid,
                            protocol: name_or_number(&NETLINK_PROTOCOLS, info.protocol as u64),
                        });
                    } else {
                        unknown.push("netlinkPortid");
                    }
                }
                _ => {}
            }
        }
    }
    if k & sk::FAULT != 0 {
        o.fault = Some(true);
    }
    if !unknown.is_empty() {
        o.unknown = Some(unknown);
    }
    Some(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn blank() -> SockInfo {
        // SAFETY: plain data, all-zero is valid.
        unsafe { std::mem::zeroed() }
    }

    fn sock(family: u16, ty: u16, proto: u16) -> SockInfo {
        let mut i = blank();
        i.known = sk::LOOKED_UP | sk::INODE | sk::SOCKET | sk::COMMON | sk::PROTO;
        i.fd = 3;
        i.mode = S_IFSOCK | 0o777;
        i.ino = 12222;
        i.family = family;
        i.sock_type = ty;
        i.sk_type = ty;
        i.protocol = proto;
        i
    }

    fn fmt(info: &SockInfo, y: u8) -> String {
        let mut s = String::new();
        format_fd(&mut s, info.fd, Some(info), y, None, &Style::default());
        s
    }

    #[test]
    fn inet() {
        let mut i = sock(AF_INET, SOCK_STREAM, 6);
        i.fd = 4;
        i.rcv_saddr = [127, 0, 0, 1];
        i.num = 57974;
        i.daddr = [127, 0, 0, 1];
        i.dport_be = 40003u16.to_be();
        assert_eq!(fmt(&i, 2), "4<TCP:[127.0.0.1:57974->127.0.0.1:40003]>");
        assert_eq!(fmt(&i, 1), "4<socket:[12222]>");
        assert_eq!(fmt(&i, 0), "4");
        let mut u = sock(AF_INET, SOCK_DGRAM, 17);
        u.rcv_saddr = [127, 0, 0, 1];
        u.num = 40001;
        assert_eq!(fmt(&u, 2), "3<UDP:[127.0.0.1:40001]>");
        u.rcv_saddr = [0; 4];
        assert_eq!(fmt(&u, 2), "3<UDP:[0.0.0.0:40001]>");
        // Not bound yet: sock_diag does not list it.
        u.num = 0;
        assert_eq!(fmt(&u, 2), "3<UDP:[12222]>");
        let mut v = sock(AF_INET6, SOCK_DGRAM, 17);
        v.v6_rcv_saddr[15] = 1;
        v.num = 40002;
        assert_eq!(fmt(&v, 2), "3<UDPv6:[[::1]:40002]>");
        v.v6_daddr[15] = 1;
        v.dport_be = 41004u16.to_be();
        assert_eq!(fmt(&v, 2), "3<UDPv6:[[::1]:40002->[::1]:41004]>");
        let mut t6 = sock(AF_INET6, SOCK_STREAM, 6);
        assert_eq!(fmt(&t6, 2), "3<TCPv6:[12222]>");
        t6.num = 1;
        assert_eq!(fmt(&t6, 2), "3<TCPv6:[[::]:1]>");
        let mut r = sock(AF_INET, SOCK_RAW, 1);
        r.num = 1;
        assert_eq!(fmt(&r, 2), "3<RAW:[0.0.0.0:1]>");
        let mut p = sock(AF_INET, SOCK_DGRAM, 1);
        p.num = 7;
        assert_eq!(fmt(&p, 2), "3<PING:[12222]>");
        assert_eq!(
            fmt(&sock(AF_INET, SOCK_STREAM, 262), 2),
            "3<socket:[12222]>"
        );
        assert_eq!(fmt(&sock(AF_INET6, SOCK_DGRAM, 58), 2), "3<PINGv6:[12222]>");
    }

    #[test]
    fn unix() {
        let mut s = sock(AF_UNIX, SOCK_STREAM, 0);
        s.known |= sk::UNIX_ADDR | sk::UNIX_PEER;
        s.fd = 4;
        assert_eq!(fmt(&s, 2), "4<UNIX-STREAM:[12222]>");
        let path = b"/tmp/x.sock\0";
        s.unix_path[..path.len()].copy_from_slice(path);
        s.unix_len = 2 + path.len() as u32;
        s.sock_type = SOCK_DGRAM;
        assert_eq!(fmt(&s, 2), "4<UNIX:[12222,\"/tmp/x.sock\"]>");
        s.unix_len = 0;
        s.ino = 12227;
        s.peer_ino = 12228;
        s.fd = 3;
        assert_eq!(fmt(&s, 2), "3<UNIX:[12227->12228]>");
        s.sock_type = SOCK_STREAM;
        s.unix_len = 2 + path.len() as u32;
        assert_eq!(fmt(&s, 2), "3<UNIX-STREAM:[12227->12228,\"/tmp/x.sock\"]>");
        // Abstract, not NUL-terminated; the bytes after the length are not shown.
        s.unix_path[..6].copy_from_slice(b"\0ab\"c\n");
        s.unix_len = 2 + 6;
        s.peer_ino = 0;
        s.sock_type = SOCK_SEQPACKET;
        assert_eq!(fmt(&s, 2), "3<UNIX:[12227,@\"ab\\\"c\\n\"]>");
        let xx = Style {
            xflag: 2,
            ..Style::default()
        };
        let mut out = String::new();
        format_fd(&mut out, 3, Some(&s), 2, None, &xx);
        assert_eq!(out, "3<UNIX:[12227,@\"\\x61\\x62\\x22\\x63\\x0a\"]>");
        // Peer unknown (offsets missing): the inode only.
        s.known &= !sk::UNIX_PEER;
        assert_eq!(fmt(&s, 2), "3<UNIX:[12227]>");
    }

    #[test]
    fn netlink() {
        let mut n = sock(AF_NETLINK, SOCK_RAW, 0);
        n.known |= sk::NETLINK;
        n.ino = 8626;
        assert_eq!(fmt(&n, 2), "3<NETLINK:[8626]>", "unbound");
        n.portid = 8626;
        assert_eq!(fmt(&n, 2), "3<NETLINK:[ROUTE:8626]>");
        n.protocol = 16;
        n.portid = 4000;
        assert_eq!(fmt(&n, 2), "3<NETLINK:[GENERIC:4000]>");
        n.protocol = 30;
        assert_eq!(fmt(&n, 2), "3<NETLINK:[30]>");
        n.known &= !sk::NETLINK;
        assert_eq!(fmt(&n, 2), "3<NETLINK:[8626]>");
    }

    #[test]
    fn other_families_and_unknowns() {
        assert_eq!(
            fmt(&sock(17, SOCK_RAW, 0x300), 2),
            "3<socket:[12222]>",
            "AF_PACKET"
        );
        let mut s = sock(AF_INET, SOCK_DGRAM, 17);
        s.known = sk::LOOKED_UP | sk::INODE | sk::SOCKET | sk::FAULT;
        assert_eq!(fmt(&s, 2), "3<socket:[12222]>");
        s.known = sk::LOOKED_UP | sk::FAULT;
        assert_eq!(fmt(&s, 2), "3<?>");
        s.known = 0;
        assert_eq!(fmt(&s, 1), "3<?>", "offsets unknown");
        s.known = sk::LOOKED_UP | sk::NO_FILE;
        assert_eq!(fmt(&s, 2), "3");
        let mut out = String::new();
        format_fd(&mut out, 5, None, 2, None, &Style::default());
        assert_eq!(out, "5<?>");
    }

    #[test]
    fn files() {
        let mut f = blank();
        f.known = sk::LOOKED_UP | sk::INODE;
        f.fd = 3;
        f.mode = S_IFCHR | 0o666;
        f.rdev = (1 << 20) | 3;
        let p = |s: &str, deleted| FdPath {
            path: s.as_bytes().to_vec(),
            deleted,
        };
        let mut out = String::new();
        let st = Style::default();
        format_fd(&mut out, 3, Some(&f), 2, Some(&p("/dev/null", false)), &st);
        assert_eq!(out, "3</dev/null<char 1:3>>");
        out.clear();
        format_fd(&mut out, 3, Some(&f), 1, Some(&p("/dev/null", false)), &st);
        assert_eq!(out, "3</dev/null>");
        out.clear();
        f.mode = 0o010600;
        format_fd(
            &mut out,
            4,
            Some(&f),
            2,
            Some(&p("pipe:[84678]", false)),
            &st,
        );
        assert_eq!(out, "4<pipe:[84678]>");
        out.clear();
        f.mode = 0o100600;
        format_fd(
            &mut out,
            3,
            Some(&f),
            2,
            Some(&p("/tmp/a<b>\"c\x01", true)),
            &st,
        );
        assert_eq!(out, "3</tmp/a\\74b\\76\\\"c\\1>(deleted)");
        out.clear();
        format_fd(&mut out, 3, Some(&f), 2, Some(&p("/tmp/a>7", false)), &st);
        assert_eq!(out, "3</tmp/a\\0767>");
        out.clear();
        format_fd(&mut out, 3, Some(&f), 2, None, &st);
        assert_eq!(out, "3", "path gone by render time");
    }

    #[test]
    fn json_path_not_utf8_has_its_bytes_in_hex() {
        let mut f = blank();
        f.known = sk::LOOKED_UP | sk::INODE;
        f.fd = 3;
        f.mode = 0o100600;
        let p = FdPath {
            path: b"/tmp/a\xff\n".to_vec(),
            deleted: false,
        };
        let v = socket_json(3, Some(&f), 1, Some(&p), &Style::default());
        assert_eq!(v["pathHex"], "2f746d702f61ff0a", "{v}");
        let mut text = String::new();
        format_fd(&mut text, 3, Some(&f), 1, Some(&p), &Style::default());
        assert!(text.bytes().all(|c| (0x20..0x7f).contains(&c)), "{text:?}");
        let ok = FdPath {
            path: b"/tmp/a".to_vec(),
            deleted: false,
        };
        let v = socket_json(3, Some(&f), 1, Some(&ok), &Style::default());
        assert!(v.get("pathHex").is_none(), "{v}");
    }

    #[test]
    fn json_object() {
        let mut u = sock(AF_INET, SOCK_DGRAM, 17);
        u.rcv_saddr = [127, 0, 0, 1];
        u.num = 40001;
        let v = socket_json(3, Some(&u), 2, None, &Style::default());
        assert_eq!(v["strace"], "UDP:[127.0.0.1:40001]");
        assert_eq!(v["family"], "AF_INET");
        assert_eq!(v["type"], "SOCK_DGRAM");
        assert_eq!(v["protocol"], 17);
        assert_eq!(v["local"]["port"], 40001);
        assert!(v["peer"].is_null());
        assert!(v.get("unknown").is_none());
        u.known &= !sk::PROTO;
        let v = socket_json(3, Some(&u), 2, None, &Style::default());
        assert_eq!(v["unknown"], json!(["protocol"]));
        assert!(socket_json(3, Some(&u), 0, None, &Style::default()).is_null());
    }
}
