//! sockscope: trace the messages processes send and receive through sockets, with eBPF.
//!
//! The path of an event: kernel record ([`record`]) → decoded event ([`event`]) → renderer
//! ([`render`]: text as strace prints it, JSON with Tracee's field names) → sink.

pub mod decode;
pub mod record;
