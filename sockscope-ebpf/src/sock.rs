//! `-y` / `-yy`: what the call's descriptor is, read from the kernel at the call's entry (when
//! strace looks it up too), as one `seg::SOCK` segment holding a [`SockInfo`].
//!
//! current->files->fdt->fd[fd] → struct file → its inode (mode, number, device) and, for a
//! socket (S_IFSOCK), file->private_data = struct socket → type, sk → family, state, ports,
//! addresses, protocol; AF_UNIX: the bound address and the peer's inode; AF_NETLINK: the port
//! id. Offsets come from the running kernel's BTF through the `SOCK_OFFSETS` global; fields
//! that share a structure are read in one go (a span), so a UDP socket costs 8 reads, `-y`
//! alone 5. An unresolved offset skips its read, and the `known` bits say what was not read.
//! Without `-y`, `--json` or an endpoint filter (`SockOffsets::netlink_only`) the socket is
//! needed only to decode netlink buffers: the walk stops at the family (7 reads for UDP) and
//! the segment is written for AF_NETLINK sockets only.
//! Nothing here interprets more than needed to choose the next read.

use core::ffi::c_void;

use aya_ebpf::helpers::generated::{bpf_get_current_task, bpf_probe_read_kernel};
use sockscope_common::{
    CURSOR_LIMIT, CURSOR_MASK, OFF_NONE, SEG_HEADER_SIZE, SEG_OK, SOCK_INFO_SIZE, SPAN_MAX,
    SegHeader, Slot, SockInfo, SockOffsets, Span, UNIX_PATH_MAX, seg, seg_padded, sk,
};

/// Offsets and the capture level, filled in by the loader (see `SockOffsets`).
#[unsafe(no_mangle)]
static SOCK_OFFSETS: SockOffsets = SockOffsets::OFF;

/// A field of `SOCK_OFFSETS`, read so that the loader's value is used (not the initializer).
macro_rules! o {
    ($f:ident) => {
        // SAFETY: a read of our own static.
        unsafe { core::ptr::read_volatile(core::ptr::addr_of!(SOCK_OFFSETS.$f)) }
    };
}

use sockscope_common::net::{
    AF_INET, AF_INET6, AF_NETLINK, AF_UNIX, IPPROTO_UDP, IPPROTO_UDPLITE, MSG_ERRQUEUE, SOCK_DGRAM,
};
const S_IFMT: u16 = 0o170000;
const S_IFSOCK: u16 = 0o140000;
/// Bytes between the SockInfo and the scratch area where spans are read.
const INFO_PADDED: usize = (SOCK_INFO_SIZE + 7) & !7;

/// `v`, through a volatile stack copy: the compiler cannot drop the masking that produced it,
/// and the verifier keeps the spilled value's bounds.
#[inline(always)]
fn opaque(v: u32) -> u32 {
    let x = v;
    // SAFETY: a read of a local.
    unsafe { core::ptr::read_volatile(&x) }
}

use crate::capture::read_kernel as rd;

/// Reads `span` of the structure at `base` into `scratch`; None when unresolved or faulting.
#[inline(always)]
fn span(scratch: *mut u8, base: u64, sp: Span) -> Option<()> {
    let len = sp.len & (2 * SPAN_MAX - 1);
    if len == 0 || len > SPAN_MAX || base == 0 {
        return None;
    }
    // SAFETY: scratch has room for SPAN_MAX bytes (and more) inside the slot's data area.
    let r = unsafe {
        bpf_probe_read_kernel(
            scratch.cast(),
            len,
            (base + sp.start as u64) as *const c_void,
        )
    };
    if r == 0 { Some(()) } else { None }
}

/// The field at `rel` of the span last read into `scratch`.
#[inline(always)]
fn get<T: Copy>(scratch: *const u8, rel: u32) -> T {
    // SAFETY: rel < SPAN_MAX; scratch is followed by SPAN_MAX + 16 bytes of the data area.
    unsafe { core::ptr::read_unaligned(scratch.add((rel & (SPAN_MAX - 1)) as usize).cast::<T>()) }
}

/// The family of the socket `sk`, a BTF pointer (the socket tracepoints' argument): one direct
/// load, checked by the verifier against BTF (the offset is a constant of the frozen
/// SOCK_OFFSETS). 0 when its offset is unknown (the capture is off).
#[inline(always)]
pub fn family_of(sk: *const u8) -> u32 {
    let skc: Span = o!(skc);
    if skc.len == 0 || sk.is_null() {
        return 0;
    }
    let off = skc.start + o!(skc_family_rel);
    // SAFETY: see above; the JIT makes the load fault-safe.
    unsafe { core::ptr::read_volatile(sk.add(off as usize).cast::<u16>()) as u32 }
}

