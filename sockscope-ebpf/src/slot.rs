//! The slot a call's record is built in: the thread's (INFLIGHT), taken at entry (`enter`) and
//! completed at exit with the result and the task identity (`exit`); or, for a record built
//! and sent within one program run, the CPU's (`scratch`; `exit_only` for exit-only capture).
//! Records are sent to the ring buffer by `submit`. Calls that were in progress at attach are
//! counted.

use core::ffi::c_void;

use aya_ebpf::{
    EbpfContext,
    bindings::{BPF_NOEXIST, BPF_RB_AVAIL_DATA, BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP},
    helpers::{
        bpf_get_current_pid_tgid, bpf_get_current_uid_gid,
        generated::{
            self, bpf_get_current_cgroup_id, bpf_get_current_task, bpf_get_smp_processor_id,
            bpf_ktime_get_ns, bpf_ringbuf_output,
        },
    },
    maps::RingBuf,
    programs::TracePointContext,
};
use sockscope_common::{
    COMM_LEN, Config, DATA_SIZE, EventId, ID_WAYS, IdWay, PT_REGS_DI, PT_REGS_DX, PT_REGS_ORIG_AX,
    PT_REGS_R8, PT_REGS_R9, PT_REGS_R10, PT_REGS_SI, RECORD_HEADER_SIZE, Slot, counter,
};

use crate::{
    capture::{current_task, read_kernel, reg, regs_of},
    maps::{EVENTS, GEN_CGROUP, GEN_TASK, ID_GEN, INFLIGHT, RENAMED, SCRATCH, TEMPLATE},
    scope::{bump, config, task_in_scope, task_in_scope_cached},
};

/// The syscall tracepoints' argument `i` (sys_enter_*: `args[i]` at offset 16 + 8 i).
#[inline(always)]
fn arg(ctx: &TracePointContext, i: usize) -> u64 {
    // SAFETY: the syscall enter tracepoint record holds 6 u64 arguments from offset 16.
    unsafe { *(ctx.as_ptr().cast::<u8>().add(16 + 8 * i).cast::<u64>()) }
}

/// sys_exit_*: `ret` at offset 16.
#[inline(always)]
pub(crate) fn ret_of(ctx: &TracePointContext) -> i64 {
    // SAFETY: the syscall exit tracepoint record holds the return value at offset 16.
    unsafe { *(ctx.as_ptr().cast::<u8>().add(16).cast::<i64>()) }
}

/// The calling thread's slot, created on its first traced call.
#[inline(always)]
pub(crate) fn slot_for(tid: u32) -> Option<&'static mut Slot> {
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

/// The CPU's slot, for a record built and sent within this program run (no state kept for a
/// later program of the same call, except a note the exit checks: see `exit_only`). An array
/// lookup where INFLIGHT's is a hash lookup: bpf_stats of the sendto loop, sys_exit_sendto
/// per run, 3 alternating runs each, same build otherwise: 950/1079/1071 ns with INFLIGHT,
/// 922/930/977 ns with this (on a loaded machine; /tmp/stats.sh in issue 12's note).
#[inline(always)]
pub(crate) fn scratch() -> Option<&'static mut Slot> {
    match SCRATCH.get_ptr_mut(0) {
        // SAFETY: this CPU's value; programs using it do not interleave on a CPU (maps.rs).
        Some(p) => Some(unsafe { &mut *p }),
        None => {
            bump(counter::LOST_NOSLOT);
            None
        }
    }
}

/// Common entry work: scope check, slot, the `nargs` raw arguments, entry time. (A program
/// may not read past its tracepoint's record, so only the call's own arguments are read.)
#[inline(always)]
pub(crate) fn enter(
    ctx: &TracePointContext,
    event: EventId,
    nargs: usize,
) -> Option<&'static mut Slot> {
    let pid_tgid = bpf_get_current_pid_tgid();
    let tid = pid_tgid as u32;
    let cfg = config();
    if !task_in_scope(pid_tgid, &cfg) {
        return None;
    }
    let slot = slot_for(tid)?;
    slot.active = 1;
    slot.cursor = 0;
    slot.notes = 0;
    slot.hint_sk = 0;
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
pub(crate) fn exit(ctx: &TracePointContext) -> Option<&'static mut Slot> {
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
    // SAFETY: helper without preconditions.
    h.duration_ns = unsafe { bpf_ktime_get_ns() }.wrapping_sub(h.ts_ns);
    finish(ctx, slot, pid_tgid, &cfg, current_task());
    Some(slot)
}

