//! Constant tables (strace's xlat files as data) and the two ways strace prints them.
//!
//! The tables are those of strace 6.1 (`src/xlat/*.in`), with the values of x86_64 Linux, in
//! strace's order (printflags prints the bits in table order).

use std::fmt::Write;

/// A table of named values: flag bits or enumerated values.
pub struct Xlat {
    /// Entries in the order strace prints them.
    pub entries: &'static [(u64, &'static str)],
    /// What strace puts in the comment for an unknown value, e.g. "MSG_???".
    pub unknown: &'static str,
}

/// The name of exactly `v`, if any.
pub fn xlat_lookup(x: &Xlat, v: u64) -> Option<&'static str> {
    x.entries.iter().find(|e| e.0 == v).map(|e| e.1)
}

/// C's `%#x`: `0` for zero, `0x2d` otherwise.
pub fn push_c_hex(out: &mut String, v: u64) {
    if v == 0 {
        out.push('0');
    } else {
        let _ = write!(out, "{v:#x}");
    }
}

/// strace's printxval: `AF_INET`, or `0x2d /* AF_??? */` for an unknown value.
pub fn print_xval(out: &mut String, v: u64, x: &Xlat) {
    print_xval_dflt(out, v, x, Some(x.unknown));
}

/// printxval with strace's `dflt` argument: the comment for an unknown value, none if `None`
/// or empty (strace's PRINT_FIELD_XVAL(..., NULL) prints a bare `0x3`).
pub fn print_xval_dflt(out: &mut String, v: u64, x: &Xlat, dflt: Option<&str>) {
    let style = super::global_opts().xlat;
    if style == super::XlatStyle::Raw {
        push_c_hex(out, v);
        return;
    }
    match xlat_lookup(x, v) {
        Some(name) if style == super::XlatStyle::Verbose => {
            push_c_hex(out, v);
            out.push_str(" /* ");
            out.push_str(name);
            out.push_str(" */");
        }
        Some(name) => out.push_str(name),
        None => {
            push_c_hex(out, v);
            if let Some(d) = dflt.filter(|d| !d.is_empty()) {
                out.push_str(" /* ");
                out.push_str(d);
                out.push_str(" */");
            }
        }
    }
}

/// strace's printflags: `MSG_OOB|MSG_PEEK`, `MSG_OOB|0x100000`, `0x100000 /* MSG_??? */`, `0`.
pub fn print_flags(out: &mut String, v: u64, x: &Xlat) {
    match super::global_opts().xlat {
        super::XlatStyle::Abbrev => {}
        super::XlatStyle::Raw => return push_c_hex(out, v),
        super::XlatStyle::Verbose => return print_flags_verbose(out, v, x),
    }
    print_flags_abbrev(out, v, x);
}

/// printflags in strace's default style (-X abbrev), whatever -X says (JSON's `decoded`).
pub fn print_flags_abbrev(out: &mut String, v: u64, x: &Xlat) {
    let (names, rest) = flag_names(v, x);
    if names.is_empty() {
        push_c_hex(out, rest);
        if rest != 0 {
            out.push_str(" /* ");
            out.push_str(x.unknown);
            out.push_str(" */");
        }
        return;
    }
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        out.push_str(n);
    }
    if rest != 0 {
        out.push('|');
        push_c_hex(out, rest);
    }
}

/// printflags with `-X verbose`: `0x41 /* MSG_OOB|MSG_DONTWAIT */`, `0 /* NAME */` when a
/// zero-valued name matches, `0x100000 /* MSG_??? */`, `0`.
fn print_flags_verbose(out: &mut String, v: u64, x: &Xlat) {
    let (names, rest) = flag_names(v, x);
    push_c_hex(out, v);
    if names.is_empty() {
        if v != 0 {
            out.push_str(" /* ");
            out.push_str(x.unknown);
            out.push_str(" */");
        }
        return;
    }
    out.push_str(" /* ");
    out.push_str(&names.join("|"));
    if rest != 0 {
        out.push('|');
        push_c_hex(out, rest);
    }
    out.push_str(" */");
}

