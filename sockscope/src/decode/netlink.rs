//! Netlink messages as strace 6.1 prints a buffer on a netlink socket (`decode_netlink`).
//!
//! One pure function, [`decode_netlink`], over (the captured bytes, the buffer's length, the
//! socket's netlink protocol, the settings): any call's renderer uses it (sendto/recvfrom
//! buffers, msghdr iovecs, and the data calls when they arrive).
//!
//! * fewer than 16 bytes: the bytes as a forced-hex string (`-s` applies);
//! * otherwise `{nlmsg_len=.., nlmsg_type=.., nlmsg_flags=.., nlmsg_seq=.., nlmsg_pid=..}`, as
//!   `[{header}, payload]` when the message has a payload, and a list `[msg, msg, ...]` of such
//!   when further messages follow (at most `-s` of them);
//! * the type and the flags by the socket's protocol (RTM_GETLINK with NLM_F_DUMP, ...);
//! * payloads: NLMSG_ERROR as `{error=-ENODEV, msg=<the quoted request>}` (and its extended-ack
//!   attributes), NLMSG_DONE of 4 bytes as a number, the protocol's structures and attribute
//!   trees (NETLINK_ROUTE, NETLINK_SOCK_DIAG, NETLINK_NETFILTER, NETLINK_SELINUX,
//!   NETLINK_CRYPTO, NETLINK_KOBJECT_UEVENT; [`route`], [`diag`], [`misc`]), anything else as a
//!   forced-hex string.
//!
//! Decoding works on the bytes the kernel side captured (the whole buffer up to 4 KiB on a
//! netlink socket). Where strace would read further than that, [`decode_netlink`] reports it
//! and the caller falls back to the plain string.

mod attr;
mod diag;
mod misc;
mod route;
mod route_link;
mod route_stats;

use super::Style;
use super::errno::errno_name;
use super::strfmt::{QuoteOpts, string_quote};
use super::xlat as nx;
use super::xlat::{Xlat, flag_names, print_xval_dflt, push_c_hex, xlat_lookup};
use std::fmt::Write;

/// sizeof(struct nlmsghdr) = NLMSG_HDRLEN.
pub(crate) const HDRLEN: u64 = 16;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_MIN_TYPE: u16 = 0x10;
/// NLM_F_CAPPED: the NLMSG_ERROR reply carries only the request's header.
const NLM_F_CAPPED: u16 = 0x100;
pub(crate) const NLM_F_REQUEST: u16 = 1;

/// Netlink protocols (socket(AF_NETLINK, ..., protocol)).
pub mod proto {
    pub const ROUTE: u32 = 0;
    pub const SOCK_DIAG: u32 = 4;
    pub const XFRM: u32 = 6;
    pub const SELINUX: u32 = 7;
    pub const AUDIT: u32 = 9;
    pub const NETFILTER: u32 = 12;
    pub const KOBJECT_UEVENT: u32 = 15;
    pub const GENERIC: u32 = 16;
    pub const CRYPTO: u32 = 21;
}

/// What the decoder needs besides the bytes.
pub struct NlEnv<'a> {
    pub style: Style,
    /// The socket's netlink protocol as strace learns it (sock_diag of a bound socket); None
    /// when unknown: only the generic framing is decoded then.
    pub proto: Option<u32>,
    /// if_indextoname in the tracer's network namespace (strace prints
    /// `if_nametoindex("lo")` for an interface index it can name).
    pub ifname: &'a dyn Fn(u32) -> Option<String>,
    /// Generic netlink family names by id (strace asks the kernel for them).
    pub genl_family: &'a dyn Fn(u16) -> Option<String>,
}

/// Generic netlink family names by id, as strace's genl_families_xlat gets them: asked of the
/// kernel once, the first time a name is needed, by the resolver the program registered with
/// [`set_genl_resolver`] (decoding itself stays pure; without a resolver ids print as numbers).
type GenlFamilies = Vec<(u16, String)>;
static GENL_FAMILIES: std::sync::OnceLock<GenlFamilies> = std::sync::OnceLock::new();
static GENL_RESOLVER: std::sync::OnceLock<fn() -> GenlFamilies> = std::sync::OnceLock::new();

