//! Netlink attributes (struct nlattr trees) as strace 6.1 prints them (`decode_nlattr`), and the
//! leaf decoders its attribute tables use. An attribute set is data: its type names, the
//! comment for an unknown type, and each type's decoder.

use super::{Dec, R, Short, xval};
use crate::decode::sockaddr::ntop6;
use crate::decode::xlat as nx;
use crate::decode::xlat::Xlat;
use std::fmt::Write;

/// sizeof(struct nlattr).
pub(crate) const NLA_HDRLEN: u64 = 4;
const NLA_F_NESTED: u16 = 0x8000;
const NLA_F_NET_BYTEORDER: u16 = 0x4000;
const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);

/// A decoder of an attribute's payload (`off`, `len`) with the caller's context `ctx` (strace's
/// opaque_data: the enclosing structure's family, or the attribute type). Ok(false): not
/// decoded, strace prints the payload as a forced-hex string.
pub(crate) type Custom = fn(&Dec, &mut String, u64, u64, u64) -> Result<bool, Short>;

/// How one attribute's payload is printed (the set of strace's decode_nla_* leaf decoders;
/// some are not used by a table yet).
#[allow(dead_code)]
#[derive(Clone, Copy)]
pub(crate) enum Nla {
    /// decode_nla_str: a string whose trailing NUL is not shown.
    Str,
    /// decode_nla_strn: printstrn.
    Strn,
    U8,
    U16,
    U32,
    U64,
    S8,
    S16,
    S32,
    S64,
    X8,
    X16,
    X32,
    X64,
    /// decode_nla_xint: X8/X16/X32/X64 by the payload's length (declined otherwise).
    Xint,
    Ifindex,
    InAddr,
    In6Addr,
    Be16,
    Be64,
    Fd,
    Uid,
    Meminfo,
    /// decode_nla_xval with (table, dflt, size).
    Xval(&'static Xlat, &'static str, u8),
    /// decode_nla_flags with (table, dflt, size).
    Flags(&'static Xlat, &'static str, u8),
    /// A value of exactly `size` bytes (shorter: declined; longer: its first bytes), printxval.
    Val(&'static Xlat, &'static str, u8),
    /// As Val, printflags.
    Flg(&'static Xlat, &'static str, u8),
    /// print_array_ex with PAF_PRINT_INDICES: `[[NAME]=v, ...]` of `size`-byte elements, index
    /// names from the table (signed elements and FMT_D indices when the bool is set).
    Indexed(&'static Xlat, &'static str, u8, bool),
    /// decode_nla_clock_t: `12345 /* 123.45 s */`.
    ClockT,
    /// A struct of `size` bytes printed field by field (`{name=.., ...}`; shorter: declined).
    Struct(u64, &'static [Fld]),
    /// A nested attribute set.
    Nested(&'static Attrs),
    Custom(Custom),
}

/// An attribute set: type names, the unknown-type comment, decoders by type.
pub(crate) struct Attrs {
    pub table: &'static Xlat,
    pub dflt: &'static str,
    /// Decoders by the type's name in `table`.
    pub dec: &'static [(&'static str, Nla)],
    /// strace's "size 0" tables: one decoder for every type, given the type as context.
    pub all: Option<Nla>,
}

impl Attrs {
    fn decoder(&self, ty: u16) -> Option<Nla> {
        if let Some(a) = self.all {
            return Some(a);
        }
        let name = super::xname(self.table, ty.into())?;
        self.dec.iter().find(|e| e.0 == name).map(|e| e.1)
    }
}

/// NLMSGERR_ATTR_* (extended acknowledgement).
pub(crate) static NLMSGERR: Attrs = Attrs {
    table: &nx::NLMSGERR_ATTRS,
    dflt: "NLMSGERR_ATTR_???",
    dec: &[
        ("NLMSGERR_ATTR_MSG", Nla::Str),
        ("NLMSGERR_ATTR_OFFS", Nla::U32),
        ("NLMSGERR_ATTR_COOKIE", Nla::Custom(cookie)),
    ],
    all: None,
};

fn cookie(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    array(d, out, off, len, 1, |d, out, o| {
        let _ = write!(out, "{}", d.u8(o)?);
        Ok(())
    })?;
    Ok(true)
}

