//! Control (ancillary) messages of sendmsg/recvmsg: the level/type tables and the decoders of
//! `msg_control`, as strace 6.1 prints it (src/msghdr.c: decode_msg_control), plus a JSON form.
//!
//! strace 6.1 decodes the data of SOL_SOCKET and SOL_IP messages only; for every other level
//! (SOL_IPV6 included) it prints the type in hex and no `cmsg_data`. The JSON form also decodes
//! the common IPv6 messages and SCM_PIDFD, which the text leaves as strace shows them.

use serde_json::Value;

use crate::render::json::model::{
    Cmsg, CmsgData, CmsgTime, Control, Creds, Hex, Ints, Lossy, Pktinfo, Recverr, Str,
};

use super::Style;
use super::sockaddr::{print_sockaddr, sockaddr_model};
use super::strfmt::{print_addr, quote_buf};
use super::xlat::{
    IP_CMSG_TYPES, IPV6_CMSG_TYPES, SCM_VALS, SCM_VALS_JSON_EXTRA, SOCKET_LAYERS, print_xval,
    xlat_lookup,
};
use super::{rd_u32, rd_u64};

pub const SOL_IP: u32 = 0;
pub const SOL_SOCKET: u32 = 1;
pub const SOL_IPV6: u32 = 41;

/// Bytes of a 64-bit `struct cmsghdr` (cmsg_len u64, cmsg_level i32, cmsg_type i32).
pub const CMSG_HDR_SIZE: usize = 16;

/// Everything the control decoder needs besides the bytes.
#[derive(Clone, Copy, Debug)]
pub struct CmsgEnv {
    pub style: Style,
    /// strace reads at most `optmem_max` control bytes (/proc/sys/net/core/optmem_max rounded
    /// up to 8 on the tracing host; 20480 when unreadable).
    pub optmem_max: u64,
    /// Interface index to name (`if_indextoname` on the tracing host, as strace does for
    /// ipi_ifindex). None: printed as a number.
    pub ifname: fn(u32) -> Option<String>,
    /// `-y` count: descriptors passed in SCM_RIGHTS are decorated (`4</dev/null>`).
    pub yflag: u8,
    /// The traced process (whose /proc/PID/fd names the SCM_RIGHTS descriptors); 0: unknown.
    pub pid: u32,
}

impl CmsgEnv {
    /// The values strace would use on this host.
    pub fn host(style: Style) -> Self {
        CmsgEnv {
            style,
            optmem_max: host_optmem_max(),
            ifname: crate::host::ifname_string,
            yflag: 0,
            pid: 0,
        }
    }

    /// The same settings for a record of process `pid`.
    pub fn for_pid(&self, pid: u32) -> Self {
        CmsgEnv { pid, ..*self }
    }
}

/// An SCM_RIGHTS descriptor as strace's printfd prints it: `4`, or with -y `4</dev/null>`
/// (`4<socket:[12345]>` for a socket). The path is looked up in /proc/PID/fd when the line is
/// printed, as for other non-socket descriptors (racy by nature: a descriptor already closed,
/// or a process already gone, prints bare).
fn print_passed_fd(out: &mut String, fd: i32, env: &CmsgEnv) {
    use std::os::unix::ffi::OsStrExt;
    super::strfmt::push_int(out, fd);
    if env.yflag == 0 || env.pid == 0 || fd < 0 {
        return;
    }
    if let Ok(target) = std::fs::read_link(format!("/proc/{}/fd/{fd}", env.pid)) {
        out.push('<');
        super::sockinfo::quote_path(out, target.as_os_str().as_bytes(), &env.style);
        out.push('>');
    }
}

/// strace's get_optmem_max: the sysctl rounded up to 8, or 8 * (2 * IOV_MAX + 512).
pub fn host_optmem_max() -> u64 {
    match std::fs::read_to_string("/proc/sys/net/core/optmem_max")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        Some(v) if v > 0 => (v as u64 + 7) & !7,
        _ => 8 * (2 * 1024 + 512),
    }
}

