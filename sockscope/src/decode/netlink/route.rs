//! NETLINK_ROUTE payloads as strace 6.1 prints them (`netlink_route.c`, `rtnl_*.c`): the
//! message's fixed structure (ifinfomsg, ifaddrmsg, rtmsg, ...) then its attribute tree.

use super::attr::{Attrs, Fk, Msg, Nla, decode_msg, decode_nlattr, inet_addr};
use super::{Dec, Hdr, R, Short, route_link, xval};
use crate::decode::xlat as nx;
use crate::decode::xlat::Xlat;

const RTM_BASE: u16 = 16;
const RTM_DELACTION: u16 = 49;
const AF_BRIDGE: u8 = 7;

/// decode_nlmsg_flags_route: the second flag table by the message's kind.
pub(crate) fn flags_table(ty: u16) -> Option<&'static Xlat> {
    if ty == RTM_DELACTION {
        return Some(&nx::NETLINK_GET_FLAGS);
    }
    match ty & 3 {
        0 => Some(&nx::NETLINK_NEW_FLAGS),
        1 => Some(&nx::NETLINK_DELETE_FLAGS),
        2 => Some(&nx::NETLINK_GET_FLAGS),
        _ => None,
    }
}

static IFINFOMSG: Msg = Msg {
    family: "ifi_family",
    size: 16,
    fields: &[
        (
            "ifi_type",
            2,
            2,
            Fk::Xval(&nx::ARP_HARDWARE_TYPES, "ARPHRD_???"),
        ),
        ("ifi_index", 4, 4, Fk::Ifindex),
        ("ifi_flags", 8, 4, Fk::Flags(&nx::IFFFLAGS, "IFF_???")),
        ("ifi_change", 12, 4, Fk::X),
    ],
    attrs: Some(&LINK_ATTRS),
    family_only: false,
};

static IFADDRMSG: Msg = Msg {
    family: "ifa_family",
    size: 8,
    fields: &[
        ("ifa_prefixlen", 1, 1, Fk::U),
        ("ifa_flags", 2, 1, Fk::Flags(&nx::IFADDRFLAGS, "IFA_F_???")),
        ("ifa_scope", 3, 1, Fk::Xval(&nx::ROUTING_SCOPES, "")),
        ("ifa_index", 4, 4, Fk::Ifindex),
    ],
    attrs: Some(&ADDR_ATTRS),
    family_only: false,
};

static RTMSG: Msg = Msg {
    family: "rtm_family",
    size: 12,
    fields: &[
        ("rtm_dst_len", 1, 1, Fk::U),
        ("rtm_src_len", 2, 1, Fk::U),
        (
            "rtm_tos",
            3,
            1,
            Fk::Flags(&nx::IP_TYPE_OF_SERVICES, "IPTOS_TOS_???"),
        ),
        ("rtm_table", 4, 1, Fk::Xval(&nx::ROUTING_TABLE_IDS, "")),
        (
            "rtm_protocol",
            5,
            1,
            Fk::Xval(&nx::ROUTING_PROTOCOLS, "RTPROT_???"),
        ),
        ("rtm_scope", 6, 1, Fk::Xval(&nx::ROUTING_SCOPES, "")),
        ("rtm_type", 7, 1, Fk::Xval(&nx::ROUTING_TYPES, "RTN_???")),
        (
            "rtm_flags",
            8,
            4,
            Fk::Flags(&nx::ROUTING_FLAGS, "RTM_F_???"),
        ),
    ],
    attrs: Some(&ROUTE_ATTRS),
    family_only: false,
};

static FIB_RULE_HDR: Msg = Msg {
    family: "family",
    size: 12,
    fields: &[
        ("dst_len", 1, 1, Fk::U),
        ("src_len", 2, 1, Fk::U),
        (
            "tos",
            3,
            1,
            Fk::Flags(&nx::IP_TYPE_OF_SERVICES, "IPTOS_TOS_???"),
        ),
        (
            "table",
            4,
            1,
            Fk::Xval(&nx::ROUTING_TABLE_IDS, "RT_TABLE_???"),
        ),
        (
            "action",
            7,
            1,
            Fk::Xval(&nx::FIB_RULE_ACTIONS, "FR_ACT_???"),
        ),
        (
            "flags",
            8,
            4,
            Fk::Flags(&nx::FIB_RULE_FLAGS, "FIB_RULE_???"),
        ),
    ],
    attrs: Some(&RULE_ATTRS),
    family_only: false,
};

static NDMSG: Msg = Msg {
    family: "ndm_family",
    size: 12,
    fields: &[
        ("ndm_ifindex", 4, 4, Fk::Ifindex),
        (
            "ndm_state",
            8,
            2,
            Fk::Flags(&nx::NEIGHBOR_CACHE_ENTRY_STATES, "NUD_???"),
        ),
        (
            "ndm_flags",
            10,
            1,
            Fk::Flags(&nx::NEIGHBOR_CACHE_ENTRY_FLAGS, "NTF_???"),
        ),
        ("ndm_type", 11, 1, Fk::Xval(&nx::ROUTING_TYPES, "RTN_???")),
    ],
    attrs: Some(&NEIGH_ATTRS),
    family_only: false,
};

static TCMSG: Msg = Msg {
    family: "tcm_family",
    size: 20,
    fields: &[
        ("tcm_ifindex", 4, 4, Fk::Ifindex),
        ("tcm_handle", 8, 4, Fk::U),
        ("tcm_parent", 12, 4, Fk::U),
        ("tcm_info", 16, 4, Fk::U),
    ],
    attrs: Some(&TC_ATTRS),
    family_only: false,
};

static IFADDRLBLMSG: Msg = Msg {
    family: "ifal_family",
    size: 12,
    fields: &[
        ("ifal_prefixlen", 2, 1, Fk::U),
        ("ifal_flags", 3, 1, Fk::U),
        ("ifal_index", 4, 4, Fk::Ifindex),
        ("ifal_seq", 8, 4, Fk::U),
    ],
    attrs: Some(&ADDRLABEL_ATTRS),
    family_only: false,
};

static DCBMSG: Msg = Msg {
    family: "dcb_family",
    size: 4,
    fields: &[("cmd", 1, 1, Fk::Xval(&nx::DCB_COMMANDS, "DCB_CMD_???"))],
    attrs: Some(&DCB_ATTRS),
    family_only: false,
};

