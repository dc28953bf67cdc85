//! sockscope: trace the messages processes send and receive through sockets, with eBPF.
//!
//! The path of an event: kernel record ([`record`]) → decoded by the event table ([`events`])
//! and the pure decoders ([`decode`]) → rendered ([`render`]: text exactly as strace prints the
//! call, JSON with Tracee's field names) → sink ([`run`]). Consumers read a record through
//! its typed view ([`call`]). Only [`kernel`] touches the kernel. See ARCHITECTURE.md.

pub mod call;
pub mod cli;
pub mod config;
pub mod count;
pub mod data_config;
pub mod decode;
pub mod endpoints;
pub mod escape;
pub mod events;
pub mod events_cmd;
pub mod filter;
pub mod flows;
pub mod genl;
pub mod host;
pub mod kernel;
pub mod privs;
pub mod record;
pub mod render;
pub mod run;
pub mod stats;
pub mod targets;
pub mod top;

/// `sockscope --version`: the package version and the commit it was built from (build.rs:
/// `git rev-parse`, or SOCKSCOPE_COMMIT, or "unknown" outside a git checkout).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("SOCKSCOPE_COMMIT"),
    ")"
);

// The kernel-facing modules under their old paths too (`crate::loader`, ...).
pub use kernel::{btf, launch, loader, sock_offsets, tracefs};
