//! The one JSON shape of captured user bytes (send/receive buffers, iovec data): exact hex
//! with how many bytes were captured of how many, `{"error":"EFAULT","length":N}` when the
//! read faulted, null when nothing was captured (a NULL pointer, or not read). The shape is
//! the model's [`Payload`]; this builds it from a segment.

use crate::record::{ReadStatus, Seg};
use crate::render::json::model::{Encoding, FaultName, FaultPayload, Hex, HexPayload, Payload};

/// The captured bytes of a buffer (at most `max` of them, at most `length`): hex, with how
/// many were captured of how many; the EFAULT object when unreadable; null when not read.
pub fn payload<'a>(seg: Option<&Seg<'a>>, length: u64, max: usize) -> Payload<'a> {
    match seg {
        Some(s) if s.status == ReadStatus::Ok => {
            let n = s
                .data
                .len()
                .min(max)
                .min(length.min(usize::MAX as u64) as usize);
            hex_payload(&s.data[..n], length)
        }
        Some(s) if s.status == ReadStatus::Fault => Payload::Fault(FaultPayload {
            error: FaultName::EFAULT,
            length,
        }),
        _ => Payload::Null,
    }
}

/// `data` (all of it captured) of a buffer of `length` bytes.
pub fn hex_payload(data: &[u8], length: u64) -> Payload<'_> {
    Payload::Hex(HexPayload {
        encoding: Encoding::Hex,
        data: Hex(data),
        captured: data.len(),
        length,
        truncated: (data.len() as u64) < length,
    })
}
