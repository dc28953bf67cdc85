//! The typed view of one call: what the text renderer, the JSON renderer and the filter read.
//! They never look at a record's segments themselves; every argument they show or test is
//! reached through [`Call`]: the descriptor's socket identity, payload bytes with their read
//! status, the socket address (entry and exit reads), the socket lengths, the msghdr / mmsghdr
//! vectors, the iovec arrays, the timeout, the result and the TOCTOU pair.
//!
//! A view, not a copy: each accessor finds and types its piece of the record when asked (the
//! renderers ask once per argument). Building a `Call` costs nothing (measured on the render
//! hot path: an eager copy of every argument made `--json` slower).
//!
//! The structure decoders under `decode/` (msghdr, mmsghdr, iovec data, control messages,
//! timeouts, offsets, netlink) take a `&Call` too: only this file and `record.rs` touch
//! segments (the check: see ARCHITECTURE.md).

use sockscope_common::{EventId, RecordHeader, SockInfo, seg};

use crate::{
    decode::{
        msghdr::{MMSGHDR_SIZE, MSGHDR_SIZE, Msghdr},
        sockinfo,
    },
    record::{Record, Seg},
};

/// One call, typed, over its record.
#[derive(Clone, Copy)]
pub struct Call<'r, 'a> {
    rec: &'r Record<'a>,
}

impl<'r, 'a> Call<'r, 'a> {
    pub fn new(rec: &'r Record<'a>) -> Self {
        Call { rec }
    }

    pub fn event(&self) -> EventId {
        self.rec.event
    }