/// Registers the function that lists the generic netlink families (id, name).
pub fn set_genl_resolver(f: fn() -> Vec<(u16, String)>) {
    let _ = GENL_RESOLVER.set(f);
}

/// The name of generic netlink family `id` (`nlctrl` for 0x10), if known.
pub fn genl_family_name(id: u16) -> Option<String> {
    GENL_FAMILIES
        .get_or_init(|| GENL_RESOLVER.get().map(|f| f()).unwrap_or_default())
        .iter()
        .find(|e| e.0 == id)
        .map(|e| e.1.clone())
}

/// No interface or generic family names (unit tests, or the names are not wanted).
pub fn no_names<T>(_: T) -> Option<String> {
    None
}

/// Reading past the captured bytes: strace would have shown more than sockscope has.
pub(crate) struct Short;
pub(crate) type R = Result<(), Short>;

#[derive(Clone, Copy)]
pub(crate) struct Hdr {
    pub len: u32,
    pub ty: u16,
    pub flags: u16,
    pub seq: u32,
    pub pid: u32,
}

pub(crate) struct Dec<'a> {
    pub data: &'a [u8],
    /// The user address of `data[0]` (strace prints the address of a read that fails).
    pub base: u64,
    /// The bytes after `data` could not be read (the kernel side's read faulted there); false:
    /// they were not captured (sockscope knows less than strace would).
    pub fault_after: bool,
    pub style: Style,
    pub proto: Option<u32>,
    pub ifname: &'a dyn Fn(u32) -> Option<String>,
    pub genl_family: &'a dyn Fn(u16) -> Option<String>,
    /// IFLA_INFO_KIND / IFLA_INFO_SLAVE_KIND seen in the IFLA_LINKINFO being decoded.
    pub link_kind: std::cell::RefCell<String>,
    pub link_slave_kind: std::cell::RefCell<String>,
}