/// One cmsg as strace's walk sees it: header fields and the data bytes it passes to printers
/// (cut at the end of the control buffer).
struct Walked<'a> {
    cmsg_len: u64,
    level: u32,
    ctype: u32,
    data: &'a [u8],
    /// The data bytes strace passes to the printer; more than `data.len()` when the cmsg runs
    /// past the captured bytes (only for the array types, see `array_elem_size`).
    data_len: u64,
}

/// What the data of a cmsg type holds (its decoder).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Data {
    /// SCM_RIGHTS: descriptors.
    Fds,
    /// SCM_CREDENTIALS: struct ucred.
    Creds,
    /// SCM_SECURITY (SOL_SOCKET and SOL_IP): the security context.
    Security,
    /// SO_TIMESTAMP_OLD/NEW: struct timeval.
    Timeval,
    /// SO_TIMESTAMPNS_OLD/NEW: struct timespec.
    Timespec,
    /// SO_TIMESTAMPING_OLD/NEW: three timespecs.
    Timestamping,
    /// SCM_PIDFD: a descriptor (JSON only: newer than strace 6.1).
    Pidfd,
    /// IP_PKTINFO: struct in_pktinfo.
    Pktinfo,
    /// IP_TTL, IP_CHECKSUM: ints.
    Ints,
    /// IP_TOS, IP_RECVOPTS, IP_RETOPTS: bytes.
    Bytes,
    /// IP_RECVERR / IPV6_RECVERR: struct sock_extended_err and the offender's address.
    Recverr,
    /// IP_ORIGDSTADDR / IPV6_ORIGDSTADDR: a socket address.
    Sockaddr,
    /// IPV6_PKTINFO: struct in6_pktinfo (JSON only).
    Pktinfo6,
    /// IPV6_HOPLIMIT, IPV6_TCLASS, ...: ints (JSON only).
    Ints6,
}

/// One row of the cmsg table: the types of a level with the same data.
struct CmsgDef {
    level: u32,
    types: &'static [u32],
    data: Data,
    /// The data bytes the text needs to print `cmsg_data=` (strace 6.1's minimum); None:
    /// strace 6.1 does not decode it (the type alone is printed).
    text_min: Option<usize>,
    /// The data bytes JSON needs to decode it (else `dataHex`).
    json_min: usize,
    /// The element size of the types strace prints as arrays (SCM_RIGHTS descriptors, IP_TTL
    /// ints, IP option bytes). Such a cmsg running past the captured bytes (a control buffer
    /// larger than the capture area, MAX_CONTROL) is still printed: strace shows at most -s
    /// elements of it, which are usually within what was captured.
    elem: Option<usize>,
}

const fn def(
    level: u32,
    types: &'static [u32],
    data: Data,
    text_min: Option<usize>,
    json_min: usize,
    elem: Option<usize>,
) -> CmsgDef {
    CmsgDef {
        level,
        types,
        data,
        text_min,
        json_min,
        elem,
    }
}

