//! The arguments of the data calls (read, write, readv, writev, sendfile, splice) that the
//! message-call decoders do not already cover, as strace 6.1 prints them (`src/io.c`,
//! `src/sendfile.c`, `src/util.c`):
//!
//! * readv/writev's iovec array (`tprint_iov_upto`): at most `-s` elements, then `...`; each
//!   `{iov_base="...", iov_len=N}`; writev shows each iovec's bytes (up to `-s`), readv the bytes
//!   received, shared out over the iovecs in order; a failed readv shows each base as a pointer;
//! * sendfile's offset (`printnum_int64` with `%PRIu64`): `NULL`, the pointer when unreadable,
//!   `[N]` at entry and, when the call returned a positive count, ` => [M]` at exit;
//! * splice's offsets (`%PRId64`), printed at entry only;
//! * splice's flags (SPLICE_F_*);
//! * preadv2/pwritev2's offset (`%lld`) and RWF_* flags (the kernel side stores them as
//!   arguments 3 and 4, as strace prints them).
//!
//! The kernel side reads a `loff_t` at exit only: the entry value is the exit value minus the
//! count returned (the kernel advances the offset by exactly that), or the exit value itself
//! when nothing was moved.

use serde_json::{Value, json};
use sockscope_common::seg;

use super::{
    Style, rd_u64,
    strfmt::{print_addr, quote_buf},
    xlat,
};
use crate::{
    events::Decoder,
    record::{ReadStatus, Record, Seg},
};

use sockscope_common::wire::IOVEC_SIZE;

fn ok<'a>(s: Option<&Seg<'a>>) -> Option<&'a [u8]> {
    s.and_then(Seg::ok_data)
}

/// The captured iovec entries of argument 1, or None when strace would print the pointer.
fn iov_entries<'a>(rec: &Record<'a>) -> Option<&'a [u8]> {
    let (iov, cnt) = (rec.header.args[1], rec.header.args[2]);
    let size = cnt.checked_mul(IOVEC_SIZE as u64)?;
    match iov.checked_add(size) {
        Some(end) if end > iov => {}
        _ => return None,
    }
    ok(rec.seg(seg::IOV, 0)).filter(|d| d.len() >= IOVEC_SIZE)
}

/// What readv/writev show of the iovecs' bytes: None for no limit (writev), the bytes received
/// (readv), and whether bases are printed as pointers (a failed readv).
fn iov_mode(rec: &Record, recv: bool) -> (Option<u64>, bool) {
    let ret = rec.header.ret;
    match (recv, ret < 0) {
        (false, _) => (None, false),
        (true, false) => (Some(ret as u64), false),
        (true, true) => (Some(0), true),
    }
}

/// readv/writev's `iov` argument.
pub fn format_iov(out: &mut String, rec: &Record, recv: bool, style: &Style) {
    let (iov, cnt) = (rec.header.args[1], rec.header.args[2]);
    if iov == 0 {
        out.push_str("NULL");
        return;
    }
    if cnt == 0 {
        out.push_str("[]");
        return;
    }
    let Some(entries) = iov_entries(rec) else {
        print_addr(out, iov);
        return;
    };
    let have = entries.len() / IOVEC_SIZE;
    // strace's print_array: -s elements, all of them with -v.
    let max_el = super::max_elems(style);
    let max = style.max_strlen;
    let (mut left, addr_only) = iov_mode(rec, recv);
    out.push('[');
    for i in 0..cnt
        .min(have as u64 + 1)
        .min((max_el as u64).saturating_add(1)) as usize
    {
        if i > 0 {
            out.push_str(", ");
        }
        if i >= max_el || i >= have {
            out.push_str("...");
            break;
        }
        let base = rd_u64(entries, i * IOVEC_SIZE);
        let len = rd_u64(entries, i * IOVEC_SIZE + 8);
        let shown = match left {
            Some(l) => {
                let n = len.min(l);
                left = Some(l - n);
                n
            }
            None => len,
        };
        out.push_str("{iov_base=");
        if addr_only || base == 0 {
            print_addr(out, base);
        } else {
            match rec.seg(seg::IOV_DATA, i as u16) {
                Some(s) if s.status == ReadStatus::Ok => {
                    let d = &s.data[..s
                        .data
                        .len()
                        .min(max)
                        .min(shown.min(usize::MAX as u64) as usize)];
                    quote_buf(out, d, shown, style);
                }
                None if shown == 0 => quote_buf(out, &[], 0, style),
                _ => print_addr(out, base),
            }
        }
        out.push_str(", iov_len=");
        out.push_str(&len.to_string());
        out.push('}');
    }
    out.push(']');
}

/// The `loff_t` behind argument `i` as read at exit.
fn loff_at_exit(rec: &Record, i: usize) -> Option<u64> {
    ok(rec.seg(seg::LOFF, i as u16))
        .filter(|d| d.len() >= 8)
        .map(|d| rd_u64(d, 0))
}

/// The value at entry: the exit value less what the call moved.
fn loff_at_entry(rec: &Record, at_exit: u64) -> u64 {
    let ret = rec.header.ret;
    if ret > 0 {
        at_exit.wrapping_sub(ret as u64)
    } else {
        at_exit
    }
}

