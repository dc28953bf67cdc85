//! The `--json` hot path: a call's top-level object and its common arguments (descriptors,
//! sizes, MSG flags, buffers, IPv4 addresses, socket lengths) written straight into the line,
//! in the model's field order, without serde's call per field and without building an
//! `Arg` per argument (allocating a flags string and names list). Hand-written because
//! callgrind on `examples/render_cost` put half of a recvfrom event's 14,600 instructions in
//! serializing its six arguments through the model.
//!
//! The model ([`super::model`]) stays the definition of the output: everything else (msghdrs,
//! iovecs, sockets, other address families, TOCTOU addresses) is the model's serialization,
//! and [`super::model_line`] writes the whole line through the model with serde_json. A unit
//! test and `examples/json_corpus ... model` compare the two on every record of the corpus.

use super::{
    Args, arg as model_arg,
    model::{Arg, ArgValue, Event, HexPayload, Iovec, IovecArray, Payload, SockAddrMap},
    writer::{self, push_quoted_plain, push_str_value},
};
use crate::{
    call::Call,
    decode::{
        msghdr::{self, MsgOf},
        payload::payload,
        sockaddr::{inet16, ntop4_str, sockaddr_model},
        strfmt::push_short,
        xlat,
    },
    events::Decoder,
    record::{ReadStatus, Seg},
    render::KeptText,
};

#[inline(always)]
fn lit(out: &mut String, s: &'static str) {
    out.push_str(s);
}

/// Numbers below 100 without itoa's buffer ([`strfmt::push_int`]).
#[inline]
fn uint(out: &mut String, v: u64) {
    crate::decode::strfmt::push_int(out, v);
}

#[inline]
fn int(out: &mut String, v: i64) {
    crate::decode::strfmt::push_int(out, v);
}

#[inline]
fn boolean(out: &mut String, v: bool) {
    push_short(out, if v { "true" } else { "false" });
}

/// A pointer: null for NULL (model::Ptr).
#[inline]
fn ptr(out: &mut String, v: u64) {
    if v == 0 {
        lit(out, "null");
    } else {
        uint(out, v);
    }
}

/// What [`event`]'s kept task fields depend on: the five ids, the cgroup id and the name.
type TaskKey = ([u32; 5], u64, [u8; sockscope_common::COMM_LEN]);

/// The event object; `args` written by [`args`], `socket` and the rare fields by the model.
pub(super) fn event<S: serde::Serialize>(out: &mut String, e: &Event<'_, Args, S>) {
    thread_local! {
        // The task's fields (processId to cgroupId) kept from the last event while its ids,
        // cgroup and name are the same.
        static TASK: std::cell::RefCell<KeptText<TaskKey>> =
            std::cell::RefCell::new(KeptText::default());
    }
    lit(out, "{\"timestamp\":");
    uint(out, e.timestamp);
    lit(out, ",\"processorId\":");
    uint(out, e.processor_id.into());
    let name = e.process_name.0.0;
    let mut comm = [0u8; sockscope_common::COMM_LEN];
    let key = (name.len() <= comm.len()).then(|| {
        comm[..name.len()].copy_from_slice(name);
        (
            [
                e.process_id,
                e.thread_id,
                e.parent_process_id,
                e.user_id,
                e.group_id,
            ],
            e.cgroup_id,
            comm,
        )
    });
    TASK.with_borrow_mut(|t| out.push_str(t.get(key, |s| task_fields(s, e))));
    lit(out, ",\"eventName\":");
    push_quoted_plain(out, e.event_name);
    rest(out, e);
}

