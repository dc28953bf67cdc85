//! Socket addresses as strace prints them, and as Tracee-like JSON maps.
//!
//! The text follows strace 6.1's `decode_sockaddr`/`print_sockaddr` (`src/sockaddr.c`):
//!
//! * `addrlen < 2` (including 0 and negative lengths) prints the pointer (`NULL` for a NULL
//!   one), whatever it points to; so does a NULL pointer or an unreadable address.
//! * `addrlen > 128` is cut to 128 (sizeof(struct sockaddr_storage)); bytes past `addrlen` read
//!   as zero.
//! * `{sa_family=AF_X}` when `addrlen == 2`; otherwise the family's fields when `addrlen` is at
//!   least the family's minimum, else the raw bytes `sa_data="..."` (all `addrlen - 2` of them:
//!   `-s` does not apply, `-x`/`-xx` do).

use super::Style;
use super::strfmt::{
    QuoteOpts, print_addr, quote_bytes, quote_bytes_hex, quote_cstr, quote_cstr_array, string_quote,
};
use super::xlat::{
    ADDRESS_FAMILIES, AF_PACKET_TYPES, ALG_SOCKADDR_FLAGS, ARP_HARDWARE_TYPES, ETHERNET_PROTOCOLS,
    IEEE802154_ADDR_TYPES, IEEE802154_ADDRS, IEEE802154_PAN_IDS, MCTP_ADDRS, MCTP_NETS,
    NFC_PROTOCOLS, NFC_SAPS, QIPCRTR_NODES, QIPCRTR_PORTS, RXRPC_SERVICES, SOCKET_TYPES,
    VSOCK_CIDS, VSOCK_FLAGS, VSOCK_PORTS, XDP_SOCKADDR_FLAGS, Xlat, flag_names, print_flags,
    print_xval, print_xval_dflt, push_c_hex, xlat_lookup,
};
use crate::render::json::model::{AfName, Hex, Mac, SockAddrMap, Str, UnixPath};
use std::fmt::Write;

/// sizeof(struct sockaddr_storage): the most strace reads.
pub const SOCKADDR_MAX: usize = 128;

const AF_UNIX: u16 = 1;
const AF_INET: u16 = 2;
const AF_IPX: u16 = 4;
const AF_AX25: u16 = 3;
const AF_X25: u16 = 9;
const AF_INET6: u16 = 10;
const AF_NETLINK: u16 = 16;
const AF_PACKET: u16 = 17;
const AF_RXRPC: u16 = 33;
const AF_IEEE802154: u16 = 36;
const AF_ALG: u16 = 38;
const AF_NFC: u16 = 39;
const AF_VSOCK: u16 = 40;
const AF_QIPCRTR: u16 = 42;
const AF_XDP: u16 = 44;
const AF_MCTP: u16 = 45;

/// sizeof(struct sockaddr_un).
const SOCKADDR_UN_LEN: usize = 110;
/// offsetof(struct sockaddr_in6, sin6_scope_id): strace's minimum for AF_INET6.
const SIN6_MIN_LEN: usize = 24;

/// A sockaddr buffer of `len` meaningful bytes, zero beyond them (as strace's buffer is).
struct Buf<'a> {
    b: &'a [u8],
}

impl Buf<'_> {
    fn u8(&self, off: usize) -> u8 {
        self.b.get(off).copied().unwrap_or(0)
    }
    fn u16le(&self, off: usize) -> u16 {
        u16::from_le_bytes(self.array(off))
    }
    fn u16be(&self, off: usize) -> u16 {
        u16::from_be_bytes(self.array(off))
    }
    fn u32le(&self, off: usize) -> u32 {
        u32::from_le_bytes(self.array(off))
    }
    fn u32be(&self, off: usize) -> u32 {
        u32::from_be_bytes(self.array(off))
    }
    /// Bytes `off..off+N`, zero past the end (one copy when all are there: the render hot
    /// path parses every address, measured with callgrind on examples/render_cost).
    fn array<const N: usize>(&self, off: usize) -> [u8; N] {
        if let Some(s) = self.b.get(off..off.saturating_add(N))
            && let Ok(a) = <[u8; N]>::try_from(s)
        {
            return a;
        }
        let mut a = [0u8; N];
        for (i, v) in a.iter_mut().enumerate() {
            *v = self.u8(off + i);
        }
        a
    }
    /// Bytes `from..from+n`, zero-padded.
    fn bytes(&self, from: usize, n: usize) -> Vec<u8> {
        (from..from + n).map(|i| self.u8(i)).collect()
    }
}

/// A socket address parsed once: what the text renderer, the JSON renderer and the filter
/// read. The fields are read as strace reads its buffer (bytes past the address length as
/// zero); which of them a consumer shows depends on the length (`bytes.len()`): the text needs
/// the family's minimum (else it prints the raw bytes), JSON shows the fields whose bytes are
/// all there, the filter needs the address.
#[derive(Clone, Copy, Debug)]
pub struct SockAddr<'a> {
    pub family: u16,
    /// The address as given (family included).
    pub bytes: &'a [u8],
    pub fam: Family<'a>,
}

/// The fields of the families sockscope decodes for every consumer; the families only the
/// text prints field by field (AX.25, RxRPC, IEEE 802.15.4, ALG, NFC, IPX, X.25, QIPCRTR,
/// XDP, MCTP) and unknown ones are `Other` (their bytes).
#[derive(Clone, Copy, Debug)]
pub enum Family<'a> {
    /// sun_path: the bytes after the family, up to sizeof(struct sockaddr_un).
    Unix {
        path: &'a [u8],
    },
    Inet {
        port: u16,
        addr: [u8; 4],
    },
    Inet6 {
        port: u16,
        flowinfo: u32,
        addr: [u8; 16],
        scope_id: u32,
    },
    Netlink {
        pad: u16,
        pid: u32,
        groups: u32,
    },
    Packet {
        protocol: u16,
        ifindex: u32,
        hatype: u16,
        pkttype: u8,
        halen: u8,
        /// The sll_addr bytes present (offset 12 up to the address length).
        addr: &'a [u8],
    },
    Vsock {
        reserved1: u16,
        port: u32,
        cid: u32,
        flags: u8,
        zero: [u8; 3],
    },
    Other,
}

impl<'a> SockAddr<'a> {
    /// The one sockaddr parser. `bytes` is the address (its length the address length).
    #[inline]
    pub fn parse(bytes: &'a [u8]) -> SockAddr<'a> {
        let b = Buf { b: bytes };
        let family = b.u16le(0);
        let fam = match family {
            AF_UNIX => Family::Unix {
                path: bytes
                    .get(2..bytes.len().min(SOCKADDR_UN_LEN))
                    .unwrap_or(&[]),
            },
            AF_INET => Family::Inet {
                port: b.u16be(2),
                addr: b.array(4),
            },
            AF_INET6 => Family::Inet6 {
                port: b.u16be(2),
                flowinfo: b.u32be(4),
                addr: b.array(8),
                scope_id: b.u32le(24),
            },
            AF_NETLINK => Family::Netlink {
                pad: b.u16le(2),
                pid: b.u32le(4),
                groups: b.u32le(8),
            },
            AF_PACKET => Family::Packet {
                protocol: b.u16be(2),
                ifindex: b.u32le(4),
                hatype: b.u16le(8),
                pkttype: b.u8(10),
                halen: b.u8(11),
                addr: bytes.get(12..).unwrap_or(&[]),
            },
            AF_VSOCK => Family::Vsock {
                reserved1: b.u16le(2),
                port: b.u32le(4),
                cid: b.u32le(8),
                flags: b.u8(12),
                zero: b.array(13),
            },
            _ => Family::Other,
        };
        SockAddr { family, bytes, fam }
    }

    /// The address length.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// No address bytes at all.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// AF_UNIX's name: (abstract, name): an abstract name without its leading NUL, else the
    /// path up to the first NUL. None for another family.
    pub fn unix_name(&self) -> Option<(bool, &'a [u8])> {
        let Family::Unix { path } = self.fam else {
            return None;
        };
        Some(match path.first() {
            Some(0) => (true, &path[1..]),
            _ => (
                false,
                &path[..path.iter().position(|&c| c == 0).unwrap_or(path.len())],
            ),
        })
    }
}

/// strace's rendering of a socket address argument. `addr` is the user pointer, `bytes` what
/// was read there (None: the read faulted), `addrlen` the length the call gave for it (the
/// kernel captured min(addrlen, 128) bytes when addrlen > 0).
///
/// `addrlen` is taken as the C `int` strace takes it as (its low 32 bits). `bytes` beyond
/// min(addrlen, 128) are ignored; fewer bytes than that count as a faulted read (strace reads
/// all or nothing) and print the pointer.
pub fn format_sockaddr(
    out: &mut String,
    addr: u64,
    bytes: Option<&[u8]>,
    addrlen: i64,
    style: &Style,
) {
    let addrlen = addrlen as i32;
    if addrlen < 2 || addr == 0 {
        print_addr(out, addr);
        return;
    }
    let len = (addrlen as usize).min(SOCKADDR_MAX);
    match bytes {
        Some(b) if b.len() >= len => print_sockaddr(out, &b[..len], style),
        _ => print_addr(out, addr),
    }
}

/// strace's print_sockaddr: `{sa_family=..., ...}` for the `bytes.len()` bytes of a socket
/// address (the whole of `bytes` is the address length; at most 128 bytes are looked at).
/// Also what recvfrom's and msghdr's address fields print once read.
pub fn print_sockaddr(out: &mut String, bytes: &[u8], style: &Style) {
    if !print_inet_fast(out, bytes, style) {
        print_sockaddr_general(out, bytes, style);
    }
}

/// The most common address, an AF_INET one of exactly 16 bytes under `-X abbrev` and without
/// `-xx`, written in one go: what the general path prints for it, in ~150 instructions instead
/// of ~600 (callgrind on examples/render_cost; every sendto/recvfrom line of a UDP program
/// holds one). Returns false, having written nothing, for anything else.
fn print_inet_fast(out: &mut String, bytes: &[u8], style: &Style) -> bool {
    let Some((port, addr)) = inet16(bytes) else {
        return false;
    };
    if style.xflag == super::strfmt::HEXSTR_ALL
        || super::global_opts().xlat != super::XlatStyle::Abbrev
    {
        return false;
    }
    out.push_str("{sa_family=AF_INET, sin_port=htons(");
    super::strfmt::push_int(out, port);
    out.push_str("), sin_addr=inet_addr(\"");
    super::strfmt::push_short(out, ntop4_str(&addr, &mut [0; 15]));
    out.push_str("\")}");
    true
}

/// The port and address of an AF_INET socket address of exactly 16 bytes (the common case the
/// text and JSON shortcuts write without parsing the address in general).
#[inline]
pub fn inet16(bytes: &[u8]) -> Option<(u16, [u8; 4])> {
    let b = <&[u8; 16]>::try_from(bytes).ok()?;
    (u16::from_le_bytes([b[0], b[1]]) == AF_INET)
        .then(|| (u16::from_be_bytes([b[2], b[3]]), [b[4], b[5], b[6], b[7]]))
}

/// `a` in dotted decimal, written into `buf` ([`ntop4_buf`]; no allocation).
#[inline]
pub fn ntop4_str<'b>(a: &[u8; 4], buf: &'b mut [u8; 15]) -> &'b str {
    let n = ntop4_buf(a, buf);
    // SAFETY: ntop4_buf writes ASCII digits and dots.
    unsafe { std::str::from_utf8_unchecked(&buf[..n]) }
}

