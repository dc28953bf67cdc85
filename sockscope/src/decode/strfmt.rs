//! strace's string quoting (`-s`, `-x`, `-xx`) and pointer printing.
//!
//! The rules follow strace 6.1 (`string_quote`, `printstr_ex`, `print_quoted_string` and
//! `print_quoted_cstring` in its `src/util.c`):
//!
//! * `\t \n \v \f \r \" \\` get their C escapes; other bytes outside 0x20..=0x7e are printed in
//!   octal, with as few digits as needed (`\0`, `\33`, `\377`) unless the next byte *shown* is an
//!   octal digit `0`..=`7`, in which case all three digits are printed (`\0001`, but `\08`).
//! * `-x` (xflag 1): if any byte before the end (or before the NUL of a NUL-terminated string) is
//!   above 0x7e, or below 0x20 and not one of `\t \n \v \f \r`, the whole string goes `\xHH`.
//! * `-xx` (xflag 2): every byte is `\xHH`.
//! * xflag 3 (`--strings-in-hex=non-ascii-chars`): like the default, but the non-printable bytes
//!   are printed `\xHH` instead of octal.

use super::Style;

/// xflag values, as strace's `enum xflag_opts`.
const HEXSTR_NON_ASCII: u8 = 1;
pub(crate) const HEXSTR_ALL: u8 = 2;
const HEXSTR_NON_ASCII_CHARS: u8 = 3;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Copies `src` (at most 16 bytes) to `dst` with two fixed-size, possibly overlapping loads
/// and stores: a byte loop would be turned into a `memcpy` call by the compiler, and that call
/// costs ~100 instructions for a short key or name (callgrind on examples/render_cost).
///
/// # Safety
/// `dst` must be valid for `src.len()` bytes of writes, and `src.len() <= 16`.
#[inline(always)]
pub unsafe fn copy_small(dst: *mut u8, src: &[u8]) {
    let n = src.len();
    let s = src.as_ptr();
    // SAFETY: every load is within `src` and every store within `dst[..n]`.
    unsafe {
        if n >= 8 {
            let a = s.cast::<u64>().read_unaligned();
            let b = s.add(n - 8).cast::<u64>().read_unaligned();
            dst.cast::<u64>().write_unaligned(a);
            dst.add(n - 8).cast::<u64>().write_unaligned(b);
        } else if n >= 4 {
            let a = s.cast::<u32>().read_unaligned();
            let b = s.add(n - 4).cast::<u32>().read_unaligned();
            dst.cast::<u32>().write_unaligned(a);
            dst.add(n - 4).cast::<u32>().write_unaligned(b);
        } else if n >= 2 {
            let a = s.cast::<u16>().read_unaligned();
            let b = s.add(n - 2).cast::<u16>().read_unaligned();
            dst.cast::<u16>().write_unaligned(a);
            dst.add(n - 2).cast::<u16>().write_unaligned(b);
        } else if n == 1 {
            *dst = *s;
        }
    }
}

/// Appends `s`: short pieces (names, types, families, addresses, numbers, JSON syntax — most
/// of an event's strings) with [`copy_small`], rather than by a `memcpy` call whose call and
/// dispatch cost more than the copy (memcpy was a ninth of a sendto event's JSON instructions and a seventh of its
/// text line: callgrind on examples/render_cost).
#[inline]
pub fn push_short(out: &mut String, s: &str) {
    if s.len() > 16 {
        out.push_str(s);
        return;
    }
    // SAFETY: whole `str` bytes are appended within the room reserved.
    let v = unsafe { out.as_mut_vec() };
    v.reserve(16);
    unsafe {
        copy_small(v.as_mut_ptr().add(v.len()), s.as_bytes());
        v.set_len(v.len() + s.len());
    }
}

/// An integer in decimal, without a formatter (itoa): the render hot path writes several per
/// event, and `write!` cost ~150 instructions each (callgrind on examples/render_cost).
/// Values below 100 (descriptors, lengths, flags, counts: most numbers of a line) are written
/// without itoa's buffer (callgrind: ~25 instructions fewer each), inline with one capacity
/// check; larger ones go through itoa out of line.
#[inline]
pub fn push_int<I: itoa::Integer + TryInto<u8>>(out: &mut String, v: I) {
    if let Ok(b) = v.try_into()
        && b < 100
    {
        // SAFETY: one or two ASCII digits written within the room reserved keep the String
        // UTF-8.
        unsafe {
            let bytes = out.as_mut_vec();
            bytes.reserve(2);
            let len = bytes.len();
            let p = bytes.as_mut_ptr().add(len);
            if b >= 10 {
                let d = two_digits(b);
                *p = d[0];
                *p.add(1) = d[1];
                bytes.set_len(len + 2);
            } else {
                *p = b'0' + b;
                bytes.set_len(len + 1);
            }
        }
        return;
    }
    push_int_itoa(out, v);
}

