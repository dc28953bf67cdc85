//! The attribute subtrees of RTM_*LINK messages as strace 6.1 prints them (`rtnl_link.c`):
//! IFLA_AF_SPEC, IFLA_PROTINFO, IFLA_LINKINFO, IFLA_XDP, IFLA_VF_PORTS/IFLA_PORT_SELF,
//! IFLA_PROTO_DOWN_REASON, IFLA_STATS/IFLA_STATS64, IFLA_MAP.

use super::attr::{Attrs, Fk, Fld, Nla, decode_nlattr, print_fields, struct_payload};
use super::{Dec, Short};
use crate::decode::xlat as nx;
use std::fmt::Write;

const AF_INET: u64 = 2;
const AF_BRIDGE: u64 = 7;
const AF_INET6: u64 = 10;
const AF_MCTP: u64 = 45;

/// IFLA_AF_SPEC: bridge attributes for AF_BRIDGE messages, else one nest per address family.
pub(crate) fn af_spec(
    d: &Dec,
    out: &mut String,
    off: u64,
    len: u64,
    ctx: u64,
) -> Result<bool, Short> {
    if ctx & 0xff == AF_BRIDGE {
        decode_nlattr(d, out, off, len, &BRIDGE_AF_ATTRS, ctx)?;
    } else {
        decode_nlattr(d, out, off, len, &AF_SPEC_BY_FAMILY, 0)?;
    }
    Ok(true)
}

static AF_SPEC_BY_FAMILY: Attrs = Attrs {
    table: &nx::ADDRESS_FAMILIES,
    dflt: "AF_???",
    dec: &[],
    all: Some(Nla::Custom(ifla_af)),
};

/// decode_ifla_af: the nest of one address family (`ctx` is the attribute type).
fn ifla_af(d: &Dec, out: &mut String, off: u64, len: u64, ctx: u64) -> Result<bool, Short> {
    let a = match ctx & 0xff {
        AF_INET => &INET_ATTRS,
        AF_INET6 => &INET6_ATTRS,
        AF_MCTP => &MCTP_ATTRS,
        _ => {
            d.hex_str(out, off, len)?;
            return Ok(true);
        }
    };
    decode_nlattr(d, out, off, len, a, 0)?;
    Ok(true)
}

/// IFLA_PROTINFO: bridge port attributes (AF_BRIDGE) or the inet6 ones (AF_INET6).
pub(crate) fn protinfo(
    d: &Dec,
    out: &mut String,
    off: u64,
    len: u64,
    ctx: u64,
) -> Result<bool, Short> {
    let a = match ctx & 0xff {
        AF_BRIDGE => &BRPORT_ATTRS,
        AF_INET6 => &INET6_ATTRS,
        _ => {
            d.hex_str(out, off, len)?;
            return Ok(true);
        }
    };
    decode_nlattr(d, out, off, len, a, ctx)?;
    Ok(true)
}

static INET_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_AF_SPEC_INET_ATTRS,
    dflt: "IFLA_INET_???",
    dec: &[(
        "IFLA_INET_CONF",
        Nla::Indexed(&nx::INET_DEVCONF_INDICES, "IPV4_DEVCONF_???", 4, true),
    )],
    all: None,
};

static INET6_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_AF_SPEC_INET6_ATTRS,
    dflt: "IFLA_INET6_???",
    dec: &[
        (
            "IFLA_INET6_FLAGS",
            Nla::Flags(&nx::INET6_IF_FLAGS, "IF_???", 4),
        ),
        (
            "IFLA_INET6_CONF",
            Nla::Indexed(&nx::INET6_DEVCONF_INDICES, "DEVCONF_???", 4, true),
        ),
        (
            "IFLA_INET6_STATS",
            Nla::Indexed(&nx::SNMP_IP_STATS, "IPSTATS_MIB_???", 8, false),
        ),
        ("IFLA_INET6_CACHEINFO", INET6_CACHEINFO),
        (
            "IFLA_INET6_ICMP6STATS",
            Nla::Indexed(&nx::SNMP_ICMP6_STATS, "ICMP6_MIB_???", 8, false),
        ),
        ("IFLA_INET6_TOKEN", Nla::In6Addr),
        (
            "IFLA_INET6_ADDR_GEN_MODE",
            Nla::Xval(&nx::IN6_ADDR_GEN_MODE, "IN6_ADDR_GEN_MODE_???", 1),
        ),
        ("IFLA_INET6_RA_MTU", Nla::U32),
    ],
    all: None,
};

