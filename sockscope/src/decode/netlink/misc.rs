//! The smaller netlink protocols as strace 6.1 prints them: NETLINK_NETFILTER (types split in
//! subsystem and message, nfgenmsg, untyped attributes), NETLINK_SELINUX, NETLINK_CRYPTO,
//! NETLINK_XFRM (types and flags only: strace 6.1 has no payload decoder), NETLINK_AUDIT
//! (types only), NETLINK_KOBJECT_UEVENT (udev's monitor header).

use super::attr::{Attrs, Fk, Nla, decode_nlattr, print_fields};
use super::{Dec, Hdr, R, Short, xname, xval};
use crate::decode::xlat as nx;
use crate::decode::xlat::Xlat;
use std::fmt::Write;

const NFNL_SUBSYS_NFTABLES: u8 = 10;

/// The message-type table and its unknown comment per netfilter subsystem id.
fn nf_subsys_types(subsys: u8) -> Option<(&'static Xlat, &'static str)> {
    Some(match subsys {
        1 => (&nx::NF_CTNETLINK_MSG_TYPES, "IPCTNL_MSG_CT_???"),
        2 => (&nx::NF_CTNETLINK_EXP_MSG_TYPES, "IPCTNL_MSG_EXP_???"),
        3 => (&nx::NF_QUEUE_MSG_TYPES, "NFQNL_MSG_???"),
        4 => (&nx::NF_ULOG_MSG_TYPES, "NFULNL_MSG_???"),
        5 => (&nx::NF_OSF_MSG_TYPES, "OSF_MSG_???"),
        6 => (&nx::NF_IPSET_MSG_TYPES, "IPSET_CMD_???"),
        7 => (&nx::NF_ACCT_MSG_TYPES, "NFNL_MSG_ACCT_???"),
        8 => (&nx::NF_CTTIMEOUT_MSG_TYPES, "IPCTNL_MSG_TIMEOUT_???"),
        9 => (&nx::NF_CTHELPER_MSG_TYPES, "NFNL_MSG_CTHELPER_???"),
        10 => (&nx::NF_NFTABLES_MSG_TYPES, "NFT_MSG_???"),
        11 => (&nx::NF_NFT_COMPAT_MSG_TYPES, "NFNL_MSG_COMPAT_???"),
        12 => (&nx::NF_HOOK_MSG_TYPES, "NFT_MSG_HOOK_???"),
        _ => return None,
    })
}

/// decode_nlmsg_type_netfilter: `NFNL_SUBSYS_CTNETLINK<<8|IPCTNL_MSG_CT_NEW`.
pub(crate) fn netfilter_type(out: &mut String, ty: u16) {
    if let Some(name) = xname(&nx::NL_NETFILTER_MSG_TYPES, ty.into()) {
        super::attr::xlat_ex(out, ty.into(), name);
        return;
    }
    let subsys = (ty >> 8) as u8;
    let msg = ty as u8;
    xval(
        out,
        subsys.into(),
        &nx::NL_NETFILTER_SUBSYS_IDS,
        "NFNL_SUBSYS_???",
    );
    out.push_str("<<8|");
    match nf_subsys_types(subsys) {
        Some((x, dflt)) => xval(out, msg.into(), x, dflt),
        None => {
            let _ = write!(out, "{msg:#x}");
        }
    }
}

/// Which of the new/get/delete flag tables a message name takes (the lists strace's
/// decode_nlmsg_flags_* switch over).
fn kind_flags(name: &str, new: &[&str], get: &[&str], del: &[&str]) -> Option<&'static Xlat> {
    if new.contains(&name) {
        Some(&nx::NETLINK_NEW_FLAGS)
    } else if get.contains(&name) {
        Some(&nx::NETLINK_GET_FLAGS)
    } else if del.contains(&name) {
        Some(&nx::NETLINK_DELETE_FLAGS)
    } else {
        None
    }
}