static BR_PORT_MSG: Msg = Msg {
    family: "family",
    size: 8,
    fields: &[("ifindex", 4, 4, Fk::Ifindex)],
    attrs: Some(&MDB_ATTRS),
    family_only: false,
};

static NHMSG: Msg = Msg {
    family: "nh_family",
    size: 8,
    fields: &[
        ("nh_scope", 1, 1, Fk::Xval(&nx::ROUTING_SCOPES, "")),
        (
            "nh_protocol",
            2,
            1,
            Fk::Xval(&nx::ROUTING_PROTOCOLS, "RTPROT_???"),
        ),
        ("resvd", 3, 1, Fk::XIfSet),
        (
            "nh_flags",
            4,
            4,
            Fk::Flags(&nx::ROUTE_NEXTHOP_FLAGS, "RTNH_F_???"),
        ),
    ],
    attrs: Some(&NEXTHOP_ATTRS),
    family_only: false,
};

static IF_STATS_MSG: Msg = Msg {
    family: "family",
    size: 12,
    fields: &[
        ("pad1", 1, 1, Fk::XIfSet),
        ("pad2", 2, 2, Fk::XIfSet),
        ("ifindex", 4, 4, Fk::Ifindex),
        (
            "filter_mask",
            8,
            4,
            Fk::Flags(&nx::IFSTATS_ATTR_FLAGS, "1<<IFLA_STATS_???"),
        ),
    ],
    attrs: Some(&super::route_stats::IFSTATS_ATTRS),
    family_only: false,
};

static NETCONFMSG: Msg = Msg {
    family: "ncm_family",
    size: 1,
    fields: &[],
    attrs: Some(&NETCONF_ATTRS),
    family_only: true,
};

static NSIDMSG: Msg = Msg {
    family: "rtgen_family",
    size: 1,
    fields: &[],
    attrs: Some(&NSID_ATTRS),
    family_only: true,
};

static NDTMSG: Msg = Msg {
    family: "ndtm_family",
    size: 4,
    fields: &[],
    attrs: Some(&NEIGHTBL_ATTRS),
    family_only: true,
};

static TCAMSG: Msg = Msg {
    family: "tca_family",
    size: 4,
    fields: &[],
    attrs: Some(&TC_ACTION_ATTRS),
    family_only: true,
};

/// The structure of each RTM_* type strace decodes (its route_decoders).
static ROUTE_MSGS: &[(&str, &Msg)] = &[
    ("RTM_NEWLINK", &IFINFOMSG),
    ("RTM_DELLINK", &IFINFOMSG),
    ("RTM_GETLINK", &IFINFOMSG),
    ("RTM_SETLINK", &IFINFOMSG),
    ("RTM_NEWADDR", &IFADDRMSG),
    ("RTM_DELADDR", &IFADDRMSG),
    ("RTM_GETADDR", &IFADDRMSG),
    ("RTM_NEWROUTE", &RTMSG),
    ("RTM_DELROUTE", &RTMSG),
    ("RTM_GETROUTE", &RTMSG),
    ("RTM_NEWNEIGH", &NDMSG),
    ("RTM_DELNEIGH", &NDMSG),
    ("RTM_GETNEIGH", &NDMSG),
    ("RTM_NEWRULE", &FIB_RULE_HDR),
    ("RTM_DELRULE", &FIB_RULE_HDR),
    ("RTM_GETRULE", &FIB_RULE_HDR),
    ("RTM_NEWQDISC", &TCMSG),
    ("RTM_DELQDISC", &TCMSG),
    ("RTM_GETQDISC", &TCMSG),
    ("RTM_NEWTCLASS", &TCMSG),
    ("RTM_DELTCLASS", &TCMSG),
    ("RTM_GETTCLASS", &TCMSG),
    ("RTM_NEWTFILTER", &TCMSG),
    ("RTM_DELTFILTER", &TCMSG),
    ("RTM_GETTFILTER", &TCMSG),
    ("RTM_NEWACTION", &TCAMSG),
    ("RTM_DELACTION", &TCAMSG),
    ("RTM_GETACTION", &TCAMSG),
    ("RTM_GETMULTICAST", &IFADDRMSG),
    ("RTM_GETANYCAST", &IFADDRMSG),
    ("RTM_NEWNEIGHTBL", &NDTMSG),
    ("RTM_GETNEIGHTBL", &NDTMSG),
    ("RTM_SETNEIGHTBL", &NDTMSG),
    ("RTM_NEWADDRLABEL", &IFADDRLBLMSG),
    ("RTM_DELADDRLABEL", &IFADDRLBLMSG),
    ("RTM_GETADDRLABEL", &IFADDRLBLMSG),
    ("RTM_GETDCB", &DCBMSG),
    ("RTM_SETDCB", &DCBMSG),
    ("RTM_NEWNETCONF", &NETCONFMSG),
    ("RTM_DELNETCONF", &NETCONFMSG),
    ("RTM_GETNETCONF", &NETCONFMSG),
    ("RTM_NEWMDB", &BR_PORT_MSG),
    ("RTM_DELMDB", &BR_PORT_MSG),
    ("RTM_GETMDB", &BR_PORT_MSG),
    ("RTM_NEWNSID", &NSIDMSG),
    ("RTM_DELNSID", &NSIDMSG),
    ("RTM_GETNSID", &NSIDMSG),
    ("RTM_NEWSTATS", &IF_STATS_MSG),
    ("RTM_GETSTATS", &IF_STATS_MSG),
    ("RTM_NEWCHAIN", &TCMSG),
    ("RTM_DELCHAIN", &TCMSG),
    ("RTM_GETCHAIN", &TCMSG),
    ("RTM_NEWNEXTHOP", &NHMSG),
    ("RTM_DELNEXTHOP", &NHMSG),
    ("RTM_GETNEXTHOP", &NHMSG),
];

/// decode_netlink_route. Ok(false): not decoded here (NLMSG_DONE).
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
    let name = super::xname(&nx::NL_ROUTE_TYPES, h.ty.into()).filter(|_| h.ty >= RTM_BASE);
    match name {
        // decode_rtm_getneigh: AF_BRIDGE requests are ifinfomsgs.
        Some("RTM_GETNEIGH") if family == AF_BRIDGE => {
            decode_msg(d, out, &IFINFOMSG, family, off, len)?
        }
        Some("RTM_NEWCACHEREPORT") => cachereport(d, out, family, off, len)?,
        Some(n) => match ROUTE_MSGS.iter().find(|m| m.0 == n) {
            Some(m) => decode_msg(d, out, m.1, family, off, len)?,
            None => decode_family(d, out, family, off, len)?,
        },
        None => decode_family(d, out, family, off, len)?,
    }
    Ok(true)
}

