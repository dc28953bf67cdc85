//! The trace command: load and attach, consume the ring buffer (a plain poll loop), render each
//! record and write it to the sink, then report the summary with what was lost.

use std::{
    io::{self, Write},
    os::fd::AsRawFd,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use anyhow::Context as _;

use crate::{
    cli::{StatusFilter, TraceArgs},
    config::Config,
    filter::Filter,
    launch, loader,
    record::Record,
    render::{
        Clock, RenderOpts, json,
        summary::{Summary, Written},
        text,
    },
};

/// Longest wait for the first record when the ring buffer is empty (also how often the end
/// conditions are checked).
const POLL_IDLE_MS: i32 = 50;
/// Pause after a small batch, so that records are handled (and written) in batches.
const TRICKLE_PAUSE_MS: u64 = 5;
/// A batch this large means the producers are fast: drain again at once.
const BUSY_BATCH: u64 = 2048;

/// Writes rendered records; a closed pipe ends the run quietly, any other write error ends it
/// with that error. Lines are gathered in our own buffer and written in one `write_all` per
/// batch, so that the lines known to have reached the output can be counted exactly.
struct Sink {
    out: std::fs::File,
    /// Lines are rendered straight into it (`render_line`), not copied from a line buffer.
    buf: String,
    /// Lines in `buf`.
    pending: u64,
    /// Lines given to the sink that a failed write lost.
    failed: u64,
    closed: bool,
    /// The write error that closed the sink (None for a closed pipe).
    error: Option<io::Error>,
}

/// Flush the batch buffer when it holds this much.
const SINK_BATCH: usize = 1 << 16;

impl Sink {
    fn new(out: std::fs::File) -> Sink {
        Sink {
            out,
            buf: String::with_capacity(SINK_BATCH + 4096),
            pending: 0,
            failed: 0,
            closed: false,
            error: None,
        }
    }

    fn write_line(&mut self, line: &str) {
        self.render_line(|buf| buf.push_str(line));
    }

    /// Appends one line written by `render` (without its newline) to the batch.
    fn render_line(&mut self, render: impl FnOnce(&mut String)) {
        if self.closed {
            return;
        }
        render(&mut self.buf);
        self.buf.push('\n');
        self.pending += 1;
        if self.buf.len() >= SINK_BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.closed || self.buf.is_empty() {
            return;
        }
        if let Err(e) = self.out.write_all(self.buf.as_bytes()) {
            self.failed = self.pending;
            self.on_error(e);
        }
        self.buf.clear();
        self.pending = 0;
    }

    fn on_error(&mut self, e: io::Error) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            self.error = Some(e);
        }
        self.closed = true;
    }
}

/// Why the trace loop ended early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    /// SIGINT, SIGTERM or SIGHUP.
    Signal(libc::c_int),
    /// The output is a pipe whose reader is gone (`| head`).
    OutputClosed,
    /// Writing the output failed (`-o /dev/full`).
    WriteError,
    /// The ring buffer holds a record no kernel could have written: nothing after it can be
    /// read.
    RingCorrupt,
}

/// How long the command sockscope started gets to end after the stop signal before SIGKILL.
const CHILD_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Where the trace goes (`-o`): FILE, `-` for stdout; without `-o`, stderr when sockscope
/// starts the command (whose stdout stays its own, as with strace), else stdout.
fn open_output(args: &TraceArgs) -> anyhow::Result<std::fs::File> {
    use std::os::fd::AsFd as _;
    let dup = |fd: std::os::fd::BorrowedFd| -> anyhow::Result<std::fs::File> {
        Ok(std::fs::File::from(fd.try_clone_to_owned()?))
    };
    match args.output.as_deref() {
        Some(p) if p == std::path::Path::new("-") => dup(io::stdout().as_fd()),
        Some(p) => {
            std::fs::File::create(p).with_context(|| format!("-o {}", crate::escape::path(p)))
        }
        None if !args.command.is_empty() => dup(io::stderr().as_fd()),
        None => dup(io::stdout().as_fd()),
    }
}

/// One message line on stderr; never fails (stderr may be closed: `2>&-`, `2>&1 | head`).
pub fn diag(msg: &str) {
    let mut e = io::stderr().lock();
    let _ = e.write_all(msg.as_bytes()).and_then(|_| e.write_all(b"\n"));
}