/// The address length a successful recvfrom(…, `flags`, `addr`, …) returns in `*addrlen` when
/// made on `sk` (a BTF pointer, of family `family`), if the protocol alone decides it: an
/// address buffer (`addr`; without one the kernel leaves `*addrlen` alone), not MSG_ERRQUEUE
/// (ip_recv_error leaves the length 0 for an error without a port: zerocopy and timestamp
/// notifications), and a UDP or UDP-Lite socket (AF_INET/AF_INET6, SOCK_DGRAM) whose receive
/// its protocol owns (no `sk_user_data`: a sockmap's psock can hand over data without an
/// address, length 0). udp_recvmsg / udpv6_recvmsg (and the IPv6 path-MTU receive) then set
/// it to sizeof(struct sockaddr_in) = 16 / sizeof(struct sockaddr_in6) = 28; the cgroup
/// recvmsg hooks may rewrite an inet address but not its length. 0: read the length at exit.
/// Saves the exit's read of `*addrlen` (a bpf_probe_read_user, ~150 ns on this VM: issue 12).
#[inline(always)]
pub fn udp_name_len(sk: *const u8, family: u32, flags: u64, addr: u64) -> u32 {
    if addr == 0 || flags & MSG_ERRQUEUE != 0 {
        return 0;
    }
    let len = match family as u16 {
        AF_INET => 16,
        AF_INET6 => 28,
        _ => return 0,
    };
    let skp: Span = o!(skp);
    let user_data = o!(sk_user_data);
    if skp.len == 0 || user_data == OFF_NONE || sk.is_null() {
        return 0;
    }
    let (ty_off, proto_off) = (skp.start + o!(sk_type_rel), skp.start + o!(sk_protocol_rel));
    // SAFETY: BTF pointer; constant offsets of the frozen SOCK_OFFSETS (verifier-checked
    // fields); the JIT makes the loads fault-safe.
    let (ty, proto, owner) = unsafe {
        (
            core::ptr::read_volatile(sk.add(ty_off as usize).cast::<u16>()),
            core::ptr::read_volatile(sk.add(proto_off as usize).cast::<u16>()),
            core::ptr::read_volatile(sk.add(user_data as usize).cast::<u64>()),
        )
    };
    if ty != SOCK_DGRAM || (proto != IPPROTO_UDP && proto != IPPROTO_UDPLITE) || owner != 0 {
        return 0;
    }
    len
}

/// Whether `capture` uses a noted socket's family instead of walking from the descriptor:
/// the capture is on and only netlink sockets need more (no -y/--json/endpoint filter).
#[inline(always)]
pub fn family_hint_used() -> bool {
    let level: u32 = o!(level);
    let netlink_only: u32 = o!(netlink_only);
    level != 0 && netlink_only != 0
}

/// sendto's [`capture`] at exit. When only netlink sockets matter (`family_hint_used`) and the
/// socket tracepoint left no note (data.rs `note` leaves none for this case), a call that
/// succeeded with a destination (`addrlen` > 0) was made on a netlink socket if and only if that
/// destination is AF_NETLINK: netlink_sendmsg refuses any other family, and a socket of
/// another family writes nothing in this mode. `family`: the destination's, from the segment
/// the exit captured it in (as the caller's memory holds it at exit, as the destination shown
/// is): no read at all instead of the note's program work and a read of the socket (or the
/// walk from the descriptor). None (not captured): the walk decides.
#[inline(always)]
pub fn capture_sendto(slot: &mut Slot, family: Option<u16>) {
    let [_, _, _, _, addr, addrlen] = slot.header.args;
    if sendto_family_from_destination(addr, addrlen, slot.header.ret) {
        // The call's own socket left no note: one here is a nested send's (a socket moving its
        // data through another), never this socket's.
        slot.hint_sk = 0;
        if let Some(family) = family
            && family != AF_NETLINK
        {
            return;
        }
    }
    capture(slot);
}

/// Whether [`capture_sendto`] can tell a netlink socket by sendto's destination (and the note is
/// not needed): the family hint is what is used, the call succeeded, it had a destination.
#[inline(always)]
pub fn sendto_family_from_destination(addr: u64, addrlen: u64, ret: i64) -> bool {
    family_hint_used() && ret >= 0 && addr != 0 && addrlen as i32 > 0
}

/// Appends the `seg::SOCK` segment for the call's descriptor (its first argument, already in
/// the header) when `-y` is on.
///
/// A BPF subprogram, not inlined: the callers' segment code then reloads the cursor after it,
/// as it does after any push. Inlined, LLVM merged this function's cursor checks with
/// push_user's and the verifier lost the cursor's bound on the merged paths.
#[inline(always)]
pub fn capture(slot: &mut Slot) {
    capture_arg(slot, 0);
}

