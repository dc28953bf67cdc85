//! The typed model of one `--json` line: serde serializes it (into the reused output buffer,
//! no intermediate `Value` tree) and schemars derives the JSON Schema from the same types
//! (`sockscope schema`, committed as `sockscope/schema/event.schema.json`).
//!
//! The models borrow from the record (payload bytes, names) and are built per event by the
//! decoders (`decode::payload`, `decode::sockaddr`, `decode::msghdr`, `decode::cmsg`,
//! `decode::data`, `decode::sockinfo`). Key order is the order of the fields: the envelope
//! and payloads in Tracee's order, the nested structures in the byte order of their keys (as
//! the earlier `serde_json::Map` trees wrote them).
//!
//! Conventions: camelCase keys (Tracee's SockAddr map keeps its C field names), `null` for
//! every NULL pointer ([`Ptr`]), numbers as numbers except in the SockAddr map (Tracee's own
//! type there is a string map), captured bytes as exact hex ([`Payload`]).

use std::borrow::Cow;
use std::fmt::{self, Display, Write as _};

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Serialize, Serializer};

// ---------------------------------------------------------------------------------------------
// Leaf values

/// A user pointer: `null` for NULL (in every position), else the address.
#[derive(Clone, Copy, Debug)]
pub struct Ptr(pub u64);

impl Serialize for Ptr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 == 0 {
            s.serialize_none()
        } else {
            s.serialize_u64(self.0)
        }
    }
}

impl JsonSchema for Ptr {
    fn schema_name() -> Cow<'static, str> {
        "ptr".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "a user address; null for NULL, in every position",
            "oneOf": [{"type": "null"}, {"type": "integer", "minimum": 1}]
        })
    }
}

/// Bytes as lower-case hex, written straight into the output (no string per payload).
#[derive(Clone, Copy, Debug)]
pub struct Hex<'a>(pub &'a [u8]);

/// `data` as lower-case hex digits in `buf` (two bytes of room per byte of `data`).
fn hex_digits<'b>(data: &[u8], buf: &'b mut [u8]) -> &'b str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, &b) in data.iter().enumerate() {
        buf[2 * i] = DIGITS[(b >> 4) as usize];
        buf[2 * i + 1] = DIGITS[(b & 15) as usize];
    }
    // SAFETY: only ASCII hex digits were written.
    unsafe { std::str::from_utf8_unchecked(&buf[..2 * data.len()]) }
}

impl Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let mut buf = [0u8; 128];
        for chunk in self.0.chunks(64) {
            f.write_str(hex_digits(chunk, &mut buf))?;
        }
        Ok(())
    }
}

impl Serialize for Hex<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Hex digits need no escaping: the JSON writer copies them as they are.
        struct Digits<'h, 'a>(&'h Hex<'a>);
        impl Serialize for Digits<'_, '_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                // A payload of up to 256 bytes (the default -s and then some) in one string,
                // without the formatter; longer ones through Display.
                let data = self.0.0;
                if data.len() > 256 {
                    return s.collect_str(self.0);
                }
                s.serialize_str(hex_digits(data, &mut [0u8; 512]))
            }
        }
        s.serialize_newtype_struct(super::writer::RAW, &Digits(self))
    }
}

impl JsonSchema for Hex<'_> {
    fn schema_name() -> Cow<'static, str> {
        "hex".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "bytes in lower-case hex, two digits a byte",
            "type": "string",
            "pattern": "^([0-9a-f]{2})*$"
        })
    }
}

/// A value written with its `Display` as a JSON string (the SockAddr map's numbers and
/// addresses, names that may be numbers).
#[derive(Clone, Copy, Debug)]
pub struct Str<T>(pub T);

impl<T: StrValue> Serialize for Str<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_str(s)
    }
}

/// A value [`Str`] writes as a JSON string: numbers, addresses and names straight from a stack
/// buffer or a table (`serialize_str`), the rest through their `Display` (`collect_str`). A
/// `Display` through the formatter cost ~500 instructions per value, a quarter of a sendto
/// event's JSON (its port, address, family and process name: callgrind on
/// examples/render_cost).
pub trait StrValue {
    fn serialize_str<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
}

