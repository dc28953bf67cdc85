//! The generic netlink families of the running kernel (id, name), asked of it as strace does
//! (CTRL_CMD_GETFAMILY dump on a NETLINK_GENERIC socket), so that a NETLINK_GENERIC message
//! type prints as the family's name (`nlmsg_type=nlctrl`). Registered with the netlink decoder
//! at start; queried only when a generic netlink message is first decoded. Also records the
//! tracer's network namespace for the netlink decoder.

use std::mem::size_of;

const NETLINK_GENERIC: i32 = 16;
const GENL_ID_CTRL: u16 = 0x10;
const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_DUMP: u16 = 0x300;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;

/// Registers [`families`] with the decoder, and the tracer's network namespace (strace names a
/// netlink socket's protocol only for sockets of its own namespace).
pub fn register() {
    crate::decode::netlink::set_genl_resolver(families);
    if let Ok(m) = std::fs::metadata("/proc/self/ns/net") {
        use std::os::unix::fs::MetadataExt;
        crate::decode::netlink::set_tracer_netns(m.ino());
    }
}

/// The families, or an empty list when the kernel cannot be asked.
pub fn families() -> Vec<(u16, String)> {
    query().unwrap_or_default()
}

fn query() -> Option<Vec<(u16, String)>> {
    // SAFETY: plain socket syscalls on a descriptor this function owns and closes.
    let fd = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            NETLINK_GENERIC,
        )
    };
    if fd < 0 {
        return None;
    }
    let r = dump(fd);
    // SAFETY: fd is ours.
    unsafe { libc::close(fd) };
    r
}

fn dump(fd: i32) -> Option<Vec<(u16, String)>> {
    let mut req = Vec::with_capacity(20);
    req.extend_from_slice(&20u32.to_ne_bytes());
    req.extend_from_slice(&GENL_ID_CTRL.to_ne_bytes());
    req.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    req.extend_from_slice(&1u32.to_ne_bytes());
    req.extend_from_slice(&0u32.to_ne_bytes());
    req.extend_from_slice(&[CTRL_CMD_GETFAMILY, 1, 0, 0]);
    // SAFETY: req is a valid buffer of req.len() bytes.
    let n = unsafe { libc::send(fd, req.as_ptr().cast(), req.len(), 0) };
    if n != req.len() as isize {
        return None;
    }
    let mut out = Vec::new();
    let mut buf = vec![0u8; 32768];
    loop {
        // SAFETY: buf has buf.len() writable bytes.
        let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
        if n <= 0 {
            return Some(out);
        }
        let b = &buf[..n as usize];
        let mut off = 0usize;
        while off + 16 <= b.len() {
            let len = u32::from_ne_bytes(b[off..off + 4].try_into().ok()?) as usize;
            let ty = u16::from_ne_bytes(b[off + 4..off + 6].try_into().ok()?);
            if len < 16 || off + len > b.len() {
                return Some(out);
            }
            if ty == NLMSG_DONE || ty == NLMSG_ERROR {
                return Some(out);
            }
            if let Some(f) = family(&b[off + 16 + size_of::<u32>()..off + len]) {
                out.push(f);
            }
            off += (len + 3) & !3;
        }
    }
}

/// CTRL_ATTR_FAMILY_ID and CTRL_ATTR_FAMILY_NAME of one reply's attributes.
fn family(mut a: &[u8]) -> Option<(u16, String)> {
    let (mut id, mut name) = (None, None);
    while a.len() >= 4 {
        let len = u16::from_ne_bytes([a[0], a[1]]) as usize;
        let ty = u16::from_ne_bytes([a[2], a[3]]) & 0x3fff;
        if len < 4 || len > a.len() {
            break;
        }
        let p = &a[4..len];
        match ty {
            CTRL_ATTR_FAMILY_ID if p.len() >= 2 => id = Some(u16::from_ne_bytes([p[0], p[1]])),
            CTRL_ATTR_FAMILY_NAME => {
                let end = p.iter().position(|&c| c == 0).unwrap_or(p.len());
                name = Some(String::from_utf8_lossy(&p[..end]).into_owned());
            }
            _ => {}
        }
        a = &a[((len + 3) & !3).min(a.len())..];
    }
    Some((id?, name?))
}
