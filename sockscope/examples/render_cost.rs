//! Rendering cost per event, without the kernel: renders a fixed mix of synthetic records
//! (sendto with a 64-byte payload and an address, recvfrom with its socket lengths, sendmsg
//! with a name and one iovec, sendmmsg of 8 such messages) N times as text and as JSON and prints the CPU ns per event.
//! `cargo run --release -p sockscope --example render_cost [N] [sendto|recvfrom|sendmsg|sendmmsg]`
//! (the second argument renders that record only; a third, `binary`, sends bytes 0..64 instead
//! of the bench loop's 'x' payload). The JSON records carry the socket `--json` captures.
//! `RENDER_COST_ONLY=text` (or `json`) renders one output only, for profilers;
//! `RENDER_COST_DUMP=1` prints the first line rendered.
use sockscope::render::cpu_ns;
use sockscope::{
    decode::Style,
    record::{Record, RecordBuilder},
    render::{Clock, RenderOpts, json, text},
};
use sockscope_common::{EventId, SockInfo, seg, sk};

fn sin(port: u16) -> Vec<u8> {
    let mut a = vec![2, 0];
    a.extend_from_slice(&port.to_be_bytes());
    a.extend_from_slice(&[127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    a
}

/// The socket as the kernel side captures it with `--json` (the `-yy` level): a UDP socket
/// bound to 0.0.0.0:35596, not connected.
fn udp_sock(fd: i32) -> Vec<u8> {
    // SAFETY: plain data, all-zero is valid.
    let mut i: SockInfo = unsafe { std::mem::zeroed() };
    i.known = sk::LOOKED_UP | sk::INODE | sk::SOCKET | sk::COMMON | sk::PROTO;
    i.fd = fd;
    i.ino = 504712;
    i.mode = 0o140777;
    i.sock_type = 2;
    i.family = 2;
    i.state = 7;
    i.protocol = 17;
    i.sk_type = 2;
    i.num = 35596;
    // SAFETY: SockInfo is repr(C) plain data.
    unsafe {
        std::slice::from_raw_parts(
            (&i as *const SockInfo).cast::<u8>(),
            std::mem::size_of::<SockInfo>(),
        )
    }
    .to_vec()
}

/// The record's bytes, with the socket segment `--json` captures when `sock` is given.
fn with_sock(b: RecordBuilder, sock: Option<&[u8]>) -> Vec<u8> {
    match sock {
        Some(s) => b.seg(seg::SOCK, 0, 0, s),
        None => b,
    }
    .build()
}

/// sendmmsg of 8 messages as the bench loop sends them (loadgen sendmmsg: each message a name
/// and one iovec of the payload), with the segments in the order the kernel side writes them.
fn sendmmsg(payload: &[u8]) -> RecordBuilder {
    const N: u64 = 8;
    let mut vec = Vec::new();
    let mut exit = Vec::new();
    for i in 0..N {
        let mut h = vec![0u8; 64];
        h[..8].copy_from_slice(&(0x2000 + 16 * i).to_le_bytes());
        h[8..12].copy_from_slice(&16u32.to_le_bytes());
        h[16..24].copy_from_slice(&(0x3000 + 16 * i).to_le_bytes());
        h[24..32].copy_from_slice(&1u64.to_le_bytes());
        vec.extend_from_slice(&h);
        h[56..60].copy_from_slice(&(payload.len() as u32).to_le_bytes());
        exit.extend_from_slice(&h);
    }
    let mut b = RecordBuilder::new(EventId::Sendmmsg, [3, 0x6000, N, 0, 0, 0], N as i64).seg(
        seg::MMSGHDR,
        0,
        0x6000,
        &vec,
    );
    for i in 0..N {
        let mut iov = (0x1000 + 0x100 * i).to_le_bytes().to_vec();
        iov.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        b = b
            .seg(seg::ADDR, i as u16, 0x2000 + 16 * i, &sin(40004))
            .seg(seg::IOV, i as u16, 0x3000 + 16 * i, &iov)
            .seg(seg::IOV_DATA, (i as u16) << 8, 0x1000 + 0x100 * i, payload);
    }
    b.seg(seg::MMSGHDR_EXIT, 0, 0x6000, &exit)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    // The bench loop's payload (loadgen sends 'x' bytes); `binary` renders 0..64 instead.
    let binary = std::env::args().nth(3).as_deref() == Some("binary");
    let payload: Vec<u8> = if binary {
        (0..64u8).collect()
    } else {
        vec![b'x'; 64]
    };
    let sock = udp_sock(3);
    let mut msghdr = vec![0u8; 56];
    msghdr[..8].copy_from_slice(&0x2000u64.to_le_bytes());
    msghdr[8..12].copy_from_slice(&16u32.to_le_bytes());
    msghdr[16..24].copy_from_slice(&0x3000u64.to_le_bytes());
    msghdr[24..32].copy_from_slice(&1u64.to_le_bytes());
    let mut iov = 0x1000u64.to_le_bytes().to_vec();
    iov.extend_from_slice(&64u64.to_le_bytes());
    // Text output without -y captures no socket; --json captures it (the -yy level).
    let build = |sock: Option<&[u8]>| {
        [
            with_sock(
                RecordBuilder::new(EventId::Sendto, [3, 0x1000, 64, 0, 0x2000, 16], 64)
                    .seg(seg::BUF, 0, 0x1000, &payload)
                    .seg(seg::ADDR, 0, 0x2000, &sin(40001)),
                sock,
            ),
            with_sock(
                RecordBuilder::new(EventId::Recvfrom, [3, 0x1000, 64, 0x40, 0x2000, 0x4000], 64)
                    .seg(seg::BUF, 0, 0x1000, &payload)
                    .seg(seg::ADDRLEN_IN, 0, 0x4000, &128i32.to_ne_bytes())
                    .seg(seg::ADDRLEN_OUT, 0, 0x4000, &16i32.to_ne_bytes())
                    .seg(seg::ADDR, 0, 0x2000, &sin(40002)),
                sock,
            ),
            with_sock(
                RecordBuilder::new(EventId::Sendmsg, [3, 0x6000, 0, 0, 0, 0], 64)
                    .seg(seg::MSGHDR, 0, 0x6000, &msghdr)
                    .seg(seg::ADDR, 0, 0x2000, &sin(40003))
                    .seg(seg::IOV, 0, 0x3000, &iov)
                    .seg(seg::IOV_DATA, 0, 0x1000, &payload),
                sock,
            ),
            with_sock(sendmmsg(&payload), sock),
        ]
    };
    let captured_with_sock = build(Some(&sock));
    let captured_without = build(None);
    let only = std::env::args().nth(2);
    let pick = |records: &[Vec<u8>; 4]| -> Vec<Vec<u8>> {
        records
            .iter()
            .zip(["sendto", "recvfrom", "sendmsg", "sendmmsg"])
            .filter(|(_, name)| only.as_deref().is_none_or(|o| o == *name))
            .map(|(r, _)| r.clone())
            .collect()
    };
    let opts = RenderOpts::new(Style::default(), false, Clock { offset_ns: 0 });
    let mut out = String::with_capacity(4096);
    // RENDER_COST_ONLY=text|json: one output only (for profilers).
    let only_mode = std::env::var("RENDER_COST_ONLY").ok();
    for (name, json_mode) in [("text", false), ("json", true)] {
        if only_mode.as_deref().is_some_and(|m| m != name) {
            continue;
        }
        let records = pick(if json_mode {
            &captured_with_sock
        } else {
            &captured_without
        });
        let t0 = cpu_ns();
        let mut bytes = 0usize;
        for i in 0..n {
            // Parsing is part of the per-event cost, as in the run loop.
            out.clear();
            Record::parse_with(&records[i % records.len()], |rec| {
                if json_mode {
                    json::write_event(&mut out, rec, &opts);
                } else {
                    text::line(&mut out, rec, &opts);
                }
            })
            .unwrap();
            bytes += out.len();
            if i == 0 && std::env::var("RENDER_COST_DUMP").is_ok() {
                eprintln!("{out}");
            }
        }
        let ns = (cpu_ns() - t0) as f64 / n as f64;
        println!("{name}: {ns:.0} ns/event CPU ({n} events, {bytes} bytes)");
    }
}