/// `,"processId":…` to `"cgroupId":…` (the cached part of [`event`]).
fn task_fields<S>(out: &mut String, e: &Event<'_, Args, S>) {
    // Unrolled (a loop over the keys made each copy a memcpy call: +180 instructions).
    macro_rules! uint_fields {
        ($($key:literal => $v:expr),*) => {$(
            lit(out, concat!(",\"", $key, "\":"));
            uint(out, $v.into());
        )*};
    }
    uint_fields!(
        "processId" => e.process_id,
        "threadId" => e.thread_id,
        "parentProcessId" => e.parent_process_id,
        "userId" => e.user_id,
        "groupId" => e.group_id
    );
    lit(out, ",\"processName\":");
    // The model sets processNameHex exactly when the name is not UTF-8 (json.rs write_model):
    // the name is validated once per event, there.
    match e.process_name_hex {
        // SAFETY: no processNameHex: the name is UTF-8.
        None => push_str_value(out, unsafe {
            std::str::from_utf8_unchecked(e.process_name.0.0)
        }),
        Some(_) => writer::write(out, &e.process_name),
    }
    if let Some(hex) = &e.process_name_hex {
        lit(out, ",\"processNameHex\":");
        writer::write(out, hex);
    }
    lit(out, ",\"cgroupId\":");
    uint(out, e.cgroup_id);
}

/// From `"syscall"` to the end of [`event`].
fn rest<S: serde::Serialize>(out: &mut String, e: &Event<'_, Args, S>) {
    lit(out, ",\"syscall\":");
    push_quoted_plain(out, e.syscall);
    lit(out, ",\"argsNum\":");
    uint(out, e.args_num as u64);
    lit(out, ",\"returnValue\":");
    int(out, e.return_value);
    lit(out, ",\"errno\":");
    match e.errno {
        Some(name) => push_str_value(out, name),
        None => lit(out, "null"),
    }
    lit(out, ",\"duration\":");
    match e.duration {
        Some(d) => uint(out, d),
        None => lit(out, "null"),
    }
    lit(out, ",\"args\":");
    args(out, &e.args);
    lit(out, ",\"socket\":");
    writer::write(out, &e.socket);
    if let Some(others) = &e.other_sockets {
        lit(out, ",\"otherSockets\":");
        writer::write(out, others);
    }
    lit(out, ",\"toctou\":");
    boolean(out, e.toctou);
    if let Some(addr) = &e.toctou_address {
        lit(out, ",\"toctouAddress\":");
        writer::write(out, addr);
    }
    lit(out, ",\"captureTruncated\":");
    boolean(out, e.capture_truncated);
    if e.exited_in_call {
        lit(out, ",\"exitedInCall\":true");
    }
    lit(out, ",\"strace\":");
    push_str_value(out, e.strace);
    out.push('}');
}

fn args(out: &mut String, a: &Args) {
    out.push('[');
    for (i, d) in a.def.args.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        arg(out, a.c, i, d.name, d.ty, d.decoder, a.opts);
    }
    out.push(']');
}

/// `{"name":"…","type":"…","value":` of every argument of every event, written once: one copy
/// per argument instead of five pieces (names and types need no escape: writer's
/// `event_table_names_need_no_escape`).
fn arg_prefix(id: sockscope_common::EventId, i: usize) -> Option<&'static str> {
    static PREFIXES: std::sync::LazyLock<Vec<Vec<String>>> = std::sync::LazyLock::new(|| {
        let mut all = Vec::new();
        for d in &crate::events::EVENTS {
            let at = d.id as usize;
            all.resize(all.len().max(at + 1), Vec::new());
            all[at] = d
                .args
                .iter()
                .map(|a| format!("{{\"name\":\"{}\",\"type\":\"{}\",\"value\":", a.name, a.ty))
                .collect();
        }
        all
    });
    PREFIXES.get(id as usize)?.get(i).map(String::as_str)
}

/// `{"name":…,"type":…,"value":` of argument `i` of the call: its prefix when the event
/// table has it, else piece by piece. Inlined: as a call it cost ~25 instructions more per
/// argument (callgrind).
#[inline(always)]
fn arg_start(out: &mut String, c: &Call, i: usize, name: &str, ty: &str) {
    match arg_prefix(c.event(), i) {
        Some(p) => out.push_str(p),
        None => arg_head(out, name, ty),
    }
}

