//! The only code that touches the kernel: loads the eBPF object, fills in its configuration
//! (our tgid, `-s`, filters, struct offsets from BTF, tracepoint layouts from tracefs),
//! attaches the selected events' programs and hands out the ring buffer and counters.

use anyhow::{Context as _, anyhow, bail};
use aya::maps::lpm_trie::{Key, LpmTrie};
use aya::{
    Ebpf, EbpfLoader,
    maps::{HashMap, MapData, PerCpuArray},
    programs::TracePoint,
};
use sockscope_common::{
    COMM_LEN, COMM_MATCH_EXCLUDE, COMM_MATCH_INCLUDE, CommKey, Config, EventId, MAX_SNAPLEN,
    PID_FILTER_MAP, PID_FILTER_NONE, counter, scope,
};

use crate::{btf::Btf, events::EventDef, tracefs};

/// The eBPF object built from `sockscope-ebpf` by build.rs.
static EBPF_OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/sockscope"));

/// What to load and attach.
pub struct LoadOptions<'a> {
    pub events: &'a [&'static EventDef],
    pub snaplen: u32,
    /// Trace only these tgids (and, with `follow_forks`, their descendants); empty: all.
    pub pids: &'a [u32],
    pub follow_forks: bool,
    /// Ring buffer size in bytes (power of two, multiple of the page size).
    pub ringbuf_bytes: u32,
    /// Wake the consumer only when this many bytes wait (0: per record).
    pub wakeup_bytes: u32,
    /// Re-read destination addresses at exit (TOCTOU detection).
    pub toctou: bool,
    /// Further kernel-side scope (all ANDed with the process filter).
    pub scope: &'a Scope,
    /// `-y` count: 1 captures each descriptor's inode, 2 (`-yy`) its socket too.
    pub yflag: u8,
    /// The descriptors are shown as strace's `-y`/`-yy` show them: as they are when the call
    /// begins (an unbound UDP socket's first sendto binds it), so no exit-only capture.
    pub descriptors_at_entry: bool,
    /// -T: attach the data calls' entry programs (their start time).
    pub timing: bool,
    /// Count per flow in the kernel (sock:sock_send_length / sock_recv_length; see flows.rs).
    pub flows: bool,
}

/// Who to trace beyond `-p`: checked in the kernel at each call's entry, before any memory is
/// read or any record reserved.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    pub tids: Vec<u32>,
    /// `(pattern, include)`: an exact comm, or a prefix when it ends with `*`.
    pub comms: Vec<(String, bool)>,
    pub uids: Vec<u32>,
    /// cgroup v2 ids (inode numbers of the cgroup directories).
    pub cgroups: Vec<u64>,
}

impl Scope {
    fn bits(&self) -> u32 {
        let mut b = 0;
        if !self.tids.is_empty() {
            b |= scope::TIDS;
        }
        if self.comms.iter().any(|c| c.1) {
            b |= scope::COMM_INCLUDE;
        }
        if self.comms.iter().any(|c| !c.1) {
            b |= scope::COMM_EXCLUDE;
        }
        if !self.uids.is_empty() {
            b |= scope::UIDS;
        }
        if !self.cgroups.is_empty() {
            b |= scope::CGROUPS;
        }
        b
    }
}

/// The COMMS trie key of a `--comm` pattern: `NAME` exact (with its NUL) or `NAME*` prefix.
pub fn comm_key(pattern: &str) -> anyhow::Result<Key<CommKey>> {
    let (name, prefix) = match pattern.strip_suffix('*') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    if name.len() >= COMM_LEN || name.contains('*') || (!prefix && name.is_empty()) {
        bail!(
            "--comm '{pattern}': a process name has at most {} bytes; '*' only at the end",
            COMM_LEN - 1
        );
    }
    let mut data = [0u8; COMM_LEN];
    data[..name.len()].copy_from_slice(name.as_bytes());
    let bits = 8 * (name.len() + usize::from(!prefix)) as u32;
    Ok(Key::new(bits, data))
}

