//! Record layouts shared by the eBPF programs (`sockscope-ebpf`) and user space (`sockscope`).
//!
//! One traced call becomes one record in the ring buffer:
//!
//! ```text
//! RecordHeader | SegHeader | bytes (padded to 8) | SegHeader | bytes | ...
//! ```
//!
//! The header carries the raw syscall arguments, the result and the task's identity. Each
//! segment is a piece of user memory the kernel side read for the call (the message bytes, the
//! socket address, a msghdr, an iovec array, ...), tagged with its kind and whether the read
//! succeeded. User space decodes the segments; the kernel never interprets them.
#![no_std]

/// Length of `task_struct::comm`.
pub const COMM_LEN: usize = 16;

/// Largest `-s`.
pub const MAX_SNAPLEN: u32 = 4096;
/// Largest single read: strace reads `-s` + 1 bytes of a buffer (the extra byte tells whether
/// to print `...`, and a buffer whose read faults is shown as its pointer).
pub const MAX_READ: u32 = MAX_SNAPLEN + 8;
/// Bytes of a `struct sockaddr_storage`: the most of an address that is captured.
pub const SOCKADDR_MAX: u32 = 128;
/// iovec entries captured per msghdr (strace shows at most `-s` of them; 32 is the default -s).
pub const MAX_IOV: u32 = 32;
/// Control (ancillary) bytes captured per msghdr.
pub const MAX_CONTROL: u32 = 1024;
/// mmsghdr entries captured per sendmmsg/recvmmsg call (one tail-called program run per
/// message; the kernel allows 33 tail calls in a chain). As many as strace shows at the
/// default `-s`.
pub const MAX_MMSG: u32 = 32;

/// Size of the segment area that follows the header in a record.
pub const DATA_SIZE: usize = 16384;
/// A segment may only start below this offset (so one more maximal segment always fits).
pub const CURSOR_LIMIT: u32 = 8192;
/// Mask that proves `cursor < CURSOR_LIMIT` to the verifier.
pub const CURSOR_MASK: u32 = CURSOR_LIMIT - 1;

/// The traced calls. The numeric values are the record's `event` field.
#[repr(u16)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventId {
    Sendto = 1,
    Recvfrom = 2,
    Sendmsg = 3,
    Recvmsg = 4,
    Sendmmsg = 5,
    Recvmmsg = 6,
    // Calls that move socket data without a message header (sockscope-ebpf's data.rs).
    Read = 7,
    Write = 8,
    Readv = 9,
    Writev = 10,
    Sendfile = 11,
    Splice = 12,
    /// preadv2/pwritev2 with offset -1 (the current position): on a socket, readv/writev with
    /// flags. Any other offset fails with ESPIPE before the socket is reached.
    Preadv2 = 13,
    Pwritev2 = 14,
}

impl EventId {
    pub const ALL: [EventId; 14] = [
        EventId::Sendto,
        EventId::Recvfrom,
        EventId::Sendmsg,
        EventId::Recvmsg,
        EventId::Sendmmsg,
        EventId::Recvmmsg,
        EventId::Read,
        EventId::Write,
        EventId::Readv,
        EventId::Writev,
        EventId::Sendfile,
        EventId::Splice,
        EventId::Preadv2,
        EventId::Pwritev2,
    ];

    pub fn from_u16(v: u16) -> Option<EventId> {
        Self::ALL.into_iter().find(|e| *e as u16 == v)
    }
}

/// `RecordHeader::flags`: the segment area filled up; later segments were not captured.
pub const RF_SEGS_TRUNCATED: u16 = 1 << 0;
/// `RecordHeader::flags`: the call was cut short because its process is being killed (a
/// thread blocked in the call when another called exit_group, or SIGKILL): the return value is
/// an ERESTART* code no one will see; strace prints `= ?`.
pub const RF_KILLED: u16 = 1 << 1;

/// Fixed part of every record.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct RecordHeader {
    /// An [`EventId`].
    pub event: u16,
    /// `RF_*` bits.
    pub flags: u16,
    /// CPU the call exited on.
    pub cpu: u32,
    /// Bytes of segment data after the header.
    pub data_len: u32,
    /// Number of segments.
    pub nsegs: u32,
    /// Entry time, CLOCK_MONOTONIC nanoseconds.
    pub ts_ns: u64,
    /// Exit time minus entry time, nanoseconds.
    pub duration_ns: u64,
    pub tgid: u32,
    pub tid: u32,
    pub ppid: u32,
    pub uid: u32,
    pub gid: u32,
    pub _pad: u32,
    pub cgroup_id: u64,
    /// The raw syscall arguments, as the syscall entry tracepoint saw them.
    pub args: [u64; 6],
    /// The syscall's return value (negative errno on failure).
    pub ret: i64,
    pub comm: [u8; COMM_LEN],
}

pub const RECORD_HEADER_SIZE: usize = core::mem::size_of::<RecordHeader>();

