//! sockscope: trace the messages processes send and receive through sockets, with eBPF.
//!
//! The path of an event: kernel record ([`record`]) → decoded by the event table ([`events`])
//! and the pure decoders ([`decode`]) → rendered ([`render`]: text exactly as strace prints the
//! call, JSON with Tracee's field names) → sink ([`run`]). Only [`loader`] touches the kernel.

pub mod btf;
pub mod cli;
pub mod decode;
pub mod events;
pub mod events_cmd;
pub mod filter;
pub mod genl;
pub mod launch;
pub mod loader;
pub mod record;
pub mod render;
pub mod run;
pub mod sock_offsets;
pub mod tracefs;