/// The names of the known bits of `v`, and the bits left over (for JSON).
///
/// As strace's printflags: entries are matched in table order, an entry matching when all its
/// bits are set (an entry of value 0 matches only a `v` of 0, and only as the first entry);
/// matched bits are removed from what is left to match.
pub fn flag_names(v: u64, x: &Xlat) -> (Vec<&'static str>, u64) {
    let mut flags = v;
    let mut names = Vec::new();
    for &(val, name) in x.entries {
        if flags == 0 && !names.is_empty() {
            break;
        }
        if flags == val || (val != 0 && flags & val == val) {
            names.push(name);
            flags &= !val;
        }
        if flags == 0 {
            break;
        }
    }
    (names, flags)
}

/// MSG_* (strace `xlat/msg_flags.in`; MSG_TRYHARD and MSG_EOF are synonyms strace leaves out).
pub static MSG_FLAGS: Xlat = Xlat {
    entries: &[
        (0x1, "MSG_OOB"),
        (0x2, "MSG_PEEK"),
        (0x4, "MSG_DONTROUTE"),
        (0x8, "MSG_CTRUNC"),
        (0x10, "MSG_PROBE"),
        (0x20, "MSG_TRUNC"),
        (0x40, "MSG_DONTWAIT"),
        (0x80, "MSG_EOR"),
        (0x100, "MSG_WAITALL"),
        (0x200, "MSG_FIN"),
        (0x400, "MSG_SYN"),
        (0x800, "MSG_CONFIRM"),
        (0x1000, "MSG_RST"),
        (0x2000, "MSG_ERRQUEUE"),
        (0x4000, "MSG_NOSIGNAL"),
        (0x8000, "MSG_MORE"),
        (0x10000, "MSG_WAITFORONE"),
        (0x20000, "MSG_SENDPAGE_NOTLAST"),
        (0x40000, "MSG_BATCH"),
        (0x80000, "MSG_NO_SHARED_FRAGS"),
        (0x4000000, "MSG_ZEROCOPY"),
        (0x20000000, "MSG_FASTOPEN"),
        (0x40000000, "MSG_CMSG_CLOEXEC"),
        (0x80000000, "MSG_CMSG_COMPAT"),
    ],
    unknown: "MSG_???",
};

/// AF_* (strace `xlat/addrfams.in`).
pub static ADDRESS_FAMILIES: Xlat = Xlat {
    entries: &[
        (0, "AF_UNSPEC"),
        (1, "AF_UNIX"),
        (2, "AF_INET"),
        (3, "AF_AX25"),
        (4, "AF_IPX"),
        (5, "AF_APPLETALK"),
        (6, "AF_NETROM"),
        (7, "AF_BRIDGE"),
        (8, "AF_ATMPVC"),
        (9, "AF_X25"),
        (10, "AF_INET6"),
        (11, "AF_ROSE"),
        (12, "AF_DECnet"),
        (13, "AF_NETBEUI"),
        (14, "AF_SECURITY"),
        (15, "AF_KEY"),
        (16, "AF_NETLINK"),
        (17, "AF_PACKET"),
        (18, "AF_ASH"),
        (19, "AF_ECONET"),
        (20, "AF_ATMSVC"),
        (21, "AF_RDS"),
        (22, "AF_SNA"),
        (23, "AF_IRDA"),
        (24, "AF_PPPOX"),
        (25, "AF_WANPIPE"),
        (26, "AF_LLC"),
        (27, "AF_IB"),
        (28, "AF_MPLS"),
        (29, "AF_CAN"),
        (30, "AF_TIPC"),
        (31, "AF_BLUETOOTH"),
        (32, "AF_IUCV"),
        (33, "AF_RXRPC"),
        (34, "AF_ISDN"),
        (35, "AF_PHONET"),
        (36, "AF_IEEE802154"),
        (37, "AF_CAIF"),
        (38, "AF_ALG"),
        (39, "AF_NFC"),
        (40, "AF_VSOCK"),
        (41, "AF_KCM"),
        (42, "AF_QIPCRTR"),
        (43, "AF_SMC"),
        (44, "AF_XDP"),
        (45, "AF_MCTP"),
    ],
    unknown: "AF_???",
};

