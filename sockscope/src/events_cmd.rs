//! `sockscope events`: the event table, for people and (with --json) machines.

use std::io::Write as _;

use crate::events::EVENTS;

/// Prints the table; a reader that closes the pipe early (`| head`) ends it quietly.
pub fn print(json: bool) -> anyhow::Result<()> {
    match write_table(json) {
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(())
        }
        Err(e)
            if e.downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe)) =>
        {
            Ok(())
        }
        other => other,
    }
}

fn write_table(json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        // One JSON object per line, as the trace's own --json output.
        for e in EVENTS.iter() {
            serde_json::to_writer(&mut out, e)?;
            writeln!(out)?;
        }
        return Ok(());
    }
    for e in EVENTS.iter() {
        writeln!(out, "{} (syscall {})", e.name, e.syscall_nr)?;
        writeln!(out, "  purpose: {}", e.purpose)?;
        for a in e.args {
            let tags: Vec<String> = a.tags.iter().map(|t| format!("{t:?}")).collect();
            writeln!(
                out,
                "  {:<10} {:<18} [{}]  decoder: {:?}",
                a.name,
                a.ty,
                tags.join(", "),
                a.decoder
            )?;
        }
        let hooks: Vec<String> = e
            .hooks
            .iter()
            .map(|(c, n)| format!("tracepoint {c}:{n}"))
            .collect();
        writeln!(out, "  hooks: {}", hooks.join(", "))?;
        writeln!(out, "  related: {}", e.related.join(", "))?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "Tags: U = originated from user space; K = originated from kernel space;"
    )?;
    writeln!(
        out,
        "      TOCTOU = vulnerable to time-of-check/time-of-use; OPT = optional (may be NULL)."
    )?;
    Ok(())
}
