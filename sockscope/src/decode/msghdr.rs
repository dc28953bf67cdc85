//! msghdr / mmsghdr / cmsg / timespec arguments of sendmsg, recvmsg, sendmmsg, recvmmsg, as
//! strace 6.1 prints them (src/msghdr.c, src/mmsghdr.c, src/io.c tprint_iov_upto, src/util.c
//! print_array_ex), and as JSON values carrying the same facts.
//!
//! Everything works on the typed [`Call`]: the pieces are the ones `sockscope-ebpf` captures
//! (see `sockscope_common::seg`). What was not captured is printed
//! the way strace prints what it cannot read (the pointer), or as `...` where strace would show
//! more elements than the kernel side keeps (iovecs past MAX_IOV, mmsghdrs past MAX_MMSG).

use serde_json::Value;

use super::cmsg::{control_model, format_control};
use super::sockaddr::{format_sockaddr, sockaddr_model};
use super::strfmt::{print_addr, quote_buf};
use super::xlat::{MSG_FLAGS, flag_names, print_flags};
use super::{rd_u32, rd_u64};
use crate::render::json::model::{
    Control, FlagList, Iovec, Mmsghdr, MsghdrFull, MsghdrModel, Ptr, Timeout, Timespec,
};

use crate::call::Call;
use crate::record::{ReadStatus, Seg};

pub use super::cmsg::CmsgEnv as MsgEnv;

/// The wire layouts, defined once for both sides (sockscope-common `wire`).
pub use sockscope_common::wire::{IOVEC_SIZE, MMSGHDR_SIZE, MSGHDR_SIZE};
/// strace's IOV_MAX bound on the mmsghdr entries it decodes.
const IOV_MAX: u64 = 1024;

/// A `struct user_msghdr` as read from user memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Msghdr {
    pub name: u64,
    pub namelen: u32,
    pub iov: u64,
    pub iovlen: u64,
    pub control: u64,
    pub controllen: u64,
    pub flags: u32,
}

impl Msghdr {
    /// Parses the first 56 bytes of `b`; None when shorter.
    pub fn parse(b: &[u8]) -> Option<Msghdr> {
        if b.len() < MSGHDR_SIZE {
            return None;
        }
        Some(Msghdr {
            name: rd_u64(b, 0),
            namelen: rd_u32(b, 8),
            iov: rd_u64(b, 16),
            iovlen: rd_u64(b, 24),
            control: rd_u64(b, 32),
            controllen: rd_u64(b, 40),
            flags: rd_u32(b, 48),
        })
    }
}

/// The bytes of a segment that was read successfully.
fn ok_data<'a>(s: Option<&Seg<'a>>) -> Option<&'a [u8]> {
    s.and_then(Seg::ok_data)
}

/// Entry `i` of a captured mmsghdr array: its msghdr and msg_len.
fn mmsg_entry(arr: &[u8], i: usize) -> Option<(Msghdr, u32)> {
    let e = arr.get(i * MMSGHDR_SIZE..(i + 1) * MMSGHDR_SIZE)?;
    Some((Msghdr::parse(e)?, rd_u32(e, MSGHDR_SIZE)))
}

// ---------------------------------------------------------------------------------------------
// One msghdr (print_struct_msghdr)

/// Where the pieces of one message are in the record, and how strace prints it.
struct MsgCtx<'r, 'a> {
    call: Call<'r, 'a>,
    /// mmsghdr index (0 for sendmsg/recvmsg): the `index` of ADDR/IOV/CONTROL segments.
    index: u16,
    /// recvmsg/recvmmsg: msg_namelen as the caller set it (the `128 =>` part).
    user_namelen: Option<i32>,
    /// recvmsg/recvmmsg: the bytes received, which limit the iov data shown. None: no limit.
    data_size: Option<u64>,
}

impl<'r, 'a> MsgCtx<'r, 'a> {
    /// The namelen strace decodes the name with: the smaller of the two on receive.
    fn effective_namelen(&self, h: &Msghdr) -> i32 {
        match self.user_namelen {
            Some(u) if (h.namelen as i32) > u => u,
            _ => h.namelen as i32,
        }
    }

