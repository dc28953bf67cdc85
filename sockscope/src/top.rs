//! `sockscope top`: the busiest flows and processes, live.
//!
//! Counting is done in the kernel (`sockscope-ebpf/src/flows.rs`, on the socket tracepoints
//! `sock:sock_send_length` / `sock_recv_length`): per process × socket, bytes, calls and errors
//! each way, first and last seen. No syscall tracepoint is attached, nothing per call is sent
//! to user space; this program reads the flow map once per interval, derives the rates from
//! two readings and draws them (ratatui over crossterm), or with `-b` prints plain snapshots.
//! Totals are counted from the start of the run and never reset.

use std::{
    collections::HashMap,
    ffi::OsString,
    io::Write as _,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context as _;
use clap::Args;
use serde_json::json;
use sockscope_common::flows::FlowKey;

use crate::{
    filter::Filter,
    flows::{self, Flow},
    launch,
    loader::{self, LoadOptions},
    render::{Clock, comm},
};

#[derive(Args, Debug)]
pub struct TopArgs {
    /// Batch mode: print plain snapshots instead of the interactive screen.
    #[arg(short = 'b')]
    pub batch: bool,

    /// Stop after N snapshots.
    #[arg(short = 'n', value_name = "N")]
    pub iterations: Option<u64>,

    /// Seconds between snapshots.
    #[arg(short = 'd', value_name = "SECS", default_value_t = 1.0)]
    pub delay: f64,

    /// With -b: each snapshot as JSON records (one per flow, then a sockscope_top record).
    #[arg(long)]
    pub json: bool,

    /// Count only these processes (all their threads); repeatable.
    #[arg(short = 'p', value_name = "PID")]
    pub pid: Vec<u32>,

    /// Also count the descendants of the -p processes (on with CMD).
    #[arg(short = 'f')]
    pub follow: bool,

    /// Only this thread id; repeatable.
    #[arg(long = "tid", value_name = "TID")]
    pub tid: Vec<u32>,

    /// Only processes with this name (exact, or NAME*); repeatable.
    #[arg(long = "comm", value_name = "NAME")]
    pub comm: Vec<String>,

    /// Never processes with this name (exact, or NAME*); repeatable.
    #[arg(long = "exclude-comm", value_name = "NAME")]
    pub exclude_comm: Vec<String>,

    /// Only processes running as this user id; repeatable.
    #[arg(long = "uid", value_name = "UID")]
    pub uid: Vec<u32>,

    /// Only processes in this cgroup v2; repeatable.
    #[arg(long = "cgroup", value_name = "PATH")]
    pub cgroup: Vec<String>,

    /// Show only flows matching EXPR (pid, comm, proto, laddr, lport, raddr, rport, peer).
    #[arg(long = "filter", value_name = "EXPR")]
    pub filter: Option<String>,

    /// Command to start and count with its descendants; top ends when they have exited.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

/// A `--filter` for flows: only the fields a flow has.
fn flow_filter(expr: &str) -> Result<Filter, String> {
    let f = Filter::parse(expr).map_err(|e| e.to_string())?;
    if !f.applies_to_flows() {
        return Err(format!(
            "--filter '{expr}': top shows flows; use only pid, comm, proto, laddr, lport, raddr, rport, peer"
        ));
    }
    Ok(f)
}

/// One flow in a snapshot: its counters and the rates since the previous snapshot.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    pub flow: Flow,
    /// Bytes/s and calls/s sent and received.
    pub rates: [f64; 4],
}

/// A process: its flows summed.
#[derive(Clone, Debug, Default)]
pub struct ProcRow {
    pub pid: u32,
    pub comm: String,
    pub flows: usize,
    pub totals: flows::Totals,
    pub rates: [f64; 4],
}

/// What the previous reading said, to derive rates.
#[derive(Default)]
struct Prev {
    at: Option<Instant>,
    vals: HashMap<FlowKey, [u64; 4]>,
}

fn counters(f: &Flow) -> [u64; 4] {
    [
        f.val.bytes_sent,
        f.val.bytes_recv,
        f.val.calls_sent,
        f.val.calls_recv,
    ]
}

impl Prev {
    /// Rows for `flows`, with rates against the previous reading (the first reading: rates
    /// over the time since start).
    fn rows(&mut self, flows: Vec<Flow>, now: Instant, start: Instant) -> Vec<Row> {
        let dt = now
            .duration_since(self.at.unwrap_or(start))
            .as_secs_f64()
            .max(1e-3);
        let rows = flows
            .into_iter()
            .map(|flow| {
                let c = counters(&flow);
                let p = self.vals.get(&flow.key).copied().unwrap_or([0; 4]);
                let mut rates = [0.0; 4];
                for i in 0..4 {
                    rates[i] = c[i].saturating_sub(p[i]) as f64 / dt;
                }
                Row { flow, rates }
            })
            .collect::<Vec<_>>();
        self.vals = rows
            .iter()
            .map(|r| (r.flow.key, counters(&r.flow)))
            .collect();
        self.at = Some(now);
        rows
    }
}

pub fn processes(rows: &[Row]) -> Vec<ProcRow> {
    let mut m: HashMap<u32, ProcRow> = HashMap::new();
    for r in rows {
        let p = m.entry(r.flow.key.tgid).or_insert_with(|| ProcRow {
            pid: r.flow.key.tgid,
            comm: comm(&r.flow.val.comm),
            ..ProcRow::default()
        });
        p.flows += 1;
        let t = flows::totals(std::slice::from_ref(&r.flow));
        p.totals.bytes_sent += t.bytes_sent;
        p.totals.bytes_recv += t.bytes_recv;
        p.totals.calls_sent += t.calls_sent;
        p.totals.calls_recv += t.calls_recv;
        p.totals.errors += t.errors;
        for (acc, x) in p.rates.iter_mut().zip(r.rates) {
            *acc += x;
        }
    }
    m.into_values().collect()
}

/// Sort orders (key `s` cycles through them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortBy {
    BytesRate,
    CallsRate,
    Bytes,
    Calls,
    Pid,
}

