//! One JSON object per call. Tracee's field names for what Tracee has (timestamp, processorId,
//! processId, threadId, parentProcessId, userId, processName, cgroupId, eventName, syscall,
//! argsNum, returnValue, args[{name, type, value}]), plus sockscope's own: duration, errno,
//! decoded flags, the payload bytes with their encoding, captured length and truncation.

use serde_json::{Map, Value, json};
use sockscope_common::seg;

use super::{RenderOpts, comm, text};
use crate::{
    decode::{errno, msghdr, sockaddr::sockaddr_json, sockinfo, xlat},
    events::{self, Decoder},
    record::{ReadStatus, Record, Seg},
};

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
    push_json_str(out, &comm(&h.comm));
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
    let _ = write!(out, ",\"duration\":{},\"args\":[", h.duration_ns);
    for (i, a) in def.args.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let mut o = Map::new();
        o.insert("name".into(), a.name.into());
        o.insert("type".into(), a.ty.into());
        arg_value(&mut o, rec, i, a.decoder, opts);
        push_value(out, &Value::Object(o));
    }
    // -y/-yy: what the kernel said about the descriptor (null without -y).
    out.push_str("],\"socket\":");
    let (info, path) = text::sock_of(rec, opts);
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
    // TOCTOU: the destination (dest_addr / msg_name) read at exit differs from the entry read
    // that the arguments show; both values are given.
    match rec.toctou() {
        Some((at_entry, at_exit)) => {
            out.push_str(",\"toctou\":true,\"toctouAddress\":");
            push_value(
                out,
                &json!({"atEntry": sockaddr_json(at_entry.data), "atExit": sockaddr_json(at_exit.data)}),
            );
        }
        None => out.push_str(",\"toctou\":false"),
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
    // serde_json writes valid UTF-8.
    out.push_str(&v.to_string());
}

fn push_json_str(out: &mut String, s: &str) {
    push_value(out, &Value::String(s.to_owned()))
}

/// The captured bytes of a buffer (at most `-s` of them): hex, with how many were captured of
/// how many.
fn payload(seg: Option<&Seg>, length: u64, max: usize) -> Value {
    match seg {
        Some(s) if s.status == ReadStatus::Ok => {
            let data = &s.data[..s.data.len().min(max)];
            json!({
                "encoding": "hex",
                "data": hex(data),
                "captured": data.len(),
                "length": length,
                "truncated": (data.len() as u64) < length,
            })
        }
        Some(s) if s.status == ReadStatus::Fault => json!({"error": "EFAULT", "length": length}),
        _ => Value::Null,
    }
}

fn hex(data: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(data.len() * 2);
    for &b in data {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

fn addr_value(seg: Option<&Seg>, ptr: u64) -> Value {
    match seg {
        Some(s) if s.status == ReadStatus::Ok && s.data.len() >= 2 => sockaddr_json(s.data),
        _ if ptr == 0 => Value::Null,
        _ => json!(ptr),
    }
}

fn arg_value(
    o: &mut Map<String, Value>,
    rec: &Record,
    i: usize,
    decoder: Decoder,
    opts: &RenderOpts,
) {
    let h = &rec.header;
    let v = h.args[i];
    let failed = h.ret < 0;
    let value: Value = match decoder {
        Decoder::Fd | Decoder::SockLen => json!(v as i32),
        Decoder::Size => json!(v),
        Decoder::Count => json!(v as u32),
        Decoder::MsgFlags => {
            let (names, rest) = xlat::flag_names(v as u32 as u64, &xlat::MSG_FLAGS);
            let mut s = String::new();
            xlat::print_flags(&mut s, v as u32 as u64, &xlat::MSG_FLAGS);
            o.insert("decoded".into(), s.into());
            o.insert("names".into(), json!(names));
            if rest != 0 {
                o.insert("unknownBits".into(), json!(rest));
            }
            json!(v as u32)
        }
        Decoder::SendBuf => {
            o.insert(
                "payload".into(),
                payload(text::send_buf(rec), h.args[2], opts.style.max_strlen),
            );
            json!(v)
        }
        Decoder::RecvBuf => {
            if !failed {
                o.insert(
                    "payload".into(),
                    payload(
                        rec.seg(seg::BUF, 0),
                        (h.ret as u64).min(h.args[2]),
                        opts.style.max_strlen,
                    ),
                );
            }
            json!(v)
        }
        Decoder::SockaddrIn => addr_value(rec.seg(seg::ADDR, 0), v),
        Decoder::SockaddrOut => {
            if failed {
                json!(v)
            } else {
                addr_value(rec.seg(seg::ADDR, 0), v)
            }
        }
        Decoder::SockLenPtr => {
            let read = |kind| {
                rec.seg(kind, 0)
                    .filter(|s| s.status == ReadStatus::Ok && s.data.len() >= 4)
                    .map(|s| i32::from_ne_bytes(s.data[..4].try_into().unwrap()))
            };
            if let Some(n) = read(seg::ADDRLEN_IN) {
                o.insert("in".into(), json!(n));
            }
            if let Some(n) = read(seg::ADDRLEN_OUT) {
                o.insert("out".into(), json!(n));
            }
            json!(v)
        }
        Decoder::MsghdrSend => msghdr::sendmsg_json(rec, &opts.msg),
        Decoder::MsghdrRecv => msghdr::recvmsg_json(rec, &opts.msg),
        Decoder::MmsghdrSend => msghdr::sendmmsg_json(rec, &opts.msg),
        Decoder::MmsghdrRecv => msghdr::recvmmsg_json(rec, &opts.msg),
        Decoder::Timeout => msghdr::recvmmsg_timeout_json(rec),
    };
    o.insert("value".into(), value);
}