/// print_sockaddr for every family, length and style.
fn print_sockaddr_general(out: &mut String, bytes: &[u8], style: &Style) {
    let sa = SockAddr::parse(&bytes[..bytes.len().min(SOCKADDR_MAX)]);
    let (bytes, addrlen, family) = (sa.bytes, sa.len(), sa.family);
    let b = Buf { b: bytes };
    out.push_str("{sa_family=");
    print_xval(out, family.into(), &ADDRESS_FAMILIES);
    if addrlen > 2 {
        out.push_str(", ");
        let min_len = match family {
            AF_UNIX => Some(3),
            AF_INET => Some(16),
            AF_INET6 => Some(SIN6_MIN_LEN),
            AF_NETLINK => Some(12),
            AF_PACKET => Some(20),
            AF_VSOCK => Some(16),
            AF_AX25 => Some(AX25_LEN),
            AF_RXRPC => Some(RXRPC_LEN),
            AF_IEEE802154 => Some(20),
            AF_ALG => Some(ALG_LEN + 1),
            AF_NFC => Some(16),
            AF_IPX => Some(16),
            AF_X25 => Some(18),
            AF_QIPCRTR => Some(12),
            AF_XDP => Some(16),
            AF_MCTP => Some(12),
            _ => None,
        };
        match min_len {
            Some(m) if addrlen >= m => match &sa.fam {
                Family::Unix { path } => print_un(out, path, style),
                Family::Inet { port, addr } => print_in(out, *port, addr, style),
                Family::Inet6 { .. } => print_in6(out, &sa, addrlen, style),
                Family::Netlink { pad, pid, groups } => print_nl(out, *pad, *pid, *groups),
                Family::Packet { .. } => print_ll(out, &sa, style),
                Family::Vsock { .. } => print_vsock(out, &sa),
                Family::Other => match family {
                    AF_IPX => print_ipx(out, &b),
                    AF_AX25 => print_ax25(out, &b, addrlen, style),
                    AF_RXRPC => print_rxrpc(out, &b, addrlen, style),
                    AF_IEEE802154 => print_ieee802154(out, &b),
                    AF_ALG => print_alg(out, &b, addrlen, style),
                    AF_NFC => print_nfc(out, &b, addrlen, style),
                    AF_X25 => {
                        out.push_str("sx25_addr={x25_addr=");
                        quote_cstr_array(out, &b.bytes(2, 16), style);
                        out.push('}');
                    }
                    AF_QIPCRTR => {
                        out.push_str("sq_node=");
                        print_xval_dflt(out, b.u32le(4).into(), &QIPCRTR_NODES, None);
                        out.push_str(", sq_port=");
                        print_xval_dflt(out, b.u32le(8).into(), &QIPCRTR_PORTS, None);
                    }
                    AF_XDP => print_xdp(out, &b, style),
                    AF_MCTP => print_mctp(out, &b),
                    _ => print_raw(out, bytes, style),
                },
            },
            _ => print_raw(out, bytes, style),
        }
    }
    out.push('}');
}

fn print_raw(out: &mut String, bytes: &[u8], style: &Style) {
    out.push_str("sa_data=");
    quote_bytes(out, bytes.get(2..).unwrap_or(&[]), style);
}

fn print_un(out: &mut String, path: &[u8], style: &Style) {
    out.push_str("sun_path=");
    match path.split_first() {
        Some((0, name)) => {
            out.push('@');
            quote_bytes(out, name, style);
        }
        // Up to the first NUL, or all of sun_path; never `...`.
        _ => quote_cstr(out, path, style),
    }
}

/// A NUL-terminated text strace quotes with print_quoted_string(.., QUOTE_0_TERMINATED).
fn quote_text(out: &mut String, text: &str, style: &Style) {
    quote_cstr(out, text.as_bytes(), style);
}

/// `raw` bytes as strace's print_quoted_string(.., QUOTE_FORCE_HEX): `"\x9c\xcd"`.
fn quote_force_hex(out: &mut String, raw: &[u8]) {
    let opts = QuoteOpts {
        zero_terminated: false,
        omit_quotes: false,
        force_hex: true,
    };
    string_quote(out, raw, raw.len(), opts, 0);
}

/// A field strace prints as `name=TEXT` under -X abbrev, `name="\x.."` (the raw bytes) under
/// -X raw and `name="\x.." /* TEXT */` under -X verbose (PRINT_FIELD_NET_PORT,
/// print_inet_addr's AF_INET case, sin6_flowinfo).
fn x_field(out: &mut String, name: &str, raw: &[u8], text: impl FnOnce(&mut String)) {
    super::strfmt::push_short(out, name);
    out.push('=');
    match super::global_opts().xlat {
        super::XlatStyle::Abbrev => text(out),
        super::XlatStyle::Raw => quote_force_hex(out, raw),
        super::XlatStyle::Verbose => {
            quote_force_hex(out, raw);
            out.push_str(" /* ");
            text(out);
            out.push_str(" */");
        }
    }
}

/// strace's print_inet_addr for AF_INET with a field name: `sin_addr=inet_addr("127.0.0.1")`.
pub fn print_inet4_field(out: &mut String, name: &str, a: &[u8; 4], style: &Style) {
    x_field(out, name, a, |out| {
        out.push_str("inet_addr(");
        quote_cstr(out, ntop4_str(a, &mut [0; 15]).as_bytes(), style);
        out.push(')');
    });
}

/// strace's print_inet_addr for AF_INET6 with a field name: `inet_pton(AF_INET6, "::1",
/// &sin6_addr)`; -X raw `sin6_addr="\x00..."`; -X verbose `sin6_addr="\x00..." /*
/// inet_pton(AF_INET6, "::1") */`.
pub fn print_inet6_field(out: &mut String, name: &str, a: &[u8; 16], style: &Style) {
    let x = super::global_opts().xlat;
    if x != super::XlatStyle::Abbrev {
        out.push_str(name);
        out.push('=');
        quote_force_hex(out, a);
        if x == super::XlatStyle::Raw {
            return;
        }
        out.push_str(" /* ");
    }
    out.push_str("inet_pton(AF_INET6, ");
    quote_text(out, &ntop6(a), style);
    if x == super::XlatStyle::Abbrev {
        out.push_str(", &");
        out.push_str(name);
    }
    out.push(')');
    if x == super::XlatStyle::Verbose {
        out.push_str(" */");
    }
}

/// PRINT_FIELD_NET_PORT: `sin_port=htons(40001)`.
fn print_net_port(out: &mut String, name: &str, raw: [u8; 2]) {
    x_field(out, name, &raw, |out| {
        out.push_str("htons(");
        super::strfmt::push_int(out, u16::from_be_bytes(raw));
        out.push(')');
    });
}

fn print_in(out: &mut String, port: u16, addr: &[u8; 4], style: &Style) {
    print_net_port(out, "sin_port", port.to_be_bytes());
    out.push_str(", ");
    print_inet4_field(out, "sin_addr", addr, style);
}

/// The AF_INET6 fields of `sa`; sin6_scope_id when `addrlen` goes past sin6_addr.
fn print_in6(out: &mut String, sa: &SockAddr, addrlen: usize, style: &Style) {
    let Family::Inet6 {
        port,
        flowinfo,
        addr: a,
        scope_id: scope,
    } = sa.fam
    else {
        return;
    };
    print_net_port(out, "sin6_port", port.to_be_bytes());
    out.push_str(", ");
    x_field(out, "sin6_flowinfo", &flowinfo.to_be_bytes(), |out| {
        let _ = write!(out, "htonl({flowinfo})");
    });
    out.push_str(", ");
    print_inet6_field(out, "sin6_addr", &a, style);
    if addrlen <= SIN6_MIN_LEN {
        return;
    }
    out.push_str(", sin6_scope_id=");
    let link_local = a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
    let mc_link_local = a[0] == 0xff && (a[1] & 0x0f) == 0x02;
    if link_local || mc_link_local {
        print_ifindex(out, scope, style);
    } else {
        let _ = write!(out, "{scope}");
    }
}

pub use crate::host::ifname as ifindex_name;

/// strace's print_ifindex: `if_nametoindex("lo")` when the index names an interface here,
/// else the number.
pub fn print_ifindex(out: &mut String, index: u32, style: &Style) {
    // print_xlat_ex(index, name, FMT_U): -X raw the number, -X verbose `1 /* name */`.
    let x = super::global_opts().xlat;
    if x != super::XlatStyle::Abbrev {
        let _ = write!(out, "{index}");
        if x == super::XlatStyle::Raw {
            return;
        }
    }
    match ifindex_name(index) {
        Some(name) => {
            if x == super::XlatStyle::Verbose {
                out.push_str(" /* ");
            }
            out.push_str("if_nametoindex(\"");
            let opts = QuoteOpts {
                zero_terminated: true,
                omit_quotes: true,
                force_hex: false,
            };
            string_quote(out, &name, name.len(), opts, style.xflag);
            out.push_str("\")");
            if x == super::XlatStyle::Verbose {
                out.push_str(" */");
            }
        }
        None if x == super::XlatStyle::Abbrev => {
            let _ = write!(out, "{index}");
        }
        None => {}
    }
}

fn print_nl(out: &mut String, pad: u16, pid: u32, groups: u32) {
    if pad != 0 {
        let _ = write!(out, "nl_pad={pad:#x}, ");
    }
    let _ = write!(out, "nl_pid={}, nl_groups=", pid as i32);
    push_0x(out, groups.into(), 8);
}

/// C's `%#0*llx` with width `w`: zero-padded to `w` characters including the `0x`, and no
/// `0x` at all for zero (`00000000`, `0x000005`, `00`, `0x1`).
fn push_0x(out: &mut String, v: u64, w: usize) {
    if v == 0 {
        let _ = write!(out, "{:0w$}", 0, w = w);
    } else {
        let _ = write!(out, "{:#0w$x}", v, w = w);
    }
}

fn print_ll(out: &mut String, sa: &SockAddr, style: &Style) {
    let Family::Packet {
        protocol,
        ifindex,
        hatype,
        pkttype,
        halen,
        addr,
    } = sa.fam
    else {
        return;
    };
    // print_sll_protocol: the protocol's name is always abbreviated inside htons().
    x_field(out, "sll_protocol", &protocol.to_be_bytes(), |out| {
        out.push_str("htons(");
        let saved = super::global_opts();
        super::set_global_opts(super::GlobalOpts {
            xlat: super::XlatStyle::Abbrev,
            ..saved
        });
        print_xval(out, protocol.into(), &ETHERNET_PROTOCOLS);
        super::set_global_opts(saved);
        out.push(')');
    });
    out.push_str(", sll_ifindex=");
    print_ifindex(out, ifindex, style);
    out.push_str(", sll_hatype=");
    print_xval(out, hatype.into(), &ARP_HARDWARE_TYPES);
    out.push_str(", sll_pkttype=");
    print_xval(out, pkttype.into(), &AF_PACKET_TYPES);
    let _ = write!(out, ", sll_halen={halen}");
    if halen != 0 {
        out.push_str(", sll_addr=[");
        for i in 0..halen as usize {
            if i > 0 {
                out.push_str(", ");
            }
            // Past the address length: `...`.
            let Some(&v) = addr.get(i) else {
                out.push_str("...");
                break;
            };
            push_0x(out, v.into(), 2);
        }
        out.push(']');
    }
}