impl SortBy {
    fn next(self) -> SortBy {
        match self {
            SortBy::BytesRate => SortBy::CallsRate,
            SortBy::CallsRate => SortBy::Bytes,
            SortBy::Bytes => SortBy::Calls,
            SortBy::Calls => SortBy::Pid,
            SortBy::Pid => SortBy::BytesRate,
        }
    }

    fn name(self) -> &'static str {
        match self {
            SortBy::BytesRate => "bytes/s",
            SortBy::CallsRate => "calls/s",
            SortBy::Bytes => "total bytes",
            SortBy::Calls => "total calls",
            SortBy::Pid => "pid",
        }
    }

    /// A descending key (pid ascending).
    fn key(self, rates: &[f64; 4], t: &flows::Totals, pid: u32) -> f64 {
        match self {
            SortBy::BytesRate => rates[0] + rates[1],
            SortBy::CallsRate => rates[2] + rates[3],
            SortBy::Bytes => (t.bytes_sent + t.bytes_recv) as f64,
            SortBy::Calls => (t.calls_sent + t.calls_recv) as f64,
            SortBy::Pid => -(pid as f64),
        }
    }
}

fn sort_rows(rows: &mut [Row], by: SortBy) {
    rows.sort_by(|a, b| {
        let ka = by.key(
            &a.rates,
            &flows::totals(std::slice::from_ref(&a.flow)),
            a.flow.key.tgid,
        );
        let kb = by.key(
            &b.rates,
            &flows::totals(std::slice::from_ref(&b.flow)),
            b.flow.key.tgid,
        );
        kb.total_cmp(&ka)
            .then(b.flow.bytes().cmp(&a.flow.bytes()))
            .then(a.flow.key.tgid.cmp(&b.flow.key.tgid))
    });
}

fn sort_procs(procs: &mut [ProcRow], by: SortBy) {
    procs.sort_by(|a, b| {
        by.key(&b.rates, &b.totals, b.pid)
            .total_cmp(&by.key(&a.rates, &a.totals, a.pid))
            .then(a.pid.cmp(&b.pid))
    });
}

