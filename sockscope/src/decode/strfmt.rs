//! strace's string quoting (`-s`, `-x`, `-xx`) and pointer printing.
//! STUB: being written by the decoder helper; signatures are fixed.

use super::Style;

/// A buffer of `len` bytes of which `data` (its first bytes, at most `style.max_strlen`) was
/// captured, as strace's printstrn prints it: quoted, escaped, `...` appended when `len`
/// exceeds what is shown.
pub fn quote_buf(out: &mut String, data: &[u8], len: u64, style: &Style) {
    let _ = (out, data, len, style);
    todo!()
}

/// A NUL-terminated string field of at most `data.len()` bytes (sun_path and the like), as
/// strace prints it.
pub fn quote_cstr(out: &mut String, data: &[u8], style: &Style) {
    let _ = (out, data, style);
    todo!()
}

/// A user pointer: `NULL` or `0x7ffc1234abcd`.
pub fn print_addr(out: &mut String, addr: u64) {
    let _ = (out, addr);
    todo!()
}
