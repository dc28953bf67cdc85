//! A serde `Serializer` writing compact JSON into a `String`, byte for byte what
//! `serde_json::to_writer` writes, for the `--json` hot path. Hand-written because callgrind
//! on `examples/render_cost` measured serde_json escaping every struct key at run time (an
//! out-of-line scan per key: +5,000 instructions per sendto event, +22%); here the keys of
//! structs (`&'static str` field names, plain identifiers) are copied as they are, strings are
//! escaped with a run-copying scan and integers written with itoa. Maps (dynamic keys) escape
//! their keys as serde_json does. A unit test compares it with serde_json on the corpus.

use std::fmt::{self, Display, Write as _};

use serde::ser::{self, Serialize};

use crate::decode::strfmt::{self, copy_small, push_short};

/// Appends the JSON of `v` to `out`.
pub fn write<T: Serialize + ?Sized>(out: &mut String, v: &T) {
    // Only a Display implementation can fail (and ours do not); what it wrote is kept.
    let _ = v.serialize(&mut Json {
        out,
        raw: false,
        fragment: false,
    });
}

/// A serialization error (a failing `Display`); never produced by the model.
#[derive(Debug)]
pub struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

pub struct Json<'o> {
    out: &'o mut String,
    /// Inside a [`RAW`] newtype: the string (`serialize_str`, `collect_str`) needs no escaping.
    raw: bool,
    /// Inside a [`FRAGMENT`] newtype: the string is JSON already.
    fragment: bool,
}

/// The name of a newtype struct whose string never needs escaping (hex digits):
/// written as it is here, an ordinary string for serde_json.
pub const RAW: &str = "$sockscope::raw";

/// The name of a newtype struct around a `&str` that is already JSON (a value this writer
/// wrote before, kept: [`Fragment`]): copied as it is here.
pub const FRAGMENT: &str = "$sockscope::fragment";

/// A JSON value written earlier by [`write`], inserted as it is (serde_json would write it as a
/// string: for this writer only).
pub struct Fragment<'s>(pub &'s str);

impl Serialize for Fragment<'_> {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(FRAGMENT, self.0)
    }
}

/// What a byte becomes in a JSON string: 0 itself, else the letter of its escape (`u` for
/// `\u00xx`).
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// serde_json's escapes: `\"`, `\\`, `\b \f \n \r \t`, `\u00xx` for other control bytes.
/// One pass, sixteen bytes a step with SSE2: each block is stored whole into the reserved room
/// and kept up to its first byte that needs an escape, which is written next; the tail of
/// fewer than sixteen bytes goes through [`plain_run`]. (Finding each run and then copying it
/// cost ~720 instructions for a sendto event's strace line, ~180 bytes with six quotes; a
/// byte-at-a-time loop ~10 a byte: callgrind on examples/render_cost.)
fn escape_into(out: &mut String, s: &str) {
    let b = s.as_bytes();
    #[cfg(target_arch = "x86_64")]
    let mut i = {
        use std::arch::x86_64::{_mm_loadu_si128, _mm_movemask_epi8, _mm_storeu_si128};
        // SAFETY: every byte of `s` is copied once, in order (a block may end inside a UTF-8
        // sequence: its next bytes follow), and escapes are ASCII: the result is UTF-8.
        let v = unsafe { out.as_mut_vec() };
        let mut i = 0;
        while i + 16 <= b.len() {
            v.reserve(16);
            // SAFETY: SSE2 is in the x86-64 baseline; the load reads 16 bytes of `b`, the
            // store writes the 16 bytes reserved; only the plain prefix is counted in.
            let mask = unsafe {
                let w = _mm_loadu_si128(b.as_ptr().add(i).cast());
                _mm_storeu_si128(v.as_mut_ptr().add(v.len()).cast(), w);
                _mm_movemask_epi8(needs_escape(w)) as u32
            };
            let keep = if mask == 0 {
                16
            } else {
                mask.trailing_zeros() as usize
            };
            // SAFETY: `keep` bytes were just written.
            unsafe { v.set_len(v.len() + keep) };
            i += keep;
            if keep < 16 {
                escape_byte(v, b[i]);
                i += 1;
            }
        }
        i
    };
    #[cfg(not(target_arch = "x86_64"))]
    let mut i = 0;
    // Bytes, not `str` slices: a block may have ended inside a UTF-8 sequence, whose first
    // bytes are already written; the rest follow here, so the whole stays UTF-8.
    // SAFETY: as above.
    let v = unsafe { out.as_mut_vec() };
    while i < b.len() {
        let run = plain_run(&b[i..]);
        if run > 0 {
            v.extend_from_slice(&b[i..i + run]);
            i += run;
            continue;
        }
        escape_byte(v, b[i]);
        i += 1;
    }
}

