//! sendto and recvfrom.

use aya_ebpf::{macros::tracepoint, programs::TracePointContext};
use sockscope_common::{EventId, MAX_SNAPLEN, SLOT_BUF_FAULTED, SOCKADDR_MAX, Slot, seg};

use crate::{
    capture::{
        min, positive_len, push_more, push_noted, push_read, push_read_prefix, push_user,
        read_user, snaplen_of,
    },
    scope::config,
    slot::{enter, exit, exit_only, submit},
    sock,
};

// ---------------------------------------------------------------------------------------------
// sendto(int fd, void *buf, size_t len, unsigned flags, struct sockaddr *addr, int addrlen)

#[tracepoint]
pub fn sys_enter_sendto(ctx: TracePointContext) -> u32 {
    let Some(slot) = enter(&ctx, EventId::Sendto, 6) else {
        return 0;
    };
    sock::capture(slot);
    let snaplen = snaplen_of(slot);
    let [_, buf, len, _, addr, addrlen] = slot.header.args;
    let want = min(len, snaplen);
    let got = push_user(slot, seg::BUF, 0, buf, want);
    if got == 0 && want != 0 && buf != 0 {
        slot.notes |= SLOT_BUF_FAULTED;
    }
    if addr != 0 {
        push_user(
            slot,
            seg::ADDR,
            0,
            addr,
            min(positive_len(addrlen), SOCKADDR_MAX as u64),
        );
    }
    if got == MAX_SNAPLEN as u64 {
        push_more(slot, seg::BUF_MORE, 0, buf, len);
    }
    0
}

#[tracepoint]
pub fn sys_exit_sendto(ctx: TracePointContext) -> u32 {
    if config().exit_only != 0 {
        sendto_at_exit(&ctx);
        return 0;
    }
    let Some(slot) = exit(&ctx) else { return 0 };
    if slot.notes & SLOT_BUF_FAULTED != 0 && slot.header.ret > 0 {
        let [_, buf, len, ..] = slot.header.args;
        let snaplen = snaplen_of(slot);
        push_user(slot, seg::BUF_EXIT, 0, buf, min(len, snaplen));
    }
    let [_, _, _, _, addr, addrlen] = slot.header.args;
    if addr != 0 && config().toctou != 0 {
        push_user(
            slot,
            seg::ADDR_EXIT,
            0,
            addr,
            min(positive_len(addrlen), SOCKADDR_MAX as u64),
        );
    }
    submit(slot);
    0
}

/// sendto, exit-only: the buffer and the destination read once the call is over (what the
/// entry program reads, at the exit; the bytes are the caller's until it changes them). The
/// destination first: its family, taken from its segment, tells a netlink socket
/// (`sock::capture_sendto`), which decides how much of the buffer to capture.
#[inline(always)]
fn sendto_at_exit(ctx: &TracePointContext) {
    let Some(slot) = exit_only(ctx, EventId::Sendto) else {
        return;
    };
    let [_, buf, len, _, addr, addrlen] = slot.header.args;
    let family = if addr != 0 {
        push_read_prefix::<u16>(
            slot,
            seg::ADDR,
            0,
            addr,
            min(positive_len(addrlen), SOCKADDR_MAX as u64),
        )
    } else {
        None
    };
    sock::capture_sendto(slot, family);
    let snaplen = snaplen_of(slot);
    let got = push_user(slot, seg::BUF, 0, buf, min(len, snaplen));
    if got == MAX_SNAPLEN as u64 {
        push_more(slot, seg::BUF_MORE, 0, buf, len);
    }
    submit(slot);
}

// ---------------------------------------------------------------------------------------------
// recvfrom(int fd, void *buf, size_t len, unsigned flags, struct sockaddr *addr, int *addrlen)

