//! read, write, readv, writev, sendfile and splice, when they act on a socket.
//!
//! read/write/readv/writev are seen through the tracepoints `sock:sock_recv_length` /
//! `sock:sock_send_length`, attached as BTF tracepoints (tp_btf). They fire inside
//! sock_recvmsg/sock_sendmsg, after the protocol's recvmsg/sendmsg returned, with the `struct sock`
//! and the result; net/socket.c calls them only for sockets, so a read or write of a file, pipe or
//! tty never runs any sockscope code. The program takes the syscall number and its arguments from
//! the task's saved user registers (`bpf_task_pt_regs`) and keeps only read(0), write(1),
//! readv(19), writev(20), preadv2(327) and pwritev2(328) (with offset -1; any other offset fails
//! before the socket) — the six message calls have their own programs, and sendfile/splice reach
//! the same tracepoints from inside the kernel. Before anything is read from user memory it checks
//! that the call's descriptor is that very socket (file table → file → inode S_IFSOCK → socket →
//! sk).
//!
//! The tracepoint's `ret` is the syscall's return value: sock_read_iter/sock_write_iter return
//! what sock_recvmsg/sock_sendmsg returned, and the vfs adds nothing for sockets. What the
//! tracepoints do not see: calls that fail before the socket layer (EFAULT for a pointer
//! outside user space or a bad iovec array, EINVAL for a bad iovec count, an LSM refusal) and
//! read(fd, buf, 0) on a socket (sock_read_iter returns 0 without calling recvmsg).
//!
//! sendfile and splice are seen at their syscall exit (exit-only: arguments from the saved
//! registers; the socket check of both descriptors comes first).
//!
//! Without -T there is no entry program: the record's time is when the tracepoint fired (the
//! data had moved; for sendfile/splice the exit) and the duration is 0. With -T small entry
//! programs store the entry time per thread.

use aya_ebpf::{
    helpers::{bpf_get_current_pid_tgid, generated::bpf_ktime_get_ns},
    macros::{btf_tracepoint, map, tracepoint},
    maps::LruHashMap,
    programs::{BtfTracePointContext, TracePointContext},
};
use sockscope_common::{
    DataConfig, EventId, MAX_IOV, OFF_NONE, PT_REGS_DI, PT_REGS_DX, PT_REGS_ORIG_AX, PT_REGS_R8,
    PT_REGS_R9, PT_REGS_R10, PT_REGS_SI, Slot, nr, seg,
};

use crate::{
    capture::{
        Direct, UserMsghdr, capture_iov, current_task, min, push_user, read_user, reg, regs_of,
    },
    scope::{config, task_in_scope_cached},
    slot::{identity, ret_of, scratch, slot_for, submit},
    sock,
};

/// Filled in by the loader (see `DataConfig`).
#[unsafe(no_mangle)]
static DATA_CONFIG: DataConfig = DataConfig::OFF;

macro_rules! dc {
    ($f:ident) => {
        // SAFETY: a read of our own static; volatile so the loader's value is used.
        unsafe { core::ptr::read_volatile(core::ptr::addr_of!(DATA_CONFIG.$f)) }
    };
}

/// -T only: tid → CLOCK_MONOTONIC time of the thread's last read/write/readv/writev/sendfile/
/// splice entry.
#[map]
static DATA_ENTRY: LruHashMap<u32, u64> = LruHashMap::with_max_entries(16384, 0);

const PF_IO_WORKER: u32 = 0x10;
const PF_KTHREAD: u32 = 0x0020_0000;
const S_IFMT: u16 = 0o170000;
const S_IFSOCK: u16 = 0o140000;

use crate::capture::read_kernel as kread;

/// The CPU's slot if the thread may be traced: not sockscope, in the process filter and the
/// scope (the filter's answer kept in that slot, `task_in_scope_cached`).
#[inline(always)]
fn scoped() -> Option<&'static mut Slot> {
    let slot = scratch()?;
    if task_in_scope_cached(slot, bpf_get_current_pid_tgid(), &config()) {
        Some(slot)
    } else {
        None
    }
}