/// The one cmsg table (level, types, decoder, minimum lengths), read by the text and the JSON.
/// Type numbers are x86_64's (names: xlat/scm_vals.in, ip_cmsg_types.in, ipv6_cmsg_types.in).
static CMSGS: &[CmsgDef] = &[
    def(SOL_SOCKET, &[1], Data::Fds, Some(4), 4, Some(4)),
    def(SOL_SOCKET, &[2], Data::Creds, Some(12), 12, None),
    def(SOL_SOCKET, &[3], Data::Security, Some(1), 1, None),
    def(SOL_SOCKET, &[29, 63], Data::Timeval, Some(1), 16, None),
    def(SOL_SOCKET, &[35, 64], Data::Timespec, Some(1), 16, None),
    def(SOL_SOCKET, &[37, 65], Data::Timestamping, Some(1), 48, None),
    def(SOL_SOCKET, &[0x4c], Data::Pidfd, None, 4, None),
    def(SOL_IP, &[8], Data::Pktinfo, Some(12), 12, None),
    def(SOL_IP, &[2, 23], Data::Ints, Some(4), 4, Some(4)),
    def(SOL_IP, &[1, 6, 7], Data::Bytes, Some(1), 1, Some(1)),
    def(SOL_IP, &[3], Data::Security, Some(1), 1, None),
    def(SOL_IP, &[11], Data::Recverr, Some(32), 16, None),
    def(SOL_IP, &[20], Data::Sockaddr, Some(16), 2, None),
    def(SOL_IPV6, &[25], Data::Recverr, None, 16, None),
    def(SOL_IPV6, &[74], Data::Sockaddr, None, 2, None),
    def(SOL_IPV6, &[50], Data::Pktinfo6, None, 20, None),
    def(SOL_IPV6, &[52, 67, 61, 62, 8], Data::Ints6, None, 4, None),
];

/// The table row of a cmsg type.
fn cmsg_def(level: u32, ctype: u32) -> Option<&'static CmsgDef> {
    CMSGS
        .iter()
        .find(|d| d.level == level && d.types.contains(&ctype))
}

/// The element size of the cmsg types strace prints as arrays (see `CmsgDef::elem`).
fn array_elem_size(level: u32, ctype: u32) -> Option<usize> {
    cmsg_def(level, ctype).and_then(|d| d.elem)
}

/// How strace's walk over a control buffer ends.
enum WalkEnd {
    /// All bytes consumed.
    Done,
    /// Bytes left over at this offset from the start (`..., ... /* addr */`).
    Leftover(u64),
    /// The captured bytes ran out before strace's buffer would have (capture limit).
    Uncaptured,
}

/// strace's loop of decode_msg_control over `control_len` bytes of which `cap` were captured.
fn walk<'a>(
    cap: &'a [u8],
    control_len: u64,
    max_elems: usize,
    mut f: impl FnMut(Walked<'a>),
) -> WalkEnd {
    let hdr = CMSG_HDR_SIZE as u64;
    let mut off: u64 = 0;
    let mut buf_len = control_len;
    // Each round consumes at least 8 bytes or ends, so this is bounded by control_len / 8.
    while buf_len >= hdr {
        if off + hdr > cap.len() as u64 {
            return WalkEnd::Uncaptured;
        }
        let o = off as usize;
        let cmsg_len = rd_u64(cap, o);
        let level = rd_u32(cap, o + 8);
        let ctype = rd_u32(cap, o + 12);
        let len = cmsg_len.min(buf_len);
        let data_len = len.saturating_sub(hdr);
        let data = if off + len > cap.len() as u64 {
            // Printed only when every element strace shows (at most max_elems) was captured.
            let Some(size) = array_elem_size(level, ctype) else {
                return WalkEnd::Uncaptured;
            };
            let have = (cap.len() - o - CMSG_HDR_SIZE) / size;
            let shown = (data_len / size as u64).min(max_elems as u64);
            if (have as u64) < shown {
                return WalkEnd::Uncaptured;
            }
            &cap[o + CMSG_HDR_SIZE..]
        } else if len > hdr {
            &cap[o + CMSG_HDR_SIZE..o + len as usize]
        } else {
            &cap[0..0]
        };
        let partial = (data.len() as u64) < data_len;
        f(Walked {
            cmsg_len,
            level,
            ctype,
            data,
            data_len,
        });
        if partial {
            // What follows this cmsg was not captured.
            let aligned = cmsg_len.checked_add(7).map(|v| v & !7);
            if aligned.is_none_or(|a| a >= buf_len) {
                buf_len = 0;
                break;
            }
            return WalkEnd::Uncaptured;
        }
        if len < hdr {
            buf_len -= hdr;
            break;
        }
        // CMSG_ALIGN; strace's own arithmetic wraps (and then loops forever) for lengths
        // within 7 of 2^64: those end the walk here instead.
        let Some(aligned) = cmsg_len.checked_add(7).map(|v| v & !7) else {
            buf_len = 0;
            break;
        };
        if aligned >= buf_len {
            buf_len = 0;
            break;
        }
        off += aligned;
        buf_len -= aligned;
    }
    if buf_len > 0 {
        WalkEnd::Leftover(control_len - buf_len)
    } else {
        WalkEnd::Done
    }
}