/// push_int's values of 100 and more.
#[inline(never)]
fn push_int_itoa<I: itoa::Integer>(out: &mut String, v: I) {
    push_short(out, itoa::Buffer::new().format(v));
}

/// `v` (below 100) as two decimal digits.
#[inline(always)]
fn two_digits(v: u8) -> [u8; 2] {
    [b'0' + v / 10, b'0' + v % 10]
}

/// The last `W` decimal digits of `v`, zero-padded (`{v:0W$}` when `v` has at most `W`
/// digits), two digits per division (the time column's fields, push_int's small values).
#[inline(always)]
pub fn zero_padded<const W: usize>(mut v: u64) -> [u8; W] {
    let mut b = [b'0'; W];
    let mut i = W;
    while i >= 2 {
        i -= 2;
        b[i..i + 2].copy_from_slice(&two_digits((v % 100) as u8));
        v /= 100;
    }
    if i == 1 {
        b[0] = b'0' + (v % 10) as u8;
    }
    b
}

/// `v` as `0x…` in lower-case hex (`{v:#x}`), without a formatter.
pub fn push_hex(out: &mut String, v: u64) {
    let mut buf = [0u8; 18];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = HEX[(v & 15) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    i -= 2;
    buf[i] = b'0';
    buf[i + 1] = b'x';
    // SAFETY: only ASCII was written.
    out.push_str(unsafe { std::str::from_utf8_unchecked(&buf[i..]) });
}

/// Bytes that string_quote copies as they are (printable ASCII but `"` and `\\`).
static PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0x20;
    while c < 0x7f {
        t[c] = c != b'"' as usize && c != b'\\' as usize;
        c += 1;
    }
    t
};

/// How many whole 16-byte blocks' worth of bytes at the start of `b` hold none of the bytes
/// `stop` marks (`stop` gives 0xff in each lane to stop at), and where the first marked byte
/// is if a block holds one: `(offset, found)`. The SSE2 step of the run finders here and in the
/// JSON writer (SSE2 is part of every x86-64 CPU); the caller finishes the tail its own way.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn sse2_run(
    b: &[u8],
    stop: impl Fn(std::arch::x86_64::__m128i) -> std::arch::x86_64::__m128i,
) -> (usize, bool) {
    use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_movemask_epi8};
    let mut i = 0;
    while i + 16 <= b.len() {
        // SAFETY: SSE2 is in the x86-64 baseline; the load reads 16 bytes within `b`.
        let mask = unsafe {
            _mm_movemask_epi8(stop(_mm_loadu_si128(b.as_ptr().add(i).cast::<__m128i>()))) as u32
        };
        if mask != 0 {
            return (i + mask.trailing_zeros() as usize, true);
        }
        i += 16;
    }
    (i, false)
}

