use super::*;

fn nl(data: &[u8], len: u64, max_strlen: usize, xflag: u8) -> Option<String> {
    let mut s = String::new();
    let st = Style { max_strlen, xflag };
    format_netlink(&mut s, data, len, &st).then_some(s)
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

// Strings below are what strace 6.1 printed for the conformance corpus (families.c).

#[test]
fn request_with_payload() {
    let d = unhex("2000000022000103010000009210000002000000000000000000000000000000");
    assert_eq!(
        nl(&d, 32, 32, 0).unwrap(),
        r#"[{nlmsg_len=32, nlmsg_type=0x22 /* NLMSG_??? */, nlmsg_flags=NLM_F_REQUEST|0x300, nlmsg_seq=1, nlmsg_pid=4242}, "\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"]"#
    );
}

#[test]
fn error_reply() {
    let hdr = |len: u32, ty: u16, flags: u16, seq: u32| {
        let mut v = len.to_le_bytes().to_vec();
        v.extend_from_slice(&ty.to_le_bytes());
        v.extend_from_slice(&flags.to_le_bytes());
        v.extend_from_slice(&seq.to_le_bytes());
        v.extend_from_slice(&4242u32.to_le_bytes());
        v
    };
    let mut d = hdr(52, 2, 0, 1);
    d.extend_from_slice(&(-19i32).to_le_bytes());
    d.extend(hdr(32, 0x12, 1, 1));
    d.extend_from_slice(&[0, 0, 0, 0, 0xe7, 3]);
    d.resize(52, 0);
    let want = r#"[{nlmsg_len=52, nlmsg_type=NLMSG_ERROR, nlmsg_flags=0, nlmsg_seq=1, nlmsg_pid=4242}, {error=-ENODEV, msg=[{nlmsg_len=32, nlmsg_type=0x12 /* NLMSG_??? */, nlmsg_flags=NLM_F_REQUEST, nlmsg_seq=1, nlmsg_pid=4242}, "\x00\x00\x00\x00\xe7\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"]}]"#;
    let d = &d[..52];
    assert_eq!(nl(d, 52, 32, 0).unwrap(), want);
    // Captured only 33 bytes (-s 32): strace would show more, so no decoding.
    assert_eq!(nl(&d[..33], 52, 32, 0), None);
}

#[test]
fn short_and_text() {
    assert_eq!(nl(b"fam", 3, 32, 0).unwrap(), r#""\x66\x61\x6d""#);
    assert_eq!(nl(b"fam", 3, 0, 0).unwrap(), r#"""..."#);
    assert_eq!(
        nl(b"not a netlink message", 21, 32, 0).unwrap(),
        r#"[{nlmsg_len=544501614, nlmsg_type=0x2061 /* NLMSG_??? */, nlmsg_flags=NLM_F_MULTI|NLM_F_ACK|NLM_F_ECHO|NLM_F_DUMP_FILTERED|0x6540, nlmsg_seq=1852402804, nlmsg_pid=1701650539}, "\x73\x73\x61\x67\x65"]"#
    );
}

#[test]
fn several_messages_cut_at_s() {
    let mut d = Vec::new();
    for seq in 0..3u32 {
        d.extend_from_slice(&16u32.to_le_bytes());
        d.extend_from_slice(&3u16.to_le_bytes());
        d.extend_from_slice(&2u16.to_le_bytes());
        d.extend_from_slice(&seq.to_le_bytes());
        d.extend_from_slice(&0u32.to_le_bytes());
    }
    let one = |s: u32| {
        format!(
            "{{nlmsg_len=16, nlmsg_type=NLMSG_DONE, nlmsg_flags=NLM_F_MULTI, nlmsg_seq={s}, nlmsg_pid=0}}"
        )
    };
    assert_eq!(
        nl(&d, 48, 32, 0).unwrap(),
        format!("[{}, {}, {}]", one(0), one(1), one(2))
    );
    assert_eq!(
        nl(&d, 48, 2, 0).unwrap(),
        format!("[{}, {}, ...]", one(0), one(1))
    );
}

// ---------------------------------------------------------------------------------------------
// Protocol-aware decoding. Expected strings are lines strace 6.1 printed for its own netlink
// tests (netlink_route, nlattr_ifaddrmsg, netlink_sock_diag, nlattr_nlmsgerr, netlink_generic).

struct B(Vec<u8>);

impl B {
    fn new() -> B {
        B(Vec::new())
    }
    fn hdr(mut self, len: u32, ty: u16, flags: u16, seq: u32, pid: u32) -> B {
        self.0.extend_from_slice(&len.to_le_bytes());
        self.0.extend_from_slice(&ty.to_le_bytes());
        self.0.extend_from_slice(&flags.to_le_bytes());
        self.0.extend_from_slice(&seq.to_le_bytes());
        self.0.extend_from_slice(&pid.to_le_bytes());
        self
    }
    fn u8(mut self, v: u8) -> B {
        self.0.push(v);
        self
    }
    fn u16(mut self, v: u16) -> B {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u32(mut self, v: u32) -> B {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn bytes(mut self, v: &[u8]) -> B {
        self.0.extend_from_slice(v);
        self
    }
}

fn lo(i: u32) -> Option<String> {
    (i == 1).then(|| "lo".to_string())
}

fn genl(id: u16) -> Option<String> {
    (id == 0x10).then(|| "nlctrl".to_string())
}

fn dec(data: &[u8], len: u64, proto: Option<u32>) -> Option<String> {
    let env = NlEnv {
        style: Style::default(),
        proto,
        ifname: &lo,
        genl_family: &genl,
    };
    let mut s = String::new();
    decode_netlink(&mut s, data, len, &env).then_some(s)
}

#[test]
fn route_types_and_flags_by_protocol() {
    let d = B::new().hdr(16, 18, 1, 0, 0).0;
    assert_eq!(
        dec(&d, 16, Some(proto::ROUTE)).unwrap(),
        "{nlmsg_len=16, nlmsg_type=RTM_GETLINK, nlmsg_flags=NLM_F_REQUEST, nlmsg_seq=0, nlmsg_pid=0}"
    );
    let d = B::new().hdr(16, 18, 0x301, 0, 0).0;
    assert_eq!(
        dec(&d, 16, Some(proto::ROUTE)).unwrap(),
        "{nlmsg_len=16, nlmsg_type=RTM_GETLINK, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, nlmsg_seq=0, nlmsg_pid=0}"
    );
    // RTM_DELACTION takes the get flags (NLM_F_ROOT), as strace decides.
    let d = B::new().hdr(16, 49, 0x100, 0, 0).0;
    assert_eq!(
        dec(&d, 16, Some(proto::ROUTE)).unwrap(),
        "{nlmsg_len=16, nlmsg_type=RTM_DELACTION, nlmsg_flags=NLM_F_ROOT, nlmsg_seq=0, nlmsg_pid=0}"
    );
    // Unknown protocol: the generic names only.
    assert_eq!(
        dec(&d, 16, None).unwrap(),
        "{nlmsg_len=16, nlmsg_type=0x31 /* NLMSG_??? */, nlmsg_flags=0x100 /* NLM_F_??? */, nlmsg_seq=0, nlmsg_pid=0}"
    );
}

#[test]
fn ifaddrmsg_with_attributes() {
    // RTM_GETADDR, ifaddrmsg{AF_INET, /24, IFA_F_SECONDARY, RT_SCOPE_UNIVERSE, lo},
    // IFA_ADDRESS 10.11.12.13.
    let d = B::new()
        .hdr(32, 22, 0x301, 0, 0)
        .u8(2)
        .u8(24)
        .u8(1)
        .u8(0)
        .u32(1)
        .u16(8)
        .u16(1)
        .bytes(&[10, 11, 12, 13])
        .0;
    assert_eq!(
        dec(&d, 32, Some(proto::ROUTE)).unwrap(),
        r#"[{nlmsg_len=32, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, nlmsg_seq=0, nlmsg_pid=0}, {ifa_family=AF_INET, ifa_prefixlen=24, ifa_flags=IFA_F_SECONDARY, ifa_scope=RT_SCOPE_UNIVERSE, ifa_index=if_nametoindex("lo")}, [{nla_len=8, nla_type=IFA_ADDRESS}, inet_addr("10.11.12.13")]]"#
    );
}

#[test]
fn partially_readable_buffer() {
    // A 24-byte RTM_NEWNEXTHOP whose bytes after the family cannot be read: strace prints the
    // address where its read failed.
    let d = B::new().hdr(24, 104, 1, 0, 0).u8(1).0;
    let env = NlEnv {
        style: Style::default(),
        proto: Some(proto::ROUTE),
        ifname: &lo,
        genl_family: &genl,
    };
    let mut s = String::new();
    assert!(decode_netlink_at(
        &mut s,
        &d,
        0x7f00_0000_0fe9,
        true,
        24,
        &env
    ));
    assert_eq!(
        s,
        "[{nlmsg_len=24, nlmsg_type=RTM_NEWNEXTHOP, nlmsg_flags=NLM_F_REQUEST, nlmsg_seq=0, nlmsg_pid=0}, {nh_family=AF_UNIX, 0x7f0000000ffa}]"
    );
    // The same bytes merely not captured: not decodable (the caller prints the string).
    let mut s = String::new();
    assert!(!decode_netlink_at(
        &mut s,
        &d,
        0x7f00_0000_0fe9,
        false,
        24,
        &env
    ));
    // The header itself unreadable: the address.
    let mut s = String::new();
    assert!(decode_netlink_at(&mut s, &d[..8], 0x1000, true, 24, &env));
    assert_eq!(s, "0x1000");
}

#[test]
fn sock_diag_unix_request() {
    let d = B::new()
        .hdr(40, 20, 1, 0, 0)
        .u8(1)
        .u8(253)
        .u16(0)
        .u32(0x402)
        .u32(4207869677)
        .u32(1)
        .u32(3735928559)
        .u32(3134983661)
        .0;
    assert_eq!(
        dec(&d, 40, Some(proto::SOCK_DIAG)).unwrap(),
        "[{nlmsg_len=40, nlmsg_type=SOCK_DIAG_BY_FAMILY, nlmsg_flags=NLM_F_REQUEST, nlmsg_seq=0, nlmsg_pid=0}, {sdiag_family=AF_UNIX, sdiag_protocol=253, udiag_states=1<<TCP_ESTABLISHED|1<<TCP_LISTEN, udiag_ino=4207869677, udiag_show=UDIAG_SHOW_NAME, udiag_cookie=[3735928559, 3134983661]}]"
    );
}

#[test]
fn error_with_extended_ack() {
    // NLMSG_ERROR (capped) quoting a 16-byte request, then NLMSGERR_ATTR_MSG "abc".
    let d = B::new()
        .hdr(44, 2, 0x100, 0, 0)
        .u32((-22i32) as u32)
        .hdr(16, 18, 1, 0, 0)
        .u16(8)
        .u16(1)
        .bytes(b"abc\0")
        .0;
    assert_eq!(
        dec(&d, 44, Some(proto::ROUTE)).unwrap(),
        r#"[{nlmsg_len=44, nlmsg_type=NLMSG_ERROR, nlmsg_flags=NLM_F_CAPPED, nlmsg_seq=0, nlmsg_pid=0}, [{error=-EINVAL, msg={nlmsg_len=16, nlmsg_type=RTM_GETLINK, nlmsg_flags=NLM_F_REQUEST, nlmsg_seq=0, nlmsg_pid=0}}, [{nla_len=8, nla_type=NLMSGERR_ATTR_MSG}, "abc"]]]"#
    );
}

#[test]
fn generic_family_names_and_netfilter_types() {
    let d = B::new().hdr(16, 0x10, 0x301, 0, 0).0;
    assert_eq!(
        dec(&d, 16, Some(proto::GENERIC)).unwrap(),
        "{nlmsg_len=16, nlmsg_type=nlctrl, nlmsg_flags=NLM_F_REQUEST|0x300, nlmsg_seq=0, nlmsg_pid=0}"
    );
    let d = B::new().hdr(16, 0x100, 0x401, 0, 0).0;
    assert_eq!(
        dec(&d, 16, Some(proto::NETFILTER)).unwrap(),
        "{nlmsg_len=16, nlmsg_type=NFNL_SUBSYS_CTNETLINK<<8|IPCTNL_MSG_CT_NEW, nlmsg_flags=NLM_F_REQUEST|NLM_F_CREATE, nlmsg_seq=0, nlmsg_pid=0}"
    );
}

#[test]
fn kobject_uevent_is_a_string() {
    let d = b"add@/devices/x\0ACTION=add\0";
    assert_eq!(
        dec(d, d.len() as u64, Some(proto::KOBJECT_UEVENT)).unwrap(),
        r#""add@/devices/x\0ACTION=add\0""#
    );
}

/// No panic, no endless loop, on random and truncated bytes, for every protocol, with and
/// without a fault after the captured bytes.
#[test]
fn random_and_truncated_bytes_never_panic() {
    let mut next = crate::decode::test_rng();
    // Valid-looking messages of each protocol make the decoders go deep; random bytes the rest.
    let seeds: Vec<Vec<u8>> = vec![
        B::new()
            .hdr(32, 22, 0x301, 0, 0)
            .u8(2)
            .u8(24)
            .u8(1)
            .u8(0)
            .u32(1)
            .u16(8)
            .u16(1)
            .bytes(&[10, 11, 12, 13])
            .0,
        B::new()
            .hdr(40, 20, 1, 0, 0)
            .u8(1)
            .u8(253)
            .u16(0)
            .u32(0x402)
            .u32(1)
            .u32(1)
            .u32(1)
            .u32(1)
            .0,
        B::new()
            .hdr(44, 2, 0x100, 0, 0)
            .u32(1)
            .hdr(16, 18, 1, 0, 0)
            .u16(8)
            .u16(1)
            .bytes(b"abc\0")
            .0,
    ];
    for round in 0..4000 {
        let mut data: Vec<u8> = if round % 2 == 0 {
            let mut v = seeds[round % seeds.len()].clone();
            for _ in 0..(next() % 8) {
                let i = (next() as usize) % v.len();
                v[i] = next() as u8;
            }
            v
        } else {
            (0..(next() % 600)).map(|_| next() as u8).collect()
        };
        // Plausible lengths in headers and attributes now and then.
        if data.len() >= 20 && round % 3 == 0 {
            let l = data.len() as u32;
            data[..4].copy_from_slice(&l.to_le_bytes());
            data[16..18].copy_from_slice(&((l - 16) as u16).to_le_bytes());
        }
        let proto = [
            None,
            Some(0),
            Some(4),
            Some(6),
            Some(7),
            Some(9),
            Some(12),
            Some(15),
            Some(16),
            Some(21),
        ][(next() % 10) as usize];
        let cut = (next() as usize) % (data.len() + 1);
        let len = data.len() as u64 + next() % 64;
        for style in [
            Style::default(),
            Style {
                max_strlen: 0,
                xflag: 2,
            },
            Style {
                max_strlen: 4096,
                xflag: 1,
            },
        ] {
            let env = NlEnv {
                style,
                proto,
                ifname: &lo,
                genl_family: &genl,
            };
            let mut s = String::new();
            decode_netlink_at(&mut s, &data[..cut], 0x1000, round % 4 == 1, len, &env);
            decode_netlink_at(&mut s, &data, 0x1000, false, data.len() as u64, &env);
        }
    }
}

#[test]
fn crypto_user_alg_and_report() {
    // CRYPTO_MSG_GETALG with crypto_user_alg {"abcd", "efgh", "ijkl"} and a hash report.
    let mut alg = vec![0u8; 208];
    alg[..4].copy_from_slice(b"abcd");
    alg[64..68].copy_from_slice(b"efgh");
    alg[128..132].copy_from_slice(b"ijkl");
    let mut hash = vec![0u8; 72];
    hash[..4].copy_from_slice(b"efgh");
    hash[64..68].copy_from_slice(&0xabcdu32.to_le_bytes());
    hash[68..72].copy_from_slice(&0xfedcu32.to_le_bytes());
    let len = 16 + 208 + 4 + 72;
    let d = B::new()
        .hdr(len, 19, 1, 0, 0)
        .bytes(&alg)
        .u16(76)
        .u16(3)
        .bytes(&hash)
        .0;
    assert_eq!(
        dec(&d, u64::from(len), Some(proto::CRYPTO)).unwrap(),
        r#"[{nlmsg_len=300, nlmsg_type=CRYPTO_MSG_GETALG, nlmsg_flags=NLM_F_REQUEST, nlmsg_seq=0, nlmsg_pid=0}, {cru_name="abcd", cru_driver_name="efgh", cru_module_name="ijkl", cru_type=0, cru_mask=0, cru_refcnt=0, cru_flags=0}, [{nla_len=76, nla_type=CRYPTOCFGA_REPORT_HASH}, {type="efgh", blocksize=43981, digestsize=65244}]]"#
    );
}

#[test]
fn protocol_known_only_for_bound_sockets_of_the_tracer_namespace() {
    use crate::record::{Record, RecordBuilder};
    use sockscope_common::{EventId, SockInfo, seg, sk};
    set_tracer_netns(4026531840);
    let rec = |portid: u32, netns: u32| {
        // SAFETY: plain data, all-zero is valid.
        let mut i: SockInfo = unsafe { std::mem::zeroed() };
        i.known = sk::LOOKED_UP
            | sk::INODE
            | sk::SOCKET
            | sk::COMMON
            | sk::PROTO
            | sk::NETLINK
            | sk::NETNS;
        i.family = 16;
        i.protocol = 4;
        i.portid = portid;
        i.netns = netns;
        // SAFETY: SockInfo is repr(C) plain data.
        let bytes = unsafe {
            std::slice::from_raw_parts(
                (&i as *const SockInfo).cast::<u8>(),
                std::mem::size_of::<SockInfo>(),
            )
        }
        .to_vec();
        RecordBuilder::new(EventId::Sendto, [3, 0x1000, 16, 0, 0, 0], 16)
            .seg(seg::SOCK, 0, 0, &bytes)
            .build()
    };
    let same = rec(1234, 4026531840);
    assert_eq!(
        call_netlink(&crate::call::Call::new(&Record::parse(&same).unwrap())),
        Some(Some(4))
    );
    let unbound = rec(0, 4026531840);
    assert_eq!(
        call_netlink(&crate::call::Call::new(&Record::parse(&unbound).unwrap())),
        Some(None)
    );
    let other_ns = rec(1234, 4026532000);
    assert_eq!(
        call_netlink(&crate::call::Call::new(&Record::parse(&other_ns).unwrap())),
        Some(None)
    );
    let no_sock = RecordBuilder::new(EventId::Sendto, [3, 0x1000, 16, 0, 0, 0], 16).build();
    assert_eq!(
        call_netlink(&crate::call::Call::new(&Record::parse(&no_sock).unwrap())),
        None
    );
}
