//! Per-flow counters kept in the kernel (`sockscope top`, `--summary flows`).
//!
//! The `sock:sock_send_length` / `sock:sock_recv_length` tracepoints fire once per socket send
//! or receive (whatever the syscall: send*, recv*, read/write, readv/writev, sendfile, splice,
//! io_uring), after the protocol ran, with the socket, the result and the receive flags. The
//! programs count into one [`FlowVal`] per [`FlowKey`] (process × socket); user space reads the
//! map once a second. Nothing per call crosses to user space.

use crate::UNIX_PATH_MAX;

/// A flow: one socket as used by one process. The socket is its `struct sock` address and
/// its inode number (so that a freed and reused `struct sock` starts a new flow).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FlowKey {
    pub tgid: u32,
    pub _pad: u32,
    pub sk: u64,
    /// The socket's inode number (0: the socket has no file, or unknown on this kernel).
    pub ino: u64,
}

/// `FlowVal::known` bits.
pub mod fk {
    /// family, state, ports and addresses read.
    pub const COMMON: u8 = 1 << 0;
    /// protocol and sk_type read.
    pub const PROTO: u8 = 1 << 1;
    /// AF_UNIX: the socket's own address read (unix_len 0: unbound).
    pub const UNIX_ADDR: u8 = 1 << 2;
    /// AF_UNIX: the peer read (peer_ino 0: none; peer_len 0: the peer is unbound).
    pub const UNIX_PEER: u8 = 1 << 3;
    /// AF_NETLINK: portid read.
    pub const NETLINK: u8 = 1 << 4;
    /// AF_UNIX: the socket has a peer (its inode may still be 0: a connection not accepted
    /// yet has no file).
    pub const UNIX_HAS_PEER: u8 = 1 << 5;
}

/// What the kernel counted for a flow, and its endpoints as read from `struct sock`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct FlowVal {
    pub bytes_sent: u64,
    pub bytes_recv: u64,
    pub calls_sent: u64,
    pub calls_recv: u64,
    /// Sends and receives that returned an error.
    pub errors: u64,
    /// CLOCK_MONOTONIC ns of the first and the last send/receive.
    pub first_ns: u64,
    pub last_ns: u64,
    /// AF_UNIX: the peer's inode number.
    pub peer_ino: u64,
    /// The process name at the first send/receive.
    pub comm: [u8; crate::COMM_LEN],
    pub family: u16,
    pub protocol: u16,
    pub sk_type: u16,
    /// Local and remote port, host order.
    pub lport: u16,
    pub rport: u16,
    pub state: u8,
    /// `fk::*` bits.
    pub known: u8,
    /// AF_NETLINK: port id.
    pub portid: u32,
    /// Local / remote address: IPv4 in the first 4 bytes, or IPv6.
    pub laddr: [u8; 16],
    pub raddr: [u8; 16],
    /// AF_UNIX: unix_address.len of the socket and of its peer (sockaddr_un bytes; 0: none).
    pub unix_len: u32,
    pub peer_unix_len: u32,
    pub unix_path: [u8; UNIX_PATH_MAX],
    pub peer_path: [u8; UNIX_PATH_MAX],
}

pub const FLOW_VAL_SIZE: usize = core::mem::size_of::<FlowVal>();

/// Load-time configuration of the flow programs (the `FLOW_CONFIG` global).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct FlowConfig {
    /// Offsets of `sk`, `ret` and `flags` in the sock_*_length records (from tracefs).
    pub off_sk: u32,
    pub off_ret: u32,
    pub off_flags: u32,
    pub _pad: u32,
}

/// Most flows kept; past it new flows are counted in `FLOW_LOST` and not kept.
pub const MAX_FLOWS: u32 = 65536;

// SAFETY: repr(C) plain data, valid for any bit pattern.
#[cfg(feature = "user")]
unsafe impl aya::Pod for FlowKey {}
// SAFETY: as above.
#[cfg(feature = "user")]
unsafe impl aya::Pod for FlowVal {}
// SAFETY: as above.
#[cfg(feature = "user")]
unsafe impl aya::Pod for FlowConfig {}