/// How many bytes at the start of `b` are [`PLAIN`]: sixteen a step with SSE2 (a
/// byte-at-a-time table walk was ~15 instructions a byte of a sendto line's payload: callgrind
/// on examples/render_cost), the rest through the table.
fn plain_run(b: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    let i = {
        use std::arch::x86_64::{
            _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        // Plain: 0x20..=0x7e (a signed compare: bytes >= 0x80 are negative) but `"`, `\\`.
        // SAFETY: SSE2 is in the x86-64 baseline.
        let (i, found) = sse2_run(b, |w| unsafe {
            let special = _mm_or_si128(
                _mm_or_si128(
                    _mm_cmpeq_epi8(w, _mm_set1_epi8(0x7f)),
                    _mm_cmpeq_epi8(w, _mm_set1_epi8(b'"' as i8)),
                ),
                _mm_cmpeq_epi8(w, _mm_set1_epi8(b'\\' as i8)),
            );
            // Lanes that are not plain: all bits of the plain mask flipped.
            let plain = _mm_andnot_si128(special, _mm_cmpgt_epi8(w, _mm_set1_epi8(0x1f)));
            _mm_cmpeq_epi8(plain, _mm_set1_epi8(0))
        });
        if found {
            return i;
        }
        i
    };
    #[cfg(not(target_arch = "x86_64"))]
    let i = 0;
    i + b[i..].iter().take_while(|&&c| PLAIN[c as usize]).count()
}

fn push_hex_byte(out: &mut String, c: u8) {
    out.push('\\');
    out.push('x');
    out.push(HEX[(c >> 4) as usize] as char);
    out.push(HEX[(c & 0xf) as usize] as char);
}

fn push_oct_byte(out: &mut String, c: u8, unabbrev: bool) {
    out.push('\\');
    if unabbrev {
        out.push((b'0' + (c >> 6)) as char);
        out.push((b'0' + ((c >> 3) & 7)) as char);
    } else if c >> 3 != 0 {
        if c >> 6 != 0 {
            out.push((b'0' + (c >> 6)) as char);
        }
        out.push((b'0' + ((c >> 3) & 7)) as char);
    }
    out.push((b'0' + (c & 7)) as char);
}

/// strace's `is_print`.
fn is_print(c: u8) -> bool {
    (0x20..0x7f).contains(&c)
}

/// Options of [`string_quote`], a subset of strace's QUOTE_* style bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuoteOpts {
    /// QUOTE_0_TERMINATED: stop at the first NUL.
    pub zero_terminated: bool,
    /// QUOTE_OMIT_LEADING_TRAILING_QUOTES.
    pub omit_quotes: bool,
    /// QUOTE_FORCE_HEX: every byte `\xHH`, whatever `-x` says.
    pub force_hex: bool,
}

/// strace's `string_quote`: quotes the first `size` bytes of `s` (bytes past the end of `s` are
/// taken as NUL, as strace's zero-padded buffers are). Returns `false` when `zero_terminated`
/// is set and a NUL was seen within `size` bytes or right after them (strace's return value 0),
/// `true` otherwise.
pub fn string_quote(out: &mut String, s: &[u8], size: usize, opts: QuoteOpts, xflag: u8) -> bool {
    let at = |i: usize| -> u8 { s.get(i).copied().unwrap_or(0) };
    let xstyle = if opts.force_hex { HEXSTR_ALL } else { xflag };
    let is_eol = |c: u8| opts.zero_terminated && c == 0;

    let usehex = match xstyle {
        HEXSTR_ALL => true,
        HEXSTR_NON_ASCII => {
            let mut hex = false;
            for i in 0..size {
                let c = at(i);
                if is_eol(c) {
                    break;
                }
                if c > 0x7e || (c < b' ' && !(9..=13).contains(&c)) {
                    hex = true;
                    break;
                }
            }
            hex
        }
        _ => false,
    };

    if !opts.omit_quotes {
        out.push('"');
    }
    let mut nul_seen = false;
    let mut i = 0;
    while i < size {
        // A run of plain bytes is copied in one go (most messages are mostly text: a byte at a
        // time cost ~20 instructions, callgrind on examples/render_cost). NUL is never plain,
        // so a run never passes the end of a zero-terminated string.
        if !usehex {
            let end = size.min(s.len());
            let run = plain_run(&s[i.min(end)..end]);
            if run > 0 {
                // SAFETY: plain bytes are printable ASCII.
                out.push_str(unsafe { std::str::from_utf8_unchecked(&s[i..i + run]) });
                i += run;
                continue;
            }
        }
        let c = at(i);
        if is_eol(c) {
            nul_seen = true;
            break;
        }
        if usehex {
            push_hex_byte(out, c);
        } else {
            match c {
                b'"' | b'\\' => {
                    out.push('\\');
                    out.push(c as char);
                }
                0x0c => out.push_str("\\f"),
                b'\n' => out.push_str("\\n"),
                b'\r' => out.push_str("\\r"),
                b'\t' => out.push_str("\\t"),
                0x0b => out.push_str("\\v"),
                _ if is_print(c) => out.push(c as char),
                _ if xstyle == HEXSTR_NON_ASCII_CHARS => push_hex_byte(out, c),
                _ => {
                    let next_is_oct = i + 1 < size && (b'0'..=b'7').contains(&at(i + 1));
                    push_oct_byte(out, c, next_is_oct);
                }
            }
        }
        i += 1;
    }
    if !opts.omit_quotes {
        out.push('"');
    }
    if nul_seen {
        return false;
    }
    !(opts.zero_terminated && at(i) == 0)
}