const INET6_CACHEINFO: Nla = Nla::Struct(
    16,
    &[
        ("max_reasm_len", 0, 4, Fk::U),
        ("tstamp", 4, 4, Fk::U),
        ("reachable_time", 8, 4, Fk::U),
        ("retrans_time", 12, 4, Fk::U),
    ],
);

static MCTP_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_AF_SPEC_MCTP_ATTRS,
    dflt: "IFLA_MCTP_???",
    dec: &[("IFLA_MCTP_NET", Nla::U32)],
    all: None,
};

static BRIDGE_AF_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_AF_SPEC_BRIDGE_ATTRS,
    dflt: "IFLA_BRIDGE_???",
    dec: &[
        (
            "IFLA_BRIDGE_FLAGS",
            Nla::Flags(&nx::RTNL_IFLA_BRIDGE_FLAGS, "BRIDGE_FLAGS_???", 2),
        ),
        (
            "IFLA_BRIDGE_MODE",
            Nla::Xval(&nx::RTNL_IFLA_BRIDGE_MODES, "BRIDGE_MODE_???", 2),
        ),
        ("IFLA_BRIDGE_VLAN_INFO", Nla::Custom(bridge_vlan_info)),
        (
            "IFLA_BRIDGE_VLAN_TUNNEL_INFO",
            Nla::Nested(&VLAN_TUNNEL_ATTRS),
        ),
    ],
    all: None,
};

fn bridge_vlan_info(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len < 4 {
        return Ok(false);
    }
    if !d.umove(out, off, 4) {
        return Ok(true);
    }
    let mut s = String::new();
    print_fields(
        d,
        &mut s,
        off,
        &[
            (
                "flags",
                0,
                2,
                Fk::Flags(&nx::NL_BRIDGE_VLAN_FLAGS, "BRIDGE_VLAN_INFO_???"),
            ),
            ("vid", 2, 2, Fk::U),
        ],
        0,
    )?;
    let _ = write!(out, "{{{}}}", s.trim_start_matches(", "));
    if len > 4 {
        out.push_str(", ");
        d.hex_str(out, off + 4, len - 4)?;
    }
    Ok(true)
}

static VLAN_TUNNEL_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_AF_SPEC_BRIDGE_VLAN_TUNNEL_INFO_ATTRS,
    dflt: "IFLA_BRIDGE_VLAN_TUNNEL_???",
    dec: &[
        ("IFLA_BRIDGE_VLAN_TUNNEL_ID", Nla::U32),
        ("IFLA_BRIDGE_VLAN_TUNNEL_VID", Nla::U16),
        (
            "IFLA_BRIDGE_VLAN_TUNNEL_FLAGS",
            Nla::Flags(&nx::NL_BRIDGE_VLAN_FLAGS, "BRIDGE_VLAN_INFO_???", 2),
        ),
    ],
    all: None,
};

/// struct ifla_bridge_id: `{prio=[a, b], addr=xx:xx:xx:xx:xx:xx}`.
fn bridge_id(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len < 8 {
        return Ok(false);
    }
    if !d.umove(out, off, 8) {
        return Ok(true);
    }
    let b = d.get(off, 8)?;
    let _ = write!(out, "{{prio=[{}, {}], addr=", b[0], b[1]);
    super::attr::print_mac(out, &b[2..8], 6);
    out.push('}');
    Ok(true)
}

