//! Reading user memory into the slot: one segment per pointed-to argument (`push_user`), the
//! second part of netlink buffers (`push_more*`), and the memory a msghdr points to (name,
//! iovecs and their bytes, control data).

use core::ffi::c_void;

use aya_ebpf::helpers::generated::{bpf_probe_read_kernel, bpf_probe_read_user};
use sockscope_common::{
    CURSOR_LIMIT, CURSOR_MASK, MAX_CONTROL, MAX_READ, MAX_SNAPLEN, SEG_FAULT, SEG_HEADER_SIZE,
    SEG_NULL, SEG_OK, SEG_PARTIAL, SLOT_NETLINK, SOCKADDR_MAX, SegHeader, Slot, seg, seg_padded,
};

use crate::scope::config;

#[inline(always)]
pub(crate) fn min(a: u64, b: u64) -> u64 {
    if a < b { a } else { b }
}

/// Reads a plain value from kernel memory into the stack; None when it faults (the one
/// kernel-read wrapper of the crate: task, file, socket and sock fields).
#[inline(always)]
pub(crate) fn read_kernel<T: Copy>(addr: u64) -> Option<T> {
    let mut v = core::mem::MaybeUninit::<T>::uninit();
    // SAFETY: the helper writes at most size_of::<T>() bytes into `v`; kernel reads fault softly.
    let r = unsafe {
        bpf_probe_read_kernel(
            v.as_mut_ptr().cast(),
            core::mem::size_of::<T>() as u32,
            addr as *const c_void,
        )
    };
    // SAFETY: initialised by the successful read.
    if r == 0 {
        Some(unsafe { v.assume_init() })
    } else {
        None
    }
}

/// Reads a plain value from user memory into the stack; None when it faults.
#[inline(always)]
pub(crate) fn read_user<T: Copy>(src: u64) -> Option<T> {
    let mut v = core::mem::MaybeUninit::<T>::uninit();
    // SAFETY: the helper writes at most size_of::<T>() bytes into `v`.
    let r = unsafe {
        bpf_probe_read_user(
            v.as_mut_ptr().cast(),
            core::mem::size_of::<T>() as u32,
            src as *const c_void,
        )
    };
    // SAFETY: initialised by the successful read.
    if r == 0 {
        Some(unsafe { v.assume_init() })
    } else {
        None
    }
}

/// `struct user_msghdr` as the kernel reads it from user space.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct UserMsghdr {
    pub(crate) name: u64,
    pub(crate) namelen: i32,
    pub(crate) _pad: u32,
    pub(crate) iov: u64,
    pub(crate) iovlen: u64,
    pub(crate) control: u64,
    pub(crate) controllen: u64,
    pub(crate) flags: u32,
    pub(crate) _pad2: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Iovec {
    base: u64,
    len: u64,
}

/// The current task as a BTF pointer: fields are direct loads. Programs fetch it once and pass
/// it on (each bpf_get_current_task_btf is a helper call).
#[inline(always)]
pub(crate) fn current_task() -> *const u8 {
    // SAFETY: helper without preconditions.
    unsafe { aya_ebpf::helpers::generated::bpf_get_current_task_btf() as *const u8 }
}

/// The saved user registers of `task` (the current task, [`current_task`]): its pt_regs, a
/// BTF pointer.
#[inline(always)]
pub(crate) fn regs_of(task: *const u8) -> u64 {
    // SAFETY: helper accepted for tracepoint programs; the task pointer is the current task.
    unsafe { aya_ebpf::helpers::generated::bpf_task_pt_regs(task as *mut _) as u64 }
}

/// The saved register at `off` (one of the `PT_REGS_*` constants, which the loader checked
/// against this kernel's BTF), loaded straight from the BTF pointer: the verifier checks the
/// field and the JIT makes the load fault-safe (a bpf_probe_read_kernel per register cost
/// ~30-40 ns more).
#[inline(always)]
pub(crate) fn reg(regs: u64, off: u32) -> Option<u64> {
    if regs == 0 {
        return None;
    }
    // SAFETY: see above.
    Some(unsafe { core::ptr::read_volatile((regs as *const u8).add(off as usize).cast::<u64>()) })
}

pub(crate) const MSGHDR_SIZE: u64 = core::mem::size_of::<UserMsghdr>() as u64;
pub(crate) const MMSGHDR_SIZE: u64 = 64;

