//! Unit tests of `decode::data`, on records built from bytes.

use sockscope_common::{EventId, seg};

use super::*;
use crate::record::{Record, RecordBuilder};

fn text(bytes: &[u8], i: usize, d: Decoder, style: &Style) -> String {
    let rec = Record::parse(bytes).unwrap();
    let rec = Call::new(&rec);
    let mut out = String::new();
    arg_text(&mut out, &rec, i, d, style);
    out
}

fn iov(entries: &[(u64, u64)]) -> Vec<u8> {
    entries
        .iter()
        .flat_map(|(b, l)| b.to_le_bytes().into_iter().chain(l.to_le_bytes()))
        .collect()
}

#[test]
fn writev_and_readv() {
    let s = Style::default();
    let w = RecordBuilder::new(EventId::Writev, [3, 0x1000, 2, 0, 0, 0], 5)
        .seg(seg::IOV, 0, 0x1000, &iov(&[(0x2000, 2), (0x3000, 3)]))
        .seg(seg::IOV_DATA, 0, 0x2000, b"he")
        .seg(seg::IOV_DATA, 1, 0x3000, b"llo")
        .build();
    assert_eq!(
        text(&w, 1, Decoder::IovSend, &s),
        r#"[{iov_base="he", iov_len=2}, {iov_base="llo", iov_len=3}]"#
    );
    let r = RecordBuilder::new(EventId::Readv, [3, 0x1000, 2, 0, 0, 0], 3)
        .seg(seg::IOV, 0, 0x1000, &iov(&[(0x2000, 2), (0x3000, 16)]))
        .seg(seg::IOV_DATA, 0, 0x2000, b"ab")
        .seg(seg::IOV_DATA, 1, 0x3000, b"c")
        .build();
    assert_eq!(
        text(&r, 1, Decoder::IovRecv, &s),
        r#"[{iov_base="ab", iov_len=2}, {iov_base="c", iov_len=16}]"#
    );
    let f = RecordBuilder::new(EventId::Readv, [3, 0x1000, 1, 0, 0, 0], -11)
        .seg(seg::IOV, 0, 0x1000, &iov(&[(0x2000, 16)]))
        .build();
    assert_eq!(
        text(&f, 1, Decoder::IovRecv, &s),
        "[{iov_base=0x2000, iov_len=16}]"
    );
    // More iovecs than -s: the first -s, then "...".
    let st = Style {
        max_strlen: 1,
        xflag: 0,
    };
    assert_eq!(
        text(&w, 1, Decoder::IovSend, &st),
        r#"[{iov_base="h"..., iov_len=2}, ...]"#
    );
    let bad = RecordBuilder::new(EventId::Writev, [3, 0x1000, 2, 0, 0, 0], -14)
        .fault(seg::IOV, 0, 0x1000)
        .build();
    assert_eq!(text(&bad, 1, Decoder::IovSend, &s), "0x1000");
}

#[test]
fn preadv2_pwritev2() {
    let s = Style::default();
    let r = RecordBuilder::new(EventId::Preadv2, [3, 0x1000, 1, u64::MAX, 8, 0], 2)
        .seg(seg::IOV, 0, 0x1000, &iov(&[(0x2000, 16)]))
        .seg(seg::IOV_DATA, 0, 0x2000, b"hi")
        .build();
    assert_eq!(text(&r, 3, Decoder::Offset, &s), "-1");
    assert_eq!(text(&r, 4, Decoder::RwfFlags, &s), "RWF_NOWAIT");
    assert_eq!(
        text(&r, 1, Decoder::IovRecv, &s),
        r#"[{iov_base="hi", iov_len=16}]"#
    );
    let w = RecordBuilder::new(EventId::Pwritev2, [3, 0x1000, 1, u64::MAX, 0x40, 0], 2).build();
    assert_eq!(text(&w, 4, Decoder::RwfFlags, &s), "0x40 /* RWF_??? */");
}

#[test]
fn sendfile_and_splice_offsets() {
    let s = Style::default();
    let ok = RecordBuilder::new(EventId::Sendfile, [4, 5, 0x1000, 100000, 0, 0], 100000)
        .seg(seg::LOFF, 2, 0x1000, &100000u64.to_le_bytes())
        .build();
    assert_eq!(text(&ok, 2, Decoder::LoffInOut, &s), "[0] => [100000]");
    let failed = RecordBuilder::new(EventId::Sendfile, [4, 5, 0x1000, 10, 0, 0], -32)
        .seg(seg::LOFF, 2, 0x1000, &7u64.to_le_bytes())
        .build();
    assert_eq!(text(&failed, 2, Decoder::LoffInOut, &s), "[7]");
    let null = RecordBuilder::new(EventId::Sendfile, [4, 5, 0, 65536, 0, 0], 65536).build();
    assert_eq!(text(&null, 2, Decoder::LoffInOut, &s), "NULL");
    let sp = RecordBuilder::new(EventId::Splice, [3, 0x1000, 5, 0, 100, 0x15], -29)
        .seg(seg::LOFF, 1, 0x1000, &(-1i64).to_le_bytes())
        .build();
    assert_eq!(text(&sp, 1, Decoder::Loff, &s), "[-1]");
    assert_eq!(text(&sp, 3, Decoder::Loff, &s), "NULL");
    assert_eq!(
        text(&sp, 5, Decoder::SpliceFlags, &s),
        "SPLICE_F_MOVE|SPLICE_F_MORE|0x10"
    );
    let sp0 = RecordBuilder::new(EventId::Splice, [3, 0, 5, 0, 100, 0x20], 1).build();
    assert_eq!(
        text(&sp0, 5, Decoder::SpliceFlags, &s),
        "0x20 /* SPLICE_F_??? */"
    );
}
