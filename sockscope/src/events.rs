//! The one table of events: names, arguments (name, C type, tags, decoder), hooks and related
//! events. The decoder, the text and JSON renderers, the JSON schema and `sockscope events` all
//! read it; nothing else lists events or their arguments.

use serde::Serialize;
use sockscope_common::EventId;

/// Where an argument's value comes from (the seed document's tags).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Tag {
    /// Originated from user space (e.g. a pointer to user memory used to get it).
    U,
    /// Originated from kernel space (e.g. bytes the kernel wrote into a receive buffer).
    K,
    /// Vulnerable to time-of-check / time-of-use: the caller can change it during the call.
    TOCTOU,
    /// Optional: may be NULL / absent.
    OPT,
}

impl Tag {
    pub fn describe(self) -> &'static str {
        match self {
            Tag::U => "originated from user space",
            Tag::K => "originated from kernel space",
            Tag::TOCTOU => "vulnerable to TOCTOU (time of check, time of use)",
            Tag::OPT => "optional, might not always be available (NULL)",
        }
    }
}

/// How an argument is decoded and rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Decoder {
    /// A file descriptor (with `-y`/`-yy` its socket).
    Fd,
    /// Bytes the caller sends; length in the `len` argument.
    SendBuf,
    /// Bytes the kernel wrote; length from the return value (bounded by `len`).
    RecvBuf,
    /// An unsigned size.
    Size,
    /// An unsigned count (vlen).
    Count,
    /// MSG_* flags.
    MsgFlags,
    /// A socket address the caller passes, with its length in the next argument.
    SockaddrIn,
    /// A signed int length (sendto's addrlen).
    SockLen,
    /// A socket address the kernel fills in, with an in/out length pointer next.
    SockaddrOut,
    /// An `int *` length updated by the kernel (`[in => out]`).
    SockLenPtr,
    /// struct msghdr sent.
    MsghdrSend,
    /// struct msghdr received into.
    MsghdrRecv,
    /// struct mmsghdr vector sent.
    MmsghdrSend,
    /// struct mmsghdr vector received into.
    MmsghdrRecv,
    /// recvmmsg's struct timespec timeout.
    Timeout,
    /// writev's iovec array (every iovec's bytes).
    IovSend,
    /// readv's iovec array (bytes up to the return value; bases as pointers on failure).
    IovRecv,
    /// sendfile's `loff_t *offset`: `[in] => [out]` (unsigned).
    LoffInOut,
    /// splice's `loff_t *` offsets (signed), shown as at entry.
    Loff,
    /// splice's SPLICE_F_* flags.
    SpliceFlags,
    /// preadv2/pwritev2's offset (a signed 64-bit value).
    Offset,
    /// preadv2/pwritev2's RWF_* flags.
    RwfFlags,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArgDef {
    /// Name as in the seed document / Tracee.
    pub name: &'static str,
    /// C type as Tracee reports it.
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub tags: &'static [Tag],
    pub decoder: Decoder,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDef {
    #[serde(skip)]
    pub id: EventId,
    pub name: &'static str,
    /// x86-64 syscall number.
    pub syscall_nr: u32,
    pub args: &'static [ArgDef],
    /// The tracepoints the event's programs attach to (category, name).
    pub hooks: &'static [(&'static str, &'static str)],
    pub purpose: &'static str,
    pub related: &'static [&'static str],
}

impl EventDef {
    /// The eBPF program names: the tracepoint names (sys_enter_X, sys_exit_X).
    pub fn programs(&self) -> impl Iterator<Item = (&'static str, &'static str)> {
        self.hooks.iter().copied()
    }
}

use Decoder::*;
use Tag::*;

const fn a(name: &'static str, ty: &'static str, tags: &'static [Tag], decoder: Decoder) -> ArgDef {
    ArgDef {
        name,
        ty,
        tags,
        decoder,
    }
}