macro_rules! str_int {
    ($($t:ty),*) => {$(
        impl StrValue for $t {
            fn serialize_str<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(itoa::Buffer::new().format(*self))
            }
        }
    )*};
}
str_int!(u8, u16, u32);

impl StrValue for std::net::Ipv4Addr {
    fn serialize_str<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(crate::decode::sockaddr::ntop4_str(
            &self.octets(),
            &mut [0; 15],
        ))
    }
}

impl StrValue for AfName {
    fn serialize_str<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match crate::decode::xlat::xlat_lookup(
            &crate::decode::xlat::ADDRESS_FAMILIES,
            self.0.into(),
        ) {
            Some(n) => s.serialize_str(n),
            None => self.0.serialize_str(s),
        }
    }
}

impl StrValue for Lossy<'_> {
    fn serialize_str<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(self.0) {
            Ok(text) => s.serialize_str(text),
            Err(_) => s.collect_str(self),
        }
    }
}

impl StrValue for Mac<'_> {
    fn serialize_str<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl StrValue for UnixPath<'_> {
    fn serialize_str<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<T> JsonSchema for Str<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "string".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

/// Bytes as a string, U+FFFD for what is not UTF-8 (as `String::from_utf8_lossy`).
#[derive(Clone, Copy, Debug)]
pub struct Lossy<'a>(pub &'a [u8]);

impl Display for Lossy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_char(char::REPLACEMENT_CHARACTER)?;
            }
        }
        Ok(())
    }
}

/// A name from a constant table, or the number when the table has none.
#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum NameOrNumber {
    Name(&'static str),
    Number(u64),
}

// ---------------------------------------------------------------------------------------------
// Payloads: the one encoding of captured bytes

/// Captured user bytes (send/receive buffers, iovec data): exact hex with how many bytes were
/// captured of how many, `{"error":"EFAULT","length":N}` when the read faulted, null when
/// nothing was captured (a NULL pointer, or not read).
#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "payload")]
pub enum Payload<'a> {
    Null,
    Hex(HexPayload<'a>),
    Fault(FaultPayload),
}

#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
pub enum Encoding {
    #[serde(rename = "hex")]
    Hex,
}

#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
pub enum FaultName {
    #[allow(clippy::upper_case_acronyms)]
    EFAULT,
}

#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HexPayload<'a> {
    pub encoding: Encoding,
    pub data: Hex<'a>,
    pub captured: usize,
    pub length: u64,
    pub truncated: bool,
}

#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultPayload {
    pub error: FaultName,
    pub length: u64,
}

/// One iovec: `{"base", "len", "payload"}` (payload null for a NULL base or when only the
/// addresses are shown).
#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "iovec")]
pub struct Iovec<'a> {
    pub base: Ptr,
    pub len: u64,
    pub payload: Payload<'a>,
}

// ---------------------------------------------------------------------------------------------
// Socket addresses: Tracee's SockAddr map

/// `sa_family`: the AF_* name, or the decimal number for an unknown family.
#[derive(Clone, Copy, Debug)]
pub struct AfName(pub u16);

impl Display for AfName {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match crate::decode::xlat::xlat_lookup(
            &crate::decode::xlat::ADDRESS_FAMILIES,
            self.0.into(),
        ) {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0),
        }
    }
}

/// A link-layer address as `00:11:22:..`.
#[derive(Clone, Copy, Debug)]
pub struct Mac<'a>(pub &'a [u8]);

impl Display for Mac<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_char(':')?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// A sun_path: the name up to the first NUL, `@name` for an abstract one, U+FFFD for bytes
/// that are not UTF-8.
#[derive(Clone, Copy, Debug)]
pub struct UnixPath<'a> {
    pub abstract_: bool,
    pub name: &'a [u8],
}

impl Display for UnixPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.abstract_ {
            f.write_char('@')?;
        }
        Lossy(self.name).fmt(f)
    }
}