/// strace's printing of `msg_control` (the value after `msg_control=`). `addr` is the
/// msg_control pointer, `controllen` msg_controllen (non-zero: with 0 strace omits the field),
/// `captured` the bytes read there (None: the read faulted or nothing was captured).
pub fn format_control(
    out: &mut String,
    addr: u64,
    controllen: u64,
    captured: Option<&[u8]>,
    env: &CmsgEnv,
) {
    let control_len = controllen.min(env.optmem_max);
    let cap = match captured {
        Some(c) if control_len >= CMSG_HDR_SIZE as u64 && addr != 0 => c,
        _ => {
            print_addr(out, addr);
            return;
        }
    };
    out.push('[');
    let mut first = true;
    let end = walk(cap, control_len, super::max_elems(&env.style), |c| {
        if !first {
            out.push_str(", ");
        }
        first = false;
        format_one(out, &c, env);
    });
    match end {
        WalkEnd::Leftover(at) => {
            out.push_str(", ...");
            out.push_str(" /* ");
            print_addr(out, addr.wrapping_add(at));
            out.push_str(" */");
        }
        WalkEnd::Uncaptured => {
            if !first {
                out.push_str(", ");
            }
            out.push_str("...");
        }
        WalkEnd::Done => {
            if control_len < controllen {
                out.push_str(", ...");
            }
        }
    }
    out.push(']');
}

fn format_one(out: &mut String, c: &Walked, env: &CmsgEnv) {
    out.push_str("{cmsg_len=");
    super::strfmt::push_int(out, c.cmsg_len);
    out.push_str(", cmsg_level=");
    print_xval(out, c.level as u64, &SOCKET_LAYERS);
    out.push_str(", cmsg_type=");
    match c.level {
        SOL_SOCKET => print_xval(out, c.ctype as u64, &SCM_VALS),
        SOL_IP => print_xval(out, c.ctype as u64, &IP_CMSG_TYPES),
        _ => hex(out, c.ctype as u64),
    }
    let d = c.data;
    if let Some(def) = cmsg_def(c.level, c.ctype)
        && let Some(min) = def.text_min
        && (d.len() >= min || (def.elem.is_some() && c.data_len >= min as u64))
    {
        out.push_str(", cmsg_data=");
        let max = super::max_elems(&env.style);
        match def.data {
            Data::Fds => int_array_of(out, d, c.data_len, 4, max, |out, v| {
                print_passed_fd(out, v as u32 as i32, env)
            }),
            Data::Creds => creds(out, d),
            Data::Security => quote_all(out, d, &env.style),
            Data::Timeval => timeval(out, d),
            Data::Timespec => timespec_or_unavailable(out, d),
            Data::Timestamping => timestamping(out, d),
            Data::Pktinfo => pktinfo(out, d, env),
            Data::Ints => int_array_of(out, d, c.data_len, 4, max, |out, v| {
                super::strfmt::push_int(out, v)
            }),
            Data::Bytes => int_array_of(out, d, c.data_len, 1, max, hex),
            Data::Recverr => recverr(out, d, &env.style),
            Data::Sockaddr => print_sockaddr(out, &d[..d.len().min(128)], &env.style),
            // Not decoded by strace 6.1 (no text_min).
            Data::Pidfd | Data::Pktinfo6 | Data::Ints6 => {}
        }
    }
    out.push('}');
}