/// Segment kinds.
pub mod seg {
    /// Message bytes: sendto's buf (read at entry) or recvfrom's buf (read at exit).
    pub const BUF: u8 = 1;
    /// A socket address: sendto's dest_addr (entry), recvfrom's src_addr (exit), msg_name.
    /// `index` is the mmsghdr index for sendmmsg/recvmmsg.
    pub const ADDR: u8 = 2;
    /// sendto's dest_addr / sendmsg's msg_name read again at exit (TOCTOU check).
    pub const ADDR_EXIT: u8 = 3;
    /// recvfrom's `*addrlen` (a u32) at entry.
    pub const ADDRLEN_IN: u8 = 4;
    /// recvfrom's `*addrlen` at exit.
    pub const ADDRLEN_OUT: u8 = 5;
    /// A `struct user_msghdr` (56 bytes) as it was at entry.
    pub const MSGHDR: u8 = 6;
    /// A `struct user_msghdr` as it was at exit (recvmsg: the kernel updated lengths/flags).
    pub const MSGHDR_EXIT: u8 = 7;
    /// An iovec array (16 bytes per entry); `index` is the mmsghdr index.
    pub const IOV: u8 = 8;
    /// Bytes of one iovec; `index` = mmsg index << 8 | iovec index.
    pub const IOV_DATA: u8 = 9;
    /// msg_control bytes; `index` is the mmsghdr index.
    pub const CONTROL: u8 = 10;
    /// An mmsghdr array (64 bytes per entry) at entry.
    pub const MMSGHDR: u8 = 11;
    /// The mmsghdr array at exit (msg_len and the msghdrs updated by the kernel).
    pub const MMSGHDR_EXIT: u8 = 12;
    /// recvmmsg's timeout (struct __kernel_timespec) at entry.
    pub const TIMESPEC: u8 = 13;
    /// recvmmsg's timeout at exit.
    pub const TIMESPEC_EXIT: u8 = 14;
    /// sendto's buf read again at exit because the entry read faulted (pages the process had
    /// never touched cannot be faulted in by an eBPF read; the kernel's send touched them).
    pub const BUF_EXIT: u8 = 16;
    /// Netlink sockets only: the next MAX_SNAPLEN bytes of sendto/recvfrom's buffer, after the
    /// MAX_SNAPLEN of its `BUF` segment (strace decodes whole netlink messages).
    pub const BUF_MORE: u8 = 17;
    /// Netlink sockets only: the next MAX_SNAPLEN bytes of a msghdr's first iovec, after its
    /// `IOV_DATA` segment; `index` as that segment's.
    pub const IOV_DATA_MORE: u8 = 18;
    /// A [`crate::SockInfo`]: what the descriptor in `args[0]` is, read from the kernel's
    /// file table and socket structures at entry (only with `-y`/`-yy`).
    pub const SOCK: u8 = 15;
    /// A `loff_t` behind a pointer argument (sendfile's offset, splice's off_in/off_out), read
    /// at exit; `index` is the argument's position.
    pub const LOFF: u8 = 20;
    /// The path of a descriptor that is not a socket (`crate::SEG_PATH`); `index` is the
    /// argument's position. Read in the kernel at the call, with `-y`.
    pub const PATH: u8 = crate::SEG_PATH;
}

/// `SegHeader::status`: the bytes were read.
pub const SEG_OK: u8 = 0;
/// `SegHeader::status`: the pointer was NULL; nothing was read.
pub const SEG_NULL: u8 = 1;
/// `SegHeader::status`: reading user memory faulted; nothing was read.
pub const SEG_FAULT: u8 = 2;
/// `SegHeader::status`: reading user memory faulted part-way (netlink sockets only); the bytes
/// up to the end of the first page were read. User space sees a fault with these bytes.
pub const SEG_PARTIAL: u8 = 3;

/// Header of one captured piece of user memory. `len` bytes follow, padded to 8.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct SegHeader {
    pub kind: u8,
    pub status: u8,
    pub index: u16,
    /// Bytes captured after this header.
    pub len: u32,
    /// The user address they were read from.
    pub addr: u64,
}

pub const SEG_HEADER_SIZE: usize = core::mem::size_of::<SegHeader>();

/// Rounds a segment's data length up to the 8-byte alignment of the next header.
#[inline(always)]
pub const fn seg_padded(len: u32) -> u32 {
    (len + 7) & !7
}

/// Bytes a record of `size` bytes takes in a BPF ring buffer: the kernel's 8-byte record header
/// (BPF_RINGBUF_HDR_SZ) and the record, rounded up to 8 (`__bpf_ringbuf_reserve`).
#[inline(always)]
pub const fn ring_footprint(size: u64) -> u64 {
    const BPF_RINGBUF_HDR_SZ: u64 = 8;
    (size + BPF_RINGBUF_HDR_SZ + 7) & !7
}

/// Whether the record that takes the ring's backlog (`AVAIL_DATA`) from `before` bytes to
/// `before + ring_footprint(size)` must wake the consumer, which asks to be woken once the
/// backlog reaches `every` bytes: when it crosses `every`. The footprint, not the record's
/// size: a check with the size alone misses the crossing whenever the threshold falls in the
/// record's 8-byte header or padding, and the consumer, never woken, slept until its poll timed
/// out (50 ms: 2,300 of 17,000 sendmmsg records lost with an 8 MiB ring). Only the first
/// crossing: waking at every further multiple while the consumer is busy cost the sendto loop
/// ~45 ns per call (bpf_stats of sys_exit_sendto; an irq_work wake-up is an IPI, in a VM an
/// exit). Two CPUs that read the same `before` can still both miss it; the poll's timeout
/// then wakes the consumer.
#[inline(always)]
pub const fn ring_wakeup(before: u64, size: u64, every: u64) -> bool {
    before < every && before + ring_footprint(size) >= every
}

