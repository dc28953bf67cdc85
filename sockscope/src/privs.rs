//! What sockscope needs from the system, checked up front with one message naming what is
//! missing: the capabilities (root is not required: CAP_BPF + CAP_PERFMON load and attach the
//! programs, CAP_DAC_READ_SEARCH reads tracefs, which is root-only), the user of `-u USER`,
//! and where cgroup v2 is mounted.

use std::{ffi::CString, path::PathBuf};

use anyhow::bail;

pub const CAP_DAC_OVERRIDE: u32 = 1;
pub const CAP_DAC_READ_SEARCH: u32 = 2;
pub const CAP_SETGID: u32 = 6;
pub const CAP_SETUID: u32 = 7;
pub const CAP_SYS_ADMIN: u32 = 21;
pub const CAP_PERFMON: u32 = 38;
pub const CAP_BPF: u32 = 39;

const TRACEFS_PROBE: &str = "/sys/kernel/tracing/events/syscalls/sys_enter_sendto/id";

/// The effective capability set of this process (from /proc/self/status).
pub fn effective_caps() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        })
        .unwrap_or(0)
}

fn has(caps: u64, cap: u32) -> bool {
    caps & (1 << cap) != 0
}

/// What tracing needs that this process lacks, as capability names with the reason; empty
/// when all is there.
pub fn missing_for_tracing(caps: u64) -> Vec<&'static str> {
    let mut missing = Vec::new();
    // CAP_SYS_ADMIN stands in for both on kernels that know them (as the kernel checks).
    let admin = has(caps, CAP_SYS_ADMIN);
    if !has(caps, CAP_BPF) && !admin {
        missing.push("CAP_BPF");
    }
    if !has(caps, CAP_PERFMON) && !admin {
        missing.push("CAP_PERFMON");
    }
    match std::fs::metadata("/sys/kernel/tracing/events") {
        Ok(_) => {
            if let Err(e) = std::fs::File::open(TRACEFS_PROBE)
                && e.kind() == std::io::ErrorKind::PermissionDenied
            {
                missing.push("CAP_DAC_READ_SEARCH (tracefs is readable by root only)");
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            missing.push("CAP_DAC_READ_SEARCH (tracefs is readable by root only)");
        }
        // Not mounted: sockscope mounts it, which needs CAP_SYS_ADMIN.
        Err(_) if !admin => missing.push("CAP_SYS_ADMIN (to mount tracefs at /sys/kernel/tracing)"),
        Err(_) => {}
    }
    missing
}

/// Fails with one line naming every missing capability.
pub fn check_tracing() -> anyhow::Result<()> {
    let missing = missing_for_tracing(effective_caps());
    if !missing.is_empty() {
        bail!(
            "missing privileges: {}; run as root, or with these capabilities (e.g. setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep on the binary)",
            missing.join(", ")
        );
    }
    Ok(())
}

/// The identity `-u USER` gives the command: uid, primary gid and supplementary groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Creds {
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
}

/// Resolves `-u USER` (a name from the password database, or a numeric uid) as strace does:
/// the user's uid, primary group and supplementary groups.
pub fn resolve_user(user: &str) -> anyhow::Result<Creds> {
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0u8; 16384];
    let mut res: *mut libc::passwd = std::ptr::null_mut();
    let by_name = CString::new(user).map_err(|_| anyhow::anyhow!("-u: bad user name"))?;
    // SAFETY: the reentrant lookups write into pw/buf and set res.
    let rc = unsafe {
        libc::getpwnam_r(
            by_name.as_ptr(),
            &mut pw,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut res,
        )
    };
    if rc == 0 && !res.is_null() {
        let gid = pw.pw_gid;
        return Ok(Creds {
            uid: pw.pw_uid,
            gid,
            groups: group_list(&by_name, gid),
        });
    }
    if let Ok(uid) = user.parse::<u32>() {
        // SAFETY: as above.
        let rc = unsafe {
            libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr().cast(), buf.len(), &mut res)
        };
        if rc == 0 && !res.is_null() {
            // SAFETY: pw_name points into buf, NUL-terminated.
            let name = unsafe { std::ffi::CStr::from_ptr(pw.pw_name) }.to_owned();
            return Ok(Creds {
                uid,
                gid: pw.pw_gid,
                groups: group_list(&name, pw.pw_gid),
            });
        }
        // A uid with no password entry: its own uid as group, no supplementary groups.
        return Ok(Creds {
            uid,
            gid: uid,
            groups: vec![uid],
        });
    }
    bail!("-u {}: no such user", crate::escape::text(user.as_bytes()))
}