type OptStr<T> = Option<Str<T>>;

/// Tracee's SockAddr map: string values keyed by the C field names (Tracee's own type), one
/// shape per family; a field whose bytes are missing is left out; `{}` for fewer than two
/// bytes. See `decode::sockaddr::sockaddr_model`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
#[schemars(rename = "sockaddr")]
pub enum SockAddrMap<'a> {
    Unix {
        sa_family: Str<AfName>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<UnixPath<'a>>")]
        sun_path: OptStr<UnixPath<'a>>,
    },
    Inet {
        sa_family: Str<AfName>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<std::net::Ipv4Addr>")]
        sin_addr: OptStr<std::net::Ipv4Addr>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u16>")]
        sin_port: OptStr<u16>,
    },
    Inet6 {
        sa_family: Str<AfName>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "String")]
        sin6_addr: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u32>")]
        sin6_flowinfo: OptStr<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u16>")]
        sin6_port: OptStr<u16>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u32>")]
        sin6_scopeid: OptStr<u32>,
    },
    Netlink {
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u32>")]
        nl_groups: OptStr<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u32>")]
        nl_pid: OptStr<u32>,
        sa_family: Str<AfName>,
    },
    Packet {
        sa_family: Str<AfName>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<Mac<'a>>")]
        sll_addr: OptStr<Mac<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u8>")]
        sll_halen: OptStr<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u16>")]
        sll_hatype: OptStr<u16>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u32>")]
        sll_ifindex: OptStr<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u8>")]
        sll_pkttype: OptStr<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u16>")]
        sll_protocol: OptStr<u16>,
    },
    Vsock {
        sa_family: Str<AfName>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u32>")]
        svm_cid: OptStr<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u8>")]
        svm_flags: OptStr<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(with = "Str<u32>")]
        svm_port: OptStr<u32>,
    },
    Other {
        sa_data: Hex<'a>,
        sa_family: Str<AfName>,
    },
    Empty {},
}

// ---------------------------------------------------------------------------------------------
// msghdr / mmsghdr / timeout

/// A list of flag names, the unknown rest as `"0x.."` last.
#[derive(Clone, Debug)]
pub struct FlagList {
    pub names: Vec<&'static str>,
    pub rest: u64,
}

impl Serialize for FlagList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.names.len() + (self.rest != 0) as usize))?;
        for n in &self.names {
            seq.serialize_element(n)?;
        }
        if self.rest != 0 {
            seq.serialize_element(&format_args!("{:#x}", self.rest).to_string())?;
        }
        seq.end()
    }
}

impl JsonSchema for FlagList {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "flagList".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "array", "items": {"type": "string"}})
    }
}

/// A msghdr as the call left it; `{"ptr"}` alone when it could not be read, `{"namelenIn",
/// "ptr"}` for a failed receive. See `decode::msghdr::sendmsg_model`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
#[schemars(rename = "msghdr")]
pub enum MsghdrModel<'a> {
    Full(Box<MsghdrFull<'a>>),
    Failed {
        #[serde(rename = "namelenIn")]
        namelen_in: i32,
        ptr: Ptr,
    },
    Unread {
        ptr: Ptr,
    },
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MsghdrFull<'a> {
    /// The control messages; null without control (or when it cannot be decoded).
    pub control: Option<Control<'a>>,
    pub control_ptr: Ptr,
    pub controllen: u64,
    /// Bytes received (receive calls).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub data_size: Option<u64>,
    pub flags: FlagList,
    pub flags_raw: u32,
    /// null for a NULL or unreadable iovec array.
    pub iov: Option<Vec<Iovec<'a>>>,
    pub iov_ptr: Ptr,
    pub iovlen: u64,
    pub name: Option<SockAddrMap<'a>>,
    pub name_ptr: Ptr,
    pub namelen: i32,
    /// The caller's namelen (receive calls).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "i32")]
    pub namelen_in: Option<i32>,
    pub ptr: Ptr,
}

