//! Escaping of everything sockscope prints outside strace's own quoting: the process name of the
//! line prefix, paths read from /proc, names given on the command line echoed in messages.
//!
//! A traced process controls its name (`prctl(PR_SET_NAME)`, up to 15 bytes) and, in part, the
//! paths of its descriptors. Printed raw, a newline in a name forges a whole output line, ESC
//! drives the operator's terminal, a space splits the prefix. So every byte outside the visible
//! ASCII range `!`..`~` is written `\xHH`, and `\` itself `\\`: the result is one token of
//! printable ASCII, and the original bytes can be recovered exactly from it.

use std::fmt::Write as _;

/// Appends `bytes` as one printable token: `!`..`~` as is (`\` doubled), any other byte (space,
/// control bytes, DEL, bytes ≥ 0x80) as `\xHH`.
pub fn push_token(out: &mut String, bytes: &[u8]) {
    // A plain token (a command name: one per line) is appended whole; the byte-by-byte push
    // cost ~14 instructions a byte (callgrind on examples/render_cost).
    let plain = bytes
        .iter()
        .position(|&b| !(0x21..=0x7e).contains(&b) || b == b'\\')
        .unwrap_or(bytes.len());
    // SAFETY: the bytes before `plain` are printable ASCII.
    crate::decode::strfmt::push_short(out, unsafe {
        std::str::from_utf8_unchecked(&bytes[..plain])
    });
    for &b in &bytes[plain..] {
        match b {
            b'\\' => out.push_str("\\\\"),
            0x21..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
}

/// `bytes` as one printable token (see [`push_token`]).
pub fn token(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    push_token(&mut s, bytes);
    s
}

/// Appends text that may contain spaces (a path, a message part) with every control byte,
/// DEL and non-ASCII byte as `\xHH` and `\` doubled: one line of printable ASCII.
pub fn push_text(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
}

/// `bytes` as printable text (see [`push_text`]).
pub fn text(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    push_text(&mut s, bytes);
    s
}

/// A path for a message: printable text (see [`push_text`]).
pub fn path(p: &std::path::Path) -> String {
    text(p.as_os_str().as_encoded_bytes())
}

/// Lower-case hex of `bytes` (the exact form JSON carries for names that are not UTF-8).
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The inverse of [`push_token`]/[`push_text`] (tests, tools reading sockscope's output).
pub fn unescape(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        match b.get(i + 1)? {
            b'\\' => {
                out.push(b'\\');
                i += 2;
            }
            b'x' => {
                let h = std::str::from_utf8(b.get(i + 2..i + 4)?).ok()?;
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 4;
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain-prefix shortcut against the byte-by-byte escaping it skips.
    #[test]
    fn token_as_byte_by_byte() {
        crate::decode::strfmt::every_byte_at_every_position(18, |b, at, c| {
            let mut want = String::new();
            for &x in b {
                match x {
                    b'\\' => want.push_str("\\\\"),
                    0x21..=0x7e => want.push(x as char),
                    _ => want.push_str(&format!("\\x{x:02x}")),
                }
            }
            assert_eq!(token(b), want, "{c:#x} at {at}");
        });
    }

    #[test]
    fn forged_line_stays_one_token() {
        let name = b"x\n00:00:00 sshd";
        let t = token(name);
        assert_eq!(t, "x\\x0a00:00:00\\x20sshd");
        assert!(!t.contains(char::is_whitespace));
        assert_eq!(unescape(&t).unwrap(), name);
    }

    #[test]
    fn every_byte_is_printable_and_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        for t in [token(&all), text(&all)] {
            assert!(t.bytes().all(|c| (0x20..=0x7e).contains(&c)), "{t}");
            assert_eq!(unescape(&t).unwrap(), all);
        }
        assert!(!token(&all).contains(' '));
        for (b, want) in [
            (0x1b, "\\x1b"),
            (b'\r', "\\x0d"),
            (0x07, "\\x07"),
            (0x08, "\\x08"),
            (b'\t', "\\x09"),
            (0x7f, "\\x7f"),
            (b' ', "\\x20"),
            (0xff, "\\xff"),
            (b'\\', "\\\\"),
            (b'a', "a"),
        ] {
            assert_eq!(token(&[b]), want, "byte {b:#x}");
        }
        assert_eq!(text(b"/tmp/a b\x1b"), "/tmp/a b\\x1b");
    }

    #[test]
    fn hex_form() {
        assert_eq!(hex(b"x\xff"), "78ff");
    }
}
