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

use serde_json::Value;

use crate::render::json::model::{ArgValue, Flags, Iovec, IovecArray, Loff, Payload, Ptr};

use super::{
    Style, rd_u64,
    strfmt::{print_addr, quote_buf},
    xlat,
};
use crate::{call::Call, events::Decoder, record::ReadStatus};

use sockscope_common::wire::IOVEC_SIZE;

/// The captured iovec entries of argument 1, or None when strace would print the pointer.
fn iov_entries<'a>(call: &Call<'_, 'a>) -> Option<&'a [u8]> {
    let (iov, cnt) = (call.arg(1), call.arg(2));
    let size = cnt.checked_mul(IOVEC_SIZE as u64)?;
    match iov.checked_add(size) {
        Some(end) if end > iov => {}
        _ => return None,
    }
    call.iov(0).filter(|d| d.len() >= IOVEC_SIZE)
}

/// What readv/writev show of the iovecs' bytes: None for no limit (writev), the bytes received
/// (readv), and whether bases are printed as pointers (a failed readv).
fn iov_mode(call: &Call, recv: bool) -> (Option<u64>, bool) {
    let ret = call.ret();
    match (recv, ret < 0) {
        (false, _) => (None, false),
        (true, false) => (Some(ret as u64), false),
        (true, true) => (Some(0), true),
    }
}

/// readv/writev's `iov` argument.
pub fn format_iov(out: &mut String, call: &Call, recv: bool, style: &Style) {
    let (left, addr_only) = iov_mode(call, recv);
    let max = style.max_strlen;
    let entries = iov_entries(call);
    let max_el = super::max_elems(style);
    print_iov_array(
        out,
        call.arg(1),
        call.arg(2),
        entries,
        max_el,
        left,
        |out, i, base, shown| {
            if addr_only || base == 0 {
                print_addr(out, base);
                return;
            }
            match call.iov_data(0, i) {
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
        },
    );
}

/// strace's printing of an iovec array (tprint_iov_upto), shared by readv/writev and the
/// msghdrs: `NULL`, `[]`, the pointer when the entries were not captured (`entries` None),
/// else `[{iov_base=..., iov_len=N}, ...]` with at most `max_el` elements and `...` past them
/// or past the captured entries. `left`: the bytes the call moved (each element's data is cut
/// to what is left of them), None: no limit. `base` prints element `i`'s data given its
/// base and the bytes to show.
pub(super) fn print_iov_array(
    out: &mut String,
    iov: u64,
    cnt: u64,
    entries: Option<&[u8]>,
    max_el: usize,
    mut left: Option<u64>,
    mut base: impl FnMut(&mut String, usize, u64, u64),
) {
    if iov == 0 {
        out.push_str("NULL");
        return;
    }
    if cnt == 0 {
        out.push_str("[]");
        return;
    }
    let Some(entries) = entries else {
        print_addr(out, iov);
        return;
    };
    let have = entries.len() / IOVEC_SIZE;
    out.push('[');
    for i in 0..cnt
        .min(have as u64 + 1)
        .min((max_el as u64).saturating_add(1)) as usize
    {
        if i > 0 {
            out.push_str(", ");
        }
        // strace cuts at -s elements; elements the kernel side did not keep are cut alike.
        if i >= max_el || i >= have {
            out.push_str("...");
            break;
        }
        let b = rd_u64(entries, i * IOVEC_SIZE);
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
        base(out, i, b, shown);
        out.push_str(", iov_len=");
        super::strfmt::push_int(out, len);
        out.push('}');
    }
    out.push(']');
}

/// The `loff_t` behind argument `i` as read at exit.
fn loff_at_exit(call: &Call, i: usize) -> Option<u64> {
    call.loff(i).filter(|d| d.len() >= 8).map(|d| rd_u64(d, 0))
}

/// The value at entry: the exit value less what the call moved.
fn loff_at_entry(call: &Call, at_exit: u64) -> u64 {
    let ret = call.ret();
    if ret > 0 {
        at_exit.wrapping_sub(ret as u64)
    } else {
        at_exit
    }
}

/// sendfile's `offset` (unsigned) or splice's `off_in`/`off_out` (signed).
pub fn format_loff(out: &mut String, call: &Call, i: usize, in_out: bool) {
    use std::fmt::Write as _;
    let ptr = call.arg(i);
    if ptr == 0 {
        out.push_str("NULL");
        return;
    }
    let Some(now) = loff_at_exit(call, i) else {
        print_addr(out, ptr);
        return;
    };
    let entry = loff_at_entry(call, now);
    if in_out {
        let _ = write!(out, "[{entry}]");
        if call.ret() > 0 {
            let _ = write!(out, " => [{now}]");
        }
    } else {
        let _ = write!(out, "[{}]", entry as i64);
    }
}

/// The text of a data-call argument with one of the decoders of this module.
pub fn arg_text(out: &mut String, call: &Call, i: usize, decoder: Decoder, style: &Style) {
    match decoder {
        Decoder::IovSend => format_iov(out, call, false, style),
        Decoder::IovRecv => format_iov(out, call, true, style),
        Decoder::LoffInOut => format_loff(out, call, i, true),
        Decoder::Loff => format_loff(out, call, i, false),
        Decoder::SpliceFlags => {
            xlat::print_flags(out, call.arg(i) as u32 as u64, &xlat::SPLICE_FLAGS)
        }
        Decoder::Offset => {
            use std::fmt::Write as _;
            let _ = write!(out, "{}", call.arg(i) as i64);
        }
        Decoder::RwfFlags => xlat::print_flags(out, call.arg(i), &xlat::RWF_FLAGS),
        _ => {}
    }
}

/// The JSON `value` (and what is decoded of it) of a data-call argument: the iovec list (as a
/// msghdr's msg_iov), the offsets at entry and exit, the flags with their names.
pub fn arg_json(call: &Call, i: usize, decoder: Decoder, style: &Style) -> Value {
    serde_json::to_value(arg_model(call, i, decoder, style)).unwrap_or_default()
}

fn flags_model(v: u64, x: &xlat::Xlat) -> Flags {
    let (decoded, names, rest) = xlat::flags_decoded(v, x);
    Flags {
        decoded,
        names,
        unknown_bits: rest,
        value: v,
    }
}

/// The iovecs of message `msg` of `call` as the JSON shows them: the first `count` of the
/// captured `entries`, each with its payload of the bytes shown (up to `left` in all when set:
/// a receive's returned count) cut at `max`; null payloads with `addr_only` (a failed receive)
/// and for NULL bases. readv/writev's array and a msghdr's `msg_iov`.
pub(super) fn iovec_models<'r, 'a>(
    call: Call<'r, 'a>,
    msg: u16,
    entries: &'a [u8],
    count: u64,
    mut left: Option<u64>,
    addr_only: bool,
    max: usize,
) -> impl Iterator<Item = Iovec<'a>> + use<'r, 'a> {
    entries
        .chunks_exact(IOVEC_SIZE)
        .take(count.min(usize::MAX as u64) as usize)
        .enumerate()
        .map(move |(k, e)| {
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
            let payload = match call.iov_data(msg, k) {
                _ if base == 0 || addr_only => Payload::Null,
                None if shown == 0 => super::payload::hex_payload(&[], 0),
                s => super::payload::payload(s, shown, max),
            };
            Iovec {
                base: Ptr(base),
                len,
                payload,
            }
        })
}