/// `%#llx`: `0` for zero, `0x1f` otherwise.
fn hex(out: &mut String, v: u64) {
    if v == 0 {
        out.push('0');
    } else {
        out.push_str(&format!("{v:#x}"));
    }
}

/// int_array over `data_len / size` elements of which `data` holds the captured first ones:
/// strace's output as long as the elements it shows (at most `max_strlen`) were captured; an
/// element past the capture ends the array with `...`.
fn int_array_of(
    out: &mut String,
    data: &[u8],
    data_len: u64,
    size: usize,
    max_strlen: usize,
    mut f: impl FnMut(&mut String, u64),
) {
    let total = (data_len / size as u64).min(usize::MAX as u64) as usize;
    out.push('[');
    for i in 0..total {
        if i > 0 {
            out.push_str(", ");
        }
        let Some(ch) = data
            .get(i * size..(i + 1) * size)
            .filter(|_| i < max_strlen)
        else {
            out.push_str("...");
            break;
        };
        let v = match size {
            1 => ch[0] as u64,
            _ => u32::from_le_bytes(ch.try_into().unwrap()) as u64,
        };
        f(out, v);
    }
    out.push(']');
}

/// strace's PRINT_VAL_ID: -1 for all ones, unsigned otherwise.
fn id(out: &mut String, v: u32) {
    if v == u32::MAX {
        out.push_str("-1");
    } else {
        super::strfmt::push_int(out, v);
    }
}

fn creds(out: &mut String, d: &[u8]) {
    out.push_str("{pid=");
    out.push_str(&(rd_u32(d, 0) as i32).to_string());
    out.push_str(", uid=");
    id(out, rd_u32(d, 4));
    out.push_str(", gid=");
    id(out, rd_u32(d, 8));
    out.push('}');
}

/// print_quoted_string without a length limit (SCM_SECURITY).
fn quote_all(out: &mut String, d: &[u8], style: &Style) {
    let st = Style {
        max_strlen: d.len().max(1),
        xflag: style.xflag,
    };
    quote_buf(out, d, d.len() as u64, &st);
}

fn timeval(out: &mut String, d: &[u8]) {
    if d.len() < 16 {
        out.push_str("???");
        return;
    }
    out.push_str(&format!(
        "{{tv_sec={}, tv_usec={}}}",
        rd_u64(d, 0) as i64,
        rd_u64(d, 8)
    ));
}

fn timespec(out: &mut String, d: &[u8]) {
    out.push_str(&format!(
        "{{tv_sec={}, tv_nsec={}}}",
        rd_u64(d, 0) as i64,
        rd_u64(d, 8)
    ));
}

fn timespec_or_unavailable(out: &mut String, d: &[u8]) {
    if d.len() < 16 {
        out.push_str("???");
    } else {
        timespec(out, d);
    }
}

fn timestamping(out: &mut String, d: &[u8]) {
    if d.len() < 48 {
        out.push_str("???");
        return;
    }
    out.push('[');
    for i in 0..3 {
        if i > 0 {
            out.push_str(", ");
        }
        timespec(out, &d[16 * i..]);
    }
    out.push(']');
}

fn ipv4(b: &[u8]) -> String {
    let a = b.get(..4).unwrap_or(&[0, 0, 0, 0]);
    super::sockaddr::ntop4(&[a[0], a[1], a[2], a[3]])
}

fn ifindex(out: &mut String, idx: u32, env: &CmsgEnv) {
    // print_xlat_ex(index, name, FMT_U): -X raw the number, -X verbose `1 /* name */`.
    let x = super::global_opts().xlat;
    if x != super::XlatStyle::Abbrev {
        super::strfmt::push_int(out, idx);
        if x == super::XlatStyle::Raw {
            return;
        }
    }
    match (env.ifname)(idx) {
        Some(name) => {
            if x == super::XlatStyle::Verbose {
                out.push_str(" /* ");
            }
            out.push_str("if_nametoindex(");
            let st = Style {
                max_strlen: name.len().max(1),
                xflag: env.style.xflag,
            };
            quote_buf(out, name.as_bytes(), name.len() as u64, &st);
            out.push(')');
            if x == super::XlatStyle::Verbose {
                out.push_str(" */");
            }
        }
        None if x == super::XlatStyle::Abbrev => super::strfmt::push_int(out, idx),
        None => {}
    }
}