    /// The captured name bytes cut to the effective namelen; None when not read.
    fn name_bytes(&self, h: &Msghdr) -> Option<&'a [u8]> {
        let d = self.call.addr_bytes(self.index)?;
        let n = self.effective_namelen(h).max(0) as usize;
        Some(&d[..d.len().min(n)])
    }

    fn control_bytes(&self) -> Option<&'a [u8]> {
        self.call.control(self.index)
    }

    fn iov_data_seg(&self, i: usize) -> Option<&'r Seg<'a>> {
        self.call.iov_data(self.index, i)
    }
}

/// The captured iovec entries, or Err(()) when strace would print the array's address.
fn iov_entries<'a>(c: &MsgCtx<'_, 'a>, h: &Msghdr) -> Result<&'a [u8], ()> {
    let size = h.iovlen.checked_mul(IOVEC_SIZE as u64).ok_or(())?;
    match h.iov.checked_add(size) {
        Some(end) if end > h.iov => {}
        _ => return Err(()),
    }
    c.call
        .iov(c.index)
        .filter(|d| d.len() >= IOVEC_SIZE)
        .ok_or(())
}

/// strace's print_struct_msghdr decodes the iovecs as netlink messages when msg_name is an
/// AF_NETLINK address (decode_sockaddr returned that family: name read, namelen >= 2).
fn name_is_netlink(c: &MsgCtx, h: &Msghdr) -> bool {
    const AF_NETLINK: u16 = 16;
    if h.name == 0 || c.effective_namelen(h) < 2 {
        return false;
    }
    let namelen = (c.effective_namelen(h) as usize).min(super::sockaddr::SOCKADDR_MAX);
    match c.name_bytes(h) {
        Some(b) if b.len() >= namelen && b.len() >= 2 => {
            u16::from_le_bytes([b[0], b[1]]) == AF_NETLINK
        }
        _ => false,
    }
}

fn format_iov(out: &mut String, c: &MsgCtx, h: &Msghdr, env: &MsgEnv) {
    let entries = if h.iov == 0 || h.iovlen == 0 {
        None
    } else {
        iov_entries(c, h).ok()
    };
    let netlink = name_is_netlink(c, h);
    super::data::print_iov_array(
        out,
        h.iov,
        h.iovlen,
        entries,
        super::max_elems(&env.style),
        c.data_size,
        |out, i, base, shown| iov_data(out, c, i, base, shown, netlink, env),
    );
}

/// printstrn of one iovec's `shown` bytes.
fn iov_data(
    out: &mut String,
    c: &MsgCtx,
    i: usize,
    base: u64,
    shown: u64,
    netlink: bool,
    env: &MsgEnv,
) {
    if base == 0 {
        out.push_str("NULL");
        return;
    }
    if netlink {
        // decode_netlink reads as far as the messages go, not just -s bytes: decoded when the
        // kernel side captured enough, else the plain string below.
        let nl = super::netlink::NlEnv {
            style: env.style,
            proto: super::netlink::call_netlink(&c.call).flatten(),
            ifname: &env.ifname,
            genl_family: &super::netlink::genl_family_name,
        };
        // A read that faulted part-way holds the readable bytes (strace decodes up to there);
        // past 4 KiB the kernel side keeps a second 4 KiB of the first iovec.
        let more = (i == 0).then(|| c.call.iov_data_more(c.index)).flatten();
        if let Some((bytes, fault_after)) = super::netlink::captured_bytes(c.iov_data_seg(i), more)
            && super::netlink::decode_netlink_at(
                out,
                &bytes,
                c.iov_data_seg(i).map_or(0, |s| s.addr),
                fault_after,
                shown,
                &nl,
            )
        {
            return;
        }
    }
    match c.iov_data_seg(i) {
        Some(s) if s.status == ReadStatus::Ok => {
            let d = &s.data[..s
                .data
                .len()
                .min(env.style.max_strlen)
                .min(shown.min(usize::MAX as u64) as usize)];
            quote_buf(out, d, shown, &env.style);
        }
        // Nothing captured because nothing is shown (receive past the returned count).
        None if shown == 0 => quote_buf(out, &[], 0, &env.style),
        _ => print_addr(out, base),
    }
}

