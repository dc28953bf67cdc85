//! The consumer side of the EVENTS ring buffer (BPF_MAP_TYPE_RINGBUF), read through its
//! mmap'ed pages: the consumer position page (read-write), the producer position page and the
//! data pages mapped twice in a row (read-only; a record that wraps reads as one slice).
//!
//! Hand-written instead of aya's `RingBuf` because of one measured difference: aya publishes the
//! consumer position after every record, and the kernel's producer reads that word at every
//! `bpf_ringbuf_output`, so the cache line holding it moved between the two CPUs twice per
//! event (the consumer's store, the producer's load). Here the position is published once per
//! [`PUBLISH_BYTES`] of records and at the end of every drain. The record format and the memory
//! ordering are the kernel's (kernel/bpf/ringbuf.c): an 8-byte header whose first word is the
//! length with the BUSY and DISCARD bits, committed with a full barrier; the producer position
//! stored with release semantics.

use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use aya::maps::MapData;

const BUSY_BIT: u32 = 1 << 31;
const DISCARD_BIT: u32 = 1 << 30;
const HDR_SZ: usize = 8;

/// Records read before the consumer position is published mid-drain: the producer sees at
/// most this much less free space (and never more than a sixteenth of the ring).
const PUBLISH_BYTES: usize = 256 << 10;

pub struct Ring {
    /// Keeps the map (and its descriptor) alive as long as the mappings.
    map: MapData,
    consumer: *mut u8,
    producer: *mut u8,
    page: usize,
    size: usize,
    /// The next record's position (not yet published when `pos != published`).
    pos: usize,
    published: usize,
    /// The producer position last read.
    producer_pos: usize,
    /// min(PUBLISH_BYTES, size / 16).
    publish_every: usize,
    /// A header no kernel record has (its length past the ring), met at this position: nothing
    /// after it can be read ([`Ring::corrupt`]).
    corrupt: Option<(usize, u32)>,
}

/// What a record header (the first word of its 8 bytes) says.
#[derive(Debug, PartialEq, Eq)]
enum Header {
    /// Reserved, not yet committed.
    Busy,
    /// Committed and discarded: skipped.
    Discarded(usize),
    Record(usize),
    /// A length longer than the ring: not a record the kernel could have written.
    Impossible,
}

fn header(word: u32, size: usize) -> Header {
    let len = (word & !(BUSY_BIT | DISCARD_BIT)) as usize;
    if word & BUSY_BIT != 0 {
        Header::Busy
    } else if len > size - HDR_SZ {
        Header::Impossible
    } else if word & DISCARD_BIT != 0 {
        Header::Discarded(len)
    } else {
        Header::Record(len)
    }
}

