//! NETLINK_SOCK_DIAG payloads as strace 6.1 prints them (`netlink_sock_diag.c` and the
//! per-family `netlink_*_diag.c`): requests (NLM_F_REQUEST set) and replies of the inet, unix,
//! netlink, packet and smc families.

use super::attr::{Attrs, Fk, Msg, Nla, decode_msg};
use super::route::decode_family;
use super::{Dec, Hdr, NLM_F_REQUEST, Short};
use crate::decode::xlat as nx;
use std::fmt::Write;

const TCPDIAG_GETSOCK: u16 = 18;
const DCCPDIAG_GETSOCK: u16 = 19;

static INET_REQ_V2: Msg = Msg {
    family: "sdiag_family",
    size: 56,
    fields: &[
        (
            "sdiag_protocol",
            1,
            1,
            Fk::Xval(&nx::INET_PROTOCOLS, "IPPROTO_???"),
        ),
        (
            "idiag_ext",
            2,
            1,
            Fk::Flags(&nx::INET_DIAG_EXTENDED_FLAGS, "1<<INET_DIAG_???-1"),
        ),
        (
            "idiag_states",
            4,
            4,
            Fk::Flags(&nx::TCP_STATE_FLAGS, "1<<TCP_???"),
        ),
        ("id", 8, 48, Fk::SockId(0)),
    ],
    attrs: Some(&INET_REQ_ATTRS),
    family_only: false,
};

static INET_REQ_COMPAT: Msg = Msg {
    family: "idiag_family",
    size: 60,
    fields: &[
        ("idiag_src_len", 1, 1, Fk::U),
        ("idiag_dst_len", 2, 1, Fk::U),
        (
            "idiag_ext",
            3,
            1,
            Fk::Flags(&nx::INET_DIAG_EXTENDED_FLAGS, "1<<INET_DIAG_???-1"),
        ),
        ("id", 4, 48, Fk::SockId(0)),
        (
            "idiag_states",
            52,
            4,
            Fk::Flags(&nx::TCP_STATE_FLAGS, "1<<TCP_???"),
        ),
        ("idiag_dbs", 56, 4, Fk::U),
    ],
    attrs: Some(&INET_REQ_ATTRS),
    family_only: false,
};

static INET_MSG: Msg = Msg {
    family: "idiag_family",
    size: 72,
    fields: &[
        ("idiag_state", 1, 1, Fk::Xval(&nx::TCP_STATES, "TCP_???")),
        ("idiag_timer", 2, 1, Fk::U),
        ("idiag_retrans", 3, 1, Fk::U),
        ("id", 4, 48, Fk::SockId(0)),
        ("idiag_expires", 52, 4, Fk::U),
        ("idiag_rqueue", 56, 4, Fk::U),
        ("idiag_wqueue", 60, 4, Fk::U),
        ("idiag_uid", 64, 4, Fk::U),
        ("idiag_inode", 68, 4, Fk::U),
    ],
    attrs: Some(&INET_MSG_ATTRS),
    family_only: false,
};

static UNIX_REQ: Msg = Msg {
    family: "sdiag_family",
    size: 24,
    fields: &[
        ("sdiag_protocol", 1, 1, Fk::U),
        (
            "udiag_states",
            4,
            4,
            Fk::Flags(&nx::TCP_STATE_FLAGS, "1<<TCP_???"),
        ),
        ("udiag_ino", 8, 4, Fk::U),
        (
            "udiag_show",
            12,
            4,
            Fk::Flags(&nx::UNIX_DIAG_SHOW, "UDIAG_SHOW_???"),
        ),
        ("udiag_cookie", 16, 8, Fk::Cookie),
    ],
    attrs: None,
    family_only: false,
};

static UNIX_MSG: Msg = Msg {
    family: "udiag_family",
    size: 16,
    fields: &[
        ("udiag_type", 1, 1, Fk::Xval(&nx::SOCKET_TYPES, "SOCK_???")),
        ("udiag_state", 2, 1, Fk::Xval(&nx::TCP_STATES, "TCP_???")),
        ("udiag_ino", 4, 4, Fk::U),
        ("udiag_cookie", 8, 8, Fk::Cookie),
    ],
    attrs: Some(&UNIX_MSG_ATTRS),
    family_only: false,
};

static NETLINK_REQ: Msg = Msg {
    family: "sdiag_family",
    size: 20,
    fields: &[
        ("sdiag_protocol", 1, 1, Fk::NdiagProto),
        ("ndiag_ino", 4, 4, Fk::U),
        (
            "ndiag_show",
            8,
            4,
            Fk::Flags(&nx::NETLINK_DIAG_SHOW, "NDIAG_SHOW_???"),
        ),
        ("ndiag_cookie", 12, 8, Fk::Cookie),
    ],
    attrs: None,
    family_only: false,
};

