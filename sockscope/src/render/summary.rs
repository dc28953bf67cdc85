//! The end of a run, from one set of totals: the summary line on stderr (`sockscope: N events,
//! N lost, ...`) and, with `--json`, the `sockscope_summary` record.

use crate::loader::Counters;

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

/// How the output fared: lines given to it that a failed write lost, and whether a write
/// failed (a closed pipe is not a failure).
#[derive(Clone, Copy, Debug, Default)]
pub struct Written {
    pub failed: u64,
    pub error: bool,
}

impl Summary {
    /// The `sockscope_summary` JSON record; `flows_not_kept`: flows the kernel's map had no
    /// room for (`--summary flows`).
    pub fn json(&self, c: &Counters, flows_not_kept: u64) -> serde_json::Value {
        serde_json::json!({
            "eventName": "sockscope_summary",
            "events": self.events,
            "captured": self.captured,
            "lost": self.lost,
            "lostRingbufFull": c.lost_ringbuf,
            "lostNoSlot": c.lost_noslot,
            "forksNotFollowed": c.lost_pids_full,
            "inProgressAtAttach": c.in_progress,
            "undecodable": self.undecodable,
            "flowsNotKept": flows_not_kept,
        })
    }

    /// The summary line; None for `-c` alone (`count_only`) when nothing was lost.
    pub fn line(&self, c: &Counters, out: Written, count_only: bool) -> Option<String> {
        if count_only && self.lost == 0 && self.undecodable == 0 && !out.error {
            return None;
        }
        let mut msg = format!(
            "sockscope: {} events, {} lost",
            self.events - out.failed.min(self.events),
            self.lost
        );
        if self.captured != self.events {
            msg += &format!(", {} filtered out", self.captured - self.events);
        }
        if c.lost_pids_full > 0 {
            msg += &format!(
                ", {} forked processes not followed (pid map full)",
                c.lost_pids_full
            );
        }
        if c.in_progress > 0 {
            msg += &format!(", {} calls in progress at attach not shown", c.in_progress);
        }
        if self.undecodable > 0 {
            msg += &format!(", {} undecodable records", self.undecodable);
        }
        if out.error {
            msg += &format!(", {} not written", out.failed);
        }
        Some(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counters() -> Counters {
        Counters::default()
    }

    #[test]
    fn line_names_what_was_lost() {
        let s = Summary {
            captured: 10,
            events: 7,
            undecodable: 1,
            lost: 2,
        };
        let c = Counters {
            lost_pids_full: 3,
            in_progress: 1,
            ..counters()
        };
        let out = Written {
            failed: 4,
            error: true,
        };
        assert_eq!(
            s.line(&c, out, false).as_deref(),
            Some(
                "sockscope: 3 events, 2 lost, 3 filtered out, 3 forked processes not followed \
                 (pid map full), 1 calls in progress at attach not shown, 1 undecodable records, \
                 4 not written"
            )
        );
        assert_eq!(
            Summary::default()
                .line(&counters(), Written::default(), false)
                .as_deref(),
            Some("sockscope: 0 events, 0 lost")
        );
    }

    #[test]
    fn count_only_is_quiet_unless_something_was_lost() {
        let quiet = Summary {
            captured: 5,
            events: 5,
            ..Summary::default()
        };
        assert_eq!(quiet.line(&counters(), Written::default(), true), None);
        let lost = Summary { lost: 1, ..quiet };
        assert!(lost.line(&counters(), Written::default(), true).is_some());
    }

    #[test]
    fn json_record() {
        let s = Summary {
            captured: 3,
            events: 2,
            undecodable: 0,
            lost: 1,
        };
        let c = Counters {
            lost_ringbuf: 1,
            ..counters()
        };
        assert_eq!(
            s.json(&c, 4),
            serde_json::json!({
                "eventName": "sockscope_summary",
                "events": 2,
                "captured": 3,
                "lost": 1,
                "lostRingbufFull": 1,
                "lostNoSlot": 0,
                "forksNotFollowed": 0,
                "inProgressAtAttach": 0,
                "undecodable": 0,
                "flowsNotKept": 4,
            })
        );
    }
}
