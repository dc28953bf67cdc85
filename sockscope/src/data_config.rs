//! The data calls' load-time configuration (the eBPF side's `DATA_CONFIG`): which of read,
//! write, readv, writev, sendfile, splice are selected, whether -T entry programs run, the
//! existence of the `sock:sock_*_length` tracepoints (tracefs), and the kernel structure offsets (BTF) of the
//! saved user registers, the task flags and the descriptor → socket check.

use sockscope_common::{DataConfig, OFF_NONE};

use crate::{btf::Btf, events::EventDef, tracefs};

/// The data calls' socket hooks: (tracepoint of the `sock` category, its BTF tracepoint
/// program in data.rs).
const HOOKS: [(&str, &str); 2] = [
    ("sock_send_length", "data_send_length"),
    ("sock_recv_length", "data_recv_length"),
];

/// The BTF tracepoint program of the data calls attached to tracepoint `tp` (the events table
/// lists the tracepoints: `sock:sock_send_length`, `sock:sock_recv_length`).
pub fn program_of(tp: &str) -> anyhow::Result<&'static str> {
    match HOOKS.iter().find(|h| h.0 == tp) {
        Some(h) => Ok(h.1),
        None => anyhow::bail!("no data-call program for tracepoint sock:{tp}"),
    }
}

/// The tracepoint a data-call program attaches to (the inverse of [`program_of`]).
pub fn tracepoint_of(program: &str) -> Option<&'static str> {
    HOOKS.iter().find(|h| h.1 == program).map(|h| h.0)
}

/// The configuration for the selected `events` (the non-data ones are ignored); Err names what
/// this kernel lacks when a data call is selected and cannot be traced.
pub fn resolve(
    btf: &Btf,
    events: &[&'static EventDef],
    timing: bool,
) -> anyhow::Result<DataConfig> {
    let mut c = DataConfig::OFF;
    for e in events {
        if crate::events::is_data(e.id) {
            c.events |= 1 << (e.id as u16 as u32);
        }
    }
    if c.events == 0 {
        return Ok(c);
    }
    c.timing = timing as u32;
    let mut missing: Vec<String> = Vec::new();
    {
        let mut abs = |strukt: &str, path: &str, size: u32| match btf.field(strukt, path) {
            Some((off, sz)) if sz == size => off,
            _ => {
                missing.push(format!("{strukt}.{path}"));
                OFF_NONE
            }
        };
        c.task_flags = abs("task_struct", "flags", 4);
        c.inode_mode = abs("inode", "i_mode", 2);
        c.socket_sk = abs("socket", "sk", 8);
        c.sock_sk_socket = abs("sock", "sk_socket", 8);
        c.socket_file = abs("socket", "file", 8);
    }
    // The file table walk: the same offsets as -y's.
    let (so, unresolved) = crate::sock_offsets::resolve(btf, 1);
    missing.extend(unresolved);
    c.task_files = so.task_files;
    c.files_fdt = so.files_fdt;
    c.fdt = so.fdt;
    c.fdt_max_fds_rel = so.fdt_max_fds_rel;
    c.fdt_fd_rel = so.fdt_fd_rel;
    c.file = so.file;
    c.file_private_data_rel = so.file_private_data_rel;
    c.file_inode_rel = so.file_inode_rel;
    let rw = c.events & !((1 << 11) | (1 << 12)) != 0;
    missing.extend(pt_regs_mismatches(btf));
    if rw && tracefs::field_offset("sock", "sock_send_length", "ret").is_none() {
        missing.push("the tracepoints sock:sock_send_length / sock_recv_length".into());
    }
    if !missing.is_empty() {
        anyhow::bail!(
            "read/write/readv/writev/sendfile/splice cannot be traced on this kernel (missing: {}); select other calls with -e trace=",
            missing.join(", ")
        );
    }
    Ok(c)
}

/// The saved user registers (syscall arguments 1-6 and number) the kernel side loads straight
/// from the task's pt_regs at x86-64's fixed offsets (`sockscope_common::PT_REGS_*`): each one
/// this kernel's BTF places elsewhere, or lacks, described. Empty: the loads are right. The
/// data calls and the exit-only capture both depend on it.
pub fn pt_regs_mismatches(btf: &Btf) -> Vec<String> {
    use sockscope_common as k;
    [
        ("orig_ax", k::PT_REGS_ORIG_AX),
        ("di", k::PT_REGS_DI),
        ("si", k::PT_REGS_SI),
        ("dx", k::PT_REGS_DX),
        ("r10", k::PT_REGS_R10),
        ("r8", k::PT_REGS_R8),
        ("r9", k::PT_REGS_R9),
    ]
    .into_iter()
    .filter_map(|(name, want)| match btf.field("pt_regs", name) {
        Some((off, 8)) if off == want => None,
        Some((off, _)) => Some(format!(
            "pt_regs.{name} at offset {off} (the kernel side loads it at {want})"
        )),
        None => Some(format!("pt_regs.{name}")),
    })
    .collect()
}

/// The offsets of the in-kernel path walk for `-y` (disabled without -y, or when this kernel's
/// BTF lacks one of them: paths then come from /proc alone).
pub fn resolve_path(btf: &Btf, yflag: u8) -> sockscope_common::PathOffsets {
    use sockscope_common::PathOffsets;
    if yflag == 0 {
        return PathOffsets::OFF;
    }
    let f = |s: &str, p: &str, size: u32| match btf.field(s, p) {
        Some((off, sz)) if sz == size => Some(off),
        _ => None,
    };
    let get = || -> Option<PathOffsets> {
        // qstr: the name pointer follows the u64 hash_len.
        if f("qstr", "name", 8)? != 8 {
            return None;
        }
        Some(PathOffsets {
            enabled: 1,
            task_files: f("task_struct", "files", 8)?,
            files_fdt: f("files_struct", "fdt", 8)?,
            fdt_max_fds: f("fdtable", "max_fds", 4)?,
            fdt_fd: f("fdtable", "fd", 8)?,
            task_fs: f("task_struct", "fs", 8)?,
            fs_root: btf.field("fs_struct", "root")?.0,
            path_mnt: f("path", "mnt", 8)?,
            path_dentry: f("path", "dentry", 8)?,
            file_f_path: btf.field("file", "f_path")?.0,
            file_f_inode: f("file", "f_inode", 8)?,
            inode_i_sb: f("inode", "i_sb", 8)?,
            sb_s_magic: f("super_block", "s_magic", 8)?,
            dentry_d_parent: f("dentry", "d_parent", 8)?,
            dentry_d_name: btf.field("dentry", "d_name")?.0,
            mount_mnt: btf.field("mount", "mnt")?.0,
            mount_mnt_parent: f("mount", "mnt_parent", 8)?,
            mount_mnt_mountpoint: f("mount", "mnt_mountpoint", 8)?,
            vfsmount_mnt_root: f("vfsmount", "mnt_root", 8)?,
        })
    };
    match get() {
        Some(o) => o,
        None => {
            eprintln!(
                "sockscope: -y: this kernel's BTF lacks the path walk's fields; paths of non-socket descriptors come from /proc"
            );
            PathOffsets::OFF
        }
    }
}
