//! Parsing of the raw records the eBPF programs send (layout in `sockscope-common`).
//! Pure: works on bytes, tested without root.

use sockscope_common::{
    EventId, RECORD_HEADER_SIZE, RecordHeader, SEG_FAULT, SEG_HEADER_SIZE, SEG_NULL, SEG_OK,
    SegHeader, seg_padded,
};

/// How a piece of user memory was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadStatus {
    /// Read; `Seg::data` holds the bytes.
    Ok,
    /// The pointer was NULL.
    Null,
    /// The read faulted (bad pointer); `Seg::data` is empty.
    Fault,
}

/// One captured piece of user memory.
#[derive(Clone, Copy, Debug)]
pub struct Seg<'a> {
    /// A `sockscope_common::seg::*` kind.
    pub kind: u8,
    pub status: ReadStatus,
    pub index: u16,
    /// The user address the bytes came from.
    pub addr: u64,
    pub data: &'a [u8],
}

impl<'a> Seg<'a> {
    /// The bytes, when the read succeeded (the one "segment read OK" helper).
    pub fn ok_data(&self) -> Option<&'a [u8]> {
        (self.status == ReadStatus::Ok).then_some(self.data)
    }
}

/// A record: the fixed header and its segments, borrowed from the ring buffer bytes.
#[derive(Clone, Debug)]
pub struct Record<'a> {
    pub header: RecordHeader,
    pub event: EventId,
    pub segs: Segs<'a>,
}

/// A record's segments: up to 8 (every single-message call) without an allocation per record
/// (a malloc and a free per event in the consumer's loop).
pub type Segs<'a> = smallvec::SmallVec<[Seg<'a>; 8]>;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecordError {
    #[error("record shorter than its header ({0} bytes)")]
    Short(usize),
    #[error("unknown event id {0}")]
    UnknownEvent(u16),
    #[error("segment {0} runs past the end of the record")]
    BadSegment(u32),
}

impl<'a> Record<'a> {
    /// Parses one ring-buffer record.
    pub fn parse(bytes: &'a [u8]) -> Result<Record<'a>, RecordError> {
        Self::parse_with(bytes, |rec| rec.clone())
    }

    /// Parses one ring-buffer record and lends it to `f`: the consumer's path. The record
    /// (~400 bytes) stays in this frame; returned by value it was copied twice per event.
    #[inline(always)]
    pub fn parse_with<R>(
        bytes: &'a [u8],
        f: impl FnOnce(&Record<'a>) -> R,
    ) -> Result<R, RecordError> {
        if bytes.len() < RECORD_HEADER_SIZE {
            return Err(RecordError::Short(bytes.len()));
        }
        // SAFETY: RecordHeader is repr(C) plain data; read_unaligned copes with any alignment.
        let header: RecordHeader =
            unsafe { std::ptr::read_unaligned(bytes.as_ptr().cast::<RecordHeader>()) };
        let event =
            EventId::from_u16(header.event).ok_or(RecordError::UnknownEvent(header.event))?;
        let data_end = (RECORD_HEADER_SIZE + header.data_len as usize).min(bytes.len());
        let data = &bytes[RECORD_HEADER_SIZE..data_end];
        // Built in place: `with_capacity` returned the 264-byte vector by value (a memcpy per
        // record), and a record of more than 8 segments grows on push anyway.
        let mut rec = Record {
            header,
            event,
            segs: Segs::new(),
        };
        let mut off = 0usize;
        for i in 0..header.nsegs {
            if off + SEG_HEADER_SIZE > data.len() {
                return Err(RecordError::BadSegment(i));
            }
            // SAFETY: as above, SegHeader is repr(C) plain data.
            let sh: SegHeader =
                unsafe { std::ptr::read_unaligned(data[off..].as_ptr().cast::<SegHeader>()) };
            let start = off + SEG_HEADER_SIZE;
            let end = start + sh.len as usize;
            if end > data.len() {
                return Err(RecordError::BadSegment(i));
            }
            let status = match sh.status {
                SEG_OK => ReadStatus::Ok,
                SEG_NULL => ReadStatus::Null,
                SEG_FAULT => ReadStatus::Fault,
                _ => ReadStatus::Fault,
            };
            rec.segs.push(Seg {
                kind: sh.kind,
                status,
                index: sh.index,
                addr: sh.addr,
                data: &data[start..end],
            });
            off = start + seg_padded(sh.len) as usize;
        }
        Ok(f(&rec))
    }

    /// The first segment of `kind` with `index`.
    pub fn seg(&self, kind: u8, index: u16) -> Option<&Seg<'a>> {
        self.segs
            .iter()
            .find(|s| s.kind == kind && s.index == index)
    }

    /// The destination address as read at entry and again at exit (sendto's dest_addr,
    /// sendmsg's msg_name), when they differ: the caller changed it while the kernel worked.
    pub fn toctou(&self) -> Option<(&Seg<'a>, &Seg<'a>)> {
        use sockscope_common::seg;
        let entry = self.seg(seg::ADDR, 0)?;
        let exit = self.seg(seg::ADDR_EXIT, 0)?;
        let both_read = entry.status == ReadStatus::Ok && exit.status == ReadStatus::Ok;
        (both_read && entry.data != exit.data).then_some((entry, exit))
    }

    /// Whether the kernel ran out of room for segments in this record.
    pub fn segs_truncated(&self) -> bool {
        self.header.flags & sockscope_common::RF_SEGS_TRUNCATED != 0
    }
}

/// Builds record bytes the way the kernel side does; for tests of the decoders.
#[derive(Clone)]
pub struct RecordBuilder {
    header: RecordHeader,
    data: Vec<u8>,
}

impl RecordBuilder {
    pub fn new(event: EventId, args: [u64; 6], ret: i64) -> Self {
        // SAFETY: RecordHeader is plain data; all-zero is a valid value.
        let mut header: RecordHeader = unsafe { std::mem::zeroed() };
        header.event = event as u16;
        header.args = args;
        header.ret = ret;
        header.tgid = 1000;
        header.tid = 1000;
        header.comm[..4].copy_from_slice(b"test");
        RecordBuilder {
            header,
            data: Vec::new(),
        }
    }