/// Where one call's record is built: a thread's, kept from entry to exit, or a CPU's, for a
/// record built and sent within one program run. The record sent to user space is `header`
/// plus the first `header.data_len` bytes of `data`.
#[repr(C)]
pub struct Slot {
    /// Non-zero between a traced entry and its exit.
    pub active: u32,
    /// Next free offset in `data`.
    pub cursor: u32,
    /// `SLOT_*` bits noted at entry for the exit program.
    pub notes: u32,
    /// The next message of an mmsghdr vector to capture (tail-called steps).
    pub step: u32,
    /// Where in `data` the segment of the mmsghdr vector the steps walk starts (its header),
    /// and how many whole entries it holds: the steps take each entry's msghdr (and msg_len)
    /// from this copy instead of reading user memory again (mmsg.rs `vec_entry`).
    pub vec_seg: u32,
    pub vec_n: u32,
    /// `capture_iov`'s byte budget left (a receive's return value less the bytes taken),
    /// passed through this map memory at each iovec so that the verifier does not follow its
    /// range (see there).
    pub iov_left: u64,
    /// Whose identity (comm, cgroup id, ppid) the header holds, and when it was read
    /// (`Config::id_cache`): kept for the task's next call on this slot while it cannot have
    /// changed.
    pub id: IdKey,
    /// The identities of the tasks that used this slot before the header's: a slot of the
    /// CPU's (SCRATCH) serves whichever tasks take turns there.
    pub id_ways: [IdWay; ID_WAYS],
    /// The way the next task without one replaces.
    pub id_next: u32,
    /// The process filter's answer (`scope_in`, 0 or 1) for `scope_tgid` when the filter had
    /// changed `scope_gen - 1` times (`ID_GEN[GEN_PIDS]`; 0: none), kept for the next call
    /// on this slot (`scope::task_in_scope_cached`).
    pub scope_gen: u64,
    pub scope_tgid: u32,
    pub scope_in: u32,
    /// The socket this call's data went through, noted during the call by the socket
    /// tracepoint program (data.rs) for the exit: without -y the walk from the descriptor to
    /// the socket's family (8 kernel reads) becomes the noted family (`hint_family`, sock.rs). Used
    /// only for the call it was noted for (`hint_nr`, `hint_fd`), then cleared. 0: none.
    pub hint_sk: u64,
    /// The syscall number (`orig_ax`), descriptor and thread the hint was noted for (a per-CPU
    /// slot's note may be another thread's, made before this one was scheduled here).
    pub hint_nr: u32,
    pub hint_fd: u32,
    /// Exit-only recvfrom: the caller's `*addrlen` read inside the receive, before the kernel
    /// writes the returned length over it (`hint_len_ok` 0: that read faulted).
    pub hint_len: i32,
    pub hint_len_ok: u32,
    /// The family of `hint_sk`, loaded by the socket tracepoint (a BTF pointer there) so that
    /// the exit reads nothing for it.
    pub hint_family: u32,
    pub hint_tid: u32,
    /// Exit-only recvfrom on a UDP socket: the address length the kernel writes to `*addrlen`
    /// when the call succeeds with an address buffer (sizeof sockaddr_in or sockaddr_in6),
    /// known from the noted socket so that the exit need not read it back (sock.rs
    /// `udp_name_len`). 0: not known, read at exit.
    pub hint_klen: u32,
    pub _hint_pad: u32,
    pub header: RecordHeader,
    pub data: [u8; DATA_SIZE],
}

// Segments start 8-aligned in `data` (their lengths are padded), so a copy of user memory in
// the slot can be loaded as u64 fields (mmsg.rs `vec_entry`).
const _: () = assert!(core::mem::offset_of!(Slot, data) % 8 == 0);

/// Earlier tasks' identities a slot keeps besides the header's (a power of two).
pub const ID_WAYS: usize = 4;

/// Whose cached identity a slot holds and when its parts were read (`Slot::id`, `IdWay`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct IdKey {
    /// The task (its address). 0: none.
    pub task: u64,
    /// `ID_GEN[GEN_TASK]` (task_rename and sched_process_exit count) when the name was read:
    /// a rename, or an exit (a freed task's address can come back as another task's), since
    /// then makes the identity stale.
    pub task_gen: u64,
    /// current->real_parent when the ppid was read.
    pub parent: u64,
    /// `ID_GEN[GEN_CGROUP]` (cgroup_attach_task count) when the cgroup id was read.
    pub cgroup_gen: u64,
}

/// An earlier task's identity in a slot (`Slot::id_ways`): `Slot::id` and the header's
/// values, as they were when another task took the header.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct IdWay {
    pub key: IdKey,
    pub cgroup_id: u64,
    pub ppid: u32,
    pub _pad: u32,
    pub comm: [u8; COMM_LEN],
}

