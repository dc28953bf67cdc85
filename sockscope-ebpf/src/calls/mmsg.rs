//! sendmmsg and recvmmsg, with their per-message step programs.

use aya_ebpf::{macros::tracepoint, programs::TracePointContext};
use sockscope_common::{
    CURSOR_LIMIT, EventId, MAX_IOV, MAX_MMSG, STEP_RECVMMSG, STEP_SENDMMSG, Slot, seg,
};

use crate::{
    capture::{
        MMSGHDR_SIZE, MSGHDR_SIZE, UserMsghdr, capture_msg, min, push_user, read_user, snaplen_of,
    },
    maps::MMSG_STEPS,
    slot::{current_slot, enter, exit, submit},
    sock,
};

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
    let got = push_user(slot, seg::MMSGHDR, 0, vec, n * MMSGHDR_SIZE);
    if got == 0 && n > 0 && vec != 0 && cur < CURSOR_LIMIT {
        let in_page = min((4096 - (vec & 4095)) / MMSGHDR_SIZE, n);
        if in_page > 0 && in_page < n {
            // Take the faulted segment back and read the entries of the first page.
            slot.cursor = cur;
            slot.header.nsegs = nsegs;
            slot.header.flags = flags;
            push_user(slot, seg::MMSGHDR, 0, vec, in_page * MMSGHDR_SIZE);
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
    // SAFETY: tail call into our own step program; returns only if it could not be made.
    unsafe { MMSG_STEPS.tail_call(&ctx, STEP_SENDMMSG) };
    0
}

/// sendmmsg, at entry: message `slot.step` of the vector (name, iovecs and their bytes,
/// control), then the next one.
#[tracepoint]
pub fn sendmmsg_step(ctx: TracePointContext) -> u32 {
    let Some(slot) = current_slot() else { return 0 };
    let [_, vec, vlen, ..] = slot.header.args;
    let i = slot.step as u64;
    if i >= min(vlen & 0xffff_ffff, MAX_MMSG as u64) {
        return 0;
    }
    slot.step += 1;
    let Some(m) = read_user::<UserMsghdr>(vec + i * MMSGHDR_SIZE) else {
        return 0;
    };
    let snaplen = snaplen_of(slot);
    capture_msg::<{ MAX_IOV as u64 }>(slot, snaplen, &m, i as u16, u64::MAX);
    // SAFETY: as above.
    unsafe { MMSG_STEPS.tail_call(&ctx, STEP_SENDMMSG) };
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
    let len = min(ret as u64, MAX_MMSG as u64) * MMSGHDR_SIZE;
    push_user(slot, seg::MMSGHDR_EXIT, 0, vec, len);
    true
}

#[tracepoint]
pub fn sys_exit_sendmmsg(ctx: TracePointContext) -> u32 {
    let Some(slot) = exit(&ctx) else { return 0 };
    push_mmsg_exit(slot);
    submit(slot);
    0
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
    let vec = slot.header.args[1];
    let i = slot.step as u64;
    if slot.header.ret > 0 && i < min(slot.header.ret as u64, MAX_MMSG as u64) {
        slot.step += 1;
        if let Some(m) = read_user::<UserMsghdr>(vec + i * MMSGHDR_SIZE) {
            let got = read_user::<u32>(vec + i * MMSGHDR_SIZE + MSGHDR_SIZE).unwrap_or(0) as u64;
            let snaplen = snaplen_of(slot);
            capture_msg::<{ MAX_IOV as u64 }>(slot, snaplen, &m, i as u16, got);
            // SAFETY: as above.
            unsafe { MMSG_STEPS.tail_call(&ctx, STEP_RECVMMSG) };
        }
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
