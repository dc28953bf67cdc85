//! Per-flow counters in the kernel, for `sockscope top` and `--summary flows`.
//!
//! Hooks: the ordinary tracepoints `sock:sock_send_length` and `sock:sock_recv_length`. The
//! kernel (net/socket.c, `sock_sendmsg_nosec` / `sock_recvmsg_nosec`) fires them after the
//! protocol's sendmsg/recvmsg ran, for every socket send or receive whatever the syscall
//! (send*, recv*, read/write, readv/writev, sendfile/splice, io_uring), once per message of
//! sendmmsg/recvmmsg, with the result (negative errno on failure) and, for receives, the
//! flags (MSG_PEEK included). They do not fire when the call fails before reaching the
//! protocol (bad descriptor, a fault copying the msghdr, an LSM refusal). Unlike syscall
//! tracepoints they do not put tasks on the syscall slow path: a process that does not use
//! sockets pays nothing.
//!
//! Per event: the scope check (as for the syscall programs), the socket's inode (2 reads), one
//! hash lookup, atomic adds. A new flow's endpoints are read from `struct sock` once (offsets
//! from BTF, `FLOW_OFFSETS`); an unconnected inet flow's are read again every
//! `REREAD_EVERY` calls until it has a peer (a UDP socket connected after its first sends).
//!
//! Two attachments of the same tracepoints, one program pair each: as raw tracepoints (the
//! default: the program gets the tracepoint's arguments `sk, ret, flags` directly and the
//! kernel builds no trace record) or as ordinary tracepoints (the record's fields, offsets from
//! tracefs). Both count the same events; the loader picks one.

use core::ffi::c_void;

use aya_ebpf::{
    bindings::{BPF_F_NO_PREALLOC, BPF_NOEXIST},
    helpers::{
        bpf_get_current_pid_tgid,
        generated::{self, bpf_ktime_get_ns, bpf_probe_read_kernel},
    },
    macros::{map, raw_tracepoint, tracepoint},
    maps::{HashMap, PerCpuArray},
    programs::{RawTracePointContext, TracePointContext},
};
use sockscope_common::{
    COMM_LEN, OFF_NONE, SPAN_MAX, SockOffsets, Span, UNIX_PATH_MAX,
    flows::{FLOW_VAL_SIZE, FlowConfig, FlowKey, FlowVal, MAX_FLOWS, fk},
};

/// Tracepoint record offsets, filled in by the loader.
#[unsafe(no_mangle)]
static FLOW_CONFIG: FlowConfig = FlowConfig {
    off_sk: 8,
    off_ret: 20,
    off_flags: 24,
    _pad: 0,
};

/// Struct offsets for the endpoints (resolved from BTF as for `-yy`, whatever `-y` is).
#[unsafe(no_mangle)]
static FLOW_OFFSETS: SockOffsets = SockOffsets::OFF;

#[map]
static FLOWS: HashMap<FlowKey, FlowVal> = HashMap::with_max_entries(MAX_FLOWS, BPF_F_NO_PREALLOC);

/// Where a new flow's value is built (too large for the BPF stack).
#[map]
static FLOW_SCRATCH: PerCpuArray<FlowVal> = PerCpuArray::with_max_entries(1, 0);

/// New flows not kept because `FLOWS` was full.
#[map]
static FLOW_LOST: PerCpuArray<u64> = PerCpuArray::with_max_entries(1, 0);

macro_rules! o {
    ($f:ident) => {
        // SAFETY: a read of our own static.
        unsafe { core::ptr::read_volatile(core::ptr::addr_of!(FLOW_OFFSETS.$f)) }
    };
}

use sockscope_common::net::{AF_INET, AF_INET6, AF_NETLINK, AF_UNIX};
const MSG_PEEK: i32 = 2;

use crate::capture::read_kernel as rd;

/// Reads `sp` of the structure at `base` into `buf`.
#[inline(always)]
fn span(buf: &mut [u8; SPAN_MAX as usize + 16], base: u64, sp: Span) -> Option<()> {
    let len = sp.len & (2 * SPAN_MAX - 1);
    if len == 0 || len > SPAN_MAX || base == 0 {
        return None;
    }
    // SAFETY: buf has room for SPAN_MAX bytes.
    let r = unsafe {
        bpf_probe_read_kernel(
            buf.as_mut_ptr().cast(),
            len,
            (base + sp.start as u64) as *const c_void,
        )
    };
    if r == 0 { Some(()) } else { None }
}

#[inline(always)]
fn get<T: Copy>(buf: &[u8; SPAN_MAX as usize + 16], rel: u32) -> T {
    // SAFETY: rel < SPAN_MAX and buf has SPAN_MAX + 16 bytes.
    unsafe {
        core::ptr::read_unaligned(
            buf.as_ptr()
                .add((rel & (SPAN_MAX - 1)) as usize)
                .cast::<T>(),
        )
    }
}