static BRPORT_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_BRPORT_ATTRS,
    dflt: "IFLA_BRPORT_???",
    dec: &[
        ("IFLA_BRPORT_STATE", Nla::U8),
        ("IFLA_BRPORT_PRIORITY", Nla::U16),
        ("IFLA_BRPORT_COST", Nla::U32),
        ("IFLA_BRPORT_MODE", Nla::U8),
        ("IFLA_BRPORT_GUARD", Nla::U8),
        ("IFLA_BRPORT_PROTECT", Nla::U8),
        ("IFLA_BRPORT_FAST_LEAVE", Nla::U8),
        ("IFLA_BRPORT_LEARNING", Nla::U8),
        ("IFLA_BRPORT_UNICAST_FLOOD", Nla::U8),
        ("IFLA_BRPORT_PROXYARP", Nla::U8),
        ("IFLA_BRPORT_LEARNING_SYNC", Nla::U8),
        ("IFLA_BRPORT_PROXYARP_WIFI", Nla::U8),
        ("IFLA_BRPORT_ROOT_ID", Nla::Custom(bridge_id)),
        ("IFLA_BRPORT_BRIDGE_ID", Nla::Custom(bridge_id)),
        ("IFLA_BRPORT_DESIGNATED_PORT", Nla::U16),
        ("IFLA_BRPORT_DESIGNATED_COST", Nla::U16),
        ("IFLA_BRPORT_ID", Nla::U16),
        ("IFLA_BRPORT_NO", Nla::U16),
        ("IFLA_BRPORT_TOPOLOGY_CHANGE_ACK", Nla::U8),
        ("IFLA_BRPORT_CONFIG_PENDING", Nla::U8),
        ("IFLA_BRPORT_MESSAGE_AGE_TIMER", Nla::ClockT),
        ("IFLA_BRPORT_FORWARD_DELAY_TIMER", Nla::ClockT),
        ("IFLA_BRPORT_HOLD_TIMER", Nla::ClockT),
        ("IFLA_BRPORT_MULTICAST_ROUTER", Nla::U8),
        ("IFLA_BRPORT_MCAST_FLOOD", Nla::U8),
        ("IFLA_BRPORT_MCAST_TO_UCAST", Nla::U8),
        ("IFLA_BRPORT_VLAN_TUNNEL", Nla::U8),
        ("IFLA_BRPORT_BCAST_FLOOD", Nla::U8),
        ("IFLA_BRPORT_GROUP_FWD_MASK", Nla::X16),
        ("IFLA_BRPORT_NEIGH_SUPPRESS", Nla::U8),
        ("IFLA_BRPORT_ISOLATED", Nla::U8),
        ("IFLA_BRPORT_BACKUP_PORT", Nla::Ifindex),
        ("IFLA_BRPORT_MRP_RING_OPEN", Nla::U8),
        ("IFLA_BRPORT_MRP_IN_OPEN", Nla::U8),
        ("IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT", Nla::U32),
        ("IFLA_BRPORT_MCAST_EHT_HOSTS_CNT", Nla::U32),
        ("IFLA_BRPORT_LOCKED", Nla::U8),
    ],
    all: None,
};

pub(crate) static XDP_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_XDP_ATTRS,
    dflt: "IFLA_XDP_???",
    dec: &[
        ("IFLA_XDP_FD", Nla::Fd),
        (
            "IFLA_XDP_ATTACHED",
            Nla::Xval(&nx::RTNL_IFLA_XDP_ATTACHED_MODE, "XDP_ATTACHED_???", 1),
        ),
        (
            "IFLA_XDP_FLAGS",
            Nla::Flg(&nx::XDP_FLAGS, "XDP_FLAGS_???", 4),
        ),
        ("IFLA_XDP_PROG_ID", Nla::U32),
        ("IFLA_XDP_DRV_PROG_ID", Nla::U32),
        ("IFLA_XDP_SKB_PROG_ID", Nla::U32),
        ("IFLA_XDP_HW_PROG_ID", Nla::U32),
        ("IFLA_XDP_EXPECTED_FD", Nla::Fd),
    ],
    all: None,
};

pub(crate) static PORT_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_PORT_ATTRS,
    dflt: "IFLA_VF_PORT_???",
    dec: &[
        ("IFLA_PORT_VF", Nla::U32),
        ("IFLA_PORT_PROFILE", Nla::Str),
        ("IFLA_PORT_VSI_TYPE", Nla::Custom(port_vsi)),
        ("IFLA_PORT_REQUEST", Nla::U8),
        ("IFLA_PORT_RESPONSE", Nla::U16),
    ],
    all: None,
};

pub(crate) static VF_PORTS_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_VF_PORT_ATTRS,
    dflt: "IFLA_VF_PORT_???",
    dec: &[("IFLA_VF_PORT", Nla::Nested(&PORT_ATTRS))],
    all: None,
};

