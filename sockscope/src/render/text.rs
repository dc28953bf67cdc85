//! One line per call: `HH:MM:SS.uuuuuu COMM PID/TID ` then the call exactly as strace prints it
//! (`sendto(3, "hi", 2, 0, NULL, 0) = 2`), then ` <seconds>` with `-T`.

use std::fmt::Write as _;

use super::{KeptText, RenderOpts, TimeFormat, comm_bytes};
use crate::{
    call::Call,
    decode::{
        Style, errno::format_retval, msghdr, sockaddr::format_sockaddr, sockinfo, strfmt, xlat,
    },
    events::{self, Decoder},
    record::{Record, Seg},
};
use sockscope_common::COMM_LEN;

/// Appends the whole line (without the newline).
pub fn line(out: &mut String, rec: &Record, opts: &RenderOpts) {
    let h = &rec.header;
    time_column(out, h.ts_ns, opts);
    task_column(out, h.comm, h.tgid, h.tid);
    call(out, rec, opts);
    if opts.show_duration {
        let _ = write!(
            out,
            " <{}.{:06}>",
            h.duration_ns / 1_000_000_000,
            (h.duration_ns % 1_000_000_000) / 1000
        );
    }
    toctou_marker(out, rec, &opts.style);
    if Call::new(rec).capture_truncated() {
        // The per-call capture area (sockscope_common::DATA_SIZE) filled up: later pieces of
        // this call were not read, and show as their pointers or `...`.
        out.push_str(" [capture truncated]");
    }
}

/// ` NAME PID/TID ` (the name is the traced process's to choose: escaped to one token of
/// printable ASCII), kept from the last line while the task is the same.
fn task_column(out: &mut String, comm: [u8; COMM_LEN], tgid: u32, tid: u32) {
    thread_local! {
        static LAST: std::cell::RefCell<KeptText<([u8; COMM_LEN], u32, u32)>> =
            std::cell::RefCell::new(KeptText::default());
    }
    LAST.with_borrow_mut(|t| {
        let text = t.get(Some((comm, tgid, tid)), |s| {
            task_column_text(s, &comm, tgid, tid)
        });
        strfmt::push_short(out, text);
    });
}

/// [`task_column`]'s text, written afresh.
fn task_column_text(out: &mut String, comm: &[u8; COMM_LEN], tgid: u32, tid: u32) {
    out.push(' ');
    crate::escape::push_token(out, comm_bytes(comm));
    out.push(' ');
    strfmt::push_int(out, tgid);
    out.push('/');
    strfmt::push_int(out, tid);
    out.push(' ');
}

/// The time column, as strace's -t (`HH:MM:SS`), -tt (`HH:MM:SS.uuuuuu`, the default), -ttt
/// (`SECONDS.uuuuuu` since the epoch) or -r (`%6d.%06d` since the previous line).
fn time_column(out: &mut String, ts_ns: u64, opts: &RenderOpts) {
    // i64 nanoseconds (good until 2262): i128 division is a library call per line.
    let wall = opts.clock.wall_ns(ts_ns) as i64;
    let secs = wall.div_euclid(1_000_000_000) as libc::time_t;
    let usec = (wall.rem_euclid(1_000_000_000) / 1000) as u32;
    match opts.time {
        TimeFormat::Seconds | TimeFormat::Micros => {
            // `HH:MM:SS` (formatted once per second of events) and `.uuuuuu`, appended as one
            // short string (callgrind: 251 -> ~60 instructions per line).
            let mut b = [0u8; 15];
            b[..8].copy_from_slice(&local_hms(secs));
            let n = if opts.time == TimeFormat::Micros {
                b[8] = b'.';
                b[9..].copy_from_slice(&strfmt::zero_padded::<6>(usec.into()));
                15
            } else {
                8
            };
            // SAFETY: ASCII digits and separators.
            strfmt::push_short(out, unsafe { std::str::from_utf8_unchecked(&b[..n]) });
        }
        TimeFormat::Epoch => {
            let _ = write!(out, "{secs}.{usec:06}");
        }
        TimeFormat::Relative => {
            use std::cell::Cell;
            thread_local! {
                static PREV: Cell<Option<u64>> = const { Cell::new(None) };
            }
            // Records arrive in the order calls return; a call that began before the previous
            // line's shows 0.
            let d = PREV.with(|p| {
                let d = p.get().map_or(0, |prev| ts_ns.saturating_sub(prev));
                p.set(Some(ts_ns));
                d
            });
            let _ = write!(
                out,
                "{:6}.{:06}",
                d / 1_000_000_000,
                (d % 1_000_000_000) / 1000
            );
        }
    }
}

