//! Netlink messages as strace 6.1 prints a buffer on a netlink socket (`src/netlink.c`,
//! `decode_netlink`), for the case strace itself is in: the netlink protocol of the socket is
//! unknown (strace asks sock_diag in its own network namespace; sockscope never learns it), so
//! only the generic framing is decoded:
//!
//! * fewer than 16 bytes: the bytes as a forced-hex string (`-s` applies);
//! * otherwise `{nlmsg_len=.., nlmsg_type=.., nlmsg_flags=.., nlmsg_seq=.., nlmsg_pid=..}`,
//!   as `[{header}, payload]` when the message has a payload, and a list `[msg, msg, ...]` of
//!   such when further messages follow (at most `-s` of them);
//! * payloads: NLMSG_ERROR as `{error=-ENODEV, msg=<the quoted request>}`, NLMSG_DONE of 4
//!   bytes as a number, anything else as a forced-hex string (`-s` applies).
//!
//! Decoding works on the bytes the kernel side captured. Where strace would read further than
//! that, [`format_netlink`] reports it and the caller falls back to the plain string.

use super::Style;
use super::errno::errno_name;
use super::strfmt::{QuoteOpts, string_quote};
use super::xlat::{Xlat, flag_names, print_xval, push_c_hex};
use std::fmt::Write;

/// sizeof(struct nlmsghdr) = NLMSG_HDRLEN.
const HDRLEN: u64 = 16;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
/// NLM_F_CAPPED: the NLMSG_ERROR reply carries only the request's header.
const NLM_F_CAPPED: u16 = 0x100;

/// strace `xlat/netlink_types.in`.
static NETLINK_TYPES: Xlat = Xlat {
    entries: &[
        (1, "NLMSG_NOOP"),
        (2, "NLMSG_ERROR"),
        (3, "NLMSG_DONE"),
        (4, "NLMSG_OVERRUN"),
    ],
    unknown: "NLMSG_???",
};

/// strace `xlat/netlink_flags.in`.
static NETLINK_FLAGS: Xlat = Xlat {
    entries: &[
        (0x1, "NLM_F_REQUEST"),
        (0x2, "NLM_F_MULTI"),
        (0x4, "NLM_F_ACK"),
        (0x8, "NLM_F_ECHO"),
        (0x10, "NLM_F_DUMP_INTR"),
        (0x20, "NLM_F_DUMP_FILTERED"),
    ],
    unknown: "NLM_F_???",
};

/// strace `xlat/netlink_ack_flags.in` (second table for NLMSG_ERROR messages).
static NETLINK_ACK_FLAGS: Xlat = Xlat {
    entries: &[(0x100, "NLM_F_CAPPED"), (0x200, "NLM_F_ACK_TLVS")],
    unknown: "NLM_F_???",
};

/// Reading past the captured bytes: strace would have shown more than sockscope has.
struct Short;

struct Hdr {
    len: u32,
    ty: u16,
    flags: u16,
    seq: u32,
    pid: u32,
}

struct Dec<'a> {
    data: &'a [u8],
    style: &'a Style,
}