static NETLINK_MSG: Msg = Msg {
    family: "ndiag_family",
    size: 28,
    fields: &[
        ("ndiag_type", 1, 1, Fk::Xval(&nx::SOCKET_TYPES, "SOCK_???")),
        (
            "ndiag_protocol",
            2,
            1,
            Fk::Xval(&nx::NETLINK_PROTOCOLS, "NETLINK_???"),
        ),
        (
            "ndiag_state",
            3,
            1,
            Fk::Xval(&nx::NETLINK_STATES, "NETLINK_???"),
        ),
        ("ndiag_portid", 4, 4, Fk::U),
        ("ndiag_dst_portid", 8, 4, Fk::U),
        ("ndiag_dst_group", 12, 4, Fk::U),
        ("ndiag_ino", 16, 4, Fk::U),
        ("ndiag_cookie", 20, 8, Fk::Cookie),
    ],
    attrs: Some(&NETLINK_MSG_ATTRS),
    family_only: false,
};

static PACKET_REQ: Msg = Msg {
    family: "sdiag_family",
    size: 20,
    fields: &[
        ("sdiag_protocol", 1, 1, Fk::X),
        ("pdiag_ino", 4, 4, Fk::U),
        (
            "pdiag_show",
            8,
            4,
            Fk::Flags(&nx::PACKET_DIAG_SHOW, "PACKET_SHOW_???"),
        ),
        ("pdiag_cookie", 12, 8, Fk::Cookie),
    ],
    attrs: None,
    family_only: false,
};

static PACKET_MSG: Msg = Msg {
    family: "pdiag_family",
    size: 16,
    fields: &[
        ("pdiag_type", 1, 1, Fk::Xval(&nx::SOCKET_TYPES, "SOCK_???")),
        (
            "pdiag_num",
            2,
            2,
            Fk::Xval(&nx::ETHERNET_PROTOCOLS, "ETH_P_???"),
        ),
        ("pdiag_ino", 4, 4, Fk::U),
        ("pdiag_cookie", 8, 8, Fk::Cookie),
    ],
    attrs: Some(&PACKET_MSG_ATTRS),
    family_only: false,
};

static SMC_REQ: Msg = Msg {
    family: "diag_family",
    size: 52,
    fields: &[
        (
            "diag_ext",
            3,
            1,
            Fk::Flags(&nx::SMC_DIAG_EXTENDED_FLAGS, "1<<SMC_DIAG_???-1"),
        ),
        ("id", 4, 48, Fk::SockId(2)),
    ],
    attrs: None,
    family_only: false,
};

static SMC_MSG: Msg = Msg {
    family: "diag_family",
    size: 64,
    fields: &[
        ("diag_state", 1, 1, Fk::Xval(&nx::SMC_STATES, "SMC_???")),
        (
            "diag_fallback",
            2,
            1,
            Fk::Xval(&nx::SMC_DIAG_MODE, "SMC_DIAG_MODE_???"),
        ),
        ("diag_shutdown", 3, 1, Fk::U),
        ("id", 4, 48, Fk::SockId(2)),
        ("diag_uid", 52, 4, Fk::U),
        ("diag_inode", 56, 8, Fk::U),
    ],
    attrs: Some(&SMC_MSG_ATTRS),
    family_only: false,
};

/// decode_netlink_sock_diag. Ok(false): not decoded here (NLMSG_DONE).
pub(crate) fn decode(
    d: &Dec,
    out: &mut String,
    h: &Hdr,
    off: u64,
    len: u64,
) -> Result<bool, Short> {
    if h.ty == super::NLMSG_DONE {
        return Ok(false);
    }
    if !d.umove(out, off, 1) {
        return Ok(true);
    }
    let family = d.u8(off)?;
    let req = h.flags & NLM_F_REQUEST != 0;
    let m: Option<&Msg> = if len > 1 {
        match (family, req) {
            (1, true) => Some(&UNIX_REQ),
            (1, false) => Some(&UNIX_MSG),
            (2 | 10, true) if h.ty == TCPDIAG_GETSOCK || h.ty == DCCPDIAG_GETSOCK => {
                Some(&INET_REQ_COMPAT)
            }
            (2 | 10, true) => Some(&INET_REQ_V2),
            (2 | 10, false) => Some(&INET_MSG),
            (16, true) => Some(&NETLINK_REQ),
            (16, false) => Some(&NETLINK_MSG),
            (17, true) => Some(&PACKET_REQ),
            (17, false) => Some(&PACKET_MSG),
            (43, true) => Some(&SMC_REQ),
            (43, false) => Some(&SMC_MSG),
            _ => None,
        }
    } else {
        None
    };
    match m {
        Some(m) => decode_msg(d, out, m, family, off, len)?,
        None => decode_family(d, out, family, off, len)?,
    }
    Ok(true)
}

