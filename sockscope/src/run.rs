//! The trace command: load and attach, consume the ring buffer (a plain poll loop), render each
//! record and write it to the sink, then report the summary with what was lost.

use std::{
    io::{self, Write},
    os::fd::AsRawFd,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use anyhow::Context as _;

use crate::{
    cli::{self, StatusFilter, TraceArgs},
    decode::Style,
    filter::Filter,
    launch,
    loader::{self, LoadOptions, Scope},
    record::Record,
    render::{Clock, RenderOpts, json, text},
};

/// Longest wait for the first record when the ring buffer is empty (also how often the end
/// conditions are checked).
const POLL_IDLE_MS: i32 = 50;
/// Pause after a small batch, so that records are handled (and written) in batches.
const TRICKLE_PAUSE_MS: u64 = 5;
/// A batch this large means the producers are fast: drain again at once.
const BUSY_BATCH: u64 = 2048;

/// Totals reported at the end.
#[derive(Debug, Default)]
pub struct Summary {
    /// Records received from the kernel.
    pub captured: u64,
    /// Records shown (after -e status= and --filter).
    pub events: u64,
    pub undecodable: u64,
    pub lost: u64,
}

/// Writes rendered records; a closed pipe ends the run quietly.
struct Sink {
    out: Box<dyn Write>,
    closed: bool,
}

impl Sink {
    fn write_line(&mut self, line: &str) {
        if self.closed {
            return;
        }
        if let Err(e) = self
            .out
            .write_all(line.as_bytes())
            .and_then(|_| self.out.write_all(b"\n"))
        {
            self.on_error(e);
        }
    }

    fn flush(&mut self) {
        if !self.closed
            && let Err(e) = self.out.flush()
        {
            self.on_error(e);
        }
    }

    fn on_error(&mut self, e: io::Error) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("sockscope: writing output: {e}");
        }
        self.closed = true;
    }
}