fn pktinfo(out: &mut String, d: &[u8], env: &CmsgEnv) {
    out.push_str("{ipi_ifindex=");
    ifindex(out, rd_u32(d, 0), env);
    // strace's PRINT_FIELD_INET_ADDR: the text quoted as any string, so `-xx` hex-escapes it.
    let a4 = |off: usize| -> [u8; 4] {
        let mut a = [0u8; 4];
        a.copy_from_slice(d.get(off..off + 4).unwrap_or(&[0; 4]));
        a
    };
    out.push_str(", ");
    super::sockaddr::print_inet4_field(out, "ipi_spec_dst", &a4(4), &env.style);
    out.push_str(", ");
    super::sockaddr::print_inet4_field(out, "ipi_addr", &a4(8), &env.style);
    out.push('}');
}

fn recverr(out: &mut String, d: &[u8], style: &Style) {
    out.push_str(&format!(
        "{{ee_errno={}, ee_origin={}, ee_type={}, ee_code={}, ee_info={}, ee_data={}, offender=",
        rd_u32(d, 0),
        d[4],
        d[5],
        d[6],
        rd_u32(d, 8),
        rd_u32(d, 12)
    ));
    print_sockaddr(out, &d[16..32], style);
    out.push('}');
}

// ---------------------------------------------------------------------------------------------
// JSON

fn ts_model(d: &[u8], usec: bool) -> CmsgTime {
    let (tv_sec, frac) = (rd_u64(d, 0) as i64, rd_u64(d, 8));
    if usec {
        CmsgTime::Timeval {
            tv_sec,
            tv_usec: frac,
        }
    } else {
        CmsgTime::Timespec {
            tv_nsec: frac,
            tv_sec,
        }
    }
}

fn ipv6(b: &[u8]) -> String {
    let mut a = [0u8; 16];
    let n = b.len().min(16);
    a[..n].copy_from_slice(&b[..n]);
    std::net::Ipv6Addr::from(a).to_string()
}

fn ints<T>(d: &[u8], f: fn([u8; 4]) -> T) -> Vec<T> {
    d.chunks_exact(4)
        .map(|c| f(c.try_into().unwrap()))
        .collect()
}

/// The decoded data of one cmsg for JSON; `dataHex` for what is not decoded.
fn data_model<'a>(level: u32, ctype: u32, d: &'a [u8], env: &CmsgEnv) -> CmsgData<'a> {
    let Some(def) = cmsg_def(level, ctype).filter(|def| d.len() >= def.json_min) else {
        return CmsgData::DataHex(Hex(d));
    };
    match def.data {
        Data::Fds => CmsgData::Fds(ints(d, i32::from_le_bytes)),
        Data::Creds => CmsgData::Creds(Creds {
            gid: rd_u32(d, 8),
            pid: rd_u32(d, 0) as i32,
            uid: rd_u32(d, 4),
        }),
        Data::Security => CmsgData::Security(Str(Lossy(d))),
        Data::Timeval => CmsgData::Timestamp(ts_model(d, true)),
        Data::Timespec => CmsgData::Timestamp(ts_model(d, false)),
        Data::Timestamping => {
            CmsgData::Timestamps([0, 1, 2].map(|i| ts_model(&d[16 * i..], false)))
        }
        Data::Pidfd => CmsgData::Pidfd(rd_u32(d, 0) as i32),
        Data::Pktinfo => {
            let idx = rd_u32(d, 0);
            CmsgData::Pktinfo(Pktinfo {
                addr: ipv4(&d[8..]),
                ifindex: idx,
                ifname: (env.ifname)(idx),
                spec_dst: Some(ipv4(&d[4..])),
            })
        }
        Data::Ints => CmsgData::Values(Ints::Unsigned(ints(d, u32::from_le_bytes))),
        Data::Bytes => CmsgData::Bytes(d),
        Data::Recverr => {
            let off = &d[16..];
            CmsgData::Recverr(Recverr {
                ee_code: d[6],
                ee_data: rd_u32(d, 12),
                ee_errno: rd_u32(d, 0),
                ee_info: rd_u32(d, 8),
                ee_origin: d[4],
                ee_type: d[5],
                offender: (off.len() >= 2).then(|| sockaddr_model(&off[..off.len().min(128)])),
            })
        }
        Data::Sockaddr => CmsgData::Sockaddr(sockaddr_model(&d[..d.len().min(128)])),
        Data::Pktinfo6 => {
            let idx = rd_u32(d, 16);
            CmsgData::Pktinfo(Pktinfo {
                addr: ipv6(d),
                ifindex: idx,
                ifname: (env.ifname)(idx),
                spec_dst: None,
            })
        }
        Data::Ints6 => CmsgData::Values(Ints::Signed(ints(d, i32::from_le_bytes))),
    }
}