fn print_vsock(out: &mut String, sa: &SockAddr) {
    let Family::Vsock {
        reserved1,
        port,
        cid,
        flags,
        zero,
    } = sa.fam
    else {
        return;
    };
    if reserved1 != 0 {
        let _ = write!(out, "svm_reserved1={reserved1:#x}, ");
    }
    out.push_str("svm_cid=");
    print_xval_dflt(out, cid.into(), &VSOCK_CIDS, None);
    out.push_str(", svm_port=");
    print_xval_dflt(out, port.into(), &VSOCK_PORTS, None);
    out.push_str(", svm_flags=");
    print_flags(out, flags.into(), &VSOCK_FLAGS);
    if zero != [0; 3] {
        out.push_str(", svm_zero=");
        quote_bytes_hex(out, &zero);
    }
}

/// sizeof(struct sockaddr_ax25): family, 7-byte callsign, padding, int sax25_ndigis.
const AX25_LEN: usize = 16;
/// AX25_MAX_DIGIS: the digipeaters of struct full_sockaddr_ax25.
const AX25_MAX_DIGIS: usize = 8;
/// sizeof(ax25_address).
const AX25_CALL_LEN: usize = 7;
/// sizeof(struct sockaddr_rxrpc) (its transport union holds a sockaddr_in6).
const RXRPC_LEN: usize = 36;
/// sizeof(struct sockaddr_alg_new) (salg_name[] is a flexible array).
const ALG_LEN: usize = 24;
/// sizeof(struct sockaddr_nfc_llcp) on a 64-bit tracee.
const NFC_LLCP_LEN: usize = 96;

/// How strace 6.1 prints an ax25_address (`check_ax25_address`): the callsign alone when it
/// is a sane one, raw bytes plus a comment when it is odd but printable, raw bytes only when
/// it holds unprintable characters.
#[derive(PartialEq)]
enum Ax25Style {
    Abbrev,
    Verbose,
    Raw,
}

fn check_ax25(call: &[u8; AX25_CALL_LEN]) -> Ax25Style {
    let mut ret = Ax25Style::Abbrev;
    let mut space_seen = false;
    let mut char_seen = false;
    for &raw in &call[..AX25_CALL_LEN - 1] {
        if raw & 1 != 0 {
            ret = Ax25Style::Verbose;
        }
        let c = raw >> 1;
        if c == b' ' {
            space_seen = true;
        } else {
            char_seen = true;
        }
        if !c.is_ascii_digit() && !c.is_ascii_uppercase() && c != b' ' {
            ret = Ax25Style::Verbose;
        }
        if c != b' ' && space_seen {
            ret = Ax25Style::Verbose;
        }
        if !(b' '..=0x7e).contains(&c) || c == b'*' || c == b'/' {
            return Ax25Style::Raw;
        }
    }
    let last = call[AX25_CALL_LEN - 1];
    if last & !0x1e != 0 {
        ret = Ax25Style::Verbose;
    }
    if !char_seen && last != 0 {
        ret = Ax25Style::Verbose;
    }
    ret
}

/// strace's ax25_addr2str: `CALL-SSID`, `*` for an empty callsign with SSID 0.
fn ax25_addr2str(call: &[u8; AX25_CALL_LEN]) -> String {
    let mut end = AX25_CALL_LEN - 1;
    while end > 0 && (call[end - 1] >> 1) == b' ' {
        end -= 1;
    }
    let mut s: String = call[..end].iter().map(|&c| (c >> 1) as char).collect();
    let ssid = (call[AX25_CALL_LEN - 1] >> 1) & 0xf;
    let _ = write!(s, "-{ssid}");
    if s == "-0" {
        return "*".to_string();
    }
    s
}

/// strace's print_ax25_addr.
fn print_ax25_call(out: &mut String, call: &[u8; AX25_CALL_LEN]) {
    let st = check_ax25(call);
    if st != Ax25Style::Abbrev {
        out.push_str("{ax25_call=");
        quote_bytes_hex(out, call);
        out.push('}');
    }
    match st {
        Ax25Style::Raw => {}
        Ax25Style::Verbose => {
            out.push_str(" /* ");
            out.push_str(&ax25_addr2str(call));
            out.push_str(" */");
        }
        Ax25Style::Abbrev => out.push_str(&ax25_addr2str(call)),
    }
}

/// strace's print_sockaddr_data_ax25 (struct full_sockaddr_ax25). The digipeater array is
/// printed with print_local_array_ex, so `-s` caps the number of elements shown.
fn print_ax25(out: &mut String, b: &Buf, addrlen: usize, style: &Style) {
    let ndigis = b.u32le(12) as i32;
    let full = ndigis != 0 || addrlen > AX25_LEN;
    if full {
        out.push_str("fsa_ax25={");
    }
    out.push_str("sax25_call=");
    print_ax25_call(out, &b.array::<AX25_CALL_LEN>(2));
    let _ = write!(out, ", sax25_ndigis={ndigis}");
    if !full {
        return;
    }
    out.push('}');
    let has_digis = ((addrlen - AX25_LEN) / AX25_CALL_LEN).min(AX25_MAX_DIGIS);
    let want_digis = (ndigis.max(0) as usize).min(AX25_MAX_DIGIS);
    let digis = has_digis.min(want_digis);
    if want_digis != 0 {
        out.push_str(", fsa_digipeater=[");
        let truncated_flag = want_digis > has_digis;
        let mut cut = false;
        for i in 0..digis {
            if i > 0 {
                out.push_str(", ");
            }
            if i >= super::max_elems(style) {
                out.push_str("...");
                cut = true;
                break;
            }
            print_ax25_call(out, &b.array::<AX25_CALL_LEN>(AX25_LEN + i * AX25_CALL_LEN));
        }
        if truncated_flag && !cut {
            if digis > 0 {
                out.push_str(", ");
            }
            out.push_str("...");
        }
        out.push(']');
    }
    if addrlen > has_digis * AX25_CALL_LEN + AX25_LEN {
        out.push_str(", ...");
    }
}

/// strace's PRINT_FIELD_XVAL_VERBOSE: `0x2 /* NAME */`, `0x7 /* DFLT */`, or `0x7` when there
/// is no default comment.
fn print_xval_verbose(out: &mut String, v: u64, x: &Xlat) {
    push_c_hex(out, v);
    if super::global_opts().xlat == super::XlatStyle::Raw {
        return;
    }
    let comment = xlat_lookup(x, v).unwrap_or(x.unknown);
    if !comment.is_empty() {
        let _ = write!(out, " /* {comment} */");
    }
}

/// strace's PRINT_FIELD_FLAGS_VERBOSE: `0`, `0x1000 /* NAME */`,
/// `0x1003 /* NAME|0x3 */`, `0x3 /* DFLT */`.
fn print_flags_verbose(out: &mut String, v: u64, x: &Xlat) {
    push_c_hex(out, v);
    if v == 0 || super::global_opts().xlat == super::XlatStyle::Raw {
        return;
    }
    out.push_str(" /* ");
    let (names, rest) = flag_names(v, x);
    if names.is_empty() {
        out.push_str(x.unknown);
    } else {
        out.push_str(&names.join("|"));
        if rest != 0 {
            out.push('|');
            push_c_hex(out, rest);
        }
    }
    out.push_str(" */");
}

/// strace's print_sockaddr_data_rxrpc.
fn print_rxrpc(out: &mut String, b: &Buf, addrlen: usize, style: &Style) {
    out.push_str("srx_service=");
    print_xval_verbose(out, b.u16le(2).into(), &RXRPC_SERVICES);
    out.push_str(", transport_type=");
    print_xval(out, b.u16le(4).into(), &SOCKET_TYPES);
    let tlen_field = b.u16le(6) as usize;
    let _ = write!(out, ", transport_len={tlen_field}, transport={{");
    // The transport union starts at offset 8; strace's buffer is zero past addrlen.
    let tbytes = b.bytes(8, SOCKADDR_MAX - 8);
    let t = Buf { b: &tbytes };
    let transport_len = tlen_field.min(addrlen - 8);
    let rest = transport_len.saturating_sub(2);
    let family = t.u16le(0);
    let raw_rest = |out: &mut String| {
        if rest > 0 {
            out.push_str(", ");
            quote_bytes(out, &t.bytes(2, rest), style);
        }
    };
    match family {
        AF_INET => {
            out.push_str("sin={sin_family=");
            print_xval(out, family.into(), &ADDRESS_FAMILIES);
            if tlen_field >= 16 {
                out.push_str(", ");
                if let Family::Inet { port, addr } = SockAddr::parse(&tbytes).fam {
                    print_in(out, port, &addr, style);
                }
            } else {
                raw_rest(out);
            }
            out.push('}');
        }
        AF_INET6 => {
            out.push_str("sin6={sin6_family=");
            print_xval(out, family.into(), &ADDRESS_FAMILIES);
            if tlen_field >= SIN6_MIN_LEN {
                out.push_str(", ");
                print_in6(out, &SockAddr::parse(&tbytes), transport_len, style);
            } else {
                raw_rest(out);
            }
            out.push('}');
        }
        _ => {
            out.push_str("family=");
            print_xval(out, family.into(), &ADDRESS_FAMILIES);
            raw_rest(out);
        }
    }
    out.push('}');
}

/// strace's print_sockaddr_data_ieee802154 (struct sockaddr_ieee802154: int addr_type at 4,
/// pan_id at 8, hwaddr/short_addr at 10).
fn print_ieee802154(out: &mut String, b: &Buf) {
    let addr_type = b.u32le(4);
    out.push_str("addr={addr_type=");
    print_xval_verbose(out, addr_type.into(), &IEEE802154_ADDR_TYPES);
    out.push_str(", pan_id=");
    print_xval_verbose(out, b.u16le(8).into(), &IEEE802154_PAN_IDS);
    match addr_type {
        0 => {}
        2 => {
            out.push_str(", short_addr=");
            print_xval_verbose(out, b.u16le(10).into(), &IEEE802154_ADDRS);
        }
        _ => {
            out.push_str(", ");
            // print_hwaddr: -X raw the bytes quoted in hex, -X verbose both.
            let hw = b.array::<8>(10);
            x_field(out, "hwaddr", &hw, |out| {
                for (i, v) in hw.iter().enumerate() {
                    if i > 0 {
                        out.push(':');
                    }
                    let _ = write!(out, "{v:02x}");
                }
            });
        }
    }
    out.push('}');
}

/// strace's print_sockaddr_data_alg (struct sockaddr_alg_new).
fn print_alg(out: &mut String, b: &Buf, addrlen: usize, style: &Style) {
    out.push_str("salg_type=");
    quote_cstr_array(out, &b.bytes(2, 14), style);
    out.push_str(", salg_feat=");
    print_flags_verbose(out, b.u32le(16).into(), &ALG_SOCKADDR_FLAGS);
    out.push_str(", salg_mask=");
    print_flags_verbose(out, b.u32le(20).into(), &ALG_SOCKADDR_FLAGS);
    out.push_str(", salg_name=");
    quote_cstr_array(out, &b.bytes(ALG_LEN, addrlen - ALG_LEN), style);
}

/// strace's print_sockaddr_data_nfc (struct sockaddr_nfc, or sockaddr_nfc_llcp of a 64-bit
/// tracee when addrlen allows).
fn print_nfc(out: &mut String, b: &Buf, addrlen: usize, style: &Style) {
    out.push_str("dev_idx=");
    print_ifindex(out, b.u32le(4), style);
    out.push_str(", target_idx=");
    push_c_hex(out, b.u32le(8).into());
    out.push_str(", nfc_protocol=");
    print_xval(out, b.u32le(12).into(), &NFC_PROTOCOLS);
    if addrlen < NFC_LLCP_LEN {
        if addrlen > 16 {
            out.push_str(", ...");
        }
        return;
    }
    let snsz = u64::from(b.u32le(88)) | (u64::from(b.u32le(92)) << 32);
    out.push_str(", dsap=");
    print_xval_verbose(out, b.u8(16).into(), &NFC_SAPS);
    out.push_str(", ssap=");
    print_xval_verbose(out, b.u8(17).into(), &NFC_SAPS);
    out.push_str(", service_name=");
    quote_bytes(out, &b.bytes(18, snsz.min(63) as usize), style);
    let _ = write!(out, ", service_name_len={snsz}");
}