/// sendfile's `offset` (unsigned) or splice's `off_in`/`off_out` (signed).
pub fn format_loff(out: &mut String, rec: &Record, i: usize, in_out: bool) {
    use std::fmt::Write as _;
    let ptr = rec.header.args[i];
    if ptr == 0 {
        out.push_str("NULL");
        return;
    }
    let Some(now) = loff_at_exit(rec, i) else {
        print_addr(out, ptr);
        return;
    };
    let entry = loff_at_entry(rec, now);
    if in_out {
        let _ = write!(out, "[{entry}]");
        if rec.header.ret > 0 {
            let _ = write!(out, " => [{now}]");
        }
    } else {
        let _ = write!(out, "[{}]", entry as i64);
    }
}

/// The text of a data-call argument with one of the decoders of this module.
pub fn arg_text(out: &mut String, rec: &Record, i: usize, decoder: Decoder, style: &Style) {
    match decoder {
        Decoder::IovSend => format_iov(out, rec, false, style),
        Decoder::IovRecv => format_iov(out, rec, true, style),
        Decoder::LoffInOut => format_loff(out, rec, i, true),
        Decoder::Loff => format_loff(out, rec, i, false),
        Decoder::SpliceFlags => {
            xlat::print_flags(out, rec.header.args[i] as u32 as u64, &xlat::SPLICE_FLAGS)
        }
        Decoder::Offset => {
            use std::fmt::Write as _;
            let _ = write!(out, "{}", rec.header.args[i] as i64);
        }
        Decoder::RwfFlags => xlat::print_flags(out, rec.header.args[i], &xlat::RWF_FLAGS),
        _ => {}
    }
}

/// The JSON `value` (and what is decoded of it) of a data-call argument: the iovec list (as a
/// msghdr's msg_iov), the offsets at entry and exit, the flags with their names.
pub fn arg_json(rec: &Record, i: usize, decoder: Decoder, style: &Style) -> Value {
    let v = rec.header.args[i];
    match decoder {
        Decoder::IovSend | Decoder::IovRecv => {
            let Some(entries) = iov_entries(rec).filter(|_| v != 0) else {
                return super::payload::ptr_json(v);
            };
            let (mut left, addr_only) = iov_mode(rec, decoder == Decoder::IovRecv);
            let mut list = Vec::new();
            for (k, e) in entries
                .chunks_exact(IOVEC_SIZE)
                .enumerate()
                .take(rec.header.args[2].min(usize::MAX as u64) as usize)
            {
                let base = rd_u64(e, 0);
                let len = rd_u64(e, 8);
                let shown = match left {
                    Some(l) => {
                        let n = len.min(l);
                        left = Some(l - n);
                        n
                    }
                    None => len,
                };
                let seg = rec.seg(seg::IOV_DATA, k as u16);
                let payload = match seg {
                    _ if base == 0 || addr_only => Value::Null,
                    None if shown == 0 => {
                        json!({"encoding": "hex", "data": "", "captured": 0, "length": 0, "truncated": false})
                    }
                    s => super::payload::payload_json(s, shown, style.max_strlen),
                };
                list.push(
                    json!({"base": super::payload::ptr_json(base), "len": len, "payload": payload}),
                );
            }
            json!({"address": v, "iovecs": list})
        }
        Decoder::LoffInOut | Decoder::Loff => match loff_at_exit(rec, i) {
            Some(now) if v != 0 => {
                json!({"address": v, "atEntry": loff_at_entry(rec, now), "atExit": now})
            }
            _ => super::payload::ptr_json(v),
        },
        Decoder::SpliceFlags => {
            let f = v as u32 as u64;
            let (names, rest) = xlat::flag_names(f, &xlat::SPLICE_FLAGS);
            let mut decoded = String::new();
            xlat::print_flags_abbrev(&mut decoded, f, &xlat::SPLICE_FLAGS);
            json!({"value": f, "decoded": decoded, "names": names, "unknownBits": rest})
        }
        Decoder::Offset => json!(v as i64),
        Decoder::RwfFlags => {
            let (names, rest) = xlat::flag_names(v, &xlat::RWF_FLAGS);
            let mut decoded = String::new();
            xlat::print_flags_abbrev(&mut decoded, v, &xlat::RWF_FLAGS);
            json!({"value": v, "decoded": decoded, "names": names, "unknownBits": rest})
        }
        _ => json!(v),
    }
}

#[cfg(test)]
mod tests {
    use sockscope_common::EventId;

    use super::*;
    use crate::record::RecordBuilder;

    fn text(bytes: &[u8], i: usize, d: Decoder, style: &Style) -> String {
        let rec = Record::parse(bytes).unwrap();
        let mut out = String::new();
        arg_text(&mut out, &rec, i, d, style);
        out
    }

    fn iov(entries: &[(u64, u64)]) -> Vec<u8> {
        entries
            .iter()
            .flat_map(|(b, l)| b.to_le_bytes().into_iter().chain(l.to_le_bytes()))
            .collect()
    }