/// Appends a segment holding up to `want` bytes of user memory at `src` (at most MAX_SNAPLEN).
/// A NULL `src` or a faulting read is recorded as such. Returns the bytes captured.
#[inline(always)]
pub(crate) fn push_user(slot: &mut Slot, kind: u8, index: u16, src: u64, want: u64) -> u64 {
    push_user_with(&mut Direct, Class::Data, slot, kind, index, src, want)
}

/// How the bytes of user memory are read: straight from user memory ([`Direct`]), or through
/// the CPU's [`Windows`] (the per-message steps of the mmsg calls).
pub(crate) trait UserRead {
    /// Reads `n` (1..=MAX_READ) bytes at `src` into `dst`: 0, or a negative error.
    fn read(&mut self, class: Class, dst: *mut u8, n: u32, src: u64) -> i64;
}

/// What a read is for; each kind of memory has its own window (the names of a vector's
/// messages lie together, their iovec arrays together, their bytes together).
#[derive(Clone, Copy)]
pub(crate) enum Class {
    Name = 0,
    Iov = 1,
    Data = 2,
}

pub(crate) struct Direct;

impl UserRead for Direct {
    #[inline(always)]
    fn read(&mut self, _class: Class, dst: *mut u8, n: u32, src: u64) -> i64 {
        // SAFETY: the caller gives `dst` room for `n` bytes.
        unsafe { bpf_probe_read_user(dst.cast(), n, src as *const c_void) }
    }
}

/// Bytes of one window: a vector of MAX_MMSG messages' names or iovec arrays, or 16 messages
/// of 64 bytes captured at `-s 64` (a power of two: masks prove offsets to the verifier).
pub(crate) const WINDOW: usize = 1024;

/// One read of user memory kept for the reads after it in the same program run: a read that
/// lies within it is copied from it (bpf_probe_read_kernel of the copy) instead of read from
/// user memory again. Kept only for one call's capture (`Windows::reset` at its start).
#[repr(C)]
pub(crate) struct Window {
    start: u64,
    len: u64,
    /// Where the last read of this class that missed the window was (0: none yet in this
    /// call): the next miss reads ahead only when it lies a small step after it.
    last: u64,
    buf: [u8; WINDOW + COPY_MAX + 8],
}

/// The CPU's windows, one per [`Class`] (maps.rs WINDOWS). Each bpf_probe_read_user costs
/// ~130-165 ns on the test VMs (bpf_stats), mostly its fixed part; an 8-message sendmmsg made
/// 25 of them. Programs on a CPU do not interleave (as SCRATCH, maps.rs).
#[repr(C)]
pub(crate) struct Windows {
    w: [Window; 3],
}

impl Windows {
    /// Forgets what the windows hold: user memory may have changed since the last call.
    #[inline(always)]
    pub(crate) fn reset(&mut self) {
        for w in &mut self.w {
            w.len = 0;
            w.last = 0;
        }
    }
}

impl UserRead for Windows {
    /// Within the class's window: a copy from it. Else, when this read lies at most a window
    /// after the class's last miss (the messages of a vector laid out side by side, or the
    /// same name for each), the window is read afresh from `src` to the end of the page that
    /// holds the last byte wanted (at most WINDOW bytes: never a page the read itself would
    /// not touch, so it faults only where the read would) and the bytes copied from it; else
    /// (the first read of a class, messages far apart: a read ahead would be wasted), a read
    /// longer than a window, or a failed window read: a direct read.
    #[inline(always)]
    fn read(&mut self, class: Class, dst: *mut u8, n: u32, src: u64) -> i64 {
        let w = &mut self.w[class as usize];
        let n64 = n as u64;
        let off = src.wrapping_sub(w.start);
        if src >= w.start && off <= w.len && n64 <= w.len - off {
            return w.take(dst, n, off);
        }
        if !w.fill(src, n64) {
            return Direct.read(class, dst, n, src);
        }
        // n <= len bytes at the start of `buf` were just read.
        w.take(dst, n, 0)
    }
}

/// Reads of at most this many bytes that lie within a window are copied from it by plain
/// loads and stores ([`Window::copy`]) instead of a bpf_probe_read_kernel call.
const COPY_MAX: usize = 72;