impl Dec<'_> {
    pub fn get(&self, off: u64, n: u64) -> Result<&[u8], Short> {
        let end = off.checked_add(n).ok_or(Short)?;
        if end > self.data.len() as u64 {
            return Err(Short);
        }
        Ok(&self.data[off as usize..end as usize])
    }

    /// Whether strace's read of `n` bytes at `off` fails (the bytes are past a fault).
    pub fn faults(&self, off: u64, n: u64) -> bool {
        self.fault_after && off.saturating_add(n) > self.data.len() as u64
    }

    /// strace's umove_or_printaddr: false (and the address printed) when the read fails.
    pub fn umove(&self, out: &mut String, off: u64, n: u64) -> bool {
        if self.faults(off, n) {
            self.addr(out, off);
            return false;
        }
        true
    }

    /// printaddr of the user address at `off`.
    pub fn addr(&self, out: &mut String, off: u64) {
        super::strfmt::print_addr(out, self.base.wrapping_add(off));
    }

    /// A failed fetch of an array element: `... /* 0x7f.. */`, or the address for the first.
    pub fn fetch_failed(&self, out: &mut String, off: u64, in_array: bool) {
        if in_array {
            out.push_str("... /* ");
            self.addr(out, off);
            out.push_str(" */");
        } else {
            self.addr(out, off);
        }
    }

    /// A little-endian unsigned integer of `n` (1..=8) bytes.
    pub fn uint(&self, off: u64, n: u64) -> Result<u64, Short> {
        let b = self.get(off, n)?;
        let mut v = [0u8; 8];
        v[..b.len().min(8)].copy_from_slice(&b[..b.len().min(8)]);
        Ok(u64::from_le_bytes(v))
    }

    pub fn u8(&self, off: u64) -> Result<u8, Short> {
        Ok(self.uint(off, 1)? as u8)
    }
    pub fn u16(&self, off: u64) -> Result<u16, Short> {
        Ok(self.uint(off, 2)? as u16)
    }
    pub fn u32(&self, off: u64) -> Result<u32, Short> {
        Ok(self.uint(off, 4)? as u32)
    }
    pub fn u64(&self, off: u64) -> Result<u64, Short> {
        self.uint(off, 8)
    }

    fn hdr(&self, off: u64) -> Result<Hdr, Short> {
        Ok(Hdr {
            len: self.u32(off)?,
            ty: self.u16(off + 4)?,
            flags: self.u16(off + 6)?,
            seq: self.u32(off + 8)?,
            pid: self.u32(off + 12)?,
        })
    }

    /// printstr_ex(addr, len, QUOTE_FORCE_HEX).
    pub fn hex_str(&self, out: &mut String, off: u64, len: u64) -> R {
        if self.faults(off, len.min(self.style.max_strlen as u64 + 1)) {
            self.addr(out, off);
            return Ok(());
        }
        let shown = len.min(self.style.max_strlen as u64);
        let b = self.get(off, shown)?;
        let opts = QuoteOpts {
            force_hex: true,
            ..QuoteOpts::default()
        };
        string_quote(out, b, b.len(), opts, self.style.xflag);
        if len > shown {
            out.push_str("...");
        }
        Ok(())
    }

    /// printstrn(addr, len): quoted, `-x` applies, `...` past `-s`.
    pub fn strn(&self, out: &mut String, off: u64, len: u64) -> R {
        if self.faults(off, len.min(self.style.max_strlen as u64 + 1)) {
            self.addr(out, off);
            return Ok(());
        }
        let shown = len.min(self.style.max_strlen as u64);
        let b = self.get(off, shown)?;
        string_quote(out, b, b.len(), QuoteOpts::default(), self.style.xflag);
        if len > shown {
            out.push_str("...");
        }
        Ok(())
    }

    /// printstr_ex(addr, len, QUOTE_OMIT_TRAILING_0 | QUOTE_EXPECT_TRAILING_0) (decode_nla_str):
    /// a trailing NUL among the shown bytes ends the string; `...` when there is none.
    pub fn nla_str(&self, out: &mut String, off: u64, len: u64) -> R {
        if self.faults(off, len.min(self.style.max_strlen as u64 + 1)) {
            self.addr(out, off);
            return Ok(());
        }
        let size = len.min(self.style.max_strlen as u64);
        let b = self.get(off, size)?;
        let xflag = self.style.xflag;
        let hex = xflag == 2
            || (xflag == 1
                && b.iter()
                    .any(|&c| c > 0x7e || (c < b' ' && !(9..=13).contains(&c))));
        if !hex && b.last() == Some(&0) {
            // The NUL ends the string (QUOTE_OMIT_TRAILING_0): no ellipsis.
            string_quote(out, b, b.len() - 1, QuoteOpts::default(), xflag);
            return Ok(());
        }
        string_quote(out, b, b.len(), QuoteOpts::default(), xflag);
        if len > 0 {
            out.push_str("...");
        }
        Ok(())
    }

    /// print_ifindex: `if_nametoindex("lo")` or the number.
    pub fn ifindex(&self, out: &mut String, idx: u32) {
        // print_xlat_ex(index, `if_nametoindex("lo")`, FMT_U): -X applies, numbers in decimal.
        let name = (idx != 0).then(|| (self.ifname)(idx)).flatten();
        let Some(name) = name else {
            let _ = write!(out, "{idx}");
            return;
        };
        let mut t = String::from("if_nametoindex(\"");
        let opts = QuoteOpts {
            zero_terminated: true,
            omit_quotes: true,
            ..QuoteOpts::default()
        };
        string_quote(&mut t, name.as_bytes(), name.len(), opts, self.style.xflag);
        t.push_str("\")");
        match crate::decode::global_opts().xlat {
            crate::decode::XlatStyle::Abbrev => out.push_str(&t),
            crate::decode::XlatStyle::Raw => {
                let _ = write!(out, "{idx}");
            }
            crate::decode::XlatStyle::Verbose => {
                let _ = write!(out, "{idx} /* {t} */");
            }
        }
    }

    /// decode_netlink: one message, or a list of them.
    fn messages(&self, out: &mut String, mut off: u64, mut len: u64) -> R {
        if self.proto == Some(proto::KOBJECT_UEVENT) {
            return misc::kobject_uevent(self, out, off, len);
        }
        let mut is_array = false;
        let mut elt = 0usize;
        loop {
            if len < HDRLEN {
                self.hex_str(out, off, len)?;
                break;
            }
            if self.faults(off, HDRLEN) {
                self.fetch_failed(out, off, is_array);
                break;
            }
            let h = self.hdr(off)?;
            if elt == crate::decode::max_elems(&self.style) {
                out.push_str("...");
                break;
            }
            let aligned = u64::from(h.len.wrapping_add(3) & !3);
            let mut next = None;
            if u64::from(h.len) >= HDRLEN {
                let next_len = len.saturating_sub(aligned);
                if next_len != 0 {
                    next = Some((off + aligned, next_len));
                }
            }
            if !is_array && next.is_some() {
                out.push('[');
                is_array = true;
            }
            self.with_payload(out, &h, off, len)?;
            let Some((noff, nlen)) = next else { break };
            out.push_str(", ");
            off = noff;
            len = nlen;
            elt += 1;
        }
        if is_array {
            out.push(']');
        }
        Ok(())
    }

    /// decode_nlmsghdr_with_payload.
    fn with_payload(&self, out: &mut String, h: &Hdr, off: u64, len: u64) -> R {
        let nlmsg_len = u64::from(h.len).min(len);
        if nlmsg_len > HDRLEN {
            out.push('[');
        }
        self.print_hdr(out, h);
        if nlmsg_len > HDRLEN {
            out.push_str(", ");
            self.payload(out, h, off + HDRLEN, nlmsg_len - HDRLEN)?;
            out.push(']');
        }
        Ok(())
    }

    /// decode_payload.
    fn payload(&self, out: &mut String, h: &Hdr, off: u64, len: u64) -> R {
        if h.ty == NLMSG_ERROR {
            return self.nlmsgerr(out, off, len, h.flags & NLM_F_CAPPED != 0);
        }
        if h.ty >= NLMSG_MIN_TYPE || h.ty == NLMSG_DONE {
            let done = match self.proto {
                Some(proto::ROUTE) => route::decode(self, out, h, off, len)?,
                Some(proto::SOCK_DIAG) => diag::decode(self, out, h, off, len)?,
                Some(proto::NETFILTER) => misc::netfilter(self, out, h, off, len)?,
                Some(proto::SELINUX) => misc::selinux(self, out, h, off, len)?,
                Some(proto::CRYPTO) => misc::crypto(self, out, h, off, len)?,
                _ => false,
            };
            if done {
                return Ok(());
            }
        }
        if h.ty == NLMSG_DONE && len == 4 {
            if self.umove(out, off, 4) {
                let _ = write!(out, "{}", self.u32(off)? as i32);
            }
            return Ok(());
        }
        self.hex_str(out, off, len)
    }

    /// decode_nlmsgerr: `{error=-EINVAL, msg=<request>}`, then the extended-ack attributes.
    fn nlmsgerr(&self, out: &mut String, off: u64, len: u64, capped: bool) -> R {
        // sizeof(struct nlmsgerr): int error + struct nlmsghdr msg.
        if len < 4 + HDRLEN {
            return self.hex_str(out, off, len);
        }
        if !self.umove(out, off, 4 + HDRLEN) {
            return Ok(());
        }
        let error = self.u32(off)? as i32;
        let msg = self.hdr(off + 4)?;
        let len = len - 4;
        let nlmsg_len = u64::from(msg.len).max(HDRLEN);
        let payload = len.min(if capped { HDRLEN } else { nlmsg_len });
        if len > payload {
            out.push('[');
        }
        out.push_str("{error=");
        print_err_neg(out, error);
        out.push_str(", msg=");
        self.with_payload(out, &msg, off + 4, payload)?;
        out.push('}');
        if len > payload {
            out.push_str(", ");
            attr::decode_nlattr(
                self,
                out,
                off + 4 + payload,
                len - payload,
                &attr::NLMSGERR,
                0,
            )?;
            out.push(']');
        }
        Ok(())
    }

    /// print_nlmsghdr.
    fn print_hdr(&self, out: &mut String, h: &Hdr) {
        let _ = write!(out, "{{nlmsg_len={}, nlmsg_type=", h.len);
        self.print_type(out, h.ty);
        out.push_str(", nlmsg_flags=");
        self.print_flags(out, h);
        let _ = write!(out, ", nlmsg_seq={}, nlmsg_pid={}}}", h.seq, h.pid as i32);
    }

    /// decode_nlmsg_type.
    fn print_type(&self, out: &mut String, ty: u16) {
        let p = if ty >= NLMSG_MIN_TYPE {
            self.proto
        } else {
            None
        };
        let (x, dflt): (&Xlat, &str) = match p {
            Some(proto::AUDIT) => (&nx::NL_AUDIT_TYPES, "AUDIT_???"),
            Some(proto::CRYPTO) => (&nx::NL_CRYPTO_TYPES, "CRYPTO_MSG_???"),
            Some(proto::ROUTE) => (&nx::NL_ROUTE_TYPES, "RTM_???"),
            Some(proto::SELINUX) => (&nx::NL_SELINUX_TYPES, "SELNL_MSG_???"),
            Some(proto::SOCK_DIAG) => (&nx::NL_SOCK_DIAG_TYPES, "SOCK_DIAG_???"),
            Some(proto::XFRM) => (&nx::NL_XFRM_TYPES, "XFRM_MSG_???"),
            Some(proto::GENERIC) => {
                match (self.genl_family)(ty) {
                    Some(name) => attr::xlat_ex(out, ty.into(), &name),
                    None if attr::xstyle() == crate::decode::XlatStyle::Raw => {
                        let _ = write!(out, "{ty:#x}");
                    }
                    None => {
                        let _ = write!(out, "{ty:#x} /* GENERIC_FAMILY_??? */");
                    }
                }
                return;
            }
            Some(proto::NETFILTER) => return misc::netfilter_type(out, ty),
            _ => (&nx::NETLINK_TYPES, "NLMSG_???"),
        };
        print_xval_dflt(out, ty.into(), x, Some(dflt));
    }

    /// decode_nlmsg_flags: NLM_F_* and the type's get/new/delete flags.
    fn print_flags(&self, out: &mut String, h: &Hdr) {
        let second: Option<&Xlat> = if h.ty < NLMSG_MIN_TYPE {
            (h.ty == NLMSG_ERROR).then_some(&nx::NETLINK_ACK_FLAGS)
        } else {
            match self.proto {
                Some(proto::CRYPTO) => misc::crypto_flags(h.ty),
                Some(proto::NETFILTER) => misc::netfilter_flags(h.ty),
                Some(proto::ROUTE) => route::flags_table(h.ty),
                Some(proto::SOCK_DIAG) => Some(&nx::NETLINK_GET_FLAGS),
                Some(proto::XFRM) => misc::xfrm_flags(h.ty),
                _ => None,
            }
        };
        print_flags2(out, h.flags.into(), &nx::NETLINK_FLAGS, second, "NLM_F_???");
    }
}