/// A buffer of `len` bytes of which `data` (its first bytes, at most `style.max_strlen`) was
/// captured, as strace's printstrn prints it: quoted, escaped, `...` appended when `len`
/// exceeds what is shown.
///
/// strace shows `min(len, max_strlen)` bytes. Should fewer have been captured, the captured
/// bytes are shown and `...` follows (strace itself would print the pointer instead; the caller
/// decides whether to call this at all).
pub fn quote_buf(out: &mut String, data: &[u8], len: u64, style: &Style) {
    let want = len.min(style.max_strlen as u64) as usize;
    let shown = want.min(data.len());
    string_quote(
        out,
        &data[..shown],
        shown,
        QuoteOpts::default(),
        style.xflag,
    );
    if len > shown as u64 {
        out.push_str("...");
    }
}

/// A NUL-terminated string field of at most `data.len()` bytes (sun_path and the like), as
/// strace prints it.
///
/// This is strace's `print_quoted_string(str, data.len() + 1, QUOTE_0_TERMINATED)`, the way
/// sun_path is printed: the bytes up to the first NUL, or all of `data` when it holds no NUL,
/// without `...` either way and without the `-s` limit (`-x`/`-xx` do apply).
pub fn quote_cstr(out: &mut String, data: &[u8], style: &Style) {
    // Short plain text (an address, a name) unless -xx: the quotes around it as it is.
    if style.xflag != HEXSTR_ALL && data.len() <= 16 && plain_run(data) == data.len() {
        out.push('"');
        // SAFETY: plain bytes are printable ASCII.
        push_short(out, unsafe { std::str::from_utf8_unchecked(data) });
        out.push('"');
        return;
    }
    let opts = QuoteOpts {
        zero_terminated: true,
        ..QuoteOpts::default()
    };
    string_quote(out, data, data.len(), opts, style.xflag);
}

/// A fixed-size `char[]` field holding a NUL-terminated string, as strace's
/// `print_quoted_cstring(data, data.len())` (PRINT_FIELD_CSTRING) prints it: at most
/// `data.len() - 1` bytes, then `...` when the array holds no NUL at all.
pub fn quote_cstr_array(out: &mut String, data: &[u8], style: &Style) {
    let opts = QuoteOpts {
        zero_terminated: true,
        ..QuoteOpts::default()
    };
    let size = data.len().saturating_sub(1);
    let unterminated = string_quote(out, data, size, opts, style.xflag);
    if unterminated && !data.is_empty() {
        out.push_str("...");
    }
}

/// All of `data`, quoted (`-x`/`-xx` apply, `-s` does not), as strace's
/// `print_quoted_string(data, data.len(), 0)` prints it (sa_data, abstract socket names).
pub fn quote_bytes(out: &mut String, data: &[u8], style: &Style) {
    string_quote(out, data, data.len(), QuoteOpts::default(), style.xflag);
}

/// All of `data` as `"\xHH..."` (strace's QUOTE_FORCE_HEX).
pub fn quote_bytes_hex(out: &mut String, data: &[u8]) {
    let opts = QuoteOpts {
        force_hex: true,
        ..QuoteOpts::default()
    };
    string_quote(out, data, data.len(), opts, 0);
}

/// A user pointer: `NULL` or `0x7ffc1234abcd`.
pub fn print_addr(out: &mut String, addr: u64) {
    if addr == 0 {
        out.push_str("NULL");
    } else {
        push_hex(out, addr);
    }
}

