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
        // strace's line of the call, reused from event to event (no allocation per event).
        static STRACE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    STRACE.with_borrow_mut(|strace| {
        strace.clear();
        text::call(strace, rec, opts);
        write_model(out, rec, opts, strace);
    });
}

fn write_model(out: &mut String, rec: &Record, opts: &RenderOpts, strace: &str) {
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
    let socket = sockinfo::socket_model(
        h.args[0] as i32,
        info.as_ref(),
        match opts.yflag {
            0 if info.is_some() => 2,
            y => y,
        },
        path.as_ref(),
        &opts.style,
    );
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
        process_name_hex: std::str::from_utf8(name).is_err().then_some(Hex(name)),
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
        socket,
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
    writer::write(out, &event);
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
            let (names, rest) = xlat::flag_names(flags, &xlat::MSG_FLAGS);
            let mut decoded = String::new();
            xlat::print_flags_abbrev(&mut decoded, flags, &xlat::MSG_FLAGS);
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