    #[test]
    fn writev_and_readv() {
        let s = Style::default();
        let w = RecordBuilder::new(EventId::Writev, [3, 0x1000, 2, 0, 0, 0], 5)
            .seg(seg::IOV, 0, 0x1000, &iov(&[(0x2000, 2), (0x3000, 3)]))
            .seg(seg::IOV_DATA, 0, 0x2000, b"he")
            .seg(seg::IOV_DATA, 1, 0x3000, b"llo")
            .build();
        assert_eq!(
            text(&w, 1, Decoder::IovSend, &s),
            r#"[{iov_base="he", iov_len=2}, {iov_base="llo", iov_len=3}]"#
        );
        let r = RecordBuilder::new(EventId::Readv, [3, 0x1000, 2, 0, 0, 0], 3)
            .seg(seg::IOV, 0, 0x1000, &iov(&[(0x2000, 2), (0x3000, 16)]))
            .seg(seg::IOV_DATA, 0, 0x2000, b"ab")
            .seg(seg::IOV_DATA, 1, 0x3000, b"c")
            .build();
        assert_eq!(
            text(&r, 1, Decoder::IovRecv, &s),
            r#"[{iov_base="ab", iov_len=2}, {iov_base="c", iov_len=16}]"#
        );
        let f = RecordBuilder::new(EventId::Readv, [3, 0x1000, 1, 0, 0, 0], -11)
            .seg(seg::IOV, 0, 0x1000, &iov(&[(0x2000, 16)]))
            .build();
        assert_eq!(
            text(&f, 1, Decoder::IovRecv, &s),
            "[{iov_base=0x2000, iov_len=16}]"
        );
        // More iovecs than -s: the first -s, then "...".
        let st = Style {
            max_strlen: 1,
            xflag: 0,
        };
        assert_eq!(
            text(&w, 1, Decoder::IovSend, &st),
            r#"[{iov_base="h"..., iov_len=2}, ...]"#
        );
        let bad = RecordBuilder::new(EventId::Writev, [3, 0x1000, 2, 0, 0, 0], -14)
            .fault(seg::IOV, 0, 0x1000)
            .build();
        assert_eq!(text(&bad, 1, Decoder::IovSend, &s), "0x1000");
    }

    #[test]
    fn preadv2_pwritev2() {
        let s = Style::default();
        let r = RecordBuilder::new(EventId::Preadv2, [3, 0x1000, 1, u64::MAX, 8, 0], 2)
            .seg(seg::IOV, 0, 0x1000, &iov(&[(0x2000, 16)]))
            .seg(seg::IOV_DATA, 0, 0x2000, b"hi")
            .build();
        assert_eq!(text(&r, 3, Decoder::Offset, &s), "-1");
        assert_eq!(text(&r, 4, Decoder::RwfFlags, &s), "RWF_NOWAIT");
        assert_eq!(
            text(&r, 1, Decoder::IovRecv, &s),
            r#"[{iov_base="hi", iov_len=16}]"#
        );
        let w = RecordBuilder::new(EventId::Pwritev2, [3, 0x1000, 1, u64::MAX, 0x40, 0], 2).build();
        assert_eq!(text(&w, 4, Decoder::RwfFlags, &s), "0x40 /* RWF_??? */");
    }

    #[test]
    fn sendfile_and_splice_offsets() {
        let s = Style::default();
        let ok = RecordBuilder::new(EventId::Sendfile, [4, 5, 0x1000, 100000, 0, 0], 100000)
            .seg(seg::LOFF, 2, 0x1000, &100000u64.to_le_bytes())
            .build();
        assert_eq!(text(&ok, 2, Decoder::LoffInOut, &s), "[0] => [100000]");
        let failed = RecordBuilder::new(EventId::Sendfile, [4, 5, 0x1000, 10, 0, 0], -32)
            .seg(seg::LOFF, 2, 0x1000, &7u64.to_le_bytes())
            .build();
        assert_eq!(text(&failed, 2, Decoder::LoffInOut, &s), "[7]");
        let null = RecordBuilder::new(EventId::Sendfile, [4, 5, 0, 65536, 0, 0], 65536).build();
        assert_eq!(text(&null, 2, Decoder::LoffInOut, &s), "NULL");
        let sp = RecordBuilder::new(EventId::Splice, [3, 0x1000, 5, 0, 100, 0x15], -29)
            .seg(seg::LOFF, 1, 0x1000, &(-1i64).to_le_bytes())
            .build();
        assert_eq!(text(&sp, 1, Decoder::Loff, &s), "[-1]");
        assert_eq!(text(&sp, 3, Decoder::Loff, &s), "NULL");
        assert_eq!(
            text(&sp, 5, Decoder::SpliceFlags, &s),
            "SPLICE_F_MOVE|SPLICE_F_MORE|0x10"
        );
        let sp0 = RecordBuilder::new(EventId::Splice, [3, 0, 5, 0, 100, 0x20], 1).build();
        assert_eq!(
            text(&sp0, 5, Decoder::SpliceFlags, &s),
            "0x20 /* SPLICE_F_??? */"
        );
    }
}
