//! Pure decoders: bytes captured by the kernel side in, strace-style text (and JSON values) out.
//! Nothing here touches the kernel; everything is tested on bytes.

pub mod cmsg;
pub mod data;
pub mod errno;
pub mod fdpath;
pub mod memo;
pub mod msghdr;
pub mod netlink;
pub mod payload;
pub mod sockaddr;
pub mod sockinfo;
pub mod strfmt;
pub mod xlat;

/// strace-compatible output settings shared by all decoders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// `-s`: the most bytes of a string shown (strace's max_strlen, default 32). Also the most
    /// elements of an array shown, as strace does.
    pub max_strlen: usize,
    /// `-x` = 1 (non-ASCII strings in hex), `-xx` = 2 (all strings in hex), 0 otherwise.
    pub xflag: u8,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            max_strlen: 32,
            xflag: 0,
        }
    }
}

/// A little-endian u32 at `off` of captured bytes, 0 past their end (captures can be short).
pub(crate) fn rd_u32(b: &[u8], off: usize) -> u32 {
    b.get(off..off + 4)
        .map_or(0, |s| u32::from_le_bytes(s.try_into().unwrap()))
}

/// A little-endian u64 at `off` of captured bytes, 0 past their end.
pub(crate) fn rd_u64(b: &[u8], off: usize) -> u64 {
    b.get(off..off + 8)
        .map_or(0, |s| u64::from_le_bytes(s.try_into().unwrap()))
}

/// A small deterministic xorshift generator for the decoders' no-panic tests.
#[cfg(test)]
pub(crate) fn test_rng() -> impl FnMut() -> u64 {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

/// strace's `-X`: how named constants are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum XlatStyle {
    /// `AF_INET` (the default).
    #[default]
    Abbrev,
    /// `0x2` (numbers only).
    Raw,
    /// `0x2 /* AF_INET */`.
    Verbose,
}

/// Output settings that strace keeps global (`-v`, `-X`) and that every decoder may consult.
/// They are per thread: the renderer sets them once at start-up (`set_global_opts`), and unit
/// tests set their own without disturbing tests running on other threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalOpts {
    /// strace's abbrev (on unless `-v`): arrays are cut after `-s` elements.
    pub abbrev: bool,
    pub xlat: XlatStyle,
}

impl Default for GlobalOpts {
    fn default() -> Self {
        GlobalOpts {
            abbrev: true,
            xlat: XlatStyle::Abbrev,
        }
    }
}

thread_local! {
    static GLOBAL_OPTS: std::cell::Cell<GlobalOpts> = const {
        std::cell::Cell::new(GlobalOpts { abbrev: true, xlat: XlatStyle::Abbrev })
    };
}

/// Sets `-v` / `-X` for the decoders running on this thread.
pub fn set_global_opts(o: GlobalOpts) {
    GLOBAL_OPTS.with(|g| g.set(o));
}

/// The `-v` / `-X` settings of this thread.
pub fn global_opts() -> GlobalOpts {
    GLOBAL_OPTS.with(|g| g.get())
}

/// The most elements of an array strace prints (print_array_ex): `-s` unless `-v`.
pub fn max_elems(style: &Style) -> usize {
    if global_opts().abbrev {
        style.max_strlen
    } else {
        usize::MAX
    }
}