/// The lanes of `w` holding a byte that needs an escape: below 0x20, `"` or `\\`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn needs_escape(w: std::arch::x86_64::__m128i) -> std::arch::x86_64::__m128i {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_min_epu8, _mm_or_si128, _mm_set1_epi8};
    // SAFETY: SSE2 is in the x86-64 baseline.
    unsafe {
        // A byte below 0x20: its unsigned minimum with 0x1f is itself.
        _mm_or_si128(
            _mm_or_si128(
                _mm_cmpeq_epi8(w, _mm_set1_epi8(b'"' as i8)),
                _mm_cmpeq_epi8(w, _mm_set1_epi8(b'\\' as i8)),
            ),
            _mm_cmpeq_epi8(_mm_min_epu8(w, _mm_set1_epi8(0x1f)), w),
        )
    }
}

/// How many bytes at the start of `b` need no escape: sixteen bytes a step with SSE2
/// ([`strfmt::sse2_run`]; the strace line's escape was ~750 instructions of a sendto event's
/// JSON with the eight-byte SWAR step alone: callgrind on examples/render_cost), then
/// [`plain_swar`].
#[cfg(target_arch = "x86_64")]
fn plain_run(b: &[u8]) -> usize {
    let (i, found) = strfmt::sse2_run(b, needs_escape);
    if found { i } else { i + plain_swar(&b[i..]) }
}

#[cfg(not(target_arch = "x86_64"))]
fn plain_run(b: &[u8]) -> usize {
    plain_swar(b)
}

/// How many bytes at the start of `b` need no escape (SWAR: a word has a byte < 0x20, `"` or
/// `\\` when one of the three zero-byte tests sets its high bit).
fn plain_swar(b: &[u8]) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while i + 8 <= b.len() {
        let w = u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        let quote = w ^ (LO * b'"' as u64);
        let backslash = w ^ (LO * b'\\' as u64);
        // Exact for bytes < 0x80 (no borrow out of a byte); bytes >= 0x80 are masked by !w.
        let hit = (w.wrapping_sub(LO * 0x20) | quote.wrapping_sub(LO) | backslash.wrapping_sub(LO))
            & !w
            & HI;
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && ESCAPE[b[i] as usize] == 0 {
        i += 1;
    }
    i
}

/// The escape of `c` (a byte that needs one), as ASCII.
fn escape_byte(out: &mut Vec<u8>, c: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let e = ESCAPE[c as usize];
    if e == b'u' {
        out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[(c >> 4) as usize],
            HEX[(c & 15) as usize],
        ]);
    } else {
        out.extend_from_slice(&[b'\\', e]);
    }
}

/// `"s"` for a string known to need no escape.
#[inline]
pub(super) fn push_quoted_plain(out: &mut String, s: &str) {
    let b = s.as_bytes();
    if b.len() > 16 {
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    // SAFETY: `s` is UTF-8 needing no escape; 18 bytes were reserved.
    let v = unsafe { out.as_mut_vec() };
    v.reserve(18);
    unsafe {
        let p = v.as_mut_ptr().add(v.len());
        *p = b'"';
        copy_small(p.add(1), b);
        *p.add(1 + b.len()) = b'"';
        v.set_len(v.len() + b.len() + 2);
    }
}

pub(super) fn push_str_value(out: &mut String, s: &str) {
    let b = s.as_bytes();
    // Most strings of an event are short names (arguments, types, families, addresses): one
    // check and one copy for those, quotes included (callgrind on examples/render_cost).
    if b.len() <= 16 {
        let mut word = [b'a'; 16];
        // SAFETY: `word` has 16 bytes, `b` at most 16.
        unsafe { copy_small(word.as_mut_ptr(), b) };
        if plain_run(&word) == 16 {
            push_quoted_plain(out, s);
            return;
        }
    }
    out.push('"');
    escape_into(out, s);
    out.push('"');
}

/// `Display` output escaped as it is written (collect_str).
struct Escaping<'o>(&'o mut String);