/// SOCK_* socket types (strace `xlat/socktypes.in`, non-MIPS values).
pub static SOCKET_TYPES: Xlat = Xlat {
    entries: &[
        (1, "SOCK_STREAM"),
        (2, "SOCK_DGRAM"),
        (3, "SOCK_RAW"),
        (4, "SOCK_RDM"),
        (5, "SOCK_SEQPACKET"),
        (6, "SOCK_DCCP"),
        (10, "SOCK_PACKET"),
    ],
    unknown: "SOCK_???",
};

/// Flags or-ed into a socket type (strace `xlat/sock_type_flags.in`).
pub static SOCKET_TYPE_FLAGS: Xlat = Xlat {
    entries: &[(0o2000000, "SOCK_CLOEXEC"), (0o4000, "SOCK_NONBLOCK")],
    unknown: "SOCK_???",
};

/// NETLINK_* protocols (strace `xlat/netlink_protocols.in`).
pub static NETLINK_PROTOCOLS: Xlat = Xlat {
    entries: &[
        (0, "NETLINK_ROUTE"),
        (1, "NETLINK_UNUSED"),
        (2, "NETLINK_USERSOCK"),
        (3, "NETLINK_FIREWALL"),
        (4, "NETLINK_SOCK_DIAG"),
        (5, "NETLINK_NFLOG"),
        (6, "NETLINK_XFRM"),
        (7, "NETLINK_SELINUX"),
        (8, "NETLINK_ISCSI"),
        (9, "NETLINK_AUDIT"),
        (10, "NETLINK_FIB_LOOKUP"),
        (11, "NETLINK_CONNECTOR"),
        (12, "NETLINK_NETFILTER"),
        (13, "NETLINK_IP6_FW"),
        (14, "NETLINK_DNRTMSG"),
        (15, "NETLINK_KOBJECT_UEVENT"),
        (16, "NETLINK_GENERIC"),
        (18, "NETLINK_SCSITRANSPORT"),
        (19, "NETLINK_ECRYPTFS"),
        (20, "NETLINK_RDMA"),
        (21, "NETLINK_CRYPTO"),
        (22, "NETLINK_SMC"),
    ],
    unknown: "NETLINK_???",
};