/// 1234 → "1234", 12345 → "12.1K", ...: at most 6 characters.
pub fn human(v: f64) -> String {
    const UNITS: [&str; 5] = ["", "K", "M", "G", "T"];
    let mut v = v;
    let mut u = 0;
    while v >= 10000.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{:.0}", v)
    } else {
        format!("{:.1}{}", v, UNITS[u])
    }
}

/// One snapshot's figures.
struct Snapshot {
    rows: Vec<Row>,
    totals: flows::Totals,
    rates: [f64; 4],
    lost: u64,
}

fn snapshot(rows: Vec<Row>, lost: u64) -> Snapshot {
    let all: Vec<Flow> = rows.iter().map(|r| r.flow).collect();
    let mut rates = [0.0; 4];
    for r in &rows {
        for (acc, x) in rates.iter_mut().zip(r.rates) {
            *acc += x;
        }
    }
    Snapshot {
        totals: flows::totals(&all),
        rows,
        rates,
        lost,
    }
}

fn totals_line(s: &Snapshot, clock: &Clock, now_mono: u64) -> String {
    let t = &s.totals;
    format!(
        "sockscope top - {}  flows: {}  processes: {}  sent: {} B ({} B/s, {} calls)  received: {} B ({} B/s, {} calls)  errors: {}  lost: {}",
        flows::hms(clock, now_mono).get(..8).unwrap_or(""),
        s.rows.len(),
        processes(&s.rows).len(),
        t.bytes_sent,
        human(s.rates[0]),
        t.calls_sent,
        t.bytes_recv,
        human(s.rates[1]),
        t.calls_recv,
        t.errors,
        s.lost
    )
}

fn batch_text(out: &mut String, s: &Snapshot, clock: &Clock) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "{}", totals_line(s, clock, crate::render::mono_ns()));
    let _ = writeln!(
        out,
        "{:>7} {:<15} {:<7} {:<45} {:>8} {:>8} {:>7} {:>7} {:>12} {:>12} {:>8} {:>8} {:>6}",
        "PID",
        "COMM",
        "PROTO",
        "LOCAL <-> PEER",
        "SENT B/s",
        "RECV B/s",
        "SENT/s",
        "RECV/s",
        "BYTES SENT",
        "BYTES RECV",
        "SENT",
        "RECV",
        "ERRORS"
    );
    for r in &s.rows {
        let f = &r.flow;
        let _ = writeln!(
            out,
            "{:>7} {:<15} {:<7} {:<45} {:>8} {:>8} {:>7} {:>7} {:>12} {:>12} {:>8} {:>8} {:>6}",
            f.key.tgid,
            comm(&f.val.comm),
            f.proto().unwrap_or_else(|| "?".into()),
            format!(
                "{} <-> {}",
                flows::endpoint_text(&f.local()),
                flows::endpoint_text(&f.peer())
            ),
            human(r.rates[0]),
            human(r.rates[1]),
            human(r.rates[2]),
            human(r.rates[3]),
            f.val.bytes_sent,
            f.val.bytes_recv,
            f.val.calls_sent,
            f.val.calls_recv,
            f.val.errors
        );
    }
    out.push('\n');
}

