//! errno names and messages, and strace's rendering of a return value.
//!
//! Names: strace 6.1's `src/linux/generic/errnoent.h` (x86_64), 1..=133 and the kernel-internal
//! 512..=530 (strace 6.1 knows no name for 41, 58, 519 and 520). Messages: what strace prints in
//! parentheses, i.e. glibc's strerror() text (`Unknown error 515` for the kernel-internal codes
//! glibc does not know), except for the four ERESTART* codes, which strace prints with texts of
//! its own.

use std::fmt::Write;

/// strace's MAX_ERRNO_VALUE: a return value in -4095..=-1 is an error.
pub const MAX_ERRNO: u64 = 4095;

use super::xlat::ERRNOS;

fn lookup(e: u64) -> Option<&'static (u16, &'static str, &'static str)> {
    let e = u16::try_from(e).ok()?;
    ERRNOS
        .binary_search_by_key(&e, |r| r.0)
        .ok()
        .map(|i| &ERRNOS[i])
}

/// `EBADF` for 9, including the kernel-internal ones (ERESTARTSYS, ...).
pub fn errno_name(e: u64) -> Option<&'static str> {
    lookup(e).map(|r| r.1)
}

/// The message strace prints in parentheses: `Bad file descriptor`.
pub fn errno_message(e: u64) -> Option<&'static str> {
    lookup(e).map(|r| r.2)
}

/// strace's rendering of a socket call's result: `5`, `-1 EBADF (Bad file descriptor)`,
/// `? ERESTARTSYS (To be restarted if SA_RESTART is set)`.
///
/// `ret` is the raw value the kernel returned (`-errno` on error). Without the `= ` strace
/// puts before it. An errno strace has no name for prints as `-1 (errno 58)`.
pub fn format_retval(out: &mut String, ret: i64) {
    if ret < 0 && ret.unsigned_abs() <= MAX_ERRNO {
        let e = ret.unsigned_abs();
        match e {
            512 | 513 | 514 | 516 => {
                out.push_str("? ");
                out.push_str(errno_name(e).unwrap_or(""));
                out.push_str(" (");
                out.push_str(errno_message(e).unwrap_or(""));
                out.push(')');
            }
            _ => match lookup(e) {
                Some(&(_, name, msg)) => {
                    out.push_str("-1 ");
                    super::strfmt::push_short(out, name);
                    out.push_str(" (");
                    out.push_str(msg);
                    out.push(')');
                }
                None => {
                    let _ = write!(out, "-1 (errno {e})");
                }
            },
        }
    } else {
        super::strfmt::push_int(out, ret);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rv(ret: i64) -> String {
        let mut s = String::new();
        format_retval(&mut s, ret);
        s
    }

    #[test]
    fn as_strace_prints_them() {
        // What strace 6.1 printed after `= ` (errors injected with -e inject=sendto:error=N).
        assert_eq!(rv(5), "5");
        assert_eq!(rv(0), "0");
        assert_eq!(rv(-9), "-1 EBADF (Bad file descriptor)");
        assert_eq!(rv(-11), "-1 EAGAIN (Resource temporarily unavailable)");
        assert_eq!(rv(-133), "-1 EHWPOISON (Memory page has hardware error)");
        assert_eq!(
            rv(-512),
            "? ERESTARTSYS (To be restarted if SA_RESTART is set)"
        );
        assert_eq!(rv(-513), "? ERESTARTNOINTR (To be restarted)");
        assert_eq!(rv(-514), "? ERESTARTNOHAND (To be restarted if no handler)");
        assert_eq!(rv(-515), "-1 ENOIOCTLCMD (Unknown error 515)");
        assert_eq!(rv(-516), "? ERESTART_RESTARTBLOCK (Interrupted by signal)");
        assert_eq!(rv(-530), "-1 ERECALLCONFLICT (Unknown error 530)");
        assert_eq!(rv(-41), "-1 (errno 41)");
        assert_eq!(rv(-58), "-1 (errno 58)");
        assert_eq!(rv(-519), "-1 (errno 519)");
        assert_eq!(rv(-600), "-1 (errno 600)");
        assert_eq!(rv(-4095), "-1 (errno 4095)");
    }

    #[test]
    fn out_of_errno_range_is_a_number() {
        assert_eq!(rv(-4096), "-4096");
        assert_eq!(rv(i64::MIN), "-9223372036854775808");
        assert_eq!(rv(i64::MAX), "9223372036854775807");
    }

    #[test]
    fn names_and_messages() {
        assert_eq!(errno_name(1), Some("EPERM"));
        assert_eq!(errno_message(1), Some("Operation not permitted"));
        assert_eq!(errno_name(32), Some("EPIPE"));
        assert_eq!(errno_message(32), Some("Broken pipe"));
        assert_eq!(errno_name(104), Some("ECONNRESET"));
        assert_eq!(errno_message(104), Some("Connection reset by peer"));
        assert_eq!(errno_name(111), Some("ECONNREFUSED"));
        assert_eq!(errno_message(90), Some("Message too long"));
        assert_eq!(errno_name(35), Some("EDEADLK"));
        assert_eq!(errno_name(0), None);
        assert_eq!(errno_name(41), None);
        assert_eq!(errno_name(134), None);
        assert_eq!(errno_name(u64::MAX), None);
        assert_eq!(errno_name(65536 + 9), None);
        assert_eq!(errno_name(512), Some("ERESTARTSYS"));
        assert_eq!(errno_name(517), Some("EPROBE_DEFER"));
        for w in ERRNOS.windows(2) {
            assert!(w[0].0 < w[1].0);
        }
        assert_eq!(ERRNOS.len(), 148);
    }
}