/// print_struct_msghdr: `{msg_name=..., ..., msg_flags=...}`.
fn format_msghdr_body(out: &mut String, c: &MsgCtx, h: &Msghdr, env: &MsgEnv) {
    out.push_str("{msg_name=");
    if h.name == 0 {
        print_addr(out, 0);
    } else {
        format_sockaddr(
            out,
            h.name,
            c.name_bytes(h),
            c.effective_namelen(h) as i64,
            &env.style,
        );
    }
    out.push_str(", msg_namelen=");
    if let Some(u) = c.user_namelen
        && u != h.namelen as i32
    {
        super::strfmt::push_int(out, u);
        out.push_str(" => ");
    }
    super::strfmt::push_int(out, h.namelen as i32);
    out.push_str(", msg_iov=");
    format_iov(out, c, h, env);
    out.push_str(", msg_iovlen=");
    super::strfmt::push_int(out, h.iovlen);
    if h.controllen != 0 {
        out.push_str(", msg_control=");
        format_control(out, h.control, h.controllen, c.control_bytes(), env);
    }
    out.push_str(", msg_controllen=");
    super::strfmt::push_int(out, h.controllen);
    out.push_str(", msg_flags=");
    print_flags(out, h.flags as u64, &MSG_FLAGS);
    out.push('}');
}

/// The iovecs of a read msghdr as the JSON shows them (base, len, and the payload up to `max`
/// bytes of what is shown); None when strace prints no array (NULL, or not captured).
fn iovecs<'r, 'a>(
    c: &MsgCtx<'r, 'a>,
    h: &Msghdr,
    max: usize,
) -> Option<impl Iterator<Item = Iovec<'a>> + use<'r, 'a>> {
    let entries: &'a [u8] = if h.iov == 0 {
        return None;
    } else if h.iovlen == 0 {
        &[]
    } else {
        iov_entries(c, h).ok()?
    };
    Some(super::data::iovec_models(
        c.call,
        c.index,
        entries,
        h.iovlen,
        c.data_size,
        false,
        max,
    ))
}

/// One msghdr that was read, with where its pieces are: what the JSON shows of it, for the
/// model ([`MsghdrFull`]) and for render::json's hot path, which writes the same fields
/// without building the model (no Box, Vecs or address map per message).
pub struct MsgView<'r, 'a> {
    /// The msghdr's own address.
    pub ptr: u64,
    pub hdr: Msghdr,
    ctx: MsgCtx<'r, 'a>,
}

impl<'r, 'a> MsgView<'r, 'a> {
    /// msg_name's bytes (cut to the effective namelen) when it is shown as an address: read,
    /// non-NULL, at least the family.
    pub fn name(&self) -> Option<&'a [u8]> {
        match self.ctx.name_bytes(&self.hdr) {
            Some(b) if self.hdr.name != 0 && b.len() >= 2 => Some(b),
            _ => None,
        }
    }

    /// The caller's msg_namelen (receive calls).
    pub fn namelen_in(&self) -> Option<i32> {
        self.ctx.user_namelen
    }

    /// Bytes received (receive calls).
    pub fn data_size(&self) -> Option<u64> {
        self.ctx.data_size
    }

    /// The control messages; None without control (or when they cannot be decoded).
    pub fn control(&self, env: &MsgEnv) -> Option<Control<'a>> {
        let h = &self.hdr;
        if h.controllen == 0 {
            return None;
        }
        control_model(h.control, h.controllen, self.ctx.control_bytes(), env)
    }

    /// The iovecs, payloads cut at `max` bytes; None: `"iov":null`.
    pub fn iovecs(&self, max: usize) -> Option<impl Iterator<Item = Iovec<'a>> + use<'r, 'a>> {
        iovecs(&self.ctx, &self.hdr, max)
    }

    /// The typed model of this msghdr.
    pub fn model(&self, env: &MsgEnv) -> MsghdrModel<'a> {
        msghdr_model(self, env)
    }
}

/// What sendmsg/recvmsg's JSON shows of their msghdr: read, or only what is known.
pub enum MsgOf<'r, 'a> {
    Read(MsgView<'r, 'a>),
    /// recvmsg failed: the caller's namelen alone.
    Failed {
        namelen_in: i32,
        ptr: u64,
    },
    /// Not read (NULL or unreadable): the pointer.
    Unread {
        ptr: u64,
    },
}

impl<'a> MsgOf<'_, 'a> {
    /// The typed model ([`MsghdrModel`]).
    pub fn model(&self, env: &MsgEnv) -> MsghdrModel<'a> {
        match self {
            MsgOf::Read(v) => v.model(env),
            MsgOf::Failed { namelen_in, ptr } => MsghdrModel::Failed {
                namelen_in: *namelen_in,
                ptr: Ptr(*ptr),
            },
            MsgOf::Unread { ptr } => MsghdrModel::Unread { ptr: Ptr(*ptr) },
        }
    }
}