/// As [`capture`], for the descriptor in argument `idx` (sendfile's in_fd, splice's fd_out);
/// the segment's `index` is `idx`.
#[inline(never)]
pub fn capture_arg(slot: &mut Slot, idx: u32) {
    let fd = slot.header.args[(idx & 3) as usize];
    let level: u32 = o!(level);
    if level == 0 {
        return;
    }
    let netlink_only: u32 = o!(netlink_only);
    // The socket noted during this call by the socket tracepoint (`Slot::hint_sk`, checked
    // against the call by whoever set or kept it): when only its family matters
    // (`family_hint_used`), the family it noted (`hint_family`) instead of the walk from the
    // descriptor. Used once.
    let hint = slot.hint_sk;
    slot.hint_sk = 0;
    if netlink_only != 0 && hint != 0 && idx == 0 && slot.hint_family != AF_NETLINK as u32 {
        return;
    }
    let cur = slot.cursor;
    if cur >= CURSOR_LIMIT {
        slot.header.flags |= sockscope_common::RF_SEGS_TRUNCATED;
        return;
    }
    let off = opaque(cur & CURSOR_MASK) as usize;
    let base = slot.data.as_mut_ptr();
    // SAFETY: off < CURSOR_LIMIT; DATA_SIZE leaves room for the header, the SockInfo and a
    // 2 × SPAN_MAX scratch area after it.
    let (sh, si, scratch) = unsafe {
        (
            base.add(off).cast::<SegHeader>(),
            base.add(off + SEG_HEADER_SIZE),
            base.add(off + SEG_HEADER_SIZE + INFO_PADDED),
        )
    };
    // Zero everything but the path (only unix_len - 2 bytes of it are ever used). Volatile so
    // that this does not become a memset call.
    for i in 0..(core::mem::offset_of!(SockInfo, unix_path) / 8) {
        // SAFETY: inside the SockInfo.
        unsafe { core::ptr::write_volatile(si.cast::<u64>().add(i), 0) };
    }
    // SAFETY: si points at SOCK_INFO_SIZE bytes of the data area, 8-aligned.
    let info = unsafe { &mut *si.cast::<SockInfo>() };
    info.netns = 0;
    let fd = fd as u32 as i32;
    info.fd = fd;
    fill(info, scratch, fd, level, netlink_only);
    if info.known & sk::COMMON != 0 && info.family == AF_NETLINK {
        slot.notes |= sockscope_common::SLOT_NETLINK;
    } else if netlink_only != 0 {
        // Only netlink buffers need the socket without -y/--json: no segment (the cursor is
        // not advanced, so what was written is overwritten by the next segment).
        return;
    }
    // Not a socket: its path too (path.rs).
    let file =
        info.known & (sk::INODE | sk::NO_FILE) == sk::INODE && info.mode & S_IFMT != S_IFSOCK;
    // SAFETY: sh points inside `data`, 8-aligned.
    unsafe {
        (*sh).kind = seg::SOCK;
        (*sh).status = SEG_OK;
        (*sh).index = (idx & 3) as u16;
        (*sh).len = SOCK_INFO_SIZE as u32;
        (*sh).addr = 0;
    }
    slot.cursor = off as u32 + SEG_HEADER_SIZE as u32 + seg_padded(SOCK_INFO_SIZE as u32);
    slot.header.nsegs += 1;
    if file {
        crate::path::capture(slot, idx);
    }
}

#[inline(always)]
fn fill(info: &mut SockInfo, scratch: *mut u8, fd: i32, level: u32, netlink_only: u32) {
    if walk(info, scratch, fd, level, netlink_only).is_none() {
        info.known |= sk::FAULT;
    }
}