/// What every exit adds, with or without an entry program: the result (and `= ?` for a call
/// its killed process will never return from) and the task identity.
#[inline(always)]
fn finish(ctx: &TracePointContext, slot: &mut Slot, pid_tgid: u64, cfg: &Config, task: *const u8) {
    let h = &mut slot.header;
    h.ret = ret_of(ctx);
    // ERESTARTSYS..ERESTART_RESTARTBLOCK (512..=516) with SIGKILL pending: the process is
    // going away and the call will never return (strace: `= ?`).
    if (-516..=-512).contains(&h.ret) && killed(cfg) {
        h.flags |= sockscope_common::RF_KILLED;
    }
    identity(slot, pid_tgid, cfg, task);
}

/// The task identity in the header: cpu, tgid, tid, uid, gid on every call; comm, cgroup id
/// and ppid kept from the slot's previous call while they cannot have changed
/// (`Config::id_cache`, `Slot::id`). They are stale after a rename or an exit of any
/// thread (`ID_GEN[GEN_TASK]`: an exited task's address can come back as another task's);
/// read afresh, the name comes from RENAMED when the thread was renamed (the tracepoint fires
/// before the kernel copies the name), else from the task. The cgroup id is re-read when
/// `ID_GEN[GEN_CGROUP]` moved, the ppid when current->real_parent is another task
/// (re-parenting: one read per call instead of two). uid/gid are read at every call (setuid
/// must show at once), by direct loads (`uid_gid`).
///
/// When the slot's previous call was another task's, its identity goes to one of the slot's
/// ways and the current task's comes from one if it is there (`identity_switch`): tasks
/// taking turns on a CPU (a client and a server on loopback) would otherwise read everything
/// afresh at every call (bpf_stats of a ping-pong pinned to one CPU with the header alone:
/// sys_exit_sendto +150 ns per run). The same task as before pays nothing for the ways
/// (copying from a way on every call instead: ~+35 ns per run of the sendto loop).
#[inline(always)]
pub(crate) fn identity(slot: &mut Slot, pid_tgid: u64, cfg: &Config, task: *const u8) {
    // SAFETY: helper without preconditions. `task` is the current task as a BTF pointer
    // (`current_task`): its real_parent and cred are loaded from it directly, and its address
    // keys the identity cache.
    slot.header.cpu = unsafe { bpf_get_smp_processor_id() };
    let h = &mut slot.header;
    h.tgid = (pid_tgid >> 32) as u32;
    h.tid = pid_tgid as u32;
    (h.uid, h.gid) = uid_gid(task, cfg);
    // The counts before the values they guard: a change in between is seen at the next call.
    let task_gen = match ID_GEN.get(GEN_TASK) {
        Some(g) => *g,
        None => 0,
    };
    let cgroup_gen = match ID_GEN.get(GEN_CGROUP) {
        Some(g) => *g,
        None => 0,
    };
    let mut cached =
        cfg.id_cache != 0 && slot.id.task == task as u64 && slot.id.task_gen == task_gen;
    if !cached && cfg.id_cache != 0 {
        cached = identity_switch(slot, task as u64, task_gen);
    }
    let h = &mut slot.header;
    if !cached {
        // SAFETY: map value of COMM_LEN bytes.
        match unsafe { RENAMED.get(&h.tid) } {
            Some(c) => h.comm = *c,
            // Straight into the header: aya's wrapper zero-fills a stack copy first (memsets).
            // SAFETY: comm has COMM_LEN bytes.
            None => unsafe {
                generated::bpf_get_current_comm(h.comm.as_mut_ptr().cast(), COMM_LEN as u32);
            },
        }
    }
    let id = &mut slot.id;
    if !cached || id.cgroup_gen != cgroup_gen {
        // SAFETY: helper without preconditions.
        h.cgroup_id = unsafe { bpf_get_current_cgroup_id() };
        id.cgroup_gen = cgroup_gen;
    }
    let parent = real_parent(task, cfg);
    if !cached || id.parent != parent {
        h.ppid = tgid_of(parent, cfg);
        id.parent = parent;
    }
    id.task = task as u64;
    id.task_gen = task_gen;
}

