//! RTM_*STATS attributes as strace 6.1 prints them (`rtnl_stats.c`): link stats, extended
//! stats of bridges and bonds, offload stats, per-family (MPLS) stats.

use super::attr::{Attrs, Fk, Fld, Nla, decode_nlattr, print_fields};
use super::{Dec, Short, route_link};
use crate::decode::xlat as nx;
use std::fmt::Write;

/// A structure of `size` bytes (declined when shorter), then the rest in hex.
fn struct_then_hex(
    d: &Dec,
    out: &mut String,
    off: u64,
    len: u64,
    size: u64,
    f: impl Fn(&Dec, &mut String) -> Result<(), Short>,
) -> Result<bool, Short> {
    if len < size {
        return Ok(false);
    }
    if !d.umove(out, off, size) {
        return Ok(true);
    }
    out.push('{');
    f(d, out)?;
    out.push('}');
    if len > size {
        out.push_str(", ");
        d.hex_str(out, off + size, len - size)?;
    }
    Ok(true)
}

fn fields(d: &Dec, out: &mut String, off: u64, f: &[Fld]) -> Result<(), Short> {
    let mut s = String::new();
    print_fields(d, &mut s, off, f, 0)?;
    out.push_str(s.trim_start_matches(", "));
    Ok(())
}

fn bridge_vlan(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    struct_then_hex(d, out, off, len, 40, |d, out| {
        fields(
            d,
            out,
            off,
            &[
                ("rx_bytes", 0, 8, Fk::U),
                ("rx_packets", 8, 8, Fk::U),
                ("tx_bytes", 16, 8, Fk::U),
                ("tx_packets", 24, 8, Fk::U),
                ("vid", 32, 2, Fk::U),
                (
                    "flags",
                    34,
                    2,
                    Fk::Flags(&nx::NL_BRIDGE_VLAN_FLAGS, "BRIDGE_VLAN_INFO_???"),
                ),
                ("pad2", 36, 4, Fk::XIfSet),
            ],
        )
    })
}

fn bridge_mcast(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    // struct br_mcast_stats: u64 counters, most of them [RX, TX] pairs.
    const F: &[(&str, bool)] = &[
        ("igmp_v1queries", true),
        ("igmp_v2queries", true),
        ("igmp_v3queries", true),
        ("igmp_leaves", true),
        ("igmp_v1reports", true),
        ("igmp_v2reports", true),
        ("igmp_v3reports", true),
        ("igmp_parse_errors", false),
        ("mld_v1queries", true),
        ("mld_v2queries", true),
        ("mld_leaves", true),
        ("mld_v1reports", true),
        ("mld_v2reports", true),
        ("mld_parse_errors", false),
        ("mcast_bytes", true),
        ("mcast_packets", true),
    ];
    struct_then_hex(d, out, off, len, 240, |d, out| {
        let mut o = off;
        for (i, &(name, pair)) in F.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if pair {
                let _ = write!(out, "{name}=[[");
                super::attr::print_index(out, 0, &nx::IFSTATS_XSTATS_BRIDGE_MCAST_INDICES, "");
                let _ = write!(out, "]={}, [", d.u64(o)?);
                super::attr::print_index(out, 1, &nx::IFSTATS_XSTATS_BRIDGE_MCAST_INDICES, "");
                let _ = write!(out, "]={}]", d.u64(o + 8)?);
                o += 16;
            } else {
                let _ = write!(out, "{name}={}", d.u64(o)?);
                o += 8;
            }
        }
        Ok(())
    })
}

fn bridge_stp(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    struct_then_hex(d, out, off, len, 48, |d, out| {
        fields(
            d,
            out,
            off,
            &[
                ("transition_blk", 0, 8, Fk::U),
                ("transition_fwd", 8, 8, Fk::U),
                ("rx_bpdu", 16, 8, Fk::U),
                ("tx_bpdu", 24, 8, Fk::U),
                ("rx_tcn", 32, 8, Fk::U),
                ("tx_tcn", 40, 8, Fk::U),
            ],
        )
    })
}

fn mpls_link(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    struct_then_hex(d, out, off, len, 72, |d, out| {
        fields(
            d,
            out,
            off,
            &[
                ("rx_packets", 0, 8, Fk::U),
                ("tx_packets", 8, 8, Fk::U),
                ("rx_bytes", 16, 8, Fk::U),
                ("tx_bytes", 24, 8, Fk::U),
                ("rx_errors", 32, 8, Fk::U),
                ("tx_errors", 40, 8, Fk::U),
                ("rx_dropped", 48, 8, Fk::U),
                ("tx_dropped", 56, 8, Fk::U),
                ("rx_noroute", 64, 8, Fk::U),
            ],
        )
    })
}

