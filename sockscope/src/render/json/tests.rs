//! The JSON conventions on synthetic records: every line follows the committed schema, NULL
//! pointers are null in every position, payloads (buffers and iovec data) are exact hex for
//! all 256 byte values.

use serde_json::Value;
use sockscope_common::{EventId, seg};

use super::*;
use crate::{
    decode::Style,
    record::RecordBuilder,
    render::{Clock, RenderOpts},
};

fn opts(strsize: usize) -> RenderOpts {
    let style = Style {
        max_strlen: strsize,
        ..Style::default()
    };
    RenderOpts::new(style, false, Clock { offset_ns: 0 })
}

fn checked(bytes: &[u8], strsize: usize) -> Value {
    let rec = Record::parse(bytes).unwrap();
    let mut line = String::new();
    write_event(&mut line, &rec, &opts(strsize));
    let v: Value = serde_json::from_str(&line).unwrap();
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{line}");
    v
}

fn all_bytes() -> Vec<u8> {
    (0..=255u8).collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

fn sin(port: u16) -> Vec<u8> {
    let mut a = vec![2, 0];
    a.extend_from_slice(&port.to_be_bytes());
    a.extend_from_slice(&[127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    a
}

fn iov(base: u64, len: u64) -> Vec<u8> {
    let mut v = base.to_le_bytes().to_vec();
    v.extend_from_slice(&len.to_le_bytes());
    v
}

#[test]
fn sendto_payload_exact_and_null_dest() {
    let data = all_bytes();
    let r = RecordBuilder::new(EventId::Sendto, [3, 0x1000, 256, 0, 0, 0], 256)
        .seg(seg::BUF, 0, 0x1000, &data)
        .build();
    let v = checked(&r, 4096);
    let p = &v["args"][1]["payload"];
    assert_eq!(p["data"], hex(&data));
    assert_eq!(p["captured"], 256);
    assert_eq!(v["args"][4]["value"], Value::Null);
    // At -s 32: 32 captured, truncated.
    let v = checked(&r, 32);
    assert_eq!(v["args"][1]["payload"]["captured"], 32);
    assert_eq!(v["args"][1]["payload"]["truncated"], true);
}

#[test]
fn recvfrom_null_src_addr_is_null_also_when_failed() {
    let ok = RecordBuilder::new(EventId::Recvfrom, [3, 0x1000, 64, 0, 0, 0], 2)
        .seg(seg::BUF, 0, 0x1000, b"hi")
        .build();
    let v = checked(&ok, 32);
    assert_eq!(v["args"][4]["value"], Value::Null);
    assert_eq!(v["args"][5]["value"], Value::Null);
    let failed = RecordBuilder::new(EventId::Recvfrom, [3, 0x1000, 64, 0, 0, 0], -11).build();
    let v = checked(&failed, 32);
    assert_eq!(v["args"][4]["value"], Value::Null);
    assert_eq!(v["args"][5]["value"], Value::Null);
    let with = RecordBuilder::new(EventId::Recvfrom, [3, 0x1000, 64, 0, 0x2000, 0x3000], 2)
        .seg(seg::BUF, 0, 0x1000, b"hi")
        .seg(seg::ADDRLEN_IN, 0, 0x3000, &128i32.to_ne_bytes())
        .seg(seg::ADDRLEN_OUT, 0, 0x3000, &16i32.to_ne_bytes())
        .seg(seg::ADDR, 0, 0x2000, &sin(40001))
        .build();
    let v = checked(&with, 32);
    assert_eq!(v["args"][4]["value"]["sin_port"], "40001");
    assert_eq!(v["args"][5]["in"], 128);
    assert_eq!(v["args"][5]["out"], 16);
}

#[test]
fn sendmsg_iov_data_exact_for_all_byte_values() {
    let data = all_bytes();
    let mut h = vec![0u8; 56];
    h[16..24].copy_from_slice(&0x3000u64.to_le_bytes());
    h[24..32].copy_from_slice(&1u64.to_le_bytes());
    let r = RecordBuilder::new(EventId::Sendmsg, [3, 0x6000, 0, 0, 0, 0], 256)
        .seg(seg::MSGHDR, 0, 0x6000, &h)
        .seg(seg::IOV, 0, 0x3000, &iov(0x1000, 256))
        .seg(seg::IOV_DATA, 0, 0x1000, &data)
        .build();
    let v = checked(&r, 4096);
    let m = &v["args"][1]["value"];
    assert_eq!(m["namePtr"], Value::Null);
    assert_eq!(m["name"], Value::Null);
    assert_eq!(m["controlPtr"], Value::Null);
    let p = &m["iov"][0]["payload"];
    assert_eq!(p["data"], hex(&data), "{v}");
    assert_eq!(p["length"], 256);
    // -s cuts iovec data as it cuts buffers.
    let v = checked(&r, 32);
    assert_eq!(v["args"][1]["value"]["iov"][0]["payload"]["captured"], 32);
}

#[test]
fn writev_iov_data_exact_for_all_byte_values() {
    let data = all_bytes();
    let r = RecordBuilder::new(EventId::Writev, [3, 0x3000, 1, 0, 0, 0], 256)
        .seg(seg::IOV, 0, 0x3000, &iov(0x1000, 256))
        .seg(seg::IOV_DATA, 0, 0x1000, &data)
        .build();
    let v = checked(&r, 4096);
    let p = &v["args"][1]["value"]["iovecs"][0]["payload"];
    assert_eq!(p["data"], hex(&data), "{v}");
}

/// The committed schema is the one generated from the model types; after changing a model,
/// regenerate it: `sockscope schema > sockscope/schema/event.schema.json`.
#[test]
fn committed_schema_is_the_generated_one() {
    assert!(
        SCHEMA == model::schema(),
        "sockscope/schema/event.schema.json differs from the schema generated from \
         render::json::model: run `sockscope schema > sockscope/schema/event.schema.json`"
    );
}

/// Every payload, at top level or in an iovec, has the same keys in the same order.
#[test]
fn payload_keys_in_one_order_everywhere() {
    let data = all_bytes();
    let mut h = vec![0u8; 56];
    h[16..24].copy_from_slice(&0x3000u64.to_le_bytes());
    h[24..32].copy_from_slice(&1u64.to_le_bytes());
    let order = r#"{"encoding":"hex","data":""#;
    for r in [
        RecordBuilder::new(EventId::Sendto, [3, 0x1000, 256, 0, 0, 0], 256)
            .seg(seg::BUF, 0, 0x1000, &data)
            .build(),
        RecordBuilder::new(EventId::Sendmsg, [3, 0x6000, 0, 0, 0, 0], 256)
            .seg(seg::MSGHDR, 0, 0x6000, &h)
            .seg(seg::IOV, 0, 0x3000, &iov(0x1000, 256))
            .seg(seg::IOV_DATA, 0, 0x1000, &data)
            .build(),
        RecordBuilder::new(EventId::Writev, [3, 0x3000, 1, 0, 0, 0], 256)
            .seg(seg::IOV, 0, 0x3000, &iov(0x1000, 256))
            .seg(seg::IOV_DATA, 0, 0x1000, &data)
            .build(),
    ] {
        checked(&r, 32);
        let mut line = String::new();
        write_event(&mut line, &Record::parse(&r).unwrap(), &opts(32));
        assert!(line.contains(order), "{line}");
        assert!(
            line.contains(r#""captured":32,"length":256,"truncated":true}"#),
            "{line}"
        );
    }
}

/// A cmsg's keys are written in byte order (as the earlier map-built objects were), the data
/// key in its place among the header keys, for every kind of data.
#[test]
fn cmsg_keys_in_byte_order_for_every_data_key() {
    use model::*;
    let sa = [2u8, 0, 0x9c, 0x41, 127, 0, 0, 1];
    let ts = CmsgTime::Timespec {
        tv_nsec: 1,
        tv_sec: 2,
    };
    let datas = [
        CmsgData::Bytes(&[1, 2]),
        CmsgData::Creds(Creds {
            gid: 1,
            pid: 2,
            uid: 3,
        }),
        CmsgData::DataHex(Hex(&[0xab])),
        CmsgData::Fds(vec![5]),
        CmsgData::Pidfd(7),
        CmsgData::Pktinfo(Pktinfo {
            addr: "127.0.0.1".into(),
            ifindex: 1,
            ifname: Some("lo".into()),
            spec_dst: Some("127.0.0.1".into()),
        }),
        CmsgData::Recverr(Recverr {
            ee_code: 1,
            ee_data: 2,
            ee_errno: 3,
            ee_info: 4,
            ee_origin: 5,
            ee_type: 6,
            offender: Some(crate::decode::sockaddr::sockaddr_model(&sa)),
        }),
        CmsgData::Security(Str(Lossy(b"label"))),
        CmsgData::Sockaddr(crate::decode::sockaddr::sockaddr_model(&sa)),
        CmsgData::Timestamp(CmsgTime::Timeval {
            tv_sec: 1,
            tv_usec: 2,
        }),
        CmsgData::Timestamps([ts, ts, ts]),
        CmsgData::Values(Ints::Signed(vec![-1])),
    ];
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let cmsg_schema = &schema["$defs"]["cmsg"];
    let mut root = cmsg_schema.clone();
    root["$defs"] = schema["$defs"].clone();
    let validator = jsonschema::validator_for(&root).unwrap();
    for data in datas {
        let c = Cmsg {
            len: 20,
            level: 1,
            level_name: Some("SOL_SOCKET"),
            ctype: 1,
            type_name: None,
            data,
        };
        let s = serde_json::to_string(&c).unwrap();
        let v: Value = serde_json::from_str(&s).unwrap();
        // serde_json's map sorts its keys: equal only when written in byte order.
        assert_eq!(s, v.to_string());
        assert!(validator.is_valid(&v), "{s}");
    }
}

/// The `socket` objects cached per descriptor (write_event's SocketCache) give the bytes an
/// uncached rendering gives: the same socket rendered again, with other settings (-s, -x, -yy,
/// -X), after another socket on the same descriptor and on a descriptor sharing its cache slot.
#[test]
fn cached_socket_objects_equal_fresh_ones() {
    use sockscope_common::{SockInfo, sk};
    let sock = |fd: i32, ino: u64, port: u16, unix: &[u8]| -> Vec<u8> {
        // SAFETY: plain data, all-zero is valid.
        let mut i: SockInfo = unsafe { std::mem::zeroed() };
        i.known = sk::LOOKED_UP | sk::INODE | sk::SOCKET | sk::COMMON | sk::PROTO;
        i.fd = fd;
        i.ino = ino;
        i.mode = 0o140777;
        i.sock_type = 2;
        i.family = if unix.is_empty() { 2 } else { 1 };
        i.protocol = 17;
        i.num = port;
        if !unix.is_empty() {
            i.known |= sk::UNIX_ADDR | sk::UNIX_PEER;
            i.unix_path[..unix.len()].copy_from_slice(unix);
            i.unix_len = 2 + unix.len() as u32;
        }
        // SAFETY: SockInfo is repr(C) plain data.
        unsafe {
            std::slice::from_raw_parts((&i as *const SockInfo).cast::<u8>(), size_of::<SockInfo>())
        }
        .to_vec()
    };
    let rec = |fd: i32, sock: &[u8]| {
        RecordBuilder::new(EventId::Sendto, [fd as u64, 0x1000, 4, 0, 0x2000, 16], 4)
            .seg(seg::BUF, 0, 0x1000, b"ping")
            .seg(seg::ADDR, 0, 0x2000, &sin(9))
            .seg(seg::SOCK, 0, 0, sock)
            .build()
    };
    let records = [
        rec(3, &sock(3, 100, 4000, b"")),
        rec(3, &sock(3, 100, 4000, b"")),
        rec(3, &sock(3, 101, 4001, b"")),
        rec(3 + 64, &sock(3 + 64, 102, 4002, b"")),
        rec(
            3,
            &sock(3, 103, 0, b"/run/\xff\x01a-much-longer-path-than-the-limit"),
        ),
        rec(3, &sock(3, 101, 4001, b"")),
    ];
    let settings = [
        (opts(32), crate::decode::GlobalOpts::default()),
        (opts(4), crate::decode::GlobalOpts::default()),
        (opts(32).with_yflag(2), crate::decode::GlobalOpts::default()),
        (
            RenderOpts::new(
                Style {
                    max_strlen: 32,
                    xflag: 2,
                },
                false,
                Clock { offset_ns: 0 },
            ),
            crate::decode::GlobalOpts::default(),
        ),
        (
            opts(32),
            crate::decode::GlobalOpts {
                abbrev: true,
                xlat: crate::decode::XlatStyle::Raw,
            },
        ),
    ];
    let render = |bytes: &[u8], o: &RenderOpts, g: crate::decode::GlobalOpts| {
        crate::decode::set_global_opts(g);
        let mut line = String::new();
        write_event(&mut line, &Record::parse(bytes).unwrap(), o);
        line
    };
    let mut checked = 0;
    let mut seen_unix = std::collections::BTreeSet::new();
    // Round 0: every setting over all records; round 1: every record under all settings (the
    // same socket again at once with other settings).
    let pairs: Vec<_> = (0..2)
        .flat_map(|round| {
            let (s, r) = (&settings, &records);
            (0..settings.len() * records.len()).map(move |k| {
                let (si, ri) = if round == 0 {
                    (k / r.len(), k % r.len())
                } else {
                    (k % s.len(), k / s.len())
                };
                (round, &s[si].0, &s[si].1, &r[ri])
            })
        })
        .collect();
    for (round, o, g, r) in pairs {
        {
            {
                let cached = render(r, o, *g);
                let (r2, o2, g2) = (r.clone(), *o, *g);
                // A new thread: an empty cache.
                let fresh = std::thread::spawn(move || {
                    crate::decode::set_global_opts(g2);
                    let mut line = String::new();
                    write_event(&mut line, &Record::parse(&r2).unwrap(), &o2);
                    line
                })
                .join()
                .unwrap();
                assert_eq!(cached, fresh, "round {round}");
                assert!(cached.contains("\"socket\":{"), "{cached}");
                if r == &records[4] {
                    // The settings do change this socket's object (its path's quoting).
                    seen_unix.insert(cached[cached.find("\"socket\"").unwrap()..].to_string());
                }
                checked += 1;
            }
        }
    }
    crate::decode::set_global_opts(crate::decode::GlobalOpts::default());
    assert_eq!(checked, 60);
    assert!(seen_unix.len() >= 3, "{seen_unix:#?}");
}

/// The hot path (`direct`, with the socket cache) writes the bytes the model alone writes
/// through serde_json, on every record of the corpus (every call, every decoder, faults,
/// truncations, -s/-T/-y variations), with the model's settings `-X` raw and verbose too.
#[test]
fn hot_path_equals_the_model_on_the_corpus() {
    use crate::decode::{GlobalOpts, XlatStyle, set_global_opts};
    for xlat in [XlatStyle::Abbrev, XlatStyle::Raw, XlatStyle::Verbose] {
        set_global_opts(GlobalOpts {
            abbrev: xlat != XlatStyle::Verbose,
            xlat,
        });
        let mut r = corpus::rng();
        let (mut line, mut reference) = (String::new(), String::new());
        let mut compared = 0;
        for i in 0..6000 {
            let bytes = corpus::record(&mut r);
            let Ok(rec) = Record::parse(&bytes) else {
                continue;
            };
            let opts = corpus::opts(i);
            line.clear();
            reference.clear();
            write_event(&mut line, &rec, &opts);
            model_line(&mut reference, &rec, &opts);
            assert_eq!(line, reference, "record {i}, {xlat:?}");
            compared += 1;
        }
        assert!(compared > 5000, "{compared} records compared");
    }
    set_global_opts(GlobalOpts::default());
}

/// The task's fields written from the last event's (direct.rs, `render::KeptText`) equal the model's
/// when the same task comes again, and when any one of them changes from one event to the
/// next (each field, the name, a name that is not UTF-8).
#[test]
fn task_fields_kept_from_the_last_event_equal_the_model() {
    let rec = |change: usize| {
        let mut b = RecordBuilder::new(EventId::Sendto, [3, 0x1000, 4, 0, 0, 0], 4).seg(
            seg::BUF,
            0,
            0x1000,
            b"ping",
        );
        let h = b.header_mut();
        h.tgid = 100;
        h.tid = 101;
        h.ppid = 1;
        h.uid = 1000;
        h.gid = 1000;
        h.cgroup_id = 7;
        h.comm[..4].copy_from_slice(b"task");
        match change {
            1 => h.tgid = 200,
            2 => h.tid = 102,
            3 => h.ppid = 2,
            4 => h.uid = 0,
            5 => h.gid = 0,
            6 => h.cgroup_id = 8,
            7 => h.comm[3] = b'x',
            8 => h.comm[..6].copy_from_slice(b"a\xffb\x01\"c"),
            9 => h.comm[4] = b'2',
            _ => {}
        }
        b.build()
    };
    let o = opts(32);
    let (mut line, mut reference) = (String::new(), String::new());
    let mut names = std::collections::BTreeSet::new();
    for change in [0, 0, 1, 0, 2, 2, 3, 0, 4, 5, 6, 0, 7, 8, 8, 0, 9, 0] {
        let bytes = rec(change);
        let r = Record::parse(&bytes).unwrap();
        line.clear();
        reference.clear();
        write_event(&mut line, &r, &o);
        model_line(&mut reference, &r, &o);
        assert_eq!(line, reference, "change {change}");
        let v: Value = serde_json::from_str(&line).unwrap();
        names.insert(v["processName"].to_string());
    }
    assert_eq!(names.len(), 4, "{names:?}");
}
