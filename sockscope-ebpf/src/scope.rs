//! Who is traced: the load-time configuration, the scope checks beyond the process filter, and
//! the counters of what was lost or sent.

use aya_ebpf::{
    helpers::{
        bpf_get_current_comm, bpf_get_current_uid_gid, generated::bpf_get_current_cgroup_id,
    },
    maps::lpm_trie::Key,
};
use sockscope_common::{COMM_LEN, COMM_MATCH_EXCLUDE, Config, PID_FILTER_MAP, Slot, scope};

use crate::maps::{CGROUPS, COMMS, COUNTERS, GEN_PIDS, ID_GEN, PIDS, TIDS, UIDS};

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
    id_cache: 0,
    off_rename_pid: 0,
    off_rename_newcomm: 0,
    off_task_cred: 0,
    off_cred_uid: 0,
    off_cred_gid: 0,
};

/// The scope checks beyond the process filter; all configured ones must pass.
#[inline(always)]
pub(crate) fn in_scope(scope_bits: u32, tid: u32) -> bool {
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

/// The loader's configuration. Only the fields a program uses are loaded, where it uses them:
/// the static's address goes through a volatile read so that LLVM cannot fold the initializer's
/// values (the loader's replace them), while the fields themselves are ordinary loads. (A
/// volatile read of the whole struct loaded all 18 fields at every call: ~20 dead loads each.)
#[inline(always)]
pub(crate) fn config() -> &'static Config {
    let p: *const Config = &CONFIG;
    // SAFETY: a read of a local; the pointer is our own static's address.
    unsafe { &*core::ptr::read_volatile(&p) }
}

#[inline(always)]
pub(crate) fn bump(idx: u32) {
    if let Some(c) = COUNTERS.get_ptr_mut(idx) {
        // SAFETY: per-CPU value, no concurrent writer on this CPU.
        unsafe { *c += 1 };
    }
}

/// Whether the current task (`pid_tgid`) is traced: never sockscope itself, then the `-p`/`-f`
/// pid map, then the tid/comm/uid/cgroup scope. The first check of every program, before any
/// read.
#[inline(always)]
pub(crate) fn task_in_scope(pid_tgid: u64, cfg: &Config) -> bool {
    scope_check(pid_tgid, cfg, |tgid| PIDS.get_ptr(tgid).is_some())
}

/// [`task_in_scope`] for a program that has its slot before the check (the CPU's): the
/// process filter's answer is kept in the slot for the same process's next call until the
/// kernel side changes PIDS (`ID_GEN[GEN_PIDS]`). A hash lookup at every call cost ~100 ns
/// per run of sys_exit_sendto (bpf_stats of the sendto loop under `-- loadgen`, 5 alternating
/// runs: 912 ns median with it, 810 without it). The other scope checks are not kept: a uid
/// changes without a hook.
#[inline(always)]
pub(crate) fn task_in_scope_cached(slot: &mut Slot, pid_tgid: u64, cfg: &Config) -> bool {
    scope_check(pid_tgid, cfg, |tgid| {
        let count = match ID_GEN.get(GEN_PIDS) {
            Some(g) => *g + 1,
            None => 0,
        };
        if count != 0 && slot.scope_gen == count && slot.scope_tgid == tgid {
            return slot.scope_in != 0;
        }
        let traced = PIDS.get_ptr(tgid).is_some();
        slot.scope_gen = count;
        slot.scope_tgid = tgid;
        slot.scope_in = traced as u32;
        traced
    })
}

/// The checks of [`task_in_scope`], with `in_pids(tgid)` answering for the process filter.
#[inline(always)]
fn scope_check(pid_tgid: u64, cfg: &Config, in_pids: impl FnOnce(u32) -> bool) -> bool {
    let tgid = (pid_tgid >> 32) as u32;
    if tgid == cfg.self_tgid {
        return false;
    }
    if cfg.pid_filter == PID_FILTER_MAP && !in_pids(tgid) {
        return false;
    }
    cfg.scope == 0 || in_scope(cfg.scope, pid_tgid as u32)
}