/// `Slot::notes`: the entry read of the message buffer faulted.
pub const SLOT_BUF_FAULTED: u32 = 1;
/// `Slot::notes`: the call's descriptor is an AF_NETLINK socket. Its buffers are captured up to
/// MAX_SNAPLEN whatever `-s` is: strace decodes netlink messages as far as they go and applies
/// `-s` only to the strings inside them.
pub const SLOT_NETLINK: u32 = 2;

/// `MMSG_STEPS` indexes: the per-message capture programs of sendmmsg (entry) and recvmmsg
/// (exit).
pub const STEP_SENDMMSG: u32 = 0;
pub const STEP_RECVMMSG: u32 = 1;

/// Kernel-side counters, indexes into the per-CPU `COUNTERS` array.
pub mod counter {
    /// Records dropped because the ring buffer was full.
    pub const LOST_RINGBUF: u32 = 0;
    /// Calls not traced because no in-flight slot could be allocated.
    pub const LOST_NOSLOT: u32 = 1;
    /// Records sent.
    pub const SENT: u32 = 2;
    /// Forked children not followed because the PIDS map was full.
    pub const LOST_PIDS_FULL: u32 = 3;
    /// Calls of a traced thread that returned while attached but had entered before (a server
    /// blocked in recvfrom when sockscope attached): their exit found no entry. Counted, not
    /// shown (what they were handed at entry, e.g. recvfrom's *addrlen, is gone).
    pub const IN_PROGRESS: u32 = 4;
    pub const COUNT: u32 = 5;
}

/// Process filter modes (`Config::pid_filter`).
pub const PID_FILTER_NONE: u32 = 0;
/// Only tgids present in the `PIDS` map are traced.
pub const PID_FILTER_MAP: u32 = 1;

/// `Config::scope` bits: which of the other scope maps are consulted at entry (all ANDed).
pub mod scope {
    /// Only threads in `TIDS`.
    pub const TIDS: u32 = 1 << 0;
    /// Only comms matching an include entry of `COMMS`.
    pub const COMM_INCLUDE: u32 = 1 << 1;
    /// Not comms matching an exclude entry of `COMMS`.
    pub const COMM_EXCLUDE: u32 = 1 << 2;
    /// Only uids in `UIDS`.
    pub const UIDS: u32 = 1 << 3;
    /// Only tasks whose cgroup v2 id is in `CGROUPS`.
    pub const CGROUPS: u32 = 1 << 4;
}

/// `COMMS` values: what the longest matching comm entry means.
pub const COMM_MATCH_INCLUDE: u8 = 1;
pub const COMM_MATCH_EXCLUDE: u8 = 2;

/// Key data of the `COMMS` LPM trie: the comm bytes. An exact name is stored with its NUL
/// (prefix length 8 × (len + 1)), a `NAME*` prefix without (8 × len), so one longest-prefix
/// lookup of the task's comm answers both.
pub type CommKey = [u8; COMM_LEN];

/// Load-time configuration, written into the program's read-only globals by the loader.
/// Kernel structure offsets come from the running kernel's BTF; zero means unknown.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Config {
    /// sockscope's own tgid: never traced.
    pub self_tgid: u32,
    /// Bytes to read of each message buffer: `-s` + 1 (see [`MAX_READ`]).
    pub snaplen: u32,
    /// One of `PID_FILTER_*`.
    pub pid_filter: u32,
    /// Wake the consumer when this many bytes of backlog are waiting (0: every record; see
    /// [`ring_wakeup`]).
    pub wakeup_bytes: u32,
    /// offsetof(struct task_struct, real_parent)
    pub off_task_real_parent: u32,
    /// offsetof(struct task_struct, tgid)
    pub off_task_tgid: u32,
    /// Follow forks: children of traced tgids become traced (`PID_FILTER_MAP` only).
    pub follow_forks: u32,
    /// sched_process_fork record: offset of parent_pid and child_pid (from tracefs).
    pub off_fork_parent_pid: u32,
    pub off_fork_child_pid: u32,
    /// sched_process_exit record: offset of group_dead (0: not on this kernel).
    pub off_exit_group_dead: u32,
    /// Read the destination address again at exit to detect a change during the call.
    pub toctou: u32,
    /// sendto and sendmsg are captured at exit only, their arguments taken from the task's
    /// saved user registers (no entry program attached): set by the loader when neither
    /// TOCTOU nor -T needs an entry and pt_regs has the `PT_REGS_*` layout.
    pub exit_only: u32,
    /// `scope::*` bits.
    pub scope: u32,
    /// offsetof(struct task_struct, pending.signal): the thread's pending signals, to tell a
    /// call cut short by SIGKILL (0: unknown on this kernel).
    pub off_task_pending_signal: u32,
    /// /proc/sys/net/core/optmem_max rounded up to 8 (what strace reads of a control buffer).
    pub optmem_max: u32,
    /// 1: each thread's comm, cgroup id and ppid are kept in its slot from call to call (see
    /// `Slot::id_task`); set when task_rename and cgroup_attach_task can be attached.
    pub id_cache: u32,
    /// task_rename record: offsets of pid and newcomm (from tracefs).
    pub off_rename_pid: u32,
    pub off_rename_newcomm: u32,
    /// offsetof(struct task_struct, cred), offsetof(struct cred, uid) and (struct cred, gid):
    /// the thread's uid and gid by direct loads, as bpf_get_current_uid_gid reads them (0:
    /// unknown on this kernel; the helper is used).
    pub off_task_cred: u32,
    pub off_cred_uid: u32,
    pub off_cred_gid: u32,
}