/// decode_nlmsg_flags_netfilter.
pub(crate) fn netfilter_flags(ty: u16) -> Option<&'static Xlat> {
    let subsys = (ty >> 8) as u8;
    let (x, _) = nf_subsys_types(subsys)?;
    let name = xname(x, (ty & 0xff).into())?;
    match subsys {
        1 => kind_flags(
            name,
            &["IPCTNL_MSG_CT_NEW"],
            &[
                "IPCTNL_MSG_CT_GET",
                "IPCTNL_MSG_CT_GET_CTRZERO",
                "IPCTNL_MSG_CT_GET_STATS_CPU",
                "IPCTNL_MSG_CT_GET_STATS",
                "IPCTNL_MSG_CT_GET_DYING",
                "IPCTNL_MSG_CT_GET_UNCONFIRMED",
            ],
            &["IPCTNL_MSG_CT_DELETE"],
        ),
        2 => kind_flags(
            name,
            &["IPCTNL_MSG_EXP_NEW"],
            &["IPCTNL_MSG_EXP_GET", "IPCTNL_MSG_EXP_GET_STATS_CPU"],
            &["IPCTNL_MSG_EXP_DELETE"],
        ),
        7 => kind_flags(
            name,
            &["NFNL_MSG_ACCT_NEW"],
            &["NFNL_MSG_ACCT_GET", "NFNL_MSG_ACCT_GET_CTRZERO"],
            &["NFNL_MSG_ACCT_DEL"],
        ),
        8 => kind_flags(
            name,
            &["IPCTNL_MSG_TIMEOUT_NEW"],
            &["IPCTNL_MSG_TIMEOUT_GET"],
            &["IPCTNL_MSG_TIMEOUT_DELETE"],
        ),
        9 => kind_flags(
            name,
            &["NFNL_MSG_CTHELPER_NEW"],
            &["NFNL_MSG_CTHELPER_GET"],
            &["NFNL_MSG_CTHELPER_DEL"],
        ),
        10 => kind_flags(
            name,
            &[
                "NFT_MSG_NEWTABLE",
                "NFT_MSG_NEWCHAIN",
                "NFT_MSG_NEWRULE",
                "NFT_MSG_NEWSET",
                "NFT_MSG_NEWSETELEM",
                "NFT_MSG_NEWGEN",
                "NFT_MSG_NEWOBJ",
                "NFT_MSG_NEWFLOWTABLE",
            ],
            &[
                "NFT_MSG_GETTABLE",
                "NFT_MSG_GETCHAIN",
                "NFT_MSG_GETRULE",
                "NFT_MSG_GETSET",
                "NFT_MSG_GETSETELEM",
                "NFT_MSG_GETGEN",
                "NFT_MSG_GETOBJ",
                "NFT_MSG_GETOBJ_RESET",
                "NFT_MSG_GETFLOWTABLE",
            ],
            &[
                "NFT_MSG_DELTABLE",
                "NFT_MSG_DELCHAIN",
                "NFT_MSG_DELRULE",
                "NFT_MSG_DELSET",
                "NFT_MSG_DELSETELEM",
                "NFT_MSG_DELOBJ",
                "NFT_MSG_DELFLOWTABLE",
            ],
        ),
        11 => kind_flags(name, &[], &["NFNL_MSG_COMPAT_GET"], &[]),
        12 => kind_flags(name, &[], &["NFNL_MSG_HOOK_GET"], &[]),
        _ => None,
    }
}

/// decode_nlmsg_flags_crypto.
pub(crate) fn crypto_flags(ty: u16) -> Option<&'static Xlat> {
    kind_flags(
        xname(&nx::NL_CRYPTO_TYPES, ty.into())?,
        &["CRYPTO_MSG_NEWALG"],
        &["CRYPTO_MSG_GETALG"],
        &["CRYPTO_MSG_DELALG", "CRYPTO_MSG_DELRNG"],
    )
}

/// decode_nlmsg_flags_xfrm.
pub(crate) fn xfrm_flags(ty: u16) -> Option<&'static Xlat> {
    kind_flags(
        xname(&nx::NL_XFRM_TYPES, ty.into())?,
        &[
            "XFRM_MSG_NEWSA",
            "XFRM_MSG_NEWPOLICY",
            "XFRM_MSG_NEWAE",
            "XFRM_MSG_NEWSADINFO",
            "XFRM_MSG_NEWSPDINFO",
        ],
        &[
            "XFRM_MSG_GETSA",
            "XFRM_MSG_GETPOLICY",
            "XFRM_MSG_GETAE",
            "XFRM_MSG_GETSADINFO",
            "XFRM_MSG_GETSPDINFO",
        ],
        &["XFRM_MSG_DELSA", "XFRM_MSG_DELPOLICY"],
    )
}

/// Netfilter attributes: strace prints their types as numbers and their payloads in hex.
static NF_ATTRS: Attrs = Attrs {
    table: &NO_NAMES,
    dflt: "",
    dec: &[],
    all: None,
};
static NO_NAMES: Xlat = Xlat {
    kind: crate::decode::xlat::XlatKind::Values,
    entries: &[],
    unknown: "",
};

