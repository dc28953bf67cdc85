//! The integration tests, one crate (one binary to build and link): each module is one
//! concern's tests, all of them load the real eBPF programs and trace real loopback
//! workloads (root needed; see `support::require_root`). Shared: `support` (building the C
//! workloads, running sockscope, normalising, bounded waits, the root check, JSON schema
//! checks) and `compare` (the strace comparisons' known-differences files and timeouts).
//! Run one module with `cargo test --release -p sockscope --test it -- MODULE::`.

#[path = "../workloads/compare.rs"]
mod compare;
#[path = "../workloads/support.rs"]
mod support;

mod capture;
mod conformance;
mod data;
mod faults;
mod flows;
mod identity;
mod inprogress;
mod lifecycle;
mod netlink_tools;
mod readme;
mod scope;
mod sockinfo;
mod strace_suite;
mod toctou;
