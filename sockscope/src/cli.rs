//! Command-line interface (clap) and strace-style `-e` expressions.

use std::{ffi::OsString, path::PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::events::{self, EVENTS, EventDef};

#[derive(Parser, Debug)]
#[command(
    name = "sockscope",
    version = crate::VERSION,
    about = "Trace the messages processes send and receive through sockets (sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg; read, write, readv, writev, sendfile, splice, preadv2, pwritev2 on sockets), decoded as strace does, with eBPF.",
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub trace: TraceArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List every event: arguments with types and tags, hooks, related events.
    Events {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of the `--json` events (draft 2020-12).
    Schema,
    /// A live view of the busiest flows and processes (counted in the kernel).
    Top(Box<crate::top::TopArgs>),
}

#[derive(Args, Debug)]
pub struct TraceArgs {
    /// Show at most this many bytes of each buffer (strace's -s; 0..=4096).
    #[arg(short = 's', value_name = "STRSIZE", default_value_t = 32, value_parser = clap::value_parser!(u32).range(0..=4096))]
    pub strsize: u32,

    /// -x: non-ASCII strings in hex; -xx: all strings in hex.
    #[arg(short = 'x', action = clap::ArgAction::Count)]
    pub hex: u8,

    /// Show the time spent in each call (<seconds> at the end of the line).
    #[arg(short = 'T')]
    pub duration: bool,

    /// -y: print the path behind each descriptor (`3<socket:[12345]>`); -yy: with protocol
    /// details for sockets (`3<UDP:[127.0.0.1:40001]>`) and devices (`</dev/null<char 1:3>>`).
    /// Read in the kernel at each call's entry; JSON gets a `socket` object.
    #[arg(short = 'y', action = clap::ArgAction::Count)]
    pub yflag: u8,

    /// strace's -a: align the return value (`= ...`) at this column of the call's text (the
    /// call counted from its name, after sockscope's prefix). Default: no alignment.
    #[arg(short = 'a', value_name = "COLUMN", value_parser = clap::value_parser!(u32).range(0..=4096))]
    pub acolumn: Option<u32>,

    /// strace's -v: unabbreviated output (arrays are not cut after -s elements).
    #[arg(short = 'v')]
    pub verbose: bool,

    /// strace's -X: named constants as `raw` numbers, `abbrev` names (default), or `verbose`
    /// (`0x2 /* AF_INET */`).
    #[arg(short = 'X', value_name = "FORMAT", value_parser = ["raw", "abbrev", "verbose"])]
    pub xlat: Option<String>,

    /// One JSON object per line instead of text.
    #[arg(long)]
    pub json: bool,

    /// Write the trace to FILE ('-': stdout). Default: stderr when sockscope starts the
    /// command (its stdout stays its own, as with strace), stdout otherwise (-p, system-wide).
    #[arg(short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Quiet: no "sockscope: attached N programs" message (the summary stays).
    #[arg(short = 'q')]
    pub quiet: bool,

    /// Time column: -t HH:MM:SS, -tt HH:MM:SS.uuuuuu (the default), -ttt seconds since the
    /// epoch with microseconds (as strace).
    #[arg(short = 't', action = clap::ArgAction::Count)]
    pub time: u8,

    /// Time column: seconds since the previous line's call began (as strace's -r).
    #[arg(short = 'r')]
    pub relative: bool,

    /// Run the command as USER (name or uid), with its groups (as strace's -u; needs root).
    #[arg(short = 'u', value_name = "USER")]
    pub user: Option<String>,

    /// strace-style qualifiers: trace=LIST (sendto,recvfrom,... or all; !NAME excludes),
    /// status=failed|successful, verbose=LIST (calls whose structures are decoded; the others
    /// show pointers, as strace's -e verbose=).
    #[arg(short = 'e', value_name = "EXPR")]
    pub expr: Vec<String>,

    /// Trace this process (all its threads), or, given a thread's id, that thread (as strace;
    /// with -f its whole process); repeatable.
    #[arg(short = 'p', value_name = "PID", value_parser = clap::value_parser!(u32).range(1..))]
    pub pid: Vec<u32>,

    /// Follow forks: also trace the descendants of traced processes (on with CMD).
    #[arg(short = 'f')]
    pub follow: bool,

    /// Trace only this thread id; repeatable.
    #[arg(long = "tid", value_name = "TID", value_parser = clap::value_parser!(u32).range(1..))]
    pub tid: Vec<u32>,

    /// Trace only processes with this name (exact, or a prefix with a trailing '*'); repeatable.
    #[arg(long = "comm", value_name = "NAME")]
    pub comm: Vec<String>,

    /// Never trace processes with this name (exact, or NAME*); repeatable.
    #[arg(long = "exclude-comm", value_name = "NAME")]
    pub exclude_comm: Vec<String>,

    /// Trace only processes running as this user id; repeatable.
    #[arg(long = "uid", value_name = "UID")]
    pub uid: Vec<u32>,

    /// Trace only processes in this cgroup v2 (a path, absolute or relative to where cgroup v2
    /// is mounted, e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified); repeatable.
    #[arg(long = "cgroup", value_name = "PATH")]
    pub cgroup: Vec<String>,

    /// Show only calls matching EXPR, e.g. 'dport == 53 || sport == 53' (see below).
    #[arg(long = "filter", value_name = "EXPR")]
    pub filter: Option<String>,

    /// TOCTOU check: read sendto's and sendmsg's buffer and destination at entry, as strace
    /// does, and the destination again at exit to mark a change (an entry program each: dearer).
    /// By default they are captured at exit only, as the caller's memory holds them when the
    /// call returns (the same bytes unless another thread rewrites them during the call).
    #[arg(long = "toctou", overrides_with = "no_toctou")]
    pub toctou: bool,

    /// The default: no TOCTOU check, sendto and sendmsg captured at exit only (kept so that
    /// scripts written for the earlier default still run).
    #[arg(long = "no-toctou", hide = true, overrides_with = "toctou")]
    pub no_toctou: bool,

    /// Count time, calls and errors per call; on exit print strace's summary table (to stderr,
    /// or the -o file) instead of the calls.
    #[arg(short = 'c')]
    pub count: bool,

    /// Like -c, but print the calls too.
    #[arg(short = 'C')]
    pub count_and_trace: bool,

    /// -c/-C: summarise the calls' latency (sockscope always measures latency; see README).
    #[arg(short = 'w')]
    pub count_wall: bool,

    /// -c/-C: sort the table by this column (time, calls, errors, name, avg_time, min_time,
    /// max_time, nothing), as strace's -S.
    #[arg(short = 'S', value_name = "SORTBY")]
    pub sortby: Option<String>,

    /// -c/-C: the table's columns (time_percent, total_time, min_time, max_time, avg_time,
    /// calls, errors, name), as strace's -U.
    #[arg(short = 'U', value_name = "COLUMNS")]
    pub columns: Option<String>,

    /// On exit, print a summary: `flows` (one line, or JSON record, per process × socket,
    /// counted in the kernel).
    #[arg(long = "summary", value_name = "WHAT", value_parser = ["flows"])]
    pub summary: Vec<String>,

    /// Every SECS seconds print one line of progress to stderr (and a stats record with
    /// --json); SIGUSR1 prints it once.
    #[arg(long = "stats-interval", value_name = "SECS")]
    pub stats_interval: Option<f64>,

    /// Ring buffer size in MiB (a power of two).
    #[arg(long, value_name = "MIB", default_value_t = 8)]
    pub ringbuf_mib: u32,

    /// Command to start and trace with its descendants; sockscope exits with its status.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

/// The end of `--help`: the filter language, where output goes, exit status.
pub const AFTER_HELP: &str = "\
Filter expressions (--filter):
  fields    event fd pid tid ppid uid gid comm len vlen ret failed errno flags family
            addr port (whichever the call has) dst dport (destination) src sport (source)
            toctou; len is the buffer size given to the call, ret the bytes it moved;
            the socket's own endpoints: proto laddr lport raddr rport peer
  operators == != < <= > >=   in (CIDR, or a set {a, b, 5..9})   ~ (glob)
            flags has A|B   && || !   ( )
  e.g.      'dport == 53 || sport == 53'   'failed && errno != EAGAIN'
            'event in {sendto, sendmsg} && dst in 10.0.0.0/8'   'comm ~ \"nginx*\"'
  A comparison with a field the call does not have is false.

Output: with -- CMD the trace goes to stderr (CMD's stdout stays its own, as with strace);
with -p or system-wide to stdout. -o FILE writes it to FILE, -o - to stdout. Messages and
the summary line go to stderr.

Exit status: CMD's status (128+N when it was killed by signal N; 127 not found, 126 not
executable); stopped by SIGINT/SIGTERM/SIGHUP, sockscope stops CMD with that signal and
reports its status; 0 with -p or system-wide; 2 for bad input; 1 when writing the output
failed.";

impl TraceArgs {
    /// The time column chosen by -t/-tt/-ttt/-r.
    pub fn time_format(&self) -> crate::render::TimeFormat {
        use crate::render::TimeFormat;
        match (self.relative, self.time) {
            (true, _) => TimeFormat::Relative,
            (false, 1) => TimeFormat::Seconds,
            (false, 0 | 2) => TimeFormat::Micros,
            (false, _) => TimeFormat::Epoch,
        }
    }
}

/// Which calls to show by outcome (`-e status=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StatusFilter {
    #[default]
    All,
    Failed,
    Successful,
}

/// The `-e` expressions, resolved.
#[derive(Debug)]
pub struct Selection {
    pub events: Vec<&'static EventDef>,
    pub status: StatusFilter,
    /// `-e verbose=`: the calls whose structures are decoded (all by default).
    pub verbose: Vec<&'static EventDef>,
}

/// A strace call list (`a,b`, `all`, `none`, `!a,b`) as the events it selects.
fn parse_call_list(qual: &str, list: &str) -> Result<Vec<&'static EventDef>, String> {
    let (negate, list) = match list.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, list),
    };
    let mut chosen: Vec<&'static EventDef> = Vec::new();
    for name in list.split(',') {
        let name = name.trim();
        match name {
            "all" | "%net" | "%network" => chosen.extend(EVENTS.iter()),
            "none" => {}
            _ => match events::by_name(name) {
                Some(d) => chosen.push(d),
                None => {
                    return Err(format!(
                        "-e {qual}: unknown call '{name}' (known: {})",
                        EVENTS.iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
                    ));
                }
            },
        }
    }
    Ok(EVENTS
        .iter()
        .filter(|d| chosen.iter().any(|c| c.id == d.id) != negate)
        .collect())
}