/// struct ifla_port_vsi: `{vsi_mgr_id=.., vsi_type_id="\x..", vsi_type_version=..[, pad=..]}`.
fn port_vsi(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len < 8 {
        return Ok(false);
    }
    if !d.umove(out, off, 8) {
        return Ok(true);
    }
    let b = d.get(off, 8)?;
    let _ = write!(out, "{{vsi_mgr_id={}, vsi_type_id=", b[0]);
    crate::decode::strfmt::quote_bytes_hex(out, &b[1..4]);
    let _ = write!(out, ", vsi_type_version={}", b[4]);
    if b[5..8].iter().any(|&c| c != 0) {
        out.push_str(", pad=");
        crate::decode::strfmt::quote_bytes_hex(out, &b[5..8]);
    }
    out.push('}');
    Ok(true)
}

pub(crate) static PROTO_DOWN_REASON_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_PROTO_DOWN_REASON_ATTRS,
    dflt: "IFLA_PROTO_DOWN_REASON_???",
    dec: &[
        ("IFLA_PROTO_DOWN_REASON_MASK", Nla::X32),
        ("IFLA_PROTO_DOWN_REASON_VALUE", Nla::X32),
    ],
    all: None,
};

const LINK_STATS_FIELDS: [&str; 25] = [
    "rx_packets",
    "tx_packets",
    "rx_bytes",
    "tx_bytes",
    "rx_errors",
    "tx_errors",
    "rx_dropped",
    "tx_dropped",
    "multicast",
    "collisions",
    "rx_length_errors",
    "rx_over_errors",
    "rx_crc_errors",
    "rx_frame_errors",
    "rx_fifo_errors",
    "rx_missed_errors",
    "tx_aborted_errors",
    "tx_carrier_errors",
    "tx_fifo_errors",
    "tx_heartbeat_errors",
    "tx_window_errors",
    "rx_compressed",
    "tx_compressed",
    "rx_nohandler",
    "rx_otherhost_dropped",
];

/// struct rtnl_link_stats (u32 fields; 23 or 24 of them) and rtnl_link_stats64 (u64; 23, 24
/// or 25): the sizes strace accepts, the fields the size holds.
fn link_stats(d: &Dec, out: &mut String, off: u64, len: u64, wide: bool) -> Result<bool, Short> {
    let w = if wide { 8 } else { 4 };
    let sizes: &[u64] = if wide { &[25, 24, 23] } else { &[24, 23] };
    let def = sizes[0] * w;
    let n = if len >= def {
        sizes[0]
    } else if let Some(&k) = sizes[1..].iter().find(|&&k| len == k * w) {
        k
    } else {
        return Ok(false);
    };
    if !d.umove(out, off, n * w) {
        return Ok(true);
    }
    out.push('{');
    for (i, name) in LINK_STATS_FIELDS.iter().take(n as usize).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{name}={}", d.uint(off + i as u64 * w, w)?);
    }
    out.push('}');
    Ok(true)
}

pub(crate) fn stats32(
    d: &Dec,
    out: &mut String,
    off: u64,
    len: u64,
    _: u64,
) -> Result<bool, Short> {
    link_stats(d, out, off, len, false)
}

pub(crate) fn stats64(
    d: &Dec,
    out: &mut String,
    off: u64,
    len: u64,
    _: u64,
) -> Result<bool, Short> {
    link_stats(d, out, off, len, true)
}

/// struct rtnl_link_ifmap up to `port` (28 bytes).
pub(crate) fn ifmap(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    const F: &[Fld] = &[
        ("mem_start", 0, 8, Fk::X),
        ("mem_end", 8, 8, Fk::X),
        ("base_addr", 16, 8, Fk::X),
        ("irq", 24, 2, Fk::U),
        ("dma", 26, 1, Fk::U),
        ("port", 27, 1, Fk::U),
    ];
    struct_payload(d, out, off, len, 28, F)
}

// ---------------------------------------------------------------------------------------------
// IFLA_LINKINFO: IFLA_INFO_DATA and friends depend on the IFLA_INFO_KIND seen before them.