/// Local `HH:MM:SS` of an epoch second. `localtime_r` (a lock and a time zone check) and the
/// formatting run once per second of events, not once per event.
fn local_hms(secs: libc::time_t) -> [u8; 8] {
    use std::cell::Cell;
    thread_local! {
        static LAST: Cell<Option<(libc::time_t, [u8; 8])>> = const { Cell::new(None) };
    }
    LAST.with(|last| match last.get() {
        Some((s, hms)) if s == secs => hms,
        _ => {
            // SAFETY: localtime_r fills tm from secs.
            let mut tm: libc::tm = unsafe { std::mem::zeroed() };
            unsafe { libc::localtime_r(&secs, &mut tm) };
            let mut hms = *b"00:00:00";
            for (i, v) in [tm.tm_hour, tm.tm_min, tm.tm_sec].into_iter().enumerate() {
                let d = strfmt::zero_padded::<2>(v.clamp(0, 99) as u64);
                hms[3 * i..3 * i + 2].copy_from_slice(&d);
            }
            last.set(Some((secs, hms)));
            hms
        }
    })
}

/// After the call, when the destination changed while the kernel worked (the call itself shows
/// the address read at entry): ` [TOCTOU: dest_addr at exit {...}]`.
fn toctou_marker(out: &mut String, rec: &Record, style: &Style) {
    if let Some((_, at_exit)) = Call::new(rec).toctou() {
        let name = if rec.event == sockscope_common::EventId::Sendto {
            "dest_addr"
        } else {
            "msg_name"
        };
        let _ = write!(out, " [TOCTOU: {name} at exit ");
        crate::decode::sockaddr::print_sockaddr(out, at_exit.data, style);
        out.push(']');
    }
}

/// The call as strace prints it, from the name through the return value.
pub fn call(out: &mut String, rec: &Record, opts: &RenderOpts) {
    let def = events::def(rec.event);
    if rec.header.flags & sockscope_common::RF_KILLED != 0 {
        killed_call(out, rec, opts);
        return;
    }
    let start = out.len();
    strfmt::push_short(out, def.name);
    out.push('(');
    for (i, arg) in def.args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if opts.verbose(rec.event) {
            arg_text(out, rec, i, arg.decoder, opts);
        } else {
            nonverbose_arg_text(out, rec, i, arg.decoder, opts);
        }
    }
    out.push_str(") ");
    // strace's tabto(): pad to the -a column, counted in bytes from the start of the call.
    let col = out.len() - start;
    if col < opts.acolumn {
        out.extend(std::iter::repeat_n(' ', opts.acolumn - col));
    }
    out.push_str("= ");
    format_retval(out, rec.header.ret);
    if rec.event == sockscope_common::EventId::Recvmmsg
        && let Some(suffix) = msghdr::recvmmsg_ret_suffix(&Call::new(rec))
            .filter(|s| opts.verbose(rec.event) || s == " (Timeout)")
    {
        out.push_str(&suffix);
    }
}