impl Ring {
    /// Maps the ring buffer map `map` of `size` bytes (its max_entries).
    pub fn new(map: MapData) -> anyhow::Result<Ring> {
        let size = map.info()?.max_entries() as usize;
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        anyhow::ensure!(
            size.is_power_of_two() && size >= page,
            "ring buffer size {size} is not a power-of-two multiple of the page size"
        );
        let fd = map.fd().as_fd().as_raw_fd();
        let mmap = |len: usize, prot: i32, offset: usize| -> anyhow::Result<*mut u8> {
            // SAFETY: a fresh shared mapping of the map's descriptor; the kernel checks the
            // length, protection and offset for a ring buffer.
            let p = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    prot,
                    libc::MAP_SHARED,
                    fd,
                    offset as libc::off_t,
                )
            };
            anyhow::ensure!(
                p != libc::MAP_FAILED,
                "mapping the ring buffer: {}",
                std::io::Error::last_os_error()
            );
            Ok(p.cast())
        };
        let consumer = mmap(page, libc::PROT_READ | libc::PROT_WRITE, 0)?;
        let producer = match mmap(page + 2 * size, libc::PROT_READ, page) {
            Ok(p) => p,
            Err(e) => {
                // SAFETY: mapped just above with this length.
                unsafe { libc::munmap(consumer.cast(), page) };
                return Err(e);
            }
        };
        let mut r = Ring {
            map,
            consumer,
            producer,
            page,
            size,
            pos: 0,
            published: 0,
            producer_pos: 0,
            publish_every: PUBLISH_BYTES.min(size / 16),
            corrupt: None,
        };
        r.pos = r.consumer_word().load(Ordering::Acquire);
        r.published = r.pos;
        r.producer_pos = r.producer_word().load(Ordering::Acquire);
        Ok(r)
    }

    fn consumer_word(&self) -> &AtomicUsize {
        // SAFETY: the consumer page begins with the kernel's consumer_pos (an unsigned long).
        unsafe { &*self.consumer.cast::<AtomicUsize>() }
    }

    fn producer_word(&self) -> &AtomicUsize {
        // SAFETY: the producer page begins with the kernel's producer_pos.
        unsafe { &*self.producer.cast::<AtomicUsize>() }
    }

    fn publish(&mut self) {
        if self.published != self.pos {
            // Release: the records are read before the kernel may reuse their space.
            self.consumer_word().store(self.pos, Ordering::Release);
            self.published = self.pos;
        }
    }

    /// Calls `f` with each committed record in order, until the ring is empty or a record is
    /// still being written; returns the number of records (discarded ones not counted). The
    /// consumer position is published every [`PUBLISH_BYTES`] (or sixteenth of the ring) and
    /// before returning.
    pub fn drain(&mut self, mut f: impl FnMut(&[u8])) -> u64 {
        let mut n = 0;
        let mask = self.size - 1;
        loop {
            if self.pos == self.producer_pos {
                // Caught up: tell the kernel, then look again (the store before the load, so
                // that a producer that missed it sees the freed space next time).
                self.publish();
                std::sync::atomic::fence(Ordering::SeqCst);
                self.producer_pos = self.producer_word().load(Ordering::Acquire);
                if self.pos == self.producer_pos {
                    break;
                }
            }
            let offset = self.pos & mask;
            // SAFETY: offset < size; the header and the record (at most size bytes) lie in the
            // double mapping of the data pages, which starts one page into `producer`.
            let data = unsafe { self.producer.add(self.page + offset) };
            // SAFETY: 8-aligned (records are padded to 8 bytes) and inside the mapping.
            let word = unsafe { &*data.cast::<AtomicU32>() }.load(Ordering::Acquire);
            let len = match header(word, self.size) {
                Header::Busy => break,
                Header::Impossible => {
                    // Stop rather than read past it; the run reports it (`corrupt`).
                    self.corrupt = Some((self.pos, word));
                    break;
                }
                Header::Discarded(len) => len,
                Header::Record(len) => {
                    // SAFETY: len + 8 <= size bytes from `data`, inside the double mapping.
                    f(unsafe { std::slice::from_raw_parts(data.add(HDR_SZ), len) });
                    n += 1;
                    len
                }
            };
            self.pos += (HDR_SZ + len).next_multiple_of(8);
            if self.pos.wrapping_sub(self.published) >= self.publish_every {
                self.publish();
            }
        }
        self.publish();
        n
    }
}

impl Ring {
    /// The position and header word of a record no kernel could have written, once one was
    /// met: the ring cannot be read past it (what follows is lost, and counted as lost by the
    /// kernel side once the ring is full).
    pub fn corrupt(&self) -> Option<(usize, u32)> {
        self.corrupt
    }
}

impl AsRawFd for Ring {
    fn as_raw_fd(&self) -> RawFd {
        self.map.fd().as_fd().as_raw_fd()
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: the two mappings made in `new`, with their lengths.
        unsafe {
            libc::munmap(self.consumer.cast(), self.page);
            libc::munmap(self.producer.cast(), self.page + 2 * self.size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_as_the_kernel_writes_them() {
        let size = 1 << 20;
        assert_eq!(header(BUSY_BIT | 40, size), Header::Busy);
        assert_eq!(header(DISCARD_BIT | 40, size), Header::Discarded(40));
        assert_eq!(header(40, size), Header::Record(40));
        assert_eq!(
            header((size - HDR_SZ) as u32, size),
            Header::Record(size - HDR_SZ)
        );
        assert_eq!(header((size - HDR_SZ + 1) as u32, size), Header::Impossible);
        assert_eq!(
            header(DISCARD_BIT | (size as u32), size),
            Header::Impossible
        );
    }
}
