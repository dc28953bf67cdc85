//! The parser: tokens to the compiled expression, with one-line errors.
#![allow(unused_imports)]
use crate::call::Call;
use crate::decode::errno::{MAX_ERRNO, errno_name};
use crate::decode::msghdr::Msghdr;
use crate::decode::xlat::{ADDRESS_FAMILIES, MSG_FLAGS};
use crate::events::EVENTS;
use crate::record::Record;
use ipnet::IpNet;
use sockscope_common::{EventId, MAX_MMSG, wire::IOVEC_SIZE};
use std::fmt;
use std::net::IpAddr;

use super::*;

// =============================================================================================
// Parser

/// Deepest nesting of `(` and `!` accepted (keeps recursion bounded on any input).
pub(super) const MAX_DEPTH: usize = 200;

pub(super) struct Parser {
    pub(super) toks: Vec<Tok>,
    pub(super) pos: usize,
    pub(super) depth: usize,
}

/// A value token.
pub(super) struct Val {
    pub(super) text: Vec<u8>,
    pub(super) quoted: bool,
    pub(super) col: usize,
    pub(super) shown: String,
}

impl Val {
    pub(super) fn word(&self) -> Option<&str> {
        if self.quoted {
            None
        } else {
            std::str::from_utf8(&self.text).ok()
        }
    }
    /// The text, quoted or not, when it is UTF-8.
    pub(super) fn str(&self) -> Option<&str> {
        std::str::from_utf8(&self.text).ok()
    }
}

impl Parser {
    pub(super) fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    pub(super) fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    /// "expected WHAT, found <token at index i>".
    pub(super) fn expected(&self, what: &str, i: usize) -> FilterError {
        let t = &self.toks[i.min(self.toks.len() - 1)];
        err(t.col, format!("expected {what}, found {}", t.t.describe()))
    }

