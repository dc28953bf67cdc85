//! The maps every program shares: the ring buffer, the per-thread slots, the counters and the
//! scope filters the loader fills in.

use aya_ebpf::{
    bindings::BPF_F_NO_PREALLOC,
    macros::map,
    maps::{Array, HashMap, LpmTrie, LruHashMap, PerCpuArray, ProgramArray, RingBuf},
};
use sockscope_common::{COMM_LEN, CommKey, Slot, counter};

#[map]
pub(crate) static EVENTS: RingBuf = RingBuf::with_byte_size(16 << 20, 0);

/// tid → the call in progress on that thread, for what must outlive one program run: an
/// entry program's slot until its exit, and recvfrom's note of the caller's `*addrlen` (made
/// inside the receive, used at the exit, which may run on another CPU). Entries are made on a
/// thread's first such call, reused for its later calls (no per-call copy) and removed when
/// the thread exits.
#[map]
pub(crate) static INFLIGHT: HashMap<u32, Slot> =
    HashMap::with_max_entries(16384, BPF_F_NO_PREALLOC);

/// The slot of a record built and sent within one program run (exit-only sendto and sendmsg,
/// the data calls): per CPU, an array lookup instead of INFLIGHT's hash lookup (bpf_stats of
/// the sendto loop: see `slot::scratch`). Safe to share: syscall tracepoint programs run with
/// preemption disabled, and no program that uses it runs in interrupt context.
#[map]
pub(crate) static SCRATCH: PerCpuArray<Slot> = PerCpuArray::with_max_entries(1, 0);

/// The per-message steps' windows of user memory (capture.rs `Windows`): one read of a
/// vector's names, iovec arrays or bytes serves the messages after it.
#[map]
pub(crate) static WINDOWS: PerCpuArray<crate::capture::Windows> =
    PerCpuArray::with_max_entries(1, 0);

/// Source value for creating INFLIGHT entries (its content is overwritten at each entry).
#[map]
pub(crate) static TEMPLATE: PerCpuArray<Slot> = PerCpuArray::with_max_entries(1, 0);

/// The per-message steps of sendmmsg/recvmmsg (`STEP_*`), filled in by the loader.
#[map]
pub(crate) static MMSG_STEPS: ProgramArray = ProgramArray::with_max_entries(2, 0);

/// Counts of what invalidates what a slot keeps (lifecycle.rs): `GEN_CGROUP`, a task changed
/// cgroup (cgroup:cgroup_attach_task), re-read the cgroup id; `GEN_TASK`, a thread was renamed
/// or exited, re-read the whole identity; `GEN_PIDS`, the kernel side added a process to PIDS
/// or removed one, ask PIDS again (user space fills PIDS only before attaching).
#[map]
pub(crate) static ID_GEN: Array<u64> = Array::with_max_entries(3, 0);
pub(crate) const GEN_CGROUP: u32 = 0;
pub(crate) const GEN_TASK: u32 = 1;
pub(crate) const GEN_PIDS: u32 = 2;

/// tid → the name task_rename gave that thread. The tracepoint fires just before the kernel
/// copies the new name: a thread renamed by another one and reading its own name in between
/// would read the old one, so a task's name read afresh comes from here when it has an entry
/// (removed when the thread exits; a thread without one, or whose entry was evicted, has its
/// name read from the task).
#[map]
pub(crate) static RENAMED: LruHashMap<u32, [u8; COMM_LEN]> = LruHashMap::with_max_entries(4096, 0);

#[map]
pub(crate) static COUNTERS: PerCpuArray<u64> = PerCpuArray::with_max_entries(counter::COUNT, 0);

/// tgids to trace when `CONFIG.pid_filter == PID_FILTER_MAP` (with -f, their descendants are
/// added as they fork and removed when they exit).
#[map]
pub(crate) static PIDS: HashMap<u32, u8> = HashMap::with_max_entries(65536, 0);

/// `--tid`: thread ids to trace.
#[map]
pub(crate) static TIDS: HashMap<u32, u8> = HashMap::with_max_entries(4096, 0);

/// `--comm` / `--exclude-comm`: exact names and `NAME*` prefixes (see `CommKey`).
#[map]
pub(crate) static COMMS: LpmTrie<CommKey, u8> = LpmTrie::with_max_entries(1024, BPF_F_NO_PREALLOC);

/// `--uid`: user ids to trace.
#[map]
pub(crate) static UIDS: HashMap<u32, u8> = HashMap::with_max_entries(1024, 0);

/// `--cgroup`: cgroup v2 ids to trace.
#[map]
pub(crate) static CGROUPS: HashMap<u64, u8> = HashMap::with_max_entries(1024, 0);