/// The header's identity (another task's) into a way, and `task`'s from the way that holds it
/// into the header: whether it was there (the caller then checks only the cgroup count and the
/// parent). A subprogram: the same task as before, the common case, does not carry it.
#[inline(never)]
fn identity_switch(slot: &mut Slot, task: u64, task_gen: u64) -> bool {
    let mut found = ID_WAYS;
    for i in 0..ID_WAYS {
        let k = &slot.id_ways[i].key;
        if k.task == task && k.task_gen == task_gen {
            found = i;
            break;
        }
    }
    let i = if found < ID_WAYS {
        found
    } else {
        let n = slot.id_next as usize;
        slot.id_next = slot.id_next.wrapping_add(1);
        n
    } & (ID_WAYS - 1);
    let h = &mut slot.header;
    let out = IdWay {
        key: slot.id,
        cgroup_id: h.cgroup_id,
        ppid: h.ppid,
        _pad: 0,
        comm: h.comm,
    };
    let w = &mut slot.id_ways[i];
    if found < ID_WAYS {
        slot.id = w.key;
        h.cgroup_id = w.cgroup_id;
        h.ppid = w.ppid;
        h.comm = w.comm;
    }
    *w = out;
    found < ID_WAYS
}

/// Exit-only capture (`CONFIG.exit_only`): scope check, slot, the arguments from the task's
/// saved user registers, result and identity. The record's time is the exit's; duration 0.
/// The slot is the CPU's, except recvfrom's: the thread's, which holds the note of the
/// caller's `*addrlen` made inside the receive (data.rs `note`), which must not be lost if
/// the thread moves to another CPU before its exit (a lost note of the socket alone only
/// costs the walk from the descriptor).
#[inline(always)]
pub(crate) fn exit_only(ctx: &TracePointContext, event: EventId) -> Option<&'static mut Slot> {
    let pid_tgid = bpf_get_current_pid_tgid();
    let tid = pid_tgid as u32;
    let cfg = config();
    // The CPU's slot keeps the process filter's answer even when the record is built in
    // the thread's.
    let cpu_slot = scratch()?;
    if !task_in_scope_cached(cpu_slot, pid_tgid, &cfg) {
        return None;
    }
    // The arguments and the syscall number from the task's saved registers (direct loads).
    let task = current_task();
    let regs = regs_of(task);
    let mut r = [0u64; 7];
    for (i, off) in [
        PT_REGS_DI,
        PT_REGS_SI,
        PT_REGS_DX,
        PT_REGS_R10,
        PT_REGS_R8,
        PT_REGS_R9,
        PT_REGS_ORIG_AX,
    ]
    .into_iter()
    .enumerate()
    {
        r[i] = reg(regs, off)?;
    }
    let slot = if matches!(event, EventId::Recvfrom) {
        slot_for(tid)?
    } else {
        cpu_slot
    };
    // The one check of a note (data.rs `note`): it is this call's only if it was made for this
    // syscall, this descriptor and this thread. Its users (sock.rs, recvfrom) then only ask
    // `hint_sk != 0`.
    if slot.hint_nr as u64 != r[6] || slot.hint_fd != r[0] as u32 || slot.hint_tid != tid {
        slot.hint_sk = 0;
    }
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
    }
    h.duration_ns = 0;
    for i in 0..6 {
        h.args[i] = r[i];
    }
    finish(ctx, slot, pid_tgid, &cfg, task);
    Some(slot)
}

/// An exit without a traced entry, from a thread that is in scope: the call was already in
/// progress when the entry program was attached (or, rarely, its entry found no slot, which is
/// counted in LOST_NOSLOT too). Counted so that it never vanishes silently. A subprogram: the
/// exit programs' common path stays as it was.
#[inline(never)]
fn in_progress(pid_tgid: u64) {
    if task_in_scope(pid_tgid, &config()) {
        bump(counter::IN_PROGRESS);
    }
}