/// Parses `-e trace=...` and `-e status=...` as strace does (for the calls sockscope knows).
pub fn parse_exprs(exprs: &[String]) -> Result<Selection, String> {
    let mut events: Vec<&'static EventDef> = EVENTS.iter().collect();
    let mut status = StatusFilter::All;
    let mut verbose: Vec<&'static EventDef> = EVENTS.iter().collect();
    for e in exprs {
        let (key, list) = e.split_once('=').unwrap_or(("trace", e.as_str()));
        match key {
            "trace" | "t" => {
                let (negate, list) = match list.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, list),
                };
                let mut chosen: Vec<&'static EventDef> = Vec::new();
                for name in list.split(',') {
                    let name = name.trim();
                    match name {
                        "all" => chosen.extend(EVENTS.iter()),
                        // strace's classes (%network, %desc, %file...) hold calls sockscope
                        // does not trace (socket, bind, open...): refused, never narrowed.
                        class if class.starts_with('%') || class.starts_with('/') => {
                            return Err(format!(
                                "-e trace: '{class}' cannot be honoured: sockscope traces only {}; name the calls",
                                EVENTS.iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
                            ));
                        }
                        "none" => {}
                        _ => match events::by_name(name) {
                            Some(d) => chosen.push(d),
                            None => {
                                return Err(format!(
                                    "-e trace: unknown call '{name}' (known: {})",
                                    EVENTS.iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
                                ));
                            }
                        },
                    }
                }
                events = if negate {
                    EVENTS
                        .iter()
                        .filter(|d| !chosen.iter().any(|c| c.id == d.id))
                        .collect()
                } else {
                    EVENTS
                        .iter()
                        .filter(|d| chosen.iter().any(|c| c.id == d.id))
                        .collect()
                };
            }
            "verbose" | "v" => verbose = parse_call_list("verbose", list)?,
            "status" => {
                status = match list {
                    "failed" => StatusFilter::Failed,
                    "successful" => StatusFilter::Successful,
                    "all" => StatusFilter::All,
                    other => {
                        return Err(format!(
                            "-e status: unsupported value '{other}' (failed, successful, all)"
                        ));
                    }
                }
            }
            other => {
                return Err(format!(
                    "-e: unsupported qualifier '{other}' (trace, status, verbose)"
                ));
            }
        }
    }
    if events.is_empty() {
        return Err("-e trace: no call selected".into());
    }
    Ok(Selection {
        events,
        status,
        verbose,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &Selection) -> Vec<&str> {
        s.events.iter().map(|e| e.name).collect()
    }

    #[test]
    fn trace_lists() {
        assert_eq!(names(&parse_exprs(&[]).unwrap()).len(), 14);
        assert_eq!(
            names(&parse_exprs(&["trace=read,write,readv,writev,sendfile,splice".into()]).unwrap()),
            ["read", "write", "readv", "writev", "sendfile", "splice"]
        );
        assert_eq!(
            names(&parse_exprs(&["trace=sendto,recvfrom".into()]).unwrap()),
            ["sendto", "recvfrom"]
        );
        assert_eq!(
            names(&parse_exprs(&["sendmsg".into()]).unwrap()),
            ["sendmsg"]
        );
        assert_eq!(
            parse_exprs(&["trace=!sendto".into()]).unwrap().events.len(),
            13
        );
        assert_eq!(
            parse_exprs(&["status=failed".into()]).unwrap().status,
            StatusFilter::Failed
        );
    }

    #[test]
    fn verbose_lists() {
        assert_eq!(parse_exprs(&[]).unwrap().verbose.len(), EVENTS.len());
        assert!(
            parse_exprs(&["verbose=none".into()])
                .unwrap()
                .verbose
                .is_empty()
        );
        assert_eq!(
            names_v(&parse_exprs(&["verbose=!sendmmsg,recvmmsg".into()]).unwrap())[..4],
            ["sendto", "recvfrom", "sendmsg", "recvmsg"]
        );
        assert!(
            !names_v(&parse_exprs(&["verbose=!sendmmsg,recvmmsg".into()]).unwrap())
                .contains(&"sendmmsg")
        );
        assert_eq!(
            names_v(&parse_exprs(&["v=sendto".into()]).unwrap()),
            ["sendto"]
        );
    }

    fn names_v(s: &Selection) -> Vec<&str> {
        s.verbose.iter().map(|e| e.name).collect()
    }

    #[test]
    fn errors_are_one_line() {
        for bad in [
            "trace=sendfoo",
            "status=maybe",
            "verbose=sendfoo",
            "trace=none",
            "abbrev=all",
            "trace=%network",
            "trace=%net",
            "trace=%desc",
            "trace=/read",
        ] {
            let e = parse_exprs(&[bad.into()]).unwrap_err();
            assert!(!e.contains('\n') && !e.is_empty(), "{bad}: {e}");
        }
    }
}