// ---------------------------------------------------------------------------------------------
// Attribute payloads.

fn unix_vfs(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len < 8 {
        return Ok(false);
    }
    if !d.umove(out, off, 8) {
        return Ok(true);
    }
    // struct unix_diag_vfs: udiag_vfs_ino, then udiag_vfs_dev.
    let ino = d.u32(off)?;
    let dev = d.u32(off + 4)?;
    // makedev(major, minor) of the kernel's new_encode_dev form, as glibc major()/minor().
    let dev = u64::from(dev);
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    // print_dev_t: -X raw the number, -X verbose the number and makedev() in a comment.
    let text = format!(
        "makedev({}, {})",
        super::attr::c_hex(major),
        super::attr::c_hex(minor)
    );
    out.push_str("{udiag_vfs_dev=");
    match super::attr::xstyle() {
        crate::decode::XlatStyle::Abbrev => out.push_str(&text),
        crate::decode::XlatStyle::Raw => out.push_str(&super::attr::c_hex(dev)),
        crate::decode::XlatStyle::Verbose => {
            let _ = write!(out, "{} /* {text} */", super::attr::c_hex(dev));
        }
    }
    let _ = write!(out, ", udiag_vfs_ino={ino}}}");
    Ok(true)
}

fn u32_array(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len < 4 {
        return Ok(false);
    }
    super::attr::array(d, out, off, len / 4 * 4, 4, |d, out, o| {
        let _ = write!(out, "{}", d.u32(o)?);
        Ok(())
    })?;
    Ok(true)
}

const UNIX_RQLEN: Nla = Nla::Struct(
    8,
    &[("udiag_rqueue", 0, 4, Fk::U), ("udiag_wqueue", 4, 4, Fk::U)],
);

const INET_MEMINFO: Nla = Nla::Struct(
    16,
    &[
        ("idiag_rmem", 0, 4, Fk::U),
        ("idiag_wmem", 4, 4, Fk::U),
        ("idiag_fmem", 8, 4, Fk::U),
        ("idiag_tmem", 12, 4, Fk::U),
    ],
);

const DIAG_RING: Nla = Nla::Struct(
    16,
    &[
        ("ndr_block_size", 0, 4, Fk::U),
        ("ndr_block_nr", 4, 4, Fk::U),
        ("ndr_frame_size", 8, 4, Fk::U),
        ("ndr_frame_nr", 12, 4, Fk::U),
    ],
);

const PACKET_RING: Nla = Nla::Struct(
    28,
    &[
        ("pdr_block_size", 0, 4, Fk::U),
        ("pdr_block_nr", 4, 4, Fk::U),
        ("pdr_frame_size", 8, 4, Fk::U),
        ("pdr_frame_nr", 12, 4, Fk::U),
        ("pdr_retire_tmo", 16, 4, Fk::U),
        ("pdr_sizeof_priv", 20, 4, Fk::U),
        ("pdr_features", 24, 4, Fk::U),
    ],
);

const PACKET_INFO: Nla = Nla::Struct(
    24,
    &[
        ("pdi_index", 0, 4, Fk::Ifindex),
        (
            "pdi_version",
            4,
            4,
            Fk::Xval(&nx::AF_PACKET_VERSIONS, "TPACKET_???"),
        ),
        ("pdi_reserve", 8, 4, Fk::U),
        ("pdi_copy_thresh", 12, 4, Fk::U),
        ("pdi_tstamp", 16, 4, Fk::U),
        (
            "pdi_flags",
            20,
            4,
            Fk::Flags(&nx::PACKET_DIAG_INFO_FLAGS, "PDI_???"),
        ),
    ],
);

static INET_REQ_ATTRS: Attrs = Attrs {
    table: &nx::INET_DIAG_REQ_ATTRS,
    dflt: "INET_DIAG_REQ_???",
    dec: &[
        ("INET_DIAG_REQ_BYTECODE", Nla::Custom(bc_op)),
        (
            "INET_DIAG_REQ_PROTOCOL",
            Nla::Xval(&nx::INET_PROTOCOLS, "IPPROTO_???", 0),
        ),
    ],
    all: None,
};

