//! Process lifecycle: follow forks of traced processes, forget exited ones, free slots.

use aya_ebpf::{
    helpers::bpf_get_current_pid_tgid, macros::tracepoint, programs::TracePointContext,
};
use sockscope_common::{PID_FILTER_MAP, counter};

use crate::{
    maps::{INFLIGHT, PIDS},
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