impl Window {
    /// The `n` bytes at `off` of the window (off + n <= len) into `dst`: a copy by loads and
    /// stores when they are few ([`Window::copy`]), else a bpf_probe_read_kernel.
    #[inline(always)]
    fn take(&self, dst: *mut u8, n: u32, off: u64) -> i64 {
        if n as u64 <= COPY_MAX as u64 {
            self.copy(dst, off);
            return 0;
        }
        // SAFETY: off + n <= len <= WINDOW: inside `buf`; the mask only proves it.
        unsafe {
            bpf_probe_read_kernel(
                dst.cast(),
                n,
                self.buf.as_ptr().add(off as usize & (WINDOW - 1)).cast(),
            )
        }
    }

    /// Copies COPY_MAX bytes of the window from `off` (< WINDOW) to `dst` (8-aligned: a
    /// segment's bytes, with room for MAX_READ >= COPY_MAX), eight at a time from the aligned
    /// words around them: the bytes past the wanted ones land in the segment's padding or are
    /// overwritten by the next segment, and are never sent as data (segments carry lengths).
    /// Hand-written for the hot path: against a bpf_probe_read_kernel per hit, bpf_stats of
    /// sys_exit_sendmmsg (8 messages side by side, ~21 hits per call) fell from ~3,000 to
    /// ~2,500 ns per call, ~23 ns per hit.
    #[inline(always)]
    fn copy(&self, dst: *mut u8, off: u64) {
        let off = off as usize & (WINDOW - 1);
        let base = off & !7;
        let sh = ((off & 7) * 8) as u32;
        let src = self.buf.as_ptr();
        let mut i = 0;
        while i < COPY_MAX {
            // SAFETY: base + i + 8 <= WINDOW - 8 + COPY_MAX + 8 <= buf's length; `buf` is
            // 8-aligned (after three u64s) and so is base + i; `dst` (caller).
            // Branch-free: for sh = 0 the second word's part is shifted out entirely
            // ((b << 63) << 1 = 0). With a branch on sh the verifier walked both sides at every
            // hit of the mmsg steps: start to `attached` went from ~0.9 to ~1.4 s (a0f0cce,
            // alternating runs against 77201d4: 1,480/1,262/1,350 ms against 941/861/927;
            // branch-free 952/824/1,030).
            unsafe {
                let a = core::ptr::read_volatile(src.add(base + i).cast::<u64>());
                let b = core::ptr::read_volatile(src.add(base + i + 8).cast::<u64>());
                let v = (a >> sh) | ((b << (63 - sh)) << 1);
                dst.add(i).cast::<u64>().write(v);
            }
            i += 8;
        }
    }

    /// After a miss: reads the window afresh at `src` when the read of `n` bytes lies a small
    /// step after the class's last miss (see [`Windows`]'s `read`); whether it now holds them.
    /// A BPF subprogram: inlined, LLVM folded these tests into the caller's pointer arithmetic
    /// and the verifier refused the result.
    #[inline(never)]
    fn fill(&mut self, src: u64, n: u64) -> bool {
        let last = self.last;
        self.last = src;
        self.len = 0;
        let end = src.wrapping_add(n);
        if last == 0 || src < last || src - last > WINDOW as u64 || end < src || n > WINDOW as u64 {
            return false;
        }
        let page_end = end.wrapping_add(4095) & !4095;
        let want = page_end.wrapping_sub(src);
        if want < n {
            return false;
        }
        let mut wl = want as u32;
        if wl > WINDOW as u32 {
            wl = WINDOW as u32;
        }
        // SAFETY: `buf` has room for wl <= WINDOW bytes.
        let r =
            unsafe { bpf_probe_read_user(self.buf.as_mut_ptr().cast(), wl, src as *const c_void) };
        if r < 0 {
            return false;
        }
        self.start = src;
        self.len = wl as u64;
        true
    }
}