/// One mmsghdr: the msghdr and, for the entries sent/received, msg_len.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mmsghdr<'a> {
    pub msg_hdr: MsghdrModel<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32")]
    pub msg_len: Option<u32>,
}

#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(rename = "timespec")]
pub struct Timespec {
    pub tv_nsec: u64,
    pub tv_sec: i64,
}

/// recvmmsg's timeout: as given and as left.
#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Timeout {
    #[serde(rename = "in")]
    pub at_entry: Option<Timespec>,
    pub left: Option<Timespec>,
    pub ptr: Ptr,
}

// ---------------------------------------------------------------------------------------------
// Control messages

/// The control messages of a msghdr and whether they were cut.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Control<'a> {
    pub cmsgs: Vec<Cmsg<'a>>,
    pub truncated: bool,
}

/// One control message: its header, the names of its level and type (null when unknown),
/// and its data under a key that says how it was decoded (`dataHex` when it was not).
#[derive(Clone, Debug)]
pub struct Cmsg<'a> {
    pub len: u64,
    pub level: i32,
    pub level_name: Option<&'static str>,
    pub ctype: i32,
    pub type_name: Option<&'static str>,
    pub data: CmsgData<'a>,
}

/// The decoded data of one cmsg.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CmsgData<'a> {
    Bytes(&'a [u8]),
    Creds(Creds),
    DataHex(Hex<'a>),
    Fds(Vec<i32>),
    Pidfd(i32),
    Pktinfo(Pktinfo),
    Recverr(Recverr<'a>),
    Security(Str<Lossy<'a>>),
    Sockaddr(SockAddrMap<'a>),
    Timestamp(CmsgTime),
    Timestamps([CmsgTime; 3]),
    Values(Ints),
}

impl CmsgData<'_> {
    /// The data key (the serde variant name), to write the cmsg's keys in byte order.
    fn key(&self) -> &'static str {
        match self {
            CmsgData::Bytes(_) => "bytes",
            CmsgData::Creds(_) => "creds",
            CmsgData::DataHex(_) => "dataHex",
            CmsgData::Fds(_) => "fds",
            CmsgData::Pidfd(_) => "pidfd",
            CmsgData::Pktinfo(_) => "pktinfo",
            CmsgData::Recverr(_) => "recverr",
            CmsgData::Security(_) => "security",
            CmsgData::Sockaddr(_) => "sockaddr",
            CmsgData::Timestamp(_) => "timestamp",
            CmsgData::Timestamps(_) => "timestamps",
            CmsgData::Values(_) => "values",
        }
    }

    fn value<S: serde::ser::SerializeMap>(&self, m: &mut S) -> Result<(), S::Error> {
        match self {
            CmsgData::Bytes(b) => m.serialize_value(b),
            CmsgData::Creds(v) => m.serialize_value(v),
            CmsgData::DataHex(v) => m.serialize_value(v),
            CmsgData::Fds(v) => m.serialize_value(v),
            CmsgData::Pidfd(v) => m.serialize_value(v),
            CmsgData::Pktinfo(v) => m.serialize_value(v),
            CmsgData::Recverr(v) => m.serialize_value(v),
            CmsgData::Security(v) => m.serialize_value(v),
            CmsgData::Sockaddr(v) => m.serialize_value(v),
            CmsgData::Timestamp(v) => m.serialize_value(v),
            CmsgData::Timestamps(v) => m.serialize_value(v),
            CmsgData::Values(v) => m.serialize_value(v),
        }
    }
}

impl Serialize for Cmsg<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        // Keys in byte order, the data key in its place among the header keys.
        let key = self.data.key();
        let mut m = s.serialize_map(Some(6))?;
        let mut data_done = false;
        let mut data_before = |m: &mut S::SerializeMap, k: &str| -> Result<(), S::Error> {
            if !data_done && key < k {
                data_done = true;
                m.serialize_key(key)?;
                self.data.value(m)?;
            }
            Ok(())
        };
        data_before(&mut m, "len")?;
        m.serialize_entry("len", &self.len)?;
        data_before(&mut m, "level")?;
        m.serialize_entry("level", &self.level)?;
        data_before(&mut m, "levelName")?;
        m.serialize_entry("levelName", &self.level_name)?;
        data_before(&mut m, "type")?;
        m.serialize_entry("type", &self.ctype)?;
        data_before(&mut m, "typeName")?;
        m.serialize_entry("typeName", &self.type_name)?;
        data_before(&mut m, "\u{7f}")?;
        m.end()
    }
}

