//! sockscope's kernel side: one program pair (syscall entry / exit tracepoint) per traced call.
//!
//! At entry a program checks the scope (never sockscope itself, the process filter), takes the
//! thread's in-flight slot, stores the raw arguments and reads what the caller handed in (the
//! message, the destination address, the msghdr and its iovecs...). At exit it adds the result
//! and what the kernel filled in (received bytes, source address...) and copies the slot, header
//! plus the used part of the segment area, into the ring buffer as one record.
//!
//! Nothing here interprets the bytes: decoding is user space's job.
#![no_std]
#![no_main]
// flows.rs: atomic adds on map values (see `add`).
#![feature(core_intrinsics)]
#![allow(internal_features)]

use core::ffi::c_void;

mod data;
mod flows;
mod path;
mod sock;

use aya_ebpf::{
    EbpfContext,
    bindings::{
        BPF_F_NO_PREALLOC, BPF_NOEXIST, BPF_RB_AVAIL_DATA, BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP,
    },
    helpers::{
        bpf_get_current_comm, bpf_get_current_pid_tgid, bpf_get_current_uid_gid,
        generated::{
            self, bpf_get_current_cgroup_id, bpf_get_current_task, bpf_get_current_task_btf,
            bpf_get_smp_processor_id, bpf_ktime_get_ns, bpf_probe_read_kernel, bpf_probe_read_user,
            bpf_ringbuf_output, bpf_task_pt_regs,
        },
    },
    macros::{map, tracepoint},
    maps::{HashMap, LpmTrie, PerCpuArray, ProgramArray, RingBuf, lpm_trie::Key},
    programs::TracePointContext,
};
use sockscope_common::{
    COMM_LEN, COMM_MATCH_EXCLUDE, CURSOR_LIMIT, CURSOR_MASK, CommKey, Config, DATA_SIZE, EventId,
    MAX_CONTROL, MAX_IOV, MAX_MMSG, MAX_READ, MAX_SNAPLEN, PID_FILTER_MAP, RECORD_HEADER_SIZE,
    SEG_FAULT, SEG_HEADER_SIZE, SEG_NULL, SEG_OK, SEG_PARTIAL, SLOT_BUF_FAULTED, SLOT_NETLINK,
    SOCKADDR_MAX, STEP_RECVMMSG, STEP_SENDMMSG, SegHeader, Slot, counter, scope, seg, seg_padded,
};

/// Load-time configuration, filled in by the loader (see `Config`).
#[unsafe(no_mangle)]
static CONFIG: Config = Config {
    self_tgid: 0,
    snaplen: 32,
    pid_filter: 0,
    wakeup_bytes: 0,
    off_task_real_parent: 0,
    off_task_tgid: 0,
    follow_forks: 0,
    off_fork_parent_pid: 0,
    off_fork_child_pid: 0,
    off_exit_group_dead: 0,
    toctou: 1,
    exit_only: 0,
    scope: 0,
    off_task_pending_signal: 0,
    optmem_max: 131072,
};

#[map]
static EVENTS: RingBuf = RingBuf::with_byte_size(16 << 20, 0);

/// tid → the call in progress on that thread. Entries are made on a thread's first traced call,
/// reused for its later calls (no per-call copy) and removed when the thread exits.
#[map]
static INFLIGHT: HashMap<u32, Slot> = HashMap::with_max_entries(16384, BPF_F_NO_PREALLOC);

/// Source value for creating INFLIGHT entries (its content is overwritten at each entry).
#[map]
static TEMPLATE: PerCpuArray<Slot> = PerCpuArray::with_max_entries(1, 0);

/// The per-message steps of sendmmsg/recvmmsg (`STEP_*`), filled in by the loader.
#[map]
static MMSG_STEPS: ProgramArray = ProgramArray::with_max_entries(2, 0);

#[map]
static COUNTERS: PerCpuArray<u64> = PerCpuArray::with_max_entries(counter::COUNT, 0);

/// tgids to trace when `CONFIG.pid_filter == PID_FILTER_MAP` (with -f, their descendants are
/// added as they fork and removed when they exit).
#[map]
static PIDS: HashMap<u32, u8> = HashMap::with_max_entries(65536, 0);