/// decode_family: `{family=AF_INET, data="\x.."}`.
pub(crate) fn decode_family(d: &Dec, out: &mut String, family: u8, off: u64, len: u64) -> R {
    out.push_str("{family=");
    xval(out, family.into(), &nx::ADDRESS_FAMILIES, "AF_???");
    if len > 1 {
        out.push_str(", data=");
        d.hex_str(out, off + 1, len - 1)?;
    }
    out.push('}');
    Ok(())
}

/// decode_cachereport: rtgenmsg with the family as RTNL_FAMILY_*, then IPMRA_CREPORT_*.
fn cachereport(d: &Dec, out: &mut String, family: u8, off: u64, len: u64) -> R {
    out.push_str("{rtgen_family=");
    // printxvals_ex over two tables: RTNL_FAMILY_* first, then AF_*.
    match super::xname(&nx::RTNL_FAMILY, family.into()) {
        Some(n) => super::attr::xlat_ex(out, family.into(), n),
        None => xval(out, family.into(), &nx::ADDRESS_FAMILIES, "RTNL_FAMILY_???"),
    }
    out.push('}');
    if len > 4 {
        out.push_str(", ");
        let a = match family {
            128 => Some(&CREPORT_IP),
            129 => Some(&CREPORT_IP6),
            _ => None,
        };
        match a {
            Some(a) => decode_nlattr(d, out, off + 4, len - 4, a, 0)?,
            None => d.hex_str(out, off + 4, len - 4)?,
        }
    }
    Ok(())
}

static CREPORT_IP: Attrs = Attrs {
    table: &nx::RTNL_IPMRA_CREPORT_ATTR,
    dflt: "IPMRA_CREPORT_???",
    dec: &[
        (
            "IPMRA_CREPORT_MSGTYPE",
            Nla::Xval(&nx::RTNL_IPMRA_MSG_TYPES, "IGMPMSG_???", 1),
        ),
        ("IPMRA_CREPORT_VIF_ID", Nla::U32),
        ("IPMRA_CREPORT_SRC_ADDR", Nla::InAddr),
        ("IPMRA_CREPORT_DST_ADDR", Nla::InAddr),
        ("IPMRA_CREPORT_TABLE", Nla::U32),
    ],
    all: None,
};
static CREPORT_IP6: Attrs = Attrs {
    table: &nx::RTNL_IP6MRA_CREPORT_ATTR,
    dflt: "IP6MRA_CREPORT_???",
    dec: &[
        (
            "IP6MRA_CREPORT_MSGTYPE",
            Nla::Xval(&nx::RTNL_IP6MRA_MSG_TYPES, "MRT6MSG_???", 1),
        ),
        ("IP6MRA_CREPORT_MIF_ID", Nla::U32),
        ("IP6MRA_CREPORT_SRC_ADDR", Nla::In6Addr),
        ("IP6MRA_CREPORT_DST_ADDR", Nla::In6Addr),
    ],
    all: None,
};

/// An array of struct nexthop_grp: `{id=.., weight=..[, resvd1=..][, resvd2=..]}`.
fn nh_grp(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len / 8 == 0 {
        return Ok(false);
    }
    super::attr::array(d, out, off, len / 8 * 8, 8, |d, out, o| {
        let mut s = String::new();
        super::attr::print_fields(
            d,
            &mut s,
            o,
            &[
                ("id", 0, 4, Fk::U),
                ("weight", 4, 1, Fk::U),
                ("resvd1", 5, 1, Fk::XIfSet),
                ("resvd2", 6, 2, Fk::XIfSet),
            ],
            0,
        )?;
        out.push('{');
        out.push_str(s.trim_start_matches(", "));
        out.push('}');
        Ok(())
    })?;
    Ok(true)
}

static NHA_RES_GROUP_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_NHA_RES_GROUP_ATTRS,
    dflt: "NHA_RES_GROUP_???",
    dec: &[
        ("NHA_RES_GROUP_BUCKETS", Nla::U16),
        ("NHA_RES_GROUP_IDLE_TIMER", Nla::ClockT),
        ("NHA_RES_GROUP_UNBALANCED_TIMER", Nla::ClockT),
        ("NHA_RES_GROUP_UNBALANCED_TIME", Nla::ClockT),
    ],
    all: None,
};

static NHA_RES_BUCKET_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_NHA_RES_BUCKET_ATTRS,
    dflt: "NHA_RES_BUCKET_???",
    dec: &[
        ("NHA_RES_BUCKET_INDEX", Nla::U16),
        ("NHA_RES_BUCKET_IDLE_TIME", Nla::ClockT),
        ("NHA_RES_BUCKET_NH_ID", Nla::U32),
    ],
    all: None,
};

// ---------------------------------------------------------------------------------------------
// Attribute payloads that depend on the message's family.

fn family_addr(d: &Dec, out: &mut String, off: u64, len: u64, ctx: u64) -> Result<bool, Short> {
    inet_addr(d, out, off, len, ctx & 0xff, None)?;
    Ok(true)
}

/// The hardware address sizes by ARPHRD_* strace knows (print_mac.c's table as data).
fn hwaddr_size(devtype: u64) -> u64 {
    match devtype {
        0 | 3 => 7,
        1 | 6 | 772 | 774 | 780 | 801..=803 => 6,
        7 | 290 | 773 | 820 | 821 => 1,
        15 => 2,
        24 | 769 | 823 => 16,
        27 | 804 | 805 | 825 => 8,
        32 => 20,
        256 | 271 | 280 | 512 | 518 | 519 | 777 | 779 | 822 | 824 | 826 => 0,
        270 => 5,
        768 | 776 | 778 | 783 => 4,
        _ => 255,
    }
}

fn hwaddr_bytes(
    d: &Dec,
    out: &mut String,
    off: u64,
    len: u64,
    devtype: Option<u64>,
) -> Result<bool, Short> {
    if len > 32 {
        return Ok(false);
    }
    if !d.umove(out, off, len) {
        return Ok(true);
    }
    let b = d.get(off, len)?;
    let n = devtype.map_or(len, |t| len.min(hwaddr_size(t))) as usize;
    super::attr::print_mac(out, b, n);
    Ok(true)
}

/// decode_ifla_hwaddr: strace passes the message's family where the device type belongs.
fn ifla_hwaddr(d: &Dec, out: &mut String, off: u64, len: u64, ctx: u64) -> Result<bool, Short> {
    hwaddr_bytes(d, out, off, len, Some(ctx & 0xff))
}

