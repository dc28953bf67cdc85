//! `-y`/`-yy` for a descriptor that is not a socket: its path, read in the kernel at the call
//! (a record can be rendered after the process exited, when `/proc/PID/fd` is gone).
//!
//! file → f_path (mount, dentry); then up the tree: a dentry's name, its parent, and at the
//! root of a mount the mount point in the parent mount, until the process's root
//! (task->fs->root) or the namespace's root mount. Bounded: `PATH_DEPTH` steps, `PATH_BYTES`
//! bytes of names; a longer path is marked incomplete and user space falls back to /proc.
//! A detached dentry (pipe, anon inode, memfd) gives its own name and the file system's magic,
//! from which user space builds `pipe:[INODE]` / `anon_inode:NAME` as the kernel's d_dname does.

use core::ffi::c_void;

use aya_ebpf::helpers::generated::{bpf_get_current_task, bpf_loop, bpf_probe_read_kernel};
use sockscope_common::{
    CURSOR_LIMIT, CURSOR_MASK, PATH_BYTES, PATH_COMPLETE, PATH_DEPTH, PATH_DETACHED, PathHead,
    PathOffsets, SEG_HEADER_SIZE, SEG_OK, SegHeader, Slot, seg, seg_padded,
};

#[unsafe(no_mangle)]
static PATH_OFFSETS: PathOffsets = PathOffsets::OFF;

macro_rules! p {
    ($f:ident) => {
        // SAFETY: a read of our own static.
        unsafe { core::ptr::read_volatile(core::ptr::addr_of!(PATH_OFFSETS.$f)) as u64 }
    };
}

use crate::capture::read_kernel as rd;

#[inline(always)]
fn opaque(v: u32) -> u32 {
    let x = v;
    // SAFETY: a read of a local.
    unsafe { core::ptr::read_volatile(&x) }
}

/// The struct file at descriptor `fd` of the current task.
#[inline(always)]
fn file_of(fd: u64) -> Option<u64> {
    let fd = fd as u32 as i32;
    if fd < 0 {
        return None;
    }
    // SAFETY: helper without preconditions.
    let task = unsafe { bpf_get_current_task() };
    let files: u64 = rd(task + p!(task_files))?;
    let fdt: u64 = rd(files + p!(files_fdt))?;
    let max: u32 = rd(fdt + p!(fdt_max_fds))?;
    if fd as u32 >= max {
        return None;
    }
    let arr: u64 = rd(fdt + p!(fdt_fd))?;
    let f: u64 = rd(arr + 8 * fd as u64)?;
    if f == 0 { None } else { Some(f) }
}

/// Appends a `seg::PATH` segment for the descriptor in argument `idx`.
#[inline(never)]
pub fn capture(slot: &mut Slot, idx: u32) {
    if p!(enabled) == 0 {
        return;
    }
    let fd = slot.header.args[(idx & 3) as usize];
    let Some(file) = file_of(fd) else { return };
    let cur = slot.cursor;
    if cur >= CURSOR_LIMIT {
        slot.header.flags |= sockscope_common::RF_SEGS_TRUNCATED;
        return;
    }
    let off = opaque(cur & CURSOR_MASK) as usize;
    let base = slot.data.as_mut_ptr();
    // SAFETY: off < CURSOR_LIMIT; the segment holds at most 8 + PATH_BYTES + 256 bytes, which
    // DATA_SIZE leaves room for after CURSOR_LIMIT.
    let (sh, body) = unsafe {
        (
            base.add(off).cast::<SegHeader>(),
            base.add(off + SEG_HEADER_SIZE),
        )
    };
    let mut head = PathHead::default();
    let used = walk(file, body, &mut head, &mut slot.step);
    // SAFETY: body has room for the head (8 bytes).
    unsafe { core::ptr::write_unaligned(body.cast::<PathHead>(), head) };
    let len = 8 + (used & (PATH_BYTES + 255));
    // SAFETY: sh points inside `data`, 8-aligned.
    unsafe {
        (*sh).kind = seg::PATH;
        (*sh).status = SEG_OK;
        (*sh).index = (idx & 3) as u16;
        (*sh).len = len;
        (*sh).addr = 0;
    }
    slot.cursor = off as u32 + SEG_HEADER_SIZE as u32 + seg_padded(len);
    slot.header.nsegs += 1;
}

/// The walk's state, on the stack of `capture`, handed to each `step`.
#[repr(C)]
struct Walk {
    /// Where the components go (after the 8-byte head), inside the slot.
    body: *mut u8,
    /// The write position, in map memory (the slot's `step`, free until an mmsg call's steps
    /// use it after this capture): the verifier does not track its value there.
    pos: *mut u32,
    flags: u32,
    _pad: u32,
    dentry: u64,
    mnt: u64,
    root_dentry: u64,
    root_mnt: u64,
}

