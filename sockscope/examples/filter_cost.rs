//! `--filter` cost per event, without the kernel: evaluates a few typical expressions on a
//! fixed mix of synthetic records (sendto to 10.1.2.3:53, recvfrom from 127.0.0.1, sendmsg to
//! a UNIX path, a failed sendto) N times each and prints the CPU ns per evaluation.
//! `cargo run --release -p sockscope --example filter_cost [N]`
use sockscope::render::cpu_ns;
use sockscope::{
    filter::Filter,
    record::{Record, RecordBuilder},
};
use sockscope_common::{EventId, seg};

fn sin(ip: [u8; 4], port: u16) -> Vec<u8> {
    let mut a = vec![2, 0];
    a.extend_from_slice(&port.to_be_bytes());
    a.extend_from_slice(&ip);
    a.extend_from_slice(&[0; 8]);
    a
}

fn with_comm(mut b: RecordBuilder, comm: &[u8]) -> RecordBuilder {
    let h = b.header_mut();
    h.comm = [0; 16];
    h.comm[..comm.len()].copy_from_slice(comm);
    b
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000_000);
    let payload: Vec<u8> = (0..64u8).collect();
    let dns = sin([10, 1, 2, 3], 53);
    let lo = sin([127, 0, 0, 1], 40002);
    let mut sun = vec![1, 0];
    sun.extend_from_slice(b"/run/systemd/journal/socket\0");
    let mut msghdr = vec![0u8; 56];
    msghdr[..8].copy_from_slice(&0x2000u64.to_le_bytes());
    msghdr[8..12].copy_from_slice(&(sun.len() as u32).to_le_bytes());
    msghdr[16..24].copy_from_slice(&0x3000u64.to_le_bytes());
    msghdr[24..32].copy_from_slice(&1u64.to_le_bytes());
    let mut iov = 0x1000u64.to_le_bytes().to_vec();
    iov.extend_from_slice(&64u64.to_le_bytes());
    let records = [
        with_comm(
            RecordBuilder::new(EventId::Sendto, [3, 0x1000, 64, 0, 0x2000, 16], 64)
                .seg(seg::BUF, 0, 0x1000, &payload)
                .seg(seg::ADDR, 0, 0x2000, &dns)
                .seg(seg::ADDR_EXIT, 0, 0x2000, &dns),
            b"nginx-worker",
        )
        .build(),
        with_comm(
            RecordBuilder::new(EventId::Recvfrom, [3, 0x1000, 64, 0x40, 0x2000, 0x4000], 64)
                .seg(seg::BUF, 0, 0x1000, &payload)
                .seg(seg::ADDRLEN_IN, 0, 0x4000, &128i32.to_ne_bytes())
                .seg(seg::ADDRLEN_OUT, 0, 0x4000, &16i32.to_ne_bytes())
                .seg(seg::ADDR, 0, 0x2000, &lo),
            b"systemd-resolve",
        )
        .build(),
        with_comm(
            RecordBuilder::new(EventId::Sendmsg, [3, 0x6000, 0, 0, 0, 0], 64)
                .seg(seg::MSGHDR, 0, 0x6000, &msghdr)
                .seg(seg::ADDR, 0, 0x2000, &sun)
                .seg(seg::ADDR_EXIT, 0, 0x2000, &sun)
                .seg(seg::IOV, 0, 0x3000, &iov)
                .seg(seg::IOV_DATA, 0, 0x1000, &payload),
            b"journal-client",
        )
        .build(),
        with_comm(
            RecordBuilder::new(EventId::Sendto, [3, 0x1000, 64, 0x40, 0x2000, 16], -11)
                .seg(seg::BUF, 0, 0x1000, &payload)
                .seg(seg::ADDR, 0, 0x2000, &lo)
                .seg(seg::ADDR_EXIT, 0, 0x2000, &lo),
            b"curl",
        )
        .build(),
    ];
    let parsed: Vec<Record> = records.iter().map(|r| Record::parse(r).unwrap()).collect();
    let exprs = [
        "dst in 10.0.0.0/8",
        "addr in {192.168.0.0/16, 172.16.0.0/12, fe80::/10, 127.0.0.1}",
        "comm ~ \"nginx*\"",
        "comm ~ \"*resolve*\"",
        "addr ~ \"/run/*\"",
        "dport == 53 || sport == 53",
        "event in {sendto, sendmsg} && dst in 10.0.0.0/8",
        "failed && errno != EAGAIN",
    ];
    for e in exprs {
        let f = Filter::parse(e).unwrap();
        let t0 = cpu_ns();
        let mut hits = 0usize;
        for i in 0..n {
            hits += f.matches(std::hint::black_box(&parsed[i % parsed.len()])) as usize;
        }
        let ns = (cpu_ns() - t0) as f64 / n as f64;
        println!("{ns:6.1} ns/eval  {hits:>8} hits  {e}");
    }
}