pub(crate) fn hwaddr_nofamily(
    d: &Dec,
    out: &mut String,
    off: u64,
    len: u64,
    _: u64,
) -> Result<bool, Short> {
    hwaddr_bytes(d, out, off, len, None)
}

const IFA_CACHEINFO: Nla = Nla::Struct(
    16,
    &[
        ("ifa_prefered", 0, 4, Fk::U),
        ("ifa_valid", 4, 4, Fk::U),
        ("cstamp", 8, 4, Fk::U),
        ("tstamp", 12, 4, Fk::U),
    ],
);

const RTA_CACHEINFO: Nla = Nla::Struct(
    32,
    &[
        ("rta_clntref", 0, 4, Fk::U),
        ("rta_lastuse", 4, 4, Fk::U),
        ("rta_expires", 8, 4, Fk::U),
        ("rta_error", 12, 4, Fk::U),
        ("rta_used", 16, 4, Fk::U),
        ("rta_id", 20, 4, Fk::X),
        ("rta_ts", 24, 4, Fk::U),
        ("rta_tsage", 28, 4, Fk::U),
    ],
);

const NDA_CACHEINFO: Nla = Nla::Struct(
    16,
    &[
        ("ndm_confirmed", 0, 4, Fk::U),
        ("ndm_used", 4, 4, Fk::U),
        ("ndm_updated", 8, 4, Fk::U),
        ("ndm_refcnt", 12, 4, Fk::U),
    ],
);

const RULE_UID_RANGE: Nla = Nla::Struct(8, &[("start", 0, 4, Fk::U), ("end", 4, 4, Fk::U)]);

const RULE_PORT_RANGE: Nla = Nla::Struct(4, &[("start", 0, 2, Fk::U), ("end", 2, 2, Fk::U)]);

// ---------------------------------------------------------------------------------------------
// Attribute sets.

static LINK_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_LINK_ATTRS,
    dflt: "IFLA_???",
    dec: &[
        ("IFLA_ADDRESS", Nla::Custom(ifla_hwaddr)),
        ("IFLA_BROADCAST", Nla::Custom(ifla_hwaddr)),
        ("IFLA_IFNAME", Nla::Str),
        ("IFLA_MTU", Nla::U32),
        ("IFLA_LINK", Nla::U32),
        ("IFLA_QDISC", Nla::Str),
        ("IFLA_MASTER", Nla::U32),
        ("IFLA_TXQLEN", Nla::U32),
        ("IFLA_WEIGHT", Nla::U32),
        ("IFLA_OPERSTATE", Nla::U8),
        ("IFLA_LINKMODE", Nla::U8),
        ("IFLA_NET_NS_PID", Nla::U32),
        ("IFLA_IFALIAS", Nla::Str),
        ("IFLA_NUM_VF", Nla::U32),
        ("IFLA_GROUP", Nla::U32),
        ("IFLA_NET_NS_FD", Nla::Fd),
        (
            "IFLA_EXT_MASK",
            Nla::Flags(&nx::RTNL_IFLA_EXT_FILTER_FLAGS, "RTEXT_FILTER_???", 4),
        ),
        ("IFLA_STATS", Nla::Custom(route_link::stats32)),
        ("IFLA_STATS64", Nla::Custom(route_link::stats64)),
        ("IFLA_MAP", Nla::Custom(route_link::ifmap)),
        ("IFLA_PROTINFO", Nla::Custom(route_link::protinfo)),
        ("IFLA_LINKINFO", Nla::Custom(route_link::linkinfo)),
        ("IFLA_VF_PORTS", Nla::Nested(&route_link::VF_PORTS_ATTRS)),
        ("IFLA_PORT_SELF", Nla::Nested(&route_link::PORT_ATTRS)),
        ("IFLA_AF_SPEC", Nla::Custom(route_link::af_spec)),
        (
            "IFLA_VFINFO_LIST",
            Nla::Nested(&route_link::VFINFO_LIST_ATTRS),
        ),
        ("IFLA_XDP", Nla::Nested(&route_link::XDP_ATTRS)),
        (
            "IFLA_PROTO_DOWN_REASON",
            Nla::Nested(&route_link::PROTO_DOWN_REASON_ATTRS),
        ),
        ("IFLA_PROMISCUITY", Nla::U32),
        ("IFLA_NUM_TX_QUEUES", Nla::U32),
        ("IFLA_NUM_RX_QUEUES", Nla::U32),
        ("IFLA_CARRIER", Nla::U8),
        ("IFLA_CARRIER_CHANGES", Nla::U32),
        ("IFLA_LINK_NETNSID", Nla::S32),
        ("IFLA_PHYS_PORT_NAME", Nla::Str),
        ("IFLA_PROTO_DOWN", Nla::U8),
        ("IFLA_GSO_MAX_SEGS", Nla::U32),
        ("IFLA_GSO_MAX_SIZE", Nla::U32),
        (
            "IFLA_EVENT",
            Nla::Val(&nx::RTNL_IFLA_EVENTS, "IFLA_EVENT_???", 4),
        ),
        ("IFLA_NEW_NETNSID", Nla::S32),
        ("IFLA_IF_NETNSID", Nla::S32),
        ("IFLA_CARRIER_UP_COUNT", Nla::U32),
        ("IFLA_CARRIER_DOWN_COUNT", Nla::U32),
        ("IFLA_NEW_IFINDEX", Nla::Ifindex),
        ("IFLA_MIN_MTU", Nla::U32),
        ("IFLA_MAX_MTU", Nla::U32),
        ("IFLA_ALT_IFNAME", Nla::Str),
        ("IFLA_PERM_ADDRESS", Nla::Custom(ifla_hwaddr)),
        ("IFLA_PARENT_DEV_NAME", Nla::Str),
        ("IFLA_PARENT_DEV_BUS_NAME", Nla::Str),
        ("IFLA_GRO_MAX_SIZE", Nla::U32),
        ("IFLA_TSO_MAX_SIZE", Nla::U32),
        ("IFLA_TSO_MAX_SEGS", Nla::U32),
        ("IFLA_ALLMULTI", Nla::U32),
        ("IFLA_PROP_LIST", Nla::Nested(&PROP_LIST_ATTRS)),
    ],
    all: None,
};

static PROP_LIST_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_LINK_ATTRS,
    dflt: "IFLA_???",
    dec: &[("IFLA_ALT_IFNAME", Nla::Str)],
    all: None,
};