static INET_MSG_ATTRS: Attrs = Attrs {
    table: &nx::INET_DIAG_ATTRS,
    dflt: "INET_DIAG_???",
    dec: &[
        ("INET_DIAG_MEMINFO", INET_MEMINFO),
        ("INET_DIAG_CONG", Nla::Str),
        ("INET_DIAG_TOS", Nla::U8),
        ("INET_DIAG_TCLASS", Nla::U8),
        ("INET_DIAG_SKMEMINFO", Nla::Meminfo),
        ("INET_DIAG_SHUTDOWN", Nla::Custom(shutdown)),
        ("INET_DIAG_VEGASINFO", Nla::Custom(vegas)),
        ("INET_DIAG_DCTCPINFO", Nla::Custom(dctcp)),
        ("INET_DIAG_BBRINFO", Nla::Custom(bbr)),
        ("INET_DIAG_LOCALS", Nla::Custom(sockaddrs)),
        ("INET_DIAG_PEERS", Nla::Custom(sockaddrs)),
        ("INET_DIAG_ULP_INFO", Nla::Nested(&ULP_INFO_ATTRS)),
        ("INET_DIAG_MD5SIG", Nla::Custom(md5sig)),
        ("INET_DIAG_SOCKOPT", Nla::Custom(sockopt)),
        (
            "INET_DIAG_SK_BPF_STORAGES",
            Nla::Nested(&BPF_STORAGES_ATTRS),
        ),
        (
            "INET_DIAG_PROTOCOL",
            Nla::Xval(&nx::INET_PROTOCOLS, "IPPROTO_???", 0),
        ),
        ("INET_DIAG_SKV6ONLY", Nla::U8),
        ("INET_DIAG_MARK", Nla::U32),
        ("INET_DIAG_CLASS_ID", Nla::U32),
        ("INET_DIAG_CGROUP_ID", Nla::U64),
    ],
    all: None,
};

static UNIX_MSG_ATTRS: Attrs = Attrs {
    table: &nx::UNIX_DIAG_ATTRS,
    dflt: "UNIX_DIAG_???",
    dec: &[
        ("UNIX_DIAG_NAME", Nla::Str),
        ("UNIX_DIAG_VFS", Nla::Custom(unix_vfs)),
        ("UNIX_DIAG_PEER", Nla::U32),
        ("UNIX_DIAG_ICONS", Nla::Custom(u32_array)),
        ("UNIX_DIAG_RQLEN", UNIX_RQLEN),
        ("UNIX_DIAG_MEMINFO", Nla::Meminfo),
        ("UNIX_DIAG_SHUTDOWN", Nla::U8),
        ("UNIX_DIAG_UID", Nla::Uid),
    ],
    all: None,
};

static NETLINK_MSG_ATTRS: Attrs = Attrs {
    table: &nx::NETLINK_DIAG_ATTRS,
    dflt: "NETLINK_DIAG_???",
    dec: &[
        ("NETLINK_DIAG_MEMINFO", Nla::Meminfo),
        ("NETLINK_DIAG_GROUPS", Nla::Custom(ndiag_groups)),
        ("NETLINK_DIAG_RX_RING", DIAG_RING),
        ("NETLINK_DIAG_TX_RING", DIAG_RING),
        (
            "NETLINK_DIAG_FLAGS",
            Nla::Flg(&nx::NETLINK_SOCKET_FLAGS, "NDIAG_FLAG_???", 4),
        ),
    ],
    all: None,
};

static PACKET_MSG_ATTRS: Attrs = Attrs {
    table: &nx::PACKET_DIAG_ATTRS,
    dflt: "PACKET_DIAG_???",
    dec: &[
        ("PACKET_DIAG_INFO", PACKET_INFO),
        ("PACKET_DIAG_MCLIST", Nla::Custom(packet_mclist)),
        ("PACKET_DIAG_RX_RING", PACKET_RING),
        ("PACKET_DIAG_TX_RING", PACKET_RING),
        ("PACKET_DIAG_FANOUT", Nla::U32),
        ("PACKET_DIAG_UID", Nla::Uid),
        ("PACKET_DIAG_MEMINFO", Nla::Meminfo),
    ],
    all: None,
};

static SMC_MSG_ATTRS: Attrs = Attrs {
    table: &nx::SMC_DIAG_ATTRS,
    dflt: "SMC_DIAG_???",
    dec: &[
        ("SMC_DIAG_CONNINFO", Nla::Custom(smc_conninfo)),
        ("SMC_DIAG_LGRINFO", Nla::Custom(smc_lgrinfo)),
        (
            "SMC_DIAG_SHUTDOWN",
            Nla::Flags(&nx::SOCK_SHUTDOWN_FLAGS, "???_SHUTDOWN", 1),
        ),
        ("SMC_DIAG_DMBINFO", Nla::Custom(smc_dmbinfo)),
        ("SMC_DIAG_FALLBACK", Nla::Custom(smc_fallback)),
    ],
    all: None,
};

