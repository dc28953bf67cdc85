//! A fixed corpus of synthetic records for the JSON tests and `examples/json_corpus`: every
//! call, random but reproducible arguments and segments (socket addresses of every family,
//! msghdrs, iovecs, cmsgs, mmsghdr vectors, timeouts, socket identities, faults, truncations),
//! each with its own output settings ([`opts`]). Test data, not used by the tool.

use sockscope_common::{EventId, SockInfo, seg};

use crate::{
    decode::Style,
    record::RecordBuilder,
    render::{Clock, RenderOpts},
};

/// The corpus's random source (xorshift64*), from a fixed seed.
pub fn rng() -> Rng {
    Rng(0x5eed_1234_abcd_0001)
}

/// The output settings of record `i`: -s 4096 or 32, -T on every fifth, -y level i % 3.
pub fn opts(i: usize) -> RenderOpts {
    let style = Style {
        max_strlen: if i.is_multiple_of(3) { 4096 } else { 32 },
        ..Style::default()
    };
    RenderOpts::new(style, i.is_multiple_of(5), Clock { offset_ns: 0 }).with_yflag((i % 3) as u8)
}

pub struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len() as u64) as usize]
    }
}

fn sockaddr(r: &mut Rng) -> Vec<u8> {
    let mut a = match r.below(8) {
        0 => {
            let mut a = vec![2, 0];
            a.extend_from_slice(&(r.below(65536) as u16).to_be_bytes());
            a.extend_from_slice(&[127, 0, 0, r.below(256) as u8]);
            a.extend_from_slice(&[0; 8]);
            a
        }
        1 => {
            let mut a = vec![10, 0];
            a.extend_from_slice(&(r.below(65536) as u16).to_be_bytes());
            a.extend_from_slice(&(r.below(3) as u32).to_be_bytes());
            let mut ip = [0u8; 16];
            match r.below(4) {
                0 => ip[15] = 1,
                1 => ip[10..16].copy_from_slice(&[0xff, 0xff, 127, 0, 0, 1]),
                2 => ip[12..16].copy_from_slice(&[1, 2, 3, 4]),
                _ => ip = r.bytes(16).try_into().unwrap(),
            }
            a.extend_from_slice(&ip);
            a.extend_from_slice(&(r.below(3) as u32).to_le_bytes());
            a
        }
        2 => {
            let mut a = vec![1, 0];
            if r.chance(30) {
                a.push(0);
            }
            let name = r.pick(&[&b"/tmp/sock"[..], b"x\xffy", b"", b"abc\0def"]);
            a.extend_from_slice(name);
            if r.chance(50) {
                a.push(0);
            }
            a
        }
        3 => {
            let mut a = vec![16, 0, 0, 0];
            a.extend_from_slice(&(r.below(5000) as u32).to_le_bytes());
            a.extend_from_slice(&(r.below(4) as u32).to_le_bytes());
            a
        }
        4 => {
            let mut a = vec![17, 0, 8, 0];
            a.extend_from_slice(&(r.below(4) as u32).to_le_bytes());
            a.extend_from_slice(&1u16.to_le_bytes());
            a.push(r.below(5) as u8);
            a.push(r.below(9) as u8);
            a.extend_from_slice(&r.bytes(8));
            a
        }
        5 => {
            let mut a = vec![40, 0, 0, 0];
            a.extend_from_slice(&(r.below(5000) as u32).to_le_bytes());
            a.extend_from_slice(&(r.below(5) as u32).to_le_bytes());
            a.push(r.below(2) as u8);
            a.extend_from_slice(&[0; 3]);
            a
        }
        6 => {
            let mut a = vec![r.below(50) as u8, 0];
            a.extend_from_slice(&r.bytes(14));
            a
        }
        _ => {
            let n = r.below(20) as usize;
            r.bytes(n)
        }
    };
    if r.chance(20) {
        let n = r.below(a.len() as u64 + 1) as usize;
        a.truncate(n);
    }
    a
}

fn cmsgs(r: &mut Rng) -> Vec<u8> {
    let mut c = Vec::new();
    for _ in 0..r.below(4) {
        let (level, ctype) = match r.below(4) {
            0 => (1u32, r.pick(&[1u32, 2, 29, 35, 37, 65, 77, 7])),
            1 => (0, r.pick(&[1u32, 2, 7, 8, 11, 15, 99])),
            2 => (41, r.pick(&[50u32, 52, 67, 11, 8])),
            _ => (r.below(300) as u32, r.below(80) as u32),
        };
        let dlen = r.pick(&[0usize, 4, 8, 12, 16, 20, 28, 48, 64]);
        let len = if r.chance(10) {
            r.below(100)
        } else {
            16 + dlen as u64
        };
        c.extend_from_slice(&len.to_le_bytes());
        c.extend_from_slice(&level.to_le_bytes());
        c.extend_from_slice(&ctype.to_le_bytes());
        let mut d = r.bytes(dlen);
        if r.chance(30) && dlen >= 18 {
            d[16..18].copy_from_slice(&2u16.to_le_bytes());
        }
        c.extend_from_slice(&d);
        c.resize(c.len().div_ceil(8) * 8, 0);
    }
    if r.chance(20) {
        let n = r.below(c.len() as u64 + 1) as usize;
        c.truncate(n);
    }
    c
}

