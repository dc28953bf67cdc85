//! The one JSON shape of captured user bytes (send/receive buffers, iovec data): exact hex
//! with how many bytes were captured of how many, `{"error":"EFAULT","length":N}` when the
//! read faulted, null when nothing was captured (a NULL pointer, or not read).
//! `render::json` writes the same shape directly on its hot path (tested to agree).

use serde_json::{Value, json};

use crate::record::{ReadStatus, Seg};

/// The payload object of `seg` for `length` bytes the call moved, at most `max` shown (`-s`).
pub fn payload_json(seg: Option<&Seg>, length: u64, max: usize) -> Value {
    match seg {
        Some(s) if s.status == ReadStatus::Ok => {
            let data = &s.data[..s
                .data
                .len()
                .min(max)
                .min(length.min(usize::MAX as u64) as usize)];
            json!({
                "encoding": "hex",
                "data": crate::escape::hex(data),
                "captured": data.len(),
                "length": length,
                "truncated": (data.len() as u64) < length,
            })
        }
        Some(s) if s.status == ReadStatus::Fault => json!({"error": "EFAULT", "length": length}),
        _ => Value::Null,
    }
}

/// A user pointer as JSON: null for NULL, else the address.
pub fn ptr_json(p: u64) -> Value {
    if p == 0 { Value::Null } else { json!(p) }
}