/// Whether SIGKILL is pending for the current thread (group exit, kill -9), from
/// current->pending.signal with the offset from the running kernel's BTF.
#[inline(always)]
fn killed(cfg: &Config) -> bool {
    if cfg.off_task_pending_signal == 0 {
        return false;
    }
    // SIGKILL is 9: bit 8 of the first word of the sigset.
    // SAFETY: helper without preconditions.
    let task = unsafe { bpf_get_current_task() };
    read_kernel::<u64>(task + cfg.off_task_pending_signal as u64)
        .is_some_and(|set| set & (1 << 8) != 0)
}

/// task->real_parent (`task`: the current task's BTF pointer), with the offset from the
/// running kernel's BTF (0 when unknown): loaded straight from the pointer (the offset is a
/// constant of the frozen configuration, so the verifier checks the field; a
/// bpf_probe_read_kernel cost ~25 ns more on every call: perf of the sendto loop).
#[inline(always)]
fn real_parent(task: *const u8, cfg: &Config) -> u64 {
    let off = cfg.off_task_real_parent;
    if off == 0 || cfg.off_task_tgid == 0 || task.is_null() {
        return 0;
    }
    // SAFETY: a BTF pointer to the current task; the JIT makes the load fault-safe.
    unsafe { core::ptr::read_volatile(task.add(off as usize).cast::<u64>()) }
}

/// The current thread's uid and gid, as bpf_get_current_uid_gid gives them (current->cred's
/// uid and gid in the initial namespace: their raw values), by two direct loads through
/// `task` (the current task as a BTF pointer) and its cred: the helper call cost ~30 ns per
/// call (bpf_stats of sys_exit_sendmsg with four more calls: +120 ns). Read at every call:
/// a setuid shows at once.
#[inline(always)]
fn uid_gid(task: *const u8, cfg: &Config) -> (u32, u32) {
    let (tc, cu, cg) = (cfg.off_task_cred, cfg.off_cred_uid, cfg.off_cred_gid);
    if tc != 0 && cu != 0 && cg != 0 && !task.is_null() {
        // SAFETY: BTF pointers (the current task, its cred); the verifier checks the fields
        // and the JIT makes the loads fault-safe.
        unsafe {
            let cred = core::ptr::read_volatile(task.add(tc as usize).cast::<*const u8>());
            if !cred.is_null() {
                return (
                    core::ptr::read_volatile(cred.add(cu as usize).cast::<u32>()),
                    core::ptr::read_volatile(cred.add(cg as usize).cast::<u32>()),
                );
            }
        }
    }
    let ug = bpf_get_current_uid_gid();
    (ug as u32, (ug >> 32) as u32)
}

/// The tgid of the task at `parent` (0 when unknown).
#[inline(always)]
fn tgid_of(parent: u64, cfg: &Config) -> u32 {
    if parent == 0 {
        return 0;
    }
    read_kernel::<u32>(parent + cfg.off_task_tgid as u64).unwrap_or(0)
}

/// Sends the slot as one record; a full ring buffer is counted, never silent.
#[inline(always)]
pub(crate) fn submit(slot: &mut Slot) {
    let cfg = config();
    let mut used = slot.cursor as u64;
    if used > DATA_SIZE as u64 {
        used = DATA_SIZE as u64;
    }
    slot.header.data_len = used as u32;
    let size = RECORD_HEADER_SIZE as u64 + used;
    // Wake the consumer once `wakeup_bytes` of backlog wait (`ring_wakeup`): only the record
    // that makes the backlog cross it wakes it (waking on every record above it would cost an
    // irq_work per call while the consumer is busy or pausing between batches).
    let flags = if cfg.wakeup_bytes == 0 {
        0
    } else if sockscope_common::ring_wakeup(
        EVENTS.query(BPF_RB_AVAIL_DATA as u64),
        size,
        cfg.wakeup_bytes as u64,
    ) {
        BPF_RB_FORCE_WAKEUP as u64
    } else {
        BPF_RB_NO_WAKEUP as u64
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

/// The calling thread's slot, for a step program (which runs in the same program invocation as
/// its entry or exit program, so the slot is this call's).
#[inline(always)]
pub(crate) fn current_slot() -> Option<&'static mut Slot> {
    let tid = bpf_get_current_pid_tgid() as u32;
    // SAFETY: map value, only this thread uses its own entry.
    INFLIGHT.get_ptr_mut(tid).map(|p| unsafe { &mut *p })
}