fn msghdr(r: &mut Rng, name: u64, iov: u64, control: u64) -> Vec<u8> {
    let mut h = vec![0u8; 56];
    if r.chance(80) {
        h[..8].copy_from_slice(&name.to_le_bytes());
    }
    h[8..12].copy_from_slice(&(r.pick(&[0u32, 3, 16, 28, 110, 128])).to_le_bytes());
    if r.chance(90) {
        h[16..24].copy_from_slice(&iov.to_le_bytes());
    }
    h[24..32].copy_from_slice(&r.below(4).to_le_bytes());
    if r.chance(50) {
        h[32..40].copy_from_slice(&control.to_le_bytes());
        h[40..48].copy_from_slice(&r.pick(&[0u64, 16, 24, 64, 200]).to_le_bytes());
    }
    h[48..52].copy_from_slice(&(r.pick(&[0u32, 0x40, 0x8, 0x100000, 0x20])).to_le_bytes());
    h
}

fn iovs(r: &mut Rng, n: usize, base: u64) -> Vec<u8> {
    let mut v = Vec::new();
    for i in 0..n {
        let b = if r.chance(10) {
            0
        } else {
            base + i as u64 * 0x100
        };
        v.extend_from_slice(&b.to_le_bytes());
        v.extend_from_slice(&r.pick(&[0u64, 1, 5, 64, 300]).to_le_bytes());
    }
    v
}

fn sock_info(r: &mut Rng, fd: i32) -> Vec<u8> {
    // SAFETY: plain data, all-zero is valid.
    let mut i: SockInfo = unsafe { std::mem::zeroed() };
    i.known = r.next() as u32 | if r.chance(70) { 0x3f } else { 0 };
    i.fd = fd;
    i.ino = r.below(100000);
    i.mode = r.pick(&[0o140777u16, 0o100644, 0o020666, 0o010600, 0]);
    i.sock_type = r.pick(&[1u16, 2, 3, 5, 99]);
    i.rdev = r.next() as u32;
    i.family = r.pick(&[2u16, 10, 1, 16, 17, 40, 77]);
    i.state = r.below(12) as u8;
    i.protocol = r.pick(&[0u16, 6, 17, 255]);
    i.num = r.below(65536) as u16;
    i.dport_be = if r.chance(50) {
        0
    } else {
        r.below(65536) as u16
    };
    i.rcv_saddr = [127, 0, 0, 1];
    i.daddr = if r.chance(50) { [0; 4] } else { [127, 0, 0, 2] };
    i.v6_daddr[15] = r.below(2) as u8;
    i.peer_ino = r.below(3) * 1000;
    i.portid = r.below(5000) as u32;
    let path = r.pick(&[&b"\0abstract"[..], b"/run/x.sock", b"", b"bad\xff"]);
    i.unix_path[..path.len()].copy_from_slice(path);
    i.unix_len = 2 + path.len() as u32 + r.below(2) as u32;
    // SAFETY: SockInfo is repr(C) plain data.
    unsafe {
        std::slice::from_raw_parts(
            (&i as *const SockInfo).cast::<u8>(),
            std::mem::size_of::<SockInfo>(),
        )
    }
    .to_vec()
}

