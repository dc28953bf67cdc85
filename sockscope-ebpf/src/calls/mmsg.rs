//! sendmmsg and recvmmsg, with their per-message step programs.

use aya_ebpf::{macros::tracepoint, programs::TracePointContext};
use sockscope_common::{
    CURSOR_LIMIT, CURSOR_MASK, EventId, MAX_IOV, MAX_MMSG, SEG_HEADER_SIZE, STEP_RECVMMSG,
    STEP_SENDMMSG, Slot, seg,
};

use crate::{
    capture::{
        MMSGHDR_SIZE, MSGHDR_SIZE, UserMsghdr, Windows, capture_msg, min, push_user, snaplen_of,
    },
    maps::{MMSG_STEPS, WINDOWS},
    scope::config,
    slot::{current_slot, enter, exit, exit_only, scratch, submit},
    sock,
};

/// Appends the segment of `n` mmsghdr entries at `vec` (`push_user`) and keeps where it is for
/// the steps (`Slot::vec_seg`, `vec_n`): the bytes read.
#[inline(always)]
fn push_vec(slot: &mut Slot, kind: u8, vec: u64, n: u64) -> u64 {
    let cur = slot.cursor;
    let got = push_user(slot, kind, 0, vec, n * MMSGHDR_SIZE);
    slot.vec_seg = cur;
    slot.vec_n = (got / MMSGHDR_SIZE) as u32;
    got
}

/// Entry `i` of the vector the slot holds a copy of (`push_vec`): its msghdr and msg_len,
/// loaded from the copy (each bpf_probe_read_user of user memory again cost ~100-150 ns on the
/// test VMs; 8 to 16 of them per 8-message call). None past the copy: the entries that could
/// not be read.
#[inline(always)]
fn vec_entry(slot: &Slot, i: u64) -> Option<(UserMsghdr, u32)> {
    if i >= slot.vec_n as u64 || slot.vec_seg >= CURSOR_LIMIT {
        return None;
    }
    let off = (slot.vec_seg & CURSOR_MASK) as usize
        + SEG_HEADER_SIZE
        + (i as usize & (MAX_MMSG as usize - 1)) * MMSGHDR_SIZE as usize;
    // SAFETY: off + MMSGHDR_SIZE <= CURSOR_LIMIT + SEG_HEADER_SIZE + MAX_MMSG * 64 stays inside
    // `data` (DATA_SIZE); segments start 8-aligned in `data`, itself 8-aligned in the slot
    // (sockscope-common), and entry i of the segment lies at 64 i from its start.
    unsafe {
        let p = slot.data.as_ptr().add(off);
        Some((
            p.cast::<UserMsghdr>().read(),
            p.add(MSGHDR_SIZE as usize).cast::<u32>().read(),
        ))
    }
}

/// The CPU's windows of user memory for the steps (capture.rs `Windows`).
#[inline(always)]
fn windows() -> Option<&'static mut Windows> {
    // SAFETY: this CPU's value; programs using it do not interleave on a CPU (maps.rs).
    WINDOWS.get_ptr_mut(0).map(|p| unsafe { &mut *p })
}

/// Empties the windows before a call's steps: what they held was another call's memory.
#[inline(always)]
fn reset_windows() {
    if let Some(w) = windows() {
        w.reset();
    }
}

/// The slot the steps of sendmmsg work in: the CPU's when the call is captured at its exit
/// (the steps run in the same program invocation, on the same CPU), else the thread's.
#[inline(always)]
fn sendmmsg_slot() -> Option<&'static mut Slot> {
    if config().exit_only != 0 {
        scratch()
    } else {
        current_slot()
    }
}

// ---------------------------------------------------------------------------------------------
// sendmmsg(int fd, struct mmsghdr *msgvec, unsigned vlen, unsigned flags)

// Each message of the vector is captured by one run of a step program that tail-calls itself
// for the next one: the verifier checks one message's code once, instead of every path through
// nested message × iovec loops, and a vector of MAX_MMSG messages fits the tail-call limit.

/// The first `n` (at most MAX_MMSG) entries of an mmsghdr vector at entry. When the vector
/// runs into an unmapped page, the entries before that page are captured (strace prints the
/// readable entries and `... /* address */`): MAX_MMSG entries (2 KiB) span at most two pages,
/// so what is readable is what lies before the first page boundary.
#[inline(always)]
fn push_mmsg_vec(slot: &mut Slot, vec: u64, n: u64) {
    let cur = slot.cursor;
    let nsegs = slot.header.nsegs;
    let flags = slot.header.flags;
    let got = push_vec(slot, seg::MMSGHDR, vec, n);
    if got == 0 && n > 0 && vec != 0 && cur < CURSOR_LIMIT {
        let in_page = min((4096 - (vec & 4095)) / MMSGHDR_SIZE, n);
        if in_page > 0 && in_page < n {
            // Take the faulted segment back and read the entries of the first page.
            slot.cursor = cur;
            slot.header.nsegs = nsegs;
            slot.header.flags = flags;
            push_vec(slot, seg::MMSGHDR, vec, in_page);
        }
    }
}

#[tracepoint]
pub fn sys_enter_sendmmsg(ctx: TracePointContext) -> u32 {
    let Some(slot) = enter(&ctx, EventId::Sendmmsg, 4) else {
        return 0;
    };
    sock::capture(slot);
    let [_, vec, vlen, ..] = slot.header.args;
    let n = min(vlen & 0xffff_ffff, MAX_MMSG as u64);
    push_mmsg_vec(slot, vec, n);
    slot.step = 0;
    reset_windows();
    // SAFETY: tail call into our own step program; returns only if it could not be made.
    unsafe { MMSG_STEPS.tail_call(&ctx, STEP_SENDMMSG) };
    0
}