static ADDR_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_ADDR_ATTRS,
    dflt: "IFA_???",
    dec: &[
        ("IFA_ADDRESS", Nla::Custom(family_addr)),
        ("IFA_LOCAL", Nla::Custom(family_addr)),
        ("IFA_LABEL", Nla::Str),
        ("IFA_BROADCAST", Nla::Custom(family_addr)),
        ("IFA_ANYCAST", Nla::Custom(family_addr)),
        ("IFA_CACHEINFO", IFA_CACHEINFO),
        ("IFA_MULTICAST", Nla::Custom(family_addr)),
        ("IFA_FLAGS", Nla::Flg(&nx::IFADDRFLAGS, "IFA_F_???", 4)),
        ("IFA_RT_PRIORITY", Nla::U32),
        ("IFA_TARGET_NETNSID", Nla::S32),
    ],
    all: None,
};

static METRICS_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_RTA_METRICS_ATTRS,
    dflt: "RTAX_???",
    dec: &[
        ("RTAX_LOCK", Nla::U32),
        ("RTAX_MTU", Nla::U32),
        ("RTAX_WINDOW", Nla::U32),
        ("RTAX_RTT", Nla::U32),
        ("RTAX_RTTVAR", Nla::U32),
        ("RTAX_SSTHRESH", Nla::U32),
        ("RTAX_CWND", Nla::U32),
        ("RTAX_ADVMSS", Nla::U32),
        ("RTAX_REORDERING", Nla::U32),
        ("RTAX_HOPLIMIT", Nla::U32),
        ("RTAX_INITCWND", Nla::U32),
        ("RTAX_FEATURES", Nla::U32),
        ("RTAX_RTO_MIN", Nla::U32),
        ("RTAX_INITRWND", Nla::U32),
        ("RTAX_QUICKACK", Nla::U32),
        ("RTAX_CC_ALGO", Nla::Str),
    ],
    all: None,
};

static ROUTE_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_ROUTE_ATTRS,
    dflt: "RTA_???",
    dec: &[
        ("RTA_DST", Nla::Custom(family_addr)),
        ("RTA_SRC", Nla::Custom(family_addr)),
        ("RTA_IIF", Nla::Ifindex),
        ("RTA_OIF", Nla::Ifindex),
        ("RTA_GATEWAY", Nla::Custom(family_addr)),
        ("RTA_PRIORITY", Nla::U32),
        ("RTA_PREFSRC", Nla::Custom(family_addr)),
        ("RTA_METRICS", Nla::Nested(&METRICS_ATTRS)),
        ("RTA_MULTIPATH", Nla::Custom(rta_multipath)),
        ("RTA_VIA", Nla::Custom(rtvia)),
        ("RTA_MFC_STATS", MFC_STATS),
        ("RTA_PROTOINFO", Nla::U32),
        ("RTA_FLOW", Nla::U32),
        ("RTA_CACHEINFO", RTA_CACHEINFO),
        ("RTA_MP_ALGO", Nla::U32),
        ("RTA_TABLE", Nla::Val(&nx::ROUTING_TABLE_IDS, "", 4)),
        ("RTA_MARK", Nla::U32),
        ("RTA_NEWDST", Nla::Custom(family_addr)),
        ("RTA_PREF", Nla::U8),
        (
            "RTA_ENCAP_TYPE",
            Nla::Val(&nx::LWTUNNEL_ENCAP_TYPES, "LWTUNNEL_ENCAP_???", 2),
        ),
        ("RTA_EXPIRES", Nla::U64),
        ("RTA_UID", Nla::U32),
        ("RTA_TTL_PROPAGATE", Nla::U8),
        ("RTA_IP_PROTO", Nla::U8),
        ("RTA_SPORT", Nla::U16),
        ("RTA_DPORT", Nla::U16),
    ],
    all: None,
};

static RULE_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_RULE_ATTRS,
    dflt: "FRA_???",
    dec: &[
        ("FRA_DST", Nla::Custom(family_addr)),
        ("FRA_SRC", Nla::Custom(family_addr)),
        ("FRA_IIFNAME", Nla::Str),
        ("FRA_GOTO", Nla::U32),
        ("FRA_PRIORITY", Nla::U32),
        ("FRA_FWMARK", Nla::U32),
        ("FRA_FLOW", Nla::U32),
        ("FRA_TUN_ID", Nla::Be64),
        ("FRA_SUPPRESS_IFGROUP", Nla::U32),
        ("FRA_SUPPRESS_PREFIXLEN", Nla::U32),
        ("FRA_TABLE", Nla::Val(&nx::ROUTING_TABLE_IDS, "", 4)),
        ("FRA_FWMASK", Nla::U32),
        ("FRA_OIFNAME", Nla::Str),
        ("FRA_L3MDEV", Nla::U8),
        ("FRA_UID_RANGE", RULE_UID_RANGE),
        (
            "FRA_PROTOCOL",
            Nla::Val(&nx::ROUTING_PROTOCOLS, "RTPROT_???", 1),
        ),
        (
            "FRA_IP_PROTO",
            Nla::Xval(&nx::INET_PROTOCOLS, "IPPROTO_???", 0),
        ),
        ("FRA_SPORT_RANGE", RULE_PORT_RANGE),
        ("FRA_DPORT_RANGE", RULE_PORT_RANGE),
    ],
    all: None,
};

static NEIGH_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_NEIGH_ATTRS,
    dflt: "NDA_???",
    dec: &[
        ("NDA_DST", Nla::Custom(family_addr)),
        ("NDA_LLADDR", Nla::Custom(hwaddr_nofamily)),
        ("NDA_CACHEINFO", NDA_CACHEINFO),
        ("NDA_PROBES", Nla::U32),
        ("NDA_VLAN", Nla::U16),
        ("NDA_PORT", Nla::Be16),
        ("NDA_VNI", Nla::U32),
        ("NDA_IFINDEX", Nla::Ifindex),
        ("NDA_MASTER", Nla::Ifindex),
        ("NDA_LINK_NETNSID", Nla::U32),
        ("NDA_SRC_VNI", Nla::U32),
        (
            "NDA_PROTOCOL",
            Nla::Xval(&nx::INET_PROTOCOLS, "IPPROTO_???", 0),
        ),
        ("NDA_NH_ID", Nla::U32),
        (
            "NDA_FLAGS_EXT",
            Nla::Flags(&nx::NEIGHBOR_CACHE_ENTRY_EXT_FLAGS, "NTF_EXT_???", 4),
        ),
        (
            "NDA_NDM_STATE_MASK",
            Nla::Flags(&nx::NEIGHBOR_CACHE_ENTRY_STATES, "NUD_???", 2),
        ),
        (
            "NDA_NDM_FLAGS_MASK",
            Nla::Flags(&nx::NEIGHBOR_CACHE_ENTRY_FLAGS, "NTF_???", 1),
        ),
        ("NDA_FDB_EXT_ATTRS", Nla::Nested(&FDB_EXT_ATTRS)),
    ],
    all: None,
};