pub static EVENTS: [EventDef; 14] = [
    EventDef {
        id: EventId::Sendto,
        name: "sendto",
        syscall_nr: 44,
        args: &[
            a("sockfd", "int", &[U], Fd),
            a("buf", "void*", &[U, TOCTOU], SendBuf),
            a("len", "size_t", &[U], Size),
            a("flags", "int", &[U], MsgFlags),
            a(
                "dest_addr",
                "struct sockaddr*",
                &[U, TOCTOU, OPT],
                SockaddrIn,
            ),
            a("addrlen", "int", &[U], SockLen),
        ],
        hooks: &[
            ("syscalls", "sys_enter_sendto"),
            ("syscalls", "sys_exit_sendto"),
        ],
        purpose: "Tracking the flow of messages sent via sockets.",
        related: &["recvfrom", "sendmsg", "recvmsg", "sendmmsg"],
    },
    EventDef {
        id: EventId::Recvfrom,
        name: "recvfrom",
        syscall_nr: 45,
        args: &[
            a("sockfd", "int", &[U], Fd),
            a("buf", "void*", &[K], RecvBuf),
            a("len", "size_t", &[U], Size),
            a("flags", "int", &[U], MsgFlags),
            a("src_addr", "struct sockaddr*", &[K, OPT], SockaddrOut),
            a("addrlen", "int*", &[U, K, OPT], SockLenPtr),
        ],
        hooks: &[
            ("syscalls", "sys_enter_recvfrom"),
            ("syscalls", "sys_exit_recvfrom"),
        ],
        purpose: "Tracking the flow of messages received via sockets.",
        related: &["sendto", "recvmsg", "recvmmsg"],
    },
    EventDef {
        id: EventId::Sendmsg,
        name: "sendmsg",
        syscall_nr: 46,
        args: &[
            a("sockfd", "int", &[U], Fd),
            a("msg", "struct msghdr*", &[U, TOCTOU], MsghdrSend),
            a("flags", "int", &[U], MsgFlags),
        ],
        hooks: &[
            ("syscalls", "sys_enter_sendmsg"),
            ("syscalls", "sys_exit_sendmsg"),
        ],
        purpose: "Tracking messages, with ancillary data, sent via sockets.",
        related: &["sendto", "recvmsg", "sendmmsg"],
    },
    EventDef {
        id: EventId::Recvmsg,
        name: "recvmsg",
        syscall_nr: 47,
        args: &[
            a("sockfd", "int", &[U], Fd),
            a("msg", "struct msghdr*", &[U, K], MsghdrRecv),
            a("flags", "int", &[U], MsgFlags),
        ],
        hooks: &[
            ("syscalls", "sys_enter_recvmsg"),
            ("syscalls", "sys_exit_recvmsg"),
        ],
        purpose: "Tracking messages, with ancillary data, received via sockets.",
        related: &["recvfrom", "sendmsg", "recvmmsg"],
    },
    EventDef {
        id: EventId::Sendmmsg,
        name: "sendmmsg",
        syscall_nr: 307,
        args: &[
            a("sockfd", "int", &[U], Fd),
            a("msgvec", "struct mmsghdr*", &[U, TOCTOU], MmsghdrSend),
            a("vlen", "unsigned int", &[U], Count),
            a("flags", "int", &[U], MsgFlags),
        ],
        hooks: &[
            ("syscalls", "sys_enter_sendmmsg"),
            ("syscalls", "sys_exit_sendmmsg"),
        ],
        purpose: "Tracking batches of messages sent via sockets.",
        related: &["sendmsg", "recvmmsg", "sendto"],
    },
    EventDef {
        id: EventId::Recvmmsg,
        name: "recvmmsg",
        syscall_nr: 299,
        args: &[
            a("sockfd", "int", &[U], Fd),
            a("msgvec", "struct mmsghdr*", &[U, K], MmsghdrRecv),
            a("vlen", "unsigned int", &[U], Count),
            a("flags", "int", &[U], MsgFlags),
            a("timeout", "struct timespec*", &[U, OPT], Timeout),
        ],
        hooks: &[
            ("syscalls", "sys_enter_recvmmsg"),
            ("syscalls", "sys_exit_recvmmsg"),
        ],
        purpose: "Tracking batches of messages received via sockets.",
        related: &["recvmsg", "sendmmsg", "recvfrom"],
    },
    // The calls that move socket data without a message header (kernel side: data.rs).
    EventDef {
        id: EventId::Read,
        name: "read",
        syscall_nr: 0,
        args: &[
            a("fd", "int", &[U], Fd),
            a("buf", "void*", &[K], RecvBuf),
            a("count", "size_t", &[U], Size),
        ],
        hooks: &[("sock", "sock_recv_length")],
        purpose: "Tracking data received through sockets with read() (only when fd is a socket; raw tracepoint sock_recv_length; -T adds syscalls:sys_enter_read).",
        related: &["recvfrom", "readv", "write"],
    },
    EventDef {
        id: EventId::Write,
        name: "write",
        syscall_nr: 1,
        args: &[
            a("fd", "int", &[U], Fd),
            a("buf", "void*", &[U, TOCTOU], SendBuf),
            a("count", "size_t", &[U], Size),
        ],
        hooks: &[("sock", "sock_send_length")],
        purpose: "Tracking data sent through sockets with write() (only when fd is a socket; raw tracepoint sock_send_length; -T adds syscalls:sys_enter_write).",
        related: &["sendto", "writev", "read"],
    },
    EventDef {
        id: EventId::Readv,
        name: "readv",
        syscall_nr: 19,
        args: &[
            a("fd", "int", &[U], Fd),
            a("iov", "const struct iovec*", &[U, K], IovRecv),
            a("iovcnt", "int", &[U], Size),
        ],
        hooks: &[("sock", "sock_recv_length")],
        purpose: "Tracking data received through sockets with readv() (only when fd is a socket; raw tracepoint sock_recv_length; -T adds syscalls:sys_enter_readv).",
        related: &["recvmsg", "read", "writev"],
    },
    EventDef {
        id: EventId::Writev,
        name: "writev",
        syscall_nr: 20,
        args: &[
            a("fd", "int", &[U], Fd),
            a("iov", "const struct iovec*", &[U, TOCTOU], IovSend),
            a("iovcnt", "int", &[U], Size),
        ],
        hooks: &[("sock", "sock_send_length")],
        purpose: "Tracking data sent through sockets with writev() (only when fd is a socket; raw tracepoint sock_send_length; -T adds syscalls:sys_enter_writev).",
        related: &["sendmsg", "write", "readv"],
    },
    EventDef {
        id: EventId::Sendfile,
        name: "sendfile",
        syscall_nr: 40,
        args: &[
            a("out_fd", "int", &[U], Fd),
            a("in_fd", "int", &[U], Fd),
            a("offset", "off_t*", &[U, K, OPT], LoffInOut),
            a("count", "size_t", &[U], Size),
        ],
        hooks: &[("syscalls", "sys_exit_sendfile64")],
        purpose: "Tracking data copied by the kernel between a file and a socket (when either descriptor is a socket; -T adds syscalls:sys_enter_sendfile64).",
        related: &["splice", "write", "writev"],
    },
    EventDef {
        id: EventId::Splice,
        name: "splice",
        syscall_nr: 275,
        args: &[
            a("fd_in", "int", &[U], Fd),
            a("off_in", "loff_t*", &[U, OPT], Loff),
            a("fd_out", "int", &[U], Fd),
            a("off_out", "loff_t*", &[U, OPT], Loff),
            a("len", "size_t", &[U], Size),
            a("flags", "unsigned int", &[U], SpliceFlags),
        ],
        hooks: &[("syscalls", "sys_exit_splice")],
        purpose: "Tracking data moved by the kernel between a pipe and a socket (when either descriptor is a socket; -T adds syscalls:sys_enter_splice).",
        related: &["sendfile", "read", "write"],
    },
    EventDef {
        id: EventId::Preadv2,
        name: "preadv2",
        syscall_nr: 327,
        args: &[
            a("fd", "int", &[U], Fd),
            a("iov", "const struct iovec*", &[U, K], IovRecv),
            a("iovcnt", "unsigned long", &[U], Size),
            a("offset", "off_t", &[U], Offset),
            a("flags", "int", &[U], RwfFlags),
        ],
        hooks: &[("sock", "sock_recv_length")],
        purpose: "Tracking data received through sockets with preadv2() at offset -1 (only when fd is a socket; raw tracepoint sock_recv_length; -T adds syscalls:sys_enter_preadv2).",
        related: &["readv", "recvmsg"],
    },
    EventDef {
        id: EventId::Pwritev2,
        name: "pwritev2",
        syscall_nr: 328,
        args: &[
            a("fd", "int", &[U], Fd),
            a("iov", "const struct iovec*", &[U, TOCTOU], IovSend),
            a("iovcnt", "unsigned long", &[U], Size),
            a("offset", "off_t", &[U], Offset),
            a("flags", "int", &[U], RwfFlags),
        ],
        hooks: &[("sock", "sock_send_length")],
        purpose: "Tracking data sent through sockets with pwritev2() at offset -1 (only when fd is a socket; raw tracepoint sock_send_length; -T adds syscalls:sys_enter_pwritev2).",
        related: &["writev", "sendmsg"],
    },
];