/// [`push_user`] through the reader `r`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn push_user_with<R: UserRead>(
    r: &mut R,
    class: Class,
    slot: &mut Slot,
    kind: u8,
    index: u16,
    src: u64,
    want: u64,
) -> u64 {
    let cur = slot.cursor;
    if cur >= CURSOR_LIMIT {
        slot.header.flags |= sockscope_common::RF_SEGS_TRUNCATED;
        return 0;
    }
    // The mask applied to a value LLVM cannot see through: knowing `cur < CURSOR_LIMIT` it
    // drops the mask, and behind a window read the verifier then lost the bound of `dst`.
    // SAFETY: a plain load of the slot's own field.
    let off = (unsafe { core::ptr::read_volatile(&slot.cursor) } & CURSOR_MASK) as usize;
    let mut n = min(want, MAX_READ as u64) as u32;
    n &= 0x1fff;
    if n > MAX_READ {
        n = MAX_READ;
    }
    let base = slot.data.as_mut_ptr();
    // SAFETY: off < CURSOR_LIMIT and SEG_HEADER_SIZE + n <= 16 + MAX_READ keep both pointers
    // and the read inside `data` (DATA_SIZE >= CURSOR_LIMIT + 16 + MAX_READ).
    let (sh, dst) = unsafe {
        (
            base.add(off).cast::<SegHeader>(),
            base.add(off + SEG_HEADER_SIZE),
        )
    };
    let (status, len) = if src == 0 {
        (SEG_NULL, 0)
    } else if n == 0 {
        (SEG_OK, 0)
    } else {
        let r = r.read(class, dst, n, src);
        if r >= 0 {
            (SEG_OK, n)
        } else if slot.notes & SLOT_NETLINK != 0 {
            // strace decodes netlink messages up to the first unreadable byte: keep the bytes
            // up to the end of the first page.
            let m = (4096 - (src & 4095)) as u32 & 0xfff;
            // SAFETY: m < n, so dst has room.
            if m > 0
                && m < n
                && unsafe { bpf_probe_read_user(dst.cast(), m, src as *const c_void) } >= 0
            {
                (SEG_PARTIAL, m)
            } else {
                (SEG_FAULT, 0)
            }
        } else {
            (SEG_FAULT, 0)
        }
    };
    // SAFETY: sh points inside `data`, 8-aligned (cursor advances by padded lengths).
    unsafe {
        (*sh).kind = kind;
        (*sh).status = status;
        (*sh).index = index;
        (*sh).len = len;
        (*sh).addr = src;
    }
    slot.cursor = off as u32 + SEG_HEADER_SIZE as u32 + seg_padded(len);
    slot.header.nsegs += 1;
    len as u64
}

/// Appends a 4-byte segment for the user memory at `src` whose value `v` was read earlier in
/// the call (`ok`; otherwise that read faulted): what `push_user(slot, kind, index, src, 4)`
/// would have recorded then.
#[inline(always)]
pub(crate) fn push_noted(slot: &mut Slot, kind: u8, index: u16, src: u64, v: i32, ok: bool) {
    let cur = slot.cursor;
    if cur >= CURSOR_LIMIT {
        slot.header.flags |= sockscope_common::RF_SEGS_TRUNCATED;
        return;
    }
    let off = (cur & CURSOR_MASK) as usize;
    let base = slot.data.as_mut_ptr();
    let len: u32 = if ok { 4 } else { 0 };
    // SAFETY: off < CURSOR_LIMIT keeps the header and 4 bytes inside `data` (as push_user),
    // 8-aligned.
    unsafe {
        let sh = base.add(off).cast::<SegHeader>();
        (*sh).kind = kind;
        (*sh).status = if ok { SEG_OK } else { SEG_FAULT };
        (*sh).index = index;
        (*sh).len = len;
        (*sh).addr = src;
        core::ptr::write_unaligned(base.add(off + SEG_HEADER_SIZE).cast::<i32>(), v);
    }
    slot.cursor = off as u32 + SEG_HEADER_SIZE as u32 + seg_padded(len);
    slot.header.nsegs += 1;
}

/// Appends a segment holding the `T` at `src` (as `push_user`) and returns that value, taken
/// from the segment: one read of user memory where a push and a `read_user` made two. None when
/// the read faulted or the segment did not fit.
#[inline(always)]
pub(crate) fn push_read<T: Copy>(slot: &mut Slot, kind: u8, index: u16, src: u64) -> Option<T> {
    push_read_prefix(slot, kind, index, src, core::mem::size_of::<T>() as u64)
}

/// As `push_user` for `want` bytes at `src`, returning the `T` they begin with (None when
/// fewer bytes than a `T` were captured).
#[inline(always)]
pub(crate) fn push_read_prefix<T: Copy>(
    slot: &mut Slot,
    kind: u8,
    index: u16,
    src: u64,
    want: u64,
) -> Option<T> {
    push_read_prefix_with(&mut Direct, Class::Data, slot, kind, index, src, want)
}