/// A field at `off` of the kernel structure at `p`, a BTF pointer (the current task, the
/// tracepoint's socket, or a pointer loaded from one of them): one direct load the verifier
/// checks against BTF (`off` is a constant of the frozen DATA_CONFIG) and the JIT makes
/// fault-safe. A bpf_probe_read_kernel per field cost ~20 ns more on every socket send and
/// receive (perf of the write loop: the descriptor check's 9 reads were 5% of the loop).
#[inline(always)]
fn field<T: Copy>(p: *const u8, off: u32) -> T {
    // SAFETY: see above.
    unsafe { core::ptr::read_volatile(p.add(off as usize).cast::<T>()) }
}

/// The `struct file` at descriptor `fd` of the current task: task → files → fdt (max_fds,
/// fd) by direct loads, the array element by a read (its index is not a constant).
#[inline(always)]
fn fd_file(task: *const u8, fd: u64) -> Option<u64> {
    let fd = fd as u32 as i32;
    let task_files: u32 = dc!(task_files);
    let files_fdt: u32 = dc!(files_fdt);
    let fdt_span = dc!(fdt);
    if fd < 0 || task_files == OFF_NONE || files_fdt == OFF_NONE || fdt_span.len == 0 {
        return None;
    }
    if task.is_null() {
        return None;
    }
    let files: *const u8 = field(task, task_files);
    if files.is_null() {
        return None;
    }
    let fdt: *const u8 = field(files, files_fdt);
    if fdt.is_null() {
        return None;
    }
    let max_fds: u32 = field(fdt, fdt_span.start + dc!(fdt_max_fds_rel));
    if fd as u32 >= max_fds {
        return None;
    }
    let arr: u64 = field(fdt, fdt_span.start + dc!(fdt_fd_rel));
    let file: u64 = kread(arr + 8 * fd as u64)?;
    if file == 0 { None } else { Some(file) }
}

/// The `struct socket` of a file, when the file is a socket (its inode is S_IFSOCK).
#[inline(always)]
fn file_socket(file: u64) -> Option<u64> {
    let fspan = dc!(file);
    let mode_off: u32 = dc!(inode_mode);
    if fspan.len == 0 || mode_off == OFF_NONE {
        return None;
    }
    let base = file + fspan.start as u64;
    let inode: u64 = kread(base + dc!(file_inode_rel) as u64)?;
    let mode: u16 = kread(inode + mode_off as u64)?;
    if mode & S_IFMT != S_IFSOCK {
        return None;
    }
    kread(base + dc!(file_private_data_rel) as u64)
}

/// Whether descriptor `fd` of the current task is a socket.
#[inline(always)]
fn is_socket(task: *const u8, fd: u64) -> bool {
    match fd_file(task, fd) {
        Some(f) => file_socket(f).is_some(),
        None => false,
    }
}

/// `slot` (the CPU's, from [`scoped`]) prepared for a record of `event` with `args` and result
/// `ret`, and the task's identity (as the exit programs of the message calls fill it).
#[inline(always)]
fn begin(
    slot: &'static mut Slot,
    task: *const u8,
    event: EventId,
    args: [u64; 6],
    ret: i64,
) -> &'static mut Slot {
    let pid_tgid = bpf_get_current_pid_tgid();
    let tid = pid_tgid as u32;
    slot.cursor = 0;
    slot.notes = 0;
    slot.hint_sk = 0;
    let cfg = config();
    // SAFETY: helper without preconditions.
    let now = unsafe { bpf_ktime_get_ns() };
    let h = &mut slot.header;
    h.event = event as u16;
    h.flags = 0;
    h.nsegs = 0;
    h.data_len = 0;
    h.ts_ns = now;
    h.duration_ns = 0;
    if dc!(timing) != 0
        && let Some(t) = DATA_ENTRY.get_ptr(tid)
    {
        // SAFETY: map value of this thread.
        let t = unsafe { *t };
        if t != 0 && t <= now {
            h.ts_ns = t;
            h.duration_ns = now - t;
        }
    }
    for i in 0..6 {
        h.args[i] = args[i];
    }
    h.ret = ret;
    identity(slot, pid_tgid, &cfg, task);
    slot
}