/// Test support for the run finders: `check(buffer, at, byte)` for every byte value at every
/// position of `a`-filled buffers of every length below `max_len`.
#[cfg(test)]
pub(crate) fn every_byte_at_every_position(
    max_len: usize,
    mut check: impl FnMut(&[u8], usize, u8),
) {
    for len in 0..max_len {
        for at in 0..len {
            for c in 0..=255u8 {
                let mut b = vec![b'a'; len];
                b[at] = c;
                check(&b, at, c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// push_int's small-value shortcut against itoa, across the boundaries and the types.
    #[test]
    fn push_int_as_itoa() {
        let mut out = String::new();
        let mut want = String::new();
        for v in -300i64..300 {
            push_int(&mut out, v);
            push_int(&mut out, v as i32);
            want.push_str(&format!("{v}{}", v as i32));
            if v >= 0 {
                push_int(&mut out, v as u64);
                push_int(&mut out, v as u8);
                want.push_str(&format!("{v}{}", v as u8));
            }
            out.push(' ');
            want.push(' ');
        }
        // The widest values (itoa's out-of-line path, more than push_short's 16 bytes).
        push_int(&mut out, i64::MIN);
        push_int(&mut out, u64::MAX);
        push_int(&mut out, i32::MIN);
        want.push_str(&format!("{}{}{}", i64::MIN, u64::MAX, i32::MIN));
        assert_eq!(out, want);
    }

    /// plain_run (SSE2 steps, then the table) agrees with PLAIN for every byte value at every
    /// position of buffers around the 16-byte boundaries.
    #[test]
    fn plain_run_stops_at_every_non_plain_byte() {
        every_byte_at_every_position(40, |b, at, c| {
            let want = if PLAIN[c as usize] { b.len() } else { at };
            assert_eq!(plain_run(b), want, "len {}, byte {c:#x} at {at}", b.len());
        });
    }

    /// quote_cstr's short-plain-text path writes what string_quote writes, under every -x.
    #[test]
    fn quote_cstr_short_path_as_string_quote() {
        let cases: [&[u8]; 7] = [
            b"",
            b"127.0.0.1",
            b"255.255.255.255",
            b"a\"b",
            b"sixteen-bytes-ab",
            b"seventeen-bytes-a",
            b"nul\0after",
        ];
        for xflag in 0..=3 {
            for data in cases {
                let mut fast = String::new();
                quote_cstr(&mut fast, data, &st(32, xflag));
                let mut slow = String::new();
                let opts = QuoteOpts {
                    zero_terminated: true,
                    ..QuoteOpts::default()
                };
                string_quote(&mut slow, data, data.len(), opts, xflag);
                assert_eq!(fast, slow, "{data:?} -x{xflag}");
            }
        }
    }

    #[test]
    fn zero_padded_as_format() {
        fn check<const W: usize>(v: u64) {
            if v.checked_ilog10().unwrap_or(0) < W as u32 {
                let got = zero_padded::<W>(v);
                assert_eq!(std::str::from_utf8(&got).unwrap(), format!("{v:0W$}"));
            }
        }
        for v in [
            0u64,
            5,
            9,
            10,
            42,
            99,
            100,
            123,
            999_999,
            1_000_000,
            u64::MAX,
        ] {
            check::<1>(v);
            check::<2>(v);
            check::<6>(v);
            check::<16>(v);
            check::<17>(v);
            check::<20>(v);
        }
    }

    fn st(max_strlen: usize, xflag: u8) -> Style {
        Style { max_strlen, xflag }
    }

    fn qb(data: &[u8], len: u64, style: Style) -> String {
        let mut s = String::new();
        quote_buf(&mut s, data, len, &style);
        s
    }

    fn qc(data: &[u8], style: Style) -> String {
        let mut s = String::new();
        quote_cstr(&mut s, data, &style);
        s
    }

    /// (bytes, len, expected per -s 32, -s 0, -s 5, -s 300, -x, -xx, -x -s 5), all as printed by
    /// strace 6.1 for `sendto(-1, buf, len, ...)` with `buf` followed by 'Z' (0x5a) filler.
    /// `None` means "same as -s 32".
    struct Case {
        data: &'static [u8],
        len: u64,
        exp: [Option<&'static str>; 7],
    }

    const STYLES: [(usize, u8); 7] = [(32, 0), (0, 0), (5, 0), (300, 0), (32, 1), (32, 2), (5, 1)];

    const CASES: &[Case] = &[
        Case { data: b"hello", len: 5, exp: [Some(r##""hello""##), Some(r##"""..."##), None, None, None, Some(r##""\x68\x65\x6c\x6c\x6f""##), None] },
        Case { data: b"", len: 0, exp: [Some(r##""""##), None, None, None, None, None, None] },
        Case { data: b"\t\n\x0b\x0c\r\"\\'?", len: 9, exp: [Some(r##""\t\n\v\f\r\"\\'?""##), Some(r##"""..."##), Some(r##""\t\n\v\f\r"..."##), None, None, Some(r##""\x09\x0a\x0b\x0c\x0d\x22\x5c\x27\x3f""##), Some(r##""\t\n\v\f\r"..."##)] },
        Case { data: b"\0", len: 1, exp: [Some(r##""\0""##), Some(r##"""..."##), None, None, Some(r##""\x00""##), Some(r##""\x00""##), Some(r##""\x00""##)] },
        Case { data: b"\x001", len: 2, exp: [Some(r##""\0001""##), Some(r##"""..."##), None, None, Some(r##""\x00\x31""##), Some(r##""\x00\x31""##), Some(r##""\x00\x31""##)] },
        Case { data: b"\x007", len: 2, exp: [Some(r##""\0007""##), Some(r##"""..."##), None, None, Some(r##""\x00\x37""##), Some(r##""\x00\x37""##), Some(r##""\x00\x37""##)] },
        Case { data: b"\x008", len: 2, exp: [Some(r##""\08""##), Some(r##"""..."##), None, None, Some(r##""\x00\x38""##), Some(r##""\x00\x38""##), Some(r##""\x00\x38""##)] },
        Case { data: b"\x009", len: 2, exp: [Some(r##""\09""##), Some(r##"""..."##), None, None, Some(r##""\x00\x39""##), Some(r##""\x00\x39""##), Some(r##""\x00\x39""##)] },
        Case { data: b"\x00a", len: 2, exp: [Some(r##""\0a""##), Some(r##"""..."##), None, None, Some(r##""\x00\x61""##), Some(r##""\x00\x61""##), Some(r##""\x00\x61""##)] },
        Case { data: b"\x01\x02\x7f\x80\xff", len: 5, exp: [Some(r##""\1\2\177\200\377""##), Some(r##"""..."##), None, None, Some(r##""\x01\x02\x7f\x80\xff""##), Some(r##""\x01\x02\x7f\x80\xff""##), Some(r##""\x01\x02\x7f\x80\xff""##)] },
        Case { data: b"\x1b[0m", len: 4, exp: [Some(r##""\33[0m""##), Some(r##"""..."##), None, None, Some(r##""\x1b\x5b\x30\x6d""##), Some(r##""\x1b\x5b\x30\x6d""##), Some(r##""\x1b\x5b\x30\x6d""##)] },
        Case { data: b"\x0777", len: 3, exp: [Some(r##""\00777""##), Some(r##"""..."##), None, None, Some(r##""\x07\x37\x37""##), Some(r##""\x07\x37\x37""##), Some(r##""\x07\x37\x37""##)] },
        Case { data: b"?@", len: 2, exp: [Some(r##""?@""##), Some(r##"""..."##), None, None, None, Some(r##""\x3f\x40""##), None] },
        Case { data: b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", len: 40, exp: [Some(r##""aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"..."##), Some(r##"""..."##), Some(r##""aaaaa"..."##), Some(r##""aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa""##), None, Some(r##""\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61"..."##), Some(r##""aaaaa"..."##)] },
        Case { data: b"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", len: 32, exp: [Some(r##""bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb""##), Some(r##"""..."##), Some(r##""bbbbb"..."##), None, None, Some(r##""\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62\x62""##), Some(r##""bbbbb"..."##)] },
        Case { data: b"ccccccccccccccccccccccccccccccccc", len: 33, exp: [Some(r##""cccccccccccccccccccccccccccccccc"..."##), Some(r##"""..."##), Some(r##""ccccc"..."##), Some(r##""ccccccccccccccccccccccccccccccccc""##), None, Some(r##""\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63"..."##), Some(r##""ccccc"..."##)] },
        // 100-byte buffer: "hi\0\0\0" then 'Z' filler.
        Case { data: b"hi\0\0\0ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ", len: 100, exp: [Some(r##""hi\0\0\0ZZZZZZZZZZZZZZZZZZZZZZZZZZZ"..."##), Some(r##"""..."##), Some(r##""hi\0\0\0"..."##), Some(r##""hi\0\0\0ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ""##), Some(r##""\x68\x69\x00\x00\x00\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a"..."##), Some(r##""\x68\x69\x00\x00\x00\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a"..."##), Some(r##""\x68\x69\x00\x00\x00"..."##)] },
        // The octal look-ahead never looks past the last byte shown.
        Case { data: b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\x001", len: 33, exp: [Some(r##""aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\0"..."##), Some(r##"""..."##), Some(r##""aaaaa"..."##), Some(r##""aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\0001""##), Some(r##""\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x00"..."##), Some(r##""\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x00"..."##), Some(r##""aaaaa"..."##)] },
        Case { data: b"aaaa\x001", len: 6, exp: [Some(r##""aaaa\0001""##), Some(r##"""..."##), Some(r##""aaaa\0"..."##), None, Some(r##""\x61\x61\x61\x61\x00\x31""##), Some(r##""\x61\x61\x61\x61\x00\x31""##), Some(r##""\x61\x61\x61\x61\x00"..."##)] },
        Case { data: "h\u{e9}llo".as_bytes(), len: 6, exp: [Some(r##""h\303\251llo""##), Some(r##"""..."##), Some(r##""h\303\251ll"..."##), None, Some(r##""\x68\xc3\xa9\x6c\x6c\x6f""##), Some(r##""\x68\xc3\xa9\x6c\x6c\x6f""##), Some(r##""\x68\xc3\xa9\x6c\x6c"..."##)] },
        Case { data: b"abc\n", len: 4, exp: [Some(r##""abc\n""##), Some(r##"""..."##), None, None, None, Some(r##""\x61\x62\x63\x0a""##), None] },
        Case { data: b"ab\x01", len: 3, exp: [Some(r##""ab\1""##), Some(r##"""..."##), None, None, Some(r##""\x61\x62\x01""##), Some(r##""\x61\x62\x01""##), Some(r##""\x61\x62\x01""##)] },
        Case { data: b"ab\x80", len: 3, exp: [Some(r##""ab\200""##), Some(r##"""..."##), None, None, Some(r##""\x61\x62\x80""##), Some(r##""\x61\x62\x80""##), Some(r##""\x61\x62\x80""##)] },
        Case { data: b"ab\x7f", len: 3, exp: [Some(r##""ab\177""##), Some(r##"""..."##), None, None, Some(r##""\x61\x62\x7f""##), Some(r##""\x61\x62\x7f""##), Some(r##""\x61\x62\x7f""##)] },
        Case { data: b"\n\0", len: 2, exp: [Some(r##""\n\0""##), Some(r##"""..."##), None, None, Some(r##""\x0a\x00""##), Some(r##""\x0a\x00""##), Some(r##""\x0a\x00""##)] },
        Case { data: b"\x08\x0e", len: 2, exp: [Some(r##""\10\16""##), Some(r##"""..."##), None, None, Some(r##""\x08\x0e""##), Some(r##""\x08\x0e""##), Some(r##""\x08\x0e""##)] },
    ];

    #[test]
    fn quote_buf_matches_strace() {
        for (ci, c) in CASES.iter().enumerate() {
            for (si, &(s, x)) in STYLES.iter().enumerate() {
                let exp = c.exp[si].or(c.exp[0]).unwrap();
                let shown = (c.len as usize).min(s).min(c.data.len());
                // The eBPF side hands over at most max_strlen bytes; hand over exactly those...
                assert_eq!(
                    qb(&c.data[..shown], c.len, st(s, x)),
                    exp,
                    "case {ci} style {si}"
                );
                // ...and more must not change anything.
                assert_eq!(
                    qb(c.data, c.len, st(s, x)),
                    exp,
                    "case {ci} style {si} (all data)"
                );
            }
        }
    }

    #[test]
    fn len_zero_with_s0_is_empty() {
        // strace: `sendto(-1, "", 0, ...)` with -s 0 prints "" (no ellipsis: len is 0).
        assert_eq!(qb(b"x", 0, st(0, 0)), r##""""##);
        assert_eq!(qb(b"", 0, st(0, 2)), r##""""##);
    }

    #[test]
    fn all_bytes() {
        let all: Vec<u8> = (0..=255u8).collect();
        assert_eq!(
            qb(&all, 256, st(32, 0)),
            r##""\0\1\2\3\4\5\6\7\10\t\n\v\f\r\16\17\20\21\22\23\24\25\26\27\30\31\32\33\34\35\36\37"..."##
        );
        assert_eq!(
            qb(&all, 256, st(300, 0)),
            concat!(
                r##""\0\1\2\3\4\5\6\7\10\t\n\v\f\r\16\17\20\21\22\23\24\25\26\27\30\31\32\33\34\35\36\37 !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"##,
                r##"\177\200\201\202\203\204\205\206\207\210\211\212\213\214\215\216\217\220\221\222\223\224\225\226\227\230\231\232\233\234\235\236\237\240\241\242\243\244\245\246\247\250\251\252\253\254\255\256\257\260\261\262\263\264\265\266\267\270\271\272\273\274\275\276\277"##,
                r##"\300\301\302\303\304\305\306\307\310\311\312\313\314\315\316\317\320\321\322\323\324\325\326\327\330\331\332\333\334\335\336\337\340\341\342\343\344\345\346\347\350\351\352\353\354\355\356\357\360\361\362\363\364\365\366\367\370\371\372\373\374\375\376\377""##
            )
        );
        assert_eq!(
            qb(&all, 256, st(32, 1)),
            r##""\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"..."##
        );
    }

    #[test]
    fn short_capture_gets_ellipsis() {
        // Fewer bytes than min(len, -s) captured: show them, mark the rest.
        assert_eq!(qb(b"ab", 10, st(32, 0)), r##""ab"..."##);
        assert_eq!(qb(b"", 10, st(32, 0)), r##"""..."##);
        assert_eq!(qb(b"", u64::MAX, st(usize::MAX, 0)), r##"""..."##);
    }

    #[test]
    fn non_ascii_chars_style() {
        assert_eq!(qb(b"a\x01\n\xff", 4, st(32, 3)), r##""a\x01\n\xff""##);
    }

    #[test]
    fn cstr() {
        // sun_path-like fields, as strace printed them (see sockaddr tests).
        assert_eq!(qc(b"/tmp/sock\0junk", st(32, 0)), r##""/tmp/sock""##);
        assert_eq!(qc(b"/tmp/sock", st(32, 0)), r##""/tmp/sock""##);
        assert_eq!(
            qc(b"/tmp/s\nock\x01\x80\0", st(32, 0)),
            r##""/tmp/s\nock\1\200""##
        );
        assert_eq!(
            qc(b"/tmp/s\nock\x01\x80\0", st(32, 1)),
            r##""\x2f\x74\x6d\x70\x2f\x73\x0a\x6f\x63\x6b\x01\x80""##
        );
        assert_eq!(qc(b"x", st(32, 2)), r##""\x78""##);
        assert_eq!(qc(b"", st(32, 0)), r##""""##);
        assert_eq!(qc(b"\0abc", st(32, 2)), r##""""##);
        // -x decides on the bytes before the NUL only.
        assert_eq!(qc(b"ab\0\x01", st(32, 1)), r##""ab""##);
        // No -s limit.
        let long = [b'p'; 108];
        let mut exp = String::from("\"");
        exp.push_str(&"p".repeat(108));
        exp.push('"');
        assert_eq!(qc(&long, st(5, 0)), exp);
    }

    #[test]
    fn cstr_array() {
        let mut s = String::new();
        quote_cstr_array(&mut s, b"abc\0", &st(32, 0));
        assert_eq!(s, r##""abc""##);
        s.clear();
        quote_cstr_array(&mut s, b"abcd", &st(32, 0));
        assert_eq!(s, r##""abc"..."##);
        s.clear();
        quote_cstr_array(&mut s, b"ab\0d", &st(32, 0));
        assert_eq!(s, r##""ab""##);
        s.clear();
        quote_cstr_array(&mut s, b"", &st(32, 0));
        assert_eq!(s, r##""""##);
    }

    #[test]
    fn bytes_and_hex() {
        let mut s = String::new();
        quote_bytes(&mut s, b"hello\0\x01", &st(32, 0));
        assert_eq!(s, r##""hello\0\1""##);
        s.clear();
        quote_bytes_hex(&mut s, b"\x01\0\0");
        assert_eq!(s, r##""\x01\x00\x00""##);
    }

    #[test]
    fn addr() {
        let mut s = String::new();
        print_addr(&mut s, 0);
        assert_eq!(s, "NULL");
        s.clear();
        print_addr(&mut s, 0x5594cc563060);
        assert_eq!(s, "0x5594cc563060");
        s.clear();
        print_addr(&mut s, u64::MAX);
        assert_eq!(s, "0xffffffffffffffff");
    }

    #[test]
    fn malformed_inputs_never_panic() {
        let mut next = crate::decode::test_rng();
        for _ in 0..20000 {
            let n = (next() % 80) as usize;
            let data: Vec<u8> = (0..n).map(|_| next() as u8).collect();
            let len = match next() % 4 {
                0 => n as u64,
                1 => next(),
                2 => 0,
                _ => next() % 100,
            };
            let style = Style {
                max_strlen: (next() % 70) as usize,
                xflag: (next() % 6) as u8,
            };
            let mut s = String::new();
            quote_buf(&mut s, &data, len, &style);
            quote_cstr(&mut s, &data, &style);
            quote_cstr_array(&mut s, &data, &style);
            quote_bytes(&mut s, &data, &style);
            quote_bytes_hex(&mut s, &data);
            string_quote(
                &mut s,
                &data,
                (next() % 100) as usize,
                QuoteOpts::default(),
                style.xflag,
            );
        }
    }
}
