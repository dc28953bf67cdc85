//! The one field table of `--filter`: names, types, what each field reads.
#![allow(unused_imports)]
use crate::call::Call;
use crate::decode::errno::{MAX_ERRNO, errno_name};
use crate::decode::msghdr::Msghdr;
use crate::decode::xlat::{ADDRESS_FAMILIES, MSG_FLAGS};
use crate::events::EVENTS;
use crate::record::Record;
use sockscope_common::{EventId, MAX_MMSG, wire::IOVEC_SIZE};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::*;

// =============================================================================================
// Fields

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Field {
    Event,
    Fd,
    Pid,
    Tid,
    Ppid,
    Uid,
    Gid,
    Comm,
    Len,
    Vlen,
    Ret,
    Failed,
    Errno,
    Flags,
    Family,
    Addr,
    Port,
    Dst,
    Dport,
    Src,
    Sport,
    Toctou,
    Proto,
    Laddr,
    Lport,
    Raddr,
    Rport,
    Peer,
}

pub(super) const FIELDS: [Field; 28] = [
    Field::Event,
    Field::Fd,
    Field::Pid,
    Field::Tid,
    Field::Ppid,
    Field::Uid,
    Field::Gid,
    Field::Comm,
    Field::Len,
    Field::Vlen,
    Field::Ret,
    Field::Failed,
    Field::Errno,
    Field::Flags,
    Field::Family,
    Field::Addr,
    Field::Port,
    Field::Dst,
    Field::Dport,
    Field::Src,
    Field::Sport,
    Field::Toctou,
    Field::Proto,
    Field::Laddr,
    Field::Lport,
    Field::Raddr,
    Field::Rport,
    Field::Peer,
];

/// How a field's values are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Bool,
    Event,
    Int,
    Comm,
    Flags,
    Address,
}

/// Whose address an address field reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    Dst,
    Src,
    /// dst for sends, src for receives.
    Call,
    /// The socket's own endpoint, as read in the kernel at the call.
    Local,
    /// The socket's peer (connected sockets).
    Remote,
    /// The call's address when it has one, else the socket's peer.
    Peer,
}

impl Field {
    pub(super) fn name(self) -> &'static str {
        FIELD_NAMES[FIELDS.iter().position(|f| *f == self).unwrap_or(0)]
    }

    pub(super) fn by_name(name: &str) -> Option<Field> {
        FIELD_NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| FIELDS[i])
    }

    pub(super) fn kind(self) -> Kind {
        match self {
            Field::Failed | Field::Toctou => Kind::Bool,
            Field::Event => Kind::Event,
            Field::Comm | Field::Proto => Kind::Comm,
            Field::Flags => Kind::Flags,
            Field::Addr | Field::Dst | Field::Src | Field::Laddr | Field::Raddr | Field::Peer => {
                Kind::Address
            }
            _ => Kind::Int,
        }
    }

    pub(super) fn role(self) -> Role {
        match self {
            Field::Dst | Field::Dport => Role::Dst,
            Field::Src | Field::Sport => Role::Src,
            Field::Laddr | Field::Lport => Role::Local,
            Field::Raddr | Field::Rport => Role::Remote,
            Field::Peer => Role::Peer,
            _ => Role::Call,
        }
    }

    /// What a value of the field looks like, for "expected ..." messages.
    pub(super) fn expects(self) -> &'static str {
        match self {
            Field::Event => {
                "an event name (sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg)"
            }
            Field::Comm => "a process name",
            Field::Proto => "a protocol name (tcp, udp, unix, netlink, raw, sctp...)",
            Field::Errno => "an errno name (EAGAIN) or number",
            Field::Flags => "a MSG_* flag name (MSG_DONTWAIT) or number",
            Field::Family => "an address family (AF_INET, AF_INET6, AF_UNIX) or number",
            Field::Dport | Field::Sport | Field::Port | Field::Lport | Field::Rport => {
                "a port number (0..65535)"
            }
            Field::Addr | Field::Dst | Field::Src | Field::Laddr | Field::Raddr | Field::Peer => {
                "an IP address, a CIDR (10.0.0.0/8, fe80::/10) or a UNIX path (\"/path\", @abstract)"
            }
            _ => "a number",
        }
    }

    pub(super) fn operators(self) -> &'static str {
        match self.kind() {
            Kind::Bool => "none: write it alone or negated",
            Kind::Event | Kind::Comm | Kind::Address => "==, !=, in, ~, !~",
            Kind::Flags => "has, ==, !=",
            Kind::Int if self == Field::Family => "==, !=, in",
            Kind::Int => "==, !=, <, <=, >, >=, in",
        }
    }
}

pub(super) fn field_list() -> String {
    FIELD_NAMES.join(", ")
}
