//! A serde `Serializer` writing compact JSON into a `String`, byte for byte what
//! `serde_json::to_writer` writes, for the `--json` hot path. Hand-written because callgrind
//! on `examples/render_cost` measured serde_json escaping every struct key at run time (an
//! out-of-line scan per key: +5,000 instructions per sendto event, +22%); here the keys of
//! structs (`&'static str` field names, plain identifiers) are copied as they are, strings are
//! escaped with a run-copying scan and integers written with itoa. Maps (dynamic keys) escape
//! their keys as serde_json does. A unit test compares it with serde_json on the corpus.

use std::fmt::{self, Display, Write as _};

use serde::ser::{self, Serialize};

/// Appends the JSON of `v` to `out`.
pub fn write<T: Serialize + ?Sized>(out: &mut String, v: &T) {
    // Only a Display implementation can fail (and ours do not); what it wrote is kept.
    let _ = v.serialize(&mut Json { out, raw: false });
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
    /// Inside a [`RAW`] newtype: `collect_str` output needs no escaping.
    raw: bool,
}

/// The name of a newtype struct whose `collect_str` output never needs escaping (hex digits):
/// written as it is here, an ordinary string for serde_json.
pub const RAW: &str = "$sockscope::raw";

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

/// serde_json's escapes: `\"`, `\\`, `\b \f \n \r \t`, `\u00xx` for other control bytes;
/// written byte by byte into room reserved for the worst case (no copy call per run:
/// strace's strings alternate short runs and escapes; measured with callgrind).
fn escape_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    // SAFETY: only whole UTF-8 sequences of `s` (bytes >= 0x80 are never escaped) and ASCII
    // escapes are appended.
    let v = unsafe { out.as_mut_vec() };
    v.reserve(b.len() * 6);
    let mut len = v.len();
    let p = v.as_mut_ptr();
    for &c in b {
        let e = ESCAPE[c as usize];
        // SAFETY: at most 6 bytes per input byte were reserved above.
        unsafe {
            if e == 0 {
                *p.add(len) = c;
                len += 1;
            } else if e == b'u' {
                let esc = [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(c >> 4) as usize],
                    HEX[(c & 15) as usize],
                ];
                std::ptr::copy_nonoverlapping(esc.as_ptr(), p.add(len), 6);
                len += 6;
            } else {
                *p.add(len) = b'\\';
                *p.add(len + 1) = e;
                len += 2;
            }
        }
    }
    // SAFETY: the bytes up to len were written above.
    unsafe { v.set_len(len) };
}

fn push_str_value(out: &mut String, s: &str) {
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
            self.out.push_str(itoa::Buffer::new().format(v));
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
        self.out.push_str(if v { "true" } else { "false" });
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
        self.out.push_str("null");
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
        // `,"key":` in one reserved write (keys are short: no copy call per key). Measured:
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
            for &c in key.as_bytes() {
                *p = c;
                p = p.add(1);
            }
            *p = b'"';
            *p.add(1) = b':';
            p = p.add(2);
            v_out.set_len(v_out.len() + p.offset_from(start) as usize);
        }
        v.serialize(&mut *self.json)
    }
    fn close(self) -> Result<(), Error> {
        self.json.out.push_str(self.close);
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
            self.out.push_str(itoa::Buffer::new().format(v));
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
        both(&1.5f64);
    }
}