fn msghdr_model<'a>(v: &MsgView<'_, 'a>, env: &MsgEnv) -> MsghdrModel<'a> {
    let h = &v.hdr;
    let (names, rest) = flag_names(h.flags as u64, &MSG_FLAGS);
    MsghdrModel::Full(Box::new(MsghdrFull {
        control: v.control(env),
        control_ptr: Ptr(h.control),
        controllen: h.controllen,
        data_size: v.data_size(),
        flags: FlagList { names, rest },
        flags_raw: h.flags,
        iov: v.iovecs(env.style.max_strlen).map(Iterator::collect),
        iov_ptr: Ptr(h.iov),
        iovlen: h.iovlen,
        name: v.name().map(sockaddr_model),
        name_ptr: Ptr(h.name),
        namelen: h.namelen as i32,
        namelen_in: v.namelen_in(),
        ptr: Ptr(v.ptr),
    }))
}

// ---------------------------------------------------------------------------------------------
// sendmsg / recvmsg

/// sendmsg's `msg` argument (args[1]), as strace prints it at entry.
pub fn format_sendmsg_msg(out: &mut String, call: &Call, env: &MsgEnv) {
    let env = &env.for_pid(call.header().tgid);
    let ptr = call.arg(1);
    match call.msghdr(false) {
        Some(h) if ptr != 0 => {
            let c = MsgCtx {
                call: *call,
                index: 0,
                user_namelen: None,
                data_size: None,
            };
            format_msghdr_body(out, &c, &h, env);
        }
        _ => print_addr(out, ptr),
    }
}

/// recvmsg's `msg` argument (args[1]): the msghdr as the call left it, `msg_namelen=128 => 16`,
/// iov data up to the returned count; `{msg_namelen=N}` when the call failed; the pointer when
/// it could not be read.
pub fn format_recvmsg_msg(out: &mut String, call: &Call, env: &MsgEnv) {
    let env = &env.for_pid(call.header().tgid);
    let ptr = call.arg(1);
    let Some(entry) = call.msghdr(false).filter(|_| ptr != 0) else {
        print_addr(out, ptr);
        return;
    };
    let ret = call.ret();
    if ret < 0 {
        out.push_str("{msg_namelen=");
        super::strfmt::push_int(out, entry.namelen as i32);
        out.push('}');
        return;
    }
    match call.msghdr(true) {
        Some(h) => {
            let c = MsgCtx {
                call: *call,
                index: 0,
                user_namelen: Some(entry.namelen as i32),
                data_size: Some(ret as u64),
            };
            format_msghdr_body(out, &c, &h, env);
        }
        None => print_addr(out, ptr),
    }
}

/// JSON of sendmsg's msghdr: `{"ptr", "namePtr", "name" (sockaddr_json or null), "namelen",
/// "iovPtr", "iov": [{"base", "len", "payload" (decode::payload: exact hex, or null)}] or
/// null, "iovlen", "controlPtr", "control" (see
/// `cmsg::control_json`; null without control), "controllen", "flags": [names, "0x.." rest],
/// "flagsRaw"}`; `{"ptr"}` alone when the msghdr could not be read.
pub fn sendmsg_json(call: &Call, env: &MsgEnv) -> Value {
    serde_json::to_value(sendmsg_model(call, env)).unwrap_or_default()
}

/// The typed model of [`sendmsg_json`].
pub fn sendmsg_model<'a>(call: &Call<'_, 'a>, env: &MsgEnv) -> MsghdrModel<'a> {
    sendmsg_msg(call).model(env)
}

/// sendmsg's msghdr as the JSON shows it.
pub fn sendmsg_msg<'r, 'a>(call: &Call<'r, 'a>) -> MsgOf<'r, 'a> {
    let ptr = call.arg(1);
    match call.msghdr(false) {
        Some(hdr) if ptr != 0 => MsgOf::Read(MsgView {
            ptr,
            hdr,
            ctx: MsgCtx {
                call: *call,
                index: 0,
                user_namelen: None,
                data_size: None,
            },
        }),
        _ => MsgOf::Unread { ptr },
    }
}