/// decode_ifla_linkinfo: a fresh kind context, then the IFLA_INFO_* attributes.
pub(crate) fn linkinfo(
    d: &Dec,
    out: &mut String,
    off: u64,
    len: u64,
    ctx: u64,
) -> Result<bool, Short> {
    d.link_kind.borrow_mut().clear();
    d.link_slave_kind.borrow_mut().clear();
    decode_nlattr(d, out, off, len, &LINKINFO_ATTRS, ctx)?;
    Ok(true)
}

static LINKINFO_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_INFO_ATTRS,
    dflt: "IFLA_INFO_???",
    dec: &[
        ("IFLA_INFO_KIND", Nla::Custom(info_kind)),
        ("IFLA_INFO_DATA", Nla::Custom(info_data)),
        ("IFLA_INFO_XSTATS", Nla::Custom(info_xstats)),
        ("IFLA_INFO_SLAVE_KIND", Nla::Custom(info_slave_kind)),
        ("IFLA_INFO_SLAVE_DATA", Nla::Custom(info_slave_data)),
    ],
    all: None,
};

/// update_ctx_str: the NUL-terminated string of a payload shorter than 64 bytes, else "".
fn kind_of(d: &Dec, off: u64, len: u64) -> String {
    if len >= 64 || d.faults(off, len) {
        return String::new();
    }
    match d.get(off, len) {
        Ok(b) => match b.iter().position(|&c| c == 0) {
            Some(end) => String::from_utf8_lossy(&b[..end]).into_owned(),
            None => String::new(),
        },
        Err(_) => String::new(),
    }
}

/// printstr_ex(QUOTE_0_TERMINATED): a C string of at most `len` bytes (`-s` applies).
pub(crate) fn cstr(d: &Dec, out: &mut String, off: u64, len: u64) -> Result<(), Short> {
    let size = len.min(d.style.max_strlen as u64 + 1);
    if d.faults(off, size) {
        // umovestr reads up to the fault: strace prints what it could if a NUL came first.
        let have = (d.data.len() as u64).saturating_sub(off).min(size);
        let b = d.get(off, have)?;
        if b.contains(&0) {
            return cstr_bytes(d, out, b, len);
        }
        d.addr(out, off);
        return Ok(());
    }
    let b = d.get(off, size)?;
    cstr_bytes(d, out, b, len)
}

fn cstr_bytes(d: &Dec, out: &mut String, b: &[u8], len: u64) -> Result<(), Short> {
    let max = d.style.max_strlen;
    let size = b.len().min(max);
    let opts = crate::decode::strfmt::QuoteOpts {
        zero_terminated: true,
        ..Default::default()
    };
    // string_quote reads one byte past `size` (the read above fetched it, or it is a NUL).
    let mut padded = b.to_vec();
    if padded.len() <= size {
        padded.push(0xff);
    }
    let unterminated = crate::decode::strfmt::string_quote(out, &padded, size, opts, d.style.xflag);
    if unterminated && len > 0 {
        out.push_str("...");
    }
    Ok(())
}

fn info_kind(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    *d.link_kind.borrow_mut() = kind_of(d, off, len);
    cstr(d, out, off, len)?;
    Ok(true)
}

fn info_slave_kind(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    *d.link_slave_kind.borrow_mut() = kind_of(d, off, len);
    cstr(d, out, off, len)?;
    Ok(true)
}

fn info_data(d: &Dec, out: &mut String, off: u64, len: u64, ctx: u64) -> Result<bool, Short> {
    let kind = d.link_kind.borrow().clone();
    let a = match kind.as_str() {
        "bridge" => &BR_DATA_ATTRS,
        "tun" => &TUN_DATA_ATTRS,
        _ => return Ok(false),
    };
    decode_nlattr(d, out, off, len, a, ctx)?;
    Ok(true)
}

fn info_slave_data(d: &Dec, out: &mut String, off: u64, len: u64, ctx: u64) -> Result<bool, Short> {
    if d.link_slave_kind.borrow().as_str() != "bridge" {
        return Ok(false);
    }
    decode_nlattr(d, out, off, len, &BRPORT_ATTRS, ctx)?;
    Ok(true)
}

fn info_xstats(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if d.link_kind.borrow().as_str() != "can" {
        return Ok(false);
    }
    struct_payload(
        d,
        out,
        off,
        len,
        24,
        &[
            ("bus_error", 0, 4, Fk::U),
            ("error_warning", 4, 4, Fk::U),
            ("error_passive", 8, 4, Fk::U),
            ("bus_off", 12, 4, Fk::U),
            ("arbitration_lost", 16, 4, Fk::U),
            ("restarts", 20, 4, Fk::U),
        ],
    )
}