impl Dec<'_> {
    fn get(&self, off: u64, n: u64) -> Result<&[u8], Short> {
        let end = off.checked_add(n).ok_or(Short)?;
        if end > self.data.len() as u64 {
            return Err(Short);
        }
        Ok(&self.data[off as usize..end as usize])
    }

    fn hdr(&self, off: u64) -> Result<Hdr, Short> {
        let b = self.get(off, HDRLEN)?;
        let u32at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        Ok(Hdr {
            len: u32at(0),
            ty: u16::from_le_bytes([b[4], b[5]]),
            flags: u16::from_le_bytes([b[6], b[7]]),
            seq: u32at(8),
            pid: u32at(12),
        })
    }

    /// printstr_ex(addr, len, QUOTE_FORCE_HEX).
    fn hex_str(&self, out: &mut String, off: u64, len: u64) -> Result<(), Short> {
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

    /// decode_netlink: one message, or a list of them.
    fn messages(&self, out: &mut String, mut off: u64, mut len: u64) -> Result<(), Short> {
        let mut is_array = false;
        let mut elt = 0usize;
        loop {
            if len < HDRLEN {
                self.hex_str(out, off, len)?;
                break;
            }
            let h = self.hdr(off)?;
            if elt == self.style.max_strlen {
                out.push_str("...");
                break;
            }
            let aligned = u64::from(h.len.wrapping_add(3) & !3);
            let mut next = None;
            if u64::from(h.len) >= HDRLEN {
                let next_len = len.saturating_sub(aligned);
                if len >= aligned && next_len != 0 {
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
    fn with_payload(&self, out: &mut String, h: &Hdr, off: u64, len: u64) -> Result<(), Short> {
        let nlmsg_len = u64::from(h.len).min(len);
        if nlmsg_len > HDRLEN {
            out.push('[');
        }
        print_hdr(out, h);
        if nlmsg_len > HDRLEN {
            out.push_str(", ");
            self.payload(out, h, off + HDRLEN, nlmsg_len - HDRLEN)?;
            out.push(']');
        }
        Ok(())
    }

    /// decode_payload, with no protocol-specific decoder (the protocol is unknown).
    fn payload(&self, out: &mut String, h: &Hdr, off: u64, len: u64) -> Result<(), Short> {
        if h.ty == NLMSG_ERROR {
            return self.nlmsgerr(out, off, len, h.flags & NLM_F_CAPPED != 0);
        }
        if h.ty == NLMSG_DONE && len == 4 {
            let b = self.get(off, 4)?;
            let _ = write!(out, "{}", i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            return Ok(());
        }
        self.hex_str(out, off, len)
    }

    /// decode_nlmsgerr: `{error=-EINVAL, msg=<request>}`.
    fn nlmsgerr(&self, out: &mut String, off: u64, len: u64, capped: bool) -> Result<(), Short> {
        // sizeof(struct nlmsgerr): int error + struct nlmsghdr msg.
        if len < 4 + HDRLEN {
            return self.hex_str(out, off, len);
        }
        let e = self.get(off, 4)?;
        let error = i32::from_le_bytes([e[0], e[1], e[2], e[3]]);
        let msg = self.hdr(off + 4)?;
        let len = len - 4;
        let nlmsg_len = u64::from(msg.len).max(HDRLEN);
        let payload = len.min(if capped { HDRLEN } else { nlmsg_len });
        if len > payload {
            // Extended-ack attributes follow (decode_nlattr): not decoded here.
            return Err(Short);
        }
        out.push_str("{error=");
        print_err_neg(out, error);
        out.push_str(", msg=");
        self.with_payload(out, &msg, off + 4, payload)?;
        out.push('}');
        Ok(())
    }
}

/// strace's print_err(err, negated = true): `-ENODEV`, or the number.
fn print_err_neg(out: &mut String, err: i32) {
    match (err < 0)
        .then(|| errno_name(u64::from(err.unsigned_abs())))
        .flatten()
    {
        Some(name) => {
            out.push('-');
            out.push_str(name);
        }
        None => {
            let _ = write!(out, "{err}");
        }
    }
}

/// print_nlmsghdr for a socket of unknown protocol.
fn print_hdr(out: &mut String, h: &Hdr) {
    let _ = write!(out, "{{nlmsg_len={}, nlmsg_type=", h.len);
    print_xval(out, h.ty.into(), &NETLINK_TYPES);
    out.push_str(", nlmsg_flags=");
    print_nl_flags(out, h);
    let _ = write!(out, ", nlmsg_seq={}, nlmsg_pid={}}}", h.seq, h.pid as i32);
}

/// printflags_ex(flags, "NLM_F_???", netlink_flags, <netlink_ack_flags for NLMSG_ERROR>).
fn print_nl_flags(out: &mut String, h: &Hdr) {
    let (mut names, mut rest) = flag_names(h.flags.into(), &NETLINK_FLAGS);
    if h.ty == NLMSG_ERROR && rest != 0 {
        let (more, r) = flag_names(rest, &NETLINK_ACK_FLAGS);
        names.extend(more);
        rest = r;
    }
    if names.is_empty() {
        push_c_hex(out, rest);
        if rest != 0 {
            out.push_str(" /* NLM_F_??? */");
        }
        return;
    }
    out.push_str(&names.join("|"));
    if rest != 0 {
        out.push('|');
        push_c_hex(out, rest);
    }
}

/// strace's decode_netlink of a `len`-byte buffer of which `data` (its first bytes) was
/// captured. Returns false, leaving `out` untouched, when strace would have shown bytes beyond
/// `data`.
pub fn format_netlink(out: &mut String, data: &[u8], len: u64, style: &Style) -> bool {
    let d = Dec { data, style };
    let mut s = String::new();
    match d.messages(&mut s, 0, len) {
        Ok(()) => {
            out.push_str(&s);
            true
        }
        Err(Short) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nl(data: &[u8], len: u64, max_strlen: usize, xflag: u8) -> Option<String> {
        let mut s = String::new();
        let st = Style { max_strlen, xflag };
        format_netlink(&mut s, data, len, &st).then_some(s)
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // Strings below are what strace 6.1 printed for the conformance corpus (families.c).

    #[test]
    fn request_with_payload() {
        let d = unhex("2000000022000103010000009210000002000000000000000000000000000000");
        assert_eq!(
            nl(&d, 32, 32, 0).unwrap(),
            r#"[{nlmsg_len=32, nlmsg_type=0x22 /* NLMSG_??? */, nlmsg_flags=NLM_F_REQUEST|0x300, nlmsg_seq=1, nlmsg_pid=4242}, "\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"]"#
        );
    }

    #[test]
    fn error_reply() {
        let hdr = |len: u32, ty: u16, flags: u16, seq: u32| {
            let mut v = len.to_le_bytes().to_vec();
            v.extend_from_slice(&ty.to_le_bytes());
            v.extend_from_slice(&flags.to_le_bytes());
            v.extend_from_slice(&seq.to_le_bytes());
            v.extend_from_slice(&4242u32.to_le_bytes());
            v
        };
        let mut d = hdr(52, 2, 0, 1);
        d.extend_from_slice(&(-19i32).to_le_bytes());
        d.extend(hdr(32, 0x12, 1, 1));
        d.extend_from_slice(&[0, 0, 0, 0, 0xe7, 3]);
        d.resize(52, 0);
        let want = r#"[{nlmsg_len=52, nlmsg_type=NLMSG_ERROR, nlmsg_flags=0, nlmsg_seq=1, nlmsg_pid=4242}, {error=-ENODEV, msg=[{nlmsg_len=32, nlmsg_type=0x12 /* NLMSG_??? */, nlmsg_flags=NLM_F_REQUEST, nlmsg_seq=1, nlmsg_pid=4242}, "\x00\x00\x00\x00\xe7\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"]}]"#;
        let d = &d[..52];
        assert_eq!(nl(d, 52, 32, 0).unwrap(), want);
        // Captured only 33 bytes (-s 32): strace would show more, so no decoding.
        assert_eq!(nl(&d[..33], 52, 32, 0), None);
    }

    #[test]
    fn short_and_text() {
        assert_eq!(nl(b"fam", 3, 32, 0).unwrap(), r#""\x66\x61\x6d""#);
        assert_eq!(nl(b"fam", 3, 0, 0).unwrap(), r#"""..."#);
        assert_eq!(
            nl(b"not a netlink message", 21, 32, 0).unwrap(),
            r#"[{nlmsg_len=544501614, nlmsg_type=0x2061 /* NLMSG_??? */, nlmsg_flags=NLM_F_MULTI|NLM_F_ACK|NLM_F_ECHO|NLM_F_DUMP_FILTERED|0x6540, nlmsg_seq=1852402804, nlmsg_pid=1701650539}, "\x73\x73\x61\x67\x65"]"#
        );
    }

    #[test]
    fn several_messages_cut_at_s() {
        let mut d = Vec::new();
        for seq in 0..3u32 {
            d.extend_from_slice(&16u32.to_le_bytes());
            d.extend_from_slice(&3u16.to_le_bytes());
            d.extend_from_slice(&2u16.to_le_bytes());
            d.extend_from_slice(&seq.to_le_bytes());
            d.extend_from_slice(&0u32.to_le_bytes());
        }
        let one = |s: u32| {
            format!(
                "{{nlmsg_len=16, nlmsg_type=NLMSG_DONE, nlmsg_flags=NLM_F_MULTI, nlmsg_seq={s}, nlmsg_pid=0}}"
            )
        };
        assert_eq!(
            nl(&d, 48, 32, 0).unwrap(),
            format!("[{}, {}, {}]", one(0), one(1), one(2))
        );
        assert_eq!(
            nl(&d, 48, 2, 0).unwrap(),
            format!("[{}, {}, ...]", one(0), one(1))
        );
    }
}