/// JSON of recvmsg's msghdr: as [`sendmsg_json`] plus "namelenIn" (the caller's namelen) and
/// "dataSize" (bytes received); `{"ptr", "namelenIn"}` when the call failed.
pub fn recvmsg_json(call: &Call, env: &MsgEnv) -> Value {
    serde_json::to_value(recvmsg_model(call, env)).unwrap_or_default()
}

/// The typed model of [`recvmsg_json`].
pub fn recvmsg_model<'a>(call: &Call<'_, 'a>, env: &MsgEnv) -> MsghdrModel<'a> {
    recvmsg_msg(call).model(env)
}

/// recvmsg's msghdr as the JSON shows it: as the call left it, with the caller's namelen.
pub fn recvmsg_msg<'r, 'a>(call: &Call<'r, 'a>) -> MsgOf<'r, 'a> {
    let ptr = call.arg(1);
    let Some(entry) = call.msghdr(false).filter(|_| ptr != 0) else {
        return MsgOf::Unread { ptr };
    };
    let ret = call.ret();
    match call.msghdr(true) {
        Some(hdr) if ret >= 0 => MsgOf::Read(MsgView {
            ptr,
            hdr,
            ctx: MsgCtx {
                call: *call,
                index: 0,
                user_namelen: Some(entry.namelen as i32),
                data_size: Some(ret as u64),
            },
        }),
        _ => MsgOf::Failed {
            namelen_in: entry.namelen as i32,
            ptr,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// sendmmsg / recvmmsg (decode_mmsgvec)

struct VecPlan<'a> {
    addr: u64,
    /// Elements strace walks.
    vlen: u64,
    /// Elements that get `msg_len=`.
    msg_len_vlen: u64,
    recv: bool,
    /// recvmmsg failed: strace cannot fetch the entries and prints the pointer.
    failed: bool,
    /// The mmsghdr entries as strace reads them (at exit).
    elems: Option<&'a [u8]>,
    /// recvmmsg: the entries as they were at entry (the callers' namelens, and how many strace
    /// fetched at entry).
    entry: Option<&'a [u8]>,
    /// sendmmsg: the entries at exit, for msg_len.
    exit_lens: Option<&'a [u8]>,
}

fn plan<'a>(call: &Call<'_, 'a>, recv: bool) -> VecPlan<'a> {
    let (addr, vlen) = (call.arg(1), call.arg(2));
    let ret = call.ret();
    let entry = call.mmsghdrs(false);
    let exit = call.mmsghdrs(true);
    if recv {
        let n = if ret > 0 { ret as u64 } else { 0 };
        VecPlan {
            addr,
            vlen: n,
            msg_len_vlen: n,
            recv,
            failed: ret < 0,
            elems: exit,
            entry,
            exit_lens: None,
        }
    } else {
        let n = if ret > 0 { ret as u64 } else { 0 };
        VecPlan {
            addr,
            vlen: vlen as u32 as u64,
            msg_len_vlen: n,
            recv,
            failed: false,
            elems: entry,
            entry: None,
            exit_lens: exit,
        }
    }
}

/// One element the vector printer/JSON walks: Some((msghdr, msg_len, user namelen)).
fn vec_elem(p: &VecPlan, i: usize) -> Option<(Msghdr, u32, Option<i32>)> {
    let (h, mut len) = mmsg_entry(p.elems?, i)?;
    let user = if p.recv {
        Some(mmsg_entry(p.entry?, i)?.0.namelen as i32)
    } else {
        None
    };
    if let Some((_, l)) = p.exit_lens.and_then(|x| mmsg_entry(x, i)) {
        len = l;
    }
    Some((h, len, user))
}

/// sendmmsg: whether entry `i` is missing because the vector ran into unreadable memory (the
/// kernel side read fewer entries than it wanted, min(vlen, MAX_MMSG)), not because of the bound.
fn unreadable_from(p: &VecPlan, i: u64) -> bool {
    if p.recv {
        return false;
    }
    let wanted = p.vlen.min(sockscope_common::MAX_MMSG as u64);
    let got = p.elems.map_or(0, |e| e.len() / MMSGHDR_SIZE) as u64;
    got > 0 && got < wanted && i >= got && i < wanted
}

fn format_mmsgvec(out: &mut String, call: &Call, p: &VecPlan, env: &MsgEnv) {
    if p.failed {
        print_addr(out, p.addr);
        return;
    }
    if p.addr == 0 {
        out.push_str("NULL");
        return;
    }
    if p.vlen == 0 {
        out.push_str("[]");
        return;
    }
    let fits = p
        .vlen
        .checked_mul(MMSGHDR_SIZE as u64)
        .and_then(|s| p.addr.checked_add(s))
        .is_some();
    let first = vec_elem(p, 0);
    if !fits || first.is_none() {
        print_addr(out, p.addr);
        return;
    }
    // recvmmsg: strace prints only as many entries as it fetched at entry.
    let mut count = if p.recv {
        (p.entry.map_or(0, |e| e.len() / MMSGHDR_SIZE) as u64).min(IOV_MAX)
    } else {
        IOV_MAX
    };
    let mut msg_len_vlen = p.msg_len_vlen;
    let max = super::max_elems(&env.style) as u64;
    out.push('[');
    let mut i: u64 = 0;
    while i < p.vlen {
        if i > 0 {
            out.push_str(", ");
        }
        // Past -s, or past what the kernel side captured (MAX_MMSG): cut with `...`.
        let Some((h, msg_len, user)) = (if i >= max {
            None
        } else {
            vec_elem(p, i as usize)
        }) else {
            out.push_str("...");
            if i < max && unreadable_from(p, i) {
                // strace's print_array_ex on an element it cannot read.
                out.push_str(" /* ");
                out.push_str(&format!(
                    "{:#x}",
                    p.addr.wrapping_add(i * MMSGHDR_SIZE as u64)
                ));
                out.push_str(" */");
            }
            break;
        };
        if count == 0 {
            out.push_str("...");
            break;
        }
        count -= 1;
        let c = MsgCtx {
            call: *call,
            index: i as u16,
            user_namelen: user,
            data_size: if p.recv { Some(msg_len as u64) } else { None },
        };
        out.push_str("{msg_hdr=");
        format_msghdr_body(out, &c, &h, env);
        if msg_len_vlen > 0 {
            out.push_str(", msg_len=");
            super::strfmt::push_int(out, msg_len);
            msg_len_vlen -= 1;
        }
        out.push('}');
        i += 1;
    }
    out.push(']');
}

fn mmsgvec_model<'a>(call: &Call<'_, 'a>, p: &VecPlan<'a>, env: &MsgEnv) -> Vec<Mmsghdr<'a>> {
    mmsg_views(call, p)
        .map(|(v, msg_len)| Mmsghdr {
            msg_hdr: msghdr_model(&v, env),
            msg_len,
        })
        .collect()
}