static TC_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_TC_ATTRS,
    dflt: "TCA_???",
    dec: &[
        ("TCA_KIND", Nla::Str),
        ("TCA_STATS", TC_STATS),
        ("TCA_RATE", TC_ESTIMATOR),
        ("TCA_STATS2", Nla::Nested(&TCA_STATS_ATTRS)),
        ("TCA_STAB", Nla::Nested(&TCA_STAB_ATTRS)),
        ("TCA_FCNT", Nla::U32),
        ("TCA_CHAIN", Nla::U32),
        ("TCA_HW_OFFLOAD", Nla::U8),
        ("TCA_INGRESS_BLOCK", Nla::U32),
        ("TCA_EGRESS_BLOCK", Nla::U32),
        ("TCA_DUMP_FLAGS", Nla::U32),
    ],
    all: None,
};

static ADDRLABEL_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_ADDRLABEL_ATTRS,
    dflt: "IFAL_???",
    dec: &[
        ("IFAL_ADDRESS", Nla::Custom(family_addr)),
        ("IFAL_LABEL", Nla::U32),
    ],
    all: None,
};

static DCB_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_DCB_ATTRS,
    dflt: "DCB_ATTR_???",
    dec: &[],
    all: None,
};

static NETCONF_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_NETCONF_ATTRS,
    dflt: "NETCONFA_???",
    dec: &[
        ("NETCONFA_IFINDEX", Nla::Ifindex),
        ("NETCONFA_FORWARDING", Nla::S32),
        ("NETCONFA_RP_FILTER", Nla::S32),
        ("NETCONFA_MC_FORWARDING", Nla::S32),
        ("NETCONFA_PROXY_NEIGH", Nla::S32),
        ("NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN", Nla::S32),
        ("NETCONFA_INPUT", Nla::S32),
        ("NETCONFA_BC_FORWARDING", Nla::S32),
    ],
    all: None,
};

static NSID_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_NSID_ATTRS,
    dflt: "NETNSA_???",
    dec: &[
        ("NETNSA_NSID", Nla::S32),
        ("NETNSA_PID", Nla::U32),
        ("NETNSA_FD", Nla::Fd),
        ("NETNSA_TARGET_NSID", Nla::S32),
        ("NETNSA_CURRENT_NSID", Nla::S32),
    ],
    all: None,
};

static MDB_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_MDB_ATTRS,
    dflt: "MDBA_???",
    dec: &[
        ("MDBA_MDB", Nla::Nested(&MDBA_MDB_ATTRS)),
        ("MDBA_ROUTER", Nla::Nested(&MDBA_ROUTER_ATTRS)),
    ],
    all: None,
};

static MDBA_MDB_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_MDBA_MDB_ATTRS,
    dflt: "MDBA_MDB_???",
    dec: &[("MDBA_MDB_ENTRY", Nla::Nested(&MDBA_MDB_ENTRY_ATTRS))],
    all: None,
};

static MDBA_MDB_ENTRY_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_MDBA_MDB_ENTRY_ATTRS,
    dflt: "MDBA_MDB_ENTRY_???",
    dec: &[("MDBA_MDB_ENTRY_INFO", Nla::Custom(mdb_entry_info))],
    all: None,
};

static MDBA_MDB_EATTR_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_MDBA_MDB_EATTR_ATTRS,
    dflt: "MDBA_MDB_EATTR_???",
    dec: &[("MDBA_MDB_EATTR_TIMER", Nla::ClockT)],
    all: None,
};

static MDBA_ROUTER_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_MDBA_ROUTER_ATTRS,
    dflt: "MDBA_ROUTER_???",
    dec: &[("MDBA_ROUTER_PORT", Nla::Custom(mdba_router_port))],
    all: None,
};

static MDBA_ROUTER_PATTR_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_MDBA_ROUTER_PATTR_ATTRS,
    dflt: "MDBA_ROUTER_PATTR_???",
    dec: &[
        ("MDBA_ROUTER_PATTR_TIMER", Nla::ClockT),
        ("MDBA_ROUTER_PATTR_TYPE", Nla::Custom(mcast_router_type)),
        ("MDBA_ROUTER_PATTR_INET_TIMER", Nla::ClockT),
        ("MDBA_ROUTER_PATTR_INET6_TIMER", Nla::ClockT),
    ],
    all: None,
};

/// decode_multicast_router_type: one byte, whatever the length.
fn mcast_router_type(d: &Dec, out: &mut String, off: u64, _: u64, _: u64) -> Result<bool, Short> {
    if d.umove(out, off, 1) {
        xval(
            out,
            d.u8(off)?.into(),
            &nx::MULTICAST_ROUTER_TYPES,
            "MDB_RTR_TYPE_???",
        );
    }
    Ok(true)
}

fn mdba_router_port(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len < 4 {
        return Ok(false);
    }
    if d.umove(out, off, 4) {
        d.ifindex(out, d.u32(off)?);
    }
    if len > 4 {
        out.push_str(", ");
        decode_nlattr(d, out, off + 4, len - 4, &MDBA_ROUTER_PATTR_ATTRS, 0)?;
    }
    Ok(true)
}

/// struct br_mdb_entry (28 bytes), then MDBA_MDB_EATTR_* attributes (printed even when the
/// entry could not be read, as strace does).
fn mdb_entry_info(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    const SZ: u64 = 28;
    if len < SZ {
        return Ok(false);
    }
    if d.umove(out, off, SZ) {
        out.push_str("{ifindex=");
        d.ifindex(out, d.u32(off)?);
        out.push_str(", state=");
        xval(out, d.u8(off + 4)?.into(), &nx::MDB_STATES, "MDB_???");
        out.push_str(", flags=");
        super::print_flags2(
            out,
            d.u8(off + 5)?.into(),
            &nx::MDB_FLAGS,
            None,
            "MDB_FLAGS_???",
        );
        let _ = std::fmt::Write::write_fmt(out, format_args!(", vid={}, addr={{", d.u16(off + 6)?));
        let proto = u64::from(d.u16(off + 24)?.swap_bytes());
        let u = d.get(off + 8, 16)?;
        super::attr::print_inet(out, proto, u, Some("u"));
        out.push_str(", proto=htons(");
        xval(out, proto, &nx::ADDRESS_FAMILIES, "AF_???");
        out.push_str(")}}");
    }
    if len > SZ {
        out.push_str(", ");
        decode_nlattr(d, out, off + SZ, len - SZ, &MDBA_MDB_EATTR_ATTRS, 0)?;
    }
    Ok(true)
}