/// The entry hook of a data call, attached only with -T (the time the call started).
pub fn timing_hook(id: EventId) -> Option<(&'static str, &'static str)> {
    Some((
        "syscalls",
        match id {
            EventId::Read => "sys_enter_read",
            EventId::Write => "sys_enter_write",
            EventId::Readv => "sys_enter_readv",
            EventId::Writev => "sys_enter_writev",
            EventId::Sendfile => "sys_enter_sendfile64",
            EventId::Splice => "sys_enter_splice",
            EventId::Preadv2 => "sys_enter_preadv2",
            EventId::Pwritev2 => "sys_enter_pwritev2",
            _ => return None,
        },
    ))
}

/// Whether `id` is one of the data calls (read, write, readv, writev, sendfile, splice).
pub fn is_data(id: EventId) -> bool {
    timing_hook(id).is_some()
}

/// The definition of `id`.
pub fn def(id: EventId) -> &'static EventDef {
    EVENTS
        .iter()
        .find(|e| e.id == id)
        .expect("every EventId is in the table")
}

/// The definition named `name` (strace's syscall name).
pub fn by_name(name: &str) -> Option<&'static EventDef> {
    EVENTS.iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_id_has_one_definition() {
        for id in EventId::ALL {
            assert_eq!(EVENTS.iter().filter(|e| e.id == id).count(), 1, "{id:?}");
            assert_eq!(def(id).hooks.len(), if is_data(id) { 1 } else { 2 });
        }
    }

    #[test]
    fn sendto_matches_the_seed_document() {
        let d = by_name("sendto").unwrap();
        let names: Vec<_> = d.args.iter().map(|a| (a.name, a.ty)).collect();
        assert_eq!(
            names,
            [
                ("sockfd", "int"),
                ("buf", "void*"),
                ("len", "size_t"),
                ("flags", "int"),
                ("dest_addr", "struct sockaddr*"),
                ("addrlen", "int")
            ]
        );
        for r in ["recvfrom", "sendmsg", "recvmsg"] {
            assert!(d.related.contains(&r));
        }
    }
}