fn batch_json(out: &mut String, s: &Snapshot, clock: &Clock, n: u64) {
    use std::fmt::Write as _;
    let r1 = |x: f64| (x * 10.0).round() / 10.0;
    for r in &s.rows {
        let mut v = r.flow.json(clock);
        v["snapshot"] = json!(n);
        v["bytesSentPerSec"] = json!(r1(r.rates[0]));
        v["bytesReceivedPerSec"] = json!(r1(r.rates[1]));
        v["callsSentPerSec"] = json!(r1(r.rates[2]));
        v["callsReceivedPerSec"] = json!(r1(r.rates[3]));
        let _ = writeln!(out, "{v}");
    }
    let t = &s.totals;
    let v = json!({
        "eventName": "sockscope_top",
        "snapshot": n,
        "timestamp": clock.wall_ns(crate::render::mono_ns()) as i64,
        "flows": s.rows.len(),
        "processes": processes(&s.rows).len(),
        "bytesSent": t.bytes_sent,
        "bytesReceived": t.bytes_recv,
        "callsSent": t.calls_sent,
        "callsReceived": t.calls_recv,
        "errors": t.errors,
        "bytesSentPerSec": r1(s.rates[0]),
        "bytesReceivedPerSec": r1(s.rates[1]),
        "callsSentPerSec": r1(s.rates[2]),
        "callsReceivedPerSec": r1(s.rates[3]),
        "lost": s.lost,
    });
    let _ = writeln!(out, "{v}");
}

pub fn run(args: TopArgs) -> anyhow::Result<i32> {
    let mut filter = match &args.filter {
        Some(expr) => Some(flow_filter(expr).map_err(|e| anyhow::anyhow!(e))?),
        None => None,
    };
    if !args.command.is_empty() && !args.pid.is_empty() {
        anyhow::bail!("-p and a command cannot be combined");
    }
    if !(args.delay.is_finite() && args.delay >= 0.05 && args.delay <= 3600.0) {
        anyhow::bail!("-d {}: expected seconds between 0.05 and 3600", args.delay);
    }
    if args.iterations == Some(0) {
        anyhow::bail!("-n 0: expected at least one snapshot");
    }
    if args.json && !args.batch {
        anyhow::bail!("--json needs -b (batch mode)");
    }
    for &p in &args.pid {
        if !launch::alive(p) {
            anyhow::bail!("-p {p}: no such process");
        }
    }
    use std::io::IsTerminal as _;
    if !(args.batch || std::io::stdout().is_terminal() && std::io::stdin().is_terminal()) {
        anyhow::bail!("top: not a terminal; use -b for plain snapshots");
    }
    let scope = crate::config::scope(
        &args.tid,
        &args.comm,
        &args.exclude_comm,
        &args.uid,
        &args.cgroup,
    )?;
    loader::preflight()?;
    let resolved = match args.command.first() {
        Some(cmd) => Some(launch::resolve(cmd)?),
        None => None,
    };
    let held = match &resolved {
        Some(path) => Some(launch::spawn_held(path, &args.command, None)?),
        None => None,
    };
    let mut pids = args.pid.clone();
    if let Some(h) = &held {
        pids.push(h.pid);
    }
    let opts = LoadOptions {
        events: &[],
        snaplen: 0,
        pids: &pids,
        follow_forks: args.follow || held.is_some(),
        ringbuf_bytes: 1 << 16,
        wakeup_bytes: 0,
        toctou: false,
        scope: &scope,
        yflag: 0,
        descriptors_at_entry: false,
        flows: true,
        timing: false,
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
    if args.batch {
        // As the trace command does (the interactive screen would be overwritten by it).
        crate::run::diag(&format!("sockscope: attached {} programs", loaded.attached));
    }
    let child = match (held, &resolved) {
        (Some(h), Some(path)) => Some(h.release(path)?),
        _ => None,
    };
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, stop.clone())?;
    }
    let clock = Clock::now();
    let start = Instant::now();
    let delay = Duration::from_secs_f64(args.delay);
    let mut prev = Prev::default();
    let mut child_status = None;
    let follow = args.follow || child.is_some();
    // Whether what top counts is gone (then: one last snapshot, and exit).
    let mut finished = |loaded: &loader::Loaded| -> bool {
        if let Some(pid) = child
            && child_status.is_none()
        {
            child_status = launch::try_wait(pid);
        }
        let followed_alive = || loaded.followed_pids().into_iter().any(launch::running);
        match (child, child_status) {
            (Some(_), Some(_)) => !followed_alive(),
            (Some(_), None) => false,
            (None, _) if args.pid.is_empty() => false,
            (None, _) if follow => !followed_alive(),
            (None, _) => !args.pid.iter().any(|&p| launch::running(p)),
        }
    };
    let result = if args.batch {
        let mut out = std::io::BufWriter::new(std::io::stdout());
        let mut n = 0u64;
        let mut text = String::new();
        loop {
            let deadline = Instant::now() + delay;
            let mut done = false;
            while Instant::now() < deadline {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                if finished(&loaded) {
                    done = true;
                    break;
                }
                std::thread::sleep(
                    Duration::from_millis(20).min(deadline - Instant::now().min(deadline)),
                );
            }
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let (raw, lost) = loaded.read_flows();
            let rows = prev.rows(flows::collect(raw, filter.as_ref()), Instant::now(), start);
            let s = snapshot(rows, lost);
            n += 1;
            text.clear();
            if args.json {
                batch_json(&mut text, &s, &clock, n);
            } else {
                batch_text(&mut text, &s, &clock);
            }
            if out
                .write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .is_err()
            {
                break;
            }
            if done || args.iterations.is_some_and(|max| n >= max) {
                break;
            }
        }
        Ok(())
    } else {
        tui(
            &loaded,
            &mut prev,
            &mut filter,
            &args,
            &clock,
            start,
            &stop,
            &mut finished,
        )
    };
    loaded.detach();
    result?;
    Ok(child_status.unwrap_or(0))
}