/// ETH_P_* (strace `xlat/ethernet_protocols.in`), for sll_protocol.
pub static ETHERNET_PROTOCOLS: Xlat = Xlat {
    entries: &[
        (0x0001, "ETH_P_802_3"),
        (0x0002, "ETH_P_AX25"),
        (0x0003, "ETH_P_ALL"),
        (0x0004, "ETH_P_802_2"),
        (0x0005, "ETH_P_SNAP"),
        (0x0006, "ETH_P_DDCMP"),
        (0x0007, "ETH_P_WAN_PPP"),
        (0x0008, "ETH_P_PPP_MP"),
        (0x0009, "ETH_P_LOCALTALK"),
        (0x000C, "ETH_P_CAN"),
        (0x000D, "ETH_P_CANFD"),
        (0x000E, "ETH_P_CANXL"),
        (0x0010, "ETH_P_PPPTALK"),
        (0x0011, "ETH_P_TR_802_2"),
        (0x0015, "ETH_P_MOBITEX"),
        (0x0016, "ETH_P_CONTROL"),
        (0x0017, "ETH_P_IRDA"),
        (0x0018, "ETH_P_ECONET"),
        (0x0019, "ETH_P_HDLC"),
        (0x001A, "ETH_P_ARCNET"),
        (0x001B, "ETH_P_DSA"),
        (0x001C, "ETH_P_TRAILER"),
        (0x0060, "ETH_P_LOOP"),
        (0x00F5, "ETH_P_PHONET"),
        (0x00F6, "ETH_P_IEEE802154"),
        (0x00F7, "ETH_P_CAIF"),
        (0x00F8, "ETH_P_XDSA"),
        (0x00F9, "ETH_P_MAP"),
        (0x00FA, "ETH_P_MCTP"),
        (0x0200, "ETH_P_PUP"),
        (0x0201, "ETH_P_PUPAT"),
        (0x0600, "ETH_P_802_3_MIN"),
        (0x0800, "ETH_P_IP"),
        (0x0805, "ETH_P_X25"),
        (0x0806, "ETH_P_ARP"),
        (0x08FF, "ETH_P_BPQ"),
        (0x0a00, "ETH_P_IEEEPUP"),
        (0x0a01, "ETH_P_IEEEPUPAT"),
        (0x22EB, "ETH_P_ERSPAN2"),
        (0x22F0, "ETH_P_TSN"),
        (0x4305, "ETH_P_BATMAN"),
        (0x6000, "ETH_P_DEC"),
        (0x6001, "ETH_P_DNA_DL"),
        (0x6002, "ETH_P_DNA_RC"),
        (0x6003, "ETH_P_DNA_RT"),
        (0x6004, "ETH_P_LAT"),
        (0x6005, "ETH_P_DIAG"),
        (0x6006, "ETH_P_CUST"),
        (0x6007, "ETH_P_SCA"),
        (0x6558, "ETH_P_TEB"),
        (0x8035, "ETH_P_RARP"),
        (0x809B, "ETH_P_ATALK"),
        (0x80F3, "ETH_P_AARP"),
        (0x8100, "ETH_P_8021Q"),
        (0x8137, "ETH_P_IPX"),
        (0x86DD, "ETH_P_IPV6"),
        (0x8808, "ETH_P_PAUSE"),
        (0x8809, "ETH_P_SLOW"),
        (0x883E, "ETH_P_WCCP"),
        (0x8847, "ETH_P_MPLS_UC"),
        (0x8848, "ETH_P_MPLS_MC"),
        (0x884c, "ETH_P_ATMMPOA"),
        (0x8863, "ETH_P_PPP_DISC"),
        (0x8864, "ETH_P_PPP_SES"),
        (0x886c, "ETH_P_LINK_CTL"),
        (0x8884, "ETH_P_ATMFATE"),
        (0x888E, "ETH_P_PAE"),
        (0x8899, "ETH_P_REALTEK"),
        (0x88A2, "ETH_P_AOE"),
        (0x88A8, "ETH_P_8021AD"),
        (0x88B5, "ETH_P_802_EX1"),
        (0x88BE, "ETH_P_ERSPAN"),
        (0x88C7, "ETH_P_PREAUTH"),
        (0x88CA, "ETH_P_TIPC"),
        (0x88CC, "ETH_P_LLDP"),
        (0x88E3, "ETH_P_MRP"),
        (0x88E5, "ETH_P_MACSEC"),
        (0x88E7, "ETH_P_8021AH"),
        (0x88F5, "ETH_P_MVRP"),
        (0x88F7, "ETH_P_1588"),
        (0x88F8, "ETH_P_NCSI"),
        (0x88FB, "ETH_P_PRP"),
        (0x8902, "ETH_P_CFM"),
        (0x8906, "ETH_P_FCOE"),
        (0x890D, "ETH_P_TDLS"),
        (0x8914, "ETH_P_FIP"),
        (0x8915, "ETH_P_IBOE"),
        (0x8917, "ETH_P_80221"),
        (0x892F, "ETH_P_HSR"),
        (0x894F, "ETH_P_NSH"),
        (0x9000, "ETH_P_LOOPBACK"),
        (0x9100, "ETH_P_QINQ1"),
        (0x9200, "ETH_P_QINQ2"),
        (0x9300, "ETH_P_QINQ3"),
        (0xDADA, "ETH_P_EDSA"),
        (0xDADB, "ETH_P_DSA_8021Q"),
        (0xE001, "ETH_P_DSA_A5PSW"),
        (0xED3E, "ETH_P_IFE"),
        (0xFBFB, "ETH_P_AF_IUCV"),
    ],
    unknown: "ETH_P_???",
};

