//! The kernel structure offsets `-y`/`-yy` needs (the eBPF side's `SOCK_OFFSETS`), resolved
//! from the running kernel's BTF. Fields read together are grouped into spans (one read each);
//! a span whose fields are not all found with the expected sizes, or that would be longer than
//! `SPAN_MAX`, is left unresolved, and so are the parts that depend on it: the capture then
//! reports them unknown (`SockInfo::known`) and the renderer falls back as strace does.

use sockscope_common::{OFF_NONE, SPAN_MAX, SockOffsets, Span};

use crate::btf::Btf;

/// A span over `fields` of `strukt` (path, expected size) and the fields' offsets in it.
fn span<const N: usize>(
    btf: &Btf,
    strukt: &str,
    fields: [(&str, u32); N],
    missing: &mut Vec<String>,
) -> (Span, [u32; N]) {
    let mut found = [(0u32, 0u32); N];
    for (i, (path, size)) in fields.iter().enumerate() {
        match btf.field(strukt, path) {
            Some((off, sz)) if sz == *size => found[i] = (off, sz),
            _ => {
                missing.push(format!("{strukt}.{path}"));
                return (Span::default(), [0; N]);
            }
        }
    }
    let start = found.iter().map(|f| f.0).min().unwrap_or(0);
    let end = found.iter().map(|f| f.0 + f.1).max().unwrap_or(0);
    if end - start > SPAN_MAX {
        missing.push(format!("{strukt} ({} bytes apart)", end - start));
        return (Span::default(), [0; N]);
    }
    (
        Span {
            start,
            len: end - start,
        },
        found.map(|f| f.0 - start),
    )
}

fn abs(btf: &Btf, strukt: &str, path: &str, size: u32, missing: &mut Vec<String>) -> u32 {
    match btf.field(strukt, path) {
        Some((off, sz)) if sz == size => off,
        _ => {
            missing.push(format!("{strukt}.{path}"));
            OFF_NONE
        }
    }
}

