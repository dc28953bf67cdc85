//! Constant tables and the two ways strace prints them.
//!
//! The tables are data: `sockscope/xlat/*.in` (one table per file: `NAME value` lines in the
//! order strace 6.1 prints them, x86_64 values; format in `xlat/README.md`), turned into the
//! statics below by `build.rs`. Following a newer strace is a diff of those files.

/// What a table holds, from its file's header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XlatKind {
    /// Bits or-ed together: printed with [`print_flags`].
    Flags,
    /// One value at a time: printed with [`print_xval`].
    Values,
}

/// A table of named values: flag bits or enumerated values.
pub struct Xlat {
    /// Flags or values (the header line of the table's file).
    pub kind: XlatKind,
    /// Entries in the order strace prints them.
    pub entries: &'static [(u64, &'static str)],
    /// What strace puts in the comment for an unknown value, e.g. "MSG_???".
    pub unknown: &'static str,
}

/// The name of exactly `v`, if any.
pub fn xlat_lookup(x: &Xlat, v: u64) -> Option<&'static str> {
    x.entries.iter().find(|e| e.0 == v).map(|e| e.1)
}

/// C's `%#x`: `0` for zero, `0x2d` otherwise.
pub fn push_c_hex(out: &mut String, v: u64) {
    if v == 0 {
        out.push('0');
    } else {
        super::strfmt::push_hex(out, v);
    }
}

/// strace's printxval: `AF_INET`, or `0x2d /* AF_??? */` for an unknown value.
pub fn print_xval(out: &mut String, v: u64, x: &Xlat) {
    print_xval_dflt(out, v, x, Some(x.unknown));
}

/// printxval with strace's `dflt` argument: the comment for an unknown value, none if `None`
/// or empty (strace's PRINT_FIELD_XVAL(..., NULL) prints a bare `0x3`).
pub fn print_xval_dflt(out: &mut String, v: u64, x: &Xlat, dflt: Option<&str>) {
    let style = super::global_opts().xlat;
    if style == super::XlatStyle::Raw {
        push_c_hex(out, v);
        return;
    }
    match xlat_lookup(x, v) {
        Some(name) if style == super::XlatStyle::Verbose => {
            push_c_hex(out, v);
            out.push_str(" /* ");
            out.push_str(name);
            out.push_str(" */");
        }
        Some(name) => super::strfmt::push_short(out, name),
        None => {
            push_c_hex(out, v);
            if let Some(d) = dflt.filter(|d| !d.is_empty()) {
                out.push_str(" /* ");
                out.push_str(d);
                out.push_str(" */");
            }
        }
    }
}

/// strace's printflags: `MSG_OOB|MSG_PEEK`, `MSG_OOB|0x100000`, `0x100000 /* MSG_??? */`, `0`.
pub fn print_flags(out: &mut String, v: u64, x: &Xlat) {
    match super::global_opts().xlat {
        super::XlatStyle::Abbrev => {}
        super::XlatStyle::Raw => return push_c_hex(out, v),
        super::XlatStyle::Verbose => return print_flags_verbose(out, v, x),
    }
    print_flags_abbrev(out, v, x);
}

/// printflags in strace's default style (-X abbrev), whatever -X says (JSON's `decoded`).
pub fn print_flags_abbrev(out: &mut String, v: u64, x: &Xlat) {
    // No flags (most calls): the table walk looks at its first entry only, which names 0 or
    // leaves `0`.
    if v == 0 && x.entries.first().is_none_or(|&(val, _)| val != 0) {
        out.push('0');
        return;
    }
    // The text depends on the value and the table: its entries and `unknown`, both 'static
    // (their addresses name them).
    let key = (
        v,
        x.entries.as_ptr() as usize,
        x.entries.len(),
        x.unknown.as_ptr() as usize,
    );
    FLAGS_MEMO.with_borrow_mut(|memo| {
        memo.push(out, key, v ^ (v >> 7) ^ (key.1 as u64 >> 4), |out| {
            push_flags_abbrev(out, v, x)
        })
    })
}

