//! Process lifecycle: follow forks of traced processes, forget exited ones, free slots, and
//! keep the slots' cached identity true (a rename, a move to another cgroup).

use aya_ebpf::{
    EbpfContext,
    helpers::{bpf_get_current_pid_tgid, generated::bpf_probe_read_kernel},
    macros::tracepoint,
    programs::TracePointContext,
};
use sockscope_common::{COMM_LEN, PID_FILTER_MAP, counter};

use crate::{
    maps::{GEN_CGROUP, GEN_PIDS, GEN_TASK, ID_GEN, INFLIGHT, PIDS, RENAMED},
    scope::{bump, config},
};

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
        } else {
            bump_gen(GEN_PIDS);
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
    if cfg.id_cache != 0 {
        let _ = RENAMED.remove(&tid);
        // A slot's cached identity is keyed by the task's address, which a new task can reuse.
        bump_gen(GEN_TASK);
    }
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
        if tid != tgid && PIDS.remove(tid).is_ok() {
            bump_gen(GEN_PIDS);
        }
        if group_dead && PIDS.remove(tgid).is_ok() {
            bump_gen(GEN_PIDS);
        }
    }
    0
}

/// task:task_rename (prctl(PR_SET_NAME), a write to /proc/<pid>/task/<tid>/comm as
/// pthread_setname_np does for another thread, exec): the new name kept in RENAMED and every
/// slot's cached name invalidated (`slot::identity`). Kept rather than only invalidated: the
/// tracepoint fires just before the kernel copies the name, so a thread renamed by another one
/// could otherwise read its old name again after this and keep it.
#[tracepoint]
pub fn task_rename(ctx: TracePointContext) -> u32 {
    let cfg = config();
    if cfg.id_cache == 0 {
        return 0;
    }
    let tid = tp_u32(&ctx, cfg.off_rename_pid);
    let mut comm = [0u8; COMM_LEN];
    // SAFETY: the tracepoint record holds COMM_LEN bytes of newcomm at its offset (from the
    // format file), read through the fault-tolerant helper into the stack buffer.
    let read = unsafe {
        bpf_probe_read_kernel(
            comm.as_mut_ptr().cast(),
            COMM_LEN as u32,
            ctx.as_ptr()
                .cast::<u8>()
                .add((cfg.off_rename_newcomm & 0xff) as usize)
                .cast(),
        )
    };
    if read == 0 {
        let _ = RENAMED.insert(&tid, &comm, 0);
    } else {
        // Unreadable: the next call reads the name from the task.
        let _ = RENAMED.remove(&tid);
    }
    bump_gen(GEN_TASK);
    0
}

/// cgroup:cgroup_attach_task (after a task, or a whole process, moved to another cgroup):
/// every slot's cached cgroup id is re-read at its next call.
#[tracepoint]
pub fn cgroup_attach_task(_ctx: TracePointContext) -> u32 {
    bump_gen(GEN_CGROUP);
    0
}

/// One more in `ID_GEN[i]`.
#[inline(always)]
fn bump_gen(i: u32) {
    if let Some(g) = ID_GEN.get_ptr_mut(i) {
        // The BPF target has no compare-and-swap (no AtomicU64::fetch_add); the intrinsic is
        // the BPF atomic add instruction.
        // SAFETY: a u64 of the map, 8-aligned; other CPUs may update it concurrently.
        unsafe {
            core::intrinsics::atomic_xadd::<u64, u64, { core::intrinsics::AtomicOrdering::Relaxed }>(
                g, 1,
            )
        };
    }
}