/// decode_diag_shutdown: flags in strace's verbose style (`0x3 /* RCV_SHUTDOWN|SEND_SHUTDOWN */`).
fn shutdown(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if !(1..=8).contains(&len) {
        return Ok(false);
    }
    if !d.umove(out, off, 1) {
        return Ok(true);
    }
    let v = u64::from(d.u8(off)?);
    if v == 0 || super::attr::xstyle() == crate::decode::XlatStyle::Raw {
        out.push_str(&super::attr::c_hex(v));
        return Ok(true);
    }
    let (names, rest) = crate::decode::xlat::flag_names(v, &nx::SOCK_SHUTDOWN_FLAGS);
    let _ = write!(out, "{v:#x} /* ");
    if names.is_empty() {
        out.push_str("???_SHUTDOWN");
    } else {
        out.push_str(&names.join("|"));
        if rest != 0 {
            let _ = write!(out, "|{rest:#x}");
        }
    }
    out.push_str(" */");
    Ok(true)
}

/// MAYBE_PRINT_FIELD_LEN structures: the u32 fields that fit in `len` (at least `min` bytes).
fn maybe_fields(
    d: &Dec,
    out: &mut String,
    off: u64,
    len: u64,
    min: u64,
    f: &[(&str, bool)],
) -> Result<bool, Short> {
    if len < min {
        return Ok(false);
    }
    if !d.umove(out, off, min) {
        return Ok(true);
    }
    out.push('{');
    let mut first = true;
    for (i, &(name, hex)) in f.iter().enumerate() {
        let o = 4 * i as u64;
        if o + 4 > len {
            break;
        }
        if !first {
            out.push_str(", ");
        }
        first = false;
        let v = d.u32(off + o)?;
        if hex {
            let _ = write!(out, "{name}={}", super::attr::c_hex(v.into()));
        } else {
            let _ = write!(out, "{name}={v}");
        }
    }
    out.push('}');
    Ok(true)
}

fn vegas(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    let f = [
        ("tcpv_enabled", false),
        ("tcpv_rttcnt", false),
        ("tcpv_rtt", false),
        ("tcpv_minrtt", false),
    ];
    maybe_fields(d, out, off, len, 16, &f)
}

fn dctcp(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    // struct tcp_dctcp_info: u16 enabled, u16 ce_state, u32 alpha, ab_ecn, ab_tot.
    if len < 16 {
        return Ok(false);
    }
    if !d.umove(out, off, 16) {
        return Ok(true);
    }
    let _ = write!(
        out,
        "{{dctcp_enabled={}, dctcp_ce_state={}, dctcp_alpha={}, dctcp_ab_ecn={}, dctcp_ab_tot={}}}",
        d.u16(off)?,
        d.u16(off + 2)?,
        d.u32(off + 4)?,
        d.u32(off + 8)?,
        d.u32(off + 12)?
    );
    Ok(true)
}

fn bbr(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    let f = [
        ("bbr_bw_lo", true),
        ("bbr_bw_hi", true),
        ("bbr_min_rtt", false),
        ("bbr_pacing_gain", false),
        ("bbr_cwnd_gain", false),
    ];
    maybe_fields(d, out, off, len, 20, &f)
}

/// An array of struct sockaddr_storage.
fn sockaddrs(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    const SS: u64 = 128;
    if len / SS == 0 {
        return Ok(false);
    }
    super::attr::array(d, out, off, len / SS * SS, SS, |d, out, o| {
        let b = d.get(o, SS)?;
        crate::decode::sockaddr::print_sockaddr(out, b, &d.style);
        Ok(())
    })?;
    Ok(true)
}

static TLS_ATTRS: Attrs = Attrs {
    table: &nx::INET_DIAG_ULP_INFO_TLS_ATTRS,
    dflt: "TLS_INFO_???",
    dec: &[
        (
            "TLS_INFO_VERSION",
            Nla::Xval(&nx::TLS_INFO_VERSIONS, "TLS_???_VERSION", 2),
        ),
        (
            "TLS_INFO_CIPHER",
            Nla::Xval(&nx::TLS_INFO_CIPHERS, "TLS_CIPHER_???", 2),
        ),
        (
            "TLS_INFO_TXCONF",
            Nla::Xval(&nx::TLS_INFO_CONFIGS, "TLS_CONF_???", 2),
        ),
        (
            "TLS_INFO_RXCONF",
            Nla::Xval(&nx::TLS_INFO_CONFIGS, "TLS_CONF_???", 2),
        ),
    ],
    all: None,
};