/// The cgroup v2 id of a cgroup directory (absolute, or relative to where cgroup v2 is
/// mounted: /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host).
pub fn cgroup_id(path: &str) -> anyhow::Result<u64> {
    use std::os::unix::fs::MetadataExt;
    let on_cgroup2 = |p: &std::path::Path| {
        std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).is_ok_and(|c| {
            // SAFETY: statfs fills the struct for a NUL-terminated path.
            let mut sfs: libc::statfs = unsafe { std::mem::zeroed() };
            (unsafe { libc::statfs(c.as_ptr(), &mut sfs) }) == 0
                && sfs.f_type == libc::CGROUP2_SUPER_MAGIC
        })
    };
    // An absolute path of a cgroup v2 directory as it is; anything else (a relative name,
    // `/` or `/system.slice`) under the cgroup v2 mount point, else under /sys/fs/cgroup.
    let rel = path.trim_start_matches('/');
    let mut candidates = Vec::new();
    if path.starts_with('/') {
        candidates.push(std::path::PathBuf::from(path));
    }
    if let Some(root) = crate::privs::cgroup2_root() {
        candidates.push(root.join(rel));
    }
    candidates.push(std::path::Path::new("/sys/fs/cgroup").join(rel));
    let p = candidates
        .iter()
        .find(|c| c.is_dir() && on_cgroup2(c))
        .or(candidates.iter().find(|c| c.exists()))
        .unwrap_or(&candidates[0])
        .clone();
    let md = std::fs::metadata(&p).with_context(|| format!("--cgroup {path}"))?;
    if !md.is_dir() {
        bail!("--cgroup {path}: not a cgroup directory");
    }
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes())?;
    // SAFETY: statfs fills the struct for a NUL-terminated path.
    let mut sfs: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(c.as_ptr(), &mut sfs) } != 0 || sfs.f_type != libc::CGROUP2_SUPER_MAGIC
    {
        bail!(
            "--cgroup {path}: {} is not on a cgroup v2 file system",
            p.display()
        );
    }
    Ok(md.ino())
}