/// `{"name":…,"type":…,"value":` of an argument, piece by piece (what [`arg_prefix`] holds
/// ready for the event table's arguments).
fn arg_head(out: &mut String, name: &str, ty: &str) {
    lit(out, "{\"name\":");
    push_quoted_plain(out, name);
    lit(out, ",\"type\":");
    push_quoted_plain(out, ty);
    lit(out, ",\"value\":");
}

/// One argument as [`super::arg`]'s model writes it: the common decoders here, the others
/// through the model.
fn arg(
    out: &mut String,
    c: &Call,
    i: usize,
    name: &'static str,
    ty: &'static str,
    decoder: Decoder,
    opts: &super::RenderOpts,
) {
    // The guard here keeps the call out of every other argument's path (+150 instructions
    // per sendto event without it: callgrind).
    if matches!(
        decoder,
        Decoder::MsghdrSend | Decoder::MsghdrRecv | Decoder::MmsghdrSend | Decoder::MmsghdrRecv
    ) && msg_arg(out, c, i, name, ty, decoder, opts)
    {
        return;
    }
    let simple = matches!(
        decoder,
        Decoder::Fd
            | Decoder::SockLen
            | Decoder::Size
            | Decoder::Count
            | Decoder::MsgFlags
            | Decoder::SendBuf
            | Decoder::RecvBuf
            | Decoder::SockaddrIn
            | Decoder::SockaddrOut
            | Decoder::SockLenPtr
    );
    if !simple {
        model_arg_json(out, &model_arg(c, i, name, ty, decoder, opts));
        return;
    }
    let h = c.header();
    let v = h.args[i];
    arg_start(out, c, i, name, ty);
    match decoder {
        Decoder::Fd | Decoder::SockLen => int(out, v as i32 as i64),
        Decoder::Size => uint(out, v),
        Decoder::Count => uint(out, v as u32 as u64),
        Decoder::MsgFlags => msg_flags(out, v as u32 as u64),
        Decoder::SendBuf => {
            ptr(out, v);
            lit(out, ",\"payload\":");
            payload_json(
                out,
                &payload(c.send_buf(), h.args[2], opts.style.max_strlen),
            );
        }
        Decoder::RecvBuf => {
            ptr(out, v);
            if !c.failed() {
                lit(out, ",\"payload\":");
                let len = (h.ret as u64).min(h.args[2]);
                payload_json(out, &payload(c.recv_buf(), len, opts.style.max_strlen));
            }
        }
        Decoder::SockaddrIn => addr_value(out, c.addr(0), v),
        Decoder::SockaddrOut => {
            if c.failed() {
                ptr(out, v);
            } else {
                addr_value(out, c.addr(0), v);
            }
        }
        Decoder::SockLenPtr => {
            ptr(out, v);
            if let Some(n) = c.socklen_in() {
                lit(out, ",\"in\":");
                int(out, n.into());
            }
            if let Some(n) = c.socklen_out() {
                lit(out, ",\"out\":");
                int(out, n.into());
            }
        }
        _ => unreachable!("not a simple decoder"),
    }
    out.push('}');
}

/// A MSG flags value: the number, then `decoded` (strace's text), `names` and `unknownBits`
/// (when bits have no name), from one table walk; the same value's text is remembered
/// (decode::memo: a program passes the same flags call after call).
fn msg_flags(out: &mut String, flags: u64) {
    thread_local! {
        static MEMO: std::cell::RefCell<crate::decode::memo::TextMemo<u64, 4>> =
            const { std::cell::RefCell::new(crate::decode::memo::TextMemo::new()) };
    }
    MEMO.with_borrow_mut(|m| {
        m.push(out, flags, flags ^ (flags >> 7), |out| {
            msg_flags_walk(out, flags)
        })
    })
}