/// Runs the trace; returns the process exit status.
pub fn trace(args: TraceArgs) -> anyhow::Result<i32> {
    let sel = cli::parse_exprs(&args.expr).map_err(|e| anyhow::anyhow!(e))?;
    let filter = match &args.filter {
        Some(expr) => Some(Filter::parse(expr).map_err(|e| anyhow::anyhow!("{e}"))?),
        None => None,
    };
    if !args.command.is_empty() && !args.pid.is_empty() {
        anyhow::bail!("-p and a command cannot be combined");
    }
    if !args.ringbuf_mib.is_power_of_two() || args.ringbuf_mib > 1024 {
        anyhow::bail!("--ringbuf-mib must be a power of two up to 1024");
    }
    for &p in &args.pid {
        if !launch::alive(p) {
            anyhow::bail!("-p {p}: no such process");
        }
    }
    let scope = Scope {
        tids: args.tid.clone(),
        comms: args
            .comm
            .iter()
            .map(|c| (c.clone(), true))
            .chain(args.exclude_comm.iter().map(|c| (c.clone(), false)))
            .collect(),
        uids: args.uid.clone(),
        cgroups: args
            .cgroup
            .iter()
            .map(|p| loader::cgroup_id(p))
            .collect::<anyhow::Result<_>>()?,
    };
    for (pattern, _) in &scope.comms {
        loader::comm_key(pattern)?;
    }
    loader::preflight()?;
    let resolved = match args.command.first() {
        Some(cmd) => Some(launch::resolve(cmd)?),
        None => None,
    };
    let out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(io::BufWriter::with_capacity(
            1 << 16,
            std::fs::File::create(p).with_context(|| format!("-o {}", p.display()))?,
        )),
        None => Box::new(io::BufWriter::with_capacity(1 << 16, io::stdout())),
    };
    let mut sink = Sink { out, closed: false };

    let held = match &resolved {
        Some(path) => Some(launch::spawn_held(path, &args.command)?),
        None => None,
    };
    let mut pids = args.pid.clone();
    if let Some(h) = &held {
        pids.push(h.pid);
    }
    let opts = LoadOptions {
        events: &sel.events,
        snaplen: args.strsize,
        pids: &pids,
        follow_forks: args.follow || held.is_some(),
        ringbuf_bytes: args.ringbuf_mib << 20,
        wakeup_bytes: 64 << 10,
        toctou: !args.no_toctou,
        scope: &scope,
        yflag: args.yflag,
    };
    let loaded = match loader::load(&opts) {
        Ok(l) => l,
        Err(e) => {
            if let Some(h) = held {
                h.abandon();
            }
            return Err(e);
        }
    };
    eprintln!("sockscope: attached {} programs", loaded.attached);
    let child = match held {
        Some(h) => Some(h.release()?),
        None => None,
    };

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, stop.clone())?;
    }

    crate::genl::register();
    let view = View {
        ropts: RenderOpts::new(
            Style {
                max_strlen: args.strsize as usize,
                xflag: args.hex.min(2),
            },
            args.duration,
            Clock::now(),
        )
        .with_yflag(args.yflag)
        .with_acolumn(args.acolumn.unwrap_or(0) as usize),
        json: args.json,
        status: sel.status,
        filter: filter.as_ref(),
    };
    let mut view = view;
    for d in crate::events::EVENTS.iter() {
        if !sel.verbose.iter().any(|v| v.id == d.id) {
            view.ropts.nonverbose |= 1u64 << (d.id as u16 as u32).min(63);
        }
    }
    crate::decode::set_global_opts(crate::decode::GlobalOpts {
        abbrev: !args.verbose,
        xlat: match args.xlat.as_deref() {
            Some("raw") => crate::decode::XlatStyle::Raw,
            Some("verbose") => crate::decode::XlatStyle::Verbose,
            _ => crate::decode::XlatStyle::Abbrev,
        },
    });
    let mut loaded = loaded;
    let mut summary = Summary::default();
    let mut line = String::with_capacity(512);
    let fd = loaded.ring.as_raw_fd();
    let mut child_status = None;
    let follow = args.follow || child.is_some();
    let mut drained = 0;
    let mut next_check = std::time::Instant::now();
    loop {
        // A ring buffer is readable whenever one record waits, so polling after every small
        // batch would spin (a poll, a few records and a write per iteration). Idle: block until
        // data or the timeout. Trickling: let records gather for a moment. Busy: go straight on.
        if drained == 0 {
            let mut pfd = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: poll on one valid descriptor.
            unsafe { libc::poll(&mut pfd, 1, POLL_IDLE_MS) };
        } else if drained < BUSY_BATCH {
            std::thread::sleep(std::time::Duration::from_millis(TRICKLE_PAUSE_MS));
        }
        drained = drain(&mut loaded.ring, &mut sink, &mut line, &view, &mut summary);
        if drained > 0 {
            sink.flush();
        }
        if stop.load(Ordering::Relaxed) || sink.closed {
            break;
        }
        // The end conditions cost syscalls (waitpid, a map walk, /proc reads): checked at most
        // every POLL_IDLE_MS, not after every batch.
        let now = std::time::Instant::now();
        if now < next_check {
            continue;
        }
        next_check = now + std::time::Duration::from_millis(POLL_IDLE_MS as u64);
        if let Some(pid) = child
            && child_status.is_none()
        {
            child_status = launch::try_wait(pid);
        }
        let done = match (child, child_status) {
            // The command ran and exited: like strace -f, go on while a descendant lives.
            (Some(_), Some(_)) => !follows_any(&loaded),
            (Some(_), None) => false,
            (None, _) if args.pid.is_empty() => false,
            (None, _) if follow => !follows_any(&loaded),
            (None, _) => !args.pid.iter().any(|&p| launch::running(p)),
        };
        if done {
            break;
        }
    }
    // The last records of an exited child may still be in flight.
    drain(&mut loaded.ring, &mut sink, &mut line, &view, &mut summary);
    let c = loaded.counters();
    summary.lost = c.lost_ringbuf + c.lost_noslot;
    drain(&mut loaded.ring, &mut sink, &mut line, &view, &mut summary);
    if args.json {
        let v = serde_json::json!({
            "eventName": "sockscope_summary",
            "events": summary.events,
            "captured": summary.captured,
            "lost": summary.lost,
            "lostRingbufFull": c.lost_ringbuf,
            "lostNoSlot": c.lost_noslot,
            "forksNotFollowed": c.lost_pids_full,
            "undecodable": summary.undecodable,
        });
        sink.write_line(&v.to_string());
    }
    sink.flush();
    loaded.detach();
    let mut msg = format!(
        "sockscope: {} events, {} lost",
        summary.events, summary.lost
    );
    if summary.captured != summary.events {
        msg += &format!(", {} filtered out", summary.captured - summary.events);
    }
    if c.lost_pids_full > 0 {
        msg += &format!(
            ", {} forked processes not followed (pid map full)",
            c.lost_pids_full
        );
    }
    if summary.undecodable > 0 {
        msg += &format!(", {} undecodable records", summary.undecodable);
    }
    eprintln!("{msg}");
    Ok(child_status.unwrap_or(0))
}

/// Whether any process the kernel side follows is still running.
fn follows_any(loaded: &loader::Loaded) -> bool {
    loaded.followed_pids().into_iter().any(launch::running)
}

/// What decides whether a record is shown, and how.
struct View<'a> {
    ropts: RenderOpts,
    json: bool,
    status: StatusFilter,
    filter: Option<&'a Filter>,
}

impl View<'_> {
    fn wants(&self, rec: &Record) -> bool {
        let failed = rec.header.ret < 0;
        match self.status {
            StatusFilter::Failed if !failed => return false,
            StatusFilter::Successful if failed => return false,
            _ => {}
        }
        self.filter.is_none_or(|f| f.matches(rec))
    }
}

fn drain(
    ring: &mut aya::maps::RingBuf<aya::maps::MapData>,
    sink: &mut Sink,
    line: &mut String,
    view: &View,
    summary: &mut Summary,
) -> u64 {
    let mut n = 0;
    while let Some(item) = ring.next() {
        n += 1;
        let rec = match Record::parse(&item) {
            Ok(r) => r,
            Err(_) => {
                summary.undecodable += 1;
                continue;
            }
        };
        summary.captured += 1;
        if !view.wants(&rec) {
            continue;
        }
        summary.events += 1;
        line.clear();
        if view.json {
            json::write_event(line, &rec, &view.ropts);
        } else {
            text::line(line, &rec, &view.ropts);
        }
        sink.write_line(line);
    }
    n
}
