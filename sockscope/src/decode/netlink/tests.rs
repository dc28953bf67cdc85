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