/// The control messages as JSON: `{"cmsgs": [{"len", "level", "levelName", "type",
/// "typeName", <data key>: ...}], "truncated": bool}` where the data key is one of `fds`,
/// `creds`, `security`, `timestamp`, `timestamps`, `pidfd`, `pktinfo`, `values`, `bytes`,
/// `recverr`, `sockaddr`, `dataHex`. Null when nothing can be decoded (as strace prints a
/// pointer).
pub fn control_json(addr: u64, controllen: u64, captured: Option<&[u8]>, env: &CmsgEnv) -> Value {
    serde_json::to_value(control_model(addr, controllen, captured, env)).unwrap_or_default()
}

/// The typed model of [`control_json`].
pub fn control_model<'a>(
    addr: u64,
    controllen: u64,
    captured: Option<&'a [u8]>,
    env: &CmsgEnv,
) -> Option<Control<'a>> {
    let control_len = controllen.min(env.optmem_max);
    let cap = match captured {
        Some(c) if control_len >= CMSG_HDR_SIZE as u64 && addr != 0 => c,
        _ => return None,
    };
    let mut cmsgs = Vec::new();
    let mut partial = false;
    let end = walk(cap, control_len, super::max_elems(&env.style), |c| {
        partial |= (c.data.len() as u64) < c.data_len;
        let type_name = match c.level {
            SOL_SOCKET => xlat_lookup(&SCM_VALS, c.ctype as u64)
                .or_else(|| xlat_lookup(&SCM_VALS_JSON_EXTRA, c.ctype as u64)),
            SOL_IP => xlat_lookup(&IP_CMSG_TYPES, c.ctype as u64),
            SOL_IPV6 => xlat_lookup(&IPV6_CMSG_TYPES, c.ctype as u64),
            _ => None,
        };
        cmsgs.push(Cmsg {
            len: c.cmsg_len,
            level: c.level as i32,
            level_name: xlat_lookup(&SOCKET_LAYERS, c.level as u64),
            ctype: c.ctype as i32,
            type_name,
            data: data_model(c.level, c.ctype, c.data, env),
        });
    });
    let truncated = partial || !matches!(end, WalkEnd::Done) || control_len < controllen;
    Some(Control { cmsgs, truncated })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lo(i: u32) -> Option<String> {
        (i == 1).then(|| "lo".to_string())
    }

    #[test]
    fn pktinfo_addresses_follow_xx() {
        let d = [1, 0, 0, 0, 127, 0, 0, 1, 0, 0, 0, 0];
        let env = |xflag| CmsgEnv {
            style: Style {
                max_strlen: 32,
                xflag,
            },
            optmem_max: 20480,
            ifname: lo,
            yflag: 0,
            pid: 0,
        };
        let mut s = String::new();
        pktinfo(&mut s, &d, &env(0));
        assert_eq!(
            s,
            r#"{ipi_ifindex=if_nametoindex("lo"), ipi_spec_dst=inet_addr("127.0.0.1"), ipi_addr=inet_addr("0.0.0.0")}"#
        );
        // strace 6.1 -xx (cmsg.c scenario).
        let mut s = String::new();
        pktinfo(&mut s, &d, &env(2));
        assert_eq!(
            s,
            r#"{ipi_ifindex=if_nametoindex("\x6c\x6f"), ipi_spec_dst=inet_addr("\x31\x32\x37\x2e\x30\x2e\x30\x2e\x31"), ipi_addr=inet_addr("\x30\x2e\x30\x2e\x30\x2e\x30")}"#
        );
    }

    #[test]
    fn scm_rights_descriptors_decorated_with_y() {
        use std::os::fd::AsRawFd;
        let null = std::fs::File::open("/dev/null").unwrap();
        let fd = null.as_raw_fd();
        let env = |yflag| CmsgEnv {
            style: Style::default(),
            optmem_max: 20480,
            ifname: lo,
            yflag,
            pid: std::process::id(),
        };
        let mut s = String::new();
        print_passed_fd(&mut s, fd, &env(1));
        assert_eq!(s, format!("{fd}</dev/null>"));
        s.clear();
        print_passed_fd(&mut s, fd, &env(0));
        assert_eq!(s, fd.to_string());
        s.clear();
        print_passed_fd(&mut s, -1, &env(1));
        assert_eq!(s, "-1");
    }

    #[test]
    fn v_lifts_the_array_cap() {
        let data: Vec<u8> = (0..40i32).flat_map(|v| v.to_le_bytes()).collect();
        let cap = |abbrev| {
            crate::decode::set_global_opts(crate::decode::GlobalOpts {
                abbrev,
                ..Default::default()
            });
            let mut s = String::new();
            int_array_of(
                &mut s,
                &data,
                160,
                4,
                crate::decode::max_elems(&Style::default()),
                crate::decode::strfmt::push_int,
            );
            crate::decode::set_global_opts(Default::default());
            s
        };
        assert!(cap(true).ends_with("31, ...]"));
        assert!(cap(false).ends_with("38, 39]"));
    }

    #[test]
    fn control_larger_than_the_capture() {
        // One SCM_RIGHTS cmsg of cmsg_len 262144 in a 262144-byte buffer (strace's msg_control
        // test), of which 1024 bytes were captured: strace (optmem_max 131072) shows 32
        // descriptors, "...", and ", ..." for the bytes past optmem_max.
        let cm = |len: u64, level: u32, ctype: u32, data: &[u8]| {
            let mut b = Vec::new();
            b.extend_from_slice(&len.to_le_bytes());
            b.extend_from_slice(&level.to_le_bytes());
            b.extend_from_slice(&ctype.to_le_bytes());
            b.extend_from_slice(data);
            b
        };
        let fds: Vec<u8> = [-1i32; 252].iter().flat_map(|v| v.to_le_bytes()).collect();
        let b = cm(262144, 1, 1, &fds);
        assert_eq!(b.len(), 1024);
        let env = CmsgEnv {
            style: Style::default(),
            optmem_max: 131072,
            ifname: lo,
            yflag: 0,
            pid: 0,
        };
        let mut s = String::new();
        format_control(&mut s, 0x1000, 262144, Some(&b), &env);
        let fds = vec!["-1"; 32].join(", ");
        assert_eq!(
            s,
            format!(
                "[{{cmsg_len=262144, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[{fds}, ...]}}, ...]"
            )
        );
        // A cmsg of another type running past the capture still ends with "...".
        let b = cm(2048, 1, 2, &[0; 12]);
        s.clear();
        format_control(&mut s, 0x1000, 4096, Some(&b), &env);
        assert_eq!(s, "[...]");
    }
}
