//! The only code that touches the kernel: loads the eBPF object, fills in its configuration
//! (our tgid, `-s`, filters, struct offsets from BTF, tracepoint layouts from tracefs),
//! attaches the selected events' programs and hands out the ring buffer and counters.

use anyhow::{Context as _, anyhow, bail};
use aya::{
    Ebpf, EbpfLoader,
    maps::{HashMap, MapData, PerCpuArray, RingBuf},
    programs::TracePoint,
};
use sockscope_common::{Config, MAX_SNAPLEN, PID_FILTER_MAP, PID_FILTER_NONE, counter};

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
}

pub struct Loaded {
    ebpf: Ebpf,
    pub ring: RingBuf<MapData>,
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
}

/// Checks what loading needs, with one clear message per missing piece.
pub fn preflight() -> anyhow::Result<()> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        bail!("must run as root (loading eBPF programs needs CAP_BPF and CAP_PERFMON)");
    }
    if !std::path::Path::new("/sys/kernel/btf/vmlinux").exists() {
        bail!("this kernel has no BTF (/sys/kernel/btf/vmlinux is missing); sockscope needs CONFIG_DEBUG_INFO_BTF=y");
    }
    if EBPF_OBJECT.is_empty() {
        bail!("this sockscope binary was built without its eBPF programs (AYA_BUILD_SKIP); rebuild it");
    }
    Ok(())
}

pub fn load(opts: &LoadOptions) -> anyhow::Result<Loaded> {
    preflight()?;
    tracefs::ensure_mounted()?;
    let btf = Btf::from_sys_fs().context("reading kernel BTF")?;
    let fork_parent = tracefs::field_offset("sched", "sched_process_fork", "parent_pid");
    let fork_child = tracefs::field_offset("sched", "sched_process_fork", "child_pid");
    let cfg = Config {
        self_tgid: std::process::id(),
        snaplen: opts.snaplen.min(MAX_SNAPLEN),
        pid_filter: if opts.pids.is_empty() { PID_FILTER_NONE } else { PID_FILTER_MAP },
        wakeup_bytes: opts.wakeup_bytes,
        off_task_real_parent: btf.offset_of("task_struct", "real_parent").unwrap_or(0),
        off_task_tgid: btf.offset_of("task_struct", "tgid").unwrap_or(0),
        follow_forks: (opts.follow_forks && fork_parent.is_some() && fork_child.is_some()) as u32,
        off_fork_parent_pid: fork_parent.unwrap_or(0),
        off_fork_child_pid: fork_child.unwrap_or(0),
        off_exit_group_dead: tracefs::field_offset("sched", "sched_process_exit", "group_dead").unwrap_or(0),
        toctou: opts.toctou as u32,
    };
    if opts.follow_forks && cfg.follow_forks == 0 {
        bail!("cannot follow forks: sched_process_fork has no parent_pid/child_pid fields on this kernel");
    }
    let mut ebpf = EbpfLoader::new()
        .override_global("CONFIG", &cfg, true)
        .map_max_entries("EVENTS", opts.ringbuf_bytes)
        .load(EBPF_OBJECT)
        .context("loading the eBPF object")?;

    if !opts.pids.is_empty() {
        let mut pids: HashMap<_, u32, u8> =
            HashMap::try_from(ebpf.map_mut("PIDS").ok_or_else(|| anyhow!("PIDS map missing"))?)?;
        for &p in opts.pids {
            pids.insert(p, 1, 0).with_context(|| format!("adding pid {p} to the filter"))?;
        }
    }

    let mut attached = 0;
    let mut hooks: Vec<(&str, &str)> = opts.events.iter().flat_map(|e| e.programs()).collect();
    // Lifecycle hooks: slot cleanup always, fork following when filtering by process.
    hooks.push(("sched", "sched_process_exit"));
    if cfg.pid_filter == PID_FILTER_MAP && cfg.follow_forks != 0 {
        hooks.push(("sched", "sched_process_fork"));
    }
    for (category, name) in hooks {
        let prog: &mut TracePoint = ebpf
            .program_mut(name)
            .ok_or_else(|| anyhow!("program {name} missing from the eBPF object"))?
            .try_into()?;
        prog.load().with_context(|| format!("loading program {name} (verifier)"))?;
        prog.attach(category, name).with_context(|| format!("attaching to tracepoint {category}:{name}"))?;
        attached += 1;
    }

    let ring = RingBuf::try_from(ebpf.take_map("EVENTS").ok_or_else(|| anyhow!("EVENTS map missing"))?)?;
    let counters = PerCpuArray::try_from(ebpf.take_map("COUNTERS").ok_or_else(|| anyhow!("COUNTERS map missing"))?)?;
    Ok(Loaded { ebpf, ring, counters, attached })
}

impl Loaded {
    pub fn counters(&self) -> Counters {
        let sum = |idx: u32| -> u64 { self.counters.get(&idx, 0).map(|v| v.iter().sum()).unwrap_or(0) };
        Counters {
            lost_ringbuf: sum(counter::LOST_RINGBUF),
            lost_noslot: sum(counter::LOST_NOSLOT),
            lost_pids_full: sum(counter::LOST_PIDS_FULL),
            sent: sum(counter::SENT),
        }
    }

    /// Detaches every program (dropping the object closes its links).
    pub fn detach(self) {
        drop(self.ebpf);
    }
}