/// decode_netlink_netfilter: `{nfgen_family=.., version=.., res_id=htons(..)}`, attributes.
pub(crate) fn netfilter(
    d: &Dec,
    out: &mut String,
    h: &Hdr,
    off: u64,
    len: u64,
) -> Result<bool, Short> {
    if h.ty == super::NLMSG_DONE {
        return Ok(false);
    }
    if len < 4 {
        d.hex_str(out, off, len)?;
        return Ok(true);
    }
    if !d.umove(out, off, 4) {
        return Ok(true);
    }
    let family = d.u8(off)?;
    let version = d.u8(off + 1)?;
    let raw = d.u16(off + 2)?;
    let res_id = raw.swap_bytes();
    let subsys = (h.ty >> 8) as u8;
    out.push_str("{nfgen_family=");
    xval(out, family.into(), &nx::ADDRESS_FAMILIES, "AF_???");
    out.push_str(", version=");
    xval(
        out,
        version.into(),
        &nx::NETFILTER_VERSIONS,
        "NFNETLINK_???",
    );
    out.push_str(", res_id=");
    if subsys == NFNL_SUBSYS_NFTABLES && res_id == u16::from(NFNL_SUBSYS_NFTABLES) {
        out.push_str("htons(NFNL_SUBSYS_NFTABLES)");
    } else if subsys == NFNL_SUBSYS_NFTABLES && raw == u16::from(NFNL_SUBSYS_NFTABLES) {
        out.push_str("NFNL_SUBSYS_NFTABLES");
    } else {
        let _ = write!(out, "htons({res_id})");
    }
    out.push('}');
    if len > 4 {
        out.push_str(", ");
        if (16..=17).contains(&h.ty) || h.ty < 16 {
            d.hex_str(out, off + 4, len - 4)?;
        } else {
            decode_nlattr(d, out, off + 4, len - 4, &NF_ATTRS, 0)?;
        }
    }
    Ok(true)
}

/// decode_netlink_selinux.
pub(crate) fn selinux(
    d: &Dec,
    out: &mut String,
    h: &Hdr,
    off: u64,
    len: u64,
) -> Result<bool, Short> {
    let field = match xname(&nx::NL_SELINUX_TYPES, h.ty.into()) {
        Some("SELNL_MSG_SETENFORCE") => ("val", true),
        Some("SELNL_MSG_POLICYLOAD") => ("seqno", false),
        _ => return Ok(false),
    };
    if len < 4 {
        d.hex_str(out, off, len)?;
    } else if d.umove(out, off, 4) {
        let v = d.u32(off)?;
        if field.1 {
            let _ = write!(out, "{{{}={}}}", field.0, v as i32);
        } else {
            let _ = write!(out, "{{{}={v}}}", field.0);
        }
    }
    Ok(true)
}

/// decode_netlink_crypto: struct crypto_user_alg and its attributes.
pub(crate) fn crypto(
    d: &Dec,
    out: &mut String,
    h: &Hdr,
    off: u64,
    len: u64,
) -> Result<bool, Short> {
    match xname(&nx::NL_CRYPTO_TYPES, h.ty.into()) {
        Some(
            "CRYPTO_MSG_NEWALG"
            | "CRYPTO_MSG_DELALG"
            | "CRYPTO_MSG_UPDATEALG"
            | "CRYPTO_MSG_GETALG",
        ) => {}
        _ => return Ok(false),
    }
    const SIZE: u64 = 208;
    if len < SIZE {
        d.strn(out, off, len)?;
        return Ok(true);
    }
    if !d.umove(out, off, SIZE) {
        return Ok(true);
    }
    out.push('{');
    for (i, name) in ["cru_name", "cru_driver_name", "cru_module_name"]
        .iter()
        .enumerate()
    {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(name);
        out.push('=');
        let b = d.get(off + 64 * i as u64, 64)?;
        crate::decode::strfmt::quote_cstr_array(out, b, &d.style);
    }
    print_fields(
        d,
        out,
        off,
        &[
            ("cru_type", 192, 4, Fk::X),
            ("cru_mask", 196, 4, Fk::X),
            ("cru_refcnt", 200, 4, Fk::U),
            ("cru_flags", 204, 4, Fk::X),
        ],
        0,
    )?;
    out.push('}');
    if len > SIZE {
        out.push_str(", ");
        decode_nlattr(d, out, off + SIZE, len - SIZE, &CRYPTO_ATTRS, 0)?;
    }
    Ok(true)
}