/// printflags_ex(flags, dflt, XLAT_STYLE_DEFAULT, first, second, NULL).
pub(crate) fn print_flags2(
    out: &mut String,
    v: u64,
    first: &Xlat,
    second: Option<&Xlat>,
    dflt: &str,
) {
    use crate::decode::XlatStyle;
    let style = attr::xstyle();
    if style == XlatStyle::Raw {
        push_c_hex(out, v);
        return;
    }
    let (mut names, mut rest) = flag_names(v, first);
    if let Some(x) = second
        && (rest != 0 || names.is_empty())
    {
        let (more, r) = flag_names(rest, x);
        names.extend(more);
        rest = r;
    }
    let dflt = Some(dflt).filter(|d| !d.is_empty());
    crate::decode::xlat::push_flags(out, v, &names, rest, dflt, style == XlatStyle::Verbose);
}

/// printxval with a default comment (`dflt` empty: none).
pub(crate) fn xval(out: &mut String, v: u64, x: &Xlat, dflt: &str) {
    print_xval_dflt(out, v, x, Some(dflt));
}

/// The name of `v` in `x`, if any.
pub(crate) fn xname(x: &Xlat, v: u64) -> Option<&'static str> {
    xlat_lookup(x, v)
}

/// strace's print_err(err, negated = true): `-ENODEV`, or the number.
fn print_err_neg(out: &mut String, err: i32) {
    use crate::decode::XlatStyle;
    let name = (err < 0)
        .then(|| errno_name(u64::from(err.unsigned_abs())))
        .flatten();
    match (name, attr::xstyle()) {
        (Some(name), XlatStyle::Abbrev) => {
            out.push('-');
            out.push_str(name);
        }
        (Some(name), XlatStyle::Verbose) => {
            let _ = write!(out, "{err} /* -{name} */");
        }
        _ => {
            let _ = write!(out, "{err}");
        }
    }
}