static MPTCP_ATTRS: Attrs = Attrs {
    table: &nx::INET_DIAG_ULP_INFO_MPTCP_ATTRS,
    dflt: "MPTCP_SUBFLOW_ATTR_???",
    dec: &[
        ("MPTCP_SUBFLOW_ATTR_TOKEN_REM", Nla::X32),
        ("MPTCP_SUBFLOW_ATTR_TOKEN_LOC", Nla::X32),
        ("MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ", Nla::U32),
        ("MPTCP_SUBFLOW_ATTR_MAP_SEQ", Nla::U64),
        ("MPTCP_SUBFLOW_ATTR_MAP_SFSEQ", Nla::U32),
        ("MPTCP_SUBFLOW_ATTR_SSN_OFFSET", Nla::U32),
        ("MPTCP_SUBFLOW_ATTR_MAP_DATALEN", Nla::U16),
        (
            "MPTCP_SUBFLOW_ATTR_FLAGS",
            Nla::Flags(&nx::MPTCP_SUBFLOW_FLAGS, "MPTCP_SUBFLOW_FLAG_???", 4),
        ),
        ("MPTCP_SUBFLOW_ATTR_ID_REM", Nla::U8),
        ("MPTCP_SUBFLOW_ATTR_ID_LOC", Nla::U8),
    ],
    all: None,
};

static ULP_INFO_ATTRS: Attrs = Attrs {
    table: &nx::INET_DIAG_ULP_INFO_ATTRS,
    dflt: "INET_ULP_INFO_???",
    dec: &[
        ("INET_ULP_INFO_NAME", Nla::Str),
        ("INET_ULP_INFO_TLS", Nla::Nested(&TLS_ATTRS)),
        ("INET_ULP_INFO_MPTCP", Nla::Nested(&MPTCP_ATTRS)),
    ],
    all: None,
};

static BPF_STORAGE_ATTRS: Attrs = Attrs {
    table: &nx::INET_DIAG_BPF_STORAGE_ATTRS,
    dflt: "SK_DIAG_BPF_STORAGE_???",
    dec: &[
        ("SK_DIAG_BPF_STORAGE_MAP_ID", Nla::U32),
        ("SK_DIAG_BPF_STORAGE_MAP_VALUE", Nla::Xint),
    ],
    all: None,
};

static BPF_STORAGES_ATTRS: Attrs = Attrs {
    table: &nx::INET_DIAG_BPF_STORAGES_ATTRS,
    dflt: "SK_DIAG_BPF_STORAGE_???",
    dec: &[("SK_DIAG_BPF_STORAGE", Nla::Nested(&BPF_STORAGE_ATTRS))],
    all: None,
};

/// print_inet_diag_bc_op: `{code=.., yes=.., no=..}`.
fn print_bc_op(d: &Dec, out: &mut String, off: u64) -> Result<u8, Short> {
    let code = d.u8(off)?;
    out.push_str("{code=");
    super::xval(
        out,
        code.into(),
        &nx::INET_DIAG_BYTECODES,
        "INET_DIAG_BC_???",
    );
    let _ = write!(out, ", yes={}, no={}}}", d.u8(off + 1)?, d.u16(off + 2)?);
    Ok(code)
}

/// decode_inet_diag_bc_op: the operation, then its data by code.
fn bc_op(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len < 4 {
        return Ok(false);
    }
    if !d.umove(out, off, 4) {
        return Ok(true);
    }
    let code = print_bc_op(d, out, off)?;
    if len > 4 {
        out.push_str(", ");
        bytecode_data(d, out, off + 4, len - 4, code)?;
    }
    Ok(true)
}

fn bytecode_data(d: &Dec, out: &mut String, off: u64, len: u64, code: u8) -> Result<(), Short> {
    let name = super::xname(&nx::INET_DIAG_BYTECODES, code.into()).unwrap_or("");
    match name {
        "INET_DIAG_BC_S_COND" | "INET_DIAG_BC_D_COND" => {
            // struct inet_diag_hostcond: family, prefix_len, port; then the address.
            if len < 8 {
                return d.hex_str(out, off, len);
            }
            if !d.umove(out, off, 8) {
                return Ok(());
            }
            let family = d.u8(off)?;
            out.push_str("{family=");
            super::xval(out, family.into(), &nx::ADDRESS_FAMILIES, "AF_???");
            let _ = write!(
                out,
                ", prefix_len={}, port={}",
                d.u8(off + 1)?,
                d.u32(off + 4)? as i32
            );
            if len > 8 {
                out.push_str(", ");
                super::attr::inet_addr(d, out, off + 8, len - 8, family.into(), Some("addr"))?;
            }
            out.push('}');
            Ok(())
        }
        "INET_DIAG_BC_DEV_COND" => {
            if len < 4 {
                return d.hex_str(out, off, len);
            }
            if d.umove(out, off, 4) {
                d.ifindex(out, d.u32(off)?);
            }
            Ok(())
        }
        "INET_DIAG_BC_S_GE" | "INET_DIAG_BC_S_LE" | "INET_DIAG_BC_D_GE" | "INET_DIAG_BC_D_LE" => {
            if len < 4 {
                return d.hex_str(out, off, len);
            }
            if d.umove(out, off, 4) {
                print_bc_op(d, out, off)?;
            }
            Ok(())
        }
        "INET_DIAG_BC_MARK_COND" => {
            if len < 8 {
                return d.hex_str(out, off, len);
            }
            if d.umove(out, off, 8) {
                let _ = write!(out, "{{mark={}, mask={}}}", d.u32(off)?, d.u32(off + 4)?);
            }
            Ok(())
        }
        _ => d.hex_str(out, off, len),
    }
}