/// sk->sk_socket's inode number (0: none or unknown).
#[inline(always)]
fn socket_ino(sk: u64) -> u64 {
    let sk_socket: u32 = o!(sk_socket);
    let alloc_ino: u32 = o!(socket_alloc_ino);
    if sk_socket == OFF_NONE || alloc_ino == OFF_NONE {
        return 0;
    }
    match rd::<u64>(sk + sk_socket as u64) {
        Some(s) if s != 0 => rd::<u64>(s + alloc_ino as u64).unwrap_or(0),
        _ => 0,
    }
}

/// family, state, ports, addresses.
#[inline(always)]
fn read_common(v: &mut FlowVal, sk: u64) {
    let mut buf = [0u8; SPAN_MAX as usize + 16];
    if span(&mut buf, sk, o!(skc)).is_none() {
        return;
    }
    v.family = get(&buf, o!(skc_family_rel));
    v.state = get(&buf, o!(skc_state_rel));
    v.lport = get(&buf, o!(skc_num_rel));
    v.rport = u16::from_be(get(&buf, o!(skc_dport_rel)));
    if v.family == AF_INET6 {
        v.laddr = get(&buf, o!(skc_v6_rcv_saddr_rel));
        v.raddr = get(&buf, o!(skc_v6_daddr_rel));
    } else {
        let l: [u8; 4] = get(&buf, o!(skc_rcv_saddr_rel));
        let r: [u8; 4] = get(&buf, o!(skc_daddr_rel));
        v.laddr[..4].copy_from_slice(&l);
        v.raddr[..4].copy_from_slice(&r);
    }
    v.known |= fk::COMMON;
}

/// unix_address at `addr` into `path`; its len.
#[inline(always)]
fn unix_addr(addr: u64, path: &mut [u8; UNIX_PATH_MAX]) -> Option<u32> {
    let len_off: u32 = o!(unix_address_len);
    let path_off: u32 = o!(unix_address_path);
    if addr == 0 {
        return Some(0);
    }
    if len_off == OFF_NONE || path_off == OFF_NONE {
        return None;
    }
    let len: i32 = rd(addr + len_off as u64)?;
    let n = (len - 2).clamp(0, UNIX_PATH_MAX as i32) as u32;
    if n > 0 {
        // SAFETY: path has UNIX_PATH_MAX bytes; n <= UNIX_PATH_MAX.
        let r = unsafe {
            bpf_probe_read_kernel(
                path.as_mut_ptr().cast(),
                n & 0x7f,
                (addr + path_off as u64) as *const c_void,
            )
        };
        if r != 0 {
            return None;
        }
    }
    Some(len as u32)
}

/// Everything about a new flow's socket.
#[inline(always)]
fn read_endpoints(v: &mut FlowVal, sk: u64) {
    read_common(v, sk);
    let mut buf = [0u8; SPAN_MAX as usize + 16];
    if span(&mut buf, sk, o!(skp)).is_some() {
        v.protocol = get(&buf, o!(sk_protocol_rel));
        v.sk_type = get(&buf, o!(sk_type_rel));
        v.known |= fk::PROTO;
    }
    if v.family == AF_UNIX {
        if span(&mut buf, sk, o!(unix)).is_none() {
            return;
        }
        let addr: u64 = get(&buf, o!(unix_addr_rel));
        let peer: u64 = get(&buf, o!(unix_peer_rel));
        if let Some(len) = unix_addr(addr, &mut v.unix_path) {
            v.unix_len = len;
            v.known |= fk::UNIX_ADDR;
        }
        if peer == 0 {
            v.known |= fk::UNIX_PEER;
        } else {
            v.known |= fk::UNIX_HAS_PEER;
            v.peer_ino = socket_ino(peer);
            if span(&mut buf, peer, o!(unix)).is_some() {
                let paddr: u64 = get(&buf, o!(unix_addr_rel));
                if let Some(len) = unix_addr(paddr, &mut v.peer_path) {
                    v.peer_unix_len = len;
                    v.known |= fk::UNIX_PEER;
                }
            }
        }
    } else if v.family == AF_NETLINK {
        let off: u32 = o!(netlink_portid);
        if off != OFF_NONE
            && let Some(p) = rd::<u32>(sk + off as u64)
        {
            v.portid = p;
            v.known |= fk::NETLINK;
        }
    }
}

#[inline(always)]
fn add(field: &mut u64, n: u64) {
    // The BPF target has no compare-and-swap, so core's AtomicU64 offers no fetch_add; the
    // intrinsic compiles to the BPF atomic add instruction.
    // SAFETY: a u64 of a map value, 8-aligned; other CPUs update it concurrently.
    unsafe {
        core::intrinsics::atomic_xadd::<u64, u64, { core::intrinsics::AtomicOrdering::Relaxed }>(
            field as *mut u64,
            n,
        )
    };
}