/// The mmsghdr entries the JSON shows, each with its msg_len where it has one.
fn mmsg_views<'r, 'a>(
    call: &Call<'r, 'a>,
    p: &VecPlan<'a>,
) -> impl Iterator<Item = (MsgView<'r, 'a>, Option<u32>)> {
    let n = p
        .vlen
        .min(p.elems.map_or(0, |e| e.len() / MMSGHDR_SIZE) as u64);
    let call = *call;
    let (addr, recv, msg_len_vlen) = (p.addr, p.recv, p.msg_len_vlen);
    (0..n)
        .map_while(move |i| Some((i, vec_elem(p, i as usize)?)))
        .map(move |(i, (h, msg_len, user))| {
            let v = MsgView {
                ptr: addr + i * MMSGHDR_SIZE as u64,
                hdr: h,
                ctx: MsgCtx {
                    call,
                    index: i as u16,
                    user_namelen: user,
                    data_size: if recv { Some(msg_len as u64) } else { None },
                },
            };
            (v, (i < msg_len_vlen).then_some(msg_len))
        })
}

/// sendmmsg's (or with `recv`, recvmmsg's) vector as the JSON shows it, walked by `f` (one
/// element at a time: nothing is built for the whole vector).
pub fn mmsg_msgs<'r, 'a>(
    call: &Call<'r, 'a>,
    recv: bool,
    mut f: impl FnMut(MsgView<'r, 'a>, Option<u32>),
) {
    let p = plan(call, recv);
    for (v, len) in mmsg_views(call, &p) {
        f(v, len);
    }
}

/// sendmmsg's `msgvec` argument (args[1]), as strace prints it at exit: `vlen` entries cut at
/// -s, `msg_len` for the `ret` entries sent.
pub fn format_sendmmsg_vec(out: &mut String, call: &Call, env: &MsgEnv) {
    let env = &env.for_pid(call.header().tgid);
    format_mmsgvec(out, call, &plan(call, false), env);
}