    /// Adds a segment read successfully from `addr`.
    pub fn seg(self, kind: u8, index: u16, addr: u64, bytes: &[u8]) -> Self {
        self.seg_status(kind, index, addr, SEG_OK, bytes)
    }

    /// Adds a segment whose read faulted.
    pub fn fault(self, kind: u8, index: u16, addr: u64) -> Self {
        self.seg_status(kind, index, addr, SEG_FAULT, &[])
    }

    /// Adds a segment for a NULL pointer.
    pub fn null(self, kind: u8, index: u16) -> Self {
        self.seg_status(kind, index, 0, SEG_NULL, &[])
    }

    fn seg_status(mut self, kind: u8, index: u16, addr: u64, status: u8, bytes: &[u8]) -> Self {
        let sh = SegHeader {
            kind,
            status,
            index,
            len: bytes.len() as u32,
            addr,
        };
        // SAFETY: SegHeader is repr(C) plain data of SEG_HEADER_SIZE bytes.
        let raw: [u8; SEG_HEADER_SIZE] = unsafe { std::mem::transmute(sh) };
        self.data.extend_from_slice(&raw);
        self.data.extend_from_slice(bytes);
        self.data.resize(
            self.data.len() + (seg_padded(bytes.len() as u32) as usize - bytes.len()),
            0,
        );
        self.header.nsegs += 1;
        self
    }

    pub fn header_mut(&mut self) -> &mut RecordHeader {
        &mut self.header
    }

    pub fn build(mut self) -> Vec<u8> {
        self.header.data_len = self.data.len() as u32;
        let mut out = vec![0u8; RECORD_HEADER_SIZE];
        // SAFETY: out has RECORD_HEADER_SIZE bytes; write_unaligned copes with alignment.
        unsafe { std::ptr::write_unaligned(out.as_mut_ptr().cast::<RecordHeader>(), self.header) };
        out.extend_from_slice(&self.data);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockscope_common::seg;

    #[test]
    fn round_trip() {
        let bytes = RecordBuilder::new(EventId::Sendto, [3, 0x1000, 5, 0, 0, 0], 5)
            .seg(seg::BUF, 0, 0x1000, b"hello")
            .null(seg::ADDR, 0)
            .build();
        let r = Record::parse(&bytes).unwrap();
        assert_eq!(r.event, EventId::Sendto);
        assert_eq!(r.segs.len(), 2);
        assert_eq!(r.seg(seg::BUF, 0).unwrap().data, b"hello");
        assert_eq!(r.seg(seg::ADDR, 0).unwrap().status, ReadStatus::Null);
    }

    #[test]
    fn rejects_short_and_overrunning() {
        assert_eq!(
            Record::parse(&[0u8; 10]).unwrap_err(),
            RecordError::Short(10)
        );
        let mut bytes = RecordBuilder::new(EventId::Sendto, [0; 6], 0)
            .seg(seg::BUF, 0, 1, b"abcdefgh")
            .build();
        bytes.truncate(bytes.len() - 4);
        assert!(matches!(
            Record::parse(&bytes),
            Err(RecordError::BadSegment(0))
        ));
    }
}