fn group_list(name: &CString, gid: u32) -> Vec<u32> {
    let mut n: libc::c_int = 64;
    loop {
        let mut groups = vec![0 as libc::gid_t; n as usize];
        // SAFETY: getgrouplist writes at most n entries and updates n.
        let rc = unsafe { libc::getgrouplist(name.as_ptr(), gid, groups.as_mut_ptr(), &mut n) };
        if rc >= 0 {
            groups.truncate(n as usize);
            return groups;
        }
        if n <= groups.len() as libc::c_int {
            return vec![gid];
        }
    }
}

/// `-u` changes the command's identity, which needs CAP_SETUID and CAP_SETGID.
pub fn check_switch_user() -> anyhow::Result<()> {
    let caps = effective_caps();
    if !has(caps, CAP_SETUID) || !has(caps, CAP_SETGID) {
        bail!("-u: changing the command's user needs CAP_SETUID and CAP_SETGID (run as root)");
    }
    Ok(())
}

/// Where cgroup v2 is mounted (the first `cgroup2` entry of /proc/self/mountinfo): on a
/// unified host /sys/fs/cgroup, on a hybrid one e.g. /sys/fs/cgroup/unified.
pub fn cgroup2_root() -> Option<PathBuf> {
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    cgroup2_root_in(&info)
}

/// [`cgroup2_root`] on the text of a mountinfo file.
pub fn cgroup2_root_in(mountinfo: &str) -> Option<PathBuf> {
    for line in mountinfo.lines() {
        // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        if right.split(' ').next() != Some("cgroup2") {
            continue;
        }
        let mp = left.split(' ').nth(4)?;
        return Some(PathBuf::from(unescape_mountinfo(mp)));
    }
    None
}

/// mountinfo writes space, tab, newline and backslash as octal escapes.
fn unescape_mountinfo(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push(u8::from_str_radix(&s[i + 1..i + 4], 8).unwrap_or(b'?'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_capabilities_are_named() {
        let m = missing_for_tracing(0);
        assert!(m.contains(&"CAP_BPF") && m.contains(&"CAP_PERFMON"), "{m:?}");
        let both = (1u64 << CAP_BPF) | (1 << CAP_PERFMON);
        let m = missing_for_tracing(both);
        assert!(!m.contains(&"CAP_BPF") && !m.contains(&"CAP_PERFMON"), "{m:?}");
        let m = missing_for_tracing(1 << CAP_SYS_ADMIN);
        assert!(!m.contains(&"CAP_BPF"), "{m:?}");
    }

    #[test]
    fn cgroup2_mount_point() {
        let hybrid = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n\
                      40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n\
                      41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
        assert_eq!(
            cgroup2_root_in(hybrid),
            Some(PathBuf::from("/sys/fs/cgroup/unified"))
        );
        let unified = "29 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
        assert_eq!(cgroup2_root_in(unified), Some(PathBuf::from("/sys/fs/cgroup")));
        assert_eq!(
            cgroup2_root_in("1 2 0:1 / /a\\040b rw - cgroup2 none rw\n"),
            Some(PathBuf::from("/a b"))
        );
        assert_eq!(cgroup2_root_in("1 2 0:1 / /x rw - ext4 /dev/sda rw\n"), None);
    }

    #[test]
    fn users() {
        let root = resolve_user("root").unwrap();
        assert_eq!((root.uid, root.gid), (0, 0));
        assert_eq!(resolve_user("0").unwrap().uid, 0);
        assert_eq!(resolve_user("4242").unwrap().uid, 4242);
        assert!(resolve_user("no-such-user-sockscope").is_err());
    }
}
