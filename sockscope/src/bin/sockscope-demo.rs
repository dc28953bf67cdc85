//! The bundled demo workload: a few messages over loopback UDP (IPv4 and IPv6), TCP and UNIX
//! sockets (a path and an abstract name), each answered, so every traced call shows up.
//! Only 127.0.0.1, ::1 and a temporary directory are used.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream, UdpSocket},
    os::{
        linux::net::SocketAddrExt,
        unix::net::{SocketAddr, UnixDatagram},
    },
};

fn main() -> std::io::Result<()> {
    // UDP over IPv4: sendto with a destination, recvfrom with the source.
    let server = UdpSocket::bind("127.0.0.1:0")?;
    let client = UdpSocket::bind("127.0.0.1:0")?;
    client.send_to(b"hello over udp\n", server.local_addr()?)?;
    let mut buf = [0u8; 64];
    let (n, from) = server.recv_from(&mut buf)?;
    server.send_to(&buf[..n], from)?;
    client.recv_from(&mut buf)?;

    // UDP over IPv6 loopback (skipped quietly where IPv6 is disabled).
    if let (Ok(s6), Ok(c6)) = (UdpSocket::bind("[::1]:0"), UdpSocket::bind("[::1]:0")) {
        c6.send_to(b"hello over udp6", s6.local_addr()?)?;
        s6.recv_from(&mut buf)?;
    }

    // TCP: a connected stream; libc's send/recv arrive as sendto/recvfrom with NULL addresses.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut out = TcpStream::connect(listener.local_addr()?)?;
    let (mut inc, _) = listener.accept()?;
    out.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
    let n = inc.read(&mut buf)?;
    inc.write_all(&buf[..n])?;
    let _ = out.read(&mut buf)?;

    // UNIX datagrams: a path and an abstract name.
    let dir = std::env::temp_dir().join(format!("sockscope-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("server.sock");
    let userver = UnixDatagram::bind(&path)?;
    let uclient = UnixDatagram::unbound()?;
    uclient.send_to(b"hello over a unix path\0", &path)?;
    userver.recv_from(&mut buf)?;
    let abs = SocketAddr::from_abstract_name(b"sockscope-demo")?;
    let aserver = UnixDatagram::bind_addr(&abs)?;
    uclient.send_to_addr(b"\x01\x02 abstract", &abs)?;
    aserver.recv_from(&mut buf)?;
    std::fs::remove_dir_all(&dir)?;

    msg_calls()?;
    println!("demo: exchanged messages over UDP, UDPv6, TCP and UNIX sockets, with all six calls");
    Ok(())
}

/// sendmsg/recvmsg with two iovecs and a descriptor passed as SCM_RIGHTS over a UNIX socket
/// pair, then sendmmsg/recvmmsg of two datagrams over loopback UDP. libc directly: std has no
/// stable ancillary-data API.
fn msg_calls() -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let check = |r: libc::c_int| {
        if r < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(r)
        }
    };
    let mut sv = [0; 2];
    // SAFETY: plain socket calls on buffers that outlive them.
    unsafe {
        check(libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_DGRAM,
            0,
            sv.as_mut_ptr(),
        ))?;
        let (a, b) = (b"passing ", b"a descriptor");
        let mut iov = [
            libc::iovec {
                iov_base: a.as_ptr() as *mut _,
                iov_len: a.len(),
            },
            libc::iovec {
                iov_base: b.as_ptr() as *mut _,
                iov_len: b.len(),
            },
        ];
        let mut control = [0u64; 4];
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = iov.as_mut_ptr();
        msg.msg_iovlen = 2;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = libc::CMSG_SPACE(4) as usize;
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(4) as usize;
        *(libc::CMSG_DATA(cmsg) as *mut i32) = 1;
        check(libc::sendmsg(sv[0], &msg, 0) as libc::c_int)?;
        let mut buf = [0u8; 64];
        let mut riov = [libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        }];
        let mut rcontrol = [0u64; 8];
        let mut rmsg: libc::msghdr = std::mem::zeroed();
        rmsg.msg_iov = riov.as_mut_ptr();
        rmsg.msg_iovlen = 1;
        rmsg.msg_control = rcontrol.as_mut_ptr().cast();
        rmsg.msg_controllen = std::mem::size_of_val(&rcontrol);
        check(libc::recvmsg(sv[1], &mut rmsg, 0) as libc::c_int)?;
        let passed = *(libc::CMSG_DATA(libc::CMSG_FIRSTHDR(&rmsg)) as *const i32);
        libc::close(passed);
        libc::close(sv[0]);
        libc::close(sv[1]);

        let server = UdpSocket::bind("127.0.0.1:0")?;
        let client = UdpSocket::bind("127.0.0.1:0")?;
        client.connect(server.local_addr()?)?;
        let parts: [&[u8]; 2] = [b"first of two", b"second of two"];
        let mut iovs: Vec<libc::iovec> = parts
            .iter()
            .map(|p| libc::iovec {
                iov_base: p.as_ptr() as *mut _,
                iov_len: p.len(),
            })
            .collect();
        let mut msgs: [libc::mmsghdr; 2] = std::mem::zeroed();
        for (m, iov) in msgs.iter_mut().zip(iovs.iter_mut()) {
            m.msg_hdr.msg_iov = iov;
            m.msg_hdr.msg_iovlen = 1;
        }
        check(libc::sendmmsg(client.as_raw_fd(), msgs.as_mut_ptr(), 2, 0))?;
        let mut bufs = [[0u8; 32]; 2];
        let mut riovs: Vec<libc::iovec> = bufs
            .iter_mut()
            .map(|b| libc::iovec {
                iov_base: b.as_mut_ptr().cast(),
                iov_len: b.len(),
            })
            .collect();
        let mut rmsgs: [libc::mmsghdr; 2] = std::mem::zeroed();
        for (m, iov) in rmsgs.iter_mut().zip(riovs.iter_mut()) {
            m.msg_hdr.msg_iov = iov;
            m.msg_hdr.msg_iovlen = 1;
        }
        check(libc::recvmmsg(
            server.as_raw_fd(),
            rmsgs.as_mut_ptr(),
            2,
            libc::MSG_WAITFORONE,
            std::ptr::null_mut(),
        ))?;
    }
    Ok(())
}