/// The schema of [`Cmsg`]: its header fields plus exactly one data key.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct CmsgHeader {
    len: u64,
    level: i32,
    level_name: Option<String>,
    #[serde(rename = "type")]
    ctype: i32,
    type_name: Option<String>,
}

impl JsonSchema for Cmsg<'_> {
    fn schema_name() -> Cow<'static, str> {
        "cmsg".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let mut header = CmsgHeader::json_schema(g);
        let data = CmsgData::json_schema(g);
        // The data variants are `{key: value}` objects (externally tagged): their properties
        // join the header's, and exactly one of them is required.
        let variants: Vec<serde_json::Value> = data
            .get("oneOf")
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default();
        let props = header
            .ensure_object()
            .entry("properties")
            .or_insert_with(|| serde_json::json!({}));
        let mut keys = Vec::new();
        for v in &variants {
            if let Some(p) = v.get("properties").and_then(|p| p.as_object()) {
                for (k, s) in p {
                    props[k.as_str()] = s.clone();
                    keys.push(serde_json::json!({"required": [k]}));
                }
            }
        }
        header.insert("additionalProperties".into(), false.into());
        header.insert("oneOf".into(), keys.into());
        header
    }
}

#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Creds {
    pub gid: u32,
    pub pid: i32,
    pub uid: u32,
}

/// A timeval (`tvUsec`) or timespec (`tvNsec`) of a timestamp cmsg.
#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum CmsgTime {
    #[serde(rename_all = "camelCase")]
    Timespec { tv_nsec: u64, tv_sec: i64 },
    #[serde(rename_all = "camelCase")]
    Timeval { tv_sec: i64, tv_usec: u64 },
}

/// IP_PKTINFO (specDst, addr) or IPV6_PKTINFO (addr only).
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pktinfo {
    pub addr: String,
    pub ifindex: u32,
    pub ifname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub spec_dst: Option<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recverr<'a> {
    pub ee_code: u8,
    pub ee_data: u32,
    pub ee_errno: u32,
    pub ee_info: u32,
    pub ee_origin: u8,
    pub ee_type: u8,
    pub offender: Option<SockAddrMap<'a>>,
}

/// 4-byte integers of a cmsg, unsigned (IP) or signed (IPv6).
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Ints {
    Unsigned(Vec<u32>),
    Signed(Vec<i32>),
}

// ---------------------------------------------------------------------------------------------
// The descriptor's socket (what the kernel said about it)

/// What kind of file the descriptor is.
#[derive(Clone, Copy, Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum SocketKind {
    #[default]
    Unknown,
    None,
    Socket,
    File,
}

/// The `socket` object: what the kernel said about the descriptor (with `-y`/`-yy`, or the
/// endpoints captured for `--json`); parts that could not be read are listed in `unknown`.
/// See `decode::sockinfo::socket_model`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(rename = "socket")]
pub struct Socket<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub deleted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "NameOrNumber")]
    pub family: Option<NameOrNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub fault: Option<bool>,
    pub fd: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "&'static str")]
    pub file_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub inode: Option<u64>,
    pub kind: SocketKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Endpoint")]
    pub local: Option<Endpoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "NetlinkSock")]
    pub netlink: Option<NetlinkSock>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Str<Lossy<'a>>")]
    pub path: Option<Str<Lossy<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Hex<'a>")]
    pub path_hex: Option<Hex<'a>>,
    /// null when not connected.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Endpoint>")]
    pub peer: Option<Option<Endpoint>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub protocol: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "&'static str")]
    pub protocol_name: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Rdev")]
    pub rdev: Option<Rdev>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub state: Option<u64>,
    /// The decoration as strace -yy prints it (`UDP:[...]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub strace: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "NameOrNumber")]
    pub sock_type: Option<NameOrNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "UnixSock<'a>")]
    pub unix: Option<UnixSock<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<&'static str>")]
    pub unknown: Option<Vec<&'static str>>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub address: String,
    pub port: u16,
}