/// print_array over `len / size` elements of `size` bytes: `[a, b, ...]`, at most `-s` shown.
pub(crate) fn array(
    d: &Dec,
    out: &mut String,
    off: u64,
    len: u64,
    size: u64,
    mut elem: impl FnMut(&Dec, &mut String, u64) -> R,
) -> R {
    let n = len / size;
    for i in 0..n {
        if i > 0 {
            out.push_str(", ");
        }
        let o = off + i * size;
        if d.faults(o, size) {
            if i == 0 {
                d.addr(out, o);
                return Ok(());
            }
            d.fetch_failed(out, o, true);
            break;
        }
        if i == 0 {
            out.push('[');
        }
        if i as usize >= max_elems(d) {
            out.push_str("...");
            break;
        }
        elem(d, out, o)?;
    }
    if n == 0 {
        out.push('[');
    }
    out.push(']');
    Ok(())
}

/// print_nlattr: `{nla_len=8, nla_type=IFLA_MTU}`.
fn print_nlattr(out: &mut String, len: u16, ty: u16, a: &Attrs) {
    let _ = write!(out, "{{nla_len={len}, nla_type=");
    if ty & NLA_F_NESTED != 0 {
        xlat_ex(out, NLA_F_NESTED.into(), "NLA_F_NESTED");
        out.push('|');
    }
    if ty & NLA_F_NET_BYTEORDER != 0 {
        xlat_ex(out, NLA_F_NET_BYTEORDER.into(), "NLA_F_NET_BYTEORDER");
        out.push('|');
    }
    xval(out, (ty & NLA_TYPE_MASK).into(), a.table, a.dflt);
    out.push('}');
}