/// recvmmsg's `msgvec` argument (args[1]): the `ret` entries received (the pointer when the
/// call failed).
pub fn format_recvmmsg_vec(out: &mut String, call: &Call, env: &MsgEnv) {
    let env = &env.for_pid(call.header().tgid);
    format_mmsgvec(out, call, &plan(call, true), env);
}

/// JSON of sendmmsg's vector: `[{"msgHdr": <sendmsg_json shape>, "msgLen"}]` for the
/// captured entries, msg_len only on the ones sent.
pub fn sendmmsg_json(call: &Call, env: &MsgEnv) -> Value {
    serde_json::to_value(sendmmsg_model(call, env)).unwrap_or_default()
}

/// The typed model of [`sendmmsg_json`].
pub fn sendmmsg_model<'a>(call: &Call<'_, 'a>, env: &MsgEnv) -> Vec<Mmsghdr<'a>> {
    mmsgvec_model(call, &plan(call, false), env)
}

/// JSON of recvmmsg's vector: `[{"msgHdr": <recvmsg_json shape>, "msgLen"}]` for the
/// captured entries received (empty when the call failed).
pub fn recvmmsg_json(call: &Call, env: &MsgEnv) -> Value {
    serde_json::to_value(recvmmsg_model(call, env)).unwrap_or_default()
}

/// The typed model of [`recvmmsg_json`].
pub fn recvmmsg_model<'a>(call: &Call<'_, 'a>, env: &MsgEnv) -> Vec<Mmsghdr<'a>> {
    mmsgvec_model(call, &plan(call, true), env)
}

// ---------------------------------------------------------------------------------------------
// recvmmsg's timeout

fn timespec_text(out: &mut String, d: &[u8]) {
    out.push_str(&format!(
        "{{tv_sec={}, tv_nsec={}}}",
        rd_u64(d, 0) as i64,
        rd_u64(d, 8)
    ));
}

/// sprint_timespec of `addr` from a captured segment: NULL, the struct, or the pointer.
fn timespec_seg(out: &mut String, addr: u64, s: Option<&Seg>) {
    match ok_data(s) {
        _ if addr == 0 => out.push_str("NULL"),
        Some(d) if d.len() >= 16 => timespec_text(out, d),
        _ => print_addr(out, addr),
    }
}

/// recvmmsg's `timeout` argument (args[4]) as it was at entry.
pub fn format_recvmmsg_timeout(out: &mut String, call: &Call) {
    timespec_seg(out, call.arg(4), call.timespec(false));
}

/// What strace appends after recvmmsg's return value: ` (Timeout)` for 0, ` (left {tv_sec=0,
/// tv_nsec=999995462})` for a positive count with a timeout, None otherwise.
pub fn recvmmsg_ret_suffix(call: &Call) -> Option<String> {
    let ret = call.ret();
    if ret < 0 {
        return None;
    }
    if ret == 0 {
        return Some(" (Timeout)".to_string());
    }
    let addr = call.arg(4);
    if addr == 0 {
        return None;
    }
    let mut s = String::from(" (left ");
    timespec_seg(&mut s, addr, call.timespec(true));
    s.push(')');
    Some(s)
}

fn timespec_model(addr: u64, s: Option<&Seg>) -> Option<Timespec> {
    match ok_data(s) {
        Some(d) if addr != 0 && d.len() >= 16 => Some(Timespec {
            tv_nsec: rd_u64(d, 8),
            tv_sec: rd_u64(d, 0) as i64,
        }),
        _ => None,
    }
}

/// JSON of recvmmsg's timeout: `{"ptr", "in": {"tvSec", "tvNsec"} | null, "left": ... | null}`.
pub fn recvmmsg_timeout_json(call: &Call) -> Value {
    serde_json::to_value(recvmmsg_timeout_model(call)).unwrap_or_default()
}

/// The typed model of [`recvmmsg_timeout_json`].
pub fn recvmmsg_timeout_model(call: &Call) -> Timeout {
    let addr = call.arg(4);
    Timeout {
        at_entry: timespec_model(addr, call.timespec(false)),
        left: if call.ret() > 0 {
            timespec_model(addr, call.timespec(true))
        } else {
            None
        },
        ptr: Ptr(addr),
    }
}

#[cfg(test)]
mod tests;
