//! One line per call: `HH:MM:SS.uuuuuu COMM PID/TID ` then the call exactly as strace prints it
//! (`sendto(3, "hi", 2, 0, NULL, 0) = 2`), then ` <seconds>` with `-T`.

use std::fmt::Write as _;

use sockscope_common::seg;

use super::{RenderOpts, TimeFormat, comm_bytes};
use crate::{
    decode::{
        Style, errno::format_retval, msghdr, sockaddr::format_sockaddr, sockinfo, strfmt, xlat,
    },
    events::{self, Decoder},
    record::{ReadStatus, Record, Seg},
};

/// Appends the whole line (without the newline).
pub fn line(out: &mut String, rec: &Record, opts: &RenderOpts) {
    let h = &rec.header;
    time_column(out, h.ts_ns, opts);
    // The name is the traced process's to choose: escaped to one token of printable ASCII.
    out.push(' ');
    crate::escape::push_token(out, comm_bytes(&h.comm));
    let _ = write!(out, " {}/{} ", h.tgid, h.tid);
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
    if rec.segs_truncated() {
        // The per-call capture area (sockscope_common::DATA_SIZE) filled up: later pieces of
        // this call were not read, and show as their pointers or `...`.
        out.push_str(" [capture truncated]");
    }
}

/// The time column, as strace's -t (`HH:MM:SS`), -tt (`HH:MM:SS.uuuuuu`, the default), -ttt
/// (`SECONDS.uuuuuu` since the epoch) or -r (`%6d.%06d` since the previous line).
fn time_column(out: &mut String, ts_ns: u64, opts: &RenderOpts) {
    let wall = opts.clock.wall_ns(ts_ns);
    let secs = wall.div_euclid(1_000_000_000) as libc::time_t;
    let usec = (wall.rem_euclid(1_000_000_000) / 1000) as u32;
    match opts.time {
        TimeFormat::Seconds | TimeFormat::Micros => {
            let (hh, mm, ss) = local_hms(secs);
            let _ = write!(out, "{hh:02}:{mm:02}:{ss:02}");
            if opts.time == TimeFormat::Micros {
                let _ = write!(out, ".{usec:06}");
            }
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

/// Local hour, minute and second of an epoch second. `localtime_r` (a lock and a time zone
/// check) runs once per second of events, not once per event.
fn local_hms(secs: libc::time_t) -> (i32, i32, i32) {
    use std::cell::Cell;
    thread_local! {
        static LAST: Cell<Option<(libc::time_t, (i32, i32, i32))>> = const { Cell::new(None) };
    }
    LAST.with(|last| match last.get() {
        Some((s, hms)) if s == secs => hms,
        _ => {
            // SAFETY: localtime_r fills tm from secs.
            let mut tm: libc::tm = unsafe { std::mem::zeroed() };
            unsafe { libc::localtime_r(&secs, &mut tm) };
            let hms = (tm.tm_hour, tm.tm_min, tm.tm_sec);
            last.set(Some((secs, hms)));
            hms
        }
    })
}

/// After the call, when the destination changed while the kernel worked (the call itself shows
/// the address read at entry): ` [TOCTOU: dest_addr at exit {...}]`.
fn toctou_marker(out: &mut String, rec: &Record, style: &Style) {
    if let Some((_, at_exit)) = rec.toctou() {
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
    out.push_str(def.name);
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
        && let Some(suffix) = msghdr::recvmmsg_ret_suffix(rec)
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

/// With `-y`: the kernel's capture of the call's descriptor and, for a file that is not a
/// socket, its path from /proc (looked up now, checked against the captured inode).
pub fn sock_of(
    rec: &Record,
    opts: &RenderOpts,
) -> (Option<sockscope_common::SockInfo>, Option<sockinfo::FdPath>) {
    sock_of_arg(rec, opts, 0)
}

/// As [`sock_of`], for the descriptor in argument `index` (sendfile's in_fd, splice's fd_out).
pub fn sock_of_arg(
    rec: &Record,
    opts: &RenderOpts,
    index: u16,
) -> (Option<sockscope_common::SockInfo>, Option<sockinfo::FdPath>) {
    if opts.yflag == 0 {
        return (None, None);
    }
    let info = rec
        .seg(seg::SOCK, index)
        .filter(|s| s.status == ReadStatus::Ok)
        .and_then(|s| sockinfo::parse(s.data));
    let path = info
        .as_ref()
        .filter(|i| sockinfo::wants_path(i))
        .and_then(|i| {
            // The path the kernel side read at the call; /proc when it has none.
            rec.seg(seg::PATH, index)
                .filter(|s| s.status == ReadStatus::Ok)
                .and_then(|s| crate::decode::fdpath::parse(s.data, i))
                .or_else(|| sockinfo::proc_fd_path(rec.header.tgid, i))
        });
    (info, path)
}

/// The bytes of a send buffer: read at entry, or again at exit when the entry read faulted.
pub fn send_buf<'a>(rec: &'a Record<'a>) -> Option<&'a Seg<'a>> {
    match rec.seg(seg::BUF, 0) {
        Some(s) if s.status != ReadStatus::Ok => rec.seg(seg::BUF_EXIT, 0).or(Some(s)),
        other => other,
    }
}

fn failed(rec: &Record) -> bool {
    rec.header.ret < 0
}

/// A user buffer: quoted bytes, or the pointer when it could not be read.
fn buffer(out: &mut String, seg: Option<&Seg>, addr: u64, len: u64, style: &Style) {
    match seg {
        Some(s) if s.status == ReadStatus::Ok => strfmt::quote_buf(out, s.data, len, style),
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
    let Some(proto) = crate::decode::netlink::record_netlink(rec) else {
        return false;
    };
    // A read that faulted part-way holds the readable bytes (strace decodes up to the fault);
    // past 4 KiB the kernel side keeps a second 4 KiB.
    let more = rec.seg(seg::BUF_MORE, 0);
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
    let h = &rec.header;
    let v = h.args[i];
    match decoder {
        Decoder::Fd => {
            let (info, path) = sock_of_arg(rec, opts, i as u16);
            sockinfo::format_fd(
                out,
                v as i32,
                info.as_ref(),
                opts.yflag,
                path.as_ref(),
                style,
            );
        }
        Decoder::Size => {
            let _ = write!(out, "{v}");
        }
        Decoder::Count => {
            let _ = write!(out, "{}", v as u32);
        }
        Decoder::MsgFlags => xlat::print_flags(out, v as u32 as u64, &xlat::MSG_FLAGS),
        Decoder::SendBuf => {
            if !netlink_buf(out, rec, send_buf(rec), h.args[2], opts) {
                buffer(out, send_buf(rec), v, h.args[2], style)
            }
        }
        Decoder::RecvBuf => {
            let len = (h.ret as u64).min(h.args[2]);
            if failed(rec) {
                strfmt::print_addr(out, v);
            } else if !netlink_buf(out, rec, rec.seg(seg::BUF, 0), len, opts) {
                buffer(out, rec.seg(seg::BUF, 0), v, len, style);
            }
        }
        Decoder::SockaddrIn => {
            let bytes = match rec.seg(seg::ADDR, 0) {
                Some(s) if s.status == ReadStatus::Ok => Some(s.data),
                _ => None,
            };
            format_sockaddr(out, v, bytes, h.args[i + 1] as i32 as i64, style);
        }
        Decoder::SockLen => {
            let _ = write!(out, "{}", v as i32);
        }
        Decoder::SockaddrOut => sockaddr_out(out, rec, style),
        Decoder::SockLenPtr => socklen_ptr(out, rec),
        Decoder::MsghdrSend => msghdr::format_sendmsg_msg(out, rec, &opts.msg),
        Decoder::MsghdrRecv => msghdr::format_recvmsg_msg(out, rec, &opts.msg),
        Decoder::MmsghdrSend => msghdr::format_sendmmsg_vec(out, rec, &opts.msg),
        Decoder::MmsghdrRecv => msghdr::format_recvmmsg_vec(out, rec, &opts.msg),
        Decoder::Timeout => msghdr::format_recvmmsg_timeout(out, rec),
        Decoder::IovSend
        | Decoder::IovRecv
        | Decoder::LoffInOut
        | Decoder::Loff
        | Decoder::SpliceFlags
        | Decoder::Offset
        | Decoder::RwfFlags => crate::decode::data::arg_text(out, rec, i, decoder, style),
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

/// The in/out socklen of recvfrom: (value at entry, value at exit), None when not readable.
fn socklens(rec: &Record) -> Option<(i32, i32)> {
    let read = |kind| {
        rec.seg(kind, 0)
            .filter(|s| s.status == ReadStatus::Ok && s.data.len() >= 4)
            .map(|s| i32::from_ne_bytes(s.data[..4].try_into().unwrap()))
    };
    Some((read(seg::ADDRLEN_IN)?, read(seg::ADDRLEN_OUT)?))
}

/// recvfrom's src_addr, as strace: the address filled in (at most the length given), or the
/// pointer when the call failed or the lengths could not be read.
fn sockaddr_out(out: &mut String, rec: &Record, style: &Style) {
    let h = &rec.header;
    let addr = h.args[4];
    let lens = if failed(rec) || addr == 0 {
        None
    } else {
        socklens(rec)
    };
    match lens {
        Some((ulen, rlen)) => {
            let bytes = match rec.seg(seg::ADDR, 0) {
                Some(s) if s.status == ReadStatus::Ok => Some(s.data),
                _ => None,
            };
            format_sockaddr(out, addr, bytes, ulen.min(rlen) as i64, style);
        }
        None => strfmt::print_addr(out, addr),
    }
}

/// recvfrom's addrlen: `[16]`, `[128 => 16]`, or the pointer. strace prints the length it
/// reads whenever src_addr is not NULL, also when the call failed (the kernel left it as is).
fn socklen_ptr(out: &mut String, rec: &Record) {
    let h = &rec.header;
    let ptr = h.args[5];
    let read = |kind| {
        rec.seg(kind, 0)
            .filter(|s| s.status == ReadStatus::Ok && s.data.len() >= 4)
            .map(|s| i32::from_ne_bytes(s.data[..4].try_into().unwrap()))
    };
    if h.args[4] == 0 {
        strfmt::print_addr(out, ptr);
        return;
    }
    match (read(seg::ADDRLEN_IN), read(seg::ADDRLEN_OUT)) {
        (Some(ulen), Some(rlen)) if ulen != rlen && !failed(rec) => {
            let _ = write!(out, "[{ulen} => {rlen}]");
        }
        (Some(ulen), _) => {
            let _ = write!(out, "[{ulen}]");
        }
        (None, _) => strfmt::print_addr(out, ptr),
    }
}

#[cfg(test)]
mod tests {
    use sockscope_common::{EventId, RF_SEGS_TRUNCATED, seg};

    use super::*;
    use crate::{
        record::RecordBuilder,
        render::{Clock, RenderOpts},
    };

    fn sin(port: u16) -> Vec<u8> {
        let mut a = vec![2, 0];
        a.extend_from_slice(&port.to_be_bytes());
        a.extend_from_slice(&[127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        a
    }

    fn render(bytes: &[u8]) -> String {
        let rec = Record::parse(bytes).unwrap();
        let mut out = String::new();
        line(
            &mut out,
            &rec,
            &RenderOpts::new(Style::default(), false, Clock { offset_ns: 0 }),
        );
        out
    }

    fn sendto(at_exit: &[u8]) -> RecordBuilder {
        RecordBuilder::new(EventId::Sendto, [3, 0x1000, 2, 0, 0x2000, 16], 2)
            .seg(seg::BUF, 0, 0x1000, b"hi")
            .seg(seg::ADDR, 0, 0x2000, &sin(40001))
            .seg(seg::ADDR_EXIT, 0, 0x2000, at_exit)
    }

    #[test]
    fn toctou_marker_only_when_the_destination_changed() {
        let call = r#"sendto(3, "hi", 2, 0, {sa_family=AF_INET, sin_port=htons(40001), sin_addr=inet_addr("127.0.0.1")}, 16) = 2"#;
        let same = render(&sendto(&sin(40001)).build());
        assert!(same.ends_with(call), "{same}");
        let changed = render(&sendto(&sin(40002)).build());
        assert!(
            changed.ends_with(&format!(
                "{call} [TOCTOU: dest_addr at exit {{sa_family=AF_INET, sin_port=htons(40002), sin_addr=inet_addr(\"127.0.0.1\")}}]"
            )),
            "{changed}"
        );
    }

    fn call_with(rec: &[u8], opts: &RenderOpts) -> String {
        let rec = Record::parse(rec).unwrap();
        let mut out = String::from("PREFIX ");
        call(&mut out, &rec, opts);
        out
    }

    #[test]
    fn a_column_aligns_the_return_value_as_strace() {
        let b = RecordBuilder::new(EventId::Sendto, [3, 0x1000, 2, 0, 0, 0], 2)
            .seg(seg::BUF, 0, 0x1000, b"hi")
            .build();
        let opts = RenderOpts::new(Style::default(), false, Clock { offset_ns: 0 });
        // `sendto(3, "hi", 2, 0, NULL, 0)` is 30 bytes; strace prints ") ", pads to the column
        // (counted from the call's start, not sockscope's prefix) and then "= ".
        assert_eq!(
            call_with(&b, &opts),
            r#"PREFIX sendto(3, "hi", 2, 0, NULL, 0) = 2"#
        );
        assert_eq!(
            call_with(&b, &opts.with_acolumn(40)),
            format!(
                r#"PREFIX sendto(3, "hi", 2, 0, NULL, 0){}= 2"#,
                " ".repeat(10)
            )
        );
        assert_eq!(
            call_with(&b, &opts.with_acolumn(20)),
            r#"PREFIX sendto(3, "hi", 2, 0, NULL, 0) = 2"#
        );
    }

    #[test]
    fn nonverbose_calls_show_pointers() {
        let b = RecordBuilder::new(EventId::Sendto, [3, 0x1000, 2, 0, 0x2000, 16], 2)
            .seg(seg::BUF, 0, 0x1000, b"hi")
            .seg(seg::ADDR, 0, 0x2000, &sin(40001))
            .build();
        let mut opts = RenderOpts::new(Style::default(), false, Clock { offset_ns: 0 });
        opts.nonverbose = 1 << (EventId::Sendto as u16);
        assert_eq!(
            call_with(&b, &opts),
            r#"PREFIX sendto(3, "hi", 2, 0, 0x2000, 16) = 2"#
        );
        opts.nonverbose = 1 << (EventId::Recvmsg as u16);
        assert!(call_with(&b, &opts).contains("sin_port=htons(40001)"));
    }

    #[test]
    fn killed_in_the_call_is_a_question_mark() {
        let mut b = RecordBuilder::new(EventId::Recvfrom, [3, 0x1000, 64, 0, 0x2000, 0x3000], -512);
        b.header_mut().flags |= sockscope_common::RF_KILLED;
        let text = render(&b.build());
        assert!(
            text.ends_with(" recvfrom(3,  <unfinished ...>) = ?"),
            "{text}"
        );
        let mut b = sendto(&sin(40001));
        b.header_mut().ret = -512;
        b.header_mut().flags |= sockscope_common::RF_KILLED;
        let text = render(&b.build());
        assert!(
            text.ends_with(r#"sendto(3, "hi", 2, 0, {sa_family=AF_INET, sin_port=htons(40001), sin_addr=inet_addr("127.0.0.1")}, 16 <unfinished ...>) = ?"#),
            "{text}"
        );
        // Not killed: strace's restart code.
        let b = RecordBuilder::new(EventId::Recvfrom, [3, 0x1000, 64, 0, 0, 0], -512);
        assert!(
            render(&b.build()).ends_with("= ? ERESTARTSYS (To be restarted if SA_RESTART is set)")
        );
    }

    #[test]
    fn prefix_name_is_one_escaped_token() {
        let mut b = sendto(&sin(40001));
        let name = b"x\n00:00:00 sshd";
        b.header_mut().comm = [0; 16];
        b.header_mut().comm[..name.len()].copy_from_slice(name);
        let text = render(&b.build());
        assert!(!text.contains('\n'), "{text:?}");
        let mut it = text.split(' ');
        let _time = it.next();
        assert_eq!(it.next(), Some("x\\x0a00:00:00\\x20sshd"), "{text}");
        for bad in [0x1bu8, b'\r', 0x07, 0x08, b'\t', 0x7f, 0xff, 0x9b] {
            let mut b = sendto(&sin(40001));
            b.header_mut().comm = [0; 16];
            b.header_mut().comm[..3].copy_from_slice(&[b'a', bad, b'b']);
            let text = render(&b.build());
            assert!(
                text.bytes().all(|c| (0x20..0x7f).contains(&c)),
                "{bad:#x}: {text:?}"
            );
            assert!(text.contains(&format!(" a\\x{bad:02x}b ")), "{text}");
        }
    }

    #[test]
    fn time_columns() {
        let opts =
            |t| RenderOpts::new(Style::default(), false, Clock { offset_ns: 0 }).with_time(t);
        let mut b = sendto(&sin(40001));
        b.header_mut().ts_ns = 1_700_000_000_123_456_789;
        let bytes = b.build();
        let rec = Record::parse(&bytes).unwrap();
        let col = |t| {
            let mut out = String::new();
            line(&mut out, &rec, &opts(t));
            out.split(' ').next().unwrap().to_string()
        };
        assert_eq!(col(TimeFormat::Epoch), "1700000000.123456");
        assert_eq!(col(TimeFormat::Seconds).len(), 8);
        assert_eq!(col(TimeFormat::Micros).len(), 15);
        assert!(col(TimeFormat::Micros).ends_with(".123456"));
        let mut out = String::new();
        line(&mut out, &rec, &opts(TimeFormat::Relative));
        out.clear();
        line(&mut out, &rec, &opts(TimeFormat::Relative));
        assert!(out.starts_with("     0.000000 "), "{out}");
    }

    #[test]
    fn truncated_capture_is_marked() {
        let mut b = sendto(&sin(40001));
        b.header_mut().flags |= RF_SEGS_TRUNCATED;
        let text = render(&b.build());
        assert!(text.ends_with(") = 2 [capture truncated]"), "{text}");
    }
}