/// `--tid`: thread ids to trace.
#[map]
static TIDS: HashMap<u32, u8> = HashMap::with_max_entries(4096, 0);

/// `--comm` / `--exclude-comm`: exact names and `NAME*` prefixes (see `CommKey`).
#[map]
static COMMS: LpmTrie<CommKey, u8> = LpmTrie::with_max_entries(1024, BPF_F_NO_PREALLOC);

/// `--uid`: user ids to trace.
#[map]
static UIDS: HashMap<u32, u8> = HashMap::with_max_entries(1024, 0);

/// `--cgroup`: cgroup v2 ids to trace.
#[map]
static CGROUPS: HashMap<u64, u8> = HashMap::with_max_entries(1024, 0);

/// The scope checks beyond the process filter; all configured ones must pass.
#[inline(always)]
fn in_scope(scope_bits: u32, tid: u32) -> bool {
    if scope_bits & scope::TIDS != 0 && TIDS.get_ptr(tid).is_none() {
        return false;
    }
    if scope_bits & (scope::COMM_INCLUDE | scope::COMM_EXCLUDE) != 0 {
        let comm = bpf_get_current_comm().unwrap_or([0; 16]);
        let key = Key::new((COMM_LEN * 8) as u32, comm);
        match COMMS.get(&key) {
            Some(&COMM_MATCH_EXCLUDE) => return false,
            Some(_) => {}
            None if scope_bits & scope::COMM_INCLUDE != 0 => return false,
            None => {}
        }
    }
    if scope_bits & scope::UIDS != 0 && UIDS.get_ptr(bpf_get_current_uid_gid() as u32).is_none() {
        return false;
    }
    // SAFETY: helper without preconditions.
    if scope_bits & scope::CGROUPS != 0
        && CGROUPS
            .get_ptr(unsafe { bpf_get_current_cgroup_id() })
            .is_none()
    {
        return false;
    }
    true
}

#[inline(always)]
fn config() -> Config {
    // SAFETY: a read of our own static; volatile so the loader's values are not constant-folded.
    unsafe { core::ptr::read_volatile(&CONFIG) }
}

#[inline(always)]
fn bump(idx: u32) {
    if let Some(c) = COUNTERS.get_ptr_mut(idx) {
        // SAFETY: per-CPU value, no concurrent writer on this CPU.
        unsafe { *c += 1 };
    }
}

/// The syscall tracepoints' argument `i` (sys_enter_*: `args[i]` at offset 16 + 8 i).
#[inline(always)]
fn arg(ctx: &TracePointContext, i: usize) -> u64 {
    // SAFETY: the syscall enter tracepoint record holds 6 u64 arguments from offset 16.
    unsafe { *(ctx.as_ptr().cast::<u8>().add(16 + 8 * i).cast::<u64>()) }
}

/// sys_exit_*: `ret` at offset 16.
#[inline(always)]
fn ret_of(ctx: &TracePointContext) -> i64 {
    // SAFETY: the syscall exit tracepoint record holds the return value at offset 16.
    unsafe { *(ctx.as_ptr().cast::<u8>().add(16).cast::<i64>()) }
}

#[inline(always)]
fn min(a: u64, b: u64) -> u64 {
    if a < b { a } else { b }
}