/// PACKET_* packet types (strace `xlat/af_packet_types.in`), for sll_pkttype.
pub static AF_PACKET_TYPES: Xlat = Xlat {
    entries: &[
        (0, "PACKET_HOST"),
        (1, "PACKET_BROADCAST"),
        (2, "PACKET_MULTICAST"),
        (3, "PACKET_OTHERHOST"),
        (4, "PACKET_OUTGOING"),
        (5, "PACKET_LOOPBACK"),
        (6, "PACKET_USER"),
        (7, "PACKET_KERNEL"),
    ],
    unknown: "PACKET_???",
};

/// ARPHRD_* (strace `xlat/arp_hardware_types.in`), for sll_hatype.
pub static ARP_HARDWARE_TYPES: Xlat = Xlat {
    entries: &[
        (0, "ARPHRD_NETROM"),
        (1, "ARPHRD_ETHER"),
        (2, "ARPHRD_EETHER"),
        (3, "ARPHRD_AX25"),
        (4, "ARPHRD_PRONET"),
        (5, "ARPHRD_CHAOS"),
        (6, "ARPHRD_IEEE802"),
        (7, "ARPHRD_ARCNET"),
        (8, "ARPHRD_APPLETLK"),
        (15, "ARPHRD_DLCI"),
        (19, "ARPHRD_ATM"),
        (23, "ARPHRD_METRICOM"),
        (24, "ARPHRD_IEEE1394"),
        (27, "ARPHRD_EUI64"),
        (32, "ARPHRD_INFINIBAND"),
        (256, "ARPHRD_SLIP"),
        (257, "ARPHRD_CSLIP"),
        (258, "ARPHRD_SLIP6"),
        (259, "ARPHRD_CSLIP6"),
        (260, "ARPHRD_RSRVD"),
        (264, "ARPHRD_ADAPT"),
        (270, "ARPHRD_ROSE"),
        (271, "ARPHRD_X25"),
        (272, "ARPHRD_HWX25"),
        (280, "ARPHRD_CAN"),
        (290, "ARPHRD_MCTP"),
        (512, "ARPHRD_PPP"),
        (513, "ARPHRD_CISCO"),
        (516, "ARPHRD_LAPB"),
        (517, "ARPHRD_DDCMP"),
        (518, "ARPHRD_RAWHDLC"),
        (519, "ARPHRD_RAWIP"),
        (768, "ARPHRD_TUNNEL"),
        (769, "ARPHRD_TUNNEL6"),
        (770, "ARPHRD_FRAD"),
        (771, "ARPHRD_SKIP"),
        (772, "ARPHRD_LOOPBACK"),
        (773, "ARPHRD_LOCALTLK"),
        (774, "ARPHRD_FDDI"),
        (775, "ARPHRD_BIF"),
        (776, "ARPHRD_SIT"),
        (777, "ARPHRD_IPDDP"),
        (778, "ARPHRD_IPGRE"),
        (779, "ARPHRD_PIMREG"),
        (780, "ARPHRD_HIPPI"),
        (781, "ARPHRD_ASH"),
        (782, "ARPHRD_ECONET"),
        (783, "ARPHRD_IRDA"),
        (784, "ARPHRD_FCPP"),
        (785, "ARPHRD_FCAL"),
        (786, "ARPHRD_FCPL"),
        (787, "ARPHRD_FCFABRIC"),
        (800, "ARPHRD_IEEE802_TR"),
        (801, "ARPHRD_IEEE80211"),
        (802, "ARPHRD_IEEE80211_PRISM"),
        (803, "ARPHRD_IEEE80211_RADIOTAP"),
        (804, "ARPHRD_IEEE802154"),
        (805, "ARPHRD_IEEE802154_MONITOR"),
        (820, "ARPHRD_PHONET"),
        (821, "ARPHRD_PHONET_PIPE"),
        (822, "ARPHRD_CAIF"),
        (823, "ARPHRD_IP6GRE"),
        (824, "ARPHRD_NETLINK"),
        (825, "ARPHRD_6LOWPAN"),
        (826, "ARPHRD_VSOCKMON"),
        (0xFFFE, "ARPHRD_NONE"),
        (0xFFFF, "ARPHRD_VOID"),
    ],
    unknown: "ARPHRD_???",
};