#[inline(always)]
fn selected(event: EventId) -> bool {
    let events: u32 = dc!(events);
    events & (1u32 << (event as u16 as u32)) != 0
}

/// Not a kernel thread or io_uring worker (their registers are not a syscall of theirs).
#[inline(always)]
fn user_task(task: *const u8) -> bool {
    let off: u32 = dc!(task_flags);
    if off == OFF_NONE {
        return true;
    }
    if task.is_null() {
        return false;
    }
    field::<u32>(task, off) & (PF_KTHREAD | PF_IO_WORKER) == 0
}

// ---------------------------------------------------------------------------------------------
// read, write, readv, writev: sock:sock_send_length / sock:sock_recv_length

// BTF tracepoints (tp_btf): the program gets the tracepoint's arguments (sk, ret, flags)
// directly, without the perf record an ordinary tracepoint program is given (measured: ~40%
// less per run on every socket send and receive of the machine, the message calls' included),
// as a raw tracepoint would, and `sk` is a BTF pointer: its fields are direct loads.

#[btf_tracepoint(function = "sock_send_length")]
pub fn data_send_length(ctx: BtfTracePointContext) -> i32 {
    let _ = on_sock(&ctx, true);
    0
}

#[btf_tracepoint(function = "sock_recv_length")]
pub fn data_recv_length(ctx: BtfTracePointContext) -> i32 {
    let _ = on_sock(&ctx, false);
    0
}

#[inline(always)]
fn on_sock(ctx: &BtfTracePointContext, send: bool) -> Option<()> {
    let events: u32 = dc!(events);
    let exit_only = config().exit_only;
    if events == 0 && exit_only == 0 {
        return None;
    }
    let task = current_task();
    let regs = regs_of(task);
    let n = reg(regs, PT_REGS_ORIG_AX)?;
    let event = match (send, n) {
        (true, nr::WRITE) => EventId::Write,
        (true, nr::WRITEV) => EventId::Writev,
        (false, nr::READ) => EventId::Read,
        (false, nr::READV) => EventId::Readv,
        (false, nr::PREADV2) => EventId::Preadv2,
        (true, nr::PWRITEV2) => EventId::Pwritev2,
        (true, nr::SENDTO | nr::SENDMSG | nr::SENDMMSG) | (false, nr::RECVFROM) => {
            if exit_only != 0 {
                note(ctx, regs, n);
            }
            return None;
        }
        _ => return None,
    };
    if !selected(event) || !user_task(task) {
        return None;
    }
    let slot = scoped()?;
    let fd = reg(regs, PT_REGS_DI)?;
    let buf = reg(regs, PT_REGS_SI)?;
    let count = reg(regs, PT_REGS_DX)?;
    // TP_PROTO(struct sock *sk, int ret, int flags)
    let sk: *const u8 = ctx.arg(0);
    let ret = ctx.arg::<u64>(1) as u32 as i32;
    // The descriptor must be this socket (a read of a file whose file system talks over a
    // kernel socket from the caller's context would fire the tracepoint too): its file is the
    // file of sk's socket (sk->sk_socket->file, direct loads).
    if sk.is_null() {
        return None;
    }
    let socket: *const u8 = field(sk, dc!(sock_sk_socket));
    if socket.is_null() {
        return None;
    }
    let sock_file: u64 = field(socket, dc!(socket_file));
    if sock_file == 0 || fd_file(task, fd)? != sock_file {
        return None;
    }
    // preadv2/pwritev2(fd, iov, iovcnt, pos_l, pos_h, flags): kept as strace prints them,
    // [fd, iov, iovcnt, offset, flags, pos_h].
    let v2 = matches!(event, EventId::Preadv2 | EventId::Pwritev2);
    let (a3, a4, a5) = if v2 {
        (
            reg(regs, PT_REGS_R10)?,
            reg(regs, PT_REGS_R9)?,
            reg(regs, PT_REGS_R8)?,
        )
    } else {
        (0, 0, 0)
    };
    let slot = begin(slot, task, event, [fd, buf, count, a3, a4, a5], ret as i64);
    // The descriptor was just checked to be `sk`: sock.rs needs no second walk for its family.
    slot.hint_sk = sk as u64;
    slot.hint_family = sock::family_of(sk);
    slot.hint_fd = fd as u32;
    sock::capture(slot);
    let snaplen = config().snaplen as u64;
    match event {
        EventId::Write => {
            push_user(slot, seg::BUF, 0, buf, min(count, snaplen));
        }
        EventId::Read => {
            if ret >= 0 {
                push_user(slot, seg::BUF, 0, buf, min(min(ret as u64, count), snaplen));
            }
        }
        _ => {
            let m = UserMsghdr {
                name: 0,
                namelen: 0,
                _pad: 0,
                iov: buf,
                iovlen: count,
                control: 0,
                controllen: 0,
                flags: 0,
                _pad2: 0,
            };
            // writev: every iovec's bytes (up to -s each); readv: up to the bytes received;
            // a failed readv: the array alone (strace prints the bases as pointers).
            let total = if matches!(event, EventId::Writev | EventId::Pwritev2) {
                u64::MAX
            } else if ret > 0 {
                ret as u64
            } else {
                0
            };
            capture_iov::<{ MAX_IOV as u64 }, _>(&mut Direct, slot, snaplen, &m, 0, total);
        }
    }
    submit(slot);
    Some(())
}