impl fmt::Write for Escaping<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        escape_into(self.0, s);
        Ok(())
    }
}

macro_rules! int {
    ($name:ident, $t:ty) => {
        fn $name(self, v: $t) -> Result<(), Error> {
            push_short(self.out, itoa::Buffer::new().format(v));
            Ok(())
        }
    };
}

impl<'a, 'o> ser::Serializer for &'a mut Json<'o> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'a, 'o>;
    type SerializeTuple = Seq<'a, 'o>;
    type SerializeTupleStruct = Seq<'a, 'o>;
    type SerializeTupleVariant = Seq<'a, 'o>;
    type SerializeMap = Seq<'a, 'o>;
    type SerializeStruct = Seq<'a, 'o>;
    type SerializeStructVariant = Seq<'a, 'o>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        push_short(self.out, if v { "true" } else { "false" });
        Ok(())
    }
    int!(serialize_i8, i8);
    int!(serialize_i16, i16);
    int!(serialize_i32, i32);
    int!(serialize_i64, i64);
    int!(serialize_i128, i128);
    int!(serialize_u8, u8);
    int!(serialize_u16, u16);
    int!(serialize_u32, u32);
    int!(serialize_u64, u64);
    int!(serialize_u128, u128);
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(v as f64)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        // Not on the hot path (the model has no floats): serde_json's own formatting.
        self.out
            .push_str(&serde_json::to_string(&v).map_err(ser::Error::custom)?);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        if self.fragment {
            self.out.push_str(v);
            return Ok(());
        }
        if self.raw {
            debug_assert!(plain_run(v.as_bytes()) == v.len());
            push_quoted_plain(self.out, v);
            return Ok(());
        }
        push_str_value(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(b)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        push_short(self.out, "null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        if name == RAW {
            self.raw = true;
            let r = v.serialize(&mut *self);
            self.raw = false;
            return r;
        }
        if name == FRAGMENT {
            self.fragment = true;
            let r = v.serialize(&mut *self);
            self.fragment = false;
            return r;
        }
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.out.push('{');
        push_str_value(self.out, variant);
        self.out.push(':');
        v.serialize(&mut *self)?;
        self.out.push('}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a, 'o>, Error> {
        self.out.push('[');
        Ok(Seq {
            json: self,
            first: true,
            close: "]",
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a, 'o>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'a, 'o>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Seq<'a, 'o>, Error> {
        self.out.push('{');
        push_str_value(self.out, variant);
        self.out.push_str(":[");
        Ok(Seq {
            json: self,
            first: true,
            close: "]}",
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Seq<'a, 'o>, Error> {
        self.out.push('{');
        Ok(Seq {
            json: self,
            first: true,
            close: "}",
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Seq<'a, 'o>, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Seq<'a, 'o>, Error> {
        self.out.push('{');
        push_str_value(self.out, variant);
        self.out.push_str(":{");
        Ok(Seq {
            json: self,
            first: true,
            close: "}}",
        })
    }
    fn collect_str<T: Display + ?Sized>(self, v: &T) -> Result<(), Error> {
        self.out.push('"');
        if self.raw {
            write!(self.out, "{v}")
        } else {
            write!(Escaping(self.out), "{v}")
        }
        .map_err(|_| ser::Error::custom("Display failed"))?;
        self.out.push('"');
        Ok(())
    }
}

/// An array, object or variant being written: the separator state and what closes it.
pub struct Seq<'a, 'o> {
    json: &'a mut Json<'o>,
    first: bool,
    close: &'static str,
}

impl Seq<'_, '_> {
    fn sep(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.json.out.push(',');
        }
    }
    fn element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.sep();
        v.serialize(&mut *self.json)
    }
    /// A struct field: its name is a plain identifier, copied without escaping.
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Error> {
        debug_assert!(!key.bytes().any(|c| c < 0x20 || c == b'"' || c == b'\\'));
        // `,"key":` in one reserved write (keys are short: no copy call per key, see
        // copy_small). Measured:
        // push/push_str instead cost +1,900 instructions per sendto event (+10%, callgrind on
        // examples/render_cost).
        // SAFETY: ASCII punctuation and the key's UTF-8 bytes are appended within the room
        // reserved.
        let v_out = unsafe { self.json.out.as_mut_vec() };
        v_out.reserve(key.len() + 4);
        unsafe {
            let mut p = v_out.as_mut_ptr().add(v_out.len());
            let start = p;
            if !self.first {
                *p = b',';
                p = p.add(1);
            }
            self.first = false;
            *p = b'"';
            p = p.add(1);
            if key.len() <= 16 {
                copy_small(p, key.as_bytes());
            } else {
                std::ptr::copy_nonoverlapping(key.as_ptr(), p, key.len());
            }
            p = p.add(key.len());
            *p = b'"';
            *p.add(1) = b':';
            p = p.add(2);
            v_out.set_len(v_out.len() + p.offset_from(start) as usize);
        }
        v.serialize(&mut *self.json)
    }
    fn close(self) -> Result<(), Error> {
        push_short(self.json.out, self.close);
        Ok(())
    }
}

/// serde's four kinds of element sequence (array, tuple, tuple struct, tuple variant) are all
/// a JSON array here.
macro_rules! seq_impl {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for Seq<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
                self.element(v)
            }
            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    };
}

seq_impl!(SerializeSeq, serialize_element);
seq_impl!(SerializeTuple, serialize_element);
seq_impl!(SerializeTupleStruct, serialize_field);
seq_impl!(SerializeTupleVariant, serialize_field);

impl ser::SerializeMap for Seq<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Error> {
        self.sep();
        k.serialize(MapKey {
            out: &mut *self.json.out,
        })?;
        self.json.out.push(':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        v.serialize(&mut *self.json)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// A struct and a struct variant are both a JSON object with identifier keys.
macro_rules! struct_impl {
    ($trait:ident) => {
        impl ser::$trait for Seq<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                v: &T,
            ) -> Result<(), Error> {
                self.field(key, v)
            }
            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    };
}

struct_impl!(SerializeStruct);
struct_impl!(SerializeStructVariant);

/// A map key: a string (escaped), or an integer written as a string (as serde_json does).
struct MapKey<'o> {
    out: &'o mut String,
}

fn key_error() -> Error {
    ser::Error::custom("a JSON object key must be a string or an integer")
}

macro_rules! key_int {
    ($name:ident, $t:ty) => {
        fn $name(self, v: $t) -> Result<(), Error> {
            self.out.push('"');
            push_short(self.out, itoa::Buffer::new().format(v));
            self.out.push('"');
            Ok(())
        }
    };
}

impl ser::Serializer for MapKey<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        push_str_value(self.out, v);
        Ok(())
    }
    fn collect_str<T: Display + ?Sized>(self, v: &T) -> Result<(), Error> {
        self.out.push('"');
        write!(Escaping(self.out), "{v}").map_err(|_| ser::Error::custom("Display failed"))?;
        self.out.push('"');
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        v.serialize(self)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    key_int!(serialize_i8, i8);
    key_int!(serialize_i16, i16);
    key_int!(serialize_i32, i32);
    key_int!(serialize_i64, i64);
    key_int!(serialize_i128, i128);
    key_int!(serialize_u8, u8);
    key_int!(serialize_u16, u16);
    key_int!(serialize_u32, u32);
    key_int!(serialize_u64, u64);
    key_int!(serialize_u128, u128);
    fn serialize_bool(self, _: bool) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_f32(self, _: f32) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_f64(self, _: f64) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_error())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_error())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_error())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both<T: Serialize>(v: &T) {
        let mut s = String::new();
        write(&mut s, v);
        assert_eq!(s, serde_json::to_string(v).unwrap());
    }

    #[test]
    fn same_bytes_as_serde_json() {
        let all: String = (0u8..128).map(char::from).collect();
        both(&all);
        both(&"é\u{7f}\u{2028}x");
        both(&(
            1u8,
            -2i64,
            u64::MAX,
            i64::MIN,
            true,
            (),
            None::<u8>,
            Some(3),
        ));
        both(&vec![Some("a\"b"), None]);
        both(&serde_json::json!({"k\n": [1, {"x": null}], "": "q"}));
        let mut m = std::collections::BTreeMap::new();
        m.insert(5u32, "five");
        both(&m);
        #[derive(serde::Serialize)]
        enum E {
            Unit,
            New(u8),
            Tuple(u8, u8),
            Struct { a: u8 },
        }
        both(&[E::Unit, E::New(1), E::Tuple(1, 2), E::Struct { a: 1 }]);
        both(&&b"\x00\xff"[..]);
        both(&crate::render::json::model::Hex(b"\x01\xab"));
        let long: Vec<u8> = (0..=255u8).cycle().take(300).collect();
        both(&crate::render::json::model::Hex(&long));
        both(&1.5f64);
    }

    /// The names the model writes without the escape scan (`RAW`): every call's name and
    /// every argument's name and type in the event table.
    #[test]
    fn event_table_names_need_no_escape() {
        let mut n = 0;
        for d in &crate::events::EVENTS {
            for s in std::iter::once(d.name).chain(d.args.iter().flat_map(|a| [a.name, a.ty])) {
                assert_eq!(plain_run(s.as_bytes()), s.len(), "{s:?}");
                n += 1;
            }
        }
        assert!(n > 50, "{n}");
    }

    /// escape_into against serde_json: every byte value (below 0x80, so the string stays
    /// UTF-8) at every position of every length across three blocks, and multi-byte UTF-8
    /// sequences across block edges.
    #[test]
    fn escape_as_serde_json() {
        let check = |s: &str| {
            let mut out = String::from("\"");
            escape_into(&mut out, s);
            out.push('"');
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        };
        strfmt::every_byte_at_every_position(50, |b, _, c| {
            if c < 0x80 {
                check(std::str::from_utf8(b).unwrap());
            }
        });
        // Multi-byte sequences cut by every block edge, before and after escapes.
        for pre in 0..40 {
            for post in 0..20 {
                check(&format!(
                    "{}é\u{1F600}\"x\u{7}€\u{2028}{}",
                    "a".repeat(pre),
                    "b".repeat(post)
                ));
            }
        }
    }

    /// plain_run (SSE2 steps, SWAR steps, bytes) agrees with the escape table for every byte
    /// value at every position of buffers around the 8- and 16-byte boundaries.
    #[test]
    fn plain_run_finds_every_escape() {
        strfmt::every_byte_at_every_position(50, |b, at, c| {
            let want = if ESCAPE[c as usize] == 0 { b.len() } else { at };
            assert_eq!(plain_run(b), want, "len {}, byte {c:#x} at {at}", b.len());
            assert_eq!(plain_swar(b), want, "len {}, byte {c:#x} at {at}", b.len());
        });
    }

    /// The short-string and run-copying paths at every length around their 8- and 16-byte
    /// boundaries, with an escape at every position, and non-ASCII text.
    #[test]
    fn strings_of_every_short_length() {
        for len in 0..40 {
            let plain: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
            both(&plain);
            for at in 0..len {
                for esc in [
                    '"', '\\', '\n', '\u{1}', '\u{1f}', '\u{7f}', 'é', '\u{2028}',
                ] {
                    let mut v: Vec<char> = plain.chars().collect();
                    v[at] = esc;
                    both(&v.into_iter().collect::<String>());
                }
            }
        }
    }
}
