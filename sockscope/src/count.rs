//! strace's `-c` / `-C` call summary (strace 6.1, `src/count.c`): per call name the calls,
//! errors and time, printed on exit as strace prints its table — columns `% time`, `seconds`,
//! `usecs/call`, `calls`, `errors`, `syscall` by default, `-U` to choose them (`time`,
//! `total_time`, `min_time`/`shortest`, `max_time`/`longest`, `avg_time`, `calls`, `errors`,
//! `name`, and their aliases), `-S` to sort (default by time, descending; ties and `-S nothing`
//! in system call number order, as strace's stable qsort leaves them), `-w` for latency.
//!
//! Time: sockscope measures each call from its entry to its exit tracepoint (the latency,
//! what strace's `-w` reports). strace without `-w` reports the system CPU time of the call,
//! which a tracepoint program cannot observe per call; sockscope shows the latency then too.
//!
//! Widths follow strace: "seconds" 11, "usecs/call" 11, "calls" 9, "errors" 9, "syscall" 16
//! (or the longest name + 1), "% time" 6, "shortest" 8, "longest" 7, each widened to fit the
//! totals; `errors` prints nothing for 0; the last column is not padded.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::record::Record;

/// The x86-64 system call numbers of the calls sockscope can count: strace lists ties in this
/// order. One list for every call traced per call; a call added to the event table is added
/// here (read 0, write 1, readv 19, writev 20, sendfile 40, splice 275 are already in).
pub const SYSCALL_NUMBERS: &[(&str, u32)] = &[
    ("read", 0),
    ("write", 1),
    ("readv", 19),
    ("writev", 20),
    ("sendfile", 40),
    ("sendto", 44),
    ("recvfrom", 45),
    ("sendmsg", 46),
    ("recvmsg", 47),
    ("splice", 275),
    ("recvmmsg", 299),
    ("sendmmsg", 307),
];

fn sysno(name: &str) -> u32 {
    SYSCALL_NUMBERS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(u32::MAX, |(_, v)| *v)
}

/// strace's summary columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    Percent,
    Total,
    Min,
    Max,
    Avg,
    Calls,
    Errors,
    Name,
}

/// Column and sort names strace 6.1 accepts (`-U`, `-S`); `None` is "none"/"nothing".
const ALIASES: &[(&str, Option<Col>)] = &[
    ("time", Some(Col::Percent)),
    ("time_percent", Some(Col::Percent)),
    ("time-percent", Some(Col::Percent)),
    ("time_total", Some(Col::Total)),
    ("time-total", Some(Col::Total)),
    ("total_time", Some(Col::Total)),
    ("total-time", Some(Col::Total)),
    ("min_time", Some(Col::Min)),
    ("min-time", Some(Col::Min)),
    ("shortest", Some(Col::Min)),
    ("time_min", Some(Col::Min)),
    ("time-min", Some(Col::Min)),
    ("longest", Some(Col::Max)),
    ("max_time", Some(Col::Max)),
    ("max-time", Some(Col::Max)),
    ("time_max", Some(Col::Max)),
    ("time-max", Some(Col::Max)),
    ("avg_time", Some(Col::Avg)),
    ("avg-time", Some(Col::Avg)),
    ("time_avg", Some(Col::Avg)),
    ("time-avg", Some(Col::Avg)),
    ("calls", Some(Col::Calls)),
    ("count", Some(Col::Calls)),
    ("error", Some(Col::Errors)),
    ("errors", Some(Col::Errors)),
    ("name", Some(Col::Name)),
    ("syscall", Some(Col::Name)),
    ("syscall_name", Some(Col::Name)),
    ("syscall-name", Some(Col::Name)),
    ("none", None),
    ("nothing", None),
];

