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
    println!("demo: exchanged messages over UDP, UDPv6, TCP and UNIX sockets");
    Ok(())
}