pub struct Loaded {
    ebpf: Ebpf,
    /// (program name, link) of every attachment, for a parallel detach.
    links: Vec<(&'static str, aya::programs::trace_point::TracePointLinkId)>,
    /// The same for the BTF tracepoint programs (data.rs).
    btf_links: Vec<(&'static str, aya::programs::tp_btf::BtfTracePointLinkId)>,
    pub ring: super::ring::Ring,
    counters: PerCpuArray<MapData, u64>,
    pub attached: usize,
}

/// Kernel-side counts, summed over CPUs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counters {
    pub lost_ringbuf: u64,
    pub lost_noslot: u64,
    pub lost_pids_full: u64,
    pub sent: u64,
    /// Calls that were in progress when sockscope attached (see `counter::IN_PROGRESS`).
    pub in_progress: u64,
}

/// The entry programs that exit-only capture leaves out (issue 12: sendto, sendmsg, sendmmsg
/// and recvfrom read their buffers and addresses at exit, arguments from the saved user
/// registers).
const EXIT_ONLY_ENTRIES: [&str; 4] = [
    "sys_enter_sendto",
    "sys_enter_sendmsg",
    "sys_enter_sendmmsg",
    "sys_enter_recvfrom",
];

/// Exit-only capture needs no entry for TOCTOU (the address read twice), -T (the entry time) or
/// -y/-yy (the descriptor as the call found it), and the saved registers where the kernel side
/// loads them.
fn exit_only_ok(btf: &crate::btf::Btf, opts: &LoadOptions) -> bool {
    !opts.toctou
        && !opts.timing
        && !opts.descriptors_at_entry
        && crate::data_config::pt_regs_mismatches(btf).is_empty()
}

/// Checks what loading needs, with one clear message per missing piece.
pub fn preflight() -> anyhow::Result<()> {
    // Root or CAP_BPF + CAP_PERFMON (+ CAP_DAC_READ_SEARCH for tracefs): one line naming
    // whatever is missing.
    crate::privs::check_tracing()?;
    if !std::path::Path::new("/sys/kernel/btf/vmlinux").exists() {
        bail!(
            "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing); sockscope needs CONFIG_DEBUG_INFO_BTF=y"
        );
    }
    if EBPF_OBJECT.is_empty() {
        bail!(
            "this sockscope binary was built without its eBPF programs (AYA_BUILD_SKIP); rebuild it"
        );
    }
    Ok(())
}

pub fn load(opts: &LoadOptions) -> anyhow::Result<Loaded> {
    preflight()?;
    tracefs::ensure_mounted()?;
    // aya's parse of the kernel BTF (the BTF tracepoints of data.rs name their attach type in
    // it, and EbpfLoader relocates with it) on another core while ours resolves the offsets.
    // One parse each, never more at once: ours is dropped before EbpfLoader::new parses a
    // third copy, which `.btf` then replaces with this one (three live parses cost 23 MiB of
    // peak RSS; in line, attaching took ~70 ms longer).
    let kernel_btf = std::thread::spawn(aya::Btf::from_sys_fs);
    let btf = Btf::from_sys_fs().context("reading kernel BTF")?;
    let fork_parent = tracefs::field_offset("sched", "sched_process_fork", "parent_pid");
    let fork_child = tracefs::field_offset("sched", "sched_process_fork", "child_pid");
    // The per-thread identity cache needs both hooks that tell it what changed (lifecycle.rs):
    // without them every call reads comm, cgroup id and ppid afresh.
    let rename_pid = tracefs::field_offset("task", "task_rename", "pid");
    let rename_newcomm = tracefs::field_offset("task", "task_rename", "newcomm");
    let id_cache = rename_pid.is_some()
        && rename_newcomm.is_some()
        && tracefs::field_offset("cgroup", "cgroup_attach_task", "pid").is_some();
    let cfg = Config {
        self_tgid: std::process::id(),
        snaplen: opts.snaplen.min(MAX_SNAPLEN) + 1,
        pid_filter: if opts.pids.is_empty() {
            PID_FILTER_NONE
        } else {
            PID_FILTER_MAP
        },
        wakeup_bytes: opts.wakeup_bytes,
        off_task_real_parent: btf.offset_of("task_struct", "real_parent").unwrap_or(0),
        off_task_tgid: btf.offset_of("task_struct", "tgid").unwrap_or(0),
        follow_forks: (opts.follow_forks && fork_parent.is_some() && fork_child.is_some()) as u32,
        off_fork_parent_pid: fork_parent.unwrap_or(0),
        off_fork_child_pid: fork_child.unwrap_or(0),
        off_exit_group_dead: tracefs::field_offset("sched", "sched_process_exit", "group_dead")
            .unwrap_or(0),
        toctou: opts.toctou as u32,
        exit_only: exit_only_ok(&btf, opts) as u32,
        scope: opts.scope.bits(),
        off_task_pending_signal: btf.offset_of("task_struct", "pending.signal").unwrap_or(0),
        optmem_max: crate::decode::cmsg::host_optmem_max().min(u32::MAX as u64) as u32,
        id_cache: id_cache as u32,
        off_rename_pid: rename_pid.unwrap_or(0),
        off_rename_newcomm: rename_newcomm.unwrap_or(0),
        off_task_cred: btf.offset_of("task_struct", "cred").unwrap_or(0),
        off_cred_uid: btf.offset_of("cred", "uid").unwrap_or(0),
        off_cred_gid: btf.offset_of("cred", "gid").unwrap_or(0),
    };
    if opts.follow_forks && cfg.follow_forks == 0 {
        bail!(
            "cannot follow forks: sched_process_fork has no parent_pid/child_pid fields on this kernel"
        );
    }
    // The socket is always read (level 2, as -yy): netlink buffers are decoded by the socket's
    // netlink protocol, as strace does without -y. `-y`/`-yy` only choose what is shown.
    // Without -y/-yy, --json or an endpoint filter (`yflag` is `endpoints::capture_level`),
    // only netlink sockets need the capture: the kernel side stops at the family otherwise.
    let (mut sock_offsets, unresolved) = crate::sock_offsets::resolve(&btf, 2);
    sock_offsets.netlink_only = (opts.yflag == 0) as u32;
    if !unresolved.is_empty() && opts.yflag > 0 {
        eprintln!(
            "sockscope: -y: not in this kernel's BTF, shown as unknown: {}",
            unresolved.join(", ")
        );
    }
    let data_cfg = crate::data_config::resolve(&btf, opts.events, opts.timing)?;
    let (flow_cfg, flow_offsets) = crate::flows::load_config(&btf, opts.flows)?;
    let path_offsets = crate::data_config::resolve_path(&btf, opts.yflag);
    drop(btf);
    let kernel_btf = kernel_btf
        .join()
        .map_err(|_| anyhow!("the BTF-parsing thread panicked"))?
        .context("reading kernel BTF")?;
    let mut ebpf = EbpfLoader::new()
        .btf(Some(&kernel_btf))
        .override_global("CONFIG", &cfg, true)
        .override_global("SOCK_OFFSETS", &sock_offsets, true)
        .override_global("FLOW_CONFIG", &flow_cfg, true)
        .override_global("FLOW_OFFSETS", &flow_offsets, true)
        .override_global("DATA_CONFIG", &data_cfg, true)
        .override_global("PATH_OFFSETS", &path_offsets, true)
        .map_max_entries("EVENTS", opts.ringbuf_bytes)
        .load(EBPF_OBJECT)
        .context("loading the eBPF object")?;

    if !opts.pids.is_empty() {
        let mut pids: HashMap<_, u32, u8> = HashMap::try_from(
            ebpf.map_mut("PIDS")
                .ok_or_else(|| anyhow!("PIDS map missing"))?,
        )?;
        for &p in opts.pids {
            pids.insert(p, 1, 0)
                .with_context(|| format!("adding pid {p} to the filter"))?;
        }
    }

    fill_scope(&mut ebpf, opts.scope)?;

    let mut attached = 0;
    let mut links = Vec::new();
    let mut hooks: Vec<(&'static str, &'static str)> =
        opts.events.iter().flat_map(|e| e.programs()).collect();
    // The data calls: -T adds their entry programs; read and readv (write and writev) share
    // one tracepoint, attached once.
    if opts.timing {
        hooks.extend(
            opts.events
                .iter()
                .filter_map(|e| crate::events::timing_hook(e.id)),
        );
    }
    // Exit-only calls: their entry programs stay unattached; what they need from inside the
    // call the socket tracepoints note for their exit (data.rs `note`): recvfrom's in-length
    // (needed), the sends' socket (saves the walk from the descriptor).
    if cfg.exit_only != 0 {
        hooks.retain(|h| !EXIT_ONLY_ENTRIES.contains(&h.1));
        for e in opts.events {
            match e.id {
                EventId::Recvfrom => hooks.push(("sock", "sock_recv_length")),
                // Only where the family alone is wanted (sock.rs `family_hint_used`).
                EventId::Sendto | EventId::Sendmsg | EventId::Sendmmsg if opts.yflag == 0 => {
                    hooks.push(("sock", "sock_send_length"))
                }
                _ => {}
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    hooks.retain(|h| seen.insert(*h));
    // The data calls' socket hooks are BTF tracepoint programs (data.rs), attached below.
    let data_tps: Vec<&'static str> = hooks
        .iter()
        .filter(|h| h.0 == "sock")
        .map(|h| h.1)
        .collect();
    hooks.retain(|h| h.0 != "sock");
    // Lifecycle hooks: slot cleanup always, fork following when filtering by process.
    hooks.push(("sched", "sched_process_exit"));
    if cfg.id_cache != 0 {
        hooks.push(("task", "task_rename"));
        hooks.push(("cgroup", "cgroup_attach_task"));
    }
    if cfg.pid_filter == PID_FILTER_MAP && cfg.follow_forks != 0 {
        hooks.push(("sched", "sched_process_fork"));
    }
    if opts.flows && !crate::flows::use_raw() {
        hooks.extend(crate::flows::HOOKS);
    }
    // Every program to attach, and the mmsg steps, verified in parallel first.
    let mut wanted: std::collections::HashSet<&str> = hooks.iter().map(|h| h.1).collect();
    for tp in &data_tps {
        wanted.insert(crate::data_config::program_of(tp)?);
    }
    for (event, step) in MMSG_STEP_PROGRAMS {
        if opts.events.iter().any(|e| e.id == event) {
            wanted.insert(step);
        }
    }
    if opts.flows && crate::flows::use_raw() {
        wanted.extend(crate::flows::RAW_HOOKS.iter().map(|h| h.0));
    }
    preload(&mut ebpf, &wanted, &kernel_btf)?;
    // Before anything is attached, so that no call finds the step programs missing.
    load_mmsg_steps(&mut ebpf, opts.events)?;

    let mut btf_links = Vec::new();
    for tp in data_tps {
        let name = crate::data_config::program_of(tp)?;
        let prog: &mut aya::programs::BtfTracePoint = verified(&mut ebpf, name)?;
        let link = prog
            .attach()
            .with_context(|| format!("attaching to BTF tracepoint sock:{tp}"))?;
        btf_links.push((name, link));
        attached += 1;
    }
    for (category, name) in hooks {
        let prog: &mut TracePoint = verified(&mut ebpf, name)?;
        let link = prog
            .attach(category, name)
            .with_context(|| format!("attaching to tracepoint {category}:{name}"))?;
        links.push((name, link));
        attached += 1;
    }

    if opts.flows && crate::flows::use_raw() {
        for (prog, tp) in crate::flows::RAW_HOOKS {
            let p: &mut aya::programs::RawTracePoint = verified(&mut ebpf, prog)?;
            // The link stays with the program; dropping the object detaches it.
            p.attach(tp)
                .with_context(|| format!("attaching to raw tracepoint {tp}"))?;
            attached += 1;
        }
    }

    let ring = match ebpf.take_map("EVENTS") {
        Some(aya::maps::Map::RingBuf(m)) => super::ring::Ring::new(m)?,
        _ => return Err(anyhow!("EVENTS ring buffer map missing")),
    };
    let counters = PerCpuArray::try_from(
        ebpf.take_map("COUNTERS")
            .ok_or_else(|| anyhow!("COUNTERS map missing"))?,
    )?;
    Ok(Loaded {
        ebpf,
        links,
        btf_links,
        ring,
        counters,
        attached,
    })
}

/// Program `name` of the object as its type `P`, verified by `preload` (the one place that
/// loads programs).
fn verified<'e, P>(ebpf: &'e mut Ebpf, name: &str) -> anyhow::Result<&'e mut P>
where
    &'e mut P: TryFrom<&'e mut aya::programs::Program, Error = aya::programs::ProgramError>,
{
    let prog = ebpf
        .program_mut(name)
        .ok_or_else(|| anyhow!("program {name} missing from the eBPF object"))?;
    anyhow::ensure!(
        prog.fd().is_ok(),
        "program {name} was not verified before being attached"
    );
    Ok(prog.try_into()?)
}

/// The mmsg calls' per-message step programs.
const MMSG_STEP_PROGRAMS: [(sockscope_common::EventId, &str); 2] = [
    (sockscope_common::EventId::Sendmmsg, "sendmmsg_step"),
    (sockscope_common::EventId::Recvmmsg, "recvmmsg_step"),
];

/// Verifies the programs named in `names` in parallel, one thread each. Verification is nearly
/// all of the time to attach (measured ~1 s in all for the default set, the largest programs
/// 0.1–0.35 s each) and the kernel verifies different programs independently, so the cores
/// share it. The attach steps then find the programs loaded.
fn preload(
    ebpf: &mut Ebpf,
    names: &std::collections::HashSet<&str>,
    kernel_btf: &aya::Btf,
) -> anyhow::Result<()> {
    use aya::programs::Program;
    let progs: Vec<(&str, &mut Program)> = ebpf
        .programs_mut()
        .filter(|(n, _)| names.contains(n))
        .collect();
    std::thread::scope(|scope| {
        let jobs: Vec<_> = progs
            .into_iter()
            .map(|(name, p)| {
                scope.spawn(move || -> anyhow::Result<()> {
                    let r = match p {
                        Program::TracePoint(t) => t.load(),
                        Program::RawTracePoint(t) => t.load(),
                        Program::BtfTracePoint(t) => {
                            let tp = crate::data_config::tracepoint_of(name).ok_or_else(|| {
                                anyhow!("BTF tracepoint program {name} has no tracepoint")
                            })?;
                            t.load(tp, kernel_btf)
                        }
                        _ => return Ok(()),
                    };
                    r.with_context(|| format!("loading program {name} (verifier)"))
                })
            })
            .collect();
        for j in jobs {
            j.join()
                .map_err(|_| anyhow!("a program-loading thread panicked"))??;
        }
        Ok(())
    })
}

/// Loads the per-message step programs of the selected mmsg calls into `MMSG_STEPS`.
fn load_mmsg_steps(ebpf: &mut Ebpf, events: &[&'static EventDef]) -> anyhow::Result<()> {
    use aya::maps::ProgramArray;
    use sockscope_common::{STEP_RECVMMSG, STEP_SENDMMSG};
    let mut fds = Vec::new();
    for ((event, name), index) in MMSG_STEP_PROGRAMS
        .into_iter()
        .zip([STEP_SENDMMSG, STEP_RECVMMSG])
    {
        if !events.iter().any(|e| e.id == event) {
            continue;
        }
        let prog: &mut TracePoint = verified(ebpf, name)?;
        fds.push((index, prog.fd()?.try_clone()?));
    }
    if fds.is_empty() {
        return Ok(());
    }
    let mut steps = ProgramArray::try_from(
        ebpf.map_mut("MMSG_STEPS")
            .ok_or_else(|| anyhow!("MMSG_STEPS map missing"))?,
    )?;
    for (index, fd) in &fds {
        steps.set(*index, fd, 0).context("filling MMSG_STEPS")?;
    }
    Ok(())
}

fn fill_scope(ebpf: &mut Ebpf, sc: &Scope) -> anyhow::Result<()> {
    fn map<'m>(ebpf: &'m mut Ebpf, name: &str) -> anyhow::Result<&'m mut aya::maps::Map> {
        ebpf.map_mut(name)
            .ok_or_else(|| anyhow!("{name} map missing"))
    }
    let mut tids: HashMap<_, u32, u8> = HashMap::try_from(map(ebpf, "TIDS")?)?;
    for &t in &sc.tids {
        tids.insert(t, 1, 0)
            .with_context(|| format!("--tid {t}: the tid map is full"))?;
    }
    let mut uids: HashMap<_, u32, u8> = HashMap::try_from(map(ebpf, "UIDS")?)?;
    for &u in &sc.uids {
        uids.insert(u, 1, 0)
            .with_context(|| format!("--uid {u}: the uid map is full"))?;
    }
    let mut cgroups: HashMap<_, u64, u8> = HashMap::try_from(map(ebpf, "CGROUPS")?)?;
    for &c in &sc.cgroups {
        cgroups
            .insert(c, 1, 0)
            .with_context(|| "--cgroup: the cgroup map is full")?;
    }
    let mut comms: LpmTrie<_, CommKey, u8> = LpmTrie::try_from(map(ebpf, "COMMS")?)?;
    for (pattern, include) in &sc.comms {
        let v = if *include {
            COMM_MATCH_INCLUDE
        } else {
            COMM_MATCH_EXCLUDE
        };
        comms
            .insert(&comm_key(pattern)?, v, 0)
            .with_context(|| format!("--comm {pattern}: the comm map is full"))?;
    }
    Ok(())
}

impl Loaded {
    /// The processes the kernel-side filter currently follows (the `-p` pids, `-- CMD`, and
    /// with -f their descendants; the exit hook removes each when its process exits).
    pub fn followed_pids(&self) -> Vec<u32> {
        let Some(map) = self.ebpf.map("PIDS") else {
            return Vec::new();
        };
        match HashMap::<_, u32, u8>::try_from(map) {
            Ok(pids) => pids.keys().filter_map(Result::ok).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Every flow the kernel counted (`FLOWS`), and how many new flows it could not keep.
    pub fn read_flows(
        &self,
    ) -> (
        Vec<(
            sockscope_common::flows::FlowKey,
            sockscope_common::flows::FlowVal,
        )>,
        u64,
    ) {
        use sockscope_common::flows::{FlowKey, FlowVal};
        let mut out = Vec::new();
        if let Some(map) = self.ebpf.map("FLOWS")
            && let Ok(flows) = HashMap::<_, FlowKey, FlowVal>::try_from(map)
        {
            out.extend(flows.iter().filter_map(Result::ok));
        }
        let lost = self
            .ebpf
            .map("FLOW_LOST")
            .and_then(|m| PerCpuArray::<_, u64>::try_from(m).ok())
            .and_then(|a| a.get(&0, 0).ok())
            .map(|v| v.iter().sum())
            .unwrap_or(0);
        (out, lost)
    }

    pub fn counters(&self) -> Counters {
        let sum = |idx: u32| -> u64 {
            self.counters
                .get(&idx, 0)
                .map(|v| v.iter().sum())
                .unwrap_or(0)
        };
        Counters {
            lost_ringbuf: sum(counter::LOST_RINGBUF),
            lost_noslot: sum(counter::LOST_NOSLOT),
            lost_pids_full: sum(counter::LOST_PIDS_FULL),
            sent: sum(counter::SENT),
            in_progress: sum(counter::IN_PROGRESS),
        }
    }

    /// Detaches every program. Each detach waits for an RCU grace period in the kernel (tens
    /// of milliseconds here), so the links are closed in parallel, then the object is dropped.
    pub fn detach(mut self) {
        let mut owned = Vec::new();
        for (name, id) in self.links.drain(..) {
            let prog: Option<&mut TracePoint> =
                self.ebpf.program_mut(name).and_then(|p| p.try_into().ok());
            if let Some(link) = prog.and_then(|p| p.take_link(id).ok()) {
                owned.push(link);
            }
        }
        let mut owned_btf = Vec::new();
        for (name, id) in self.btf_links.drain(..) {
            let prog: Option<&mut aya::programs::BtfTracePoint> =
                self.ebpf.program_mut(name).and_then(|p| p.try_into().ok());
            if let Some(link) = prog.and_then(|p| p.take_link(id).ok()) {
                owned_btf.push(link);
            }
        }
        let threads: Vec<_> = owned
            .into_iter()
            .map(|l| std::thread::spawn(move || drop(l)))
            .chain(
                owned_btf
                    .into_iter()
                    .map(|l| std::thread::spawn(move || drop(l))),
            )
            .collect();
        for t in threads {
            let _ = t.join();
        }
        // Then empty the program array (no program runs any more: no tail call is cut short)
        // before closing the object. Its entries hold the step programs, and the kernel
        // otherwise clears it only when the last user reference goes (deferred to a work
        // queue): a tool opening the map by id in between (bpftool, a monitor) keeps it, and
        // the step programs with it, alive after we are gone. Emptied here, nothing of ours
        // is referenced from the map when the object is dropped.
        if let Some(map) = self.ebpf.map_mut("MMSG_STEPS")
            && let Ok(mut steps) = aya::maps::ProgramArray::try_from(map)
        {
            for index in [
                sockscope_common::STEP_SENDMMSG,
                sockscope_common::STEP_RECVMMSG,
            ] {
                let _ = steps.clear_index(&index);
            }
        }
        drop(self.ebpf);
    }
}