#[tracepoint]
pub fn sys_enter_recvfrom(ctx: TracePointContext) -> u32 {
    let Some(slot) = enter(&ctx, EventId::Recvfrom, 6) else {
        return 0;
    };
    sock::capture(slot);
    let addrlen_ptr = slot.header.args[5];
    // The caller's *addrlen, kept for the exit (in the header's spare word, which user space
    // ignores): strace reads min(given, returned) address bytes, and a returned length longer
    // than the caller's buffer must not make the read run past it.
    slot.header._pad = 0;
    if addrlen_ptr != 0 {
        let given = push_read::<i32>(slot, seg::ADDRLEN_IN, 0, addrlen_ptr).unwrap_or(0);
        slot.header._pad = positive_len(given as u64) as u32;
    }
    0
}

#[tracepoint]
pub fn sys_exit_recvfrom(ctx: TracePointContext) -> u32 {
    if config().exit_only != 0 {
        recvfrom_at_exit(&ctx);
        return 0;
    }
    let Some(slot) = exit(&ctx) else { return 0 };
    recvfrom_out(slot, 0);
    0
}

/// recvfrom, exit-only: the caller's `*addrlen` as the call found it comes from the note made
/// inside the receive (data.rs `note`), before the kernel wrote the returned length over it.
/// Without a note the call never reached the socket's receive, and the kernel never wrote
/// `*addrlen`: it is read now.
#[inline(always)]
fn recvfrom_at_exit(ctx: &TracePointContext) {
    let Some(slot) = exit_only(ctx, EventId::Recvfrom) else {
        return;
    };
    let addrlen_ptr = slot.header.args[5];
    let noted = slot.hint_sk != 0;
    let (len, len_ok) = (slot.hint_len, slot.hint_len_ok != 0);
    // The returned length, when the note knows it (sock.rs `udp_name_len`; 0: read it).
    let klen = if noted { slot.hint_klen } else { 0 };
    sock::capture(slot);
    slot.header._pad = 0;
    if addrlen_ptr != 0 {
        let given = if noted {
            push_noted(slot, seg::ADDRLEN_IN, 0, addrlen_ptr, len, len_ok);
            if len_ok { len } else { 0 }
        } else {
            push_read::<i32>(slot, seg::ADDRLEN_IN, 0, addrlen_ptr).unwrap_or(0)
        };
        slot.header._pad = positive_len(given as u64) as u32;
    }
    recvfrom_out(slot, klen);
}

/// What recvfrom's exit reads, with or without an entry program: the bytes received, the
/// returned length (`klen` when the exit-only note knows it, else read) and the source
/// address.
#[inline(always)]
fn recvfrom_out(slot: &mut Slot, klen: u32) {
    let snaplen = snaplen_of(slot);
    let ret = slot.header.ret;
    let [_, buf, len, _, addr, addrlen_ptr] = slot.header.args;
    if ret >= 0 {
        let got = push_user(slot, seg::BUF, 0, buf, min(min(ret as u64, len), snaplen));
        if addrlen_ptr != 0 {
            // One read of the returned length, kept as its segment and used for the address
            // (a second read cost ~130 ns; push_read here, after the BUF segment, lost the
            // cursor's bound for the verifier). A known length needs no read: the call
            // succeeded, so the kernel's write of it did.
            let out = if klen != 0 {
                Some(klen as i32)
            } else {
                read_user::<i32>(addrlen_ptr)
            };
            push_addrlen_out(slot, addrlen_ptr, out.unwrap_or(0), out.is_some() as u32);
            if addr != 0 {
                let out = out.unwrap_or(0) as u64;
                let given = slot.header._pad as u64;
                push_user(
                    slot,
                    seg::ADDR,
                    0,
                    addr,
                    min(min(positive_len(out), given), SOCKADDR_MAX as u64),
                );
            }
        }
        if got == MAX_SNAPLEN as u64 {
            push_more(slot, seg::BUF_MORE, 0, buf, min(ret as u64, len));
        }
    }
    submit(slot);
}

/// recvfrom's returned `*addrlen` (`v`, read by the caller; `ok` 0 when that read faulted) as
/// its segment. A BPF subprogram: inlined, LLVM carried what it knew of the cursor into the
/// next push and dropped the mask the verifier needs there.
#[inline(never)]
fn push_addrlen_out(slot: &mut Slot, src: u64, v: i32, ok: u32) {
    push_noted(slot, seg::ADDRLEN_OUT, 0, src, v, ok != 0);
}
