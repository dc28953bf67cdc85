//! Everything that touches the kernel: BTF and the struct offsets resolved from it
//! (`btf`, `sock_offsets`), tracefs, loading and attaching the eBPF programs (`loader`), and
//! launching a traced command (`launch`). The rest of user space is pure.

pub mod btf;
pub mod launch;
pub mod loader;
pub mod ring;
pub mod sock_offsets;
pub mod tracefs;