fn msg_flags_walk(out: &mut String, flags: u64) {
    uint(out, flags);
    lit(out, ",\"decoded\":\"");
    // The text is names, `|`, hex digits and ` /* MSG_??? */`: nothing JSON escapes.
    xlat::print_flags_abbrev(out, flags, &xlat::MSG_FLAGS);
    lit(out, "\",\"names\":[");
    let mut first = true;
    let rest = xlat::for_each_flag_name(flags, &xlat::MSG_FLAGS, |n| {
        if !first {
            out.push(',');
        }
        first = false;
        push_quoted_plain(out, n);
    });
    out.push(']');
    if rest != 0 {
        lit(out, ",\"unknownBits\":");
        uint(out, rest);
    }
}

/// A socket address argument: its map when read, else the pointer (model `addr_value`).
fn addr_value(out: &mut String, seg: Option<&Seg>, v: u64) {
    match seg {
        Some(s) if s.status == ReadStatus::Ok && s.data.len() >= 2 => {
            if !inet_json(out, s.data) {
                sockaddr_json(out, &sockaddr_model(s.data))
            }
        }
        _ => ptr(out, v),
    }
}

/// An AF_INET address of 16 bytes (the common case) straight from its bytes, as the model
/// writes it (without building the model: ~250 instructions fewer); false for anything else.
fn inet_json(out: &mut String, data: &[u8]) -> bool {
    let Some((port, addr)) = inet16(data) else {
        return false;
    };
    lit(out, "{\"sa_family\":\"AF_INET\",\"sin_addr\":\"");
    push_short(out, ntop4_str(&addr, &mut [0; 15]));
    out.push('"');
    lit(out, ",\"sin_port\":");
    push_quoted_plain(out, itoa::Buffer::new().format(port));
    out.push('}');
    true
}

/// A socket address map: IPv4 here, the other families through the model.
fn sockaddr_json(out: &mut String, map: &SockAddrMap) {
    match map {
        SockAddrMap::Inet {
            sa_family,
            sin_addr,
            sin_port,
        } => {
            lit(out, "{\"sa_family\":");
            writer::write(out, sa_family);
            if let Some(a) = sin_addr {
                lit(out, ",\"sin_addr\":");
                push_quoted_plain(out, ntop4_str(&a.0.octets(), &mut [0; 15]));
            }
            if let Some(p) = sin_port {
                lit(out, ",\"sin_port\":");
                push_quoted_plain(out, itoa::Buffer::new().format(p.0));
            }
            out.push('}');
        }
        other => writer::write(out, other),
    }
}

/// A payload (model `Payload`): the hex of a read buffer written digit by digit into the line.
fn payload_json(out: &mut String, p: &Payload) {
    match p {
        Payload::Hex(HexPayload {
            data,
            captured,
            length,
            truncated,
            ..
        }) => {
            lit(out, "{\"encoding\":\"hex\",\"data\":\"");
            hex(out, data.0);
            lit(out, "\",\"captured\":");
            uint(out, *captured as u64);
            lit(out, ",\"length\":");
            uint(out, *length);
            lit(out, ",\"truncated\":");
            boolean(out, *truncated);
            out.push('}');
        }
        other => writer::write(out, other),
    }
}

/// Lower-case hex digits of `data`, two a byte, written into the reserved room: sixteen bytes
/// a step with SSE2 (part of every x86-64 CPU), the rest one at a time. A payload is the
/// longest field of most events (-s 64: 128 digits); byte by byte it cost ~7 instructions a
/// byte (callgrind on examples/render_cost).
fn hex(out: &mut String, data: &[u8]) {
    // SAFETY: only ASCII hex digits are appended, within the room reserved.
    let v = unsafe { out.as_mut_vec() };
    v.reserve(2 * data.len());
    let len = v.len();
    unsafe {
        let p = v.as_mut_ptr().add(len);
        let done = hex16(p, data);
        hex_bytes(p.add(2 * done), &data[done..]);
        v.set_len(len + 2 * data.len());
    }
}