/// sendto, sendmsg, sendmmsg and recvfrom captured at exit only (no entry program): what the
/// exit program needs from inside the call, noted in a slot (`Slot::hint_*`). The socket the
/// data went through, so that the exit reads its family instead of walking from the
/// descriptor; for recvfrom also the caller's `*addrlen`, which the kernel overwrites with the
/// returned length after the receive. The exit (`slot::exit_only`) checks the syscall, the
/// descriptor and the thread before using the note. Nested sends or receives (a socket that
/// moves its data through another inside its own sendmsg/recvmsg) fire first; the outermost,
/// the call's own socket, fires last and its note is the one kept (sendmmsg: each message's
/// send notes the same socket).
#[inline(always)]
fn note(ctx: &BtfTracePointContext, regs: u64, n: u64) {
    // sendto/sendmsg/sendmmsg: the socket only saves the walk when its family alone is wanted.
    if n != nr::RECVFROM && !sock::family_hint_used() {
        return;
    }
    let (Some(fd), Some(addrlen)) = (reg(regs, PT_REGS_DI), reg(regs, PT_REGS_R9)) else {
        return;
    };
    // sendto with a destination that succeeded: its exit tells a netlink socket by the
    // destination's family (sock::capture_sendto), no note needed.
    if n == nr::SENDTO
        && sock::sendto_family_from_destination(
            reg(regs, PT_REGS_R8).unwrap_or(0),
            addrlen,
            ctx.arg::<u64>(1) as i32 as i64,
        )
    {
        return;
    }
    let pid_tgid = bpf_get_current_pid_tgid();
    let slot = if n == nr::RECVFROM {
        // recvfrom's in-length exists nowhere else: the thread's own slot (its first call
        // makes it), which the exit finds wherever the thread runs then.
        if scoped().is_none() {
            return;
        }
        match slot_for(pid_tgid as u32) {
            Some(s) => s,
            None => return,
        }
    } else {
        // The socket alone is an optimisation: the CPU's slot, where the exit looks first (a
        // thread moved to another CPU before its exit finds no note of its own there).
        match scratch() {
            Some(s) => s,
            None => return,
        }
    };
    let sk: *const u8 = ctx.arg(0);
    slot.hint_sk = sk as u64;
    slot.hint_family = sock::family_of(sk);
    slot.hint_nr = n as u32;
    slot.hint_fd = fd as u32;
    slot.hint_tid = pid_tgid as u32;
    if n == nr::RECVFROM && addrlen != 0 {
        slot.hint_klen = sock::udp_name_len(
            sk,
            slot.hint_family,
            reg(regs, PT_REGS_R10).unwrap_or(0),
            // No registers: no address buffer, so no known length.
            reg(regs, PT_REGS_R8).unwrap_or(0),
        );
        match read_user::<i32>(addrlen) {
            Some(v) => {
                slot.hint_len = v;
                slot.hint_len_ok = 1;
            }
            None => {
                slot.hint_len = 0;
                slot.hint_len_ok = 0;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// sendfile(out_fd, in_fd, loff_t *offset, count), splice(fd_in, off_in, fd_out, off_out, len,
// flags): at the syscall's exit.

#[tracepoint]
pub fn sys_exit_sendfile64(ctx: TracePointContext) -> u32 {
    let _ = on_exit(&ctx, EventId::Sendfile);
    0
}

#[tracepoint]
pub fn sys_exit_splice(ctx: TracePointContext) -> u32 {
    let _ = on_exit(&ctx, EventId::Splice);
    0
}

#[inline(always)]
fn on_exit(ctx: &TracePointContext, event: EventId) -> Option<()> {
    if !selected(event) {
        return None;
    }
    let slot = scoped()?;
    let task = current_task();
    let regs = regs_of(task);
    let a0 = reg(regs, PT_REGS_DI)?;
    let a1 = reg(regs, PT_REGS_SI)?;
    let a2 = reg(regs, PT_REGS_DX)?;
    let a3 = reg(regs, PT_REGS_R10)?;
    let splice = event == EventId::Splice;
    // The socket check first: nothing else is read for a call between two files or pipes.
    let other = if splice { a2 } else { a1 };
    if !is_socket(task, a0) && !is_socket(task, other) {
        return None;
    }
    let (a4, a5) = if splice {
        (reg(regs, PT_REGS_R8)?, reg(regs, PT_REGS_R9)?)
    } else {
        (0, 0)
    };
    let slot = begin(slot, task, event, [a0, a1, a2, a3, a4, a5], ret_of(ctx));
    sock::capture_arg(slot, 0);
    if splice {
        sock::capture_arg(slot, 2);
        if a1 != 0 {
            push_user(slot, seg::LOFF, 1, a1, 8);
        }
        if a3 != 0 {
            push_user(slot, seg::LOFF, 3, a3, 8);
        }
    } else {
        sock::capture_arg(slot, 1);
        if a2 != 0 {
            push_user(slot, seg::LOFF, 2, a2, 8);
        }
    }
    submit(slot);
    Some(())
}

// ---------------------------------------------------------------------------------------------
// -T: entry times.

#[inline(always)]
fn note_entry(event: EventId) {
    if dc!(timing) == 0 || !selected(event) || scoped().is_none() {
        return;
    }
    // SAFETY: helper without preconditions.
    let now = unsafe { bpf_ktime_get_ns() };
    let tid = bpf_get_current_pid_tgid() as u32;
    // In place when the thread has its entry (a lookup, no element allocation); inserted once.
    match DATA_ENTRY.get_ptr_mut(tid) {
        // SAFETY: map value of this thread only.
        Some(p) => unsafe { *p = now },
        None => {
            let _ = DATA_ENTRY.insert(tid, now, 0);
        }
    }
}

#[tracepoint]
pub fn sys_enter_read(_ctx: TracePointContext) -> u32 {
    note_entry(EventId::Read);
    0
}

#[tracepoint]
pub fn sys_enter_write(_ctx: TracePointContext) -> u32 {
    note_entry(EventId::Write);
    0
}

#[tracepoint]
pub fn sys_enter_readv(_ctx: TracePointContext) -> u32 {
    note_entry(EventId::Readv);
    0
}

#[tracepoint]
pub fn sys_enter_writev(_ctx: TracePointContext) -> u32 {
    note_entry(EventId::Writev);
    0
}

#[tracepoint]
pub fn sys_enter_sendfile64(_ctx: TracePointContext) -> u32 {
    note_entry(EventId::Sendfile);
    0
}

#[tracepoint]
pub fn sys_enter_splice(_ctx: TracePointContext) -> u32 {
    note_entry(EventId::Splice);
    0
}

#[tracepoint]
pub fn sys_enter_preadv2(_ctx: TracePointContext) -> u32 {
    note_entry(EventId::Preadv2);
    0
}

#[tracepoint]
pub fn sys_enter_pwritev2(_ctx: TracePointContext) -> u32 {
    note_entry(EventId::Pwritev2);
    0
}