#[inline(always)]
fn new_flow(key: &FlowKey, sk: u64, now: u64) -> Option<&'static mut FlowVal> {
    // SAFETY: per-CPU scratch value, this program's only.
    let s = unsafe { &mut *FLOW_SCRATCH.get_ptr_mut(0)? };
    let p = s as *mut FlowVal as *mut u64;
    // Volatile so that this does not become a memset call.
    for i in 0..FLOW_VAL_SIZE / 8 {
        // SAFETY: inside the value.
        unsafe { core::ptr::write_volatile(p.add(i), 0) };
    }
    s.first_ns = now;
    // SAFETY: comm has COMM_LEN bytes.
    unsafe { generated::bpf_get_current_comm(s.comm.as_mut_ptr().cast(), COMM_LEN as u32) };
    read_endpoints(s, sk);
    if FLOWS.insert(key, s, BPF_NOEXIST as u64).is_err() && FLOWS.get_ptr(key).is_none() {
        if let Some(c) = FLOW_LOST.get_ptr_mut(0) {
            // SAFETY: per-CPU value.
            unsafe { *c += 1 };
        }
        return None;
    }
    // SAFETY: map value; shared with other CPUs, updated with atomics.
    FLOWS.get_ptr_mut(key).map(|p| unsafe { &mut *p })
}

/// An unconnected inet flow's endpoints are read again when its call count is a multiple of
/// this (a power of two).
const REREAD_EVERY: u64 = 64;

#[inline(always)]
fn account(sk: u64, ret: i32, flags: i32, send: bool) -> Option<()> {
    let pid_tgid = bpf_get_current_pid_tgid();
    let tgid = (pid_tgid >> 32) as u32;
    let cfg = crate::scope::config();
    if !crate::scope::task_in_scope(pid_tgid, &cfg) {
        return None;
    }
    if sk == 0 {
        return None;
    }
    let key = FlowKey {
        tgid,
        _pad: 0,
        sk,
        ino: socket_ino(sk),
    };
    // SAFETY: helper without preconditions.
    let now = unsafe { bpf_ktime_get_ns() };
    let v = match FLOWS.get_ptr_mut(&key) {
        // SAFETY: map value; counters are updated with atomics.
        Some(p) => {
            let v = unsafe { &mut *p };
            if v.rport == 0
                && (v.family == AF_INET || v.family == AF_INET6)
                && (v.calls_sent + v.calls_recv) & (REREAD_EVERY - 1) == 0
            {
                read_common(v, sk);
            }
            v
        }
        None => new_flow(&key, sk, now)?,
    };
    if ret < 0 {
        add(&mut v.errors, 1);
    }
    if send {
        add(&mut v.calls_sent, 1);
        if ret > 0 {
            add(&mut v.bytes_sent, ret as u64);
        }
    } else {
        add(&mut v.calls_recv, 1);
        // A peek leaves the bytes queued: they are counted when they are read.
        if ret > 0 && flags & MSG_PEEK == 0 {
            add(&mut v.bytes_recv, ret as u64);
        }
    }
    v.last_ns = now;
    Some(())
}

/// The record fields of an ordinary tracepoint: sk, ret, flags.
#[inline(always)]
fn record_args(ctx: &TracePointContext) -> Option<(u64, i32, i32)> {
    // SAFETY: a read of our own static.
    let fc: FlowConfig = unsafe { core::ptr::read_volatile(&FLOW_CONFIG) };
    // SAFETY: offsets from the tracepoint's format file, inside its record.
    unsafe {
        Some((
            ctx.read_at::<u64>((fc.off_sk & 0xff) as usize).ok()?,
            ctx.read_at::<i32>((fc.off_ret & 0xff) as usize).ok()?,
            ctx.read_at::<i32>((fc.off_flags & 0xff) as usize).ok()?,
        ))
    }
}

#[tracepoint]
pub fn sock_send_length(ctx: TracePointContext) -> u32 {
    if let Some((sk, ret, flags)) = record_args(&ctx) {
        let _ = account(sk, ret, flags, true);
    }
    0
}

#[tracepoint]
pub fn sock_recv_length(ctx: TracePointContext) -> u32 {
    if let Some((sk, ret, flags)) = record_args(&ctx) {
        let _ = account(sk, ret, flags, false);
    }
    0
}

// TP_PROTO(struct sock *sk, int ret, int flags)

#[raw_tracepoint]
pub fn raw_sock_send_length(ctx: RawTracePointContext) -> u32 {
    let _ = account(
        ctx.arg::<u64>(0),
        ctx.arg::<i32>(1),
        ctx.arg::<i32>(2),
        true,
    );
    0
}

#[raw_tracepoint]
pub fn raw_sock_recv_length(ctx: RawTracePointContext) -> u32 {
    let _ = account(
        ctx.arg::<u64>(0),
        ctx.arg::<i32>(1),
        ctx.arg::<i32>(2),
        false,
    );
    0
}