/// VMADDR_CID_* (strace `xlat/vsock_cids.in`); strace prints unknown ones without a comment.
pub static VSOCK_CIDS: Xlat = Xlat {
    entries: &[
        (0, "VMADDR_CID_HYPERVISOR"),
        (1, "VMADDR_CID_LOCAL"),
        (2, "VMADDR_CID_HOST"),
        (0xffffffff, "VMADDR_CID_ANY"),
    ],
    unknown: "",
};

/// VMADDR_PORT_* (strace `xlat/vsock_ports.in`); strace prints unknown ones without a comment.
pub static VSOCK_PORTS: Xlat = Xlat {
    entries: &[(0xffffffff, "VMADDR_PORT_ANY")],
    unknown: "",
};

/// VMADDR_FLAG_* (strace `xlat/vsock_flags.in`).
pub static VSOCK_FLAGS: Xlat = Xlat {
    entries: &[(0x1, "VMADDR_FLAG_TO_HOST")],
    unknown: "VMADDR_FLAG_???",
};

/// QRTR_NODE_* (strace `xlat/qipcrtr_nodes.in`); unknown ones print without a comment.
pub static QIPCRTR_NODES: Xlat = Xlat {
    entries: &[(0xffffffff, "QRTR_NODE_BCAST")],
    unknown: "",
};

/// QRTR_PORT_* (strace `xlat/qipcrtr_ports.in`); unknown ones print without a comment.
pub static QIPCRTR_PORTS: Xlat = Xlat {
    entries: &[(0xfffffffe, "QRTR_PORT_CTRL")],
    unknown: "",
};

/// XDP_* sockaddr flags (strace `xlat/xdp_sockaddr_flags.in`).
pub static XDP_SOCKADDR_FLAGS: Xlat = Xlat {
    entries: &[
        (1, "XDP_SHARED_UMEM"),
        (2, "XDP_COPY"),
        (4, "XDP_ZEROCOPY"),
        (8, "XDP_USE_NEED_WAKEUP"),
    ],
    unknown: "XDP_???",
};

/// MCTP_ADDR_* (strace `xlat/mctp_addrs.in`); unknown ones print without a comment.
pub static MCTP_ADDRS: Xlat = Xlat {
    entries: &[(0, "MCTP_ADDR_NULL"), (0xff, "MCTP_ADDR_ANY")],
    unknown: "",
};

/// MCTP_NET_* (strace `xlat/mctp_nets.in`); unknown ones print without a comment.
pub static MCTP_NETS: Xlat = Xlat {
    entries: &[(0, "MCTP_NET_ANY")],
    unknown: "",
};

#[cfg(test)]
mod tests {