/// The scalar digits of `data` at `p` (room for `2 * data.len()` bytes).
///
/// # Safety
/// `p` must be valid for `2 * data.len()` bytes of writes.
unsafe fn hex_bytes(p: *mut u8, data: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, &b) in data.iter().enumerate() {
        // SAFETY: see the contract.
        unsafe {
            *p.add(2 * i) = DIGITS[(b >> 4) as usize];
            *p.add(2 * i + 1) = DIGITS[(b & 15) as usize];
        }
    }
}

/// The digits of the whole sixteen-byte blocks of `data` at `p`; returns the bytes done.
///
/// # Safety
/// `p` must be valid for `2 * data.len()` bytes of writes.
#[cfg(target_arch = "x86_64")]
unsafe fn hex16(p: *mut u8, data: &[u8]) -> usize {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_and_si128, _mm_cmpgt_epi8, _mm_loadu_si128, _mm_set1_epi8,
        _mm_srli_epi16, _mm_storeu_si128, _mm_unpackhi_epi8, _mm_unpacklo_epi8,
    };
    // SAFETY: SSE2 is in the x86-64 baseline; loads and stores stay within `data` and the
    // caller's room.
    unsafe {
        let nibble = _mm_set1_epi8(0x0f);
        // A nibble n as its digit: n + '0', and 'a' - '0' - 10 more when n > 9.
        let digit = |n: __m128i| {
            let letter = _mm_and_si128(_mm_cmpgt_epi8(n, _mm_set1_epi8(9)), _mm_set1_epi8(39));
            _mm_add_epi8(_mm_add_epi8(n, _mm_set1_epi8(b'0' as i8)), letter)
        };
        let mut i = 0;
        while i + 16 <= data.len() {
            let x = _mm_loadu_si128(data.as_ptr().add(i).cast());
            let hi = _mm_and_si128(_mm_srli_epi16(x, 4), nibble);
            let lo = _mm_and_si128(x, nibble);
            let q = p.add(2 * i).cast::<__m128i>();
            _mm_storeu_si128(q, digit(_mm_unpacklo_epi8(hi, lo)));
            _mm_storeu_si128(q.add(1), digit(_mm_unpackhi_epi8(hi, lo)));
            i += 16;
        }
        i
    }
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn hex16(_p: *mut u8, _data: &[u8]) -> usize {
    0
}

/// An argument built by the model ([`super::arg`]), written field by field in its order, the
/// values the hot path knows written here.
fn model_arg_json(out: &mut String, a: &Arg) {
    arg_head(out, a.name, a.ty);
    value_json(out, &a.value);
    if let Some(p) = &a.payload {
        lit(out, ",\"payload\":");
        payload_json(out, p);
    }
    if let Some(d) = &a.decoded {
        lit(out, ",\"decoded\":");
        push_str_value(out, d);
    }
    if let Some(names) = &a.names {
        lit(out, ",\"names\":");
        writer::write(out, names);
    }
    if let Some(rest) = a.unknown_bits {
        lit(out, ",\"unknownBits\":");
        uint(out, rest);
    }
    if let Some(n) = a.len_in {
        lit(out, ",\"in\":");
        int(out, n.into());
    }
    if let Some(n) = a.len_out {
        lit(out, ",\"out\":");
        int(out, n.into());
    }
    out.push('}');
}

fn value_json(out: &mut String, v: &ArgValue) {
    match v {
        ArgValue::Int(n) => int(out, *n),
        ArgValue::Uint(n) => uint(out, *n),
        ArgValue::Ptr(p) => ptr(out, p.0),
        ArgValue::SockAddr(map) => sockaddr_json(out, map),
        ArgValue::Iovecs(IovecArray { address, iovecs }) => {
            lit(out, "{\"address\":");
            uint(out, *address);
            lit(out, ",\"iovecs\":");
            iovecs_json(out, iovecs.iter().copied());
            out.push('}');
        }
        other => writer::write(out, other),
    }
}