// SAFETY: `Config` is `repr(C)`, made of u32s only, valid for any bit pattern.
#[cfg(feature = "user")]
unsafe impl aya::Pod for Config {}

// ---------------------------------------------------------------------------------------------
// -y / -yy: the socket behind the descriptor.

/// A field offset the running kernel's BTF does not give: the read that needs it is skipped.
pub const OFF_NONE: u32 = u32::MAX;
/// Longest contiguous piece of one kernel structure read at once (a "span").
pub const SPAN_MAX: u32 = 128;
/// Bytes of `sun_path` captured.
pub const UNIX_PATH_MAX: usize = 108;

/// One read of `len` bytes at `start` of a kernel structure, from which several fields are
/// taken (their offsets are relative to `start`). `len == 0`: not resolved on this kernel.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub len: u32,
}

/// Where the descriptor decoration's fields are in the running kernel (from its BTF, set by
/// the loader as the `SOCK_OFFSETS` global). Absolute offsets are `OFF_NONE` when unknown;
/// relative ones (`*_rel`) are inside their span and only used when the span is resolved.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SockOffsets {
    /// 0: no capture; 1: `-y` (the file's inode only); 2: `-yy` (the socket too).
    pub level: u32,
    /// task_struct.files, files_struct.fdt.
    pub task_files: u32,
    pub files_fdt: u32,
    /// struct fdtable: max_fds (u32), fd (struct file **).
    pub fdt: Span,
    pub fdt_max_fds_rel: u32,
    pub fdt_fd_rel: u32,
    /// struct file: private_data, f_inode.
    pub file: Span,
    pub file_private_data_rel: u32,
    pub file_inode_rel: u32,
    /// struct inode: i_mode (u16), i_ino (u64), i_rdev (u32).
    pub inode: Span,
    pub inode_mode_rel: u32,
    pub inode_ino_rel: u32,
    pub inode_rdev_rel: u32,
    /// struct socket: type (i16), sk.
    pub socket: Span,
    pub socket_type_rel: u32,
    pub socket_sk_rel: u32,
    /// struct sock's sock_common part.
    pub skc: Span,
    pub skc_daddr_rel: u32,
    pub skc_rcv_saddr_rel: u32,
    pub skc_dport_rel: u32,
    pub skc_num_rel: u32,
    pub skc_family_rel: u32,
    pub skc_state_rel: u32,
    pub skc_v6_daddr_rel: u32,
    pub skc_v6_rcv_saddr_rel: u32,
    /// struct sock: sk_protocol (u16), sk_type (u16).
    pub skp: Span,
    pub sk_protocol_rel: u32,
    pub sk_type_rel: u32,
    /// sock.sk_socket; offsetof(socket_alloc, vfs_inode.i_ino) (a socket's inode number).
    pub sk_socket: u32,
    pub socket_alloc_ino: u32,
    /// struct unix_sock: addr, peer.
    pub unix: Span,
    pub unix_addr_rel: u32,
    pub unix_peer_rel: u32,
    /// struct unix_address: len (int, bytes of sockaddr_un incl. family), name.sun_path.
    pub unix_address_len: u32,
    pub unix_address_path: u32,
    /// netlink_sock.portid.
    pub netlink_portid: u32,
    /// sock.sk_user_data: set when something other than the protocol owns the socket's
    /// receive (a sockmap's psock): recvfrom's returned address length is then not inferred.
    pub sk_user_data: u32,
    /// sock.__sk_common.skc_net (struct net *), net.ns.inum: the socket's network namespace.
    pub sk_net: u32,
    pub net_ns_inum: u32,
    /// 1: the socket identity is wanted only to decode netlink buffers (no `-y`, `--json` or
    /// endpoint filter): the kernel side reads as far as the socket's family and writes the
    /// `seg::SOCK` segment only for an AF_NETLINK socket.
    pub netlink_only: u32,
}

impl SockOffsets {
    /// Nothing captured.
    pub const OFF: SockOffsets = SockOffsets {
        level: 0,
        task_files: OFF_NONE,
        files_fdt: OFF_NONE,
        fdt: Span { start: 0, len: 0 },
        fdt_max_fds_rel: 0,
        fdt_fd_rel: 0,
        file: Span { start: 0, len: 0 },
        file_private_data_rel: 0,
        file_inode_rel: 0,
        inode: Span { start: 0, len: 0 },
        inode_mode_rel: 0,
        inode_ino_rel: 0,
        inode_rdev_rel: 0,
        socket: Span { start: 0, len: 0 },
        socket_type_rel: 0,
        socket_sk_rel: 0,
        skc: Span { start: 0, len: 0 },
        skc_daddr_rel: 0,
        skc_rcv_saddr_rel: 0,
        skc_dport_rel: 0,
        skc_num_rel: 0,
        skc_family_rel: 0,
        skc_state_rel: 0,
        skc_v6_daddr_rel: 0,
        skc_v6_rcv_saddr_rel: 0,
        skp: Span { start: 0, len: 0 },
        sk_protocol_rel: 0,
        sk_type_rel: 0,
        sk_socket: OFF_NONE,
        socket_alloc_ino: OFF_NONE,
        unix: Span { start: 0, len: 0 },
        unix_addr_rel: 0,
        unix_peer_rel: 0,
        unix_address_len: OFF_NONE,
        unix_address_path: OFF_NONE,
        netlink_portid: OFF_NONE,
        sk_user_data: OFF_NONE,
        sk_net: OFF_NONE,
        net_ns_inum: OFF_NONE,
        netlink_only: 0,
    };
}

