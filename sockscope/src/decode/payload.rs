//! The one JSON shape of captured user bytes (send/receive buffers, iovec data): exact hex
//! with how many bytes were captured of how many, `{"error":"EFAULT","length":N}` when the
//! read faulted, null when nothing was captured (a NULL pointer, or not read).
//! `render::json` writes the same shape directly on its hot path (tested to agree).

use serde_json::{Value, json};

use crate::record::{ReadStatus, Seg};

/// The payload object of `seg` as a value (the nested decoders: msghdr iovecs, readv/writev).
pub fn payload_json(seg: Option<&Seg>, length: u64, max: usize) -> Value {
    let mut s = String::with_capacity(64);
    write_payload(&mut s, seg, length, max);
    serde_json::from_str(&s).unwrap_or(Value::Null)
}

/// The captured bytes of a buffer (at most `-s` of them): hex, with how many were captured of
/// how many; `{"error":"EFAULT",...}` when unreadable; null for NULL.
pub fn write_payload(out: &mut String, seg: Option<&Seg>, length: u64, max: usize) {
    use std::fmt::Write as _;
    match seg {
        Some(s) if s.status == ReadStatus::Ok => {
            let data = &s.data[..s
                .data
                .len()
                .min(max)
                .min(length.min(usize::MAX as u64) as usize)];
            out.push_str("{\"encoding\":\"hex\",\"data\":\"");
            push_hex(out, data);
            let _ = write!(
                out,
                "\",\"captured\":{},\"length\":{length},\"truncated\":{}}}",
                data.len(),
                (data.len() as u64) < length
            );
        }
        Some(s) if s.status == ReadStatus::Fault => {
            let _ = write!(out, "{{\"error\":\"EFAULT\",\"length\":{length}}}");
        }
        _ => out.push_str("null"),
    }
}

fn push_hex(out: &mut String, data: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.reserve(data.len() * 2);
    for &b in data {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
}

/// A user pointer as JSON: null for NULL, else the address.
pub fn ptr_json(p: u64) -> Value {
    if p == 0 { Value::Null } else { json!(p) }
}
