//! One JSON object per call. Tracee's field names for what Tracee has (timestamp, processorId,
//! processId, threadId, parentProcessId, userId, processName, cgroupId, eventName, syscall,
//! argsNum, returnValue, args[{name, type, value}]), plus sockscope's own: duration, errno,
//! decoded flags, the payload bytes with their encoding, captured length and truncation.

use serde_json::{Value, json};

use super::{RenderOpts, comm, comm_bytes, text};
use crate::{
    call::Call,
    decode::{errno, msghdr, sockaddr::sockaddr_json, sockinfo, xlat},
    events::{self, Decoder},
    record::{ReadStatus, Record, Seg},
};

/// The JSON Schema every event line follows (`sockscope schema`; committed in
/// `sockscope/schema/event.schema.json`, checked against every JSON line of the integration
/// tests and of the unit tests below).
pub const SCHEMA: &str = include_str!("../../schema/event.schema.json");

/// Appends the JSON object of one call (one line, no newline), written field by field: this is
/// the hot path of `--json`, so no intermediate tree is built for the fixed fields.
pub fn write_event(out: &mut String, rec: &Record, opts: &RenderOpts) {
    use std::fmt::Write as _;
    let h = &rec.header;
    let def = events::def(rec.event);
    let ret = h.ret;
    let err = if ret < 0 {
        errno::errno_name((-ret) as u64)
    } else {
        None
    };
    let _ = write!(
        out,
        "{{\"timestamp\":{},\"processorId\":{},\"processId\":{},\"threadId\":{},\"parentProcessId\":{},\"userId\":{},\"groupId\":{},\"processName\":",
        opts.clock.wall_ns(h.ts_ns) as u64,
        h.cpu,
        h.tgid,
        h.tid,
        h.ppid,
        h.uid,
        h.gid
    );
    // processName: the name as a JSON string (serde escapes control bytes); when the bytes
    // are not UTF-8 the string has U+FFFD for them and processNameHex carries them exactly.
    let name = comm_bytes(&h.comm);
    match std::str::from_utf8(name) {
        Ok(s) => push_json_str(out, s),
        Err(_) => {
            push_json_str(out, &comm(&h.comm));
            out.push_str(",\"processNameHex\":\"");
            out.push_str(&crate::escape::hex(name));
            out.push('"');
        }
    }
    let _ = write!(
        out,
        ",\"cgroupId\":{},\"eventName\":\"{}\",\"syscall\":\"{}\",\"argsNum\":{},\"returnValue\":{},\"errno\":",
        h.cgroup_id,
        def.name,
        def.name,
        def.args.len(),
        ret
    );
    match err {
        Some(e) => push_json_str(out, e),
        None => out.push_str("null"),
    }
    // The data calls have no entry program without -T: their duration is not measured.
    if events::is_data(rec.event) && !opts.show_duration {
        out.push_str(",\"duration\":null,\"args\":[");
    } else {
        let _ = write!(out, ",\"duration\":{},\"args\":[", h.duration_ns);
    }
    for (i, a) in def.args.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_arg(out, rec, i, a.name, a.ty, a.decoder, opts);
    }
    // What the kernel said about the descriptor: with -y/-yy its decoration and details;
    // without, the socket's endpoints (crate::endpoints; null when nothing was captured).
    out.push_str("],\"socket\":");
    let c = Call::new(rec);
    let (info, path) = c.descriptor(0, opts.yflag);
    if opts.yflag == 0 {
        // Without -y: the endpoints captured for every event (crate::endpoints).
        push_value(out, &crate::endpoints::socket_json(rec, &opts.style));
    } else {
        push_value(
            out,
            &sockinfo::socket_json(
                h.args[0] as i32,
                info.as_ref(),
                opts.yflag,
                path.as_ref(),
                &opts.style,
            ),
        );
    }
    // sendfile/splice: the other descriptor too (`socket` is the first argument's), keyed by
    // its argument name.
    if opts.yflag != 0 && def.args.iter().filter(|a| a.decoder == Decoder::Fd).count() > 1 {
        out.push_str(",\"otherSockets\":{");
        let mut first = true;
        for (i, a) in def.args.iter().enumerate().skip(1) {
            if a.decoder != Decoder::Fd {
                continue;
            }
            if !first {
                out.push(',');
            }
            first = false;
            let (info, path) = c.descriptor(i as u16, opts.yflag);
            push_json_str(out, a.name);
            out.push(':');
            push_value(
                out,
                &sockinfo::socket_json(
                    h.args[i] as i32,
                    info.as_ref(),
                    opts.yflag,
                    path.as_ref(),
                    &opts.style,
                ),
            );
        }
        out.push('}');
    }
    // TOCTOU: the destination (dest_addr / msg_name) read at exit differs from the entry read
    // that the arguments show; both values are given.
    match c.toctou() {
        Some((at_entry, at_exit)) => {
            out.push_str(",\"toctou\":true,\"toctouAddress\":");
            push_value(
                out,
                &json!({"atEntry": sockaddr_json(at_entry.data), "atExit": sockaddr_json(at_exit.data)}),
            );
        }
        None => out.push_str(",\"toctou\":false"),
    }
    let _ = write!(out, ",\"captureTruncated\":{}", c.capture_truncated());
    // The thread was killed inside the call (its process exited): returnValue is the
    // ERESTART* code the kernel used to unwind, which no one sees; strace prints `= ?`.
    if h.flags & sockscope_common::RF_KILLED != 0 {
        out.push_str(",\"exitedInCall\":true");
    }
    out.push_str(",\"strace\":");
    let mut call = String::with_capacity(128);
    text::call(&mut call, rec, opts);
    push_json_str(out, &call);
    out.push('}');
}