impl Default for SockOffsets {
    fn default() -> Self {
        SockOffsets::OFF
    }
}

// SAFETY: `SockOffsets` is `repr(C)`, made of u32s only, valid for any bit pattern.
#[cfg(feature = "user")]
unsafe impl aya::Pod for SockOffsets {}

/// `SockInfo::known` bits: which parts were read. A part not read is unknown (its offsets are
/// not on this kernel, or the read faulted); the fields of a part not read are zero.
pub mod sk {
    /// The descriptor was looked up in the task's file table (`NO_FILE` says what was found).
    pub const LOOKED_UP: u32 = 1 << 0;
    /// There is no open file at that descriptor (negative, past max_fds, or a NULL slot).
    pub const NO_FILE: u32 = 1 << 1;
    /// `mode`, `ino`, `rdev` of the file's inode.
    pub const INODE: u32 = 1 << 2;
    /// `sock_type` (struct socket.type).
    pub const SOCKET: u32 = 1 << 3;
    /// `family`, `state`, `num`, `dport`, the v4 addresses and (AF_INET6) the v6 ones.
    pub const COMMON: u32 = 1 << 4;
    /// `protocol`, `sk_type`.
    pub const PROTO: u32 = 1 << 5;
    /// AF_UNIX: `unix_len` and `unix_path` (unix_len 0: no address).
    pub const UNIX_ADDR: u32 = 1 << 6;
    /// AF_UNIX: `peer_ino` (0: no peer).
    pub const UNIX_PEER: u32 = 1 << 7;
    /// AF_NETLINK: `portid`.
    pub const NETLINK: u32 = 1 << 8;
    /// A read faulted (the file or socket changed under the reader); what is set is valid.
    pub const FAULT: u32 = 1 << 9;
    /// AF_NETLINK: `netns` (the inode number of the socket's network namespace).
    pub const NETNS: u32 = 1 << 10;
}

/// The descriptor of a call, as found in the kernel at the call's entry (`seg::SOCK`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SockInfo {
    /// `sk::*` bits.
    pub known: u32,
    /// The descriptor looked up.
    pub fd: i32,
    /// The file's inode: i_ino, i_mode (S_IFSOCK, S_IFCHR...), i_rdev (kernel dev_t).
    pub ino: u64,
    pub mode: u16,
    /// struct socket.type (SOCK_STREAM...).
    pub sock_type: u16,
    pub rdev: u32,
    /// skc_family, skc_state.
    pub family: u16,
    pub state: u8,
    pub _pad0: u8,
    /// sk_protocol, sk_type.
    pub protocol: u16,
    pub sk_type: u16,
    /// Local port (host order, skc_num), remote port (network order, skc_dport).
    pub num: u16,
    pub dport_be: u16,
    /// IPv4 local / remote address (network order).
    pub rcv_saddr: [u8; 4],
    pub daddr: [u8; 4],
    /// IPv6 local / remote address.
    pub v6_rcv_saddr: [u8; 16],
    pub v6_daddr: [u8; 16],
    /// AF_UNIX: the peer's inode number (0: none).
    pub peer_ino: u64,
    /// AF_NETLINK: port id.
    pub portid: u32,
    /// AF_UNIX: unix_address.len (sockaddr_un bytes, with sun_family; 0: unbound).
    pub unix_len: u32,
    /// AF_UNIX: sun_path (unix_len - 2 bytes of it are valid).
    pub unix_path: [u8; UNIX_PATH_MAX],
    /// AF_NETLINK: the socket's network namespace (net.ns.inum; strace names a netlink
    /// socket's protocol only when the socket is in strace's own namespace).
    pub netns: u32,
}

pub const SOCK_INFO_SIZE: usize = core::mem::size_of::<SockInfo>();

// ---------------------------------------------------------------------------------------------
// read, write, readv, writev, sendfile, splice (sockscope-ebpf's data.rs).

