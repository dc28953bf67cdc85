//! Rendering cost per event, without the kernel: renders a fixed mix of synthetic records
//! (sendto with a 64-byte payload and an address, recvfrom with its socket lengths, sendmsg
//! with a name and one iovec) N times as text and as JSON and prints the CPU ns per event.
//! `cargo run --release -p sockscope --example render_cost [N] [sendto|recvfrom|sendmsg]`
//! (the second argument renders that record only).
use sockscope::render::cpu_ns;
use sockscope::{
    decode::Style,
    record::{Record, RecordBuilder},
    render::{Clock, RenderOpts, json, text},
};
use sockscope_common::{EventId, seg};

fn sin(port: u16) -> Vec<u8> {
    let mut a = vec![2, 0];
    a.extend_from_slice(&port.to_be_bytes());
    a.extend_from_slice(&[127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    a
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let payload: Vec<u8> = (0..64u8).collect();
    let mut msghdr = vec![0u8; 56];
    msghdr[..8].copy_from_slice(&0x2000u64.to_le_bytes());
    msghdr[8..12].copy_from_slice(&16u32.to_le_bytes());
    msghdr[16..24].copy_from_slice(&0x3000u64.to_le_bytes());
    msghdr[24..32].copy_from_slice(&1u64.to_le_bytes());
    let mut iov = 0x1000u64.to_le_bytes().to_vec();
    iov.extend_from_slice(&64u64.to_le_bytes());
    let records = [
        RecordBuilder::new(EventId::Sendto, [3, 0x1000, 64, 0, 0x2000, 16], 64)
            .seg(seg::BUF, 0, 0x1000, &payload)
            .seg(seg::ADDR, 0, 0x2000, &sin(40001))
            .seg(seg::ADDR_EXIT, 0, 0x2000, &sin(40001))
            .build(),
        RecordBuilder::new(EventId::Recvfrom, [3, 0x1000, 64, 0x40, 0x2000, 0x4000], 64)
            .seg(seg::BUF, 0, 0x1000, &payload)
            .seg(seg::ADDRLEN_IN, 0, 0x4000, &128i32.to_ne_bytes())
            .seg(seg::ADDRLEN_OUT, 0, 0x4000, &16i32.to_ne_bytes())
            .seg(seg::ADDR, 0, 0x2000, &sin(40002))
            .build(),
        RecordBuilder::new(EventId::Sendmsg, [3, 0x6000, 0, 0, 0, 0], 64)
            .seg(seg::MSGHDR, 0, 0x6000, &msghdr)
            .seg(seg::ADDR, 0, 0x2000, &sin(40003))
            .seg(seg::ADDR_EXIT, 0, 0x2000, &sin(40003))
            .seg(seg::IOV, 0, 0x3000, &iov)
            .seg(seg::IOV_DATA, 0, 0x1000, &payload)
            .build(),
    ];
    let only = std::env::args().nth(2);
    let records: Vec<&Vec<u8>> = records
        .iter()
        .zip(["sendto", "recvfrom", "sendmsg"])
        .filter(|(_, name)| only.as_deref().is_none_or(|o| o == *name))
        .map(|(r, _)| r)
        .collect();
    let opts = RenderOpts::new(Style::default(), false, Clock { offset_ns: 0 });
    let mut out = String::with_capacity(4096);
    for (name, json_mode) in [("text", false), ("json", true)] {
        let t0 = cpu_ns();
        let mut bytes = 0usize;
        for i in 0..n {
            // Parsing is part of the per-event cost, as in the run loop.
            let rec = Record::parse(records[i % records.len()]).unwrap();
            out.clear();
            if json_mode {
                json::write_event(&mut out, &rec, &opts);
            } else {
                text::line(&mut out, &rec, &opts);
            }
            bytes += out.len();
        }
        let ns = (cpu_ns() - t0) as f64 / n as f64;
        println!("{name}: {ns:.0} ns/event CPU ({n} events, {bytes} bytes)");
    }
}