/// strace's decode_netlink of a `len`-byte buffer of which `data` (its first bytes) was
/// captured, on a socket of netlink protocol `env.proto`. Returns false, leaving `out`
/// untouched, when strace would have shown bytes beyond `data`.
pub fn decode_netlink(out: &mut String, data: &[u8], len: u64, env: &NlEnv) -> bool {
    decode_netlink_at(out, data, 0, false, len, env)
}

/// [`decode_netlink`] of bytes read at user address `base`; `fault_after`: the bytes past
/// `data` were unreadable (strace prints what it could read, and addresses where reads fail).
pub fn decode_netlink_at(
    out: &mut String,
    data: &[u8],
    base: u64,
    fault_after: bool,
    len: u64,
    env: &NlEnv,
) -> bool {
    let d = Dec {
        data,
        base,
        fault_after,
        style: env.style,
        proto: env.proto,
        ifname: env.ifname,
        genl_family: env.genl_family,
        link_kind: Default::default(),
        link_slave_kind: Default::default(),
    };
    let mut s = String::new();
    match d.messages(&mut s, 0, len) {
        Ok(()) => {
            out.push_str(&s);
            true
        }
        Err(Short) => false,
    }
}

/// [`decode_netlink`] for a socket whose protocol is unknown (generic framing only).
pub fn format_netlink(out: &mut String, data: &[u8], len: u64, style: &Style) -> bool {
    let env = NlEnv {
        style: *style,
        proto: None,
        ifname: &no_names::<u32>,
        genl_family: &no_names::<u16>,
    };
    decode_netlink(out, data, len, &env)
}