/// Load-time configuration of the data calls (the `DATA_CONFIG` global).
///
/// read/write/readv/writev are seen through the `sock_recv_length` / `sock_send_length` raw
/// tracepoints (they fire inside sock_recvmsg/sock_sendmsg, for sockets only); the syscall and
/// its arguments come from the task's saved user registers. sendfile and splice are seen at
/// their syscall exit. Offsets: from BTF (task, files, fdtable, file, inode, socket, pt_regs)
/// resolved by the loader.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataConfig {
    /// Bit `1 << EventId` for each data call selected (0: none; the programs return at once).
    pub events: u32,
    /// -T: the entry programs store the entry time in `DATA_ENTRY`.
    pub timing: u32,
    /// task_struct.flags (PF_KTHREAD, PF_IO_WORKER: never a user syscall).
    pub task_flags: u32,
    /// The descriptor check: task_struct.files, files_struct.fdt, fdtable (max_fds, fd),
    /// file (private_data, f_inode), inode.i_mode, socket.sk.
    pub task_files: u32,
    pub files_fdt: u32,
    pub fdt: Span,
    pub fdt_max_fds_rel: u32,
    pub fdt_fd_rel: u32,
    pub file: Span,
    pub file_private_data_rel: u32,
    pub file_inode_rel: u32,
    pub inode_mode: u32,
    pub socket_sk: u32,
    /// The socket hooks' check that the descriptor is the tracepoint's socket:
    /// sock.sk_socket, socket.file.
    pub sock_sk_socket: u32,
    pub socket_file: u32,
}

impl DataConfig {
    pub const OFF: DataConfig = DataConfig {
        events: 0,
        timing: 0,
        task_flags: OFF_NONE,
        task_files: OFF_NONE,
        files_fdt: OFF_NONE,
        fdt: Span { start: 0, len: 0 },
        fdt_max_fds_rel: 0,
        fdt_fd_rel: 0,
        file: Span { start: 0, len: 0 },
        file_private_data_rel: 0,
        file_inode_rel: 0,
        inode_mode: OFF_NONE,
        socket_sk: OFF_NONE,
        sock_sk_socket: OFF_NONE,
        socket_file: OFF_NONE,
    };
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig::OFF
    }
}

// SAFETY: `DataConfig` is `repr(C)`, made of u32s only, valid for any bit pattern.
#[cfg(feature = "user")]
unsafe impl aya::Pod for DataConfig {}

/// Offset of `orig_ax` in x86-64's `struct pt_regs`: the layout the syscall entry code pushes,
/// the user ABI's (`struct user_regs_struct` up to `orig_rax`). The socket hooks read the
/// syscall number with one direct load at this offset (a verifier-checked BTF access, much
/// cheaper than a probe-read helper, and paid on every socket send/receive of the machine); the
/// loader checks it against the running kernel's BTF and refuses the data calls otherwise.
pub const PT_REGS_ORIG_AX: u32 = 120;
/// x86_64 struct pt_regs: r10 (syscall argument 4) at 56, then r9 (6), r8 (5), ax, cx, dx (3),
/// si (2), di (1) in the 64 bytes that follow (checked against BTF by the loader).
pub const PT_REGS_R10: u32 = 56;
pub const PT_REGS_R9: u32 = 64;
pub const PT_REGS_R8: u32 = 72;
pub const PT_REGS_DX: u32 = 96;
pub const PT_REGS_SI: u32 = 104;
pub const PT_REGS_DI: u32 = 112;

/// The socket constants the eBPF side tests (families, a type, protocols, a MSG flag): Linux's
/// values, checked against libc by a test of the user side (`sockscope/src/kernel/
/// sock_offsets.rs`; MSG_ERRQUEUE also against the MSG flags table, `decode/xlat.rs`). Their
/// names for printing live in `sockscope/xlat/`.
pub mod net {
    pub const AF_UNIX: u16 = 1;
    pub const AF_INET: u16 = 2;
    pub const AF_INET6: u16 = 10;
    pub const AF_NETLINK: u16 = 16;
    pub const SOCK_DGRAM: u16 = 2;
    pub const IPPROTO_UDP: u16 = 17;
    pub const IPPROTO_UDPLITE: u16 = 136;
    pub const MSG_ERRQUEUE: u64 = 0x2000;
}

/// x86-64 syscall numbers of the data calls and the exit-only sends (what the saved `orig_ax`
/// holds).
pub mod nr {
    pub const READ: u64 = 0;
    pub const WRITE: u64 = 1;
    pub const READV: u64 = 19;
    pub const WRITEV: u64 = 20;
    pub const SENDFILE: u64 = 40;
    /// The exit-only message calls (their socket is noted for the exit: `Slot::hint_sk`).
    pub const SENDTO: u64 = 44;
    pub const RECVFROM: u64 = 45;
    pub const SENDMSG: u64 = 46;
    pub const SENDMMSG: u64 = 307;
    pub const SPLICE: u64 = 275;
    pub const PREADV2: u64 = 327;
    pub const PWRITEV2: u64 = 328;
}

// ---------------------------------------------------------------------------------------------
// -y / -yy on descriptors that are not sockets: the path, read in the kernel (path.rs).

/// `seg::PATH` body: `PathHead`, then one component per step up the tree, leaf first, each as
/// one length byte and that many name bytes.
pub const SEG_PATH: u8 = 21;
/// Steps up the dentry tree (components plus mount crossings) before giving up.
pub const PATH_DEPTH: u32 = 32;
/// Bytes of components kept (a longer path is incomplete: user space falls back to /proc).
pub const PATH_BYTES: u32 = 2048;

