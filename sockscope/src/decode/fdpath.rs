//! The path of a non-socket descriptor as the kernel side read it at the call (`seg::PATH`,
//! sockscope-ebpf's path.rs), turned into what `/proc/PID/fd/FD` (the kernel's d_path) shows
//! and strace prints: `/var/www/f.bin`, `pipe:[123]`, `anon_inode:[eventfd]`, `/memfd:x (deleted)`.
//!
//! Used first; `/proc` only when the walk was cut short (a path deeper than `PATH_DEPTH` steps
//! or longer than `PATH_BYTES`) or is not on this kernel. Not detected in the kernel: a regular
//! file unlinked since it was opened (d_path's " (deleted)"); /proc gives it while the process
//! lives.

use sockscope_common::{PATH_COMPLETE, PATH_DETACHED, PathHead, SockInfo};

use super::sockinfo::FdPath;

/// PIPEFS_MAGIC, ANON_INODE_FS_MAGIC (include/uapi/linux/magic.h).
const PIPEFS_MAGIC: u32 = 0x5049_5045;
const ANON_INODE_FS_MAGIC: u32 = 0x0904_1934;

/// The components (leaf first) after the head, None when malformed.
fn components(body: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    let mut p = 0;
    while p < body.len() {
        let n = body[p] as usize;
        let name = body.get(p + 1..p + 1 + n)?;
        out.push(name);
        p += 1 + n;
    }
    Some(out)
}

/// The path of a `seg::PATH` segment's bytes for the descriptor `info` describes.
pub fn parse(data: &[u8], info: &SockInfo) -> Option<FdPath> {
    const HEAD: usize = std::mem::size_of::<PathHead>();
    if data.len() < HEAD {
        return None;
    }
    let magic = u32::from_le_bytes(data[0..4].try_into().unwrap());
    let flags = u32::from_le_bytes(data[4..8].try_into().unwrap());
    let comps = components(&data[HEAD..])?;
    if flags & PATH_DETACHED != 0 {
        let name = comps.first()?;
        let path = match magic {
            PIPEFS_MAGIC => format!("pipe:[{}]", info.ino).into_bytes(),
            ANON_INODE_FS_MAGIC => [b"anon_inode:".as_slice(), name].concat(),
            // A pseudo file of a disk-like file system (memfd, O_TMPFILE...): d_path shows
            // "/NAME (deleted)".
            _ => {
                return Some(FdPath {
                    path: [b"/".as_slice(), name].concat(),
                    deleted: true,
                });
            }
        };
        return Some(FdPath {
            path,
            deleted: false,
        });
    }
    if flags & PATH_COMPLETE == 0 {
        return None;
    }
    let mut path = Vec::new();
    for c in comps.iter().rev() {
        path.push(b'/');
        path.extend_from_slice(c);
    }
    if path.is_empty() {
        path.push(b'/');
    }
    Some(FdPath {
        path,
        deleted: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(magic: u32, flags: u32, comps: &[&str]) -> Vec<u8> {
        let mut v = magic.to_le_bytes().to_vec();
        v.extend_from_slice(&flags.to_le_bytes());
        for c in comps {
            v.push(c.len() as u8);
            v.extend_from_slice(c.as_bytes());
        }
        v
    }

    fn info(ino: u64) -> SockInfo {
        // SAFETY: SockInfo is plain data; all-zero is valid.
        let mut i: SockInfo = unsafe { std::mem::zeroed() };
        i.ino = ino;
        i
    }

    #[test]
    fn paths() {
        let i = info(58191);
        let p = |d: &[u8]| parse(d, &i).map(|p| (String::from_utf8(p.path).unwrap(), p.deleted));
        assert_eq!(
            p(&seg(0xef53, PATH_COMPLETE, &["f.bin", "www", "var"])),
            Some(("/var/www/f.bin".into(), false))
        );
        assert_eq!(
            p(&seg(0xef53, PATH_COMPLETE, &[])),
            Some(("/".into(), false))
        );
        assert_eq!(
            p(&seg(0xef53, 0, &["deep"])),
            None,
            "cut short: /proc decides"
        );
        assert_eq!(
            p(&seg(PIPEFS_MAGIC, PATH_DETACHED, &[""])),
            Some(("pipe:[58191]".into(), false))
        );
        assert_eq!(
            p(&seg(ANON_INODE_FS_MAGIC, PATH_DETACHED, &["[eventfd]"])),
            Some(("anon_inode:[eventfd]".into(), false))
        );
        assert_eq!(
            p(&seg(0x0102_1994, PATH_DETACHED, &["memfd:x"])),
            Some(("/memfd:x".into(), true))
        );
        assert_eq!(p(&[1, 2, 3]), None);
        assert_eq!(p(&seg(0xef53, PATH_COMPLETE, &["ab"])[..10]), None);
    }
}