/// What strace learns of the call's descriptor for netlink decoding, from the kernel side's
/// socket capture: None when it is not an AF_NETLINK socket (or was not read), Some(None) for a
/// netlink socket whose protocol strace cannot name (not bound yet: sock_diag does not list
/// it), Some(Some(protocol)) otherwise.
pub fn call_netlink(call: &crate::call::Call) -> Option<Option<u32>> {
    use sockscope_common::sk;
    let info = call.sock(0)?;
    if info.known & sk::COMMON == 0 || info.family != 16 {
        return None;
    }
    // strace asks sock_diag in its own network namespace: a socket of another namespace (or
    // not bound yet) is not listed there, and strace decodes only the generic framing.
    let other_ns = info.known & sk::NETNS != 0
        && TRACER_NETNS
            .get()
            .is_some_and(|&ns| ns != 0 && u64::from(info.netns) != ns);
    let known = info.known & sk::PROTO != 0
        && info.known & sk::NETLINK != 0
        && info.portid != 0
        && !other_ns;
    Some(known.then_some(u32::from(info.protocol)))
}

/// The bytes of a netlink buffer as captured: the first segment (status Ok, or a fault with
/// the bytes read before it) and, when that one holds a full MAX_SNAPLEN, the `*_MORE`
/// segment with the next bytes. Returns the bytes and whether a read faulted after them (None:
/// nothing usable).
pub fn captured_bytes<'a>(
    first: Option<&crate::record::Seg<'a>>,
    more: Option<&crate::record::Seg<'a>>,
) -> Option<(std::borrow::Cow<'a, [u8]>, bool)> {
    use crate::record::ReadStatus;
    let first = first.filter(|s| s.status == ReadStatus::Ok || !s.data.is_empty())?;
    if first.status != ReadStatus::Ok {
        return Some((first.data.into(), true));
    }
    match more {
        Some(m) if first.data.len() == sockscope_common::MAX_SNAPLEN as usize => {
            let mut v = first.data.to_vec();
            v.extend_from_slice(m.data);
            Some((v.into(), m.status != ReadStatus::Ok))
        }
        _ => Some((first.data.into(), false)),
    }
}

/// The inode number of the tracer's network namespace (set at start; unset: not checked).
static TRACER_NETNS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

/// Records the tracer's network namespace (the inode of /proc/self/ns/net).
pub fn set_tracer_netns(ino: u64) {
    let _ = TRACER_NETNS.set(ino);
}

#[cfg(test)]
mod tests;