    pub(super) fn enter(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(
                self.peek().col,
                format!("expression nested more than {MAX_DEPTH} deep"),
            ));
        }
        Ok(())
    }

    pub(super) fn or(&mut self) -> Result<Node, FilterError> {
        let mut v = vec![self.and()?];
        while self.peek().t == T::OrOr {
            self.bump();
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 {
            v.pop().unwrap_or(Node::Const(false))
        } else {
            Node::Or(v)
        })
    }

    pub(super) fn and(&mut self) -> Result<Node, FilterError> {
        let mut v = vec![self.unary()?];
        while self.peek().t == T::AndAnd {
            self.bump();
            v.push(self.unary()?);
        }
        Ok(if v.len() == 1 {
            v.pop().unwrap_or(Node::Const(true))
        } else {
            Node::And(v)
        })
    }

    pub(super) fn unary(&mut self) -> Result<Node, FilterError> {
        if self.peek().t == T::Bang {
            self.bump();
            self.enter()?;
            let n = self.unary()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(n)));
        }
        self.primary()
    }

    pub(super) fn primary(&mut self) -> Result<Node, FilterError> {
        let at = self.pos;
        let tok = self.bump();
        match &tok.t {
            T::LParen => {
                self.enter()?;
                let n = self.or()?;
                self.depth -= 1;
                if self.peek().t != T::RParen {
                    let col = tok.col;
                    let e = self.expected("')' or an operator ('&&', '||')", self.pos);
                    return Err(err(
                        e.column,
                        format!("{} (to close the '(' at column {col})", e.message),
                    ));
                }
                self.bump();
                Ok(n)
            }
            T::Word(w) if w == "true" => Ok(Node::Const(true)),
            T::Word(w) if w == "false" => Ok(Node::Const(false)),
            T::Word(w) => match by_name(w) {
                Some(f) => self.test(f),
                None if w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') => {
                    let mut m = format!("unknown field {}", tok.t.describe());
                    if let Some(s) = suggest(w, FIELDS.iter().map(|f| f.name)) {
                        m.push_str(&format!(" (did you mean '{s}'?)"));
                    }
                    m.push_str(&format!("; fields: {}", field_list()));
                    Err(err(tok.col, m))
                }
                None => Err(self.expected(&format!("a field name ({})", field_list()), at)),
            },
            _ => Err(self.expected("a field name, '!' or '('", at)),
        }
    }

    /// A test on field `f` (its name consumed).
    pub(super) fn test(&mut self, f: Field) -> Result<Node, FilterError> {
        let op_at = self.pos;
        let op_tok = self.peek().clone();
        enum O {
            Cmp(Op),
            In,
            Has,
        }
        let op = match &op_tok.t {
            T::Op(o) => Some(O::Cmp(*o)),
            T::Word(w) if w == "in" => Some(O::In),
            T::Word(w) if w == "has" => Some(O::Has),
            _ => None,
        };
        let name = f.name;
        let Some(op) = op else {
            if matches!(op_tok.t, T::Word(_) | T::Str(_) | T::LBrace) {
                let what = if f.kind == Kind::Bool {
                    format!("'&&', '||', ')' or end of input after boolean field '{name}'")
                } else {
                    format!("an operator after '{name}' ({})", f.operators())
                };
                return Err(self.expected(&what, op_at));
            }
            return Ok(Node::Test(Test {
                field: f,
                cond: Cond::Present,
                negate: false,
            }));
        };
        let op_text = match &op {
            O::Cmp(o) => o.text(),
            O::In => "in",
            O::Has => "has",
        };
        let not_for = || {
            err(
                op_tok.col,
                format!(
                    "operator '{op_text}' does not apply to field '{name}' (operators: {})",
                    f.operators()
                ),
            )
        };
        self.bump();
        let mut negate = false;
        let cond = match (f.kind, op) {
            (Kind::Bool, _) => {
                return Err(err(
                    op_tok.col,
                    format!(
                        "'{name}' is a boolean field: write '{name}' or '!{name}', without an operator"
                    ),
                ));
            }
            (Kind::Flags, O::Has) => Cond::Int(IntCond::Has(self.flagset(f, op_text)?)),
            (_, O::Has) => {
                return Err(err(
                    op_tok.col,
                    format!("operator 'has' applies only to 'flags', not to '{name}'"),
                ));
            }
            (Kind::Flags, O::Cmp(o @ (Op::Eq | Op::Ne))) => {
                negate = o == Op::Ne;
                Cond::Int(IntCond::Cmp(Op::Eq, self.flagset(f, op_text)? as i128))
            }
            (Kind::Flags, _) => return Err(not_for()),
            (Kind::Event, O::Cmp(o @ (Op::Eq | Op::Ne))) => {
                let v = self.value(f, op_text)?;
                let m = event_mask(&v, f, op_text)?;
                Cond::Events(if o == Op::Ne { !m & ALL_EVENTS } else { m })
            }
            (Kind::Event, O::Cmp(o @ (Op::Glob | Op::NotGlob))) => {
                let v = self.value(f, op_text)?;
                let g = Glob::new(&v.text);
                let m = EVENTS
                    .iter()
                    .filter(|d| g.matches(d.name.as_bytes()))
                    .fold(0u32, |m, d| m | event_bit(d.id));
                if m == 0 {
                    return Err(err(
                        v.col,
                        format!("pattern {} matches no event ({})", v.shown, event_names()),
                    ));
                }
                Cond::Events(if o == Op::NotGlob { !m & ALL_EVENTS } else { m })
            }
            (Kind::Event, O::In) => {
                let mut m = 0;
                for v in self.set(f)? {
                    m |= event_mask(&v, f, "in")?;
                }
                Cond::Events(m)
            }
            (Kind::Event, _) => return Err(not_for()),
            (Kind::Proto, O::Cmp(o @ (Op::Eq | Op::Ne))) => {
                negate = o == Op::Ne;
                let v = self.value(f, op_text)?;
                Cond::Comm(StrCond::In(vec![v.text.to_ascii_lowercase()]))
            }
            (Kind::Proto, O::In) => Cond::Comm(StrCond::In(
                self.set(f)?
                    .into_iter()
                    .map(|v| v.text.to_ascii_lowercase())
                    .collect(),
            )),
            (Kind::Comm, O::Cmp(o @ (Op::Eq | Op::Ne))) => {
                negate = o == Op::Ne;
                let v = self.value(f, op_text)?;
                Cond::Comm(StrCond::In(vec![comm_value(v)]))
            }
            (Kind::Comm | Kind::Proto, O::Cmp(o @ (Op::Glob | Op::NotGlob))) => {
                negate = o == Op::NotGlob;
                Cond::Comm(StrCond::Glob(Glob::new(&self.value(f, op_text)?.text)))
            }
            (Kind::Comm, O::In) => Cond::Comm(StrCond::In(
                self.set(f)?.into_iter().map(comm_value).collect(),
            )),
            (Kind::Comm | Kind::Proto, _) => return Err(not_for()),
            (Kind::Address, O::Cmp(o @ (Op::Eq | Op::Ne))) => {
                negate = o == Op::Ne;
                let v = self.value(f, op_text)?;
                Cond::Addr(AddrCond::In(vec![addr_pat(&v, f, op_text)?]))
            }
            (Kind::Address, O::Cmp(o @ (Op::Glob | Op::NotGlob))) => {
                negate = o == Op::NotGlob;
                Cond::Addr(AddrCond::Glob(Glob::new(&self.value(f, op_text)?.text)))
            }
            (Kind::Address, O::In) => {
                let vals = self.set(f)?;
                let pats = vals
                    .iter()
                    .map(|v| addr_pat(v, f, "in"))
                    .collect::<Result<_, _>>()?;
                Cond::Addr(AddrCond::In(pats))
            }
            (Kind::Address, _) => return Err(not_for()),
            (
                Kind::Int | Kind::Port | Kind::SockPort | Kind::Errno | Kind::Family,
                O::Cmp(Op::Glob | Op::NotGlob),
            ) => {
                return Err(not_for());
            }
            (Kind::Family, O::Cmp(Op::Lt | Op::Le | Op::Gt | Op::Ge)) => return Err(not_for()),
            (Kind::Int | Kind::Port | Kind::SockPort | Kind::Errno | Kind::Family, O::Cmp(o)) => {
                let v = self.value(f, op_text)?;
                let n = int_value(&v, f, op_text)?;
                if o == Op::Ne {
                    negate = true;
                    Cond::Int(IntCond::Cmp(Op::Eq, n))
                } else {
                    Cond::Int(IntCond::Cmp(o, n))
                }
            }
            (Kind::Int | Kind::Port | Kind::SockPort | Kind::Errno | Kind::Family, O::In) => {
                let mut ranges = Vec::new();
                for v in self.set(f)? {
                    ranges.push(int_range(&v, f)?);
                }
                Cond::Int(IntCond::In(ranges))
            }
        };
        Ok(Node::Test(Test {
            field: f,
            cond,
            negate,
        }))
    }

    /// One value after `after` (an operator, ',' or '|').
    pub(super) fn value(&mut self, f: Field, after: &str) -> Result<Val, FilterError> {
        let at = self.pos;
        let tok = self.bump();
        let shown = tok.t.describe();
        match tok.t {
            T::Word(w) => Ok(Val {
                text: w.into_bytes(),
                quoted: false,
                col: tok.col,
                shown,
            }),
            T::Str(s) => Ok(Val {
                text: s,
                quoted: true,
                col: tok.col,
                shown,
            }),
            _ => Err(self.expected(&format!("{} after '{after}'", f.expects()), at)),
        }
    }

    /// After `in`: one value, or `{ v, v, ... }`.
    pub(super) fn set(&mut self, f: Field) -> Result<Vec<Val>, FilterError> {
        if self.peek().t != T::LBrace {
            return Ok(vec![self.value(f, "in")?]);
        }
        let open = self.bump();
        let mut vals = vec![self.value(f, "'{'")?];
        loop {
            let at = self.pos;
            match self.bump().t {
                T::RBrace => return Ok(vals),
                T::Comma if self.peek().t == T::RBrace => {
                    self.bump();
                    return Ok(vals);
                }
                T::Comma => vals.push(self.value(f, ",")?),
                _ => {
                    let e = self.expected("',' or '}'", at);
                    return Err(err(
                        e.column,
                        format!("{} (in the set opened at column {})", e.message, open.col),
                    ));
                }
            }
        }
    }

    /// `MSG_A|MSG_B|0x100`: the bits.
    pub(super) fn flagset(&mut self, f: Field, after: &str) -> Result<u64, FilterError> {
        let mut bits = flag_value(&self.value(f, after)?, f, after)?;
        while self.peek().t == T::Pipe {
            self.bump();
            bits |= flag_value(&self.value(f, "|")?, f, "|")?;
        }
        Ok(bits)
    }
}

