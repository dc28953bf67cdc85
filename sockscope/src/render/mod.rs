//! Renderers: a decoded record to one line of text (the call exactly as strace prints it,
//! behind a prefix) or one JSON object (Tracee's field names plus our own).

pub mod json;
pub mod summary;
pub mod text;

use crate::decode::{Style, msghdr::MsgEnv};

/// Converts the records' CLOCK_MONOTONIC timestamps to wall-clock time.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// CLOCK_REALTIME - CLOCK_MONOTONIC, nanoseconds, measured at start.
    pub offset_ns: i128,
}

/// Nanoseconds of a clock (`CLOCK_MONOTONIC`, `CLOCK_PROCESS_CPUTIME_ID`...).
pub fn clock_ns(id: libc::clockid_t) -> i128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into ts.
    unsafe { libc::clock_gettime(id, &mut ts) };
    ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128
}

/// This process's CPU time, nanoseconds (the cost examples and benchmarks).
pub fn cpu_ns() -> u128 {
    clock_ns(libc::CLOCK_PROCESS_CPUTIME_ID) as u128
}

/// CLOCK_MONOTONIC now, nanoseconds (the records' clock).
pub fn mono_ns() -> u64 {
    clock_ns(libc::CLOCK_MONOTONIC) as u64
}

impl Clock {
    pub fn now() -> Clock {
        Clock {
            offset_ns: clock_ns(libc::CLOCK_REALTIME) - clock_ns(libc::CLOCK_MONOTONIC),
        }
    }

    /// Epoch nanoseconds of a monotonic timestamp.
    pub fn wall_ns(&self, mono_ns: u64) -> i128 {
        mono_ns as i128 + self.offset_ns
    }
}

/// Everything a renderer needs besides the record.
#[derive(Clone, Copy, Debug)]
pub struct RenderOpts {
    pub style: Style,
    /// What the msghdr/cmsg decoders need (style, optmem_max, interface names), built once.
    pub msg: MsgEnv,
    /// `-T`: append the time spent in the call.
    pub show_duration: bool,
    pub clock: Clock,
    /// `-y` count: descriptors decorated as strace does (0: plain numbers).
    pub yflag: u8,
    /// The time column of text lines (`-t`, `-tt`, `-ttt`, `-r`).
    pub time: TimeFormat,
    /// `-a COLUMN`: the column of the call's text at which ` = ret` is aligned (0: none).
    pub acolumn: usize,
    /// `-e verbose=`: bit `1 << event id` set for calls whose structures are NOT decoded.
    pub nonverbose: u64,
}

/// The time column of a text line, as strace's options choose it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeFormat {
    /// `-t`: `HH:MM:SS`.
    Seconds,
    /// `-tt` and the default: `HH:MM:SS.uuuuuu`.
    #[default]
    Micros,
    /// `-ttt`: seconds since the epoch, `.uuuuuu`.
    Epoch,
    /// `-r`: time since the previous line's call began, `%6d.%06d`.
    Relative,
}

impl RenderOpts {
    pub fn new(style: Style, show_duration: bool, clock: Clock) -> Self {
        RenderOpts {
            style,
            msg: MsgEnv::host(style),
            show_duration,
            clock,
            yflag: 0,
            time: TimeFormat::Micros,
            acolumn: 0,
            nonverbose: 0,
        }
    }

    /// With the time column of `-t`/`-tt`/`-ttt`/`-r`.
    pub fn with_time(mut self, time: TimeFormat) -> Self {
        self.time = time;
        self
    }

    /// With `-a COLUMN`.
    pub fn with_acolumn(mut self, acolumn: usize) -> Self {
        self.acolumn = acolumn;
        self
    }

    /// Whether `event`'s structures are decoded (`-e verbose=`).
    pub fn verbose(&self, event: sockscope_common::EventId) -> bool {
        self.nonverbose & (1u64 << (event as u16 as u32).min(63)) == 0
    }

    /// With `-y` (1) or `-yy` (2) descriptor decorations.
    pub fn with_yflag(mut self, yflag: u8) -> Self {
        self.yflag = yflag.min(2);
        self.msg.yflag = self.yflag;
        self
    }
}

/// The task's comm as text (up to the first NUL; bytes that are not UTF-8 replaced: for
/// display and matching only, the exact bytes are [`comm_bytes`]).
pub fn comm(raw: &[u8; 16]) -> String {
    String::from_utf8_lossy(comm_bytes(raw)).into_owned()
}

/// The task's comm bytes, up to the first NUL.
pub fn comm_bytes(raw: &[u8; 16]) -> &[u8] {
    let end = raw.iter().position(|&c| c == 0).unwrap_or(raw.len());
    &raw[..end]
}

/// A piece of a line written from a key (the task's ids and name) and kept while the next
/// line's key is the same: consecutive events mostly come from one thread, so the text and
/// JSON printers copy their task columns instead of formatting them again (callgrind,
/// examples/render_cost: ~150 instructions of a text sendto line, ~300 of a JSON one).
pub(crate) struct KeptText<K> {
    key: Option<K>,
    text: String,
}

impl<K> Default for KeptText<K> {
    fn default() -> Self {
        Self {
            key: None,
            text: String::new(),
        }
    }
}

impl<K: PartialEq> KeptText<K> {
    /// The text of `key`: the kept one when `key` equals the last, else written by `write`
    /// and kept. A `None` key (one that cannot be compared) is written afresh every time.
    #[inline]
    pub(crate) fn get(&mut self, key: Option<K>, write: impl FnOnce(&mut String)) -> &str {
        if key.is_none() || self.key != key {
            self.text.clear();
            write(&mut self.text);
            self.key = key;
        }
        &self.text
    }
}