/// The interactive screen.
#[allow(clippy::too_many_arguments)]
fn tui(
    loaded: &loader::Loaded,
    prev: &mut Prev,
    filter: &mut Option<Filter>,
    args: &TopArgs,
    clock: &Clock,
    start: Instant,
    stop: &AtomicBool,
    finished: &mut dyn FnMut(&loader::Loaded) -> bool,
) -> anyhow::Result<()> {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    let mut terminal = ratatui::try_init().context("setting up the terminal")?;
    let mut state = Screen {
        procs: false,
        sort: SortBy::BytesRate,
        input: None,
        message: String::new(),
        message_until: Instant::now(),
    };
    let delay = Duration::from_secs_f64(args.delay);
    let mut snap = {
        let (raw, lost) = loaded.read_flows();
        snapshot(
            prev.rows(flows::collect(raw, filter.as_ref()), Instant::now(), start),
            lost,
        )
    };
    let mut next = Instant::now() + delay;
    let mut n = 0u64;
    let res = (|| -> anyhow::Result<()> {
        loop {
            terminal.draw(|f| draw(f, &snap, &state, clock, filter.as_ref()))?;
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            let wait = next.saturating_duration_since(Instant::now());
            if event::poll(wait.min(Duration::from_millis(200)))? {
                if let Event::Key(k) = event::read()?
                    && k.kind == KeyEventKind::Press
                {
                    if let Some(buf) = &mut state.input {
                        match k.code {
                            KeyCode::Enter => {
                                state.message_until = Instant::now() + Duration::from_secs(3);
                                let text = buf.trim().to_string();
                                state.input = None;
                                if text.is_empty() {
                                    *filter = None;
                                    state.message = "filter cleared".into();
                                } else {
                                    match flow_filter(&text) {
                                        Ok(f) => {
                                            *filter = Some(f);
                                            state.message = format!("filter: {text}");
                                        }
                                        Err(e) => state.message = e,
                                    }
                                }
                                next = Instant::now();
                            }
                            KeyCode::Esc => state.input = None,
                            KeyCode::Backspace => {
                                buf.pop();
                            }
                            KeyCode::Char(c) => buf.push(c),
                            _ => {}
                        }
                        continue;
                    }
                    match k.code {
                        KeyCode::Char('q') | KeyCode::Esc => return Ok(()),
                        KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                            return Ok(());
                        }
                        KeyCode::Tab | KeyCode::Char('v') => state.procs = !state.procs,
                        KeyCode::Char('s') => state.sort = state.sort.next(),
                        KeyCode::Char('/') => {
                            state.input = Some(
                                filter
                                    .as_ref()
                                    .map(|f| f.source().to_string())
                                    .unwrap_or_default(),
                            )
                        }
                        _ => {}
                    }
                }
                continue;
            }
            if Instant::now() >= next {
                let (raw, lost) = loaded.read_flows();
                snap = snapshot(
                    prev.rows(flows::collect(raw, filter.as_ref()), Instant::now(), start),
                    lost,
                );
                n += 1;
                next = Instant::now() + delay;
                if args.iterations.is_some_and(|max| n >= max) || finished(loaded) {
                    terminal.draw(|f| draw(f, &snap, &state, clock, filter.as_ref()))?;
                    return Ok(());
                }
            }
        }
    })();
    ratatui::try_restore().ok();
    res
}