/// Reads a plain value from user memory into the stack; None when it faults.
#[inline(always)]
fn read_user<T: Copy>(src: u64) -> Option<T> {
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
struct UserMsghdr {
    name: u64,
    namelen: i32,
    _pad: u32,
    iov: u64,
    iovlen: u64,
    control: u64,
    controllen: u64,
    flags: u32,
    _pad2: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Iovec {
    base: u64,
    len: u64,
}

const MSGHDR_SIZE: u64 = core::mem::size_of::<UserMsghdr>() as u64;
const MMSGHDR_SIZE: u64 = 64;

/// Appends a segment holding up to `want` bytes of user memory at `src` (at most MAX_SNAPLEN).
/// A NULL `src` or a faulting read is recorded as such. Returns the bytes captured.
#[inline(always)]
fn push_user(slot: &mut Slot, kind: u8, index: u16, src: u64, want: u64) -> u64 {
    let cur = slot.cursor;
    if cur >= CURSOR_LIMIT {
        slot.header.flags |= sockscope_common::RF_SEGS_TRUNCATED;
        return 0;
    }
    let off = (cur & CURSOR_MASK) as usize;
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
        // SAFETY: dst has room for n bytes (see above).
        let r = unsafe { bpf_probe_read_user(dst.cast(), n, src as *const c_void) };
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

/// Bytes captured of each buffer: `-s` + 1, or MAX_SNAPLEN on a netlink socket (SLOT_NETLINK).
#[inline(always)]
fn snaplen_of(slot: &Slot) -> u64 {
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
fn push_more(slot: &mut Slot, kind: u8, index: u16, base: u64, len: u64) {
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
fn push_more_iov(slot: &mut Slot, iov_ptr: u64, total: u64) {
    if slot.notes & SLOT_NETLINK == 0 || iov_ptr == 0 {
        return;
    }
    if let Some(iov) = read_user::<Iovec>(iov_ptr) {
        push_more(slot, seg::IOV_DATA_MORE, 0, iov.base, min(iov.len, total));
    }
}

/// The calling thread's slot, created on its first traced call.
#[inline(always)]
fn slot_for(tid: u32) -> Option<&'static mut Slot> {
    if let Some(p) = INFLIGHT.get_ptr_mut(tid) {
        // SAFETY: map value, only this thread uses its own entry.
        return Some(unsafe { &mut *p });
    }
    let tmpl = TEMPLATE.get_ptr(0)?;
    // SAFETY: per-CPU map value used only as the source of the copy.
    if INFLIGHT
        .insert(tid, unsafe { &*tmpl }, BPF_NOEXIST as u64)
        .is_err()
    {
        bump(counter::LOST_NOSLOT);
        return None;
    }
    // SAFETY: as above.
    INFLIGHT.get_ptr_mut(tid).map(|p| unsafe { &mut *p })
}

/// Common entry work: scope check, slot, the `nargs` raw arguments, entry time. (A program
/// may not read past its tracepoint's record, so only the call's own arguments are read.)
#[inline(always)]
fn enter(ctx: &TracePointContext, event: EventId, nargs: usize) -> Option<&'static mut Slot> {
    let pid_tgid = bpf_get_current_pid_tgid();
    let tgid = (pid_tgid >> 32) as u32;
    let tid = pid_tgid as u32;
    let cfg = config();
    if tgid == cfg.self_tgid {
        return None;
    }
    if cfg.pid_filter == PID_FILTER_MAP && PIDS.get_ptr(tgid).is_none() {
        return None;
    }
    if cfg.scope != 0 && !in_scope(cfg.scope, tid) {
        return None;
    }
    let slot = slot_for(tid)?;
    slot.active = 1;
    slot.cursor = 0;
    slot.notes = 0;
    let h = &mut slot.header;
    h.event = event as u16;
    h.flags = 0;
    h.nsegs = 0;
    h.data_len = 0;
    // SAFETY: helper without preconditions.
    h.ts_ns = unsafe { bpf_ktime_get_ns() };
    // Element by element: a whole-array assignment would compile to a memset subprogram call.
    for i in 0..6 {
        h.args[i] = if i < nargs { arg(ctx, i) } else { 0 };
    }
    Some(slot)
}

/// Common exit work: the slot of this thread's traced entry, result, identity.
#[inline(always)]
fn exit(ctx: &TracePointContext) -> Option<&'static mut Slot> {
    let pid_tgid = bpf_get_current_pid_tgid();
    let tid = pid_tgid as u32;
    // SAFETY: map value, only this thread uses its own entry.
    let Some(slot) = INFLIGHT.get_ptr_mut(tid) else {
        in_progress(pid_tgid);
        return None;
    };
    // SAFETY: as above.
    let slot = unsafe { &mut *slot };
    if slot.active == 0 {
        in_progress(pid_tgid);
        return None;
    }
    slot.active = 0;
    let cfg = config();
    let h = &mut slot.header;
    // SAFETY: helpers without preconditions.
    unsafe {
        h.duration_ns = bpf_ktime_get_ns().wrapping_sub(h.ts_ns);
        h.cpu = bpf_get_smp_processor_id();
        h.cgroup_id = bpf_get_current_cgroup_id();
    }
    h.ret = ret_of(ctx);
    // ERESTARTSYS..ERESTART_RESTARTBLOCK (512..=516) with SIGKILL pending: the process is
    // going away and the call will never return (strace: `= ?`).
    if (-516..=-512).contains(&h.ret) && killed(&cfg) {
        h.flags |= sockscope_common::RF_KILLED;
    }
    h.tgid = (pid_tgid >> 32) as u32;
    h.tid = tid;
    let ug = bpf_get_current_uid_gid();
    h.uid = ug as u32;
    h.gid = (ug >> 32) as u32;
    // Straight into the header: aya's wrapper zero-fills a stack copy first (memset calls).
    // SAFETY: comm has COMM_LEN bytes.
    unsafe { generated::bpf_get_current_comm(h.comm.as_mut_ptr().cast(), COMM_LEN as u32) };
    h.ppid = parent_tgid(&cfg);
    Some(slot)
}

/// Exit-only capture (`CONFIG.exit_only`): scope check, slot, the arguments from the task's
/// saved user registers, result and identity. The record's time is the exit's; duration 0.
#[inline(always)]
fn exit_only(ctx: &TracePointContext, event: EventId) -> Option<&'static mut Slot> {
    let pid_tgid = bpf_get_current_pid_tgid();
    let tgid = (pid_tgid >> 32) as u32;
    let tid = pid_tgid as u32;
    let cfg = config();
    if tgid == cfg.self_tgid {
        return None;
    }
    if cfg.pid_filter == PID_FILTER_MAP && PIDS.get_ptr(tgid).is_none() {
        return None;
    }
    if cfg.scope != 0 && !in_scope(cfg.scope, tid) {
        return None;
    }
    // r10, r9, r8, ax, cx, dx, si, di: one read of the 64 bytes.
    let mut r = [0u64; 8];
    // SAFETY: helpers allowed in tracepoint programs; the kernel read faults softly.
    let ok = unsafe {
        let regs = bpf_task_pt_regs(bpf_get_current_task_btf()) as u64;
        regs != 0
            && bpf_probe_read_kernel(
                r.as_mut_ptr().cast(),
                64,
                (regs + sockscope_common::PT_REGS_R10 as u64) as *const c_void,
            ) == 0
    };
    if !ok {
        // Never seen to happen; counted with the calls lost for want of a slot.
        bump(counter::LOST_NOSLOT);
        return None;
    }
    let slot = slot_for(tid)?;
    slot.active = 0;
    slot.cursor = 0;
    slot.notes = 0;
    let h = &mut slot.header;
    h.event = event as u16;
    h.flags = 0;
    h.nsegs = 0;
    h.data_len = 0;
    // SAFETY: helpers without preconditions.
    unsafe {
        h.ts_ns = bpf_ktime_get_ns();
        h.cpu = bpf_get_smp_processor_id();
        h.cgroup_id = bpf_get_current_cgroup_id();
    }
    h.duration_ns = 0;
    h.args[0] = r[7];
    h.args[1] = r[6];
    h.args[2] = r[5];
    h.args[3] = r[0];
    h.args[4] = r[2];
    h.args[5] = r[1];
    h.ret = ret_of(ctx);
    if (-516..=-512).contains(&h.ret) && killed(&cfg) {
        h.flags |= sockscope_common::RF_KILLED;
    }
    h.tgid = tgid;
    h.tid = tid;
    let ug = bpf_get_current_uid_gid();
    h.uid = ug as u32;
    h.gid = (ug >> 32) as u32;
    // SAFETY: comm has COMM_LEN bytes.
    unsafe { generated::bpf_get_current_comm(h.comm.as_mut_ptr().cast(), COMM_LEN as u32) };
    h.ppid = parent_tgid(&cfg);
    Some(slot)
}

/// An exit without a traced entry, from a thread that is in scope: the call was already in
/// progress when the entry program was attached (or, rarely, its entry found no slot, which is
/// counted in LOST_NOSLOT too). Counted so that it never vanishes silently. A subprogram: the
/// exit programs' common path stays as it was.
#[inline(never)]
fn in_progress(pid_tgid: u64) {
    let tgid = (pid_tgid >> 32) as u32;
    let cfg = config();
    if tgid == cfg.self_tgid {
        return;
    }
    if cfg.pid_filter == PID_FILTER_MAP && PIDS.get_ptr(tgid).is_none() {
        return;
    }
    if cfg.scope != 0 && !in_scope(cfg.scope, pid_tgid as u32) {
        return;
    }
    bump(counter::IN_PROGRESS);
}

/// Whether SIGKILL is pending for the current thread (group exit, kill -9), from
/// current->pending.signal with the offset from the running kernel's BTF.
#[inline(always)]
fn killed(cfg: &Config) -> bool {
    if cfg.off_task_pending_signal == 0 {
        return false;
    }
    let mut set: u64 = 0;
    // SAFETY: kernel read through the fault-tolerant helper.
    let r = unsafe {
        bpf_probe_read_kernel(
            (&mut set as *mut u64).cast(),
            8,
            (bpf_get_current_task() + cfg.off_task_pending_signal as u64) as *const c_void,
        )
    };
    // SIGKILL is 9: bit 8 of the first word of the sigset.
    r == 0 && set & (1 << 8) != 0
}

/// current->real_parent->tgid, with offsets from the running kernel's BTF (0 when unknown).
#[inline(always)]
fn parent_tgid(cfg: &Config) -> u32 {
    if cfg.off_task_real_parent == 0 || cfg.off_task_tgid == 0 {
        return 0;
    }
    // SAFETY: kernel reads through the fault-tolerant helper.
    unsafe {
        let task = bpf_get_current_task();
        let mut parent: u64 = 0;
        if bpf_probe_read_kernel(
            (&mut parent as *mut u64).cast(),
            8,
            (task + cfg.off_task_real_parent as u64) as *const c_void,
        ) != 0
        {
            return 0;
        }
        let mut tgid: u32 = 0;
        if bpf_probe_read_kernel(
            (&mut tgid as *mut u32).cast(),
            4,
            (parent + cfg.off_task_tgid as u64) as *const c_void,
        ) != 0
        {
            return 0;
        }
        tgid
    }
}

/// Sends the slot as one record; a full ring buffer is counted, never silent.
#[inline(always)]
fn submit(slot: &mut Slot) {
    let cfg = config();
    let mut used = slot.cursor as u64;
    if used > DATA_SIZE as u64 {
        used = DATA_SIZE as u64;
    }
    slot.header.data_len = used as u32;
    let size = RECORD_HEADER_SIZE as u64 + used;
    // Wake the consumer once per `wakeup_bytes` of backlog: only the record that makes the
    // backlog cross the threshold wakes it (waking on every record above it would cost an
    // irq_work per call while the consumer is busy or pausing between batches).
    let flags = if cfg.wakeup_bytes == 0 {
        0
    } else {
        let before = EVENTS.query(BPF_RB_AVAIL_DATA as u64);
        let t = cfg.wakeup_bytes as u64;
        if before < t && before + size >= t {
            BPF_RB_FORCE_WAKEUP as u64
        } else {
            BPF_RB_NO_WAKEUP as u64
        }
    };
    // SAFETY: header and data are contiguous in the repr(C) slot; size <= their total size.
    let r = unsafe {
        bpf_ringbuf_output(
            (&EVENTS as *const RingBuf).cast_mut().cast(),
            &mut slot.header as *mut _ as *mut c_void,
            size,
            flags,
        )
    };
    bump(if r < 0 {
        counter::LOST_RINGBUF
    } else {
        counter::SENT
    });
}

#[inline(always)]
fn positive_len(v: u64) -> u64 {
    // addrlen/namelen are ints: a negative one captures nothing.
    let v = v as i32;
    if v > 0 { v as u64 } else { 0 }
}

/// The memory a msghdr points to: the name (at most a sockaddr_storage, its namelen as the
/// caller gave it or the kernel updated it), the iovec array and each iovec's bytes up to
/// `snaplen` and to what is left of `total` (a receive's byte count; u64::MAX for a send), the
/// control buffer. `index` numbers the message within an mmsghdr vector.
#[inline(always)]
fn capture_msg<const MAXIOV: u64>(
    slot: &mut Slot,
    snaplen: u64,
    m: &UserMsghdr,
    index: u16,
    total: u64,
) {
    if m.name != 0 {
        push_user(
            slot,
            seg::ADDR,
            index,
            m.name,
            min(positive_len(m.namelen as u64), SOCKADDR_MAX as u64),
        );
    }
    capture_iov::<MAXIOV>(slot, snaplen, m, index, total);
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

/// The iovec array and, from each iovec, its bytes up to `snaplen` and to what is left of
/// `total` (the byte count a receive returned; u64::MAX for a send).
#[inline(always)]
fn capture_iov<const MAXIOV: u64>(
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
    push_user(slot, seg::IOV, index, m.iov, niov * 16);
    let mut left = total;
    for i in 0..MAXIOV {
        if i >= niov || left == 0 {
            break;
        }
        let Some(iov) = read_user::<Iovec>(m.iov + i * 16) else {
            break;
        };
        let n = min(iov.len, left);
        // A send (total = u64::MAX) has no byte budget, as strace: a huge iov_len must not
        // leave the later iovecs uncaptured.
        if total != u64::MAX {
            left -= n;
        }
        push_user(
            slot,
            seg::IOV_DATA,
            ((index as u64) << 8 | i) as u16,
            iov.base,
            min(n, snaplen),
        );
    }
}

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
/// entry program reads, at the exit; the bytes are the caller's until it changes them).
#[inline(always)]
fn sendto_at_exit(ctx: &TracePointContext) {
    let Some(slot) = exit_only(ctx, EventId::Sendto) else {
        return;
    };
    sock::capture(slot);
    let snaplen = snaplen_of(slot);
    let [_, buf, len, _, addr, addrlen] = slot.header.args;
    let got = push_user(slot, seg::BUF, 0, buf, min(len, snaplen));
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
        push_user(slot, seg::ADDRLEN_IN, 0, addrlen_ptr, 4);
        slot.header._pad = positive_len(read_user::<i32>(addrlen_ptr).unwrap_or(0) as u64) as u32;
    }
    0
}

#[tracepoint]
pub fn sys_exit_recvfrom(ctx: TracePointContext) -> u32 {
    let Some(slot) = exit(&ctx) else { return 0 };
    let snaplen = snaplen_of(slot);
    let ret = slot.header.ret;
    let [_, buf, len, _, addr, addrlen_ptr] = slot.header.args;
    if ret >= 0 {
        let got = push_user(slot, seg::BUF, 0, buf, min(min(ret as u64, len), snaplen));
        if addrlen_ptr != 0 {
            push_user(slot, seg::ADDRLEN_OUT, 0, addrlen_ptr, 4);
            if addr != 0 {
                let out = read_user::<i32>(addrlen_ptr).unwrap_or(0) as u64;
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
    0
}

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
    push_user(slot, seg::MSGHDR, 0, msg, MSGHDR_SIZE);
    if let Some(m) = read_user::<UserMsghdr>(msg) {
        capture_msg::<{ MAX_IOV as u64 }>(slot, snaplen, &m, 0, u64::MAX);
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
    push_user(slot, seg::MSGHDR, 0, msg, MSGHDR_SIZE);
    if let Some(m) = read_user::<UserMsghdr>(msg) {
        capture_msg::<{ MAX_IOV as u64 }>(slot, snaplen, &m, 0, u64::MAX);
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
    push_user(slot, seg::MSGHDR, 0, msg, MSGHDR_SIZE);
    // The caller's msg_namelen, for the exit (see sys_enter_recvfrom).
    slot.header._pad = match read_user::<UserMsghdr>(msg) {
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
        push_user(slot, seg::MSGHDR_EXIT, 0, msg, MSGHDR_SIZE);
        if let Some(mut m) = read_user::<UserMsghdr>(msg) {
            // At most the name bytes the caller's buffer holds (strace: min(given, returned)).
            m.namelen = min(positive_len(m.namelen as u64), slot.header._pad as u64) as i32;
            // Before capture_msg: after it, the call made the program too complex for the
            // verifier. (A control buffer then may not fit; netlink replies rarely have one.)
            if m.iovlen != 0 {
                push_more_iov(slot, m.iov, ret as u64);
            }
            capture_msg::<{ MAX_IOV as u64 }>(slot, snaplen, &m, 0, ret as u64);
        }
    }
    submit(slot);
    0
}

// ---------------------------------------------------------------------------------------------
// sendmmsg(int fd, struct mmsghdr *msgvec, unsigned vlen, unsigned flags)

// Each message of the vector is captured by one run of a step program that tail-calls itself
// for the next one: the verifier checks one message's code once, instead of every path through
// nested message × iovec loops, and a vector of MAX_MMSG messages fits the tail-call limit.

/// The calling thread's slot, for a step program (which runs in the same program invocation as
/// its entry or exit program, so the slot is this call's).
#[inline(always)]
fn current_slot() -> Option<&'static mut Slot> {
    let tid = bpf_get_current_pid_tgid() as u32;
    // SAFETY: map value, only this thread uses its own entry.
    INFLIGHT.get_ptr_mut(tid).map(|p| unsafe { &mut *p })
}

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

#[tracepoint]
pub fn sys_exit_sendmmsg(ctx: TracePointContext) -> u32 {
    let Some(slot) = exit(&ctx) else { return 0 };
    let ret = slot.header.ret;
    let vec = slot.header.args[1];
    if ret > 0 {
        push_user(
            slot,
            seg::MMSGHDR_EXIT,
            0,
            vec,
            min(ret as u64, MAX_MMSG as u64) * MMSGHDR_SIZE,
        );
    }
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
    let ret = slot.header.ret;
    let vec = slot.header.args[1];
    if ret > 0 {
        push_user(
            slot,
            seg::MMSGHDR_EXIT,
            0,
            vec,
            min(ret as u64, MAX_MMSG as u64) * MMSGHDR_SIZE,
        );
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

// ---------------------------------------------------------------------------------------------
// Process lifecycle: follow forks of traced processes, forget exited ones, free slots.

#[inline(always)]
fn tp_u32(ctx: &TracePointContext, off: u32) -> u32 {
    // SAFETY: offsets come from the tracepoint's format file (fields inside the record); a
    // variable-offset context access must go through the probe-read helper.
    unsafe { ctx.read_at::<u32>((off & 0xff) as usize).unwrap_or(0) }
}

#[tracepoint]
pub fn sched_process_fork(ctx: TracePointContext) -> u32 {
    let cfg = config();
    if cfg.pid_filter != PID_FILTER_MAP || cfg.follow_forks == 0 || cfg.off_fork_child_pid == 0 {
        return 0;
    }
    let parent = tp_u32(&ctx, cfg.off_fork_parent_pid);
    // Threads share the tgid of their process, which is what is looked up; a new process is
    // traced when its parent's tgid is.
    let tgid = (bpf_get_current_pid_tgid() >> 32) as u32;
    if PIDS.get_ptr(tgid).is_some() || PIDS.get_ptr(parent).is_some() {
        let child = tp_u32(&ctx, cfg.off_fork_child_pid);
        if PIDS.insert(child, 1u8, 0).is_err() {
            bump(counter::LOST_PIDS_FULL);
        }
    }
    0
}

#[tracepoint]
pub fn sched_process_exit(ctx: TracePointContext) -> u32 {
    let pid_tgid = bpf_get_current_pid_tgid();
    let tid = pid_tgid as u32;
    let _ = INFLIGHT.remove(tid);
    let cfg = config();
    if cfg.pid_filter == PID_FILTER_MAP {
        let tgid = (pid_tgid >> 32) as u32;
        let group_dead = if cfg.off_exit_group_dead != 0 {
            // SAFETY: offset from the tracepoint's format file.
            unsafe {
                ctx.read_at::<u8>((cfg.off_exit_group_dead & 0xff) as usize)
                    .unwrap_or(0)
                    != 0
            }
        } else {
            tid == tgid
        };
        if tid != tgid {
            let _ = PIDS.remove(tid);
        }
        if group_dead {
            let _ = PIDS.remove(tgid);
        }
    }
    0
}

#[cfg(not(test))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(link_section = "license")]
#[unsafe(no_mangle)]
static LICENSE: [u8; 4] = *b"GPL\0";