thread_local! {
    /// Texts [`print_flags_abbrev`] wrote lately: the table walk (~24 entries for MSG_FLAGS)
    /// was ~7% of the text consumer's samples in the recvfrom loop (MSG_PEEK|MSG_DONTWAIT;
    /// perf), the lookup ~2%.
    static FLAGS_MEMO: std::cell::RefCell<super::memo::TextMemo<(u64, usize, usize, usize), 4>> =
        const { std::cell::RefCell::new(super::memo::TextMemo::new()) };
}

/// [`print_flags_abbrev`]'s table walk (push_flags(.., false) with the names written as they
/// are found).
fn push_flags_abbrev(out: &mut String, v: u64, x: &Xlat) {
    let mut any = false;
    let rest = for_each_flag_name(v, x, |n| {
        if any {
            out.push('|');
        }
        super::strfmt::push_short(out, n);
        any = true;
    });
    push_flags_rest(out, any, rest, Some(x.unknown));
}

/// The end of printflags' text (not verbose) once the names are written (`any`: there were
/// some): `|0x10` for bits without a name, or `0x10 /* DFLT */` (`0` with no bits) for a value
/// without names.
fn push_flags_rest(out: &mut String, any: bool, rest: u64, dflt: Option<&str>) {
    if any {
        if rest != 0 {
            out.push('|');
            push_c_hex(out, rest);
        }
        return;
    }
    push_c_hex(out, rest);
    if let Some(d) = dflt
        && rest != 0
    {
        out.push_str(" /* ");
        out.push_str(d);
        out.push_str(" */");
    }
}

/// What the JSON models give of a flags value, from one table walk: [`print_flags_abbrev`]'s
/// text, the names and the bits without a name.
pub fn flags_decoded(v: u64, x: &Xlat) -> (String, Vec<&'static str>, u64) {
    let (names, rest) = flag_names(v, x);
    let mut text = String::new();
    push_flags(&mut text, v, &names, rest, Some(x.unknown), false);
    (text, names, rest)
}

/// printflags with `-X verbose`: `0x41 /* MSG_OOB|MSG_DONTWAIT */`, `0 /* NAME */` when a
/// zero-valued name matches, `0x100000 /* MSG_??? */`, `0`.
fn print_flags_verbose(out: &mut String, v: u64, x: &Xlat) {
    let (names, rest) = flag_names(v, x);
    push_flags(out, v, &names, rest, Some(x.unknown), true);
}

/// The text of printflags once the names of `v`'s bits are known (`rest`: the bits left):
/// `A|B|0x10`, `0x10 /* DFLT */` (no names); with `verbose`, `0x13 /* A|B|0x10 */`. `dflt`:
/// the comment for a value without names (None: no comment).
pub fn push_flags(
    out: &mut String,
    v: u64,
    names: &[&str],
    rest: u64,
    dflt: Option<&str>,
    verbose: bool,
) {
    if verbose {
        push_c_hex(out, v);
        if names.is_empty() {
            if let Some(d) = dflt
                && v != 0
            {
                out.push_str(" /* ");
                out.push_str(d);
                out.push_str(" */");
            }
            return;
        }
        out.push_str(" /* ");
    }
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        out.push_str(n);
    }
    push_flags_rest(out, !names.is_empty(), rest, dflt);
    if verbose {
        out.push_str(" */");
    }
}

/// The names of the known bits of `v`, and the bits left over (for JSON).
///
/// As strace's printflags: entries are matched in table order, an entry matching when all its
/// bits are set (an entry of value 0 matches only a `v` of 0, and only as the first entry);
/// matched bits are removed from what is left to match.
pub fn flag_names(v: u64, x: &Xlat) -> (Vec<&'static str>, u64) {
    let mut names = Vec::new();
    let rest = for_each_flag_name(v, x, |n| names.push(n));
    (names, rest)
}