fn print_ipx(out: &mut String, b: &Buf) {
    print_net_port(out, "sipx_port", b.array::<2>(2));
    out.push_str(", sipx_network=htonl(");
    push_c_hex(out, b.u32be(4).into());
    out.push_str("), sipx_node=[");
    for i in 0..6 {
        if i > 0 {
            out.push_str(", ");
        }
        push_0x(out, b.u8(8 + i).into(), 2);
    }
    out.push_str("], sipx_type=");
    push_0x(out, b.u8(14).into(), 2);
    let zero = b.u8(15);
    if zero != 0 {
        let _ = write!(out, ", sipx_zero={zero:#x}");
    }
}

fn print_xdp(out: &mut String, b: &Buf, style: &Style) {
    let flags = b.u16le(2);
    out.push_str("sxdp_flags=");
    print_flags(out, flags.into(), &XDP_SOCKADDR_FLAGS);
    out.push_str(", sxdp_ifindex=");
    print_ifindex(out, b.u32le(4), style);
    let _ = write!(out, ", sxdp_queue_id={}", b.u32le(8));
    let fd = b.u32le(12);
    if flags & 1 != 0 {
        let _ = write!(out, ", sxdp_shared_umem_fd={}", fd as i32);
    } else if fd != 0 {
        let _ = write!(out, ", sxdp_shared_umem_fd={fd:#x}");
    }
}

fn print_mctp(out: &mut String, b: &Buf) {
    let pad0 = b.u16le(2);
    if pad0 != 0 {
        let _ = write!(out, "__smctp_pad0={pad0:#x}, ");
    }
    out.push_str("smctp_network=");
    print_xval_dflt(out, b.u32le(4).into(), &MCTP_NETS, None);
    out.push_str(", smctp_addr={s_addr=");
    print_xval_dflt(out, b.u8(8).into(), &MCTP_ADDRS, None);
    out.push_str("}, smctp_type=");
    push_c_hex(out, b.u8(9).into());
    out.push_str(", smctp_tag=");
    push_c_hex(out, b.u8(10).into());
    let pad1 = b.u8(11);
    if pad1 != 0 {
        let _ = write!(out, ", __smctp_pad1={pad1:#x}");
    }
}

/// glibc's inet_ntop(AF_INET).
pub fn ntop4(a: &[u8; 4]) -> String {
    ntop4_str(a, &mut [0; 15]).to_owned()
}

/// Each byte value's decimal digits (up to three, then zeros) and how many there are.
const DECIMAL: [([u8; 3], u8); 256] = {
    let mut t = [([0u8; 3], 0u8); 256];
    let mut i = 0;
    while i < 256 {
        let v = i as u8;
        t[i] = if v >= 100 {
            ([b'0' + v / 100, b'0' + v / 10 % 10, b'0' + v % 10], 3)
        } else if v >= 10 {
            ([b'0' + v / 10, b'0' + v % 10, 0], 2)
        } else {
            ([b'0' + v, 0, 0], 1)
        };
        i += 1;
    }
    t
};

/// inet_ntop(AF_INET) into `buf`, returning the length (no allocation, no formatter: every
/// IPv4 address of the render hot path goes through it). Each octet's digits come from a
/// table, three bytes copied at once (the next dot or octet overwrites the unused ones):
/// callgrind on examples/render_cost, about 34 fewer instructions per address than one branch
/// and division per digit (sendto: text 1,896 -> 1,863 per event, JSON 4,669 -> 4,601).
pub fn ntop4_buf(a: &[u8; 4], buf: &mut [u8; 15]) -> usize {
    let mut n = 0;
    for (i, &v) in a.iter().enumerate() {
        if i > 0 {
            buf[n] = b'.';
            n += 1;
        }
        // n <= 12 here (three octets of three digits and their dots before the last).
        let (digits, len) = DECIMAL[v as usize];
        buf[n..n + 3].copy_from_slice(&digits);
        n += len as usize;
    }
    n
}

/// glibc's inet_ntop(AF_INET6): the first longest run of two or more zero words becomes `::`;
/// `::a.b.c.d` when the first six words are zero and the seventh is not (`::1.2.3.4`, but `::1`,
/// `::2`), `::ffff:a.b.c.d` for v4-mapped addresses.
pub fn ntop6(a: &[u8; 16]) -> String {
    let w: Vec<u16> = (0..8)
        .map(|i| u16::from_be_bytes([a[2 * i], a[2 * i + 1]]))
        .collect();
    // Longest run of zero words, the first one on a tie.
    let (mut best_base, mut best_len) = (None::<usize>, 0usize);
    let mut cur: Option<(usize, usize)> = None;
    for (i, &word) in w.iter().enumerate() {
        if word == 0 {
            cur = Some(match cur {
                None => (i, 1),
                Some((b, l)) => (b, l + 1),
            });
        } else if let Some((b, l)) = cur.take()
            && (best_base.is_none() || l > best_len)
        {
            best_base = Some(b);
            best_len = l;
        }
    }
    if let Some((b, l)) = cur
        && (best_base.is_none() || l > best_len)
    {
        best_base = Some(b);
        best_len = l;
    }
    if best_len < 2 {
        best_base = None;
    }
    let mut s = String::new();
    let mut i = 0;
    while i < 8 {
        if let Some(b) = best_base
            && i >= b
            && i < b + best_len
        {
            if i == b {
                s.push(':');
            }
            i += 1;
            continue;
        }
        if i != 0 {
            s.push(':');
        }
        if i == 6 && best_base == Some(0) && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
            s.push_str(&ntop4(&[a[12], a[13], a[14], a[15]]));
            return s;
        }
        let _ = write!(s, "{:x}", w[i]);
        i += 1;
    }
    if let Some(b) = best_base
        && b + best_len == 8
    {
        s.push(':');
    }
    s
}

/// Tracee's SockAddr map: {"sa_family":"AF_INET","sin_port":"41001","sin_addr":"127.0.0.1"}.
///
/// All values are strings. `bytes` is the address as captured (its length the address length;
/// a field whose bytes are missing is left out). Keys:
/// * AF_UNIX: `sun_path` (up to the first NUL; an abstract name as `@name`; bytes that are not
///   UTF-8 replaced by U+FFFD).
/// * AF_INET: `sin_port`, `sin_addr`.
/// * AF_INET6: `sin6_port`, `sin6_flowinfo` (host order), `sin6_addr` (as inet_ntop writes it),
///   `sin6_scopeid`.
/// * AF_NETLINK: `nl_pid`, `nl_groups`. AF_PACKET: `sll_protocol` (number, host order),
///   `sll_ifindex`, `sll_hatype`, `sll_pkttype`, `sll_halen`, `sll_addr` (`00:11:22:..`).
///   AF_VSOCK: `svm_cid`, `svm_port`, `svm_flags`.
/// * Others: `sa_data`, the bytes after the family in lower-case hex.
///
/// `sa_family` is the AF_* name, or the decimal number for an unknown family. Fewer than two
/// bytes give an empty map.
pub fn sockaddr_json(bytes: &[u8]) -> serde_json::Value {
    serde_json::to_value(sockaddr_model(bytes)).unwrap_or_default()
}

/// The typed model of [`sockaddr_json`] (what the JSON renderer serializes).
pub fn sockaddr_model(bytes: &[u8]) -> SockAddrMap<'_> {
    if bytes.len() < 2 {
        return SockAddrMap::Empty {};
    }
    let sa = SockAddr::parse(bytes);
    let n = sa.len();
    let sa_family = Str(AfName(sa.family));
    let at = |min: usize| n >= min;
    match sa.fam {
        Family::Unix { .. } => SockAddrMap::Unix {
            sa_family,
            sun_path: sa
                .unix_name()
                .map(|(abstract_, name)| Str(UnixPath { abstract_, name })),
        },
        Family::Inet { port, addr } => SockAddrMap::Inet {
            sa_family,
            sin_addr: at(8).then(|| Str(std::net::Ipv4Addr::from(addr))),
            sin_port: at(4).then_some(Str(port)),
        },
        Family::Inet6 {
            port,
            flowinfo,
            addr,
            scope_id,
        } => SockAddrMap::Inet6 {
            sa_family,
            sin6_addr: at(24).then(|| ntop6(&addr)),
            sin6_flowinfo: at(8).then_some(Str(flowinfo)),
            sin6_port: at(4).then_some(Str(port)),
            sin6_scopeid: at(28).then_some(Str(scope_id)),
        },
        Family::Netlink { pid, groups, .. } => SockAddrMap::Netlink {
            nl_groups: at(12).then_some(Str(groups)),
            nl_pid: at(8).then_some(Str(pid)),
            sa_family,
        },
        Family::Packet {
            protocol,
            ifindex,
            hatype,
            pkttype,
            halen,
            addr,
        } => SockAddrMap::Packet {
            sa_family,
            sll_addr: at(12).then(|| Str(Mac(&addr[..addr.len().min(halen.into())]))),
            sll_halen: at(12).then_some(Str(halen)),
            sll_hatype: at(10).then_some(Str(hatype)),
            sll_ifindex: at(8).then_some(Str(ifindex)),
            sll_pkttype: at(11).then_some(Str(pkttype)),
            sll_protocol: at(4).then_some(Str(protocol)),
        },
        Family::Vsock {
            port, cid, flags, ..
        } => SockAddrMap::Vsock {
            sa_family,
            svm_cid: at(12).then_some(Str(cid)),
            svm_flags: at(13).then_some(Str(flags)),
            svm_port: at(8).then_some(Str(port)),
        },
        Family::Other => SockAddrMap::Other {
            sa_data: Hex(&sa.bytes[2..]),
            sa_family,
        },
    }
}