/// decode_nlattr: one attribute, or a list of them.
pub(crate) fn decode_nlattr(
    d: &Dec,
    out: &mut String,
    mut off: u64,
    mut len: u64,
    a: &Attrs,
    ctx: u64,
) -> R {
    let mut is_array = false;
    let mut elt = 0usize;
    loop {
        if len < NLA_HDRLEN {
            d.hex_str(out, off, len)?;
            break;
        }
        if d.faults(off, NLA_HDRLEN) {
            d.fetch_failed(out, off, is_array);
            break;
        }
        let nla_len = d.u16(off)?;
        let nla_type = d.u16(off + 2)?;
        if elt == max_elems(d) {
            out.push_str("...");
            break;
        }
        let aligned = (u64::from(nla_len) + 3) & !3;
        let mut next = None;
        if u64::from(nla_len) >= NLA_HDRLEN {
            let next_len = len.saturating_sub(aligned);
            if next_len != 0 {
                next = Some((off + aligned, next_len));
            }
        }
        if !is_array && next.is_some() {
            out.push('[');
            is_array = true;
        }
        with_data(d, out, nla_len, nla_type, off, len, a, ctx)?;
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

/// decode_nlattr_with_data.
#[allow(clippy::too_many_arguments)]
fn with_data(
    d: &Dec,
    out: &mut String,
    nla_len: u16,
    nla_type: u16,
    off: u64,
    len: u64,
    a: &Attrs,
    ctx: u64,
) -> R {
    let n = u64::from(nla_len).min(len);
    if n > NLA_HDRLEN {
        out.push('[');
    }
    print_nlattr(out, nla_len, nla_type, a);
    if n > NLA_HDRLEN {
        out.push_str(", ");
        let poff = off + NLA_HDRLEN;
        let plen = n - NLA_HDRLEN;
        let ty = nla_type & NLA_TYPE_MASK;
        let ctx = if a.all.is_some() {
            u64::from(nla_type)
        } else {
            ctx
        };
        let mut s = String::new();
        let done = match a.decoder(ty) {
            Some(dec) => leaf(d, &mut s, dec, poff, plen, ctx)?,
            None => false,
        };
        if done {
            out.push_str(&s);
        } else {
            d.hex_str(out, poff, plen)?;
        }
        out.push(']');
    }
    Ok(())
}

/// One leaf decoder; Ok(false) when it declines (strace then prints hex).
pub(crate) fn leaf(
    d: &Dec,
    out: &mut String,
    dec: Nla,
    off: u64,
    len: u64,
    ctx: u64,
) -> Result<bool, Short> {
    let int = |out: &mut String, size: u64, f: &dyn Fn(u64) -> String| -> Result<bool, Short> {
        if len < size {
            return Ok(false);
        }
        if !d.umove(out, off, size) {
            return Ok(true);
        }
        let v = d.uint(off, size)?;
        out.push_str(&f(v));
        Ok(true)
    };
    match dec {
        Nla::Str => d.nla_str(out, off, len).map(|_| true),
        Nla::Strn => d.strn(out, off, len).map(|_| true),
        Nla::U8 | Nla::U16 | Nla::U32 | Nla::U64 => {
            let size = match dec {
                Nla::U8 => 1,
                Nla::U16 => 2,
                Nla::U32 => 4,
                _ => 8,
            };
            int(out, size, &|v| v.to_string())
        }
        Nla::S8 => int(out, 1, &|v| (v as i8).to_string()),
        Nla::S16 => int(out, 2, &|v| (v as i16).to_string()),
        Nla::S32 => int(out, 4, &|v| (v as i32).to_string()),
        Nla::S64 => int(out, 8, &|v| (v as i64).to_string()),
        Nla::X8 | Nla::X16 | Nla::X32 | Nla::X64 => {
            let size = match dec {
                Nla::X8 => 1,
                Nla::X16 => 2,
                Nla::X32 => 4,
                _ => 8,
            };
            int(out, size, &|v| c_hex(v))
        }
        Nla::Xint => match len {
            1 => leaf(d, out, Nla::X8, off, len, ctx),
            2 => leaf(d, out, Nla::X16, off, len, ctx),
            4 => leaf(d, out, Nla::X32, off, len, ctx),
            8 => leaf(d, out, Nla::X64, off, len, ctx),
            _ => Ok(false),
        },
        Nla::Ifindex => {
            if len < 4 {
                return Ok(false);
            }
            if !d.umove(out, off, 4) {
                return Ok(true);
            }
            let v = d.u32(off)?;
            d.ifindex(out, v);
            Ok(true)
        }
        Nla::InAddr => {
            if len < 4 {
                return Ok(false);
            }
            if !d.umove(out, off, 4) {
                return Ok(true);
            }
            print_inet(out, 2, d.get(off, 4)?, None);
            Ok(true)
        }
        Nla::In6Addr => {
            if len < 16 {
                return Ok(false);
            }
            if !d.umove(out, off, 16) {
                return Ok(true);
            }
            print_inet(out, 10, d.get(off, 16)?, None);
            Ok(true)
        }
        Nla::Be16 => int(out, 2, &|v| format!("htons({})", (v as u16).swap_bytes())),
        Nla::Be64 => int(out, 8, &|v| format!("htobe64({})", v.swap_bytes())),
        Nla::Fd => int(out, 4, &|v| (v as i32).to_string()),
        Nla::Uid => int(out, 4, &|v| {
            if v as u32 == u32::MAX {
                "-1".into()
            } else {
                v.to_string()
            }
        }),
        Nla::Meminfo => leaf(
            d,
            out,
            Nla::Indexed(&nx::NETLINK_SK_MEMINFO_INDICES, "SK_MEMINFO_???", 4, false),
            off,
            len,
            ctx,
        ),
        Nla::Indexed(x, dflt, size, signed) => {
            let size = u64::from(size);
            let n = len / size;
            if n == 0 {
                return Ok(false);
            }
            let mut i = 0u64;
            array(d, out, off, n * size, size, |d, out, o| {
                out.push('[');
                print_index(out, i, x, dflt);
                let v = d.uint(o, size)?;
                if signed {
                    let sv = match size {
                        1 => v as i8 as i64,
                        2 => v as i16 as i64,
                        4 => v as i32 as i64,
                        _ => v as i64,
                    };
                    let _ = write!(out, "]={sv}");
                } else {
                    let _ = write!(out, "]={v}");
                }
                i += 1;
                Ok(())
            })?;
            Ok(true)
        }
        Nla::ClockT => {
            if len > 8 {
                return Ok(false);
            }
            if !d.umove(out, off, len) {
                return Ok(true);
            }
            let v = d.uint(off, len)?;
            print_clock_t(out, v);
            Ok(true)
        }
        Nla::Xval(x, dflt, size) | Nla::Flags(x, dflt, size) => {
            let size = u64::from(size);
            if len > 8 || len < size {
                return Ok(false);
            }
            let n = if size != 0 { len.min(size) } else { len };
            if !d.umove(out, off, n) {
                return Ok(true);
            }
            let v = d.uint(off, n)?;
            if matches!(dec, Nla::Xval(..)) {
                xval(out, v, x, dflt);
            } else {
                super::print_flags2(out, v, x, None, dflt);
            }
            Ok(true)
        }
        Nla::Val(x, dflt, size) | Nla::Flg(x, dflt, size) => {
            let size = u64::from(size);
            if len < size {
                return Ok(false);
            }
            if !d.umove(out, off, size) {
                return Ok(true);
            }
            let v = d.uint(off, size)?;
            if matches!(dec, Nla::Val(..)) {
                xval(out, v, x, dflt);
            } else {
                super::print_flags2(out, v, x, None, dflt);
            }
            Ok(true)
        }
        Nla::Struct(size, fields) => struct_payload(d, out, off, len, size, fields),
        Nla::Nested(a) => decode_nlattr(d, out, off, len, a, ctx).map(|_| true),
        Nla::Custom(f) => f(d, out, off, len, ctx),
    }
}

/// C's `%#x`.
pub(crate) fn c_hex(v: u64) -> String {
    if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    }
}

/// decode_inet_addr(family): `inet_addr("..")`, `inet_pton(AF_INET6, "..")`, or hex when the
/// family has no address form or the payload is shorter than it. `name` is the field name
/// printed before it (strace's var_name), if any.
pub(crate) fn inet_addr(
    d: &Dec,
    out: &mut String,
    off: u64,
    len: u64,
    family: u64,
    name: Option<&str>,
) -> R {
    let size = match family {
        2 => 4,
        10 => 16,
        _ => 0,
    };
    if size == 0 || len < size {
        if let Some(n) = name {
            out.push_str(n);
            out.push('=');
        }
        return d.hex_str(out, off, len);
    }
    if d.faults(off, size) {
        if let Some(n) = name {
            out.push_str(n);
            out.push('=');
        }
        d.addr(out, off);
        return Ok(());
    }
    print_inet(out, family, d.get(off, size)?, name);
    Ok(())
}

/// How one field of a fixed structure is printed (strace's PRINT_FIELD_*).
#[derive(Clone, Copy)]
pub(crate) enum Fk {
    /// PRINT_FIELD_U.
    U,
    /// PRINT_FIELD_D.
    D,
    /// PRINT_FIELD_X.
    X,
    /// PRINT_FIELD_X, only when not zero (padding strace shows when set).
    XIfSet,
    /// PRINT_FIELD_0X: `%#0*x` with twice the size as width.
    X0,
    /// PRINT_FIELD_XVAL(table, dflt).
    Xval(&'static Xlat, &'static str),
    /// PRINT_FIELD_FLAGS(table, dflt).
    Flags(&'static Xlat, &'static str),
    /// PRINT_FIELD_IFINDEX.
    Ifindex,
    /// PRINT_FIELD_COOKIE: two u32 as `[a, b]`.
    Cookie,
    /// PRINT_FIELD_INET_DIAG_SOCKID, addresses of the message's family (0) or of this one.
    SockId(u8),
    /// netlink_diag_req's sdiag_protocol: NDIAG_PROTO_ALL or a NETLINK_* protocol.
    NdiagProto,
}

/// A field: name, offset, size in bytes, how it is printed.
pub(crate) type Fld = (&'static str, u64, u64, Fk);

/// `, name=value` for each field of the structure at `off` (the bytes must be there).
pub(crate) fn print_fields(d: &Dec, out: &mut String, off: u64, fields: &[Fld], family: u8) -> R {
    for &(name, foff, size, kind) in fields {
        if let Fk::SockId(f) = kind {
            out.push_str(", ");
            out.push_str(name);
            out.push('=');
            sockid(d, out, off + foff, if f == 0 { family } else { f })?;
            continue;
        }
        if let Fk::Cookie = kind {
            let _ = write!(
                out,
                ", {name}=[{}, {}]",
                d.u32(off + foff)?,
                d.u32(off + foff + 4)?
            );
            continue;
        }
        let v = d.uint(off + foff, size)?;
        if matches!(kind, Fk::XIfSet) && v == 0 {
            continue;
        }
        out.push_str(", ");
        out.push_str(name);
        out.push('=');
        match kind {
            Fk::U => {
                let _ = write!(out, "{v}");
            }
            Fk::D => {
                let sv = match size {
                    1 => v as i8 as i64,
                    2 => v as i16 as i64,
                    4 => v as i32 as i64,
                    _ => v as i64,
                };
                let _ = write!(out, "{sv}");
            }
            Fk::X | Fk::XIfSet => out.push_str(&c_hex(v)),
            Fk::X0 => {
                let w = 2 * size as usize;
                if v == 0 {
                    out.push_str(&"0".repeat(w));
                } else {
                    let _ = write!(out, "{v:#0w$x}");
                }
            }
            Fk::Xval(x, dflt) => xval(out, v, x, dflt),
            Fk::Flags(x, dflt) => super::print_flags2(out, v, x, None, dflt),
            Fk::Ifindex => d.ifindex(out, v as u32),
            Fk::NdiagProto if v == 255 => xlat_ex(out, v, "NDIAG_PROTO_ALL"),
            Fk::NdiagProto => xval(out, v, &nx::NETLINK_PROTOCOLS, "NETLINK_???"),
            Fk::Cookie | Fk::SockId(_) => {}
        }
    }
    Ok(())
}

/// A `{a=.., b=..}` structure of `size` bytes as an attribute payload (declined when shorter).
pub(crate) fn struct_payload(
    d: &Dec,
    out: &mut String,
    off: u64,
    len: u64,
    size: u64,
    fields: &[Fld],
) -> Result<bool, Short> {
    if len < size {
        return Ok(false);
    }
    if !d.umove(out, off, size) {
        return Ok(true);
    }
    let mut s = String::new();
    print_fields(d, &mut s, off, fields, 0)?;
    out.push('{');
    out.push_str(s.strip_prefix(", ").unwrap_or(&s));
    out.push('}');
    Ok(true)
}

/// print_inet_diag_sockid: `{idiag_sport=htons(..), idiag_dport=.., idiag_src=.., idiag_dst=..,
/// idiag_if=.., idiag_cookie=[..]}`.
fn sockid(d: &Dec, out: &mut String, off: u64, family: u8) -> R {
    let b = d.get(off, 48)?;
    out.push('{');
    for (name, at) in [("idiag_sport", 0usize), ("idiag_dport", 2)] {
        let port = u16::from_be_bytes([b[at], b[at + 1]]);
        x_bytes(out, Some(name), &b[at..at + 2], |o| {
            let _ = write!(o, "htons({port})");
        });
        out.push_str(", ");
    }
    for (name, at) in [("idiag_src", 4usize), ("idiag_dst", 20)] {
        print_inet(out, family.into(), &b[at..at + 16], Some(name));
        out.push_str(", ");
    }
    out.push_str("idiag_if=");
    d.ifindex(out, d.u32(off + 36)?);
    let _ = write!(
        out,
        ", idiag_cookie=[{}, {}]}}",
        d.u32(off + 40)?,
        d.u32(off + 44)?
    );
    Ok(())
}

/// A message's fixed structure: the family field's name, the structure's size, the fields after
/// the family, the attributes after it. `family_only`: strace prints just the family and reads
/// the attributes past the structure whatever the length.
pub(crate) struct Msg {
    pub family: &'static str,
    pub size: u64,
    pub fields: &'static [Fld],
    pub attrs: Option<&'static Attrs>,
    pub family_only: bool,
}

/// The common shape of the rtnl and sock_diag decoders: `{family=.., fields..}` (or
/// `{family=.., ...}` when the payload is shorter than the structure), then `, attributes`
/// past the aligned structure.
pub(crate) fn decode_msg(d: &Dec, out: &mut String, m: &Msg, family: u8, off: u64, len: u64) -> R {
    out.push('{');
    out.push_str(m.family);
    out.push('=');
    xval(out, family.into(), &nx::ADDRESS_FAMILIES, "AF_???");
    let mut attrs = m.family_only;
    if !m.family_only {
        if len >= m.size {
            out.push_str(", ");
            if d.umove(out, off + 1, m.size - 1) {
                out.truncate(out.len() - 2);
                print_fields(d, out, off, m.fields, family)?;
                attrs = true;
            }
        } else {
            out.push_str(", ...");
        }
    }
    out.push('}');
    let aligned = (m.size + 3) & !3;
    if let Some(a) = m.attrs
        && attrs
        && len > aligned
    {
        out.push_str(", ");
        decode_nlattr(d, out, off + aligned, len - aligned, a, family.into())?;
    }
    Ok(())
}

/// print_clock_t with the USER_HZ of Linux on x86_64 (100): `250 /* 2.50 s */`.
pub(crate) fn print_clock_t(out: &mut String, v: u64) {
    const HZ: u64 = 100;
    let _ = write!(out, "{v}");
    if v > 0 && xstyle() != crate::decode::XlatStyle::Raw {
        let _ = write!(out, " /* {}.{:02} s */", v / HZ, v % HZ);
    }
}

// ---------------------------------------------------------------------------------------------
// strace's -X (raw / abbrev / verbose) and -v for the netlink decoders.

/// The -X style in force.
pub(crate) fn xstyle() -> crate::decode::XlatStyle {
    crate::decode::global_opts().xlat
}

/// The most elements of an array, messages of a buffer, attributes of a nest (`-s`; all
/// with -v).
pub(crate) fn max_elems(d: &Dec) -> usize {
    crate::decode::max_elems(&d.style)
}

/// print_xlat_ex(v, name, XLAT_STYLE_DEFAULT): `NAME`, `0x10`, or `0x10 /* NAME */`.
pub(crate) fn xlat_ex(out: &mut String, v: u64, name: &str) {
    use crate::decode::XlatStyle;
    match xstyle() {
        XlatStyle::Abbrev => out.push_str(name),
        XlatStyle::Raw => out.push_str(&c_hex(v)),
        XlatStyle::Verbose => {
            let _ = write!(out, "{} /* {name} */", c_hex(v));
        }
    }
}

/// A value printed from its raw bytes under -X raw, as text under -X abbrev, both under -X
/// verbose (`"\x7f\x00\x00\x01" /* inet_addr("127.0.0.1") */`); `name=` before it if given.
pub(crate) fn x_bytes(
    out: &mut String,
    name: Option<&str>,
    raw: &[u8],
    text: impl FnOnce(&mut String),
) {
    use crate::decode::XlatStyle;
    if let Some(n) = name {
        out.push_str(n);
        out.push('=');
    }
    match xstyle() {
        XlatStyle::Abbrev => text(out),
        XlatStyle::Raw => crate::decode::strfmt::quote_bytes_hex(out, raw),
        XlatStyle::Verbose => {
            crate::decode::strfmt::quote_bytes_hex(out, raw);
            out.push_str(" /* ");
            text(out);
            out.push_str(" */");
        }
    }
}

/// print_inet_addr(af, field bytes, var_name): IPv4 `name=inet_addr("..")`, IPv6
/// `inet_pton(AF_INET6, "..", &name)`, another family the field's bytes in hex; -X applies.
pub(crate) fn print_inet(out: &mut String, af: u64, raw: &[u8], name: Option<&str>) {
    use crate::decode::XlatStyle;
    match af {
        2 if raw.len() >= 4 => {
            let t = format!("inet_addr(\"{}.{}.{}.{}\")", raw[0], raw[1], raw[2], raw[3]);
            x_bytes(out, name, raw, |o| o.push_str(&t));
        }
        10 if raw.len() >= 16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&raw[..16]);
            let ip = ntop6(&a);
            let style = xstyle();
            if style != XlatStyle::Abbrev {
                if let Some(n) = name {
                    out.push_str(n);
                    out.push('=');
                }
                crate::decode::strfmt::quote_bytes_hex(out, raw);
                if style == XlatStyle::Raw {
                    return;
                }
                let _ = write!(out, " /* inet_pton(AF_INET6, \"{ip}\") */");
                return;
            }
            match name {
                Some(n) => {
                    let _ = write!(out, "inet_pton(AF_INET6, \"{ip}\", &{n})");
                }
                None => {
                    let _ = write!(out, "inet_pton(AF_INET6, \"{ip}\")");
                }
            }
        }
        _ => {
            if let Some(n) = name {
                out.push_str(n);
                out.push('=');
            }
            crate::decode::strfmt::quote_bytes_hex(out, raw);
        }
    }
}

