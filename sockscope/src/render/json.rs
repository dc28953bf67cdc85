//! One JSON object per call. Tracee's field names for what Tracee has (timestamp, processorId,
//! processId, threadId, parentProcessId, userId, processName, cgroupId, eventName, syscall,
//! argsNum, returnValue, args[{name, type, value}]), plus sockscope's own: duration, errno,
//! decoded flags, the payload bytes with their encoding, captured length and truncation.

use serde_json::Value;

use super::{RenderOpts, comm_bytes, text};
use crate::{
    call::Call,
    decode::{errno, msghdr, payload::payload, sockaddr::sockaddr_model, sockinfo, xlat},
    events::{self, Decoder},
    record::{ReadStatus, Record, Seg},
};
use model::{Arg, ArgValue, Event, Hex, Lossy, NamedSockets, Ptr, Str, ToctouAddress};

#[doc(hidden)]
pub mod corpus;
mod direct;
pub mod model;
pub mod writer;

/// The JSON Schema every event line follows, as committed in
/// `sockscope/schema/event.schema.json` (equal to [`model::schema`], which `sockscope schema`
/// prints; a unit test keeps them equal; checked against every JSON line of the integration
/// tests and of the unit tests below). Regenerate with
/// `sockscope schema > sockscope/schema/event.schema.json`.
pub const SCHEMA: &str = include_str!("../../schema/event.schema.json");

/// Appends the JSON object of one call (one line, no newline): the typed model of the call,
/// serialized by serde straight into `out` (no intermediate tree; [`writer`] writes the same
/// bytes as serde_json, faster).
pub fn write_event(out: &mut String, rec: &Record, opts: &RenderOpts) {
    thread_local! {
        // strace's line of the call and the recent sockets' objects, reused from event to
        // event (no allocation per event).
        static SCRATCH: std::cell::RefCell<(String, SocketCache)> =
            std::cell::RefCell::new((String::new(), SocketCache::default()));
    }
    SCRATCH.with_borrow_mut(|(strace, sockets)| {
        strace.clear();
        text::call(strace, rec, opts);
        write_model(out, rec, opts, strace, Path::Hot(sockets));
    });
}

/// The same line as [`write_event`], written from the model alone: every field through its
/// serde `Serialize` by serde_json, no cached socket objects. The reference the hot path
/// ([`direct`]) is tested against.
pub fn model_line(out: &mut String, rec: &Record, opts: &RenderOpts) {
    let mut strace = String::new();
    text::call(&mut strace, rec, opts);
    write_model(out, rec, opts, &strace, Path::Model);
}

/// How [`write_model`] writes the line.
enum Path<'c> {
    /// [`direct`], with the cached socket objects (`--json`).
    Hot(&'c mut SocketCache),
    /// serde_json from the model alone ([`model_line`]).
    Model,
}

/// The `socket` objects of the last descriptors seen, as written: a program moves many
/// messages through one socket, and the object depends only on what the kernel captured of it
/// (the `seg::SOCK` bytes) and the output settings. Building and writing it was a third of a
/// sendto event's JSON (examples/render_cost: 2.7 µs with the socket, 1.9 without); a hit
/// costs a compare of the captured bytes. One entry per descriptor number modulo the size.
#[derive(Default)]
struct SocketCache {
    slots: Vec<Option<CachedSocket>>,
}

struct CachedSocket {
    fd: i32,
    level: u8,
    style: crate::decode::Style,
    /// -v/-X: socket_model does not read them today; in the key so that a use cannot go stale.
    global: crate::decode::GlobalOpts,
    sock: Vec<u8>,
    json: String,
}

const SOCKET_CACHE_SLOTS: usize = 64;

impl SocketCache {
    /// The JSON of the socket object of `fd` captured as `sock` at `level` (socket_model),
    /// written by `make` when not cached.
    fn get(
        &mut self,
        fd: i32,
        level: u8,
        sock: &[u8],
        style: &crate::decode::Style,
        make: impl FnOnce(&mut String),
    ) -> &str {
        if self.slots.is_empty() {
            self.slots.resize_with(SOCKET_CACHE_SLOTS, || None);
        }
        let global = crate::decode::global_opts();
        let slot = &mut self.slots[fd as u32 as usize % SOCKET_CACHE_SLOTS];
        let hit = slot.as_ref().is_some_and(|c| {
            c.fd == fd
                && c.level == level
                && c.style == *style
                && c.global == global
                && c.sock == sock
        });
        if !hit {
            let mut json = String::new();
            make(&mut json);
            *slot = Some(CachedSocket {
                fd,
                level,
                style: *style,
                global,
                sock: sock.to_vec(),
                json,
            });
        }
        &slot.as_ref().expect("filled above").json
    }
}