/// `PathHead::flags`: the walk reached the process's root (or the namespace's root mount).
pub const PATH_COMPLETE: u32 = 1;
/// The dentry is detached (a pseudo file: pipe, anon inode, memfd...): one component, the
/// dentry's own name, and the file system's magic tells what it is.
pub const PATH_DETACHED: u32 = 2;

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct PathHead {
    /// super_block.s_magic of the file's inode (PIPEFS_MAGIC, ANON_INODE_FS_MAGIC...).
    pub magic: u32,
    /// `PATH_*` bits.
    pub flags: u32,
}

/// Offsets for the path walk, from BTF (the `PATH_OFFSETS` global); `OFF_NONE` disables it.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathOffsets {
    /// 0: no path capture (no -y, or offsets missing).
    pub enabled: u32,
    pub task_files: u32,
    pub files_fdt: u32,
    pub fdt_max_fds: u32,
    pub fdt_fd: u32,
    /// task_struct.fs, fs_struct.root (a struct path).
    pub task_fs: u32,
    pub fs_root: u32,
    /// struct path: mnt, dentry.
    pub path_mnt: u32,
    pub path_dentry: u32,
    /// file.f_path, file.f_inode.
    pub file_f_path: u32,
    pub file_f_inode: u32,
    /// inode.i_sb, super_block.s_magic.
    pub inode_i_sb: u32,
    pub sb_s_magic: u32,
    /// dentry.d_parent, dentry.d_name (a qstr: u64 hash_len, len in the high half, then name).
    pub dentry_d_parent: u32,
    pub dentry_d_name: u32,
    /// struct mount: mnt (the embedded vfsmount), mnt_parent, mnt_mountpoint.
    pub mount_mnt: u32,
    pub mount_mnt_parent: u32,
    pub mount_mnt_mountpoint: u32,
    /// vfsmount.mnt_root.
    pub vfsmount_mnt_root: u32,
}

impl PathOffsets {
    pub const OFF: PathOffsets = PathOffsets {
        enabled: 0,
        task_files: 0,
        files_fdt: 0,
        fdt_max_fds: 0,
        fdt_fd: 0,
        task_fs: 0,
        fs_root: 0,
        path_mnt: 0,
        path_dentry: 0,
        file_f_path: 0,
        file_f_inode: 0,
        inode_i_sb: 0,
        sb_s_magic: 0,
        dentry_d_parent: 0,
        dentry_d_name: 0,
        mount_mnt: 0,
        mount_mnt_parent: 0,
        mount_mnt_mountpoint: 0,
        vfsmount_mnt_root: 0,
    };
}

impl Default for PathOffsets {
    fn default() -> Self {
        PathOffsets::OFF
    }
}

// SAFETY: `PathOffsets` is `repr(C)`, made of u32s only, valid for any bit pattern.
#[cfg(feature = "user")]
unsafe impl aya::Pod for PathOffsets {}
/// Per-flow counters kept in the kernel (`sockscope top`, `--summary flows`).
pub mod flows;
pub mod wire;

#[cfg(test)]
mod tests {
    use super::{ring_footprint, ring_wakeup};

    #[test]
    fn footprint_counts_the_kernel_header_and_padding() {
        assert_eq!(ring_footprint(0), 8);
        assert_eq!(ring_footprint(1), 16);
        assert_eq!(ring_footprint(8), 16);
        assert_eq!(ring_footprint(9), 24);
        assert_eq!(ring_footprint(2036), 2048);
    }

    /// One producer, a consumer that never reads: the backlog grows by each record's footprint,
    /// and reaching the threshold wakes the consumer exactly once, whatever
    /// the records' sizes (the check with the bare size missed crossings that fell in a
    /// record's header or padding: with 2,036-byte records the first wake-up never came).
    #[test]
    fn reaching_the_threshold_wakes_once() {
        const EVERY: u64 = 64 << 10;
        for size in [1u64, 7, 8, 100, 233, 1000, 2036, 2040, 4096, 65_000] {
            let mut backlog = 0u64;
            let mut wakes = 0u64;
            for _ in 0..2_000 {
                if ring_wakeup(backlog, size, EVERY) {
                    wakes += 1;
                }
                backlog += ring_footprint(size);
                assert_eq!(
                    wakes,
                    (backlog / EVERY).min(1),
                    "record size {size}, backlog {backlog}"
                );
            }
        }
        // A record larger than the threshold wakes at once.
        for size in [65_536u64, 200_000] {
            assert!(ring_wakeup(0, size, EVERY));
            assert!(!ring_wakeup(EVERY + 8, size, EVERY));
        }
    }

    #[test]
    fn crossing_is_exact() {
        const EVERY: u64 = 1 << 16;
        // Just below, exactly at, and past the threshold after the record.
        assert!(!ring_wakeup(EVERY - 24, 8, EVERY)); // ends at EVERY - 8
        assert!(ring_wakeup(EVERY - 16, 8, EVERY)); // ends exactly at EVERY
        assert!(ring_wakeup(EVERY - 8, 8, EVERY));
        assert!(!ring_wakeup(EVERY, 8, EVERY));
        assert!(!ring_wakeup(2 * EVERY - 8, 100, EVERY));
        // 0: never (the caller then wakes on every record itself).
        assert!(!ring_wakeup(EVERY - 8, 8, 0));
    }
}
