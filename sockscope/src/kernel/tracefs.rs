//! tracefs: mounted on demand, and the record layout of a tracepoint read from its format file
//! (field offsets differ between kernels, so they are never written into the code).

use std::path::Path;

const TRACEFS: &str = "/sys/kernel/tracing";

/// Mounts tracefs at /sys/kernel/tracing when it is not there yet.
pub fn ensure_mounted() -> anyhow::Result<()> {
    if Path::new(TRACEFS).join("events").is_dir() {
        return Ok(());
    }
    let src = c"tracefs";
    let target = c"/sys/kernel/tracing";
    // SAFETY: plain mount(2) with static NUL-terminated strings.
    let r = unsafe {
        libc::mount(
            src.as_ptr(),
            target.as_ptr(),
            src.as_ptr(),
            0,
            std::ptr::null(),
        )
    };
    if r != 0 {
        anyhow::bail!(
            "cannot mount tracefs at {TRACEFS}: {}",
            std::io::Error::last_os_error()
        );
    }
    Ok(())
}

/// Offset of `field` in the records of tracepoint `category/name`, from its format file.
pub fn field_offset(category: &str, name: &str, field: &str) -> Option<u32> {
    let text = std::fs::read_to_string(
        Path::new(TRACEFS)
            .join("events")
            .join(category)
            .join(name)
            .join("format"),
    )
    .ok()?;
    parse_field_offset(&text, field)
}

/// Finds `field:<type> <field>;\toffset:N;` in a tracepoint format description.
pub fn parse_field_offset(format: &str, field: &str) -> Option<u32> {
    for line in format.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("field:") else {
            continue;
        };
        let mut parts = rest.split(';');
        let decl = parts.next()?.trim();
        // The declared name is the last word, possibly with an array suffix.
        let name = decl.rsplit(' ').next()?.split('[').next()?;
        if name != field {
            continue;
        }
        let off = parts.next()?.trim().strip_prefix("offset:")?;
        return off.parse().ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fork_format() {
        let f = "name: sched_process_fork\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\
                 \tfield:__data_loc char[] parent_comm;\toffset:8;\tsize:4;\tsigned:0;\n\
                 \tfield:pid_t parent_pid;\toffset:12;\tsize:4;\tsigned:1;\n\
                 \tfield:char comm[16];\toffset:16;\tsize:16;\tsigned:0;\n";
        assert_eq!(parse_field_offset(f, "parent_pid"), Some(12));
        assert_eq!(parse_field_offset(f, "parent_comm"), Some(8));
        assert_eq!(parse_field_offset(f, "comm"), Some(16));
        assert_eq!(parse_field_offset(f, "child_pid"), None);
    }
}