/// print_mac_addr / print_hwaddr of `shown` bytes (`raw` are all the field's bytes, shown
/// under -X raw/verbose): `00:11:22:33:44:55`.
pub(crate) fn print_mac(out: &mut String, raw: &[u8], shown: usize) {
    let mut t = String::new();
    for (i, c) in raw[..shown.min(raw.len())].iter().enumerate() {
        if i > 0 {
            t.push(':');
        }
        let _ = write!(t, "{c:02x}");
    }
    x_bytes(out, None, raw, |o| o.push_str(&t));
}

/// An array index printed with PAF_PRINT_INDICES (printxval_ex with a decimal format):
/// `NAME`, `5 /* DFLT */`; -X raw `5`; -X verbose `5 /* NAME */`.
pub(crate) fn print_index(out: &mut String, i: u64, x: &Xlat, dflt: &str) {
    use crate::decode::XlatStyle;
    let style = xstyle();
    match super::xname(x, i) {
        Some(name) if style == XlatStyle::Abbrev => out.push_str(name),
        Some(name) if style == XlatStyle::Verbose => {
            let _ = write!(out, "{i} /* {name} */");
        }
        None if style != XlatStyle::Raw && !dflt.is_empty() => {
            let _ = write!(out, "{i} /* {dflt} */");
        }
        _ => {
            let _ = write!(out, "{i}");
        }
    }
}