#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rdev {
    pub major: u64,
    pub minor: u64,
}

#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetlinkSock {
    pub portid: u32,
    pub protocol: NameOrNumber,
}

/// An AF_UNIX socket's bound name (null when unnamed) and peer inode (null without a peer).
#[derive(Clone, Copy, Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnixSock<'a> {
    #[serde(rename = "abstract", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub abstract_: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Str<Lossy<'a>>>")]
    pub path: Option<Option<Str<Lossy<'a>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<u64>")]
    pub peer_inode: Option<Option<u64>>,
}

/// sendfile/splice: the other descriptors' sockets, keyed by argument name.
#[derive(Clone, Debug, Default)]
pub struct NamedSockets<'a>(pub Vec<(&'static str, Option<Socket<'a>>)>);

impl Serialize for NamedSockets<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl JsonSchema for NamedSockets<'_> {
    fn schema_name() -> Cow<'static, str> {
        "namedSockets".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let v = g.subschema_for::<Option<Socket>>();
        json_schema!({"type": "object", "additionalProperties": v})
    }
}

// ---------------------------------------------------------------------------------------------
// Arguments and the event

/// An address (non-NULL) and the iovecs it points to (readv/writev).
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IovecArray<'a> {
    #[schemars(range(min = 1))]
    pub address: u64,
    pub iovecs: Vec<Iovec<'a>>,
}

/// A file offset behind a pointer, as the call found it and left it.
#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Loff {
    #[schemars(range(min = 1))]
    pub address: u64,
    pub at_entry: u64,
    pub at_exit: u64,
}

/// Flags with their names (splice, preadv2/pwritev2).
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Flags {
    pub decoded: String,
    pub names: Vec<&'static str>,
    pub unknown_bits: u64,
    pub value: u64,
}