/// struct rtvia: `{rtvia_family=AF_INET6, inet_pton(AF_INET6, "..", &rtvia_addr)}`.
fn rtvia(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len < 2 {
        return Ok(false);
    }
    if !d.umove(out, off, 2) {
        return Ok(true);
    }
    let family = d.u16(off)?;
    out.push_str("{rtvia_family=");
    xval(out, family.into(), &nx::ADDRESS_FAMILIES, "AF_???");
    if len > 2 {
        out.push_str(", ");
        inet_addr(d, out, off + 2, len - 2, family.into(), Some("rtvia_addr"))?;
    }
    out.push('}');
    Ok(true)
}

const MFC_STATS: Nla = Nla::Struct(
    24,
    &[
        ("mfcs_packets", 0, 8, Fk::U),
        ("mfcs_bytes", 8, 8, Fk::U),
        ("mfcs_wrong_if", 16, 8, Fk::U),
    ],
);

static NEXTHOP_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_NEXTHOP_ATTRS,
    dflt: "NHA_???",
    dec: &[
        ("NHA_ID", Nla::U32),
        ("NHA_GROUP", Nla::Custom(nh_grp)),
        (
            "NHA_GROUP_TYPE",
            Nla::Xval(&nx::RTNL_NEXTHOP_GRP_TYPES, "NEXTHOP_GRP_TYPE_???", 2),
        ),
        ("NHA_RES_GROUP", Nla::Nested(&NHA_RES_GROUP_ATTRS)),
        ("NHA_RES_BUCKET", Nla::Nested(&NHA_RES_BUCKET_ATTRS)),
        ("NHA_BLACKHOLE", Nla::U32),
        ("NHA_OIF", Nla::Ifindex),
        ("NHA_GATEWAY", Nla::Custom(family_addr)),
        (
            "NHA_ENCAP_TYPE",
            Nla::Val(&nx::LWTUNNEL_ENCAP_TYPES, "LWTUNNEL_ENCAP_???", 2),
        ),
        ("NHA_GROUPS", Nla::U32),
        ("NHA_MASTER", Nla::Ifindex),
        ("NHA_FDB", Nla::U32),
    ],
    all: None,
};

static NEIGHTBL_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_NEIGHTBL_ATTRS,
    dflt: "NDTA_???",
    dec: &[
        ("NDTA_NAME", Nla::Str),
        ("NDTA_THRESH1", Nla::U32),
        ("NDTA_THRESH2", Nla::U32),
        ("NDTA_THRESH3", Nla::U32),
        ("NDTA_PARMS", Nla::Nested(&NDT_PARMS_ATTRS)),
        ("NDTA_CONFIG", NDT_CONFIG),
        ("NDTA_STATS", Nla::Custom(ndt_stats)),
        ("NDTA_GC_INTERVAL", Nla::U64),
    ],
    all: None,
};

static NDT_PARMS_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_NEIGHTBL_PARMS_ATTRS,
    dflt: "NDTPA_???",
    dec: &[
        ("NDTPA_IFINDEX", Nla::Ifindex),
        ("NDTPA_REFCNT", Nla::U32),
        ("NDTPA_REACHABLE_TIME", Nla::U64),
        ("NDTPA_BASE_REACHABLE_TIME", Nla::U64),
        ("NDTPA_RETRANS_TIME", Nla::U64),
        ("NDTPA_GC_STALETIME", Nla::U64),
        ("NDTPA_DELAY_PROBE_TIME", Nla::U64),
        ("NDTPA_QUEUE_LEN", Nla::U32),
        ("NDTPA_APP_PROBES", Nla::U32),
        ("NDTPA_UCAST_PROBES", Nla::U32),
        ("NDTPA_MCAST_PROBES", Nla::U32),
        ("NDTPA_ANYCAST_DELAY", Nla::U64),
        ("NDTPA_PROXY_DELAY", Nla::U64),
        ("NDTPA_PROXY_QLEN", Nla::U32),
        ("NDTPA_LOCKTIME", Nla::U64),
        ("NDTPA_QUEUE_LENBYTES", Nla::U32),
        ("NDTPA_MCAST_REPROBES", Nla::U32),
        ("NDTPA_INTERVAL_PROBE_TIME_MS", Nla::U64),
    ],
    all: None,
};

static TC_ACTION_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_TC_ACTION_ATTRS,
    dflt: "TCA_ACT_???",
    dec: &[
        ("TCA_ACT_KIND", Nla::Str),
        ("TCA_ACT_INDEX", Nla::U32),
        ("TCA_ACT_STATS", Nla::Nested(&TCA_STATS_ATTRS)),
        (
            "TCA_ACT_FLAGS",
            Nla::Flags(&nx::RTNL_TCA_ACT_FLAGS, "TCA_ACT_FLAGS_???", 4),
        ),
        (
            "TCA_ACT_HW_STATS",
            Nla::Flags(&nx::RTNL_TCA_ACT_HW_STATS, "TCA_ACT_HW_STATS_???", 4),
        ),
        (
            "TCA_ACT_USED_HW_STATS",
            Nla::Flags(&nx::RTNL_TCA_ACT_HW_STATS, "TCA_ACT_HW_STATS_???", 4),
        ),
        ("TCA_ACT_IN_HW_COUNT", Nla::U32),
    ],
    all: None,
};

static FDB_EXT_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_NEIGH_FDB_EXT_ATTRS,
    dflt: "NFEA_???",
    dec: &[(
        "NFEA_ACTIVITY_NOTIFY",
        Nla::Flags(&nx::FDB_NOTIFY_FLAGS, "FDB_NOTIFY_???", 1),
    )],
    all: None,
};

