//! sockscope's kernel side: one program pair (syscall entry / exit tracepoint) per traced call.
//!
//! At entry a program checks the scope (never sockscope itself, the process filter), takes the
//! thread's in-flight slot, stores the raw arguments and reads what the caller handed in (the
//! message, the destination address, the msghdr and its iovecs...). At exit it adds the result
//! and what the kernel filled in (received bytes, source address...) and copies the slot, header
//! plus the used part of the segment area, into the ring buffer as one record.
//!
//! Nothing here interprets the bytes: decoding is user space's job.
//!
//! Files: `maps.rs` (the shared maps), `scope.rs` (configuration, scope checks, counters),
//! `slot.rs` (the slots, the thread's and the CPU's: enter, exit, exit-only, submit, identity),
//! `capture.rs` (user memory into segments: push_user, msghdrs, iovecs), `calls/` (one file per
//! call family: sendto+recvfrom, sendmsg+recvmsg, the mmsg calls and their step programs),
//! `sock.rs` and `path.rs` (the descriptor's socket identity, a file's path), `data.rs`
//! (read/write/readv/writev/sendfile/splice on sockets), `flows.rs` (per-flow counters),
//! `lifecycle.rs` (fork and exit).
#![no_std]
#![no_main]
// flows.rs: atomic adds on map values (see `add`).
#![feature(core_intrinsics)]
#![allow(internal_features)]

mod calls {
    pub(crate) mod mmsg;
    pub(crate) mod msg;
    pub(crate) mod sendto;
}
mod capture;
mod data;
mod flows;
mod lifecycle;
mod maps;
mod path;
mod scope;
mod slot;
mod sock;

#[cfg(not(test))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(link_section = "license")]
#[unsafe(no_mangle)]
static LICENSE: [u8; 4] = *b"GPL\0";