    #[test]
    fn xlat_styles_as_strace_x() {
        use crate::decode::{GlobalOpts, XlatStyle, set_global_opts};
        let show = |style, v, flags: bool| {
            set_global_opts(GlobalOpts {
                abbrev: true,
                xlat: style,
            });
            let mut s = String::new();
            if flags {
                super::print_flags(&mut s, v, &MSG_FLAGS);
            } else {
                super::print_xval(&mut s, v, &MSG_FLAGS);
            }
            set_global_opts(GlobalOpts::default());
            s
        };
        assert_eq!(show(XlatStyle::Raw, 0x41, true), "0x41");
        assert_eq!(show(XlatStyle::Raw, 0, true), "0");
        assert_eq!(
            show(XlatStyle::Verbose, 0x41, true),
            "0x41 /* MSG_OOB|MSG_DONTWAIT */"
        );
        assert_eq!(
            show(XlatStyle::Verbose, 0x80000041, true),
            "0x80000041 /* MSG_OOB|MSG_DONTWAIT|MSG_CMSG_COMPAT */"
        );
        assert_eq!(show(XlatStyle::Verbose, 0, true), "0");
        assert_eq!(show(XlatStyle::Abbrev, 0x41, true), "MSG_OOB|MSG_DONTWAIT");
        assert_eq!(
            show(XlatStyle::Verbose, 0x40, false),
            "0x40 /* MSG_DONTWAIT */"
        );
        assert_eq!(show(XlatStyle::Raw, 0x40, false), "0x40");
    }

    use super::*;

    fn flags(v: u64, x: &Xlat) -> String {
        let mut s = String::new();
        print_flags(&mut s, v, x);
        s
    }

    fn xval(v: u64, x: &Xlat) -> String {
        let mut s = String::new();
        print_xval(&mut s, v, x);
        s
    }

    #[test]
    fn msg_flags_as_strace_prints_them() {
        // Each pair: the flags argument of sendto, and what strace 6.1 printed for it.
        let cases: &[(u64, &str)] = &[
            (0, "0"),
            (1, "MSG_OOB"),
            (0x41, "MSG_OOB|MSG_DONTWAIT"),
            (0x4000, "MSG_NOSIGNAL"),
            (0xc0000000, "MSG_CMSG_CLOEXEC|MSG_CMSG_COMPAT"),
            (0x100000, "0x100000 /* MSG_??? */"),
            (0x100001, "MSG_OOB|0x100000"),
            (
                0xffffffff,
                "MSG_OOB|MSG_PEEK|MSG_DONTROUTE|MSG_CTRUNC|MSG_PROBE|MSG_TRUNC|MSG_DONTWAIT|\
                 MSG_EOR|MSG_WAITALL|MSG_FIN|MSG_SYN|MSG_CONFIRM|MSG_RST|MSG_ERRQUEUE|\
                 MSG_NOSIGNAL|MSG_MORE|MSG_WAITFORONE|MSG_SENDPAGE_NOTLAST|MSG_BATCH|\
                 MSG_NO_SHARED_FRAGS|MSG_ZEROCOPY|MSG_FASTOPEN|MSG_CMSG_CLOEXEC|MSG_CMSG_COMPAT|\
                 0x1bf00000",
            ),
            (0x2000000, "0x2000000 /* MSG_??? */"),
            (0x4000000, "MSG_ZEROCOPY"),
            (0x20000000, "MSG_FASTOPEN"),
            (0x80000000, "MSG_CMSG_COMPAT"),
            (0x8, "MSG_CTRUNC"),
            (0x24, "MSG_DONTROUTE|MSG_TRUNC"),
        ];
        for &(v, exp) in cases {
            assert_eq!(flags(v, &MSG_FLAGS), exp, "{v:#x}");
        }
    }

    #[test]
    fn flag_names_for_json() {
        assert_eq!(flag_names(0, &MSG_FLAGS), (vec![], 0));
        assert_eq!(
            flag_names(0x41, &MSG_FLAGS),
            (vec!["MSG_OOB", "MSG_DONTWAIT"], 0)
        );
        assert_eq!(
            flag_names(0x100001, &MSG_FLAGS),
            (vec!["MSG_OOB"], 0x100000)
        );
        assert_eq!(flag_names(0x100000, &MSG_FLAGS), (vec![], 0x100000));
        assert_eq!(
            flag_names(u64::MAX, &VSOCK_FLAGS),
            (vec!["VMADDR_FLAG_TO_HOST"], u64::MAX - 1)
        );
    }