/// `local <-> peer` when it fits in `w` characters; else the compact `:lport>peer` (a UNIX
/// path by its last component), cut at the left with `…` if it still does not fit.
pub fn ends_text(f: &Flow, w: usize) -> String {
    let (l, p) = (f.local(), f.peer());
    let full = format!(
        "{} <-> {}",
        flows::endpoint_text(&l),
        flows::endpoint_text(&p)
    );
    if full.chars().count() <= w {
        return full;
    }
    let short = |e: &flows::Endpoint, local: bool| -> String {
        match e {
            flows::Endpoint::Ip { port, .. } if local => format!(":{port}"),
            flows::Endpoint::Unix { path: Some(p) } => {
                p.rsplit('/').next().unwrap_or(p).to_string()
            }
            flows::Endpoint::Unix { path: None } => "unnamed".into(),
            other => flows::endpoint_text(other),
        }
    };
    let compact = format!("{}>{}", short(&l, true), short(&p, false));
    let n = compact.chars().count();
    if n <= w {
        return compact;
    }
    let tail: String = compact.chars().skip(n - (w - 1)).collect();
    format!("…{tail}")
}

struct Screen {
    procs: bool,
    sort: SortBy,
    /// The filter being typed after '/'.
    input: Option<String>,
    message: String,
    /// When `message` stops being shown.
    message_until: Instant,
}

