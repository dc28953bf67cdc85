//! The trace command's arguments turned into a validated configuration: every argument error
//! is found here, before anything is loaded or started, as one line (`run` then launches and
//! loops). The checks run in a fixed order, so that of several errors the same one is
//! reported every time.

use std::path::PathBuf;
use std::time::Duration;

use crate::{
    cli::{self, Selection, TraceArgs},
    count::CountOpts,
    decode::{GlobalOpts, Style, XlatStyle},
    filter::Filter,
    launch,
    loader::{self, LoadOptions, Scope},
    privs::Creds,
    render::{Clock, RenderOpts},
    targets::Targets,
};

/// A trace run, validated.
pub struct Config {
    /// `-e`: the calls traced, `status=`, `verbose=`.
    pub sel: Selection,
    pub filter: Option<Filter>,
    /// `-c` / `-C`: the table's options (`-S`, `-U`).
    pub count: Option<CountOpts>,
    /// `-c` alone: the table, no calls.
    pub count_only: bool,
    /// `--summary flows`.
    pub flows: bool,
    /// `--stats-interval`.
    pub stats_interval: Option<Duration>,
    /// `--ringbuf-mib`, in bytes.
    pub ringbuf_bytes: u32,
    /// `-p`, resolved.
    pub targets: Targets,
    /// `--tid`, `--comm`, `--exclude-comm`, `--uid`, `--cgroup`.
    pub scope: Scope,
    /// `-u USER`: whom the command runs as.
    pub user: Option<Creds>,
    /// The command's resolved path (`-- CMD`; its arguments are `args.command`).
    pub command: Option<PathBuf>,
    /// The options that need no validation beyond clap's, as given.
    pub args: TraceArgs,
}

impl Config {
    /// Validates `args` (the same checks, in the same order and with the same messages, as
    /// before the run started).
    pub fn from_args(args: TraceArgs) -> anyhow::Result<Config> {
        let sel = cli::parse_exprs(&args.expr).map_err(|e| anyhow::anyhow!(e))?;
        let filter = match &args.filter {
            Some(expr) => Some(Filter::parse(expr).map_err(|e| anyhow::anyhow!("{e}"))?),
            None => None,
        };
        if !args.command.is_empty() && !args.pid.is_empty() {
            anyhow::bail!("-p and a command cannot be combined");
        }
        if args.user.is_some() && args.command.is_empty() {
            anyhow::bail!("-u USER applies to a command started by sockscope (-- CMD)");
        }
        // -c / -C (count.rs), --summary flows (flows.rs), --stats-interval (stats.rs).
        let count = if args.count || args.count_and_trace {
            Some(
                CountOpts::parse(args.sortby.as_deref(), args.columns.as_deref())
                    .map_err(|e| anyhow::anyhow!(e))?,
            )
        } else {
            None
        };
        let stats_interval = crate::stats::interval(args.stats_interval)?;
        if !args.ringbuf_mib.is_power_of_two() || args.ringbuf_mib > 1024 {
            anyhow::bail!("--ringbuf-mib must be a power of two up to 1024");
        }
        let targets = crate::targets::resolve_pids(&args.pid, args.follow)?;
        let mut scope = scope(
            &args.tid,
            &args.comm,
            &args.exclude_comm,
            &args.uid,
            &args.cgroup,
        )?;
        scope.tids.extend(&targets.tids);
        // Whether this machine can trace at all (privileges, BTF, the eBPF object).
        loader::preflight()?;
        let user = match &args.user {
            Some(u) => {
                crate::privs::check_switch_user()?;
                Some(crate::privs::resolve_user(u)?)
            }
            None => None,
        };
        let command = match args.command.first() {
            Some(cmd) => Some(launch::resolve(cmd)?),
            None => None,
        };
        Ok(Config {
            sel,
            filter,
            count,
            count_only: args.count && !args.count_and_trace,
            flows: args.summary.iter().any(|s| s == "flows"),
            stats_interval,
            ringbuf_bytes: args.ringbuf_mib << 20,
            targets,
            scope,
            user,
            command,
            args,
        })
    }

    /// What the loader needs: `pids` are the processes to trace (`-p` and the started
    /// command), `follow_forks` whether their children are traced too.
    pub fn load_options<'a>(&'a self, pids: &'a [u32], follow_forks: bool) -> LoadOptions<'a> {
        let a = &self.args;
        LoadOptions {
            events: &self.sel.events,
            snaplen: a.strsize,
            pids,
            follow_forks,
            ringbuf_bytes: self.ringbuf_bytes,
            wakeup_bytes: 64 << 10,
            // `--filter toctou` needs the check it reads.
            toctou: a.toctou || self.filter.as_ref().is_some_and(|f| f.uses_toctou()),
            scope: &self.scope,
            // -c/-C sum the calls' times: the data calls need their entry programs for that.
            timing: a.duration || a.count || a.count_and_trace,
            yflag: crate::endpoints::capture_level(a.yflag, a.json, self.filter.as_ref()),
            descriptors_at_entry: a.yflag > 0,
            flows: self.flows,
        }
    }

    /// How the calls are rendered (`-s`, `-x`, `-T`, `-y`, `-t`/`-r`, `-a`, `-e verbose=`).
    pub fn render_opts(&self, clock: Clock) -> RenderOpts {
        let a = &self.args;
        let mut ropts = RenderOpts::new(
            Style {
                max_strlen: a.strsize as usize,
                xflag: a.hex.min(2),
            },
            a.duration,
            clock,
        )
        .with_yflag(a.yflag)
        .with_time(a.time_format())
        .with_acolumn(a.acolumn.unwrap_or(0) as usize);
        for d in crate::events::EVENTS.iter() {
            if !self.sel.verbose.iter().any(|v| v.id == d.id) {
                ropts.nonverbose |= 1u64 << (d.id as u16 as u32).min(63);
            }
        }
        ropts
    }

    /// The decoders' process-wide options (`-v`, `-X`).
    pub fn global_opts(&self) -> GlobalOpts {
        GlobalOpts {
            abbrev: !self.args.verbose,
            xlat: match self.args.xlat.as_deref() {
                Some("raw") => XlatStyle::Raw,
                Some("verbose") => XlatStyle::Verbose,
                _ => XlatStyle::Abbrev,
            },
        }
    }
}

/// The kernel-side scope of `--tid`, `--comm`, `--exclude-comm`, `--uid` and `--cgroup`
/// (cgroup paths resolved, comm patterns checked); the trace and `top` share it.
pub fn scope(
    tids: &[u32],
    comm: &[String],
    exclude_comm: &[String],
    uids: &[u32],
    cgroups: &[String],
) -> anyhow::Result<Scope> {
    let scope = Scope {
        tids: tids.to_vec(),
        comms: comm
            .iter()
            .map(|c| (c.clone(), true))
            .chain(exclude_comm.iter().map(|c| (c.clone(), false)))
            .collect(),
        uids: uids.to_vec(),
        cgroups: cgroups
            .iter()
            .map(|p| loader::cgroup_id(p))
            .collect::<anyhow::Result<_>>()?,
    };
    for (pattern, _) in &scope.comms {
        loader::comm_key(pattern)?;
    }
    Ok(scope)
}
