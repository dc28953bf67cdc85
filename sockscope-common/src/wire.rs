//! User-space structures the kernel side copies as segments and user space decodes: one
//! definition for both sides, with the size invariants checked at compile time (they were kept
//! in SAFETY comments and repeated constants before).
//!
//! x86-64 layouts (`struct user_msghdr`, `struct iovec`, `struct mmsghdr`).

/// `struct user_msghdr` as a process lays it out.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UserMsghdr {
    pub name: u64,
    pub namelen: i32,
    pub _pad: u32,
    pub iov: u64,
    pub iovlen: u64,
    pub control: u64,
    pub controllen: u64,
    pub flags: u32,
    pub _pad2: u32,
}

/// `struct iovec`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Iovec {
    pub base: u64,
    pub len: u64,
}

/// `struct mmsghdr`: a msghdr, the bytes moved, padding.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mmsghdr {
    pub hdr: UserMsghdr,
    pub len: u32,
    pub _pad: u32,
}

/// Bytes of a `struct user_msghdr`.
pub const MSGHDR_SIZE: usize = core::mem::size_of::<UserMsghdr>();
/// Bytes of a `struct iovec`.
pub const IOVEC_SIZE: usize = core::mem::size_of::<Iovec>();
/// Bytes of a `struct mmsghdr`.
pub const MMSGHDR_SIZE: usize = core::mem::size_of::<Mmsghdr>();

const _: () = assert!(MSGHDR_SIZE == 56);
const _: () = assert!(IOVEC_SIZE == 16);
const _: () = assert!(MMSGHDR_SIZE == 64);
const _: () = assert!(core::mem::offset_of!(UserMsghdr, iov) == 16);
const _: () = assert!(core::mem::offset_of!(UserMsghdr, flags) == 48);
const _: () = assert!(core::mem::offset_of!(Mmsghdr, len) == 56);

/// `IOV_DATA` segment index: message `msg` (mmsghdr index) and iovec `iov` packed as
/// `msg << 8 | iov` (both below 256).
pub const fn iov_data_index(msg: u16, iov: u16) -> u16 {
    (msg << 8) | (iov & 0xff)
}

/// The segment kinds of [`crate::seg`] as one enum (`repr(u8)`: the byte in `SegHeader::kind`).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegKind {
    Buf = crate::seg::BUF,
    Addr = crate::seg::ADDR,
    AddrExit = crate::seg::ADDR_EXIT,
    AddrlenIn = crate::seg::ADDRLEN_IN,
    AddrlenOut = crate::seg::ADDRLEN_OUT,
    Msghdr = crate::seg::MSGHDR,
    MsghdrExit = crate::seg::MSGHDR_EXIT,
    Iov = crate::seg::IOV,
    IovData = crate::seg::IOV_DATA,
    Control = crate::seg::CONTROL,
    Mmsghdr = crate::seg::MMSGHDR,
    MmsghdrExit = crate::seg::MMSGHDR_EXIT,
    Timespec = crate::seg::TIMESPEC,
    TimespecExit = crate::seg::TIMESPEC_EXIT,
    Sock = crate::seg::SOCK,
    BufExit = crate::seg::BUF_EXIT,
    BufMore = crate::seg::BUF_MORE,
    IovDataMore = crate::seg::IOV_DATA_MORE,
    Loff = crate::seg::LOFF,
    Path = crate::seg::PATH,
}

impl SegKind {
    /// The kind of a segment header's byte; None for a kind this build does not know.
    pub const fn from_u8(k: u8) -> Option<SegKind> {
        use SegKind::*;
        const ALL: [SegKind; 20] = [
            Buf,
            Addr,
            AddrExit,
            AddrlenIn,
            AddrlenOut,
            Msghdr,
            MsghdrExit,
            Iov,
            IovData,
            Control,
            Mmsghdr,
            MmsghdrExit,
            Timespec,
            TimespecExit,
            Sock,
            BufExit,
            BufMore,
            IovDataMore,
            Loff,
            Path,
        ];
        let mut i = 0;
        while i < ALL.len() {
            if ALL[i] as u8 == k {
                return Some(ALL[i]);
            }
            i += 1;
        }
        None
    }
}