fn draw(
    f: &mut ratatui::Frame,
    snap: &Snapshot,
    st: &Screen,
    clock: &Clock,
    filter: Option<&Filter>,
) {
    use ratatui::{
        layout::{Constraint, Layout},
        style::{Modifier, Style},
        text::Line,
        widgets::{Cell, Paragraph, Row as TRow, Table},
    };
    let area = f.area();
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let t = &snap.totals;
    let procs = processes(&snap.rows);
    let header = vec![
        Line::from(format!(
            "sockscope top {}  {} flows, {} processes  sort: {}  lost: {}",
            flows::hms(clock, crate::render::mono_ns())
                .get(..8)
                .unwrap_or(""),
            snap.rows.len(),
            procs.len(),
            st.sort.name(),
            snap.lost
        )),
        Line::from(format!(
            "sent {:>7}B/s {:>7} calls/s  total {}B {} calls",
            human(snap.rates[0]),
            human(snap.rates[2]),
            human(t.bytes_sent as f64),
            t.calls_sent
        )),
        Line::from(format!(
            "recv {:>7}B/s {:>7} calls/s  total {}B {} calls  errors {}",
            human(snap.rates[1]),
            human(snap.rates[3]),
            human(t.bytes_recv as f64),
            t.calls_recv,
            t.errors
        )),
    ];
    f.render_widget(Paragraph::new(header), head);
    let bold = Style::default().add_modifier(Modifier::REVERSED);
    let rate_cells = |r: &[f64; 4]| {
        [
            Cell::from(format!("{:>8}", human(r[0]))),
            Cell::from(format!("{:>8}", human(r[1]))),
            Cell::from(format!("{:>6}", human(r[2]))),
            Cell::from(format!("{:>6}", human(r[3]))),
        ]
    };
    if st.procs {
        let mut ps = procs;
        sort_procs(&mut ps, st.sort);
        let rows = ps.iter().map(|p| {
            let mut cells = vec![
                Cell::from(format!("{:>7}", p.pid)),
                Cell::from(p.comm.clone()),
                Cell::from(format!("{:>5}", p.flows)),
            ];
            cells.extend(rate_cells(&p.rates));
            cells.push(Cell::from(format!(
                "{:>8}",
                human(p.totals.bytes_sent as f64)
            )));
            cells.push(Cell::from(format!(
                "{:>8}",
                human(p.totals.bytes_recv as f64)
            )));
            TRow::new(cells)
        });
        let widths = [
            Constraint::Length(7),
            Constraint::Min(8),
            Constraint::Length(5),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(8),
            Constraint::Length(8),
        ];
        let table = Table::new(rows, widths).header(
            TRow::new(vec![
                "    PID", "COMM", "FLOWS", "  TX B/s", "  RX B/s", "  TX/s", "  RX/s", "  TX TOT",
                "  RX TOT",
            ])
            .style(bold),
        );
        f.render_widget(table, body);
    } else {
        let mut rows_v = snap.rows.clone();
        sort_rows(&mut rows_v, st.sort);
        // The endpoints column gets what the fixed columns leave (7+10+5+8+8+6+6 and the
        // 8 gaps: 58 of 80).
        let ends_w = (body.width as usize).saturating_sub(58).max(16);
        let rows = rows_v.iter().map(|r| {
            let fl = &r.flow;
            let mut cells = vec![
                Cell::from(format!("{:>7}", fl.key.tgid)),
                Cell::from(comm(&fl.val.comm)),
                Cell::from(fl.proto().unwrap_or_else(|| "?".into())),
                Cell::from(ends_text(fl, ends_w)),
            ];
            cells.extend(rate_cells(&r.rates));
            TRow::new(cells)
        });
        let widths = [
            Constraint::Length(7),
            Constraint::Length(10),
            Constraint::Length(5),
            Constraint::Min(16),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(6),
            Constraint::Length(6),
        ];
        let table = Table::new(rows, widths).header(
            TRow::new(vec![
                "    PID",
                "COMM",
                "PROTO",
                "LOCAL <-> PEER",
                "  TX B/s",
                "  RX B/s",
                "  TX/s",
                "  RX/s",
            ])
            .style(bold),
        );
        f.render_widget(table, body);
    }
    let footer = match &st.input {
        Some(buf) => format!("filter: {buf}_  (Enter apply, empty clears, Esc cancel)"),
        None if !st.message.is_empty() && Instant::now() < st.message_until => st.message.clone(),
        None => format!(
            "q quit  s sort  Tab flows/processes  / filter{}",
            filter
                .map(|f| format!("  [{}]", f.source()))
                .unwrap_or_default()
        ),
    };
    f.render_widget(Paragraph::new(footer), foot);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_is_short() {
        assert_eq!(human(0.0), "0");
        assert_eq!(human(9999.0), "9999");
        assert_eq!(human(10240.0), "10.0K");
        assert_eq!(human(5.0 * 1024.0 * 1024.0 * 1024.0), "5120.0M");
        assert!(human(1e18).len() <= 9);
    }

    #[test]
    fn endpoints_fit_their_column() {
        // SAFETY: plain data.
        let mut val: sockscope_common::flows::FlowVal = unsafe { std::mem::zeroed() };
        val.family = 2;
        val.known = sockscope_common::flows::fk::COMMON;
        val.laddr[..4].copy_from_slice(&[127, 0, 0, 1]);
        val.raddr[..4].copy_from_slice(&[127, 0, 0, 1]);
        val.lport = 42672;
        val.rport = 443;
        let f = Flow {
            key: FlowKey::default(),
            val,
        };
        assert_eq!(ends_text(&f, 80), "127.0.0.1:42672 <-> 127.0.0.1:443");
        assert_eq!(ends_text(&f, 22), ":42672>127.0.0.1:443");
        assert_eq!(ends_text(&f, 10), "…0.0.1:443");
    }

    #[test]
    fn sort_cycles() {
        let mut s = SortBy::BytesRate;
        for _ in 0..5 {
            s = s.next();
        }
        assert_eq!(s, SortBy::BytesRate);
    }
}