static XSTATS_BRIDGE: Attrs = Attrs {
    table: &nx::IFSTATS_XSTATS_BRIDGE_ATTRS,
    dflt: "BRIDGE_XSTATS_???",
    dec: &[
        ("BRIDGE_XSTATS_VLAN", Nla::Custom(bridge_vlan)),
        ("BRIDGE_XSTATS_MCAST", Nla::Custom(bridge_mcast)),
        ("BRIDGE_XSTATS_STP", Nla::Custom(bridge_stp)),
    ],
    all: None,
};

static XSTATS_BOND_3AD: Attrs = Attrs {
    table: &nx::IFSTATS_XSTATS_BOND_3AD_ATTRS,
    dflt: "BOND_XSTATS_???",
    dec: &[
        ("BOND_3AD_STAT_LACPDU_RX", Nla::U64),
        ("BOND_3AD_STAT_LACPDU_TX", Nla::U64),
        ("BOND_3AD_STAT_LACPDU_UNKNOWN_RX", Nla::U64),
        ("BOND_3AD_STAT_LACPDU_ILLEGAL_RX", Nla::U64),
        ("BOND_3AD_STAT_MARKER_RX", Nla::U64),
        ("BOND_3AD_STAT_MARKER_TX", Nla::U64),
        ("BOND_3AD_STAT_MARKER_RESP_RX", Nla::U64),
        ("BOND_3AD_STAT_MARKER_RESP_TX", Nla::U64),
        ("BOND_3AD_STAT_MARKER_UNKNOWN_RX", Nla::U64),
    ],
    all: None,
};

static XSTATS_BOND: Attrs = Attrs {
    table: &nx::IFSTATS_XSTATS_BOND_ATTRS,
    dflt: "BOND_XSTATS_???",
    dec: &[("BOND_XSTATS_3AD", Nla::Nested(&XSTATS_BOND_3AD))],
    all: None,
};

static XSTATS: Attrs = Attrs {
    table: &nx::IFSTATS_XSTATS_TYPE_ATTRS,
    dflt: "LINK_XSTATS_TYPE_???",
    dec: &[
        ("LINK_XSTATS_TYPE_BRIDGE", Nla::Nested(&XSTATS_BRIDGE)),
        ("LINK_XSTATS_TYPE_BOND", Nla::Nested(&XSTATS_BOND)),
    ],
    all: None,
};

static OFFLOAD: Attrs = Attrs {
    table: &nx::IFSTATS_OFFLOAD_ATTRS,
    dflt: "IFLA_OFFLOAD_XSTATS_???",
    dec: &[(
        "IFLA_OFFLOAD_XSTATS_CPU_HIT",
        Nla::Custom(route_link::stats64),
    )],
    all: None,
};

static MPLS: Attrs = Attrs {
    table: &nx::IFSTATS_AF_SPEC_MPLS_ATTRS,
    dflt: "MPLS_STATS_???",
    dec: &[("MPLS_STATS_LINK", Nla::Custom(mpls_link))],
    all: None,
};

/// decode_ifstats_af: the nest of one address family (only AF_MPLS has a decoder).
fn ifstats_af(d: &Dec, out: &mut String, off: u64, len: u64, ctx: u64) -> Result<bool, Short> {
    if ctx & 0xff == 28 {
        decode_nlattr(d, out, off, len, &MPLS, 0)?;
    } else {
        d.hex_str(out, off, len)?;
    }
    Ok(true)
}

static AF_SPEC: Attrs = Attrs {
    table: &nx::ADDRESS_FAMILIES,
    dflt: "AF_???",
    dec: &[],
    all: Some(Nla::Custom(ifstats_af)),
};

pub(crate) static IFSTATS_ATTRS: Attrs = Attrs {
    table: &nx::IFSTATS_ATTRS,
    dflt: "IFLA_STATS_???",
    dec: &[
        ("IFLA_STATS_LINK_64", Nla::Custom(route_link::stats64)),
        ("IFLA_STATS_LINK_XSTATS", Nla::Nested(&XSTATS)),
        ("IFLA_STATS_LINK_XSTATS_SLAVE", Nla::Nested(&XSTATS)),
        ("IFLA_STATS_LINK_OFFLOAD_XSTATS", Nla::Nested(&OFFLOAD)),
        ("IFLA_STATS_AF_SPEC", Nla::Nested(&AF_SPEC)),
    ],
    all: None,
};
