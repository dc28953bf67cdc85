//! Constant tables (strace's xlat files as data) and the two ways strace prints them.
//! STUB: being written by the decoder helper; signatures are fixed.

/// A table of named values: flag bits or enumerated values.
pub struct Xlat {
    /// Entries in the order strace prints them.
    pub entries: &'static [(u64, &'static str)],
    /// What strace puts in the comment for an unknown value, e.g. "MSG_???".
    pub unknown: &'static str,
}

/// The name of exactly `v`, if any.
pub fn xlat_lookup(x: &Xlat, v: u64) -> Option<&'static str> {
    x.entries.iter().find(|e| e.0 == v).map(|e| e.1)
}

/// strace's printxval: `AF_INET`, or `0x2d /* AF_??? */` for an unknown value.
pub fn print_xval(out: &mut String, v: u64, x: &Xlat) {
    let _ = (out, v, x);
    todo!()
}

/// strace's printflags: `MSG_OOB|MSG_PEEK`, `MSG_OOB|0x100000`, `0x100000 /* MSG_??? */`, `0`.
pub fn print_flags(out: &mut String, v: u64, x: &Xlat) {
    let _ = (out, v, x);
    todo!()
}

/// The names of the known bits of `v`, and the bits left over (for JSON).
pub fn flag_names(v: u64, x: &Xlat) -> (Vec<&'static str>, u64) {
    let _ = (v, x);
    todo!()
}

pub static MSG_FLAGS: Xlat = Xlat { entries: &[], unknown: "MSG_???" };
pub static ADDRESS_FAMILIES: Xlat = Xlat { entries: &[], unknown: "AF_???" };
pub static SOCKET_TYPES: Xlat = Xlat { entries: &[], unknown: "SOCK_???" };