fn alias(name: &str) -> Option<Option<Col>> {
    ALIASES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// `-S` and `-U`, parsed.
#[derive(Clone, Debug)]
pub struct CountOpts {
    /// None: no sorting (`-S nothing`).
    pub sort: Option<Col>,
    pub columns: Vec<Col>,
}

impl Default for CountOpts {
    fn default() -> Self {
        CountOpts {
            sort: Some(Col::Percent),
            columns: vec![
                Col::Percent,
                Col::Total,
                Col::Avg,
                Col::Calls,
                Col::Errors,
                Col::Name,
            ],
        }
    }
}

impl CountOpts {
    pub fn parse(sortby: Option<&str>, columns: Option<&str>) -> Result<CountOpts, String> {
        let mut o = CountOpts::default();
        if let Some(s) = sortby {
            o.sort = alias(s).ok_or_else(|| format!("-S: invalid sortby: '{s}'"))?;
        }
        if let Some(list) = columns {
            let mut cols = Vec::new();
            for name in list.split(',') {
                match alias(name) {
                    Some(Some(c)) => {
                        if cols.contains(&c) {
                            return Err(format!(
                                "-U: call summary column has been provided more than once: '{name}'"
                            ));
                        }
                        cols.push(c);
                    }
                    _ => return Err(format!("-U: unknown column name: '{name}'")),
                }
            }
            // As strace: the name column is always shown.
            if !cols.contains(&Col::Name) {
                cols.push(Col::Name);
            }
            o.columns = cols;
        }
        Ok(o)
    }
}

/// What was counted for one call name.
#[derive(Clone, Copy, Debug, Default)]
pub struct Row {
    pub calls: u64,
    pub errors: u64,
    pub total_ns: u64,
    pub min_ns: u64,
    pub max_ns: u64,
}

/// The counts of a run, by call name.
#[derive(Debug, Default)]
pub struct Counts {
    pub rows: HashMap<&'static str, Row>,
}

impl Counts {
    pub fn add(&mut self, rec: &Record) {
        let name = crate::events::def(rec.event).name;
        let failed = rec.header.ret < 0 && rec.header.ret >= -4095;
        self.add_call(name, failed, rec.header.duration_ns);
    }

    pub fn add_call(&mut self, name: &'static str, failed: bool, ns: u64) {
        let r = self.rows.entry(name).or_insert(Row {
            min_ns: u64::MAX,
            ..Row::default()
        });
        r.calls += 1;
        r.errors += failed as u64;
        r.total_ns += ns;
        r.min_ns = r.min_ns.min(ns);
        r.max_ns = r.max_ns.max(ns);
    }

    /// The rows in the table's order.
    fn sorted(&self, opts: &CountOpts) -> Vec<(&'static str, Row)> {
        let mut rows: Vec<(&'static str, Row)> = self
            .rows
            .iter()
            .filter(|(_, r)| r.calls > 0)
            .map(|(n, r)| (*n, *r))
            .collect();
        rows.sort_by_key(|(n, _)| (sysno(n), *n));
        let avg_ns = |r: &Row| r.total_ns / r.calls.max(1);
        if let Some(key) = opts.sort {
            // Stable: ties stay in system call number order.
            rows.sort_by(|(an, a), (bn, b)| match key {
                Col::Percent | Col::Total => b.total_ns.cmp(&a.total_ns),
                Col::Min => b.min_ns.cmp(&a.min_ns),
                Col::Max => b.max_ns.cmp(&a.max_ns),
                Col::Avg => avg_ns(b).cmp(&avg_ns(a)),
                Col::Calls => b.calls.cmp(&a.calls),
                Col::Errors => b.errors.cmp(&a.errors),
                Col::Name => an.cmp(bn),
            });
        }
        rows
    }

    /// With `--json`: the same rows as one `sockscope_count` record.
    pub fn json(&self, opts: &CountOpts) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .sorted(opts)
            .iter()
            .map(|(n, r)| {
                serde_json::json!({
                    "syscall": n,
                    "calls": r.calls,
                    "errors": r.errors,
                    "seconds": r.total_ns as f64 / 1e9,
                    "minSeconds": r.min_ns as f64 / 1e9,
                    "maxSeconds": r.max_ns as f64 / 1e9,
                    "usecsPerCall": r.total_ns / r.calls.max(1) / 1000,
                })
            })
            .collect();
        serde_json::json!({"eventName": "sockscope_count", "rows": rows})
    }

    /// The table, as strace 6.1 prints it.
    pub fn table(&self, opts: &CountOpts) -> String {
        let secs = |ns: u64| ns as f64 / 1e9;
        let avg_ns = |r: &Row| r.total_ns / r.calls.max(1);
        let usecs = |ns: u64| (secs(ns) * 1e6) as u64;
        let rows = self.sorted(opts);
        let cum_ns: u64 = rows.iter().map(|(_, r)| r.total_ns).sum();
        let call_cum: u64 = rows.iter().map(|(_, r)| r.calls).sum();
        let error_cum: u64 = rows.iter().map(|(_, r)| r.errors).sum();
        let tv_min = rows.iter().map(|(_, r)| r.min_ns).min().unwrap_or(u64::MAX);
        let tv_min_max = rows.iter().map(|(_, r)| r.min_ns).max().unwrap_or(0);
        let tv_max = rows.iter().map(|(_, r)| r.max_ns).max().unwrap_or(0);
        let avg_max = rows.iter().map(|(_, r)| avg_ns(r)).max().unwrap_or(0);
        let name_max = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        let cum = secs(cum_ns);
        let width = |c: Col| -> usize {
            match c {
                Col::Percent => 6,
                Col::Total => 11.max(format!("{cum:.6}").len()),
                Col::Min => 8.max(format!("{}.000000", tv_min_max / 1_000_000_000).len()),
                Col::Max => 7.max(format!("{}.000000", tv_max / 1_000_000_000).len()),
                Col::Avg => 11.max(usecs(avg_max).to_string().len()),
                Col::Calls => 9.max(call_cum.to_string().len()),
                Col::Errors => 9.max(error_cum.to_string().len()),
                Col::Name => 16.max(name_max + 1),
            }
        };
        let title = |c: Col| match c {
            Col::Percent => "% time",
            Col::Total => "seconds",
            Col::Min => "shortest",
            Col::Max => "longest",
            Col::Avg => "usecs/call",
            Col::Calls => "calls",
            Col::Errors => "errors",
            Col::Name => "syscall",
        };
        let cols = &opts.columns;
        let last = cols.len().saturating_sub(1);
        let mut out = String::new();
        let cell = |out: &mut String, i: usize, c: Col, text: &str| {
            if i > 0 {
                out.push(' ');
            }
            let w = width(c);
            if c == Col::Name {
                if i == last {
                    out.push_str(text);
                } else {
                    let _ = write!(out, "{text:<w$}");
                }
            } else {
                let _ = write!(out, "{text:>w$}");
            }
        };
        for (i, &c) in cols.iter().enumerate() {
            cell(&mut out, i, c, title(c));
        }
        out.push('\n');
        let divider = |out: &mut String| {
            for (i, &c) in cols.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&"-".repeat(width(c)));
            }
            out.push('\n');
        };
        divider(&mut out);
        let errors = |e: u64| if e == 0 { String::new() } else { e.to_string() };
        for (name, r) in &rows {
            let t = secs(r.total_ns);
            let mut pct = 100.0 * t;
            if pct != 0.0 {
                pct /= cum;
            }
            for (i, &c) in cols.iter().enumerate() {
                let text = match c {
                    Col::Percent => format!("{pct:.2}"),
                    Col::Total => format!("{t:.6}"),
                    Col::Min => format!("{:.6}", secs(r.min_ns)),
                    Col::Max => format!("{:.6}", secs(r.max_ns)),
                    Col::Avg => usecs(avg_ns(r)).to_string(),
                    Col::Calls => r.calls.to_string(),
                    Col::Errors => errors(r.errors),
                    Col::Name => name.to_string(),
                };
                cell(&mut out, i, c, &text);
            }
            out.push('\n');
        }
        divider(&mut out);
        for (i, &c) in cols.iter().enumerate() {
            let text = match c {
                Col::Percent => "100.00".to_string(),
                Col::Total => format!("{cum:.6}"),
                Col::Min => format!("{:.6}", if rows.is_empty() { 0.0 } else { secs(tv_min) }),
                Col::Max => format!("{:.6}", secs(tv_max)),
                Col::Avg => {
                    if call_cum == 0 {
                        "0".to_string()
                    } else {
                        ((cum / call_cum as f64 * 1e6) as u64).to_string()
                    }
                }
                Col::Calls => call_cum.to_string(),
                Col::Errors => errors(error_cum),
                Col::Name => "total".to_string(),
            };
            cell(&mut out, i, c, &text);
        }
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_table_as_strace() {
        let mut c = Counts::default();
        for _ in 0..23 {
            c.add_call("recvfrom", false, 0);
        }
        c.add_call("sendto", false, 0);
        for _ in 0..3 {
            c.add_call("sendmsg", true, 0);
        }
        let t = c.table(&CountOpts::default());
        assert_eq!(
            t,
            "% time     seconds  usecs/call     calls    errors syscall\n\
             ------ ----------- ----------- --------- --------- ----------------\n\
             \x20 0.00    0.000000           0         1           sendto\n\
             \x20 0.00    0.000000           0        23           recvfrom\n\
             \x20 0.00    0.000000           0         3         3 sendmsg\n\
             ------ ----------- ----------- --------- --------- ----------------\n\
             100.00    0.000000           0        27         3 total\n"
        );
    }

    #[test]
    fn columns_and_sort() {
        let mut c = Counts::default();
        for ns in [31_000, 56_000] {
            c.add_call("sendto", true, ns);
        }
        c.add_call("recvfrom", false, 30_000);
        c.add_call("recvfrom", false, 32_000);
        let o = CountOpts::parse(
            Some("calls"),
            Some("name,calls,errors,max-time,min-time,avg-time"),
        )
        .unwrap();
        assert_eq!(
            c.table(&o),
            "syscall              calls    errors  longest shortest  usecs/call\n\
             ---------------- --------- --------- -------- -------- -----------\n\
             sendto                   2         2 0.000056 0.000031          43\n\
             recvfrom                 2           0.000032 0.000030          31\n\
             ---------------- --------- --------- -------- -------- -----------\n\
             total                    4         2 0.000056 0.000030          37\n"
        );
        let o = CountOpts::parse(Some("time"), Some("calls")).unwrap();
        assert_eq!(o.columns, [Col::Calls, Col::Name]);
        assert!(CountOpts::parse(Some("bogus"), None).is_err());
        assert!(CountOpts::parse(None, Some("calls,count")).is_err());
        assert!(CountOpts::parse(None, Some("wall-total")).is_err());
        assert_eq!(CountOpts::parse(Some("nothing"), None).unwrap().sort, None);
    }
}