/// The typed model of [`arg_json`].
pub fn arg_model<'a>(
    call: &Call<'_, 'a>,
    i: usize,
    decoder: Decoder,
    style: &Style,
) -> ArgValue<'a> {
    let v = call.arg(i);
    match decoder {
        Decoder::IovSend | Decoder::IovRecv => {
            let Some(entries) = iov_entries(call).filter(|_| v != 0) else {
                return ArgValue::Ptr(Ptr(v));
            };
            let (left, addr_only) = iov_mode(call, decoder == Decoder::IovRecv);
            let iovecs = iovec_models(
                *call,
                0,
                entries,
                call.arg(2),
                left,
                addr_only,
                style.max_strlen,
            )
            .collect();
            ArgValue::Iovecs(IovecArray { address: v, iovecs })
        }
        Decoder::LoffInOut | Decoder::Loff => match loff_at_exit(call, i) {
            Some(now) if v != 0 => ArgValue::Loff(Loff {
                address: v,
                at_entry: loff_at_entry(call, now),
                at_exit: now,
            }),
            _ => ArgValue::Ptr(Ptr(v)),
        },
        Decoder::SpliceFlags => ArgValue::Flags(flags_model(v as u32 as u64, &xlat::SPLICE_FLAGS)),
        Decoder::Offset => ArgValue::Int(v as i64),
        Decoder::RwfFlags => ArgValue::Flags(flags_model(v, &xlat::RWF_FLAGS)),
        _ => ArgValue::Uint(v),
    }
}

#[cfg(test)]
mod tests;
