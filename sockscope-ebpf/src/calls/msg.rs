//! sendmsg and recvmsg.

use aya_ebpf::{macros::tracepoint, programs::TracePointContext};
use sockscope_common::{EventId, MAX_IOV, SOCKADDR_MAX, seg};

use crate::{
    capture::{
        Direct, UserMsghdr, capture_msg, min, positive_len, push_more_iov, push_read, push_user,
        read_user, snaplen_of,
    },
    scope::config,
    slot::{enter, exit, exit_only, submit},
    sock,
};

// ---------------------------------------------------------------------------------------------
// sendmsg(int fd, struct user_msghdr *msg, unsigned flags)

#[tracepoint]
pub fn sys_enter_sendmsg(ctx: TracePointContext) -> u32 {
    let Some(slot) = enter(&ctx, EventId::Sendmsg, 3) else {
        return 0;
    };
    sock::capture(slot);
    let snaplen = snaplen_of(slot);
    let msg = slot.header.args[1];
    if let Some(m) = push_read::<UserMsghdr>(slot, seg::MSGHDR, 0, msg) {
        capture_msg::<{ MAX_IOV as u64 }, _>(&mut Direct, slot, snaplen, &m, 0, u64::MAX);
        if m.iovlen != 0 {
            push_more_iov(slot, m.iov, u64::MAX);
        }
    }
    0
}

#[tracepoint]
pub fn sys_exit_sendmsg(ctx: TracePointContext) -> u32 {
    if config().exit_only != 0 {
        sendmsg_at_exit(&ctx);
        return 0;
    }
    let Some(slot) = exit(&ctx) else { return 0 };
    let msg = slot.header.args[1];
    if config().toctou == 0 {
        submit(slot);
        return 0;
    }
    if let Some(m) = read_user::<UserMsghdr>(msg) {
        if m.name != 0 {
            push_user(
                slot,
                seg::ADDR_EXIT,
                0,
                m.name,
                min(positive_len(m.namelen as u64), SOCKADDR_MAX as u64),
            );
        }
    }
    submit(slot);
    0
}

/// sendmsg, exit-only: what sys_enter_sendmsg reads, at the exit.
#[inline(always)]
fn sendmsg_at_exit(ctx: &TracePointContext) {
    let Some(slot) = exit_only(ctx, EventId::Sendmsg) else {
        return;
    };
    sock::capture(slot);
    let snaplen = snaplen_of(slot);
    let msg = slot.header.args[1];
    if let Some(m) = push_read::<UserMsghdr>(slot, seg::MSGHDR, 0, msg) {
        capture_msg::<{ MAX_IOV as u64 }, _>(&mut Direct, slot, snaplen, &m, 0, u64::MAX);
        if m.iovlen != 0 {
            push_more_iov(slot, m.iov, u64::MAX);
        }
    }
    submit(slot);
}

// ---------------------------------------------------------------------------------------------
// recvmsg(int fd, struct user_msghdr *msg, unsigned flags)

#[tracepoint]
pub fn sys_enter_recvmsg(ctx: TracePointContext) -> u32 {
    let Some(slot) = enter(&ctx, EventId::Recvmsg, 3) else {
        return 0;
    };
    sock::capture(slot);
    let msg = slot.header.args[1];
    // The caller's msg_namelen, for the exit (see sys_enter_recvfrom).
    slot.header._pad = match push_read::<UserMsghdr>(slot, seg::MSGHDR, 0, msg) {
        Some(m) => positive_len(m.namelen as u64) as u32,
        None => 0,
    };
    0
}

#[tracepoint]
pub fn sys_exit_recvmsg(ctx: TracePointContext) -> u32 {
    let Some(slot) = exit(&ctx) else { return 0 };
    let snaplen = snaplen_of(slot);
    let ret = slot.header.ret;
    let msg = slot.header.args[1];
    if ret >= 0 {
        if let Some(mut m) = push_read::<UserMsghdr>(slot, seg::MSGHDR_EXIT, 0, msg) {
            // At most the name bytes the caller's buffer holds (strace: min(given, returned)).
            m.namelen = min(positive_len(m.namelen as u64), slot.header._pad as u64) as i32;
            // Before capture_msg: after it, the call made the program too complex for the
            // verifier. (A control buffer then may not fit; netlink replies rarely have one.)
            if m.iovlen != 0 {
                push_more_iov(slot, m.iov, ret as u64);
            }
            capture_msg::<{ MAX_IOV as u64 }, _>(&mut Direct, slot, snaplen, &m, 0, ret as u64);
        }
    }
    submit(slot);
    0
}
