//! errno names and messages, and strace's rendering of a return value.
//! STUB: being written by the decoder helper; signatures are fixed.

/// `EBADF` for 9, including the kernel-internal ones (ERESTARTSYS, ...).
pub fn errno_name(e: u64) -> Option<&'static str> {
    let _ = e;
    todo!()
}

/// The message strace prints in parentheses: `Bad file descriptor`.
pub fn errno_message(e: u64) -> Option<&'static str> {
    let _ = e;
    todo!()
}

/// strace's rendering of a socket call's result: `5`, `-1 EBADF (Bad file descriptor)`,
/// `? ERESTARTSYS (To be restarted if SA_RESTART is set)`.
pub fn format_retval(out: &mut String, ret: i64) {
    let _ = (out, ret);
    todo!()
}