/// Runs the trace; returns the process exit status.
pub fn trace(args: TraceArgs) -> anyhow::Result<i32> {
    run(Config::from_args(args)?)
}

/// Launches, loops until the end, reports.
fn run(cfg: Config) -> anyhow::Result<i32> {
    let args = &cfg.args;
    let filter = cfg.filter.as_ref();
    let count_only = cfg.count_only;
    let mut progress = crate::stats::Progress::start(cfg.stats_interval);
    let targets = &cfg.targets;
    let mut sink = Sink::new(open_output(args)?);

    // Caught from here on: a stop before the command runs abandons it; after, it is passed on.
    let stop = Arc::new(AtomicUsize::new(0));
    for sig in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register_usize(sig, stop.clone(), sig as usize)?;
    }

    let held = match &cfg.command {
        Some(path) => Some(launch::spawn_held(path, &args.command, cfg.user.as_ref())?),
        None => None,
    };
    let mut pids = targets.pids.clone();
    if let Some(h) = &held {
        pids.push(h.pid);
    }
    let opts = cfg.load_options(&pids, args.follow || held.is_some());
    // SIGUSR1 (print the stats line once) is caught from before the load on, so one that comes
    // while the programs are being attached does not kill sockscope.
    let usr1 = Arc::new(std::sync::atomic::AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGUSR1, usr1.clone())?;
    let loaded = match loader::load(&opts) {
        Ok(l) => l,
        Err(e) => {
            if let Some(h) = held {
                h.abandon();
            }
            return Err(e);
        }
    };
    if !args.quiet && !count_only {
        diag(&format!("sockscope: attached {} programs", loaded.attached));
    }
    let child = match (held, &cfg.command) {
        (Some(h), Some(path)) => {
            if stop.load(Ordering::Relaxed) != 0 {
                h.abandon();
                loaded.detach();
                return Ok(128 + stop.load(Ordering::Relaxed) as i32);
            }
            Some(h.release(path)?)
        }
        _ => None,
    };
    let counts = std::cell::RefCell::new(crate::count::Counts::default());

    crate::genl::register();
    let view = View {
        ropts: cfg.render_opts(Clock::now()),
        json: args.json,
        status: cfg.sel.status,
        filter,
        count: cfg.count.as_ref().map(|_| &counts),
        quiet: count_only,
    };
    crate::decode::set_global_opts(cfg.global_opts());
    let mut loaded = loaded;
    let mut summary = Summary::default();
    let fd = loaded.ring.as_raw_fd();
    let mut child_status = None;
    let follow = args.follow || child.is_some();
    let mut drained = 0;
    let mut next_check = std::time::Instant::now();
    let mut stopped = None;
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
        drained = drain(&mut loaded.ring, &mut sink, &view, &mut summary);
        if drained > 0 {
            sink.flush();
        }
        let sig = stop.load(Ordering::Relaxed);
        if sig != 0 {
            stopped = Some(Stop::Signal(sig as libc::c_int));
            break;
        }
        if loaded.ring.corrupt().is_some() {
            stopped = Some(Stop::RingCorrupt);
            break;
        }
        if sink.closed {
            stopped = Some(if sink.error.is_some() {
                Stop::WriteError
            } else {
                Stop::OutputClosed
            });
            break;
        }
        let now = std::time::Instant::now();
        if progress.due(now) || usr1.swap(false, Ordering::Relaxed) {
            let c = loaded.counters();
            let (line, rec) = progress.report(
                summary.events,
                summary.captured,
                c.lost_ringbuf + c.lost_noslot,
                now,
            );
            diag(&line);
            if args.json {
                sink.write_line(&rec.to_string());
                sink.flush();
            }
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
            (None, _) if targets.watch.is_empty() => false,
            (None, _) if follow => !follows_any(&loaded),
            (None, _) => !targets.watch.iter().any(|&p| launch::running(p)),
        };
        if done {
            break;
        }
    }
    // Stopped early: the command sockscope started is stopped too, as strace does (with the
    // signal sockscope got; SIGPIPE when its output was closed; SIGTERM after a write error),
    // and its status is the one reported.
    if let (Some(pid), None, Some(why)) = (child, child_status, stopped) {
        let sig = match why {
            Stop::Signal(s) => s,
            Stop::OutputClosed => libc::SIGPIPE,
            Stop::WriteError | Stop::RingCorrupt => libc::SIGTERM,
        };
        child_status = Some(launch::stop_child(pid, sig, CHILD_GRACE));
    }
    // The last records of an exited child may still be in flight.
    drain(&mut loaded.ring, &mut sink, &view, &mut summary);
    let c = loaded.counters();
    summary.lost = c.lost_ringbuf + c.lost_noslot;
    drain(&mut loaded.ring, &mut sink, &view, &mut summary);
    // The tables go where strace puts its -c table: the -o file, else stderr.
    let table_out = |sink: &mut Sink, text: &str| {
        if args.output.is_some() {
            sink.write_line(text.trim_end_matches('\n'));
        } else {
            sink.flush();
            let _ = io::stderr().lock().write_all(text.as_bytes());
        }
    };
    if let Some(o) = &cfg.count {
        if args.json {
            sink.write_line(&counts.borrow().json(o).to_string());
        } else {
            table_out(&mut sink, &counts.borrow().table(o));
        }
    }
    let mut flows_lost = 0;
    if cfg.flows {
        let (raw, lost) = loaded.read_flows();
        flows_lost = lost;
        // The filter selects flows too when it names only what a flow has (pid, comm, the
        // socket's fields); a filter on per-call fields (event, len, dport...) leaves them all.
        let flows = crate::flows::collect(raw, filter.filter(|f| f.applies_to_flows()));
        if args.json {
            for f in &flows {
                sink.write_line(&f.json(&view.ropts.clock).to_string());
            }
        } else {
            table_out(
                &mut sink,
                &crate::flows::table(&flows, lost, &view.ropts.clock),
            );
        }
    }
    if args.json {
        sink.write_line(&summary.json(&c, flows_lost).to_string());
    }
    sink.flush();
    // Met in the loop or in the last drains: reported once, and the run fails.
    let corrupt = loaded.ring.corrupt();
    if let Some((pos, word)) = corrupt {
        diag(&format!(
            "sockscope: the ring buffer holds a record of impossible length (header \
             {word:#010x} at position {pos}); the events after it cannot be read"
        ));
    }
    loaded.detach();
    if let Some(e) = &sink.error {
        // The system's message without Rust's " (os error N)".
        let text = e.to_string();
        let text = text.split(" (os error").next().unwrap_or(&text);
        diag(&format!("sockscope: writing output: {text}"));
    }
    let written = Written {
        failed: sink.failed,
        error: sink.error.is_some(),
    };
    if let Some(line) = summary.line(&c, written, count_only) {
        diag(&line);
    }
    if sink.error.is_some() || corrupt.is_some() {
        return Ok(1);
    }
    Ok(match (child, stopped) {
        (Some(_), _) => child_status.unwrap_or(0),
        (None, Some(Stop::Signal(_) | Stop::OutputClosed)) | (None, None) => 0,
        (None, Some(Stop::WriteError | Stop::RingCorrupt)) => 1,
    })
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
    /// -c/-C: the per-call counts.
    count: Option<&'a std::cell::RefCell<crate::count::Counts>>,
    /// -c alone: count, print nothing per call.
    quiet: bool,
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
    ring: &mut crate::kernel::ring::Ring,
    sink: &mut Sink,
    view: &View,
    summary: &mut Summary,
) -> u64 {
    ring.drain(|item| {
        if Record::parse_with(item, |rec| show(rec, sink, view, summary)).is_err() {
            summary.undecodable += 1;
        }
    })
}

/// One parsed record: counted, filtered, rendered.
#[inline(always)]
fn show(rec: &Record, sink: &mut Sink, view: &View, summary: &mut Summary) {
    if sink.closed {
        // The output is gone (the run is ending): not shown, not counted.
        return;
    }
    summary.captured += 1;
    if !view.wants(rec) {
        return;
    }
    summary.events += 1;
    if let Some(c) = view.count {
        c.borrow_mut().add(rec);
    }
    if view.quiet {
        return;
    }
    sink.render_line(|buf| {
        if view.json {
            json::write_event(buf, rec, &view.ropts);
        } else {
            text::line(buf, rec, &view.ropts);
        }
    });
}
