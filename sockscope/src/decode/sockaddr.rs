//! Socket addresses as strace prints them, and as Tracee-like JSON maps.
//! STUB: being written by the decoder helper; signatures are fixed.

use super::Style;

/// strace's rendering of a socket address argument. `addr` is the user pointer, `bytes` what
/// was read there (None: the read faulted), `addrlen` the length the call gave for it (the
/// kernel captured min(addrlen, 128) bytes when addrlen > 0).
pub fn format_sockaddr(out: &mut String, addr: u64, bytes: Option<&[u8]>, addrlen: i64, style: &Style) {
    let _ = (out, addr, bytes, addrlen, style);
    todo!()
}

/// Tracee's SockAddr map: {"sa_family":"AF_INET","sin_port":"41001","sin_addr":"127.0.0.1"}.
pub fn sockaddr_json(bytes: &[u8]) -> serde_json::Value {
    let _ = bytes;
    todo!()
}