fn write_model(out: &mut String, rec: &Record, opts: &RenderOpts, strace: &str, path_kind: Path) {
    let h = &rec.header;
    let def = events::def(rec.event);
    let c = &Call::new(rec);
    let ret = h.ret;
    let name = comm_bytes(&h.comm);
    // What the kernel said about the descriptor: with -y/-yy its decoration and details;
    // without, the socket's endpoints (crate::endpoints; null when nothing was captured).
    let (info, path) = if opts.yflag == 0 {
        (crate::endpoints::info(rec), None)
    } else {
        c.descriptor(0, opts.yflag)
    };
    let fd = h.args[0] as i32;
    let level = match opts.yflag {
        0 if info.is_some() => 2,
        y => y,
    };
    let model = || sockinfo::socket_model(fd, info.as_ref(), level, path.as_ref(), &opts.style);
    // A file's path comes from /proc when the kernel side read none: not cached.
    let hot = matches!(path_kind, Path::Hot(_));
    let cached = match (c.sock_bytes(0), path_kind) {
        (Some(bytes), Path::Hot(sockets))
            if info.is_some()
                && path.is_none()
                && !info.as_ref().is_some_and(sockinfo::wants_path) =>
        {
            Some(sockets.get(fd, level, bytes, &opts.style, |s| {
                writer::write(s, &model())
            }))
        }
        _ => None,
    };
    // sendfile/splice: the other descriptors too (`socket` is the first argument's), keyed by
    // argument name.
    let others: Vec<_> =
        if opts.yflag != 0 && def.args.iter().filter(|a| a.decoder == Decoder::Fd).count() > 1 {
            def.args
                .iter()
                .enumerate()
                .skip(1)
                .filter(|(_, a)| a.decoder == Decoder::Fd)
                .map(|(i, a)| (a.name, i, c.descriptor(i as u16, opts.yflag)))
                .collect()
        } else {
            Vec::new()
        };
    let other_sockets = (!others.is_empty()).then(|| {
        NamedSockets(
            others
                .iter()
                .map(|(name, i, (info, path))| {
                    (
                        *name,
                        sockinfo::socket_model(
                            h.args[*i] as i32,
                            info.as_ref(),
                            opts.yflag,
                            path.as_ref(),
                            &opts.style,
                        ),
                    )
                })
                .collect(),
        )
    });
    // TOCTOU: the destination (dest_addr / msg_name) read at exit differs from the entry read
    // that the arguments show; both values are given.
    let toctou = c.toctou();
    let event = Event {
        timestamp: opts.clock.wall_ns(h.ts_ns) as u64,
        processor_id: h.cpu,
        process_id: h.tgid,
        thread_id: h.tid,
        parent_process_id: h.ppid,
        user_id: h.uid,
        group_id: h.gid,
        // Not UTF-8: U+FFFD in the name, its exact bytes in processNameHex.
        process_name: Str(Lossy(name)),
        process_name_hex: (!name.is_ascii() && std::str::from_utf8(name).is_err())
            .then_some(Hex(name)),
        cgroup_id: h.cgroup_id,
        event_name: def.name,
        syscall: def.name,
        args_num: def.args.len(),
        return_value: ret,
        errno: if ret < 0 {
            errno::errno_name((-ret) as u64)
        } else {
            None
        },
        // The data calls have no entry program without -T: their duration is not measured.
        duration: if events::is_data(rec.event) && !opts.show_duration {
            None
        } else {
            Some(h.duration_ns)
        },
        args: Args { c, def, opts },
        socket: SocketJson { cached, model },
        other_sockets,
        toctou: toctou.is_some(),
        toctou_address: toctou.map(|(at_entry, at_exit)| ToctouAddress {
            at_entry: sockaddr_model(at_entry.data),
            at_exit: sockaddr_model(at_exit.data),
        }),
        capture_truncated: c.capture_truncated(),
        // The thread was killed inside the call (its process exited): returnValue is the
        // ERESTART* code the kernel used to unwind, which no one sees; strace prints `= ?`.
        exited_in_call: h.flags & sockscope_common::RF_KILLED != 0,
        strace,
    };
    match hot {
        true => direct::event(out, &event),
        false => {
            let json = serde_json::to_string(&event).expect("the model serializes");
            out.push_str(&json);
        }
    }
}