const BR_BOOLOPT: Nla = Nla::Struct(
    8,
    &[
        (
            "optval",
            0,
            4,
            Fk::Flags(&nx::RTNL_IFLA_BR_BOOLOPT_FLAGS, "1<<BR_BOOLOPT_???"),
        ),
        (
            "optmask",
            4,
            4,
            Fk::Flags(&nx::RTNL_IFLA_BR_BOOLOPT_FLAGS, "1<<BR_BOOLOPT_???"),
        ),
    ],
);

fn ether_proto(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    // decode_nla_ether_proto: htons(ETH_P_*) of a big-endian u16.
    if !(2..=8).contains(&len) {
        return Ok(false);
    }
    if !d.umove(out, off, 2) {
        return Ok(true);
    }
    let v = d.u16(off)?.swap_bytes();
    out.push_str("htons(");
    super::xval(out, v.into(), &nx::ETHERNET_PROTOCOLS, "ETH_P_???");
    out.push(')');
    Ok(true)
}

static MCAST_QUERIER_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_BR_MCAST_QUERIER_ATTRS,
    dflt: "BRIDGE_QUERIER_???",
    dec: &[
        ("BRIDGE_QUERIER_IP_ADDRESS", Nla::InAddr),
        ("BRIDGE_QUERIER_IP_PORT", Nla::Ifindex),
        ("BRIDGE_QUERIER_IP_OTHER_TIMER", Nla::ClockT),
        ("BRIDGE_QUERIER_IPV6_ADDRESS", Nla::In6Addr),
        ("BRIDGE_QUERIER_IPV6_PORT", Nla::Ifindex),
        ("BRIDGE_QUERIER_IPV6_OTHER_TIMER", Nla::ClockT),
    ],
    all: None,
};

static BR_DATA_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_INFO_DATA_BRIDGE_ATTRS,
    dflt: "IFLA_BR_???",
    dec: &[
        ("IFLA_BR_FORWARD_DELAY", Nla::ClockT),
        ("IFLA_BR_HELLO_TIME", Nla::ClockT),
        ("IFLA_BR_MAX_AGE", Nla::ClockT),
        ("IFLA_BR_AGEING_TIME", Nla::ClockT),
        ("IFLA_BR_STP_STATE", Nla::U32),
        ("IFLA_BR_PRIORITY", Nla::U16),
        ("IFLA_BR_VLAN_FILTERING", Nla::U8),
        ("IFLA_BR_VLAN_PROTOCOL", Nla::Custom(ether_proto)),
        ("IFLA_BR_GROUP_FWD_MASK", Nla::X16),
        ("IFLA_BR_ROOT_ID", Nla::Custom(bridge_id)),
        ("IFLA_BR_BRIDGE_ID", Nla::Custom(bridge_id)),
        ("IFLA_BR_ROOT_PORT", Nla::U16),
        ("IFLA_BR_ROOT_PATH_COST", Nla::U32),
        ("IFLA_BR_TOPOLOGY_CHANGE", Nla::U8),
        ("IFLA_BR_TOPOLOGY_CHANGE_DETECTED", Nla::U8),
        ("IFLA_BR_HELLO_TIMER", Nla::ClockT),
        ("IFLA_BR_TCN_TIMER", Nla::ClockT),
        ("IFLA_BR_TOPOLOGY_CHANGE_TIMER", Nla::ClockT),
        ("IFLA_BR_GC_TIMER", Nla::ClockT),
        (
            "IFLA_BR_GROUP_ADDR",
            Nla::Custom(super::route::hwaddr_nofamily),
        ),
        ("IFLA_BR_MCAST_ROUTER", Nla::U8),
        ("IFLA_BR_MCAST_SNOOPING", Nla::U8),
        ("IFLA_BR_MCAST_QUERY_USE_IFADDR", Nla::U8),
        ("IFLA_BR_MCAST_QUERIER", Nla::U8),
        ("IFLA_BR_MCAST_HASH_ELASTICITY", Nla::U32),
        ("IFLA_BR_MCAST_HASH_MAX", Nla::U32),
        ("IFLA_BR_MCAST_LAST_MEMBER_CNT", Nla::U32),
        ("IFLA_BR_MCAST_STARTUP_QUERY_CNT", Nla::U32),
        ("IFLA_BR_MCAST_LAST_MEMBER_INTVL", Nla::ClockT),
        ("IFLA_BR_MCAST_MEMBERSHIP_INTVL", Nla::ClockT),
        ("IFLA_BR_MCAST_QUERIER_INTVL", Nla::ClockT),
        ("IFLA_BR_MCAST_QUERY_INTVL", Nla::ClockT),
        ("IFLA_BR_MCAST_QUERY_RESPONSE_INTVL", Nla::ClockT),
        ("IFLA_BR_MCAST_STARTUP_QUERY_INTVL", Nla::ClockT),
        ("IFLA_BR_NF_CALL_IPTABLES", Nla::U8),
        ("IFLA_BR_NF_CALL_IP6TABLES", Nla::U8),
        ("IFLA_BR_NF_CALL_ARPTABLES", Nla::U8),
        ("IFLA_BR_VLAN_DEFAULT_PVID", Nla::U16),
        ("IFLA_BR_VLAN_STATS_ENABLED", Nla::U8),
        ("IFLA_BR_MCAST_STATS_ENABLED", Nla::U8),
        ("IFLA_BR_MCAST_IGMP_VERSION", Nla::U8),
        ("IFLA_BR_MCAST_MLD_VERSION", Nla::U8),
        ("IFLA_BR_VLAN_STATS_PER_PORT", Nla::U8),
        ("IFLA_BR_MULTI_BOOLOPT", BR_BOOLOPT),
        (
            "IFLA_BR_MCAST_QUERIER_STATE",
            Nla::Nested(&MCAST_QUERIER_ATTRS),
        ),
    ],
    all: None,
};

