//! `--stats-interval SECS` and SIGUSR1: one line of progress on stderr (events shown, lost,
//! events per second since the last line, filtered out) and, with `--json`, a
//! `sockscope_stats` record in the output.

use std::time::Instant;

use serde_json::json;

/// `--stats-interval SECS`, checked: > 0 and at most a day.
pub fn interval(secs: Option<f64>) -> anyhow::Result<Option<std::time::Duration>> {
    Ok(match secs {
        Some(s) if s.is_finite() && s > 0.0 && s <= 86400.0 => {
            Some(std::time::Duration::from_secs_f64(s))
        }
        Some(s) => anyhow::bail!("--stats-interval {s}: expected seconds, > 0 and at most 86400"),
        None => None,
    })
}

/// The progress line's state between two reports.
#[derive(Debug)]
pub struct Progress {
    pub interval: Option<std::time::Duration>,
    next: Option<Instant>,
    last_at: Instant,
    last_captured: u64,
}

impl Progress {
    pub fn new(secs: Option<f64>) -> anyhow::Result<Progress> {
        Ok(Progress::start(interval(secs)?))
    }

    /// Reports every `interval` from now (None: only on SIGUSR1).
    pub fn start(interval: Option<std::time::Duration>) -> Progress {
        let now = Instant::now();
        Progress {
            interval,
            next: interval.map(|i| now + i),
            last_at: now,
            last_captured: 0,
        }
    }

    /// Whether a periodic report is due now.
    pub fn due(&mut self, now: Instant) -> bool {
        match (self.next, self.interval) {
            (Some(n), Some(i)) if now >= n => {
                self.next = Some(now + i);
                true
            }
            _ => false,
        }
    }

    /// The stderr line and the JSON record for the totals so far.
    pub fn report(
        &mut self,
        events: u64,
        captured: u64,
        lost: u64,
        now: Instant,
    ) -> (String, serde_json::Value) {
        let dt = now.duration_since(self.last_at).as_secs_f64();
        let rate = if dt > 0.0 {
            (captured - self.last_captured.min(captured)) as f64 / dt
        } else {
            0.0
        };
        self.last_at = now;
        self.last_captured = captured;
        let filtered = captured.saturating_sub(events);
        (
            format!(
                "sockscope: stats: {events} events, {lost} lost, {rate:.0} events/s, {filtered} filtered out"
            ),
            json!({
                "eventName": "sockscope_stats",
                "events": events,
                "captured": captured,
                "lost": lost,
                "eventsPerSecond": (rate * 10.0).round() / 10.0,
                "filteredOut": filtered,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_and_line() {
        assert!(Progress::new(Some(0.0)).is_err());
        assert!(Progress::new(Some(f64::NAN)).is_err());
        let mut p = Progress::new(Some(1.0)).unwrap();
        let t0 = Instant::now();
        assert!(!p.due(t0));
        assert!(p.due(t0 + std::time::Duration::from_secs(2)));
        let (line, rec) = p.report(5, 8, 1, p.last_at + std::time::Duration::from_secs(2));
        assert_eq!(
            line,
            "sockscope: stats: 5 events, 1 lost, 4 events/s, 3 filtered out"
        );
        assert_eq!(rec["filteredOut"], 3);
        assert!(Progress::new(None).unwrap().interval.is_none());
    }
}