/// An argument's value: a number (registers, sizes), null (a NULL pointer), or its decoded
/// structure.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ArgValue<'a> {
    Int(i64),
    Uint(u64),
    Ptr(Ptr),
    SockAddr(SockAddrMap<'a>),
    Msghdr(MsghdrModel<'a>),
    Mmsghdrs(Vec<Mmsghdr<'a>>),
    Timeout(Timeout),
    Iovecs(IovecArray<'a>),
    Loff(Loff),
    Flags(Flags),
}

/// One argument: Tracee's `{name, type, value}` plus what sockscope decodes of it.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(rename = "arg")]
pub struct Arg<'a> {
    #[serde(serialize_with = "ident")]
    pub name: &'static str,
    #[serde(rename = "type")]
    #[serde(serialize_with = "ident")]
    pub ty: &'static str,
    pub value: ArgValue<'a>,
    /// The bytes of a buffer argument.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Payload<'a>")]
    pub payload: Option<Payload<'a>>,
    /// Flags: as strace prints them, their names, the bits without a name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub decoded: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<&'static str>")]
    pub names: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub unknown_bits: Option<u64>,
    /// A socket length pointer: the length given and returned.
    #[serde(rename = "in", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "i32")]
    pub len_in: Option<i32>,
    #[serde(rename = "out", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "i32")]
    pub len_out: Option<i32>,
}

impl<'a> Arg<'a> {
    pub fn new(name: &'static str, ty: &'static str, value: ArgValue<'a>) -> Arg<'a> {
        Arg {
            name,
            ty,
            value,
            payload: None,
            decoded: None,
            names: None,
            unknown_bits: None,
            len_in: None,
            len_out: None,
        }
    }
}

/// The destination read at entry and at exit when they differ (TOCTOU).
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToctouAddress<'a> {
    pub at_entry: SockAddrMap<'a>,
    pub at_exit: SockAddrMap<'a>,
}

/// A name from the event table (an argument's name and type, the call's name): plain ASCII,
/// written without the escape scan ([`super::writer::RAW`]; serde_json writes the same string).
fn ident<S: Serializer>(v: &&'static str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_newtype_struct(super::writer::RAW, *v)
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One traced call: Tracee's fields (timestamp, processorId, processId, threadId,
/// parentProcessId, userId, processName, cgroupId, eventName, syscall, argsNum, returnValue,
/// args) and sockscope's own.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(rename = "call", description = "one traced call")]
pub struct Event<'a, A = Vec<Arg<'a>>, S = Option<Socket<'a>>> {
    /// Wall-clock time, ns since the epoch.
    pub timestamp: u64,
    pub processor_id: u32,
    pub process_id: u32,
    pub thread_id: u32,
    pub parent_process_id: u32,
    pub user_id: u32,
    pub group_id: u32,
    /// The task's comm (U+FFFD for bytes that are not UTF-8; processNameHex then has them).
    pub process_name: Str<Lossy<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Hex<'a>")]
    pub process_name_hex: Option<Hex<'a>>,
    pub cgroup_id: u64,
    #[schemars(extend("not" = {"pattern": "^sockscope_"}))]
    #[serde(serialize_with = "ident")]
    pub event_name: &'static str,
    #[serde(serialize_with = "ident")]
    pub syscall: &'static str,
    pub args_num: usize,
    pub return_value: i64,
    /// The errno name of a failed call.
    pub errno: Option<&'static str>,
    /// ns in the call; null where it was not measured (data calls without -T).
    pub duration: Option<u64>,
    // The arguments: a `Vec<Arg>` (the schema), or anything serializing as one.
    pub args: A,
    // The socket: an `Option<Socket>` (the schema), or anything serializing as one.
    pub socket: S,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "NamedSockets<'a>")]
    pub other_sockets: Option<NamedSockets<'a>>,
    pub toctou: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "ToctouAddress<'a>")]
    pub toctou_address: Option<ToctouAddress<'a>>,
    pub capture_truncated: bool,
    /// The thread was killed inside the call (strace prints `= ?`).
    #[serde(skip_serializing_if = "is_false")]
    #[schemars(extend("const" = true))]
    pub exited_in_call: bool,
    /// The line strace prints for the call.
    pub strace: &'a str,
}

/// sockscope's own lines in the same stream (written by their modules, not modelled here).
pub struct OwnRecord;

impl JsonSchema for OwnRecord {
    fn schema_name() -> Cow<'static, str> {
        "record".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "sockscope's own lines in the same stream: the end-of-run summary, -c counts, stats, flows, top",
            "type": "object",
            "required": ["eventName"],
            "properties": {
                "eventName": {
                    "enum": ["sockscope_summary", "sockscope_count", "sockscope_stats", "sockscope_flow", "sockscope_top"]
                }
            }
        })
    }
}

/// The JSON Schema of a `--json` line, generated from the types above (`sockscope schema`;
/// committed as `sockscope/schema/event.schema.json`, a unit test keeps them equal).
pub fn schema() -> String {
    let mut g = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let call = g.subschema_for::<Event>();
    let record = g.subschema_for::<OwnRecord>();
    let defs = g.take_definitions(true);
    let root = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/sockscope/sockscope/schema/event.schema.json",
        "title": "sockscope --json event",
        "description": "One line of `sockscope --json`: a traced call (Tracee's event names, camelCase for Tracee's fields and sockscope's own), or one of sockscope's own records (eventName sockscope_*). Printed by `sockscope schema`; generated from the types of `render::json::model`.",
        "oneOf": [call, record],
        "$defs": defs,
    });
    let mut s = serde_json::to_string_pretty(&root).expect("a schema is JSON");
    s.push('\n');
    s
}