/// A call whose thread was killed in it (its process exited meanwhile): as strace, the
/// arguments it decodes at entry, then ` <unfinished ...>) = ?`. sendto and sendmsg show all
/// their arguments at entry; the receive calls and sendmmsg only the descriptor.
fn killed_call(out: &mut String, rec: &Record, opts: &RenderOpts) {
    use sockscope_common::EventId;
    let def = events::def(rec.event);
    let start = out.len();
    out.push_str(def.name);
    out.push('(');
    let all = matches!(rec.event, EventId::Sendto | EventId::Sendmsg);
    let n = if all { def.args.len() } else { 1 };
    for (i, arg) in def.args.iter().take(n).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if opts.verbose(rec.event) {
            arg_text(out, rec, i, arg.decoder, opts);
        } else {
            nonverbose_arg_text(out, rec, i, arg.decoder, opts);
        }
    }
    if !all {
        out.push_str(", ");
    }
    out.push_str(" <unfinished ...>) ");
    // Aligned as other calls with -a.
    let col = out.len() - start;
    if col < opts.acolumn {
        out.extend(std::iter::repeat_n(' ', opts.acolumn - col));
    }
    out.push_str("= ?");
}

fn failed(rec: &Record) -> bool {
    rec.header.ret < 0
}

/// A user buffer: quoted bytes, or the pointer when it could not be read.
fn buffer(out: &mut String, seg: Option<&Seg>, addr: u64, len: u64, style: &Style) {
    match seg.and_then(Seg::ok_data) {
        Some(data) => strfmt::quote_buf(out, data, len, style),
        _ => strfmt::print_addr(out, addr),
    }
}

/// strace's decode_sockbuf: a buffer on a netlink socket is decoded as netlink messages (by
/// the socket's protocol, known without -y). False when not netlink or not decodable from the
/// captured bytes (the caller prints the string).
fn netlink_buf(
    out: &mut String,
    rec: &Record,
    seg: Option<&Seg>,
    len: u64,
    opts: &RenderOpts,
) -> bool {
    let Some(proto) = crate::decode::netlink::call_netlink(&Call::new(rec)) else {
        return false;
    };
    // A read that faulted part-way holds the readable bytes (strace decodes up to the fault);
    // past 4 KiB the kernel side keeps a second 4 KiB.
    let more = Call::new(rec).buf_more();
    let Some((bytes, fault_after)) = crate::decode::netlink::captured_bytes(seg, more) else {
        return false;
    };
    let env = crate::decode::netlink::NlEnv {
        style: opts.style,
        proto,
        ifname: &opts.msg.ifname,
        genl_family: &crate::decode::netlink::genl_family_name,
    };
    let addr = seg.map_or(0, |s| s.addr);
    crate::decode::netlink::decode_netlink_at(out, &bytes, addr, fault_after, len, &env)
}