/// The JSON object of one call, as a value (tests, tools).
pub fn event(rec: &Record, opts: &RenderOpts) -> Value {
    let mut s = String::new();
    write_event(&mut s, rec, opts);
    serde_json::from_str(&s).expect("write_event writes valid JSON")
}

fn push_value(out: &mut String, v: &Value) {
    // SAFETY: serde_json writes valid UTF-8 into the string's bytes.
    let _ = serde_json::to_writer(unsafe { out.as_mut_vec() }, v);
}

/// A user pointer: null for NULL (in every position), else the address.
fn push_ptr(out: &mut String, p: u64) {
    use std::fmt::Write as _;
    if p == 0 {
        out.push_str("null");
    } else {
        let _ = write!(out, "{p}");
    }
}

fn push_json_str(out: &mut String, s: &str) {
    // SAFETY: as above.
    let _ = serde_json::to_writer(unsafe { out.as_mut_vec() }, s);
}

fn addr_value(seg: Option<&Seg>, ptr: u64) -> Value {
    match seg {
        Some(s) if s.status == ReadStatus::Ok && s.data.len() >= 2 => sockaddr_json(s.data),
        _ if ptr == 0 => Value::Null,
        _ => json!(ptr),
    }
}

/// One argument object: `{"name":…,"type":…,"value":…}` plus what sockscope decodes of it.
/// Written directly (this is the hot path of --json); only addresses and msghdrs are built as
/// values by their decoders.
fn write_arg(
    out: &mut String,
    rec: &Record,
    i: usize,
    name: &str,
    ty: &str,
    decoder: Decoder,
    opts: &RenderOpts,
) {
    use std::fmt::Write as _;
    let c = Call::new(rec);
    let h = c.header();
    let v = h.args[i];
    let failed = c.failed();
    let _ = write!(out, "{{\"name\":\"{name}\",\"type\":\"{ty}\",\"value\":");
    match decoder {
        Decoder::Fd | Decoder::SockLen => {
            let _ = write!(out, "{}", v as i32);
        }
        Decoder::Size => {
            let _ = write!(out, "{v}");
        }
        Decoder::Count => {
            let _ = write!(out, "{}", v as u32);
        }
        Decoder::MsgFlags => {
            let flags = v as u32 as u64;
            let (names, rest) = xlat::flag_names(flags, &xlat::MSG_FLAGS);
            let mut decoded = String::new();
            xlat::print_flags_abbrev(&mut decoded, flags, &xlat::MSG_FLAGS);
            let _ = write!(out, "{flags},\"decoded\":");
            push_json_str(out, &decoded);
            out.push_str(",\"names\":[");
            for (k, n) in names.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                let _ = write!(out, "\"{n}\"");
            }
            out.push(']');
            if rest != 0 {
                let _ = write!(out, ",\"unknownBits\":{rest}");
            }
        }
        Decoder::SendBuf => {
            push_ptr(out, v);
            out.push_str(",\"payload\":");
            crate::decode::payload::write_payload(
                out,
                c.send_buf(),
                h.args[2],
                opts.style.max_strlen,
            );
        }
        Decoder::RecvBuf => {
            push_ptr(out, v);
            if !failed {
                out.push_str(",\"payload\":");
                crate::decode::payload::write_payload(
                    out,
                    c.recv_buf(),
                    (h.ret as u64).min(h.args[2]),
                    opts.style.max_strlen,
                );
            }
        }
        Decoder::SockaddrIn => push_value(out, &addr_value(c.addr(0), v)),
        Decoder::SockaddrOut => {
            if failed {
                push_ptr(out, v);
            } else {
                push_value(out, &addr_value(c.addr(0), v));
            }
        }
        Decoder::SockLenPtr => {
            push_ptr(out, v);
            if let Some(n) = c.socklen_in() {
                let _ = write!(out, ",\"in\":{n}");
            }
            if let Some(n) = c.socklen_out() {
                let _ = write!(out, ",\"out\":{n}");
            }
        }
        Decoder::MsghdrSend => push_value(out, &msghdr::sendmsg_json(&c, &opts.msg)),
        Decoder::MsghdrRecv => push_value(out, &msghdr::recvmsg_json(&c, &opts.msg)),
        Decoder::MmsghdrSend => push_value(out, &msghdr::sendmmsg_json(&c, &opts.msg)),
        Decoder::MmsghdrRecv => push_value(out, &msghdr::recvmmsg_json(&c, &opts.msg)),
        Decoder::Timeout => push_value(out, &msghdr::recvmmsg_timeout_json(&c)),
        Decoder::IovSend
        | Decoder::IovRecv
        | Decoder::LoffInOut
        | Decoder::Loff
        | Decoder::SpliceFlags
        | Decoder::Offset
        | Decoder::RwfFlags => push_value(
            out,
            &crate::decode::data::arg_json(&c, i, decoder, &opts.style),
        ),
    }
    out.push('}');
}

#[cfg(test)]
mod tests;
