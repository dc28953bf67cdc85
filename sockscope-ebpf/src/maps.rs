//! The maps every program shares: the ring buffer, the per-thread slots, the counters and the
//! scope filters the loader fills in.

use aya_ebpf::{
    bindings::BPF_F_NO_PREALLOC,
    macros::map,
    maps::{Array, HashMap, LpmTrie, PerCpuArray, ProgramArray, RingBuf},
};
use sockscope_common::{CommKey, Slot, counter};

#[map]
pub(crate) static EVENTS: RingBuf = RingBuf::with_byte_size(16 << 20, 0);

/// tid → the call in progress on that thread. Entries are made on a thread's first traced call,
/// reused for its later calls (no per-call copy) and removed when the thread exits.
#[map]
pub(crate) static INFLIGHT: HashMap<u32, Slot> =
    HashMap::with_max_entries(16384, BPF_F_NO_PREALLOC);

/// Source value for creating INFLIGHT entries (its content is overwritten at each entry).
#[map]
pub(crate) static TEMPLATE: PerCpuArray<Slot> = PerCpuArray::with_max_entries(1, 0);

/// The per-message steps of sendmmsg/recvmmsg (`STEP_*`), filled in by the loader.
#[map]
pub(crate) static MMSG_STEPS: ProgramArray = ProgramArray::with_max_entries(2, 0);

/// How many times a task changed cgroup (cgroup:cgroup_attach_task, lifecycle.rs): a slot's
/// cached cgroup id is re-read when this moved since it was read.
#[map]
pub(crate) static CGROUP_GEN: Array<u64> = Array::with_max_entries(1, 0);

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