fn arg_text(out: &mut String, rec: &Record, i: usize, decoder: Decoder, opts: &RenderOpts) {
    let style = &opts.style;
    let c = Call::new(rec);
    let h = c.header();
    let v = h.args[i];
    match decoder {
        Decoder::Fd => {
            let (info, path) = c.descriptor(i as u16, opts.yflag);
            sockinfo::format_fd(
                out,
                v as i32,
                info.as_ref(),
                opts.yflag,
                path.as_ref(),
                style,
            );
        }
        Decoder::Size => strfmt::push_int(out, v),
        Decoder::Count => strfmt::push_int(out, v as u32),
        Decoder::MsgFlags => xlat::print_flags(out, v as u32 as u64, &xlat::MSG_FLAGS),
        Decoder::SendBuf => {
            if !netlink_buf(out, rec, c.send_buf(), h.args[2], opts) {
                buffer(out, c.send_buf(), v, h.args[2], style)
            }
        }
        Decoder::RecvBuf => {
            let len = (h.ret as u64).min(h.args[2]);
            if failed(rec) {
                strfmt::print_addr(out, v);
            } else if !netlink_buf(out, rec, c.recv_buf(), len, opts) {
                buffer(out, c.recv_buf(), v, len, style);
            }
        }
        Decoder::SockaddrIn => {
            format_sockaddr(out, v, c.addr_bytes(0), h.args[i + 1] as i32 as i64, style);
        }
        Decoder::SockLen => strfmt::push_int(out, v as i32),
        Decoder::SockaddrOut => sockaddr_out(out, rec, style),
        Decoder::SockLenPtr => socklen_ptr(out, rec),
        Decoder::MsghdrSend => msghdr::format_sendmsg_msg(out, &c, &opts.msg),
        Decoder::MsghdrRecv => msghdr::format_recvmsg_msg(out, &c, &opts.msg),
        Decoder::MmsghdrSend => msghdr::format_sendmmsg_vec(out, &c, &opts.msg),
        Decoder::MmsghdrRecv => msghdr::format_recvmmsg_vec(out, &c, &opts.msg),
        Decoder::Timeout => msghdr::format_recvmmsg_timeout(out, &c),
        Decoder::IovSend
        | Decoder::IovRecv
        | Decoder::LoffInOut
        | Decoder::Loff
        | Decoder::SpliceFlags
        | Decoder::Offset
        | Decoder::RwfFlags => crate::decode::data::arg_text(out, &c, i, decoder, style),
    }
}

/// An argument of a call left out of `-e verbose=`: as strace (whose structure fetches all
/// check verbose()), the structures it would decode (msghdrs, mmsghdr vectors, socket
/// addresses, recvfrom's address length, recvmmsg's timeout) are shown as pointers.
fn nonverbose_arg_text(
    out: &mut String,
    rec: &Record,
    i: usize,
    decoder: Decoder,
    opts: &RenderOpts,
) {
    match decoder {
        Decoder::MsghdrSend
        | Decoder::MsghdrRecv
        | Decoder::MmsghdrSend
        | Decoder::MmsghdrRecv
        | Decoder::SockaddrIn
        | Decoder::SockaddrOut
        | Decoder::SockLenPtr
        | Decoder::Timeout => strfmt::print_addr(out, rec.header.args[i]),
        _ => arg_text(out, rec, i, decoder, opts),
    }
}

/// recvfrom's src_addr, as strace: the address filled in (at most the length given), or the
/// pointer when the call failed or the lengths could not be read.
fn sockaddr_out(out: &mut String, rec: &Record, style: &Style) {
    let h = &rec.header;
    let addr = h.args[4];
    let c = Call::new(rec);
    let lens = if failed(rec) || addr == 0 {
        None
    } else {
        c.socklen_in().zip(c.socklen_out())
    };
    match lens {
        Some((ulen, rlen)) => {
            format_sockaddr(out, addr, c.addr_bytes(0), ulen.min(rlen) as i64, style);
        }
        None => strfmt::print_addr(out, addr),
    }
}

/// recvfrom's addrlen: `[16]`, `[128 => 16]`, or the pointer. strace prints the length it
/// reads whenever src_addr is not NULL, also when the call failed (the kernel left it as is).
fn socklen_ptr(out: &mut String, rec: &Record) {
    let h = &rec.header;
    let ptr = h.args[5];
    if h.args[4] == 0 {
        strfmt::print_addr(out, ptr);
        return;
    }
    let c = Call::new(rec);
    match (c.socklen_in(), c.socklen_out()) {
        (Some(ulen), Some(rlen)) if ulen != rlen && !failed(rec) => {
            out.push('[');
            strfmt::push_int(out, ulen);
            out.push_str(" => ");
            strfmt::push_int(out, rlen);
            out.push(']');
        }
        (Some(ulen), _) => {
            out.push('[');
            strfmt::push_int(out, ulen);
            out.push(']');
        }
        (None, _) => strfmt::print_addr(out, ptr),
    }
}

#[cfg(test)]
mod tests;