static TUN_DATA_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_INFO_DATA_TUN_ATTRS,
    dflt: "IFLA_TUN_???",
    dec: &[
        ("IFLA_TUN_OWNER", Nla::Uid),
        ("IFLA_TUN_GROUP", Nla::Uid),
        (
            "IFLA_TUN_TYPE",
            Nla::Xval(&nx::TUN_DEVICE_TYPES, "IFF_???", 1),
        ),
        ("IFLA_TUN_PI", Nla::U8),
        ("IFLA_TUN_VNET_HDR", Nla::U8),
        ("IFLA_TUN_PERSIST", Nla::U8),
        ("IFLA_TUN_MULTI_QUEUE", Nla::U8),
        ("IFLA_TUN_NUM_QUEUES", Nla::U32),
        ("IFLA_TUN_NUM_DISABLED_QUEUES", Nla::U32),
    ],
    all: None,
};

// ---------------------------------------------------------------------------------------------
// IFLA_VFINFO_LIST.

fn mac_hex(out: &mut String, b: &[u8]) {
    super::attr::print_mac(out, b, b.len());
}

fn vf_mac(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len < 36 {
        return Ok(false);
    }
    if !d.umove(out, off, 36) {
        return Ok(true);
    }
    let _ = write!(out, "{{vf={}, mac=", d.u32(off)?);
    mac_hex(out, d.get(off + 4, 32)?);
    out.push('}');
    Ok(true)
}

fn vf_broadcast(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len < 32 {
        return Ok(false);
    }
    if !d.umove(out, off, 32) {
        return Ok(true);
    }
    out.push_str("{broadcast=");
    mac_hex(out, d.get(off, 32)?);
    out.push('}');
    Ok(true)
}

fn vf_u32s(d: &Dec, out: &mut String, off: u64, len: u64, names: &[&str]) -> Result<bool, Short> {
    let size = 4 * names.len() as u64;
    if len < size {
        return Ok(false);
    }
    if !d.umove(out, off, size) {
        return Ok(true);
    }
    out.push('{');
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{n}={}", d.u32(off + 4 * i as u64)?);
    }
    out.push('}');
    Ok(true)
}

fn vf_vlan(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    vf_u32s(d, out, off, len, &["vf", "vlan", "qos"])
}
fn vf_tx_rate(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    vf_u32s(d, out, off, len, &["vf", "rate"])
}
fn vf_setting(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    vf_u32s(d, out, off, len, &["vf", "setting"])
}
fn vf_rate(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    vf_u32s(d, out, off, len, &["vf", "min_tx_rate", "max_tx_rate"])
}