pub(super) fn bad_value(v: &Val, f: Field, after: &str) -> FilterError {
    err(
        v.col,
        format!(
            "expected {} after '{after}', found {}",
            f.expects(),
            v.shown
        ),
    )
}

/// Closest candidate within edit distance 2.
pub(super) fn suggest<'a>(w: &str, cands: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let w = w.to_ascii_lowercase();
    cands
        .map(|c| (edit_distance(&w, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

pub(super) fn event_bit(id: EventId) -> u32 {
    1u32 << (id as u16 as u32 & 31)
}

pub(super) const ALL_EVENTS: u32 = {
    let mut m = 0;
    let mut i = 0;
    while i < EventId::ALL.len() {
        m |= 1u32 << (EventId::ALL[i] as u16 as u32);
        i += 1;
    }
    m
};

pub(super) fn event_names() -> String {
    EVENTS.iter().map(|d| d.name).collect::<Vec<_>>().join(", ")
}

pub(super) fn event_mask(v: &Val, f: Field, after: &str) -> Result<u32, FilterError> {
    let name = v.str().unwrap_or("");
    if let Some(d) = EVENTS.iter().find(|d| d.name == name) {
        return Ok(event_bit(d.id));
    }
    let mut m = format!(
        "expected {} after '{after}', found {}",
        f.expects(),
        v.shown
    );
    if let Some(s) = suggest(name, EVENTS.iter().map(|d| d.name)) {
        m.push_str(&format!(" (did you mean '{s}'?)"));
    }
    Err(err(v.col, m))
}

/// A comm to compare with: the kernel keeps 15 bytes.
pub(super) fn comm_value(v: Val) -> Vec<u8> {
    let mut t = v.text;
    t.truncate(COMM_MAX);
    t
}

/// A number: decimal or 0x hex, optionally signed, within the range of i64 ∪ u64.
pub(super) fn parse_number(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() || body.starts_with(['+', '-']) {
        return None;
    }
    let mag = match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        Some(h) if !h.is_empty() && h.bytes().all(|c| c.is_ascii_hexdigit()) => {
            u64::from_str_radix(h, 16).ok()?
        }
        Some(_) => return None,
        None if body.bytes().all(|c| c.is_ascii_digit()) => body.parse::<u64>().ok()?,
        None => return None,
    };
    let v = mag as i128;
    Some(if neg { -v } else { v })
}

pub(super) fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    if s.len() >= p.len() && s.is_char_boundary(p.len()) && s[..p.len()].eq_ignore_ascii_case(p) {
        Some(&s[p.len()..])
    } else {
        None
    }
}

/// A name of `table` (case-insensitive, `prefix` optional) or an alias.
pub(super) fn lookup_name(
    s: &str,
    prefix: &str,
    table: &[(u64, &'static str)],
    aliases: &[(&str, u64)],
) -> Option<u64> {
    let bare = strip_prefix_ci(s, prefix).unwrap_or(s);
    let full = |n: &str| {
        strip_prefix_ci(n, prefix)
            .unwrap_or(n)
            .eq_ignore_ascii_case(bare)
    };
    table
        .iter()
        .find(|(_, n)| full(n))
        .map(|(v, _)| *v)
        .or_else(|| aliases.iter().find(|(n, _)| full(n)).map(|(_, v)| *v))
}

pub(super) const ERRNO_ALIASES: &[(&str, u64)] =
    &[("EWOULDBLOCK", 11), ("EDEADLOCK", 35), ("ENOTSUP", 95)];
pub(super) const FAMILY_ALIASES: &[(&str, u64)] = &[("AF_LOCAL", 1), ("AF_FILE", 1)];
pub(super) const FLAG_ALIASES: &[(&str, u64)] = &[("MSG_TRYHARD", 0x4), ("MSG_EOF", 0x200)];

pub(super) fn errno_table() -> Vec<(u64, &'static str)> {
    (1..=MAX_ERRNO)
        .filter_map(|e| errno_name(e).map(|n| (e, n)))
        .collect()
}

pub(super) fn int_value(v: &Val, f: Field, after: &str) -> Result<i128, FilterError> {
    let s = v.str().unwrap_or("");
    if let Some(n) = parse_number(s) {
        if f.kind == Kind::Port && !(0..=65535).contains(&n) {
            return Err(err(v.col, format!("port {n} out of range 0..65535")));
        }
        return Ok(n);
    }
    let named = match f.kind {
        Kind::Errno => {
            let t = errno_table();
            lookup_name(s, "", &t, ERRNO_ALIASES).ok_or_else(|| suggest(s, t.iter().map(|e| e.1)))
        }
        Kind::Family => lookup_name(s, "AF_", ADDRESS_FAMILIES.entries, FAMILY_ALIASES)
            .ok_or_else(|| suggest(s, ADDRESS_FAMILIES.entries.iter().map(|e| e.1))),
        _ => Err(None),
    };
    match named {
        Ok(n) => Ok(n as i128),
        Err(hint) => {
            let mut e = bad_value(v, f, after);
            if let Some(h) = hint {
                e.message.push_str(&format!(" (did you mean '{h}'?)"));
            }
            Err(e)
        }
    }
}

/// A set element of a numeric field: a value or `lo..hi`.
pub(super) fn int_range(v: &Val, f: Field) -> Result<(i128, i128), FilterError> {
    if let Some((lo, hi)) = v.word().and_then(|w| w.split_once("..")) {
        let (Some(a), Some(b)) = (parse_number(lo), parse_number(hi)) else {
            return Err(err(
                v.col,
                format!("expected a range of numbers 'a..b', found {}", v.shown),
            ));
        };
        if a > b {
            return Err(err(v.col, format!("empty range {}: {a} > {b}", v.shown)));
        }
        let lim = |n: i128| {
            int_value(
                &Val {
                    text: n.to_string().into_bytes(),
                    quoted: false,
                    col: v.col,
                    shown: v.shown.clone(),
                },
                f,
                "in",
            )
        };
        return Ok((lim(a)?, lim(b)?));
    }
    let n = int_value(v, f, "in")?;
    Ok((n, n))
}

pub(super) fn flag_value(v: &Val, f: Field, after: &str) -> Result<u64, FilterError> {
    let s = v.str().unwrap_or("");
    if let Some(n) = parse_number(s) {
        if !(0..=u32::MAX as i128).contains(&n) {
            return Err(err(
                v.col,
                format!("flags value {n} out of range 0..0xffffffff"),
            ));
        }
        return Ok(n as u64);
    }
    lookup_name(s, "MSG_", MSG_FLAGS.entries, FLAG_ALIASES).ok_or_else(|| {
        let mut e = bad_value(v, f, after);
        if let Some(h) = suggest(s, MSG_FLAGS.entries.iter().map(|e| e.1)) {
            e.message.push_str(&format!(" (did you mean '{h}'?)"));
        }
        e
    })
}

/// An IP address or CIDR (IPv4 as v4-mapped), or a UNIX path.
pub(super) fn addr_pat(v: &Val, f: Field, after: &str) -> Result<AddrPat, FilterError> {
    let s = v.str();
    if let Some(s) = s {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) if !a.is_empty() && (a.contains('.') || a.contains(':')) => (a, Some(p)),
            _ => (s, None),
        };
        if let Ok(ip) = a.parse::<IpAddr>() {
            let net = match p {
                None => Ok(IpNet::from(ip)),
                // ipnet takes the prefix length as digits only (no sign), up to the width.
                Some(_) => s.parse::<IpNet>(),
            };
            let Ok(net) = net else {
                let max = IpNet::from(ip).max_prefix_len();
                return Err(err(
                    v.col,
                    format!("expected a prefix length 0..{max} after '/' in {}", v.shown),
                ));
            };
            return Ok(AddrPat::net(net));
        }
    }
    let t = &v.text;
    let unix = v.quoted || t.first().is_some_and(|c| *c == b'/' || *c == b'@');
    if unix {
        if t.len() > SUN_PATH_MAX + usize::from(t.first() == Some(&b'@')) {
            return Err(err(
                v.col,
                format!(
                    "UNIX socket path longer than {SUN_PATH_MAX} bytes: {}",
                    v.shown
                ),
            ));
        }
        return Ok(match t.strip_prefix(b"@") {
            Some(name) => AddrPat::Unix {
                abstract_: true,
                name: name.to_vec(),
            },
            None => AddrPat::Unix {
                abstract_: false,
                name: t.clone(),
            },
        });
    }
    Err(bad_value(v, f, after))
}