/// decode_rta_multipath: struct rtnexthop entries, each with its route attributes.
fn rta_multipath(d: &Dec, out: &mut String, off: u64, len: u64, ctx: u64) -> Result<bool, Short> {
    const NH: u64 = 8;
    if len < NH {
        return Ok(false);
    }
    let (mut cur, mut left) = (off, len);
    let mut is_array = false;
    loop {
        if !d.umove(out, cur, NH) {
            break;
        }
        let nh_len = u64::from(d.u16(cur)?);
        let rtnh_len = left.min(nh_len);
        if cur == off && nh_len < len {
            out.push('[');
            is_array = true;
        }
        if cur > off {
            out.push_str(", ");
        }
        if rtnh_len > NH {
            out.push('[');
        }
        let mut s = String::new();
        super::attr::print_fields(
            d,
            &mut s,
            cur,
            &[
                ("rtnh_len", 0, 2, Fk::U),
                (
                    "rtnh_flags",
                    2,
                    1,
                    Fk::Flags(&nx::ROUTE_NEXTHOP_FLAGS, "RTNH_F_???"),
                ),
                ("rtnh_hops", 3, 1, Fk::U),
                ("rtnh_ifindex", 4, 4, Fk::Ifindex),
            ],
            0,
        )?;
        out.push('{');
        out.push_str(s.trim_start_matches(", "));
        out.push('}');
        if rtnh_len > NH {
            out.push_str(", ");
            decode_nlattr(d, out, cur + NH, rtnh_len - NH, &ROUTE_ATTRS, ctx)?;
            out.push(']');
        }
        let aligned = (rtnh_len + 3) & !3;
        // strace would loop for ever on a zero length; stop instead.
        if aligned >= left || aligned == 0 {
            break;
        }
        cur += aligned;
        left -= aligned;
    }
    if is_array {
        out.push(']');
    }
    Ok(true)
}

const TC_STATS: Nla = Nla::Struct(
    36,
    &[
        ("bytes", 0, 8, Fk::U),
        ("packets", 8, 4, Fk::U),
        ("drops", 12, 4, Fk::U),
        ("overlimits", 16, 4, Fk::U),
        ("bps", 20, 4, Fk::U),
        ("pps", 24, 4, Fk::U),
        ("qlen", 28, 4, Fk::U),
        ("backlog", 32, 4, Fk::U),
    ],
);

const TC_ESTIMATOR: Nla = Nla::Struct(2, &[("interval", 0, 1, Fk::D), ("ewma_log", 1, 1, Fk::U)]);

const GNET_BASIC: Nla = Nla::Struct(12, &[("bytes", 0, 8, Fk::U), ("packets", 8, 4, Fk::U)]);

const GNET_RATE_EST: Nla = Nla::Struct(8, &[("bps", 0, 4, Fk::U), ("pps", 4, 4, Fk::U)]);

const GNET_RATE_EST64: Nla = Nla::Struct(16, &[("bps", 0, 8, Fk::U), ("pps", 8, 8, Fk::U)]);

const GNET_QUEUE: Nla = Nla::Struct(
    20,
    &[
        ("qlen", 0, 4, Fk::U),
        ("backlog", 4, 4, Fk::U),
        ("drops", 8, 4, Fk::U),
        ("requeues", 12, 4, Fk::U),
        ("overlimits", 16, 4, Fk::U),
    ],
);

static TCA_STATS_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_TCA_STATS_ATTRS,
    dflt: "TCA_STATS_???",
    dec: &[
        ("TCA_STATS_BASIC", GNET_BASIC),
        ("TCA_STATS_RATE_EST", GNET_RATE_EST),
        ("TCA_STATS_QUEUE", GNET_QUEUE),
        ("TCA_STATS_RATE_EST64", GNET_RATE_EST64),
        ("TCA_STATS_BASIC_HW", GNET_BASIC),
        ("TCA_STATS_PKT64", Nla::U64),
    ],
    all: None,
};

const TC_SIZESPEC: Nla = Nla::Struct(
    24,
    &[
        ("cell_log", 0, 1, Fk::U),
        ("size_log", 1, 1, Fk::U),
        ("cell_align", 2, 2, Fk::D),
        ("overhead", 4, 4, Fk::D),
        ("linklayer", 8, 4, Fk::U),
        ("mpu", 12, 4, Fk::U),
        ("mtu", 16, 4, Fk::U),
        ("tsize", 20, 4, Fk::U),
    ],
);

fn stab_data(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    if len / 2 == 0 {
        return Ok(false);
    }
    super::attr::array(d, out, off, len / 2 * 2, 2, |d, out, o| {
        out.push_str(&d.u16(o)?.to_string());
        Ok(())
    })?;
    Ok(true)
}

static TCA_STAB_ATTRS: Attrs = Attrs {
    table: &nx::RTNL_TCA_STAB_ATTRS,
    dflt: "TCA_STAB_???",
    dec: &[
        ("TCA_STAB_BASE", TC_SIZESPEC),
        ("TCA_STAB_DATA", Nla::Custom(stab_data)),
    ],
    all: None,
};

const NDT_CONFIG: Nla = Nla::Struct(
    32,
    &[
        ("ndtc_key_len", 0, 2, Fk::U),
        ("ndtc_entry_size", 2, 2, Fk::U),
        ("ndtc_entries", 4, 4, Fk::U),
        ("ndtc_last_flush", 8, 4, Fk::U),
        ("ndtc_last_rand", 12, 4, Fk::U),
        ("ndtc_hash_rnd", 16, 4, Fk::U),
        ("ndtc_hash_mask", 20, 4, Fk::X0),
        ("ndtc_hash_chain_gc", 24, 4, Fk::U),
        ("ndtc_proxy_qlen", 28, 4, Fk::U),
    ],
);

fn ndt_stats(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    const NAMES: [&str; 11] = [
        "ndts_allocs",
        "ndts_destroys",
        "ndts_hash_grows",
        "ndts_res_failed",
        "ndts_lookups",
        "ndts_hits",
        "ndts_rcv_probes_mcast",
        "ndts_rcv_probes_ucast",
        "ndts_periodic_gc_runs",
        "ndts_forced_gc_runs",
        "ndts_table_fulls",
    ];
    let n = if len >= 88 {
        11
    } else if len == 80 {
        10
    } else {
        return Ok(false);
    };
    if !d.umove(out, off, n * 8) {
        return Ok(true);
    }
    out.push('{');
    for (i, name) in NAMES.iter().take(n as usize).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(name);
        out.push('=');
        out.push_str(&d.u64(off + 8 * i as u64)?.to_string());
    }
    out.push('}');
    Ok(true)
}