    #[test]
    fn zero_entry_matches_only_zero() {
        static T: Xlat = Xlat {
            entries: &[(0, "Z_NONE"), (1, "Z_ONE")],
            unknown: "Z_???",
        };
        assert_eq!(flags(0, &T), "Z_NONE");
        assert_eq!(flags(1, &T), "Z_ONE");
        assert_eq!(flags(3, &T), "Z_ONE|0x2");
        assert_eq!(flag_names(0, &T), (vec!["Z_NONE"], 0));
    }

    #[test]
    fn xvals() {
        assert_eq!(xval(2, &ADDRESS_FAMILIES), "AF_INET");
        assert_eq!(xval(0, &ADDRESS_FAMILIES), "AF_UNSPEC");
        assert_eq!(xval(45, &ADDRESS_FAMILIES), "AF_MCTP");
        // As strace printed sa_family=0x2e and sa_family=0xffff.
        assert_eq!(xval(46, &ADDRESS_FAMILIES), "0x2e /* AF_??? */");
        assert_eq!(xval(0xffff, &ADDRESS_FAMILIES), "0xffff /* AF_??? */");
        assert_eq!(xval(0xfff0, &ARP_HARDWARE_TYPES), "0xfff0 /* ARPHRD_??? */");
        assert_eq!(xval(9, &AF_PACKET_TYPES), "0x9 /* PACKET_??? */");
        assert_eq!(xval(0x86dd, &ETHERNET_PROTOCOLS), "ETH_P_IPV6");
        assert_eq!(xval(772, &ARP_HARDWARE_TYPES), "ARPHRD_LOOPBACK");
        assert_eq!(xval(0, &ARP_HARDWARE_TYPES), "ARPHRD_NETROM");
        assert_eq!(xval(2, &SOCKET_TYPES), "SOCK_DGRAM");
        assert_eq!(xval(16, &NETLINK_PROTOCOLS), "NETLINK_GENERIC");
        assert_eq!(xval(17, &NETLINK_PROTOCOLS), "0x11 /* NETLINK_??? */");
        assert_eq!(xval(0, &SOCKET_TYPES), "0 /* SOCK_??? */");
        // No comment for tables strace uses with a NULL dflt.
        assert_eq!(xval(3, &VSOCK_CIDS), "0x3");
        assert_eq!(xval(0x4d2, &VSOCK_PORTS), "0x4d2");
        assert_eq!(xval(2, &VSOCK_CIDS), "VMADDR_CID_HOST");
    }

    #[test]
    fn tables_are_sane() {
        for x in [
            &MSG_FLAGS,
            &ADDRESS_FAMILIES,
            &SOCKET_TYPES,
            &SOCKET_TYPE_FLAGS,
            &NETLINK_PROTOCOLS,
            &ETHERNET_PROTOCOLS,
            &AF_PACKET_TYPES,
            &ARP_HARDWARE_TYPES,
            &VSOCK_CIDS,
            &VSOCK_PORTS,
            &VSOCK_FLAGS,
            &QIPCRTR_NODES,
            &QIPCRTR_PORTS,
            &XDP_SOCKADDR_FLAGS,
            &MCTP_ADDRS,
            &MCTP_NETS,
        ] {
            for (i, a) in x.entries.iter().enumerate() {
                for b in &x.entries[i + 1..] {
                    assert_ne!(a.0, b.0, "{} and {} share a value", a.1, b.1);
                    assert_ne!(a.1, b.1);
                }
            }
        }
        assert_eq!(MSG_FLAGS.entries.len(), 24);
        assert_eq!(ADDRESS_FAMILIES.entries.len(), 46);
        assert_eq!(ETHERNET_PROTOCOLS.entries.len(), 99);
    }
}