/// The offsets for capture level `level` (1: `-y`, 2: `-yy`), and what could not be resolved.
pub fn resolve(btf: &Btf, level: u32) -> (SockOffsets, Vec<String>) {
    let mut m = Vec::new();
    let mut o = SockOffsets {
        level,
        ..SockOffsets::OFF
    };
    if level == 0 {
        return (o, m);
    }
    o.task_files = abs(btf, "task_struct", "files", 8, &mut m);
    o.files_fdt = abs(btf, "files_struct", "fdt", 8, &mut m);
    let (s, [a, b]) = span(btf, "fdtable", [("max_fds", 4), ("fd", 8)], &mut m);
    (o.fdt, o.fdt_max_fds_rel, o.fdt_fd_rel) = (s, a, b);
    let (s, [a, b]) = span(btf, "file", [("private_data", 8), ("f_inode", 8)], &mut m);
    (o.file, o.file_private_data_rel, o.file_inode_rel) = (s, a, b);
    let (s, [a, b, c]) = span(
        btf,
        "inode",
        [("i_mode", 2), ("i_ino", 8), ("i_rdev", 4)],
        &mut m,
    );
    (o.inode, o.inode_mode_rel, o.inode_ino_rel, o.inode_rdev_rel) = (s, a, b, c);
    if level < 2 {
        return (o, m);
    }
    let (s, [a, b]) = span(btf, "socket", [("type", 2), ("sk", 8)], &mut m);
    (o.socket, o.socket_type_rel, o.socket_sk_rel) = (s, a, b);
    let (s, r) = span(
        btf,
        "sock",
        [
            ("__sk_common.skc_daddr", 4),
            ("__sk_common.skc_rcv_saddr", 4),
            ("__sk_common.skc_dport", 2),
            ("__sk_common.skc_num", 2),
            ("__sk_common.skc_family", 2),
            ("__sk_common.skc_state", 1),
            ("__sk_common.skc_v6_daddr", 16),
            ("__sk_common.skc_v6_rcv_saddr", 16),
        ],
        &mut m,
    );
    o.skc = s;
    [
        o.skc_daddr_rel,
        o.skc_rcv_saddr_rel,
        o.skc_dport_rel,
        o.skc_num_rel,
        o.skc_family_rel,
        o.skc_state_rel,
        o.skc_v6_daddr_rel,
        o.skc_v6_rcv_saddr_rel,
    ] = r;
    let (s, [a, b]) = span(btf, "sock", [("sk_protocol", 2), ("sk_type", 2)], &mut m);
    (o.skp, o.sk_protocol_rel, o.sk_type_rel) = (s, a, b);
    o.sk_socket = abs(btf, "sock", "sk_socket", 8, &mut m);
    o.socket_alloc_ino = match (
        btf.field("socket_alloc", "socket"),
        btf.field("socket_alloc", "vfs_inode.i_ino"),
    ) {
        // The ino is read from the struct socket pointer: socket must be socket_alloc's start.
        (Some((0, _)), Some((off, 8))) => off,
        _ => {
            m.push("socket_alloc.vfs_inode.i_ino".into());
            OFF_NONE
        }
    };
    let (s, [a, b]) = span(btf, "unix_sock", [("addr", 8), ("peer", 8)], &mut m);
    (o.unix, o.unix_addr_rel, o.unix_peer_rel) = (s, a, b);
    o.unix_address_len = abs(btf, "unix_address", "len", 4, &mut m);
    // `struct sockaddr_un name[]`: sun_path follows the 2-byte sun_family.
    o.unix_address_path = match btf.offset_of("unix_address", "name") {
        Some(off) => off + 2,
        None => {
            m.push("unix_address.name".into());
            OFF_NONE
        }
    };
    o.netlink_portid = abs(btf, "netlink_sock", "portid", 4, &mut m);
    o.sk_user_data = abs(btf, "sock", "sk_user_data", 8, &mut m);
    o.sk_net = abs(btf, "sock", "__sk_common.skc_net", 8, &mut m);
    o.net_ns_inum = abs(btf, "net", "ns.inum", 4, &mut m);
    (o, m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_sides_socket_constants_are_linuxs() {
        use sockscope_common::net;
        assert_eq!(net::AF_UNIX as i32, libc::AF_UNIX);
        assert_eq!(net::AF_INET as i32, libc::AF_INET);
        assert_eq!(net::AF_INET6 as i32, libc::AF_INET6);
        assert_eq!(net::AF_NETLINK as i32, libc::AF_NETLINK);
        assert_eq!(net::SOCK_DGRAM as i32, libc::SOCK_DGRAM);
        assert_eq!(net::IPPROTO_UDP as i32, libc::IPPROTO_UDP);
        assert_eq!(net::IPPROTO_UDPLITE as i32, libc::IPPROTO_UDPLITE);
        assert_eq!(net::MSG_ERRQUEUE as i32, libc::MSG_ERRQUEUE);
    }

    #[test]
    fn running_kernel_resolves_everything() {
        let btf = Btf::from_sys_fs().expect("kernel BTF");
        let (o, missing) = resolve(&btf, 2);
        assert!(missing.is_empty(), "unresolved: {missing:?}");
        assert_eq!(o.level, 2);
        for s in [o.fdt, o.file, o.inode, o.socket, o.skc, o.skp, o.unix] {
            assert!(s.len > 0 && s.len <= SPAN_MAX, "{o:?}");
        }
        // sock_common starts struct sock; skc_family follows the address and port pairs.
        assert_eq!(o.skc.start, 0);
        assert_eq!(o.skc_family_rel, 16);
        let (o1, missing) = resolve(&btf, 1);
        assert!(missing.is_empty());
        assert_eq!(o1.skc.len, 0, "-y alone resolves no socket fields");
        assert_eq!(resolve(&btf, 0).0, SockOffsets::OFF);
    }
}