/// iovecs (model `Iovec`): `{"base","len","payload"}` each.
fn iovecs_json<'a>(out: &mut String, v: impl IntoIterator<Item = Iovec<'a>>) {
    out.push('[');
    for (k, Iovec { base, len, payload }) in v.into_iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        lit(out, "{\"base\":");
        ptr(out, base.0);
        lit(out, ",\"len\":");
        uint(out, len);
        lit(out, ",\"payload\":");
        payload_json(out, &payload);
        out.push('}');
    }
    out.push(']');
}

/// The msghdr arguments (sendmsg/recvmsg's `msg`, sendmmsg/recvmmsg's `msgvec`) written from
/// the record's bytes ([`msghdr::MsgView`]); false (nothing written) for any other argument
/// and for a msghdr that was not read or a failed recvmsg's (the model writes those: the
/// pointer, the caller's namelen). Not building the model (a Box, the iovec and flag-name Vecs
/// and an address map per message, then dropping them) was ~1,400 of a sendmsg event's 7,300
/// instructions (callgrind, examples/render_cost).
#[inline(never)]
fn msg_arg(
    out: &mut String,
    c: &Call,
    i: usize,
    name: &str,
    ty: &str,
    decoder: Decoder,
    opts: &super::RenderOpts,
) -> bool {
    let env = &opts.msg;
    match decoder {
        Decoder::MsghdrSend | Decoder::MsghdrRecv => {
            let m = if decoder == Decoder::MsghdrSend {
                msghdr::sendmsg_msg(c)
            } else {
                msghdr::recvmsg_msg(c)
            };
            let MsgOf::Read(v) = m else {
                return false;
            };
            arg_start(out, c, i, name, ty);
            msg_view_json(out, &v, env);
        }
        Decoder::MmsghdrSend | Decoder::MmsghdrRecv => {
            arg_start(out, c, i, name, ty);
            out.push('[');
            let mut first = true;
            msghdr::mmsg_msgs(c, decoder == Decoder::MmsghdrRecv, |v, msg_len| {
                if !first {
                    out.push(',');
                }
                first = false;
                lit(out, "{\"msgHdr\":");
                msg_view_json(out, &v, env);
                if let Some(n) = msg_len {
                    lit(out, ",\"msgLen\":");
                    uint(out, n.into());
                }
                out.push('}');
            });
            out.push(']');
        }
        _ => return false,
    }
    out.push('}');
    true
}

/// A read msghdr as the model's `MsghdrFull` serializes it, from the record's bytes; its
/// control messages (rare) through their model.
fn msg_view_json(out: &mut String, v: &msghdr::MsgView, env: &msghdr::MsgEnv) {
    let h = &v.hdr;
    lit(out, "{\"control\":");
    match v.control(env) {
        Some(c) => writer::write(out, &c),
        None => lit(out, "null"),
    }
    lit(out, ",\"controlPtr\":");
    ptr(out, h.control);
    lit(out, ",\"controllen\":");
    uint(out, h.controllen);
    if let Some(n) = v.data_size() {
        lit(out, ",\"dataSize\":");
        uint(out, n);
    }
    // The model's FlagList: the names, then the bits without one as "0x..".
    lit(out, ",\"flags\":[");
    let mut first = true;
    let rest = xlat::for_each_flag_name(h.flags.into(), &xlat::MSG_FLAGS, |n| {
        if !first {
            out.push(',');
        }
        first = false;
        push_quoted_plain(out, n);
    });
    if rest != 0 {
        if !first {
            out.push(',');
        }
        out.push('"');
        crate::decode::strfmt::push_hex(out, rest);
        out.push('"');
    }
    lit(out, "],\"flagsRaw\":");
    uint(out, h.flags.into());
    lit(out, ",\"iov\":");
    match v.iovecs(env.style.max_strlen) {
        Some(it) => iovecs_json(out, it),
        None => lit(out, "null"),
    }
    lit(out, ",\"iovPtr\":");
    ptr(out, h.iov);
    lit(out, ",\"iovlen\":");
    uint(out, h.iovlen);
    lit(out, ",\"name\":");
    match v.name() {
        Some(b) => {
            if !inet_json(out, b) {
                sockaddr_json(out, &sockaddr_model(b));
            }
        }
        None => lit(out, "null"),
    }
    lit(out, ",\"namePtr\":");
    ptr(out, h.name);
    lit(out, ",\"namelen\":");
    int(out, (h.namelen as i32).into());
    if let Some(n) = v.namelen_in() {
        lit(out, ",\"namelenIn\":");
        int(out, n.into());
    }
    lit(out, ",\"ptr\":");
    ptr(out, v.ptr);
    out.push('}');
}