/// An array of struct tcp_diag_md5sig (100 bytes each: family, prefixlen, keylen, addr, key).
fn md5sig(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    const SZ: u64 = 100;
    if len / SZ == 0 {
        return Ok(false);
    }
    super::attr::array(d, out, off, len / SZ * SZ, SZ, |d, out, o| {
        let family = d.u8(o)?;
        out.push_str("{tcpm_family=");
        super::xval(out, family.into(), &nx::ADDRESS_FAMILIES, "AF_???");
        let keylen = d.u16(o + 2)?;
        let _ = write!(
            out,
            ", tcpm_prefixlen={}, tcpm_keylen={keylen}, ",
            d.u8(o + 1)?
        );
        let a = d.get(o + 4, 16)?;
        super::attr::print_inet(out, family.into(), a, Some("tcpm_addr"));
        out.push_str(", tcpm_key=");
        let k = d.get(o + 20, u64::from(keylen).min(80))?;
        crate::decode::strfmt::quote_bytes_hex(out, k);
        out.push('}');
        Ok(())
    })?;
    Ok(true)
}

/// NETLINK_DIAG_GROUPS: an array of unsigned longs in hex.
fn ndiag_groups(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len / 8 == 0 {
        return Ok(false);
    }
    super::attr::array(d, out, off, len / 8 * 8, 8, |d, out, o| {
        out.push_str(&super::attr::c_hex(d.u64(o)?));
        Ok(())
    })?;
    Ok(true)
}

fn smc_cursor(d: &Dec, out: &mut String, o: u64) -> Result<(), Short> {
    let _ = write!(
        out,
        "{{reserved={}, wrap={}, count={}}}",
        d.u16(o)?,
        d.u16(o + 2)?,
        d.u32(o + 4)?
    );
    Ok(())
}

/// PRINT_VAL_0X of a byte: `%#04x`-like with width 2 (`0x1`, `00`).
fn hex0_u8(v: u8) -> String {
    if v == 0 {
        "00".into()
    } else {
        format!("{v:#x}")
    }
}

fn smc_conninfo(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    const SZ: u64 = 76;
    if len < SZ {
        return Ok(false);
    }
    if !d.umove(out, off, SZ) {
        return Ok(true);
    }
    let _ = write!(
        out,
        "{{token={}, sndbuf_size={}, rmbe_size={}, peer_rmbe_size={}",
        d.u32(off)?,
        d.u32(off + 4)?,
        d.u32(off + 8)?,
        d.u32(off + 12)?
    );
    for (i, name) in ["rx_prod", "rx_cons", "tx_prod", "tx_cons"]
        .iter()
        .enumerate()
    {
        let _ = write!(out, ", {name}=");
        smc_cursor(d, out, off + 16 + 8 * i as u64)?;
    }
    for (i, name) in [
        "rx_prod_flags",
        "rx_conn_state_flags",
        "tx_prod_flags",
        "tx_conn_state_flags",
    ]
    .iter()
    .enumerate()
    {
        let _ = write!(out, ", {name}={}", hex0_u8(d.u8(off + 48 + i as u64)?));
    }
    for (i, name) in ["tx_prep", "tx_sent", "tx_fin"].iter().enumerate() {
        let _ = write!(out, ", {name}=");
        smc_cursor(d, out, off + 52 + 8 * i as u64)?;
    }
    out.push('}');
    Ok(true)
}

fn smc_lgrinfo(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    const SZ: u64 = 147;
    if len < SZ {
        return Ok(false);
    }
    if !d.umove(out, off, SZ) {
        return Ok(true);
    }
    let st = &d.style;
    let _ = write!(out, "{{lnk=[{{link_id={}, ibname=", d.u8(off)?);
    crate::decode::strfmt::quote_cstr_array(out, d.get(off + 1, 64)?, st);
    let _ = write!(out, ", ibport={}, gid=", d.u8(off + 65)?);
    crate::decode::strfmt::quote_cstr_array(out, d.get(off + 66, 40)?, st);
    out.push_str(", peer_gid=");
    crate::decode::strfmt::quote_cstr_array(out, d.get(off + 106, 40)?, st);
    out.push_str("}], role=");
    super::xval(
        out,
        d.u8(off + 146)?.into(),
        &nx::SMC_LINK_GROUP_ROLES,
        "SMC_???",
    );
    out.push('}');
    Ok(true)
}