/// Test input for the AF_INET shortcuts (text and JSON): AF_INET addresses with ports and
/// address parts of every digit count, 18 bytes each (tests cut them at 15, 16 and 17).
#[cfg(test)]
pub(crate) fn inet_test_addrs() -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    for (i, port) in [0u16, 7, 53, 443, 8080, 40322, 65535]
        .into_iter()
        .enumerate()
    {
        for a in [
            [127, 0, 0, 1],
            [0, 0, 0, 0],
            [255, 255, 255, 255],
            [10, 99, 100, 9],
        ] {
            let mut b = vec![2, 0];
            b.extend_from_slice(&port.to_be_bytes());
            b.extend_from_slice(&a);
            b.extend_from_slice(&[i as u8; 10]);
            all.push(b);
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntop4_every_byte() {
        for v in 0..=255u8 {
            for a in [[v, 0, 255, v.wrapping_mul(7)], [v; 4], [0, v, 9, v]] {
                assert_eq!(ntop4(&a), format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]));
            }
        }
    }

    /// The AF_INET fast path against the general path: every -x and -X (the fast path declines
    /// what it does not cover), addresses and ports with 1-3 digit parts, and lengths around 16.
    #[test]
    fn inet_fast_path_equals_the_general_path() {
        let saved = crate::decode::global_opts();
        for xlat in [
            crate::decode::XlatStyle::Abbrev,
            crate::decode::XlatStyle::Raw,
            crate::decode::XlatStyle::Verbose,
        ] {
            crate::decode::set_global_opts(crate::decode::GlobalOpts { xlat, ..saved });
            for xflag in 0..=2u8 {
                let style = Style {
                    max_strlen: 4,
                    xflag,
                };
                for b in inet_test_addrs() {
                    for len in [15, 16, 17] {
                        let (mut fast, mut general) = (String::new(), String::new());
                        print_sockaddr(&mut fast, &b[..len], &style);
                        print_sockaddr_general(&mut general, &b[..len], &style);
                        assert_eq!(fast, general, "{xlat:?} -x{xflag} {len}");
                        // The shortcut is taken where it applies (else the comparison above
                        // would compare the general path with itself).
                        let applies = len == 16
                            && xflag != super::super::strfmt::HEXSTR_ALL
                            && xlat == crate::decode::XlatStyle::Abbrev;
                        let mut taken = String::new();
                        assert_eq!(
                            print_inet_fast(&mut taken, &b[..len], &style),
                            applies,
                            "{xlat:?} -x{xflag} {len}"
                        );
                        assert_eq!(taken.is_empty(), !applies);
                    }
                }
            }
        }
        crate::decode::set_global_opts(saved);
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    /// conformance/scenarios/families.c's patterned address: byte i = i * 7 + family, the
    /// family in the first two bytes; or zeros after the family.
    fn patterned(fam: u16, zero: bool) -> Vec<u8> {
        let mut v: Vec<u8> = (0..128u32)
            .map(|i| (i * 7 + u32::from(fam)) as u8)
            .collect();
        if zero {
            v[2..].fill(0);
        }
        v[..2].copy_from_slice(&fam.to_le_bytes());
        v
    }

    fn fam(fam: u16, zero: bool, addrlen: i64, style: Style) -> String {
        fmt(0x1000, Some(&patterned(fam, zero)), addrlen, style)
    }

    // Expected strings below are strace 6.1's output for the conformance corpus.

    #[test]
    fn ax25() {
        assert_eq!(
            fam(3, false, 16, st(32, 0)),
            r#"{sa_family=AF_AX25, fsa_ax25={sax25_call={ax25_call="\x11\x18\x1f\x26\x2d\x34\x3b"}, sax25_ndigis=1818582615}, fsa_digipeater=[...]}"#
        );
        assert_eq!(
            fam(3, true, 28, st(32, 0)),
            r#"{sa_family=AF_AX25, fsa_ax25={sax25_call={ax25_call="\x00\x00\x00\x00\x00\x00\x00"}, sax25_ndigis=0}, ...}"#
        );
        let long = fam(3, false, 110, st(32, 0));
        assert!(
            long.contains(r#"fsa_digipeater=[{ax25_call="\x73\x7a\x81\x88\x8f\x96\x9d"} /* 9=@DGK-14 */, {ax25_call="\xa4\xab\xb2\xb9\xc0\xc7\xce"} /* RUY\`c-7 */, {ax25_call="\xd5\xdc\xe3\xea\xf1\xf8\xff"} /* jnqux|-15 */, {ax25_call="\x06\x0d\x14\x1b\x22\x29\x30"}, {ax25_call="\x37\x3e\x45\x4c\x53\x5a\x61"}, {ax25_call="\x68\x6f\x76\x7d\x84\x8b\x92"} /* 47;>BE-9 */, {ax25_call="\x99\xa0\xa7\xae\xb5\xbc\xc3"} /* LPSWZ^-1 */"#),
            "{long}"
        );
        assert!(long.ends_with("], ...}"), "{long}");
        // A sane callsign prints alone.
        let mut call = [0u8; 7];
        for (c, n) in call.iter_mut().zip(b"N0CALL") {
            *c = n << 1;
        }
        call[6] = 3 << 1;
        assert_eq!(ax25_addr2str(&call), "N0CALL-3");
        assert!(check_ax25(&call) == Ax25Style::Abbrev);
    }

    #[test]
    fn rxrpc() {
        assert_eq!(
            fam(33, false, 110, st(32, 0)),
            r#"{sa_family=AF_RXRPC, srx_service=0x362f /* ???_SERVICE */, transport_type=0x443d /* SOCK_??? */, transport_len=21067, transport={family=0x6059 /* AF_??? */, "gnu|\203\212\221\230\237\246\255\264\273\302\311\320\327\336\345\354\363\372\1\10\17\26\35$+29@GNU\\cjqx\177\206\215\224\233\242\251\260\267\276\305\314\323\332\341\350\357\366\375\4\v\22\31 '.5<CJQX_fmt{\202\211\220\227\236\245\254\263\272\301\310\317\326\335\344\353\362\371\0\7\16\25\34"}}"#
        );
    }

    #[test]
    fn ieee802154() {
        assert_eq!(
            fam(36, false, 110, st(32, 0)),
            "{sa_family=AF_IEEE802154, addr={addr_type=0x554e4740 /* IEEE802154_ADDR_??? */, pan_id=0x635c, hwaddr=6a:71:78:7f:86:8d:94:9b}}"
        );
        assert_eq!(
            fam(36, true, 28, st(32, 2)),
            "{sa_family=AF_IEEE802154, addr={addr_type=0 /* IEEE802154_ADDR_NONE */, pan_id=0}}"
        );
    }

    #[test]
    fn alg() {
        assert_eq!(
            fam(38, true, 28, st(32, 0)),
            r#"{sa_family=AF_ALG, salg_type="", salg_feat=0, salg_mask=0, salg_name=""}"#
        );
        let s = fam(38, false, 110, st(32, 0));
        assert!(
            s.starts_with(r#"{sa_family=AF_ALG, salg_type="4;BIPW^elsz\201\210"..., salg_feat=0xaba49d96 /* CRYPTO_ALG_KERN_DRIVER_ONLY|0xaba48d96 */, salg_mask=0xc7c0b9b2 /* CRYPTO_ALG_KERN_DRIVER_ONLY|0xc7c0a9b2 */, salg_name="\316\325\334"#),
            "{s}"
        );
        assert!(s.ends_with(r#"\5\f\23\32"...}"#), "{s}");
    }

    #[test]
    fn nfc() {
        assert_eq!(
            fam(39, false, 16, st(32, 0)),
            "{sa_family=AF_NFC, dev_idx=1481722435, target_idx=0x746d665f, nfc_protocol=0x9089827b /* NFC_PROTO_??? */}"
        );
        assert_eq!(
            fam(39, true, 28, st(32, 0)),
            "{sa_family=AF_NFC, dev_idx=0, target_idx=0, nfc_protocol=0 /* NFC_PROTO_??? */, ...}"
        );
        assert_eq!(
            fam(39, false, 110, st(32, 1)),
            r#"{sa_family=AF_NFC, dev_idx=1481722435, target_idx=0x746d665f, nfc_protocol=0x9089827b /* NFC_PROTO_??? */, dsap=0x97, ssap=0x9e, service_name="\xa5\xac\xb3\xba\xc1\xc8\xcf\xd6\xdd\xe4\xeb\xf2\xf9\x00\x07\x0e\x15\x1c\x23\x2a\x31\x38\x3f\x46\x4d\x54\x5b\x62\x69\x70\x77\x7e\x85\x8c\x93\x9a\xa1\xa8\xaf\xb6\xbd\xc4\xcb\xd2\xd9\xe0\xe7\xee\xf5\xfc\x03\x0a\x11\x18\x1f\x26\x2d\x34\x3b\x42\x49\x50\x57", service_name_len=13887327376244577935}"#
        );
    }

    fn st(max_strlen: usize, xflag: u8) -> Style {
        Style { max_strlen, xflag }
    }

    fn fmt(addr: u64, bytes: Option<&[u8]>, addrlen: i64, style: Style) -> String {
        let mut s = String::new();
        format_sockaddr(&mut s, addr, bytes, addrlen, &style);
        s
    }

    enum Ptr {
        Buf,
        Null,
        Bad,
    }

    /// One `sendto(-1, NULL, 0, 0, ptr, addrlen)` of the reference program: `mem` was written
    /// at the start of a 256-byte buffer pre-filled with FILL; `exp`, `x`, `xx` are what strace
    /// 6.1 printed for the address (PTR standing for the buffer's address) without options,
    /// with -x and with -xx (None: same as without). -s 0, -s 5 and -s 300 printed the same as
    /// no option for every case.
    struct C {
        mem: &'static str,
        addrlen: i64,
        ptr: Ptr,
        exp: &'static str,
        x: Option<&'static str>,
        xx: Option<&'static str>,
    }

    /// The bytes after each case's own, in the reference program's buffer.
    const FILL: &str = "4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40";

    const BUF: u64 = 0x5594cc563060;

    const CASES: &[C] = &[
        C {
            mem: "0200a0297f0000010000000000000000",
            addrlen: 16,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET, sin_port=htons(41001), sin_addr=inet_addr("127.0.0.1")}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET, sin_port=htons(41001), sin_addr=inet_addr("\x31\x32\x37\x2e\x30\x2e\x30\x2e\x31")}"##,
            ),
        },
        C {
            mem: "020000500a0102036162636465666768",
            addrlen: 16,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("10.1.2.3")}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("\x31\x30\x2e\x31\x2e\x32\x2e\x33")}"##,
            ),
        },
        C {
            mem: "020000500a0102030000000000000000",
            addrlen: 15,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET, sa_data="\0P\n\1\2\3\0\0\0\0\0\0\0"}"##,
            x: Some(
                r##"{sa_family=AF_INET, sa_data="\x00\x50\x0a\x01\x02\x03\x00\x00\x00\x00\x00\x00\x00"}"##,
            ),
            xx: Some(
                r##"{sa_family=AF_INET, sa_data="\x00\x50\x0a\x01\x02\x03\x00\x00\x00\x00\x00\x00\x00"}"##,
            ),
        },
        C {
            mem: "020000500a0102030000000000000000",
            addrlen: 8,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET, sa_data="\0P\n\1\2\3"}"##,
            x: Some(r##"{sa_family=AF_INET, sa_data="\x00\x50\x0a\x01\x02\x03"}"##),
            xx: Some(r##"{sa_family=AF_INET, sa_data="\x00\x50\x0a\x01\x02\x03"}"##),
        },
        C {
            mem: "0200a0a00a0102030000000000000000",
            addrlen: 3,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET, sa_data="\240"}"##,
            x: Some(r##"{sa_family=AF_INET, sa_data="\xa0"}"##),
            xx: Some(r##"{sa_family=AF_INET, sa_data="\xa0"}"##),
        },
        C {
            mem: "020000500a0102030000000000000000",
            addrlen: 2,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "020000500a0102030000000000000000",
            addrlen: 1,
            ptr: Ptr::Buf,
            exp: r##"PTR"##,
            x: None,
            xx: None,
        },
        C {
            mem: "020000500a0102030000000000000000",
            addrlen: 0,
            ptr: Ptr::Buf,
            exp: r##"PTR"##,
            x: None,
            xx: None,
        },
        C {
            mem: "020000500a0102030000000000000000",
            addrlen: -1,
            ptr: Ptr::Buf,
            exp: r##"PTR"##,
            x: None,
            xx: None,
        },
        C {
            mem: "020000500a0102030000000000000000",
            addrlen: -100,
            ptr: Ptr::Buf,
            exp: r##"PTR"##,
            x: None,
            xx: None,
        },
        C {
            mem: "020000500a0102030000000000000000",
            addrlen: 200,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("10.1.2.3")}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("\x31\x30\x2e\x31\x2e\x32\x2e\x33")}"##,
            ),
        },
        C {
            mem: "020000500a0102030000000000000000",
            addrlen: 128,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("10.1.2.3")}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("\x31\x30\x2e\x31\x2e\x32\x2e\x33")}"##,
            ),
        },
        C {
            mem: "020000500a0102030000000000000000",
            addrlen: 16,
            ptr: Ptr::Null,
            exp: r##"NULL"##,
            x: None,
            xx: None,
        },
        C {
            mem: "020000500a0102030000000000000000",
            addrlen: 0,
            ptr: Ptr::Null,
            exp: r##"NULL"##,
            x: None,
            xx: None,
        },
        C {
            mem: "020000500a0102030000000000000000",
            addrlen: 16,
            ptr: Ptr::Bad,
            exp: r##"0x10"##,
            x: None,
            xx: None,
        },
        C {
            mem: "020000500a0102030000000000000000",
            addrlen: 1,
            ptr: Ptr::Bad,
            exp: r##"0x10"##,
            x: None,
            xx: None,
        },
        C {
            mem: "0a0001bb000000000000000000000000000000000000000100000000",
            addrlen: 28,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "\x3a\x3a\x31", &sin6_addr), sin6_scope_id=0}"##,
            ),
        },
        C {
            mem: "0a0001bb000000000000000000000000000000000000000100000000",
            addrlen: 24,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr)}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "\x3a\x3a\x31", &sin6_addr)}"##,
            ),
        },
        C {
            mem: "0a0001bb000000000000000000000000000000000000000100000000",
            addrlen: 23,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sa_data="\1\273\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"}"##,
            x: Some(
                r##"{sa_family=AF_INET6, sa_data="\x01\xbb\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"}"##,
            ),
            xx: Some(
                r##"{sa_family=AF_INET6, sa_data="\x01\xbb\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"}"##,
            ),
        },
        C {
            mem: "0a0001bb000000000000000000000000000000000000000107000000",
            addrlen: 26,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=7}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "\x3a\x3a\x31", &sin6_addr), sin6_scope_id=7}"##,
            ),
        },
        C {
            mem: "0a0001bb000000000000000000000000000000000000000107000000",
            addrlen: 128,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=7}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "\x3a\x3a\x31", &sin6_addr), sin6_scope_id=7}"##,
            ),
        },
        C {
            mem: "0a0001bb00000000fe80000000000000000000000000000101000000",
            addrlen: 28,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "fe80::1", &sin6_addr), sin6_scope_id=if_nametoindex("lo")}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "\x66\x65\x38\x30\x3a\x3a\x31", &sin6_addr), sin6_scope_id=if_nametoindex("\x6c\x6f")}"##,
            ),
        },
        C {
            mem: "0a0001bb00000000fe80000000000000000000000000000102000000",
            addrlen: 28,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "fe80::1", &sin6_addr), sin6_scope_id=if_nametoindex("ifb0")}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "\x66\x65\x38\x30\x3a\x3a\x31", &sin6_addr), sin6_scope_id=if_nametoindex("\x69\x66\x62\x30")}"##,
            ),
        },
        C {
            mem: "0a0001bb00000000fe80000000000000000000000000000163000000",
            addrlen: 28,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "fe80::1", &sin6_addr), sin6_scope_id=99}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "\x66\x65\x38\x30\x3a\x3a\x31", &sin6_addr), sin6_scope_id=99}"##,
            ),
        },
        C {
            mem: "0a0001bb00000000ff02000000000000000000000000000101000000",
            addrlen: 28,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "ff02::1", &sin6_addr), sin6_scope_id=if_nametoindex("lo")}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "\x66\x66\x30\x32\x3a\x3a\x31", &sin6_addr), sin6_scope_id=if_nametoindex("\x6c\x6f")}"##,
            ),
        },
        C {
            mem: "0a0001bb0000000020010db800000000000000000000000101000000",
            addrlen: 28,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=1}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "\x32\x30\x30\x31\x3a\x64\x62\x38\x3a\x3a\x31", &sin6_addr), sin6_scope_id=1}"##,
            ),
        },
        C {
            mem: "0a0001bb0001234500000000000000000000ffff0102030400000000",
            addrlen: 28,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(74565), inet_pton(AF_INET6, "::ffff:1.2.3.4", &sin6_addr), sin6_scope_id=0}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(74565), inet_pton(AF_INET6, "\x3a\x3a\x66\x66\x66\x66\x3a\x31\x2e\x32\x2e\x33\x2e\x34", &sin6_addr), sin6_scope_id=0}"##,
            ),
        },
        C {
            mem: "0a0001bb000000000000000000000000000000000102030400000000",
            addrlen: 28,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1.2.3.4", &sin6_addr), sin6_scope_id=0}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "\x3a\x3a\x31\x2e\x32\x2e\x33\x2e\x34", &sin6_addr), sin6_scope_id=0}"##,
            ),
        },
        C {
            mem: "0a0001bb000000000001000000010000000000010000000000000000",
            addrlen: 28,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "1:0:1::1:0:0", &sin6_addr), sin6_scope_id=0}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "\x31\x3a\x30\x3a\x31\x3a\x3a\x31\x3a\x30\x3a\x30", &sin6_addr), sin6_scope_id=0}"##,
            ),
        },
        C {
            mem: "0a0001bb000000000001000000000001000000000001000100000000",
            addrlen: 28,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "1::1:0:0:1:1", &sin6_addr), sin6_scope_id=0}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "\x31\x3a\x3a\x31\x3a\x30\x3a\x30\x3a\x31\x3a\x31", &sin6_addr), sin6_scope_id=0}"##,
            ),
        },
        C {
            mem: "0a000000000000000000000000000000000000000000000000000000",
            addrlen: 28,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET6, sin6_port=htons(0), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::", &sin6_addr), sin6_scope_id=0}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET6, sin6_port=htons(0), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "\x3a\x3a", &sin6_addr), sin6_scope_id=0}"##,
            ),
        },
        C {
            mem: "01002f746d702f736f636b00",
            addrlen: 12,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path="/tmp/sock"}"##,
            x: None,
            xx: Some(r##"{sa_family=AF_UNIX, sun_path="\x2f\x74\x6d\x70\x2f\x73\x6f\x63\x6b"}"##),
        },
        C {
            mem: "01002f746d702f736f636b",
            addrlen: 11,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path="/tmp/sock"}"##,
            x: None,
            xx: Some(r##"{sa_family=AF_UNIX, sun_path="\x2f\x74\x6d\x70\x2f\x73\x6f\x63\x6b"}"##),
        },
        C {
            mem: "01002f746d702f736f636b006a756e6b",
            addrlen: 16,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path="/tmp/sock"}"##,
            x: None,
            xx: Some(r##"{sa_family=AF_UNIX, sun_path="\x2f\x74\x6d\x70\x2f\x73\x6f\x63\x6b"}"##),
        },
        C {
            mem: "01002f746d702f730a6f636b018000",
            addrlen: 15,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path="/tmp/s\nock\1\200"}"##,
            x: Some(
                r##"{sa_family=AF_UNIX, sun_path="\x2f\x74\x6d\x70\x2f\x73\x0a\x6f\x63\x6b\x01\x80"}"##,
            ),
            xx: Some(
                r##"{sa_family=AF_UNIX, sun_path="\x2f\x74\x6d\x70\x2f\x73\x0a\x6f\x63\x6b\x01\x80"}"##,
            ),
        },
        C {
            mem: "0100707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070",
            addrlen: 110,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path="pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_UNIX, sun_path="\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70\x70"}"##,
            ),
        },
        C {
            mem: "0100717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171717171",
            addrlen: 110,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path="qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_UNIX, sun_path="\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71"}"##,
            ),
        },
        C {
            mem: "0100727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272727272",
            addrlen: 128,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path="rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_UNIX, sun_path="\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72\x72"}"##,
            ),
        },
        C {
            mem: "0100737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373000000000000000000000000000000000000",
            addrlen: 128,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path="ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss"}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_UNIX, sun_path="\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73\x73"}"##,
            ),
        },
        C {
            mem: "0100006162737472616374",
            addrlen: 11,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path=@"abstract"}"##,
            x: None,
            xx: Some(r##"{sa_family=AF_UNIX, sun_path=@"\x61\x62\x73\x74\x72\x61\x63\x74"}"##),
        },
        C {
            mem: "0100006162006301",
            addrlen: 8,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path=@"ab\0c\1"}"##,
            x: Some(r##"{sa_family=AF_UNIX, sun_path=@"\x61\x62\x00\x63\x01"}"##),
            xx: Some(r##"{sa_family=AF_UNIX, sun_path=@"\x61\x62\x00\x63\x01"}"##),
        },
        C {
            mem: "010000",
            addrlen: 3,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path=@""}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "0100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            addrlen: 110,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path=@"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"}"##,
            x: Some(
                r##"{sa_family=AF_UNIX, sun_path=@"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"}"##,
            ),
            xx: Some(
                r##"{sa_family=AF_UNIX, sun_path=@"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"}"##,
            ),
        },
        C {
            mem: "0100",
            addrlen: 2,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "010078",
            addrlen: 3,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path="x"}"##,
            x: None,
            xx: Some(r##"{sa_family=AF_UNIX, sun_path="\x78"}"##),
        },
        C {
            mem: "01002f7800",
            addrlen: 20,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNIX, sun_path="/x"}"##,
            x: None,
            xx: Some(r##"{sa_family=AF_UNIX, sun_path="\x2f\x78"}"##),
        },
        C {
            mem: "100000000000000000000000",
            addrlen: 12,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "10000000d204000005000000",
            addrlen: 12,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_NETLINK, nl_pid=1234, nl_groups=0x000005}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "10000700d2040000ffffffff",
            addrlen: 12,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_NETLINK, nl_pad=0x7, nl_pid=1234, nl_groups=0xffffffff}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "10000000d204000005000000",
            addrlen: 11,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_NETLINK, sa_data="\0\0\322\4\0\0\5\0\0"}"##,
            x: Some(r##"{sa_family=AF_NETLINK, sa_data="\x00\x00\xd2\x04\x00\x00\x05\x00\x00"}"##),
            xx: Some(r##"{sa_family=AF_NETLINK, sa_data="\x00\x00\xd2\x04\x00\x00\x05\x00\x00"}"##),
        },
        C {
            mem: "1100080001000000010000060011223344550000",
            addrlen: 20,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_PACKET, sll_protocol=htons(ETH_P_IP), sll_ifindex=if_nametoindex("lo"), sll_hatype=ARPHRD_ETHER, sll_pkttype=PACKET_HOST, sll_halen=6, sll_addr=[00, 0x11, 0x22, 0x33, 0x44, 0x55]}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_PACKET, sll_protocol=htons(ETH_P_IP), sll_ifindex=if_nametoindex("\x6c\x6f"), sll_hatype=ARPHRD_ETHER, sll_pkttype=PACKET_HOST, sll_halen=6, sll_addr=[00, 0x11, 0x22, 0x33, 0x44, 0x55]}"##,
            ),
        },
        C {
            mem: "110086dd02000000040304000000000000000000",
            addrlen: 20,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_PACKET, sll_protocol=htons(ETH_P_IPV6), sll_ifindex=if_nametoindex("ifb0"), sll_hatype=ARPHRD_LOOPBACK, sll_pkttype=PACKET_OUTGOING, sll_halen=0}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_PACKET, sll_protocol=htons(ETH_P_IPV6), sll_ifindex=if_nametoindex("\x69\x66\x62\x30"), sll_hatype=ARPHRD_LOOPBACK, sll_pkttype=PACKET_OUTGOING, sll_halen=0}"##,
            ),
        },
        C {
            mem: "1100000363000000f0ff090a0102030405060708090a",
            addrlen: 22,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_PACKET, sll_protocol=htons(ETH_P_ALL), sll_ifindex=99, sll_hatype=0xfff0 /* ARPHRD_??? */, sll_pkttype=0x9 /* PACKET_??? */, sll_halen=10, sll_addr=[0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x9, 0xa]}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "1100000363000000f0ff090a0102030405060708090a",
            addrlen: 128,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_PACKET, sll_protocol=htons(ETH_P_ALL), sll_ifindex=99, sll_hatype=0xfff0 /* ARPHRD_??? */, sll_pkttype=0x9 /* PACKET_??? */, sll_halen=10, sll_addr=[0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x9, 0xa]}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "1100341201000000010000060011223344550000",
            addrlen: 19,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_PACKET, sa_data="4\22\1\0\0\0\1\0\0\6\0\21\"3DU\0"}"##,
            x: Some(
                r##"{sa_family=AF_PACKET, sa_data="\x34\x12\x01\x00\x00\x00\x01\x00\x00\x06\x00\x11\x22\x33\x44\x55\x00"}"##,
            ),
            xx: Some(
                r##"{sa_family=AF_PACKET, sa_data="\x34\x12\x01\x00\x00\x00\x01\x00\x00\x06\x00\x11\x22\x33\x44\x55\x00"}"##,
            ),
        },
        C {
            mem: "28000000d2040000020000000000000000000000",
            addrlen: 20,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_VSOCK, svm_cid=VMADDR_CID_HOST, svm_port=0x4d2, svm_flags=0}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "28000000ffffffffffffffff0000000000000000",
            addrlen: 20,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_VSOCK, svm_cid=VMADDR_CID_ANY, svm_port=VMADDR_PORT_ANY, svm_flags=0}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "28000500030000000300000001000000",
            addrlen: 16,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_VSOCK, svm_reserved1=0x5, svm_cid=0x3, svm_port=0x3, svm_flags=VMADDR_FLAG_TO_HOST}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "28000000030000000700000003010000",
            addrlen: 16,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_VSOCK, svm_cid=0x7, svm_port=0x3, svm_flags=VMADDR_FLAG_TO_HOST|0x2, svm_zero="\x01\x00\x00"}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "28000000d2040000020000000000000000000000",
            addrlen: 15,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_VSOCK, sa_data="\0\0\322\4\0\0\2\0\0\0\0\0\0"}"##,
            x: Some(
                r##"{sa_family=AF_VSOCK, sa_data="\x00\x00\xd2\x04\x00\x00\x02\x00\x00\x00\x00\x00\x00"}"##,
            ),
            xx: Some(
                r##"{sa_family=AF_VSOCK, sa_data="\x00\x00\xd2\x04\x00\x00\x02\x00\x00\x00\x00\x00\x00"}"##,
            ),
        },
        C {
            mem: "2e0068656c6c6f0001",
            addrlen: 9,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=0x2e /* AF_??? */, sa_data="hello\0\1"}"##,
            x: Some(r##"{sa_family=0x2e /* AF_??? */, sa_data="\x68\x65\x6c\x6c\x6f\x00\x01"}"##),
            xx: Some(r##"{sa_family=0x2e /* AF_??? */, sa_data="\x68\x65\x6c\x6c\x6f\x00\x01"}"##),
        },
        C {
            mem: "0000000102616263",
            addrlen: 8,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_UNSPEC, sa_data="\0\1\2abc"}"##,
            x: Some(r##"{sa_family=AF_UNSPEC, sa_data="\x00\x01\x02\x61\x62\x63"}"##),
            xx: Some(r##"{sa_family=AF_UNSPEC, sa_data="\x00\x01\x02\x61\x62\x63"}"##),
        },
        C {
            mem: "ffff616263",
            addrlen: 5,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=0xffff /* AF_??? */, sa_data="abc"}"##,
            x: None,
            xx: Some(r##"{sa_family=0xffff /* AF_??? */, sa_data="\x61\x62\x63"}"##),
        },
        C {
            mem: "0500a0",
            addrlen: 3,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_APPLETALK, sa_data="\240"}"##,
            x: Some(r##"{sa_family=AF_APPLETALK, sa_data="\xa0"}"##),
            xx: Some(r##"{sa_family=AF_APPLETALK, sa_data="\xa0"}"##),
        },
        C {
            mem: "0200a0",
            addrlen: 3,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET, sa_data="\240"}"##,
            x: Some(r##"{sa_family=AF_INET, sa_data="\xa0"}"##),
            xx: Some(r##"{sa_family=AF_INET, sa_data="\xa0"}"##),
        },
        C {
            mem: "020061616161616161616161616161616161616161616161616161616161616161616161616161616161",
            addrlen: 42,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_INET, sin_port=htons(24929), sin_addr=inet_addr("97.97.97.97")}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_INET, sin_port=htons(24929), sin_addr=inet_addr("\x39\x37\x2e\x39\x37\x2e\x39\x37\x2e\x39\x37")}"##,
            ),
        },
        // A second run of the reference program: other families, sll_addr overruns.
        C {
            mem: "1100123401000000010000060011223344550000",
            addrlen: 20,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_PACKET, sll_protocol=htons(0x1234 /* ETH_P_??? */), sll_ifindex=if_nametoindex("lo"), sll_hatype=ARPHRD_ETHER, sll_pkttype=PACKET_HOST, sll_halen=6, sll_addr=[00, 0x11, 0x22, 0x33, 0x44, 0x55]}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_PACKET, sll_protocol=htons(0x1234 /* ETH_P_??? */), sll_ifindex=if_nametoindex("\x6c\x6f"), sll_hatype=ARPHRD_ETHER, sll_pkttype=PACKET_HOST, sll_halen=6, sll_addr=[00, 0x11, 0x22, 0x33, 0x44, 0x55]}"##,
            ),
        },
        C {
            mem: "11000800000000000100000c0102030405060708",
            addrlen: 20,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_PACKET, sll_protocol=htons(ETH_P_IP), sll_ifindex=0, sll_hatype=ARPHRD_ETHER, sll_pkttype=PACKET_HOST, sll_halen=12, sll_addr=[0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, ...]}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "1100080000000000010000090102030405060708",
            addrlen: 21,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_PACKET, sll_protocol=htons(ETH_P_IP), sll_ifindex=0, sll_hatype=ARPHRD_ETHER, sll_pkttype=PACKET_HOST, sll_halen=9, sll_addr=[0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x55]}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "1100080000000000010000ff0102030405060708",
            addrlen: 128,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_PACKET, sll_protocol=htons(ETH_P_IP), sll_ifindex=0, sll_hatype=ARPHRD_ETHER, sll_pkttype=PACKET_HOST, sll_halen=255, sll_addr=[0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0, ...]}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "040004d2deadbeef0001020aff100000",
            addrlen: 16,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_IPX, sipx_port=htons(1234), sipx_network=htonl(0xdeadbeef), sipx_node=[00, 0x1, 0x2, 0xa, 0xff, 0x10], sipx_type=00}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "04000000000000000000000000000407",
            addrlen: 16,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_IPX, sipx_port=htons(0), sipx_network=htonl(0), sipx_node=[00, 00, 00, 00, 00, 00], sipx_type=0x4, sipx_zero=0x7}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "04000001000000010000000000000407",
            addrlen: 15,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_IPX, sa_data="\0\1\0\0\0\1\0\0\0\0\0\0\4"}"##,
            x: Some(
                r##"{sa_family=AF_IPX, sa_data="\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04"}"##,
            ),
            xx: Some(
                r##"{sa_family=AF_IPX, sa_data="\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04"}"##,
            ),
        },
        C {
            mem: "090031323334350000000000000000000000",
            addrlen: 18,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_X25, sx25_addr={x25_addr="12345"}}"##,
            x: None,
            xx: Some(r##"{sa_family=AF_X25, sx25_addr={x25_addr="\x31\x32\x33\x34\x35"}}"##),
        },
        C {
            mem: "090030313233343536373839616263646566",
            addrlen: 18,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_X25, sx25_addr={x25_addr="0123456789abcde"...}}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_X25, sx25_addr={x25_addr="\x30\x31\x32\x33\x34\x35\x36\x37\x38\x39\x61\x62\x63\x64\x65"...}}"##,
            ),
        },
        C {
            mem: "090030313233343536373839616263646500",
            addrlen: 18,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_X25, sx25_addr={x25_addr="0123456789abcde"}}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_X25, sx25_addr={x25_addr="\x30\x31\x32\x33\x34\x35\x36\x37\x38\x39\x61\x62\x63\x64\x65"}}"##,
            ),
        },
        C {
            mem: "090030313233343536373839616263646566",
            addrlen: 17,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_X25, sa_data="0123456789abcde"}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_X25, sa_data="\x30\x31\x32\x33\x34\x35\x36\x37\x38\x39\x61\x62\x63\x64\x65"}"##,
            ),
        },
        C {
            mem: "090030313233343536373839616263646566",
            addrlen: 40,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_X25, sx25_addr={x25_addr="0123456789abcde"...}}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_X25, sx25_addr={x25_addr="\x30\x31\x32\x33\x34\x35\x36\x37\x38\x39\x61\x62\x63\x64\x65"...}}"##,
            ),
        },
        C {
            mem: "2a000000fffffffffeffffff",
            addrlen: 12,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_QIPCRTR, sq_node=QRTR_NODE_BCAST, sq_port=QRTR_PORT_CTRL}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "2a0000000500000007000000",
            addrlen: 12,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_QIPCRTR, sq_node=0x5, sq_port=0x7}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "2a0000000500000007000000",
            addrlen: 11,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_QIPCRTR, sa_data="\0\0\5\0\0\0\7\0\0"}"##,
            x: Some(r##"{sa_family=AF_QIPCRTR, sa_data="\x00\x00\x05\x00\x00\x00\x07\x00\x00"}"##),
            xx: Some(r##"{sa_family=AF_QIPCRTR, sa_data="\x00\x00\x05\x00\x00\x00\x07\x00\x00"}"##),
        },
        C {
            mem: "2c000000010000000300000000000000",
            addrlen: 16,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_XDP, sxdp_flags=0, sxdp_ifindex=if_nametoindex("lo"), sxdp_queue_id=3}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_XDP, sxdp_flags=0, sxdp_ifindex=if_nametoindex("\x6c\x6f"), sxdp_queue_id=3}"##,
            ),
        },
        C {
            mem: "2c000100010000000300000005000000",
            addrlen: 16,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_XDP, sxdp_flags=XDP_SHARED_UMEM, sxdp_ifindex=if_nametoindex("lo"), sxdp_queue_id=3, sxdp_shared_umem_fd=5}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_XDP, sxdp_flags=XDP_SHARED_UMEM, sxdp_ifindex=if_nametoindex("\x6c\x6f"), sxdp_queue_id=3, sxdp_shared_umem_fd=5}"##,
            ),
        },
        C {
            mem: "2c001600630000000300000005000000",
            addrlen: 16,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_XDP, sxdp_flags=XDP_COPY|XDP_ZEROCOPY|0x10, sxdp_ifindex=99, sxdp_queue_id=3, sxdp_shared_umem_fd=0x5}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "2c0010000200000003000000ffffffff",
            addrlen: 16,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_XDP, sxdp_flags=0x10 /* XDP_??? */, sxdp_ifindex=if_nametoindex("ifb0"), sxdp_queue_id=3, sxdp_shared_umem_fd=0xffffffff}"##,
            x: None,
            xx: Some(
                r##"{sa_family=AF_XDP, sxdp_flags=0x10 /* XDP_??? */, sxdp_ifindex=if_nametoindex("\x69\x66\x62\x30"), sxdp_queue_id=3, sxdp_shared_umem_fd=0xffffffff}"##,
            ),
        },
        C {
            mem: "2d0000000000000000000000",
            addrlen: 12,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_MCTP, smctp_network=MCTP_NET_ANY, smctp_addr={s_addr=MCTP_ADDR_NULL}, smctp_type=0, smctp_tag=0}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "2d00030005000000ff010809",
            addrlen: 12,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_MCTP, __smctp_pad0=0x3, smctp_network=0x5, smctp_addr={s_addr=MCTP_ADDR_ANY}, smctp_type=0x1, smctp_tag=0x8, __smctp_pad1=0x9}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "2d00000000000000127f0000",
            addrlen: 12,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_MCTP, smctp_network=MCTP_NET_ANY, smctp_addr={s_addr=0x12}, smctp_type=0x7f, smctp_tag=0}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "030000000500000007000000",
            addrlen: 12,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_AX25, sa_data="\0\0\5\0\0\0\7\0\0\0"}"##,
            x: Some(r##"{sa_family=AF_AX25, sa_data="\x00\x00\x05\x00\x00\x00\x07\x00\x00\x00"}"##),
            xx: Some(
                r##"{sa_family=AF_AX25, sa_data="\x00\x00\x05\x00\x00\x00\x07\x00\x00\x00"}"##,
            ),
        },
        C {
            mem: "260000000500000007000000",
            addrlen: 12,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_ALG, sa_data="\0\0\5\0\0\0\7\0\0\0"}"##,
            x: Some(r##"{sa_family=AF_ALG, sa_data="\x00\x00\x05\x00\x00\x00\x07\x00\x00\x00"}"##),
            xx: Some(r##"{sa_family=AF_ALG, sa_data="\x00\x00\x05\x00\x00\x00\x07\x00\x00\x00"}"##),
        },
        C {
            mem: "28000000d2040000020000000000000000000000",
            addrlen: 128,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_VSOCK, svm_cid=VMADDR_CID_HOST, svm_port=0x4d2, svm_flags=0}"##,
            x: None,
            xx: None,
        },
        C {
            mem: "10000000ffffffff00000080",
            addrlen: 12,
            ptr: Ptr::Buf,
            exp: r##"{sa_family=AF_NETLINK, nl_pid=-1, nl_groups=0x80000000}"##,
            x: None,
            xx: None,
        },
    ];

    #[test]
    fn format_sockaddr_matches_strace() {
        let fill = unhex(FILL);
        for (i, c) in CASES.iter().enumerate() {
            let mut mem = fill.clone();
            let own = unhex(c.mem);
            mem[..own.len()].copy_from_slice(&own);
            let (addr, readable) = match c.ptr {
                Ptr::Buf => (BUF, true),
                Ptr::Null => (0, false),
                Ptr::Bad => (0x10, false),
            };
            // Interface names are this machine's: ifindex 2 was "ifb0" and 99 unused there.
            let machine_dependent = (c.exp.contains("ifb0")
                && ifindex_name(2).as_deref() != Some(&b"ifb0"[..]))
                || (c.exp.contains("=99") && ifindex_name(99).is_some())
                || (c.exp.contains("\"lo\"") && ifindex_name(1).as_deref() != Some(&b"lo"[..]));
            if machine_dependent {
                continue;
            }
            let captured = c.addrlen.clamp(0, 128) as usize;
            for (style, exp) in [
                (st(32, 0), Some(c.exp)),
                (st(0, 0), Some(c.exp)),
                (st(300, 0), Some(c.exp)),
                (st(32, 1), c.x.or(Some(c.exp))),
                (st(5, 1), c.x.or(Some(c.exp))),
                (st(32, 2), c.xx.or(Some(c.exp))),
            ] {
                let exp = exp.unwrap().replace("PTR", &format!("{BUF:#x}"));
                let bytes = readable.then(|| &mem[..captured]);
                assert_eq!(
                    fmt(addr, bytes, c.addrlen, style),
                    exp,
                    "case {i} {style:?}"
                );
                // Bytes past what the kernel side captures change nothing.
                let bytes = readable.then(|| &mem[..]);
                assert_eq!(
                    fmt(addr, bytes, c.addrlen, style),
                    exp,
                    "case {i} {style:?} (all)"
                );
            }
        }
    }

    fn json(bytes: &[u8]) -> String {
        sockaddr_json(bytes).to_string()
    }

    #[test]
    fn json_maps() {
        let sin = unhex("0200a0297f0000010000000000000000");
        assert_eq!(
            json(&sin),
            r#"{"sa_family":"AF_INET","sin_addr":"127.0.0.1","sin_port":"41001"}"#
        );
        // sin6: port 443, flowinfo 0x12345, ::ffff:1.2.3.4, scope 7.
        let mut sin6 = unhex("0a0001bb00012345");
        sin6.extend(unhex("00000000000000000000ffff01020304"));
        sin6.extend(7u32.to_le_bytes());
        assert_eq!(
            json(&sin6),
            r#"{"sa_family":"AF_INET6","sin6_addr":"::ffff:1.2.3.4","sin6_flowinfo":"74565","sin6_port":"443","sin6_scopeid":"7"}"#
        );
        // Without the scope id (addrlen 24).
        assert_eq!(
            json(&sin6[..24]),
            r#"{"sa_family":"AF_INET6","sin6_addr":"::ffff:1.2.3.4","sin6_flowinfo":"74565","sin6_port":"443"}"#
        );
        let mut un = vec![1, 0];
        un.extend(b"/tmp/sock\0junk");
        assert_eq!(
            json(&un),
            r#"{"sa_family":"AF_UNIX","sun_path":"/tmp/sock"}"#
        );
        let mut abs = vec![1, 0, 0];
        abs.extend(b"name");
        assert_eq!(json(&abs), r#"{"sa_family":"AF_UNIX","sun_path":"@name"}"#);
        assert_eq!(json(&[1, 0]), r#"{"sa_family":"AF_UNIX","sun_path":""}"#);
        assert_eq!(
            json(&unhex("100000002a0000000500000000")),
            r#"{"nl_groups":"5","nl_pid":"42","sa_family":"AF_NETLINK"}"#
        );
        assert_eq!(
            json(&unhex("11000800010000000100000600112233445500000000")),
            r#"{"sa_family":"AF_PACKET","sll_addr":"00:11:22:33:44:55","sll_halen":"6","sll_hatype":"1","sll_ifindex":"1","sll_pkttype":"0","sll_protocol":"2048"}"#
        );
        assert_eq!(
            json(&unhex("28000000d20400000200000000000000")),
            r#"{"sa_family":"AF_VSOCK","svm_cid":"2","svm_flags":"0","svm_port":"1234"}"#
        );
        assert_eq!(
            json(&unhex("2e0068690001")),
            r#"{"sa_data":"68690001","sa_family":"46"}"#
        );
        assert_eq!(
            json(&unhex("0500a0")),
            r#"{"sa_data":"a0","sa_family":"AF_APPLETALK"}"#
        );
        // Truncated: only the fields that are there.
        assert_eq!(
            json(&unhex("0200a029")),
            r#"{"sa_family":"AF_INET","sin_port":"41001"}"#
        );
        assert_eq!(json(&[2, 0]), r#"{"sa_family":"AF_INET"}"#);
        assert_eq!(json(&[2]), "{}");
        assert_eq!(json(&[]), "{}");
    }

    unsafe extern "C" {
        fn inet_ntop(
            af: libc::c_int,
            src: *const libc::c_void,
            dst: *mut libc::c_char,
            size: libc::socklen_t,
        ) -> *const libc::c_char;
    }

    #[test]
    fn ntop6_matches_libc() {
        let mut next = crate::decode::test_rng();
        for n in 0..20000 {
            let mut a = [0u8; 16];
            for w in 0..8 {
                // Mostly zero words, so that runs of zeros of every length occur.
                let r = next();
                let v: u16 = match r % 4 {
                    0 | 1 => 0,
                    2 => (r >> 8) as u16 & 0xf,
                    _ => (r >> 16) as u16,
                };
                a[2 * w..2 * w + 2].copy_from_slice(&v.to_be_bytes());
            }
            if n % 7 == 0 {
                a[..10].fill(0);
                a[10] = if n % 2 == 0 { 0xff } else { 0 };
                a[11] = a[10];
            }
            let mut buf = [0 as libc::c_char; 64];
            // SAFETY: a is a 16-byte in6_addr, buf has room for INET6_ADDRSTRLEN.
            let p = unsafe {
                inet_ntop(
                    libc::AF_INET6,
                    a.as_ptr().cast(),
                    buf.as_mut_ptr(),
                    buf.len() as _,
                )
            };
            assert!(!p.is_null());
            let want: String = buf
                .iter()
                .take_while(|&&c| c != 0)
                .map(|&c| c as u8 as char)
                .collect();
            assert_eq!(ntop6(&a), want, "{a:?}");
        }
        for (a, s) in [
            ([0u8; 16], "::"),
            ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "::1"),
            ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], "::2"),
        ] {
            assert_eq!(ntop6(&a), s);
        }
    }

    #[test]
    fn malformed_inputs_never_panic() {
        let mut seed = 0x2545f4914f6cdd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let families = [
            0u16, 1, 2, 3, 4, 9, 10, 16, 17, 31, 38, 40, 42, 44, 45, 46, 0xffff,
        ];
        for _ in 0..20000 {
            let len = (next() % 200) as usize;
            let mut b: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if len >= 2 {
                let f = families[(next() % families.len() as u64) as usize];
                b[..2].copy_from_slice(&f.to_le_bytes());
            }
            let addrlen = match next() % 5 {
                0 => len as i64,
                1 => (next() % 300) as i64 - 50,
                2 => i64::MAX,
                3 => i64::MIN,
                _ => 0xffff_ffff_0000_0010u64 as i64,
            };
            let style = Style {
                max_strlen: (next() % 40) as usize,
                xflag: (next() % 5) as u8,
            };
            let mut s = String::new();
            format_sockaddr(&mut s, next() | 1, Some(&b), addrlen, &style);
            format_sockaddr(&mut s, 0, Some(&b), addrlen, &style);
            format_sockaddr(&mut s, 1, None, addrlen, &style);
            print_sockaddr(&mut s, &b, &style);
            let _ = sockaddr_json(&b);
        }
        // The int truncation strace does: 0xffffffff00000010 is addrlen 16.
        let sin = unhex("0200a0297f0000010000000000000000");
        let mut s = String::new();
        format_sockaddr(
            &mut s,
            1,
            Some(&sin),
            0xffff_ffff_0000_0010u64 as i64,
            &st(32, 0),
        );
        assert_eq!(
            s,
            r#"{sa_family=AF_INET, sin_port=htons(41001), sin_addr=inet_addr("127.0.0.1")}"#
        );
        // Fewer bytes than addrlen: the read is taken as faulted.
        s.clear();
        format_sockaddr(&mut s, 0x1000, Some(&sin[..8]), 16, &st(32, 0));
        assert_eq!(s, "0x1000");
        s.clear();
        format_sockaddr(&mut s, 0x1000, Some(&[]), 2, &st(32, 0));
        assert_eq!(s, "0x1000");
    }
}