#[cfg(test)]
mod tests {
    /// The AF_INET shortcut against the model's map, for ports and addresses of every digit
    /// count, and declining other lengths and families.
    #[test]
    fn inet_as_the_model() {
        for b in crate::decode::sockaddr::inet_test_addrs() {
            for len in [15, 16, 17] {
                let mut fast = String::new();
                let taken = super::inet_json(&mut fast, &b[..len]);
                assert_eq!(taken, len == 16);
                if taken {
                    let mut model = String::new();
                    super::sockaddr_json(
                        &mut model,
                        &crate::decode::sockaddr::sockaddr_model(&b[..len]),
                    );
                    assert_eq!(fast, model);
                }
            }
        }
        assert!(!super::inet_json(
            &mut String::new(),
            &[10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
        ));
    }

    /// The SSE2 digits against format!, every byte value at every position of every length
    /// across two blocks and a tail.
    #[test]
    fn hex_as_format() {
        crate::decode::strfmt::every_byte_at_every_position(40, |b, at, c| {
            let mut out = String::from("x");
            super::hex(&mut out, b);
            let want: String = b.iter().map(|x| format!("{x:02x}")).collect();
            assert_eq!(out, format!("x{want}"), "{c:#x} at {at} of {}", b.len());
        });
    }

    /// The msghdr writer (msg_arg) writes what serde writes from the model, and is taken
    /// exactly where it applies: every read msghdr (sendmsg, recvmsg, sendmmsg), with control
    /// messages and unnamed flag bits too; declined, writing nothing, for a failed recvmsg and
    /// an unread msghdr (the model writes those).
    #[test]
    fn msghdr_shortcut_as_the_model() {
        use crate::{
            call::Call,
            events::{self, Decoder},
            record::{Record, RecordBuilder},
        };
        use sockscope_common::{EventId, seg};
        fn hdr(name: u64, iov: u64, control: u64, controllen: u64, flags: u32) -> Vec<u8> {
            let mut h = vec![0u8; 56];
            h[..8].copy_from_slice(&name.to_le_bytes());
            h[8..12].copy_from_slice(&16u32.to_le_bytes());
            h[16..24].copy_from_slice(&iov.to_le_bytes());
            h[24..32].copy_from_slice(&1u64.to_le_bytes());
            h[32..40].copy_from_slice(&control.to_le_bytes());
            h[40..48].copy_from_slice(&controllen.to_le_bytes());
            h[48..52].copy_from_slice(&flags.to_le_bytes());
            h
        }
        let sin = &crate::decode::sockaddr::inet_test_addrs()[0][..16];
        let mut iov = 0x1000u64.to_le_bytes().to_vec();
        iov.extend_from_slice(&5u64.to_le_bytes());
        // SCM_RIGHTS with one descriptor: cmsg_len 20, SOL_SOCKET, SCM_RIGHTS, fd 7.
        let mut cmsg = 20u64.to_le_bytes().to_vec();
        cmsg.extend_from_slice(&1i32.to_le_bytes());
        cmsg.extend_from_slice(&1i32.to_le_bytes());
        cmsg.extend_from_slice(&7i32.to_le_bytes());
        cmsg.extend_from_slice(&[0; 4]);
        let msg = |event, h: &[u8], ret| {
            let mut b = RecordBuilder::new(event, [3, 0x6000, 0, 0, 0, 0], ret)
                .seg(seg::MSGHDR, 0, 0x6000, h)
                .seg(seg::CONTROL, 0, 0x4000, &cmsg)
                .seg(seg::ADDR, 0, 0x2000, sin)
                .seg(seg::IOV, 0, 0x3000, &iov)
                .seg(seg::IOV_DATA, 0, 0x1000, b"hello");
            if event == EventId::Recvmsg {
                b = b.seg(seg::MSGHDR_EXIT, 0, 0x6000, h);
            }
            b.build()
        };
        let mut mmsg = Vec::new();
        for _ in 0..2 {
            mmsg.extend_from_slice(&hdr(0x2000, 0x3000, 0, 0, 0));
            mmsg.extend_from_slice(&5u32.to_le_bytes());
            mmsg.extend_from_slice(&[0; 4]);
        }
        let mmsg = RecordBuilder::new(EventId::Sendmmsg, [3, 0x6000, 2, 0, 0, 0], 2)
            .seg(seg::MMSGHDR, 0, 0x6000, &mmsg)
            .seg(seg::ADDR, 0, 0x2000, sin)
            .seg(seg::IOV, 0, 0x3000, &iov)
            .seg(seg::IOV_DATA, 0, 0x1000, b"hello")
            .seg(seg::ADDR, 1, 0x2000, sin)
            .seg(seg::IOV, 1, 0x3000, &iov)
            .build();
        let plain = hdr(0x2000, 0x3000, 0, 0, 0x40);
        let cases = [
            (msg(EventId::Sendmsg, &plain, 5), true),
            (msg(EventId::Recvmsg, &plain, 5), true),
            (mmsg, true),
            (
                msg(EventId::Sendmsg, &hdr(0x2000, 0x3000, 0x4000, 24, 0), 5),
                true,
            ),
            (
                msg(EventId::Sendmsg, &hdr(0x2000, 0x3000, 0, 0, 0x10_0041), 5),
                true,
            ),
            (msg(EventId::Recvmsg, &plain, -11), false),
            (
                RecordBuilder::new(EventId::Sendmsg, [3, 0x6000, 0, 0, 0, 0], -14).build(),
                false,
            ),
        ];
        let opts = crate::render::RenderOpts::new(
            crate::decode::Style::default(),
            false,
            crate::render::Clock { offset_ns: 0 },
        );
        for (k, (bytes, applies)) in cases.iter().enumerate() {
            let rec = Record::parse(bytes).unwrap();
            let c = Call::new(&rec);
            let a = &events::def(rec.event).args[1];
            let mut fast = String::from("x");
            let taken = super::msg_arg(&mut fast, &c, 1, a.name, a.ty, a.decoder, &opts);
            assert_eq!(taken, *applies, "case {k}: {fast}");
            assert!(matches!(
                a.decoder,
                Decoder::MsghdrSend | Decoder::MsghdrRecv | Decoder::MmsghdrSend
            ));
            let model = format!(
                "x{}",
                serde_json::to_string(&super::model_arg(&c, 1, a.name, a.ty, a.decoder, &opts))
                    .unwrap()
            );
            if taken {
                assert_eq!(fast, model, "case {k}");
                assert!(fast.contains("\"sin_addr\""), "case {k}: {fast}");
            } else {
                assert_eq!(fast, "x", "case {k}");
            }
            // What each case is there for.
            match k {
                3 => assert!(fast.contains("SCM_RIGHTS"), "{fast}"),
                4 => assert!(fast.contains("\"0x100000\""), "{fast}"),
                _ => {}
            }
        }
    }
}