/// sendmmsg: message `slot.step` of the vector (name, iovecs and their bytes, control), then
/// the next one. At entry, or, exit-only, at the exit: strace decodes sendmmsg's vector at
/// exit; the last step then sends the record.
#[tracepoint]
pub fn sendmmsg_step(ctx: TracePointContext) -> u32 {
    let Some(slot) = sendmmsg_slot() else {
        return 0;
    };
    let i = slot.step as u64;
    if let (Some((m, _)), Some(w)) = (vec_entry(slot, i), windows()) {
        slot.step += 1;
        let snaplen = snaplen_of(slot);
        capture_msg::<{ MAX_IOV as u64 }, _>(w, slot, snaplen, &m, i as u16, u64::MAX);
        // SAFETY: as above.
        unsafe { MMSG_STEPS.tail_call(&ctx, STEP_SENDMMSG) };
    }
    if config().exit_only != 0 {
        submit(slot);
    }
    0
}

/// At exit, the mmsghdr entries the kernel processed (their `msg_len`s): the first `ret` of the
/// vector, at most MAX_MMSG. Whether there were any.
#[inline(always)]
fn push_mmsg_exit(slot: &mut Slot) -> bool {
    let ret = slot.header.ret;
    if ret <= 0 {
        return false;
    }
    let vec = slot.header.args[1];
    push_vec(
        slot,
        seg::MMSGHDR_EXIT,
        vec,
        min(ret as u64, MAX_MMSG as u64),
    );
    true
}

#[tracepoint]
pub fn sys_exit_sendmmsg(ctx: TracePointContext) -> u32 {
    if config().exit_only != 0 {
        sendmmsg_at_exit(&ctx);
        return 0;
    }
    let Some(slot) = exit(&ctx) else { return 0 };
    push_mmsg_exit(slot);
    submit(slot);
    0
}

/// sendmmsg, exit-only: what sys_enter_sendmmsg and its steps read, at the exit, where the
/// vector read once holds the msg_len the kernel wrote too (strace's view: it decodes the
/// vector at exit). The steps send the record.
#[inline(always)]
fn sendmmsg_at_exit(ctx: &TracePointContext) {
    let Some(slot) = exit_only(ctx, EventId::Sendmmsg) else {
        return;
    };
    sock::capture(slot);
    let [_, vec, vlen, ..] = slot.header.args;
    let n = min(vlen & 0xffff_ffff, MAX_MMSG as u64);
    push_mmsg_vec(slot, vec, n);
    slot.step = 0;
    reset_windows();
    // SAFETY: tail call into our own step program; returns only if it could not be made.
    unsafe { MMSG_STEPS.tail_call(ctx, STEP_SENDMMSG) };
    submit(slot);
}

// ---------------------------------------------------------------------------------------------
// recvmmsg(int fd, struct mmsghdr *msgvec, unsigned vlen, unsigned flags, struct timespec *timeout)

#[tracepoint]
pub fn sys_enter_recvmmsg(ctx: TracePointContext) -> u32 {
    let Some(slot) = enter(&ctx, EventId::Recvmmsg, 5) else {
        return 0;
    };
    sock::capture(slot);
    let [_, vec, vlen, _, timeout, _] = slot.header.args;
    let n = min(vlen & 0xffff_ffff, MAX_MMSG as u64);
    push_mmsg_vec(slot, vec, n);
    if timeout != 0 {
        push_user(slot, seg::TIMESPEC, 0, timeout, 16);
    }
    0
}

#[tracepoint]
pub fn sys_exit_recvmmsg(ctx: TracePointContext) -> u32 {
    let Some(slot) = exit(&ctx) else { return 0 };
    if push_mmsg_exit(slot) {
        slot.step = 0;
        reset_windows();
        // SAFETY: as above; the last step finishes the record.
        unsafe { MMSG_STEPS.tail_call(&ctx, STEP_RECVMMSG) };
    }
    finish_recvmmsg(slot);
    0
}

/// recvmmsg, at exit: what the kernel filled into message `slot.step` (name, iovecs up to its
/// msg_len, control), then the next one; after the last, the record is sent.
#[tracepoint]
pub fn recvmmsg_step(ctx: TracePointContext) -> u32 {
    let Some(slot) = current_slot() else { return 0 };
    let i = slot.step as u64;
    // The entries the kernel filled (push_mmsg_exit read the first `ret`).
    if let (Some((m, got)), Some(w)) = (vec_entry(slot, i), windows()) {
        slot.step += 1;
        let snaplen = snaplen_of(slot);
        capture_msg::<{ MAX_IOV as u64 }, _>(w, slot, snaplen, &m, i as u16, got as u64);
        // SAFETY: as above.
        unsafe { MMSG_STEPS.tail_call(&ctx, STEP_RECVMMSG) };
    }
    finish_recvmmsg(slot);
    0
}

#[inline(always)]
fn finish_recvmmsg(slot: &mut Slot) {
    let timeout = slot.header.args[4];
    if timeout != 0 {
        push_user(slot, seg::TIMESPEC_EXIT, 0, timeout, 16);
    }
    submit(slot);
}