/// The next record of the corpus (its bytes as the kernel side writes them).
pub fn record(r: &mut Rng) -> Vec<u8> {
    const BUF: u64 = 0x1000;
    const ADDR: u64 = 0x2000;
    const LEN: u64 = 0x2800;
    const IOV: u64 = 0x3000;
    const CTL: u64 = 0x4000;
    const MSG: u64 = 0x6000;
    const TS: u64 = 0x7000;
    let ev = r.pick(&EventId::ALL);
    let ret = match r.below(5) {
        0 => -(r.below(140) as i64),
        1 => 0,
        _ => r.below(400) as i64,
    };
    let ptr = |r: &mut Rng, p: u64| if r.chance(15) { 0 } else { p };
    let args = [
        r.pick(&[3u64, 4, 0xffff_ffff, 7]),
        ptr(
            r,
            match ev {
                EventId::Sendmsg | EventId::Recvmsg | EventId::Sendmmsg | EventId::Recvmmsg => MSG,
                EventId::Readv | EventId::Writev | EventId::Preadv2 | EventId::Pwritev2 => IOV,
                EventId::Sendfile | EventId::Splice => 5,
                _ => BUF,
            },
        ),
        r.pick(&[0u64, 1, 2, 3, 64, 300, 1 << 40]),
        r.pick(&[0u64, 0x40, 0x4000, 0x1_0000_0000, 5, 0xffff_ffff_ffff_ffff]),
        ptr(r, if ev == EventId::Recvmmsg { TS } else { ADDR }),
        r.pick(&[0u64, 16, LEN, 28, 0x8]),
    ];
    let mut b = RecordBuilder::new(ev, args, ret);
    {
        let h = b.header_mut();
        h.tgid = 0x7fff_fff0;
        h.tid = h.tgid + r.below(3) as u32;
        h.ppid = 1;
        h.uid = r.below(2) as u32 * 1000;
        h.cpu = r.below(4) as u32;
        h.ts_ns = r.next() >> 8;
        h.duration_ns = r.below(1 << 20);
        h.cgroup_id = r.below(1 << 16);
        if r.chance(5) {
            h.flags |= sockscope_common::RF_KILLED;
        }
        if r.chance(5) {
            h.flags |= sockscope_common::RF_SEGS_TRUNCATED;
        }
        if r.chance(5) {
            h.comm[..6].copy_from_slice(b"a\xffb\x01\"c");
        }
    }
    let nseg = r.below(12);
    for _ in 0..nseg {
        let kind = r.pick(&[
            seg::BUF,
            seg::BUF_EXIT,
            seg::BUF_MORE,
            seg::ADDR,
            seg::ADDR_EXIT,
            seg::ADDRLEN_IN,
            seg::ADDRLEN_OUT,
            seg::MSGHDR,
            seg::MSGHDR_EXIT,
            seg::IOV,
            seg::IOV_DATA,
            seg::IOV_DATA_MORE,
            seg::CONTROL,
            seg::MMSGHDR,
            seg::MMSGHDR_EXIT,
            seg::TIMESPEC,
            seg::TIMESPEC_EXIT,
            seg::SOCK,
            seg::LOFF,
            seg::PATH,
        ]);
        let index = r.pick(&[0u16, 0, 0, 1, 2]);
        if r.chance(8) {
            b = b.fault(kind, index, BUF);
            continue;
        }
        if r.chance(4) {
            b = b.null(kind, index);
            continue;
        }
        let (addr, data) = match kind {
            seg::BUF | seg::BUF_EXIT | seg::BUF_MORE | seg::IOV_DATA | seg::IOV_DATA_MORE => {
                let n = r.pick(&[0usize, 1, 5, 32, 64, 300]);
                (BUF, r.bytes(n))
            }
            seg::ADDR | seg::ADDR_EXIT => (ADDR, sockaddr(r)),
            seg::ADDRLEN_IN | seg::ADDRLEN_OUT => (
                LEN,
                (r.pick(&[0i32, 2, 16, 28, 128, -1])).to_ne_bytes().to_vec(),
            ),
            seg::MSGHDR | seg::MSGHDR_EXIT => {
                let mut h = msghdr(r, ADDR, IOV, CTL);
                if r.chance(10) {
                    h.truncate(r.below(56) as usize);
                }
                (MSG, h)
            }
            seg::IOV => {
                let n = r.below(4) as usize;
                (IOV, iovs(r, n, BUF))
            }
            seg::CONTROL => (CTL, cmsgs(r)),
            seg::MMSGHDR | seg::MMSGHDR_EXIT => {
                let mut v = Vec::new();
                for _ in 0..r.below(4) {
                    v.extend_from_slice(&msghdr(r, ADDR, IOV, CTL));
                    v.extend_from_slice(&(r.below(100) as u32).to_le_bytes());
                    v.extend_from_slice(&[0; 4]);
                }
                (MSG, v)
            }
            seg::TIMESPEC | seg::TIMESPEC_EXIT => {
                let mut v = r.below(10).to_le_bytes().to_vec();
                v.extend_from_slice(&r.below(1_000_000_000).to_le_bytes());
                (TS, v)
            }
            seg::SOCK => (0, sock_info(r, args[index as usize % 6] as i32)),
            seg::LOFF => (ADDR, r.below(1 << 20).to_le_bytes().to_vec()),
            _ => {
                let n = r.below(40) as usize;
                (0, r.bytes(n))
            }
        };
        b = b.seg(kind, index, addr, &data);
    }
    b.build()
}