/// [`flag_names`] without the list: `f` gets each name in turn; the bits left are returned
/// (the hot paths of text and JSON: no allocation per event).
#[inline]
pub fn for_each_flag_name(v: u64, x: &Xlat, mut f: impl FnMut(&'static str)) -> u64 {
    // 0: only a first entry of value 0 names it.
    if v == 0 {
        if let Some(&(0, name)) = x.entries.first() {
            f(name);
        }
        return 0;
    }
    // Otherwise an entry of value 0 never matches, and the walk ends once every bit is named
    // (one test per entry: recvfrom's MSG_PEEK|MSG_DONTWAIT walk was 6.7% of the text
    // consumer's samples in the bench loop).
    let mut flags = v;
    for &(val, name) in x.entries {
        if val != 0 && flags & val == val {
            f(name);
            flags &= !val;
            if flags == 0 {
                break;
            }
        }
    }
    flags
}

// The tables of xlat/*.in (build.rs).
include!(concat!(env!("OUT_DIR"), "/xlat_tables.rs"));

#[cfg(test)]
mod tests {

    /// The table walk against strace's printflags loop as it reads (the form this crate had
    /// before the walk was tightened), on real tables and on one with a 0 entry and
    /// overlapping multi-bit entries.
    #[test]
    fn flag_walk_as_printflags() {
        fn reference(v: u64, x: &super::Xlat) -> (Vec<&'static str>, u64) {
            let (mut flags, mut any, mut names) = (v, false, Vec::new());
            for &(val, name) in x.entries {
                if flags == 0 && any {
                    break;
                }
                if flags == val || (val != 0 && flags & val == val) {
                    names.push(name);
                    any = true;
                    flags &= !val;
                }
                if flags == 0 {
                    break;
                }
            }
            (names, flags)
        }
        static ODD: super::Xlat = super::Xlat {
            kind: super::XlatKind::Flags,
            entries: &[
                (0, "Z"),
                (3, "AB"),
                (1, "A"),
                (4, "C"),
                (6, "BC"),
                (0x30, "DE"),
            ],
            unknown: "X_???",
        };
        for x in [&MSG_FLAGS, &NEIGHBOR_CACHE_ENTRY_STATES, &ODD] {
            for v in (0..=0x1ffu64).chain([0x8000_0040, 0xffff_ffff, u64::MAX, 1 << 40]) {
                assert_eq!(
                    super::flag_names(v, x),
                    reference(v, x),
                    "{v:#x} {}",
                    x.unknown
                );
            }
        }
    }

    /// print_flags_abbrev's remembered texts against the table walk: every value of several
    /// tables in turn, twice (the second pass from the memo), so that values shared by tables
    /// meet in the memo's slots.
    #[test]
    fn remembered_flags_as_the_walk() {
        let tables = [
            &MSG_FLAGS,
            &NEIGHBOR_CACHE_ENTRY_STATES,
            &SPLICE_FLAGS,
            &RWF_FLAGS,
        ];
        for _ in 0..2 {
            for v in (0..=0x1ffu64).chain([0x8000_0040, 0x10_0041]) {
                for x in tables {
                    let (mut got, mut walk) = (String::new(), String::new());
                    super::print_flags_abbrev(&mut got, v, x);
                    super::push_flags_abbrev(&mut walk, v, x);
                    assert_eq!(got, walk, "{v:#x} {}", x.unknown);
                }
            }
        }
    }

    /// The zero-flags shortcut of print_flags_abbrev against the table walk it skips, for a
    /// table without a 0 entry and one whose first entry names 0.
    #[test]
    fn zero_flags_as_the_table_walk() {
        for x in [&MSG_FLAGS, &NEIGHBOR_CACHE_ENTRY_STATES] {
            let mut walk = String::new();
            let mut any = false;
            let rest = super::for_each_flag_name(0, x, |n| {
                walk.push_str(n);
                any = true;
            });
            super::push_flags_rest(&mut walk, any, rest, Some(x.unknown));
            let mut fast = String::new();
            super::print_flags_abbrev(&mut fast, 0, x);
            assert_eq!(fast, walk);
        }
    }

    #[test]
    fn xlat_styles_as_strace_x() {
        use crate::decode::{GlobalOpts, XlatStyle, set_global_opts};
        let show = |style, v, flags: bool| {
            set_global_opts(GlobalOpts {
                abbrev: true,
                xlat: style,
            });
            let mut s = String::new();
            if flags {
                super::print_flags(&mut s, v, &MSG_FLAGS);
            } else {
                super::print_xval(&mut s, v, &MSG_FLAGS);
            }
            set_global_opts(GlobalOpts::default());
            s
        };
        assert_eq!(show(XlatStyle::Raw, 0x41, true), "0x41");
        assert_eq!(show(XlatStyle::Raw, 0, true), "0");
        assert_eq!(
            show(XlatStyle::Verbose, 0x41, true),
            "0x41 /* MSG_OOB|MSG_DONTWAIT */"
        );
        assert_eq!(
            show(XlatStyle::Verbose, 0x80000041, true),
            "0x80000041 /* MSG_OOB|MSG_DONTWAIT|MSG_CMSG_COMPAT */"
        );
        assert_eq!(show(XlatStyle::Verbose, 0, true), "0");
        assert_eq!(show(XlatStyle::Abbrev, 0x41, true), "MSG_OOB|MSG_DONTWAIT");
        assert_eq!(
            show(XlatStyle::Verbose, 0x40, false),
            "0x40 /* MSG_DONTWAIT */"
        );
        assert_eq!(show(XlatStyle::Raw, 0x40, false), "0x40");
    }

    use super::*;

    fn flags(v: u64, x: &Xlat) -> String {
        let mut s = String::new();
        print_flags(&mut s, v, x);
        s
    }

    fn xval(v: u64, x: &Xlat) -> String {
        let mut s = String::new();
        print_xval(&mut s, v, x);
        s
    }

    #[test]
    fn the_kernel_sides_msg_errqueue_is_the_tables() {
        assert_eq!(
            flags(sockscope_common::net::MSG_ERRQUEUE, &MSG_FLAGS),
            "MSG_ERRQUEUE"
        );
    }

    #[test]
    fn msg_flags_as_strace_prints_them() {
        // Each pair: the flags argument of sendto, and what strace 6.1 printed for it.
        let cases: &[(u64, &str)] = &[
            (0, "0"),
            (1, "MSG_OOB"),
            (0x41, "MSG_OOB|MSG_DONTWAIT"),
            (0x4000, "MSG_NOSIGNAL"),
            (0xc0000000, "MSG_CMSG_CLOEXEC|MSG_CMSG_COMPAT"),
            (0x100000, "0x100000 /* MSG_??? */"),
            (0x100001, "MSG_OOB|0x100000"),
            (
                0xffffffff,
                "MSG_OOB|MSG_PEEK|MSG_DONTROUTE|MSG_CTRUNC|MSG_PROBE|MSG_TRUNC|MSG_DONTWAIT|\
                 MSG_EOR|MSG_WAITALL|MSG_FIN|MSG_SYN|MSG_CONFIRM|MSG_RST|MSG_ERRQUEUE|\
                 MSG_NOSIGNAL|MSG_MORE|MSG_WAITFORONE|MSG_SENDPAGE_NOTLAST|MSG_BATCH|\
                 MSG_NO_SHARED_FRAGS|MSG_ZEROCOPY|MSG_FASTOPEN|MSG_CMSG_CLOEXEC|MSG_CMSG_COMPAT|\
                 0x1bf00000",
            ),
            (0x2000000, "0x2000000 /* MSG_??? */"),
            (0x4000000, "MSG_ZEROCOPY"),
            (0x20000000, "MSG_FASTOPEN"),
            (0x80000000, "MSG_CMSG_COMPAT"),
            (0x8, "MSG_CTRUNC"),
            (0x24, "MSG_DONTROUTE|MSG_TRUNC"),
        ];
        for &(v, exp) in cases {
            assert_eq!(flags(v, &MSG_FLAGS), exp, "{v:#x}");
        }
    }

    #[test]
    fn flag_names_for_json() {
        assert_eq!(flag_names(0, &MSG_FLAGS), (vec![], 0));
        assert_eq!(
            flag_names(0x41, &MSG_FLAGS),
            (vec!["MSG_OOB", "MSG_DONTWAIT"], 0)
        );
        assert_eq!(
            flag_names(0x100001, &MSG_FLAGS),
            (vec!["MSG_OOB"], 0x100000)
        );
        assert_eq!(flag_names(0x100000, &MSG_FLAGS), (vec![], 0x100000));
        assert_eq!(
            flag_names(u64::MAX, &VSOCK_FLAGS),
            (vec!["VMADDR_FLAG_TO_HOST"], u64::MAX - 1)
        );
    }

    #[test]
    fn zero_entry_matches_only_zero() {
        static T: Xlat = Xlat {
            kind: XlatKind::Flags,
            entries: &[(0, "Z_NONE"), (1, "Z_ONE")],
            unknown: "Z_???",
        };
        assert_eq!(flags(0, &T), "Z_NONE");
        assert_eq!(flags(1, &T), "Z_ONE");
        assert_eq!(flags(3, &T), "Z_ONE|0x2");
        assert_eq!(flag_names(0, &T), (vec!["Z_NONE"], 0));
    }

    #[test]
    fn xvals() {
        assert_eq!(xval(2, &ADDRESS_FAMILIES), "AF_INET");
        assert_eq!(xval(0, &ADDRESS_FAMILIES), "AF_UNSPEC");
        assert_eq!(xval(45, &ADDRESS_FAMILIES), "AF_MCTP");
        // As strace printed sa_family=0x2e and sa_family=0xffff.
        assert_eq!(xval(46, &ADDRESS_FAMILIES), "0x2e /* AF_??? */");
        assert_eq!(xval(0xffff, &ADDRESS_FAMILIES), "0xffff /* AF_??? */");
        assert_eq!(xval(0xfff0, &ARP_HARDWARE_TYPES), "0xfff0 /* ARPHRD_??? */");
        assert_eq!(xval(9, &AF_PACKET_TYPES), "0x9 /* PACKET_??? */");
        assert_eq!(xval(0x86dd, &ETHERNET_PROTOCOLS), "ETH_P_IPV6");
        assert_eq!(xval(772, &ARP_HARDWARE_TYPES), "ARPHRD_LOOPBACK");
        assert_eq!(xval(0, &ARP_HARDWARE_TYPES), "ARPHRD_NETROM");
        assert_eq!(xval(2, &SOCKET_TYPES), "SOCK_DGRAM");
        assert_eq!(xval(16, &NETLINK_PROTOCOLS), "NETLINK_GENERIC");
        assert_eq!(xval(17, &NETLINK_PROTOCOLS), "0x11 /* NETLINK_??? */");
        assert_eq!(xval(0, &SOCKET_TYPES), "0 /* SOCK_??? */");
        // No comment for tables strace uses with a NULL dflt.
        assert_eq!(xval(3, &VSOCK_CIDS), "0x3");
        assert_eq!(xval(0x4d2, &VSOCK_PORTS), "0x4d2");
        assert_eq!(xval(2, &VSOCK_CIDS), "VMADDR_CID_HOST");
    }

    #[test]
    fn tables_are_sane() {
        for x in [
            &MSG_FLAGS,
            &ADDRESS_FAMILIES,
            &SOCKET_TYPES,
            &SOCKET_TYPE_FLAGS,
            &NETLINK_PROTOCOLS,
            &ETHERNET_PROTOCOLS,
            &AF_PACKET_TYPES,
            &ARP_HARDWARE_TYPES,
            &VSOCK_CIDS,
            &VSOCK_PORTS,
            &VSOCK_FLAGS,
            &QIPCRTR_NODES,
            &QIPCRTR_PORTS,
            &XDP_SOCKADDR_FLAGS,
            &MCTP_ADDRS,
            &MCTP_NETS,
        ] {
            for (i, a) in x.entries.iter().enumerate() {
                for b in &x.entries[i + 1..] {
                    assert_ne!(a.0, b.0, "{} and {} share a value", a.1, b.1);
                    assert_ne!(a.1, b.1);
                }
            }
        }
        assert_eq!(MSG_FLAGS.entries.len(), 24);
        assert_eq!(ADDRESS_FAMILIES.entries.len(), 46);
        assert_eq!(ETHERNET_PROTOCOLS.entries.len(), 99);
    }
}