/// The `socket` field: the cached object's JSON, else the model built now.
struct SocketJson<'s, F> {
    cached: Option<&'s str>,
    model: F,
}

impl<'a, F: Fn() -> Option<model::Socket<'a>>> serde::Serialize for SocketJson<'_, F> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.cached {
            Some(json) => writer::Fragment(json).serialize(s),
            None => (self.model)().serialize(s),
        }
    }
}

/// The JSON object of one call, as a value (tests, tools).
pub fn event(rec: &Record, opts: &RenderOpts) -> Value {
    let mut s = String::new();
    write_event(&mut s, rec, opts);
    serde_json::from_str(&s).expect("write_event writes valid JSON")
}

/// The arguments, each built and written in turn (no list of them per event).
struct Args<'x, 'r, 'a> {
    c: &'x Call<'r, 'a>,
    def: &'static events::EventDef,
    opts: &'x RenderOpts,
}

impl serde::Serialize for Args<'_, '_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.def.args.len()))?;
        for (i, a) in self.def.args.iter().enumerate() {
            seq.serialize_element(&arg(self.c, i, a.name, a.ty, a.decoder, self.opts))?;
        }
        seq.end()
    }
}

fn addr_value<'a>(seg: Option<&Seg<'a>>, ptr: u64) -> ArgValue<'a> {
    match seg {
        Some(s) if s.status == ReadStatus::Ok && s.data.len() >= 2 => {
            ArgValue::SockAddr(sockaddr_model(s.data))
        }
        _ => ArgValue::Ptr(Ptr(ptr)),
    }
}

/// One argument: `{"name":…,"type":…,"value":…}` plus what sockscope decodes of it.
fn arg<'a>(
    c: &Call<'_, 'a>,
    i: usize,
    name: &'static str,
    ty: &'static str,
    decoder: Decoder,
    opts: &RenderOpts,
) -> Arg<'a> {
    let h = c.header();
    let v = h.args[i];
    let failed = c.failed();
    let mut a = Arg::new(name, ty, ArgValue::Ptr(Ptr(v)));
    match decoder {
        Decoder::Fd | Decoder::SockLen => a.value = ArgValue::Int(v as i32 as i64),
        Decoder::Size => a.value = ArgValue::Uint(v),
        Decoder::Count => a.value = ArgValue::Uint(v as u32 as u64),
        Decoder::MsgFlags => {
            let flags = v as u32 as u64;
            let (decoded, names, rest) = xlat::flags_decoded(flags, &xlat::MSG_FLAGS);
            a.value = ArgValue::Uint(flags);
            a.decoded = Some(decoded);
            a.names = Some(names);
            a.unknown_bits = (rest != 0).then_some(rest);
        }
        Decoder::SendBuf => {
            a.payload = Some(payload(c.send_buf(), h.args[2], opts.style.max_strlen));
        }
        Decoder::RecvBuf => {
            if !failed {
                a.payload = Some(payload(
                    c.recv_buf(),
                    (h.ret as u64).min(h.args[2]),
                    opts.style.max_strlen,
                ));
            }
        }
        Decoder::SockaddrIn => a.value = addr_value(c.addr(0), v),
        Decoder::SockaddrOut => {
            if !failed {
                a.value = addr_value(c.addr(0), v);
            }
        }
        Decoder::SockLenPtr => {
            a.len_in = c.socklen_in();
            a.len_out = c.socklen_out();
        }
        Decoder::MsghdrSend => a.value = ArgValue::Msghdr(msghdr::sendmsg_model(c, &opts.msg)),
        Decoder::MsghdrRecv => a.value = ArgValue::Msghdr(msghdr::recvmsg_model(c, &opts.msg)),
        Decoder::MmsghdrSend => a.value = ArgValue::Mmsghdrs(msghdr::sendmmsg_model(c, &opts.msg)),
        Decoder::MmsghdrRecv => a.value = ArgValue::Mmsghdrs(msghdr::recvmmsg_model(c, &opts.msg)),
        Decoder::Timeout => a.value = ArgValue::Timeout(msghdr::recvmmsg_timeout_model(c)),
        Decoder::IovSend
        | Decoder::IovRecv
        | Decoder::LoffInOut
        | Decoder::Loff
        | Decoder::SpliceFlags
        | Decoder::Offset
        | Decoder::RwfFlags => a.value = crate::decode::data::arg_model(c, i, decoder, &opts.style),
    }
    a
}

#[cfg(test)]
mod tests;