/// [`push_read_prefix`] through the reader `r`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn push_read_prefix_with<T: Copy, R: UserRead>(
    r: &mut R,
    class: Class,
    slot: &mut Slot,
    kind: u8,
    index: u16,
    src: u64,
    want: u64,
) -> Option<T> {
    let size = core::mem::size_of::<T>() as u64;
    let cur = slot.cursor;
    if push_user_with(r, class, slot, kind, index, src, want) < size || cur >= CURSOR_LIMIT {
        return None;
    }
    let off = (cur & CURSOR_MASK) as usize + SEG_HEADER_SIZE;
    // SAFETY: push_user just wrote at least size_of::<T>() bytes at `off` inside `data` (see
    // there for the bounds).
    Some(unsafe { core::ptr::read_unaligned(slot.data.as_ptr().add(off).cast::<T>()) })
}

/// Bytes captured of each buffer: `-s` + 1, or MAX_SNAPLEN on a netlink socket (SLOT_NETLINK).
#[inline(always)]
pub(crate) fn snaplen_of(slot: &Slot) -> u64 {
    if slot.notes & SLOT_NETLINK != 0 {
        MAX_SNAPLEN as u64
    } else {
        config().snaplen as u64
    }
}

/// Netlink sockets: the second MAX_SNAPLEN bytes of a buffer of `len` bytes at `base` whose
/// first MAX_SNAPLEN were captured. Pushed last, so that it never takes the room of the call's
/// other segments. A BPF subprogram (its own stack frame): inlined, it made the callers'
/// frames too large for the verifier.
#[inline(never)]
pub(crate) fn push_more(slot: &mut Slot, kind: u8, index: u16, base: u64, len: u64) {
    if slot.notes & SLOT_NETLINK == 0 || len <= MAX_SNAPLEN as u64 || base == 0 {
        return;
    }
    push_user(
        slot,
        kind,
        index,
        base + MAX_SNAPLEN as u64,
        min(len - MAX_SNAPLEN as u64, MAX_SNAPLEN as u64),
    );
}

/// Netlink sockets: the second MAX_SNAPLEN bytes of a msghdr's first iovec (sendmsg, recvmsg;
/// not the mmsg calls, whose per-message programs are at the verifier's limit).
#[inline(never)]
pub(crate) fn push_more_iov(slot: &mut Slot, iov_ptr: u64, total: u64) {
    if slot.notes & SLOT_NETLINK == 0 || iov_ptr == 0 {
        return;
    }
    if let Some(iov) = read_user::<Iovec>(iov_ptr) {
        push_more(slot, seg::IOV_DATA_MORE, 0, iov.base, min(iov.len, total));
    }
}

#[inline(always)]
pub(crate) fn positive_len(v: u64) -> u64 {
    // addrlen/namelen are ints: a negative one captures nothing.
    let v = v as i32;
    if v > 0 { v as u64 } else { 0 }
}

/// The memory a msghdr points to: the name (at most a sockaddr_storage, its namelen as the
/// caller gave it or the kernel updated it), the iovec array and each iovec's bytes up to
/// `snaplen` and to what is left of `total` (a receive's byte count; u64::MAX for a send), the
/// control buffer. `index` numbers the message within an mmsghdr vector.
#[inline(always)]
pub(crate) fn capture_msg<const MAXIOV: u64, R: UserRead>(
    r: &mut R,
    slot: &mut Slot,
    snaplen: u64,
    m: &UserMsghdr,
    index: u16,
    total: u64,
) {
    if m.name != 0 {
        push_user_with(
            r,
            Class::Name,
            slot,
            seg::ADDR,
            index,
            m.name,
            min(positive_len(m.namelen as u64), SOCKADDR_MAX as u64),
        );
    }
    capture_iov::<MAXIOV, R>(r, slot, snaplen, m, index, total);
    if m.control != 0 && m.controllen != 0 {
        let cur = slot.cursor;
        let got = push_user(
            slot,
            seg::CONTROL,
            index,
            m.control,
            min(m.controllen, MAX_CONTROL as u64),
        );
        // strace reads min(msg_controllen, optmem_max) bytes in one go and prints the pointer
        // when that fails. The kernel side keeps MAX_CONTROL of them: the end of the range
        // strace reads is probed, and an unreadable end marks the capture as faulted.
        let whole = min(m.controllen, config().optmem_max as u64);
        if got != 0
            && whole > MAX_CONTROL as u64
            && cur < CURSOR_LIMIT
            && !pages_readable(
                m.control.wrapping_add(MAX_CONTROL as u64),
                whole - MAX_CONTROL as u64,
            )
        {
            let off = (cur & CURSOR_MASK) as usize;
            // SAFETY: the segment push_user just wrote starts at `off` inside `data`.
            unsafe {
                let sh = slot.data.as_mut_ptr().add(off).cast::<SegHeader>();
                (*sh).status = SEG_FAULT;
            }
        }
    }
}