fn smc_dmbinfo(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    const SZ: u64 = 40;
    if len < SZ {
        return Ok(false);
    }
    if !d.umove(out, off, SZ) {
        return Ok(true);
    }
    let h = |o| -> Result<String, Short> { Ok(super::attr::c_hex(d.u64(off + o)?)) };
    let _ = write!(
        out,
        "{{linkid={}, peer_gid={}, my_gid={}, token={}, peer_token={}}}",
        d.u32(off)?,
        h(8)?,
        h(16)?,
        h(24)?,
        h(32)?
    );
    Ok(true)
}

/// PRINT_FIELD_XVAL_VERBOSE: `0x... /* NAME */`.
fn xval_verbose(out: &mut String, v: u64, x: &crate::decode::xlat::Xlat, dflt: &str) {
    out.push_str(&super::attr::c_hex(v));
    if super::attr::xstyle() != crate::decode::XlatStyle::Raw {
        let _ = write!(out, " /* {} */", super::xname(x, v).unwrap_or(dflt));
    }
}

fn smc_fallback(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len < 8 {
        return Ok(false);
    }
    if !d.umove(out, off, 8) {
        return Ok(true);
    }
    out.push_str("{reason=");
    xval_verbose(
        out,
        d.u32(off)?.into(),
        &nx::SMC_DECL_CODES,
        "SMC_CLC_DECL_???",
    );
    out.push_str(", peer_diagnosis=");
    xval_verbose(
        out,
        d.u32(off + 4)?.into(),
        &nx::SMC_DECL_CODES,
        "SMC_CLC_DECL_???",
    );
    out.push('}');
    Ok(true)
}

/// struct inet_diag_sockopt: the bits that are set (strace's abbreviated form), `unused` when
/// set, then any non-zero bytes past the two of the structure.
fn sockopt(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    const NAMES: [&str; 11] = [
        "recverr",
        "is_icsk",
        "freebind",
        "hdrincl",
        "mc_loop",
        "transparent",
        "mc_all",
        "nodefrag",
        "bind_address_no_port",
        "recverr_rfc4884",
        "defer_connect",
    ];
    if len < 2 {
        return Ok(false);
    }
    if !d.umove(out, off, 2) {
        return Ok(true);
    }
    let bits = d.u16(off)?;
    let mut parts: Vec<String> = NAMES
        .iter()
        .enumerate()
        .filter(|&(i, _)| bits & (1 << i) != 0)
        .map(|(_, n)| format!("{n}=1"))
        .collect();
    let unused = bits >> 11;
    if unused != 0 {
        parts.push(format!("unused={unused:#x} /* bits 3..8 */"));
    }
    let _ = write!(out, "{{{}}}", parts.join(", "));
    // print_nonzero_bytes of the rest, up to a page.
    let total = len.min(4096);
    if total > 2 {
        let rest_len = total - 2;
        if d.faults(off + 2, rest_len) {
            out.push_str(", ???");
        } else {
            let rest = d.get(off + 2, rest_len)?;
            if rest.iter().any(|&c| c != 0) {
                let _ = write!(out, ", /* bytes 2..{} */ ", total - 1);
                let shown = rest.len().min(d.style.max_strlen);
                crate::decode::strfmt::quote_bytes_hex(out, &rest[..shown]);
                if shown < rest.len() {
                    out.push_str("...");
                }
            }
        }
    }
    Ok(true)
}

/// An array of struct packet_diag_mclist (44 bytes): the address as pdmc_alen hex bytes.
fn packet_mclist(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    const SZ: u64 = 44;
    if len / SZ == 0 {
        return Ok(false);
    }
    super::attr::array(d, out, off, len / SZ * SZ, SZ, |d, out, o| {
        out.push_str("{pdmc_index=");
        d.ifindex(out, d.u32(o)?);
        let alen = d.u16(o + 10)?;
        let _ = write!(
            out,
            ", pdmc_count={}, pdmc_type={}, pdmc_alen={alen}, pdmc_addr=",
            d.u32(o + 4)?,
            d.u16(o + 8)?
        );
        let a = d.get(o + 12, u64::from(alen).min(32))?;
        crate::decode::strfmt::quote_bytes_hex(out, a);
        out.push('}');
        Ok(())
    })?;
    Ok(true)
}