    pub fn header(&self) -> &'r RecordHeader {
        &self.rec.header
    }

    /// Raw argument register `i`.
    pub fn arg(&self, i: usize) -> u64 {
        self.rec.header.args[i]
    }

    pub fn ret(&self) -> i64 {
        self.rec.header.ret
    }

    /// The call failed (returned -errno).
    pub fn failed(&self) -> bool {
        self.rec.header.ret < 0
    }

    /// The socket identity of the descriptor in argument `index`, when captured.
    pub fn sock(&self, index: u16) -> Option<SockInfo> {
        self.sock_bytes(index).and_then(sockinfo::parse)
    }

    /// The captured bytes of that socket identity (names borrowed from them).
    pub fn sock_bytes(&self, index: u16) -> Option<&'a [u8]> {
        self.rec.seg(seg::SOCK, index).and_then(Seg::ok_data)
    }

    /// The path the kernel side read for the descriptor in argument `index` (non-socket files).
    pub fn fd_path(&self, index: u16, info: &SockInfo) -> Option<sockinfo::FdPath> {
        self.rec
            .seg(seg::PATH, index)
            .and_then(Seg::ok_data)
            .and_then(|d| crate::decode::fdpath::parse(d, info))
    }

    /// The descriptor in argument `index` as `-y` shows it: its socket capture and, for a file
    /// that is not a socket, its path (read at the call; from /proc when the kernel side has
    /// none, checked against the captured inode). Nothing without `-y` (`yflag` 0).
    pub fn descriptor(
        &self,
        index: u16,
        yflag: u8,
    ) -> (Option<SockInfo>, Option<sockinfo::FdPath>) {
        if yflag == 0 {
            return (None, None);
        }
        let info = self.sock(index);
        let path = info
            .as_ref()
            .filter(|i| sockinfo::wants_path(i))
            .and_then(|i| {
                self.fd_path(index, i)
                    .or_else(|| sockinfo::proc_fd_path(self.rec.header.tgid, i))
            });
        (info, path)
    }

    /// The bytes of a send buffer: read at entry, or again at exit when the entry read faulted.
    pub fn send_buf(&self) -> Option<&'r Seg<'a>> {
        match self.rec.seg(seg::BUF, 0) {
            Some(s) if s.ok_data().is_none() => self.rec.seg(seg::BUF_EXIT, 0).or(Some(s)),
            other => other,
        }
    }

    /// The bytes of a receive buffer (read at exit).
    pub fn recv_buf(&self) -> Option<&'r Seg<'a>> {
        self.rec.seg(seg::BUF, 0)
    }

    /// The second 4 KiB of a large buffer (netlink decoding).
    pub fn buf_more(&self) -> Option<&'r Seg<'a>> {
        self.rec.seg(seg::BUF_MORE, 0)
    }

    /// The socket address of message `index` (sendto/recvfrom: 0) as read.
    pub fn addr(&self, index: u16) -> Option<&'r Seg<'a>> {
        self.rec.seg(seg::ADDR, index)
    }

    /// The socket address bytes of message `index`, when read.
    pub fn addr_bytes(&self, index: u16) -> Option<&'a [u8]> {
        self.addr(index).and_then(Seg::ok_data)
    }

    /// recvfrom's socket length as the caller gave it (entry).
    pub fn socklen_in(&self) -> Option<i32> {
        self.socklen(seg::ADDRLEN_IN)
    }

    /// recvfrom's socket length as the kernel wrote it (exit).
    pub fn socklen_out(&self) -> Option<i32> {
        self.socklen(seg::ADDRLEN_OUT)
    }

    /// The one socklen reader: a C int, when read whole.
    fn socklen(&self, kind: u8) -> Option<i32> {
        self.rec
            .seg(kind, 0)
            .and_then(Seg::ok_data)
            .and_then(|d| d.get(..4))
            .map(|d| i32::from_ne_bytes([d[0], d[1], d[2], d[3]]))
    }

    /// sendmsg/recvmsg's msghdr as read at entry (`exit`: as read again at exit).
    pub fn msghdr(&self, exit: bool) -> Option<Msghdr> {
        let kind = if exit { seg::MSGHDR_EXIT } else { seg::MSGHDR };
        self.rec
            .seg(kind, 0)
            .and_then(Seg::ok_data)
            .and_then(Msghdr::parse)
    }

    /// The captured mmsghdr array of sendmmsg/recvmmsg (entry, or exit).
    pub fn mmsghdrs(&self, exit: bool) -> Option<&'a [u8]> {
        let kind = if exit {
            seg::MMSGHDR_EXIT
        } else {
            seg::MMSGHDR
        };
        self.rec.seg(kind, 0).and_then(Seg::ok_data)
    }

    /// How many whole mmsghdr entries were captured (entry, or exit).
    pub fn mmsghdr_count(&self, exit: bool) -> usize {
        self.mmsghdrs(exit).map_or(0, |d| d.len() / MMSGHDR_SIZE)
    }

    /// The msghdr of mmsghdr entry `i` (entry, or exit).
    pub fn mmsghdr(&self, exit: bool, i: usize) -> Option<Msghdr> {
        let d = self.mmsghdrs(exit)?;
        Msghdr::parse(d.get(i * MMSGHDR_SIZE..i * MMSGHDR_SIZE + MSGHDR_SIZE)?)
    }

    /// The captured iovec array of message `index`.
    pub fn iov(&self, index: u16) -> Option<&'a [u8]> {
        self.rec.seg(seg::IOV, index).and_then(Seg::ok_data)
    }

    /// The control data (msg_control) of message `index`, when read.
    pub fn control(&self, index: u16) -> Option<&'a [u8]> {
        self.rec.seg(seg::CONTROL, index).and_then(Seg::ok_data)
    }

    /// The data of iovec `i` of message `msg` (readv/writev: message 0) as read; the kernel
    /// side packs both in the segment index (`msg << 8 | i`).
    pub fn iov_data(&self, msg: u16, i: usize) -> Option<&'r Seg<'a>> {
        self.rec.seg(seg::IOV_DATA, (msg << 8) | i as u16)
    }

    /// The second 4 KiB of the first iovec of message `msg` (netlink decoding).
    pub fn iov_data_more(&self, msg: u16) -> Option<&'r Seg<'a>> {
        self.rec.seg(seg::IOV_DATA_MORE, msg << 8)
    }

    /// recvmmsg's timeout as read at entry (`exit`: what the kernel left in it).
    pub fn timespec(&self, exit: bool) -> Option<&'r Seg<'a>> {
        let kind = if exit {
            seg::TIMESPEC_EXIT
        } else {
            seg::TIMESPEC
        };
        self.rec.seg(kind, 0)
    }

    /// The file offset argument `i` points to, as read at exit (splice/sendfile...).
    pub fn loff(&self, i: usize) -> Option<&'a [u8]> {
        self.rec.seg(seg::LOFF, i as u16).and_then(Seg::ok_data)
    }

    /// The destination address as read at entry and at exit, when they differ.
    pub fn toctou(&self) -> Option<(&'r Seg<'a>, &'r Seg<'a>)> {
        self.rec.toctou()
    }

    /// The kernel ran out of room for this call's captures.
    pub fn capture_truncated(&self) -> bool {
        self.rec.segs_truncated()
    }
}