/// Pages probed by `pages_readable`: 256 KiB past the captured control bytes (optmem_max is
/// 128 KiB by default; a larger sysctl is probed over its first 256 KiB and its last byte).
const PROBE_PAGES: u64 = 64;

/// Whether `len` (> 0) bytes from `start` can be read, probed one byte per page (what strace's
/// single read of the range needs): faults come in whole pages.
#[inline(always)]
fn pages_readable(start: u64, len: u64) -> bool {
    let Some(end) = start.checked_add(len - 1) else {
        return false;
    };
    if read_user::<u8>(end).is_none() {
        return false;
    }
    let first = start & !4095;
    for i in 0..PROBE_PAGES {
        let page = first + i * 4096;
        if page > end {
            break;
        }
        let at = if page < start { start } else { page };
        if read_user::<u8>(at).is_none() {
            return false;
        }
    }
    true
}

/// `left` through the slot's memory: the verifier then knows nothing of its range (a map
/// value's load is any scalar) and the iovecs' states that differ only in it merge. Followed
/// precisely, a receive's budget (its return value, less each iovec's bytes) multiplied the
/// states: data_recv_length (readv) took ~0.8 s to verify, ~0.15 s without the budget, and it
/// is the longest program to load, so attach waited on it. Each read stays bounded by
/// `snaplen` and the iovec's length; the budget only decides how many bytes are wanted.
#[inline(always)]
fn budget(slot: &mut Slot, left: u64) -> u64 {
    slot.iov_left = left;
    // SAFETY: a read of the field just written.
    unsafe { core::ptr::read_volatile(&slot.iov_left) }
}

/// The iovec array and, from each iovec, its bytes up to `snaplen` and to what is left of
/// `total` (the byte count a receive returned; u64::MAX for a send).
#[inline(always)]
pub(crate) fn capture_iov<const MAXIOV: u64, R: UserRead>(
    r: &mut R,
    slot: &mut Slot,
    snaplen: u64,
    m: &UserMsghdr,
    index: u16,
    total: u64,
) {
    if m.iov == 0 || m.iovlen == 0 {
        return;
    }
    let niov = min(m.iovlen, MAXIOV);
    // The first iovec is taken from the array's segment (one user read fewer: each
    // bpf_probe_read_user costs ~130 ns on the test VMs, bpf_stats); the others are read again,
    // through `r` (an index into the segment that varies loses the cursor's bound for the
    // verifier; a bpf_probe_read_kernel of the copy made the per-message programs too complex
    // for it).
    let first =
        push_read_prefix_with::<Iovec, R>(r, Class::Iov, slot, seg::IOV, index, m.iov, niov * 16);
    // A send's budget (u64::MAX, a constant here) stays known: its iovecs are taken whole.
    let mut left = if total == u64::MAX {
        total
    } else {
        budget(slot, total)
    };
    for i in 0..MAXIOV {
        if i >= niov || left == 0 {
            break;
        }
        // Only the first iovec's bytes go through `r`: the verifier follows each iteration
        // with `i` known, and a window read in every iteration made the mmsg steps' programs
        // take ~1 s to verify (recvmmsg_step; attach then went over 1 s). Messages of one
        // iovec each are what the mmsg calls carry in practice (datagrams).
        let iov = if i == 0 {
            first
        } else {
            read_user::<Iovec>(m.iov + i * 16)
        };
        let Some(iov) = iov else {
            break;
        };
        let n = min(iov.len, left);
        // A send (total = u64::MAX) has no byte budget, as strace: a huge iov_len must not
        // leave the later iovecs uncaptured.
        if total != u64::MAX {
            left = budget(slot, left - n);
        }
        let data_index = ((index as u64) << 8 | i) as u16;
        if i == 0 {
            push_user_with(
                r,
                Class::Data,
                slot,
                seg::IOV_DATA,
                data_index,
                iov.base,
                min(n, snaplen),
            );
        } else {
            push_user(slot, seg::IOV_DATA, data_index, iov.base, min(n, snaplen));
        }
    }
}