const VF_LINK_STATE: Nla = Nla::Struct(
    8,
    &[
        ("vf", 0, 4, Fk::U),
        (
            "link_state",
            4,
            4,
            Fk::Xval(&nx::RTNL_IFLA_VF_LINK_STATES, "IFLA_VF_LINK_STATE_???"),
        ),
    ],
);

/// struct ifla_vf_guid, 12 (packed) or 16 bytes.
fn vf_guid(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    let goff = match len {
        12 => 4,
        16 => 8,
        _ => return Ok(false),
    };
    if !d.umove(out, off, len) {
        return Ok(true);
    }
    let _ = write!(
        out,
        "{{vf={}, guid={}}}",
        d.u32(off)?,
        super::attr::c_hex(d.u64(off + goff)?)
    );
    Ok(true)
}

fn vf_vlan_info(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len < 16 {
        return Ok(false);
    }
    if !d.umove(out, off, 16) {
        return Ok(true);
    }
    let _ = write!(
        out,
        "{{vf={}, vlan={}, qos={}, vlan_proto=htons(",
        d.u32(off)?,
        d.u32(off + 4)?,
        d.u32(off + 8)?
    );
    super::xval(
        out,
        d.u16(off + 12)?.swap_bytes().into(),
        &nx::ETHERNET_PROTOCOLS,
        "ETH_P_???",
    );
    out.push_str(")}");
    Ok(true)
}

static VF_STATS_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_VF_STATS_ATTRS,
    dflt: "IFLA_VF_STATS_???",
    dec: &[
        ("IFLA_VF_STATS_RX_PACKETS", Nla::U64),
        ("IFLA_VF_STATS_TX_PACKETS", Nla::U64),
        ("IFLA_VF_STATS_RX_BYTES", Nla::U64),
        ("IFLA_VF_STATS_TX_BYTES", Nla::U64),
        ("IFLA_VF_STATS_BROADCAST", Nla::U64),
        ("IFLA_VF_STATS_MULTICAST", Nla::U64),
        ("IFLA_VF_STATS_RX_DROPPED", Nla::U64),
        ("IFLA_VF_STATS_TX_DROPPED", Nla::U64),
    ],
    all: None,
};

static VF_VLAN_LIST_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_VF_VLAN_LIST_ATTRS,
    dflt: "IFLA_VF_VLAN_INFO_???",
    dec: &[("IFLA_VF_VLAN_INFO", Nla::Custom(vf_vlan_info))],
    all: None,
};

static VF_INFO_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_VF_INFO_ATTRS,
    dflt: "IFLA_VF_???",
    dec: &[
        ("IFLA_VF_MAC", Nla::Custom(vf_mac)),
        ("IFLA_VF_VLAN", Nla::Custom(vf_vlan)),
        ("IFLA_VF_TX_RATE", Nla::Custom(vf_tx_rate)),
        ("IFLA_VF_SPOOFCHK", Nla::Custom(vf_setting)),
        ("IFLA_VF_LINK_STATE", VF_LINK_STATE),
        ("IFLA_VF_RATE", Nla::Custom(vf_rate)),
        ("IFLA_VF_RSS_QUERY_EN", Nla::Custom(vf_setting)),
        ("IFLA_VF_STATS", Nla::Nested(&VF_STATS_ATTRS)),
        ("IFLA_VF_TRUST", Nla::Custom(vf_setting)),
        ("IFLA_VF_IB_NODE_GUID", Nla::Custom(vf_guid)),
        ("IFLA_VF_IB_PORT_GUID", Nla::Custom(vf_guid)),
        ("IFLA_VF_VLAN_LIST", Nla::Nested(&VF_VLAN_LIST_ATTRS)),
        ("IFLA_VF_BROADCAST", Nla::Custom(vf_broadcast)),
    ],
    all: None,
};

pub(crate) static VFINFO_LIST_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_IFLA_VFINFO_LIST_ATTRS,
    dflt: "IFLA_VF_INFO_???",
    dec: &[("IFLA_VF_INFO", Nla::Nested(&VF_INFO_ATTRS))],
    all: None,
};