/// Writes the components after the 8-byte head at `body`; returns their bytes.
///
/// The steps run through `bpf_loop`: the verifier checks one step's code, not `PATH_DEPTH`
/// copies of it (inlined, the walk cost ~2 ms of verification per step in every program that
/// captures a descriptor).
#[inline(always)]
fn walk(file: u64, body: *mut u8, head: &mut PathHead, pos: &mut u32) -> u32 {
    let Some(inode) = rd::<u64>(file + p!(file_f_inode)) else {
        return 0;
    };
    if let Some(sb) = rd::<u64>(inode + p!(inode_i_sb)) {
        head.magic = rd::<u64>(sb + p!(sb_s_magic)).unwrap_or(0) as u32;
    }
    let fpath = file + p!(file_f_path);
    let (Some(mnt), Some(dentry)) = (
        rd::<u64>(fpath + p!(path_mnt)),
        rd::<u64>(fpath + p!(path_dentry)),
    ) else {
        return 0;
    };
    // SAFETY: helper without preconditions.
    let task = unsafe { bpf_get_current_task() };
    let (mut root_mnt, mut root_dentry) = (0u64, 0u64);
    if let Some(fs) = rd::<u64>(task + p!(task_fs))
        && fs != 0
    {
        let root = fs + p!(fs_root);
        root_mnt = rd(root + p!(path_mnt)).unwrap_or(0);
        root_dentry = rd(root + p!(path_dentry)).unwrap_or(0);
    }
    let pos: *mut u32 = pos;
    // SAFETY: a field of the slot.
    unsafe { core::ptr::write_volatile(pos, 0) };
    let mut w = Walk {
        body,
        pos,
        flags: 0,
        _pad: 0,
        dentry,
        mnt,
        root_dentry,
        root_mnt,
    };
    // SAFETY: `step` is a static function of this object; `w` outlives the call.
    unsafe {
        bpf_loop(
            PATH_DEPTH,
            step as *mut c_void,
            (&mut w as *mut Walk).cast(),
            0,
        )
    };
    head.flags = w.flags;
    // SAFETY: a field of the slot.
    unsafe { core::ptr::read_volatile(pos) }
}

/// One step up the tree (a `bpf_loop` callback): 0 to go on, 1 to stop.
#[inline(never)]
extern "C" fn step(_index: u64, ctx: *mut c_void) -> i64 {
    // SAFETY: ctx is the `Walk` on the stack of `walk`.
    let w = unsafe { &mut *ctx.cast::<Walk>() };
    if w.dentry == w.root_dentry && w.mnt == w.root_mnt {
        w.flags |= PATH_COMPLETE;
        return 1;
    }
    let Some(mnt_root) = rd::<u64>(w.mnt + p!(vfsmount_mnt_root)) else {
        return 1;
    };
    if w.dentry == mnt_root {
        let m = w.mnt - p!(mount_mnt);
        let Some(parent) = rd::<u64>(m + p!(mount_mnt_parent)) else {
            return 1;
        };
        if parent == m {
            // The namespace's root mount: the process root is outside it (or it is it).
            w.flags |= PATH_COMPLETE;
            return 1;
        }
        let Some(mp) = rd::<u64>(m + p!(mount_mnt_mountpoint)) else {
            return 1;
        };
        w.dentry = mp;
        w.mnt = parent + p!(mount_mnt);
        return 0;
    }
    let Some(parent) = rd::<u64>(w.dentry + p!(dentry_d_parent)) else {
        return 1;
    };
    // The name: qstr { u64 hash_len (len in the high half); const char *name }.
    let q = w.dentry + p!(dentry_d_name);
    let (Some(hash_len), Some(name)) = (rd::<u64>(q), rd::<u64>(q + 8)) else {
        return 1;
    };
    // SAFETY: a field of the slot.
    let p = unsafe { core::ptr::read_volatile(w.pos) };
    if p > PATH_BYTES - 256 {
        return 1;
    }
    let n = ((hash_len >> 32) as u32).min(255) & 255;
    let at = opaque(p & (PATH_BYTES - 1)) as usize;
    // SAFETY: 8 + at + 1 + n <= 8 + PATH_BYTES + 256 bytes after body, inside `data`.
    let r = unsafe {
        *w.body.add(8 + at) = n as u8;
        bpf_probe_read_kernel(w.body.add(8 + at + 1).cast(), n, name as *const c_void)
    };
    if r != 0 {
        return 1;
    }
    // SAFETY: a field of the slot.
    unsafe { core::ptr::write_volatile(w.pos, at as u32 + 1 + n) };
    if parent == w.dentry {
        // Detached (a pseudo file): its own name is all there is.
        w.flags |= PATH_DETACHED;
        return 1;
    }
    w.dentry = parent;
    0
}