static CRYPTO_ATTRS: Attrs = Attrs {
    table: &nx::CRYPTO_NL_ATTRS,
    dflt: "CRYPTOCFGA_???",
    dec: &[
        ("CRYPTOCFGA_PRIORITY_VAL", Nla::U32),
        ("CRYPTOCFGA_REPORT_LARVAL", Nla::Custom(report_generic)),
        ("CRYPTOCFGA_REPORT_HASH", Nla::Custom(report_hash)),
        ("CRYPTOCFGA_REPORT_BLKCIPHER", Nla::Custom(report_blkcipher)),
        ("CRYPTOCFGA_REPORT_AEAD", Nla::Custom(report_aead)),
        ("CRYPTOCFGA_REPORT_COMPRESS", Nla::Custom(report_generic)),
        ("CRYPTOCFGA_REPORT_RNG", Nla::Custom(report_rng)),
        ("CRYPTOCFGA_REPORT_CIPHER", Nla::Custom(report_cipher)),
        ("CRYPTOCFGA_REPORT_AKCIPHER", Nla::Custom(report_generic)),
        ("CRYPTOCFGA_REPORT_KPP", Nla::Custom(report_generic)),
        ("CRYPTOCFGA_REPORT_ACOMP", Nla::Custom(report_generic)),
    ],
    all: None,
};

fn report_generic(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    out.push_str("{type=");
    super::route_link::cstr(d, out, off, len)?;
    out.push('}');
    Ok(true)
}

/// A crypto_report_* structure: `strings` char[64] fields, then u32 fields; shorter payloads
/// are printed as a string (printstrn), as strace does.
fn report(
    d: &Dec,
    out: &mut String,
    off: u64,
    len: u64,
    strings: &[&str],
    ints: &[&str],
) -> Result<bool, Short> {
    let size = 64 * strings.len() as u64 + 4 * ints.len() as u64;
    if len < size {
        d.strn(out, off, len)?;
        return Ok(true);
    }
    if !d.umove(out, off, size) {
        return Ok(true);
    }
    out.push('{');
    let mut o = off;
    let mut first = true;
    for name in strings {
        if !first {
            out.push_str(", ");
        }
        first = false;
        out.push_str(name);
        out.push('=');
        crate::decode::strfmt::quote_cstr_array(out, d.get(o, 64)?, &d.style);
        o += 64;
    }
    for name in ints {
        let _ = write!(out, ", {name}={}", d.u32(o)?);
        o += 4;
    }
    out.push('}');
    Ok(true)
}

fn report_hash(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    report(d, out, off, len, &["type"], &["blocksize", "digestsize"])
}

fn report_blkcipher(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    report(
        d,
        out,
        off,
        len,
        &["type", "geniv"],
        &["blocksize", "min_keysize", "max_keysize", "ivsize"],
    )
}

fn report_aead(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    report(
        d,
        out,
        off,
        len,
        &["type", "geniv"],
        &["blocksize", "maxauthsize", "ivsize"],
    )
}

fn report_rng(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    report(d, out, off, len, &["type"], &["seedsize"])
}

fn report_cipher(d: &Dec, out: &mut String, off: u64, len: u64, _: u64) -> Result<bool, Short> {
    report(
        d,
        out,
        off,
        len,
        &["type"],
        &["blocksize", "min_keysize", "max_keysize"],
    )
}

/// decode_netlink_kobject_uevent: udev's `libudev` monitor header then the properties, or the
/// plain string (kernel uevents).
pub(crate) fn kobject_uevent(d: &Dec, out: &mut String, off: u64, len: u64) -> R {
    const HDR: u64 = 40;
    let hdr = if len >= HDR && !d.faults(off, HDR) {
        Some(d.get(off, HDR).map_err(|_| Short)?)
    } else {
        None
    };
    let is_udev = hdr.is_some_and(|b| b[..8] == *b"libudev\0");
    if !is_udev {
        return d.strn(out, off, len);
    }
    if len > HDR {
        out.push('[');
    }
    out.push_str("{prefix=\"libudev\"");
    let be = |o: u64| -> Result<u32, Short> { Ok(d.u32(off + o)?.swap_bytes()) };
    let _ = write!(out, ", magic=htonl({})", super::attr::c_hex(be(8)?.into()));
    let _ = write!(
        out,
        ", header_size={}, properties_off={}, properties_len={}",
        d.u32(off + 12)?,
        d.u32(off + 16)?,
        d.u32(off + 20)?
    );
    for (name, o) in [
        ("filter_subsystem_hash", 24),
        ("filter_devtype_hash", 28),
        ("filter_tag_bloom_hi", 32),
        ("filter_tag_bloom_lo", 36),
    ] {
        let _ = write!(out, ", {name}=htonl({})", super::attr::c_hex(be(o)?.into()));
    }
    out.push('}');
    if len > HDR {
        out.push_str(", ");
        d.strn(out, off + HDR, len - HDR)?;
        out.push(']');
    }
    Ok(())
}