/// The reads; None as soon as one that was possible failed. With `netlink_only`, no read past
/// the socket's family unless it is AF_NETLINK.
#[inline(always)]
fn walk(
    info: &mut SockInfo,
    scratch: *mut u8,
    fd: i32,
    level: u32,
    netlink_only: u32,
) -> Option<()> {
    let task_files: u32 = o!(task_files);
    let files_fdt: u32 = o!(files_fdt);
    let fdt_span: Span = o!(fdt);
    if task_files == OFF_NONE || files_fdt == OFF_NONE || fdt_span.len == 0 {
        return Some(());
    }
    // SAFETY: helper without preconditions.
    let task = unsafe { bpf_get_current_task() };
    let files: u64 = rd(task + task_files as u64)?;
    let fdt: u64 = rd(files + files_fdt as u64)?;
    span(scratch, fdt, fdt_span)?;
    let max_fds: u32 = get(scratch, o!(fdt_max_fds_rel));
    let fd_array: u64 = get(scratch, o!(fdt_fd_rel));
    info.known |= sk::LOOKED_UP;
    if fd < 0 || fd as u32 >= max_fds || fd_array == 0 {
        info.known |= sk::NO_FILE;
        return Some(());
    }
    let file: u64 = rd(fd_array + 8 * fd as u64)?;
    if file == 0 {
        info.known |= sk::NO_FILE;
        return Some(());
    }
    span(scratch, file, o!(file))?;
    let private_data: u64 = get(scratch, o!(file_private_data_rel));
    let inode: u64 = get(scratch, o!(file_inode_rel));
    span(scratch, inode, o!(inode))?;
    info.mode = get(scratch, o!(inode_mode_rel));
    info.ino = get(scratch, o!(inode_ino_rel));
    info.rdev = get(scratch, o!(inode_rdev_rel));
    info.known |= sk::INODE;
    if level < 2 || info.mode & S_IFMT != S_IFSOCK {
        return Some(());
    }

    // A socket: file->private_data is its struct socket.
    span(scratch, private_data, o!(socket))?;
    info.sock_type = get::<i16>(scratch, o!(socket_type_rel)) as u16;
    let sk: u64 = get(scratch, o!(socket_sk_rel));
    info.known |= sk::SOCKET;
    if sk == 0 {
        return Some(());
    }
    span(scratch, sk, o!(skc))?;
    info.family = get(scratch, o!(skc_family_rel));
    info.state = get(scratch, o!(skc_state_rel));
    info.num = get(scratch, o!(skc_num_rel));
    info.dport_be = get(scratch, o!(skc_dport_rel));
    info.rcv_saddr = get(scratch, o!(skc_rcv_saddr_rel));
    info.daddr = get(scratch, o!(skc_daddr_rel));
    info.v6_rcv_saddr = get(scratch, o!(skc_v6_rcv_saddr_rel));
    info.v6_daddr = get(scratch, o!(skc_v6_daddr_rel));
    info.known |= sk::COMMON;
    if netlink_only != 0 && info.family != AF_NETLINK {
        return Some(());
    }
    if span(scratch, sk, o!(skp)).is_some() {
        info.protocol = get(scratch, o!(sk_protocol_rel));
        info.sk_type = get(scratch, o!(sk_type_rel));
        info.known |= sk::PROTO;
    }
    if info.family == AF_UNIX {
        span(scratch, sk, o!(unix))?;
        let addr: u64 = get(scratch, o!(unix_addr_rel));
        let peer: u64 = get(scratch, o!(unix_peer_rel));
        let len_off: u32 = o!(unix_address_len);
        let path_off: u32 = o!(unix_address_path);
        if addr == 0 {
            info.known |= sk::UNIX_ADDR;
        } else if len_off != OFF_NONE && path_off != OFF_NONE {
            let len: i32 = rd(addr + len_off as u64)?;
            let n = (len - 2).clamp(0, UNIX_PATH_MAX as i32) as u32;
            if n > 0 {
                // SAFETY: unix_path has UNIX_PATH_MAX bytes; n <= UNIX_PATH_MAX.
                let r = unsafe {
                    bpf_probe_read_kernel(
                        info.unix_path.as_mut_ptr().cast(),
                        n & 0x7f,
                        (addr + path_off as u64) as *const c_void,
                    )
                };
                if r != 0 {
                    return None;
                }
            }
            info.unix_len = len as u32;
            info.known |= sk::UNIX_ADDR;
        }
        let sk_socket: u32 = o!(sk_socket);
        let alloc_ino: u32 = o!(socket_alloc_ino);
        if peer == 0 {
            info.known |= sk::UNIX_PEER;
        } else if sk_socket != OFF_NONE && alloc_ino != OFF_NONE {
            let psock: u64 = rd(peer + sk_socket as u64)?;
            if psock != 0 {
                info.peer_ino = rd(psock + alloc_ino as u64)?;
            }
            info.known |= sk::UNIX_PEER;
        }
    } else if info.family == AF_NETLINK {
        let portid_off: u32 = o!(netlink_portid);
        if portid_off != OFF_NONE {
            info.portid = rd(sk + portid_off as u64)?;
            info.known |= sk::NETLINK;
        }
        let net_off: u32 = o!(sk_net);
        let inum_off: u32 = o!(net_ns_inum);
        if net_off != OFF_NONE && inum_off != OFF_NONE {
            let net: u64 = rd(sk + net_off as u64)?;
            info.netns = rd(net + inum_off as u64)?;
            info.known |= sk::NETNS;
        }
    }
    Some(())
}
