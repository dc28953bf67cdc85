//! `--filter EXPR`: a small expression language over the decoded fields of a call, evaluated
//! in user space on every record before it is rendered.
//!
//! A [`Filter`] is compiled once ([`Filter::parse`]); [`Filter::matches`] then tests parsed
//! records without allocating. Errors ([`FilterError`]) are one line naming the 1-based column
//! (in characters) and what was expected:
//! `--filter: at column 9: expected a port number (0..65535) after '==', found end of input`.
//!
//! # Grammar
//!
//! ```text
//! filter   = or EOF ;
//! or       = and { "||" and } ;
//! and      = unary { "&&" unary } ;
//! unary    = "!" unary | primary ;
//! primary  = "(" or ")" | "true" | "false" | test ;
//! test     = FIELD                                  (* boolean field, or "is present" *)
//!          | FIELD ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) value
//!          | FIELD ( "~" | "!~" ) value              (* glob *)
//!          | FIELD "in" ( value | set )
//!          | "flags" "has" flagset ;
//! set      = "{" value { "," value } [ "," ] "}" ;
//! flagset  = value { "|" value } ;                  (* also after flags == / != *)
//! value    = WORD | STRING ;
//! WORD     = a run of characters other than blanks and ( ) { } , ! = < > & | ~ " ' ;
//! STRING   = '"' ... '"' | "'" ... "'" ;            (* escapes \\ \" \' \n \t \r \0 \xHH;
//!                                                      another \c is kept as the two characters *)
//! ```
//!
//! Precedence, loosest first: `||`, `&&`, `!`, then a test (a test is atomic, so
//! `!dst == 10.0.0.1` is `!(dst == 10.0.0.1)`). Numbers are decimal or hex (`0x40`), optionally
//! negative. `in` takes one value or a set; in a set of numbers `a..b` is an inclusive range.
//! `true` and `false` are constants.
//!
//! # Fields
//!
//! | field | values | operators |
//! |-------|--------|-----------|
//! | `event` | `sendto` `recvfrom` `sendmsg` `recvmsg` `sendmmsg` `recvmmsg` | `==` `!=` `in` `~` `!~` |
//! | `fd` | the socket argument (int) | numeric |
//! | `pid` `tid` `ppid` `uid` `gid` | the caller (pid is the tgid) | numeric |
//! | `comm` | the thread name (at most 15 bytes) | `==` `!=` `in` `~` `!~` |
//! | `len` | buffer length: `len` of sendto/recvfrom; for the msg calls the sum of the iovec lengths, per message for sendmmsg/recvmmsg | numeric |
//! | `vlen` | sendmmsg/recvmmsg `vlen` | numeric |
//! | `ret` | the return value (`-errno` on failure) | numeric |
//! | `failed` | boolean: the call returned an error | bare |
//! | `errno` | the error (`EAGAIN` or a number) | numeric |
//! | `flags` | the MSG_* argument (`MSG_DONTWAIT`, `DONTWAIT`, `0x40`) | `has` `==` `!=` |
//! | `family` | family of `addr` (`AF_INET`, `inet6`, `AF_UNIX`, a number) | `==` `!=` `in` |
//! | `dst` `dport` | destination: sendto's dest_addr, sendmsg's/sendmmsg's msg_name | address / numeric |
//! | `src` `sport` | source: recvfrom's src_addr, recvmsg's/recvmmsg's msg_name (as filled in) | address / numeric |
//! | `addr` `port` | the address in the call, whichever direction (`dst` for sends, `src` for receives) | address / numeric |
//! | `toctou` | boolean: the destination changed during the call | bare |
//! | `proto` | the socket's protocol (`tcp`, `udp`, `unix`, `netlink`, `raw`, `sctp`...; any case) | `==` `!=` `in` `~` `!~` |
//! | `laddr` `lport` | the socket's local address and port (UNIX: its path; netlink: `lport` is the port id) | address / numeric |
//! | `raddr` `rport` | the socket's peer, when connected (UNIX peers have no `raddr`) | address / numeric |
//! | `peer` | the call's address (`addr`) when it has one, else the socket's peer (`raddr`) | address |
//!
//! The socket fields come from the kernel-side capture of the descriptor (as `-yy`), made
//! whenever a filter names one of them (`crate::endpoints::capture_level`).
//!
//! "numeric" is `==` `!=` `<` `<=` `>` `>=` `in`. A field alone (`dst`, `errno`) tests that it is
//! present; `failed` and `toctou` can only be used that way (`failed`, `!failed`).
//!
//! ## Absent values and calls with several messages
//!
//! A field can be absent: `errno` of a call that succeeded, `dst` of a receive or of a send on a
//! connected socket (NULL address), `dport` of a UNIX address, `src` of a failed receive, `len`
//! when the iovec array was not captured (more than 32 iovecs, unreadable), `vlen` outside the
//! mmsg calls. **Any test of an absent field is false**, `!=` included, and so `!` of the test is
//! true: `errno != EAGAIN` matches only failed calls with another error, `!(errno == EAGAIN)`
//! also matches every call that succeeded.
//!
//! sendmmsg and recvmmsg carry one address and one length per message (those the kernel side
//! captured: up to 8 messages; for recvmmsg the ones received). A test matches when **some**
//! message matches it; `!=` and `!~` match when the field is present and **no** message has the
//! value. Each test is evaluated on its own: `dst == 10.0.0.1 && dport == 53` may be satisfied
//! by two different messages.
//!
//! ## Addresses
//!
//! * `dst == 127.0.0.1`, `dst == ::1`: the IP address (the port is in `dport`).
//! * `dst in 10.0.0.0/8`, `src in fe80::/10`, `dst == 192.168.0.0/16`: CIDR membership (host bits
//!   in the pattern are ignored). `/0` matches every address of the kind below.
//! * IPv4 is compared as its v4-mapped IPv6 form `::ffff:a.b.c.d`: `dst == 127.0.0.1` and
//!   `dst in 127.0.0.0/8` match an AF_INET6 `::ffff:127.0.0.1` (dual-stack sockets) and
//!   `dst in ::ffff:0:0/96` matches every AF_INET address; consequently `dst in ::/0` matches
//!   every IPv4 and IPv6 address (use `family` to tell them apart).
//! * UNIX: `dst == "/tmp/x.sock"` (or unquoted `/tmp/x.sock`) compares with sun_path up to its
//!   first NUL; `@name` is the abstract name `name` (all its bytes, NULs included, as strace shows
//!   it: `"@a\0b"`); `""` is an unnamed socket. `dst ~ "/run/*"` globs the path (or `@name`).
//!   A quoted string that is not an IP address or CIDR is a path; unquoted, a path must start
//!   with `/` or `@`.
//! * `in { ... }` takes a set mixing all of these.
//!
//! ## Strings and globs
//!
//! `comm == nginx` is an exact comparison; as the kernel keeps only 15 bytes of a thread name,
//! a longer value is compared on its first 15 bytes (`comm == systemd-resolved` matches
//! `systemd-resolve`). `~` is a glob match of the whole name: `*` any bytes, `?` one byte, `\`
//! quotes the next character (`comm ~ "nginx*"`, `event ~ "send*"`). `event` globs are resolved
//! when the filter is compiled and must match some event.
//!
//! # Examples
//!
//! ```text
//! --filter 'dport == 53 || sport == 53'                 # DNS both ways
//! --filter 'event in {sendto, sendmsg} && dst in 10.0.0.0/8'
//! --filter 'failed && errno != EAGAIN'                  # errors other than "would block"
//! --filter 'flags has MSG_DONTWAIT && len > 1024'
//! --filter 'comm ~ "nginx*" && !(src in 127.0.0.0/8 || src == ::1)'
//! --filter 'addr == "/run/systemd/journal/socket"'
//! --filter 'family == AF_INET6 && dst in fe80::/10'
//! --filter 'pid == 1234 && fd in {3, 5..9}'
//! ```

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use sockscope_common::{EventId, MAX_MMSG};

use crate::decode::errno::{MAX_ERRNO, errno_name};
use crate::call::Call;
use crate::decode::msghdr::Msghdr;
use crate::decode::xlat::{ADDRESS_FAMILIES, MSG_FLAGS};
use crate::events::EVENTS;
use crate::record::Record;

// =============================================================================================
// Public API

/// A compiled `--filter` expression.
#[derive(Clone, Debug)]
pub struct Filter {
    root: Node,
    source: String,
}

/// Why an expression was rejected: where (1-based character column) and what was expected.
/// Displays as one line starting with `--filter: `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    /// 1-based column, in characters, of the offending token (the length + 1 at end of input).
    pub column: usize,
    /// What was expected and what was found, without the position.
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "--filter: at column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for FilterError {}

/// The field names, in the order they are documented and listed in errors.
pub const FIELD_NAMES: &[&str] = &[
    "event", "fd", "pid", "tid", "ppid", "uid", "gid", "comm", "len", "vlen", "ret", "failed",
    "errno", "flags", "family", "addr", "port", "dst", "dport", "src", "sport", "toctou", "proto",
    "laddr", "lport", "raddr", "rport", "peer",
];

/// `RecordHeader::flags` of a stand-in record made for a flow (`flows::Flow::subject`): only
/// `pid`, `comm` and the socket's fields (`proto`, `laddr`, `lport`, `raddr`, `rport`, `peer`)
/// are present.
pub const FLOW_SUBJECT: u16 = 1 << 15;

impl Filter {
    /// Compiles `expr`.
    pub fn parse(expr: &str) -> Result<Filter, FilterError> {
        let toks = lex(expr)?;
        let mut p = Parser {
            toks,
            pos: 0,
            depth: 0,
        };
        let root = p.or()?;
        let t = p.peek();
        if t.t != T::End {
            let what = if t.t == T::RParen {
                "'&&', '||' or end of input (unbalanced ')')"
            } else {
                "'&&', '||' or end of input"
            };
            return Err(p.expected(what, p.pos));
        }
        Ok(Filter {
            root,
            source: expr.to_string(),
        })
    }

    /// Whether the call in `rec` passes the filter.
    pub fn matches(&self, rec: &Record) -> bool {
        self.root.eval(rec)
    }

    /// The expression as given.
    pub fn source(&self) -> &str {
        &self.source
    }
}

// =============================================================================================
// Lexer

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Glob,
    NotGlob,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Glob => "~",
            Op::NotGlob => "!~",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum T {
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    Bang,
    AndAnd,
    OrOr,
    Pipe,
    Op(Op),
    Word(String),
    Str(Vec<u8>),
    End,
}

#[derive(Clone, Debug)]
struct Tok {
    t: T,
    /// 1-based character column.
    col: usize,
}

/// Longest token text echoed in an error.
const ECHO_MAX: usize = 40;

fn echo_chars(out: &mut String, it: impl Iterator<Item = char>) {
    for (n, c) in it.enumerate() {
        if n == ECHO_MAX {
            out.push('…');
            break;
        }
        out.extend(c.escape_debug());
    }
}

impl T {
    /// The token as an error message names it.
    fn describe(&self) -> String {
        let s = match self {
            T::LParen => "'('",
            T::RParen => "')'",
            T::LBrace => "'{'",
            T::RBrace => "'}'",
            T::Comma => "','",
            T::Bang => "'!'",
            T::AndAnd => "'&&'",
            T::OrOr => "'||'",
            T::Pipe => "'|'",
            T::Op(op) => return format!("'{}'", op.text()),
            T::End => "end of input",
            T::Word(w) => {
                let mut s = String::from("'");
                echo_chars(&mut s, w.chars());
                s.push('\'');
                return s;
            }
            T::Str(b) => {
                let mut s = String::from("\"");
                echo_chars(&mut s, b.escape_ascii().map(char::from));
                s.push('"');
                return s;
            }
        };
        s.to_string()
    }
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !"(){},!=<>&|~\"'".contains(c)
}

fn err(column: usize, message: impl Into<String>) -> FilterError {
    FilterError {
        column,
        message: message.into(),
    }
}

fn lex(src: &str) -> Result<Vec<Tok>, FilterError> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        let next = chars.get(i + 1).copied();
        let two = |t: T, toks: &mut Vec<Tok>| {
            toks.push(Tok { t, col });
            2
        };
        let adv = match c {
            c if c.is_whitespace() => 1,
            '(' | ')' | '{' | '}' | ',' => {
                let t = match c {
                    '(' => T::LParen,
                    ')' => T::RParen,
                    '{' => T::LBrace,
                    '}' => T::RBrace,
                    _ => T::Comma,
                };
                toks.push(Tok { t, col });
                1
            }
            '&' if next == Some('&') => two(T::AndAnd, &mut toks),
            '&' => return Err(err(col, "expected '&&', found a single '&'")),
            '|' if next == Some('|') => two(T::OrOr, &mut toks),
            '|' => {
                toks.push(Tok { t: T::Pipe, col });
                1
            }
            '=' if next == Some('=') => two(T::Op(Op::Eq), &mut toks),
            '=' => return Err(err(col, "expected '==', found a single '='")),
            '!' if next == Some('=') => two(T::Op(Op::Ne), &mut toks),
            '!' if next == Some('~') => two(T::Op(Op::NotGlob), &mut toks),
            '!' => {
                toks.push(Tok { t: T::Bang, col });
                1
            }
            '<' if next == Some('=') => two(T::Op(Op::Le), &mut toks),
            '>' if next == Some('=') => two(T::Op(Op::Ge), &mut toks),
            '<' | '>' | '~' => {
                let op = match c {
                    '<' => Op::Lt,
                    '>' => Op::Gt,
                    _ => Op::Glob,
                };
                toks.push(Tok { t: T::Op(op), col });
                1
            }
            '"' | '\'' => {
                let (bytes, len) = lex_string(&chars[i..], col)?;
                toks.push(Tok {
                    t: T::Str(bytes),
                    col,
                });
                len
            }
            _ => {
                let len = chars[i..].iter().take_while(|&&c| is_word_char(c)).count();
                toks.push(Tok {
                    t: T::Word(chars[i..i + len].iter().collect()),
                    col,
                });
                len
            }
        };
        i += adv;
    }
    toks.push(Tok {
        t: T::End,
        col: chars.len() + 1,
    });
    Ok(toks)
}

/// A quoted string starting at `s[0]` (the quote); its bytes and its length in characters.
fn lex_string(s: &[char], col: usize) -> Result<(Vec<u8>, usize), FilterError> {
    let quote = s[0];
    let mut out = Vec::new();
    let mut i = 1;
    let mut buf = [0u8; 4];
    loop {
        let Some(&c) = s.get(i) else {
            return Err(err(
                col,
                format!("unterminated string: expected a closing {quote}"),
            ));
        };
        if c == quote {
            return Ok((out, i + 1));
        }
        if c != '\\' {
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            i += 1;
            continue;
        }
        let Some(&e) = s.get(i + 1) else {
            return Err(err(
                col,
                format!("unterminated string: expected a closing {quote}"),
            ));
        };
        match e {
            '\\' | '"' | '\'' => out.push(e as u8),
            'n' => out.push(b'\n'),
            't' => out.push(b'\t'),
            'r' => out.push(b'\r'),
            '0' => out.push(0),
            'x' => {
                let hex: String = s.iter().skip(i + 2).take(2).collect();
                match u8::from_str_radix(&hex, 16) {
                    Ok(v) if hex.len() == 2 && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
                        out.push(v);
                        i += 2;
                    }
                    _ => {
                        return Err(err(
                            col + i,
                            "expected two hex digits after '\\x' in the string",
                        ));
                    }
                }
            }
            other => {
                // Kept as written, so that a glob can quote `*` and `?` with "\*".
                out.push(b'\\');
                out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
        }
        i += 2;
    }
}

// =============================================================================================
// Fields

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Event,
    Fd,
    Pid,
    Tid,
    Ppid,
    Uid,
    Gid,
    Comm,
    Len,
    Vlen,
    Ret,
    Failed,
    Errno,
    Flags,
    Family,
    Addr,
    Port,
    Dst,
    Dport,
    Src,
    Sport,
    Toctou,
    Proto,
    Laddr,
    Lport,
    Raddr,
    Rport,
    Peer,
}

const FIELDS: [Field; 28] = [
    Field::Event,
    Field::Fd,
    Field::Pid,
    Field::Tid,
    Field::Ppid,
    Field::Uid,
    Field::Gid,
    Field::Comm,
    Field::Len,
    Field::Vlen,
    Field::Ret,
    Field::Failed,
    Field::Errno,
    Field::Flags,
    Field::Family,
    Field::Addr,
    Field::Port,
    Field::Dst,
    Field::Dport,
    Field::Src,
    Field::Sport,
    Field::Toctou,
    Field::Proto,
    Field::Laddr,
    Field::Lport,
    Field::Raddr,
    Field::Rport,
    Field::Peer,
];

/// How a field's values are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Bool,
    Event,
    Int,
    Comm,
    Flags,
    Address,
}

/// Whose address an address field reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Dst,
    Src,
    /// dst for sends, src for receives.
    Call,
    /// The socket's own endpoint, as read in the kernel at the call.
    Local,
    /// The socket's peer (connected sockets).
    Remote,
    /// The call's address when it has one, else the socket's peer.
    Peer,
}

impl Field {
    fn name(self) -> &'static str {
        FIELD_NAMES[FIELDS.iter().position(|f| *f == self).unwrap_or(0)]
    }

    fn by_name(name: &str) -> Option<Field> {
        FIELD_NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| FIELDS[i])
    }

    fn kind(self) -> Kind {
        match self {
            Field::Failed | Field::Toctou => Kind::Bool,
            Field::Event => Kind::Event,
            Field::Comm | Field::Proto => Kind::Comm,
            Field::Flags => Kind::Flags,
            Field::Addr | Field::Dst | Field::Src | Field::Laddr | Field::Raddr | Field::Peer => {
                Kind::Address
            }
            _ => Kind::Int,
        }
    }

    fn role(self) -> Role {
        match self {
            Field::Dst | Field::Dport => Role::Dst,
            Field::Src | Field::Sport => Role::Src,
            Field::Laddr | Field::Lport => Role::Local,
            Field::Raddr | Field::Rport => Role::Remote,
            Field::Peer => Role::Peer,
            _ => Role::Call,
        }
    }

    /// What a value of the field looks like, for "expected ..." messages.
    fn expects(self) -> &'static str {
        match self {
            Field::Event => {
                "an event name (sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg)"
            }
            Field::Comm => "a process name",
            Field::Proto => "a protocol name (tcp, udp, unix, netlink, raw, sctp...)",
            Field::Errno => "an errno name (EAGAIN) or number",
            Field::Flags => "a MSG_* flag name (MSG_DONTWAIT) or number",
            Field::Family => "an address family (AF_INET, AF_INET6, AF_UNIX) or number",
            Field::Dport | Field::Sport | Field::Port | Field::Lport | Field::Rport => {
                "a port number (0..65535)"
            }
            Field::Addr | Field::Dst | Field::Src | Field::Laddr | Field::Raddr | Field::Peer => {
                "an IP address, a CIDR (10.0.0.0/8, fe80::/10) or a UNIX path (\"/path\", @abstract)"
            }
            _ => "a number",
        }
    }

    fn operators(self) -> &'static str {
        match self.kind() {
            Kind::Bool => "none: write it alone or negated",
            Kind::Event | Kind::Comm | Kind::Address => "==, !=, in, ~, !~",
            Kind::Flags => "has, ==, !=",
            Kind::Int if self == Field::Family => "==, !=, in",
            Kind::Int => "==, !=, <, <=, >, >=, in",
        }
    }
}

fn field_list() -> String {
    FIELD_NAMES.join(", ")
}

// =============================================================================================
// Compiled expression

#[derive(Clone, Debug)]
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Const(bool),
    Test(Test),
}

#[derive(Clone, Debug)]
struct Test {
    field: Field,
    cond: Cond,
    /// `!=` / `!~`: the field is present and no value satisfies `cond`.
    negate: bool,
}

#[derive(Clone, Debug)]
enum Cond {
    /// The field alone: a boolean field is true / any other field is present.
    Present,
    /// Set of events (bit `1 << id`).
    Events(u32),
    Int(IntCond),
    Comm(StrCond),
    Addr(AddrCond),
}

#[derive(Clone, Debug)]
enum IntCond {
    Cmp(Op, i128),
    /// Inclusive ranges.
    In(Vec<(i128, i128)>),
    /// All these bits set.
    Has(u64),
}

#[derive(Clone, Debug)]
enum StrCond {
    /// Any of these exact names.
    In(Vec<Vec<u8>>),
    Glob(Glob),
}

#[derive(Clone, Debug)]
enum AddrCond {
    In(Vec<AddrPat>),
    Glob(Glob),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum AddrPat {
    /// An IPv6 network (IPv4 v4-mapped): address and prefix length 0..=128.
    Net(u128, u8),
    Unix {
        abstract_: bool,
        name: Vec<u8>,
    },
}

impl Node {
    fn eval(&self, rec: &Record) -> bool {
        match self {
            Node::And(v) => v.iter().all(|n| n.eval(rec)),
            Node::Or(v) => v.iter().any(|n| n.eval(rec)),
            Node::Not(n) => !n.eval(rec),
            Node::Const(b) => *b,
            Node::Test(t) => t.eval(rec),
        }
    }
}

/// Any value passes (`negate` false), or there is a value and none passes (`negate` true).
fn quantify<V: Copy>(vals: &[V], negate: bool, f: impl Fn(V) -> bool) -> bool {
    if negate {
        !vals.is_empty() && !vals.iter().any(|v| f(*v))
    } else {
        vals.iter().any(|v| f(*v))
    }
}

impl Test {
    fn eval(&self, rec: &Record) -> bool {
        if rec.header.flags & FLOW_SUBJECT != 0 && !self.field.of_flows() {
            return false;
        }
        match &self.cond {
            Cond::Present => match self.field.kind() {
                Kind::Bool => bool_value(self.field, rec),
                Kind::Comm if self.field == Field::Proto => crate::endpoints::proto(rec).is_some(),
                Kind::Event | Kind::Comm | Kind::Flags => true,
                Kind::Address => {
                    let mut v = Small::new();
                    addrs(rec, self.field.role(), &mut v);
                    !v.as_slice().is_empty()
                }
                Kind::Int => {
                    let mut v = Small::new();
                    int_values(self.field, rec, &mut v);
                    !v.as_slice().is_empty()
                }
            },
            Cond::Events(mask) => mask & (1u32 << (rec.event as u16 as u32 & 31)) != 0,
            Cond::Int(c) => {
                let mut v = Small::new();
                int_values(self.field, rec, &mut v);
                quantify(v.as_slice(), self.negate, |x| c.test(x))
            }
            Cond::Comm(c) if self.field == Field::Proto => {
                let Some(p) = crate::endpoints::proto(rec) else {
                    return false;
                };
                quantify(&[p.as_bytes()], self.negate, |n| c.test(n))
            }
            Cond::Comm(c) => {
                let name = comm_bytes(&rec.header.comm);
                quantify(&[name], self.negate, |n| c.test(n))
            }
            Cond::Addr(c) => {
                let mut v = Small::new();
                addrs(rec, self.field.role(), &mut v);
                quantify(v.as_slice(), self.negate, |a| c.test(&a))
            }
        }
    }
}

impl IntCond {
    fn test(&self, x: i128) -> bool {
        match self {
            IntCond::Cmp(op, v) => match op {
                Op::Eq => x == *v,
                Op::Lt => x < *v,
                Op::Le => x <= *v,
                Op::Gt => x > *v,
                Op::Ge => x >= *v,
                // Compiled as Eq with `negate`; globs never reach numbers.
                Op::Ne | Op::Glob | Op::NotGlob => false,
            },
            IntCond::In(ranges) => ranges.iter().any(|(lo, hi)| *lo <= x && x <= *hi),
            IntCond::Has(bits) => x >= 0 && (x as u64) & bits == *bits,
        }
    }
}

/// Bytes of the kernel's comm kept for a comparison (TASK_COMM_LEN - 1).
const COMM_MAX: usize = 15;

fn comm_bytes(c: &[u8; 16]) -> &[u8] {
    let end = c.iter().position(|&b| b == 0).unwrap_or(c.len());
    &c[..end]
}

impl StrCond {
    fn test(&self, s: &[u8]) -> bool {
        match self {
            StrCond::In(names) => names.iter().any(|n| n.as_slice() == s),
            StrCond::Glob(g) => g.matches(s),
        }
    }
}

impl AddrCond {
    fn test(&self, a: &SockAddr) -> bool {
        match self {
            AddrCond::In(pats) => pats.iter().any(|p| p.matches(a)),
            AddrCond::Glob(g) => match a.kind {
                AddrKind::Unix {
                    abstract_: false,
                    name,
                } => g.matches(name),
                AddrKind::Unix {
                    abstract_: true,
                    name,
                } => {
                    // "@name" without allocating: sun_path holds at most 108 bytes.
                    let mut buf = [0u8; 1 + SUN_PATH_MAX];
                    let n = name.len().min(SUN_PATH_MAX);
                    buf[0] = b'@';
                    buf[1..1 + n].copy_from_slice(&name[..n]);
                    g.matches(&buf[..1 + n])
                }
                _ => false,
            },
        }
    }
}

fn prefix_mask(len: u8) -> u128 {
    if len == 0 {
        0
    } else {
        u128::MAX << (128 - len.min(128) as u32)
    }
}

impl AddrPat {
    fn matches(&self, a: &SockAddr) -> bool {
        match (self, a.kind) {
            (AddrPat::Net(net, len), AddrKind::Ip { ip, .. }) => {
                (ip ^ net) & prefix_mask(*len) == 0
            }
            (
                AddrPat::Unix { abstract_, name },
                AddrKind::Unix {
                    abstract_: a_abs,
                    name: a_name,
                },
            ) => *abstract_ == a_abs && name.as_slice() == a_name,
            _ => false,
        }
    }
}

// =============================================================================================
// Globs

#[derive(Clone, Debug, PartialEq, Eq)]
enum GlobTok {
    Star,
    Any,
    Byte(u8),
}

#[derive(Clone, Debug)]
struct Glob(Vec<GlobTok>);

impl Glob {
    fn new(p: &[u8]) -> Glob {
        let mut v = Vec::with_capacity(p.len());
        let mut i = 0;
        while i < p.len() {
            match p[i] {
                b'*' => {
                    if v.last() != Some(&GlobTok::Star) {
                        v.push(GlobTok::Star);
                    }
                }
                b'?' => v.push(GlobTok::Any),
                b'\\' if i + 1 < p.len() => {
                    i += 1;
                    v.push(GlobTok::Byte(p[i]));
                }
                b => v.push(GlobTok::Byte(b)),
            }
            i += 1;
        }
        Glob(v)
    }

    /// Whole-string match; backtracks only to the last `*` (linear in practice).
    fn matches(&self, t: &[u8]) -> bool {
        let p = &self.0;
        let (mut pi, mut ti) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            match p.get(pi) {
                Some(GlobTok::Star) => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                Some(GlobTok::Any) => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                Some(GlobTok::Byte(b)) if *b == t[ti] => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
            match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            }
        }
        p[pi..].iter().all(|t| *t == GlobTok::Star)
    }
}

// =============================================================================================
// Values of a record

/// Most values a field has in one record: one per captured mmsghdr.
const MAXV: usize = MAX_MMSG as usize;

/// A few values on the stack (no allocation on the hot path).
struct Small<V> {
    v: [V; MAXV],
    n: usize,
}

impl<V: Copy + Default> Small<V> {
    fn new() -> Self {
        Small {
            v: [V::default(); MAXV],
            n: 0,
        }
    }
    fn push(&mut self, x: V) {
        if self.n < MAXV {
            self.v[self.n] = x;
            self.n += 1;
        }
    }
    fn as_slice(&self) -> &[V] {
        &self.v[..self.n]
    }
}

const AF_UNIX: u16 = 1;
const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;
/// sizeof(sockaddr_un.sun_path).
const SUN_PATH_MAX: usize = 108;

#[derive(Clone, Copy, Debug, Default)]
struct SockAddr<'a> {
    family: u16,
    kind: AddrKind<'a>,
}

#[derive(Clone, Copy, Debug, Default)]
enum AddrKind<'a> {
    /// Another family, or too short for its address.
    #[default]
    Other,
    /// v4-mapped for IPv4.
    Ip {
        ip: u128,
        port: u16,
    },
    Unix {
        abstract_: bool,
        name: &'a [u8],
    },
}

fn v4_mapped(a: [u8; 4]) -> u128 {
    0xffff_0000_0000u128 | u32::from_be_bytes(a) as u128
}

/// A socket address from its bytes (their length is the address length); None under 2 bytes.
fn sockaddr(b: &[u8]) -> Option<SockAddr<'_>> {
    if b.len() < 2 {
        return None;
    }
    let family = u16::from_ne_bytes([b[0], b[1]]);
    let port = |b: &[u8]| u16::from_be_bytes([b[2], b[3]]);
    let kind = match family {
        AF_INET if b.len() >= 8 => AddrKind::Ip {
            ip: v4_mapped([b[4], b[5], b[6], b[7]]),
            port: port(b),
        },
        AF_INET6 if b.len() >= 24 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&b[8..24]);
            AddrKind::Ip {
                ip: u128::from_be_bytes(a),
                port: port(b),
            }
        }
        AF_UNIX => {
            let path = &b[2..b.len().min(2 + SUN_PATH_MAX)];
            match path.first() {
                Some(0) => AddrKind::Unix {
                    abstract_: true,
                    name: &path[1..],
                },
                _ => {
                    let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
                    AddrKind::Unix {
                        abstract_: false,
                        name: &path[..end],
                    }
                }
            }
        }
        _ => AddrKind::Other,
    };
    Some(SockAddr { family, kind })
}

fn is_send(e: EventId) -> bool {
    matches!(e, EventId::Sendto | EventId::Sendmsg | EventId::Sendmmsg)
}

/// One message of a msg call: its msghdr (as the kernel side read it to capture the name and
/// iovecs) and, for receives, the msg_namelen the caller gave.
struct Msg {
    hdr: Msghdr,
    user_namelen: Option<u32>,
}

/// The messages of sendmsg/recvmsg/sendmmsg/recvmmsg that were captured.
fn msg_count(rec: &Record) -> usize {
    let h = &rec.header;
    let n = match rec.event {
        EventId::Sendmsg => 1,
        EventId::Recvmsg if h.ret >= 0 => 1,
        EventId::Sendmmsg => {
            let have = Call::new(rec).mmsghdr_count(false);
            have.min(h.args[2] as u32 as usize)
        }
        EventId::Recvmmsg if h.ret > 0 => {
            let have = Call::new(rec).mmsghdr_count(true);
            have.min(h.ret.min(MAXV as i64) as usize)
        }
        _ => 0,
    };
    n.min(MAXV)
}

fn msg_at(rec: &Record, i: usize) -> Option<Msg> {
    let c = Call::new(rec);
    match rec.event {
        EventId::Sendmsg => Some(Msg {
            hdr: c.msghdr(false)?,
            user_namelen: None,
        }),
        EventId::Recvmsg => {
            let entry = c.msghdr(false);
            let exit = c.msghdr(true);
            let hdr = exit.or(entry)?;
            Some(Msg {
                hdr,
                user_namelen: entry.map(|e| e.namelen),
            })
        }
        EventId::Sendmmsg => Some(Msg {
            hdr: c.mmsghdr(false, i)?,
            user_namelen: None,
        }),
        EventId::Recvmmsg => {
            let entry = c.mmsghdr(false, i);
            let hdr = c.mmsghdr(true, i).or(entry)?;
            Some(Msg {
                hdr,
                user_namelen: entry.map(|e| e.namelen),
            })
        }
        _ => None,
    }
}

/// A C int length as a byte count (negative: 0).
fn int_len(v: u32) -> usize {
    (v as i32).max(0) as usize
}

/// The address `role` reads in the call, one per message for the mmsg calls.
fn addrs<'a>(rec: &Record<'a>, role: Role, out: &mut Small<SockAddr<'a>>) {
    let send = is_send(rec.event);
    match role {
        Role::Local | Role::Remote => {
            if let Some(a) = socket_end(rec, role == Role::Local) {
                out.push(a);
            }
            return;
        }
        Role::Peer => {
            if rec.header.flags & FLOW_SUBJECT == 0 {
                addrs(rec, Role::Call, out);
            }
            if out.as_slice().is_empty() {
                addrs(rec, Role::Remote, out);
            }
            return;
        }
        Role::Dst if !send => return,
        Role::Src if send => return,
        _ => {}
    }
    let h = &rec.header;
    let c = Call::new(rec);
    match rec.event {
        EventId::Sendto => {
            if h.args[4] != 0
                && let Some(d) = c.addr_bytes(0)
                && let Some(a) = sockaddr(&d[..d.len().min(int_len(h.args[5] as u32))])
            {
                out.push(a);
            }
        }
        EventId::Recvfrom => {
            if h.ret >= 0
                && h.args[4] != 0
                && let Some(d) = c.addr_bytes(0)
            {
                // The kernel wrote at most the length the caller gave.
                let n = c.socklen_in()
                    .map_or(d.len(), |u| d.len().min(int_len(u as u32)));
                if let Some(a) = sockaddr(&d[..n]) {
                    out.push(a);
                }
            }
        }
        _ => {
            for i in 0..msg_count(rec) {
                let Some(m) = msg_at(rec, i) else { continue };
                if m.hdr.name == 0 {
                    continue;
                }
                let Some(d) = c.addr_bytes(i as u16) else {
                    continue;
                };
                let mut n = d.len().min(int_len(m.hdr.namelen));
                if let Some(u) = m.user_namelen {
                    n = n.min(int_len(u));
                }
                if let Some(a) = sockaddr(&d[..n]) {
                    out.push(a);
                }
            }
        }
    }
}

/// Sum of a message's iovec lengths, when the whole iovec array was captured.
fn iov_total(rec: &Record, index: u16, h: &Msghdr) -> Option<i128> {
    if h.iovlen == 0 {
        return Some(0);
    }
    let d = Call::new(rec).iov(index)?;
    let n = usize::try_from(h.iovlen).ok()?;
    let entries = d.get(..n.checked_mul(16)?)?;
    Some(
        entries
            .chunks_exact(16)
            .map(|e| u64::from_le_bytes(e[8..16].try_into().unwrap_or([0; 8])) as i128)
            .sum(),
    )
}

fn int_values(field: Field, rec: &Record, out: &mut Small<i128>) {
    let h = &rec.header;
    let ev = rec.event;
    match field {
        Field::Fd => out.push(h.args[0] as i32 as i128),
        Field::Pid => out.push(h.tgid as i128),
        Field::Tid => out.push(h.tid as i128),
        Field::Ppid => out.push(h.ppid as i128),
        Field::Uid => out.push(h.uid as i128),
        Field::Gid => out.push(h.gid as i128),
        Field::Ret => out.push(h.ret as i128),
        Field::Errno => {
            if h.ret < 0 && h.ret.unsigned_abs() <= MAX_ERRNO {
                out.push(-(h.ret as i128));
            }
        }
        Field::Flags => {
            let i = match ev {
                EventId::Sendmsg | EventId::Recvmsg => 2,
                // The data calls carry no MSG_* flags (splice's are SPLICE_F_*).
                e if crate::events::is_data(e) => return,
                _ => 3,
            };
            out.push(h.args[i] as u32 as i128);
        }
        Field::Vlen => {
            if matches!(ev, EventId::Sendmmsg | EventId::Recvmmsg) {
                out.push(h.args[2] as u32 as i128);
            }
        }
        Field::Len => match ev {
            EventId::Sendto | EventId::Recvfrom => out.push(h.args[2] as i128),
            EventId::Read | EventId::Write => out.push(h.args[2] as i128),
            EventId::Sendfile => out.push(h.args[3] as i128),
            EventId::Splice => out.push(h.args[4] as i128),
            EventId::Readv | EventId::Writev | EventId::Preadv2 | EventId::Pwritev2 => {
                let v = Msghdr {
                    iov: h.args[1],
                    iovlen: h.args[2],
                    ..Msghdr::default()
                };
                if let Some(t) = iov_total(rec, 0, &v) {
                    out.push(t);
                }
            }
            _ => {
                for i in 0..msg_count(rec) {
                    if let Some(m) = msg_at(rec, i)
                        && let Some(t) = iov_total(rec, i as u16, &m.hdr)
                    {
                        out.push(t);
                    }
                }
            }
        },
        Field::Lport | Field::Rport => {
            if let Some(p) = crate::endpoints::port(rec, field == Field::Lport) {
                out.push(p as i128);
            }
        }
        Field::Port | Field::Dport | Field::Sport | Field::Family => {
            let mut a = Small::new();
            addrs(rec, field.role(), &mut a);
            for s in a.as_slice() {
                match (field, s.kind) {
                    (Field::Family, _) => out.push(s.family as i128),
                    (_, AddrKind::Ip { port, .. }) => out.push(port as i128),
                    _ => {}
                }
            }
        }
        Field::Event
        | Field::Comm
        | Field::Failed
        | Field::Toctou
        | Field::Addr
        | Field::Dst
        | Field::Src
        | Field::Proto
        | Field::Laddr
        | Field::Raddr
        | Field::Peer => {}
    }
}

/// The socket's own endpoint (`local`) or its peer, from the `seg::SOCK` capture.
fn socket_end<'a>(rec: &Record<'a>, local: bool) -> Option<SockAddr<'a>> {
    let e = crate::endpoints::end(rec, local)?;
    let kind = match e {
        crate::endpoints::End::V4(a, port) => AddrKind::Ip {
            ip: v4_mapped(a),
            port,
        },
        crate::endpoints::End::V6(a, port) => AddrKind::Ip {
            ip: u128::from_be_bytes(a),
            port,
        },
        crate::endpoints::End::Unix(path) => match path.first() {
            Some(0) => AddrKind::Unix {
                abstract_: true,
                name: &path[1..],
            },
            _ => {
                let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
                AddrKind::Unix {
                    abstract_: false,
                    name: &path[..end],
                }
            }
        },
    };
    let family = match kind {
        AddrKind::Ip { .. } if matches!(e, crate::endpoints::End::V4(..)) => AF_INET,
        AddrKind::Ip { .. } => AF_INET6,
        _ => AF_UNIX,
    };
    Some(SockAddr { family, kind })
}

impl Field {
    /// Present on a flow (`top`, `--summary flows`).
    fn of_flows(self) -> bool {
        matches!(
            self,
            Field::Pid
                | Field::Comm
                | Field::Proto
                | Field::Laddr
                | Field::Lport
                | Field::Raddr
                | Field::Rport
                | Field::Peer
        )
    }

    /// Read from the socket captured in the kernel (needs the `-yy` capture).
    fn of_socket(self) -> bool {
        matches!(
            self,
            Field::Proto | Field::Laddr | Field::Lport | Field::Raddr | Field::Rport | Field::Peer
        )
    }
}

impl Node {
    fn any_field(&self, f: &impl Fn(Field) -> bool) -> bool {
        match self {
            Node::And(v) | Node::Or(v) => v.iter().any(|n| n.any_field(f)),
            Node::Not(n) => n.any_field(f),
            Node::Const(_) => false,
            Node::Test(t) => f(t.field),
        }
    }
}

impl Filter {
    /// Whether the expression reads the socket's endpoints (`proto`, `laddr`, `lport`,
    /// `raddr`, `rport`, `peer`): then the kernel must capture them at each call.
    pub fn uses_endpoints(&self) -> bool {
        self.root.any_field(&Field::of_socket)
    }

    /// Whether every field the expression names is present on a flow (`pid`, `comm` and the
    /// socket fields): then it can select flows as well as calls.
    pub fn applies_to_flows(&self) -> bool {
        !self.root.any_field(&|f: Field| !f.of_flows())
    }
}

fn bool_value(field: Field, rec: &Record) -> bool {
    let h = &rec.header;
    match field {
        Field::Failed => h.ret < 0 && h.ret.unsigned_abs() <= MAX_ERRNO,
        Field::Toctou => Call::new(rec).toctou().is_some(),
        _ => false,
    }
}

// =============================================================================================
// Parser

/// Deepest nesting of `(` and `!` accepted (keeps recursion bounded on any input).
const MAX_DEPTH: usize = 200;

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

/// A value token.
struct Val {
    text: Vec<u8>,
    quoted: bool,
    col: usize,
    shown: String,
}

impl Val {
    fn word(&self) -> Option<&str> {
        if self.quoted {
            None
        } else {
            std::str::from_utf8(&self.text).ok()
        }
    }
    /// The text, quoted or not, when it is UTF-8.
    fn str(&self) -> Option<&str> {
        std::str::from_utf8(&self.text).ok()
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    /// "expected WHAT, found <token at index i>".
    fn expected(&self, what: &str, i: usize) -> FilterError {
        let t = &self.toks[i.min(self.toks.len() - 1)];
        err(t.col, format!("expected {what}, found {}", t.t.describe()))
    }

    fn enter(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(
                self.peek().col,
                format!("expression nested more than {MAX_DEPTH} deep"),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Node, FilterError> {
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

    fn and(&mut self) -> Result<Node, FilterError> {
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

    fn unary(&mut self) -> Result<Node, FilterError> {
        if self.peek().t == T::Bang {
            self.bump();
            self.enter()?;
            let n = self.unary()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(n)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node, FilterError> {
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
            T::Word(w) => match Field::by_name(w) {
                Some(f) => self.test(f),
                None if w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') => {
                    let mut m = format!("unknown field {}", tok.t.describe());
                    if let Some(s) = suggest(w, FIELD_NAMES.iter().copied()) {
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
    fn test(&mut self, f: Field) -> Result<Node, FilterError> {
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
        let name = f.name();
        let Some(op) = op else {
            if matches!(op_tok.t, T::Word(_) | T::Str(_) | T::LBrace) {
                let what = if f.kind() == Kind::Bool {
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
        let cond = match (f.kind(), op) {
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
            (Kind::Comm, O::Cmp(o @ (Op::Eq | Op::Ne))) if f == Field::Proto => {
                negate = o == Op::Ne;
                let v = self.value(f, op_text)?;
                Cond::Comm(StrCond::In(vec![v.text.to_ascii_lowercase()]))
            }
            (Kind::Comm, O::In) if f == Field::Proto => Cond::Comm(StrCond::In(
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
            (Kind::Comm, O::Cmp(o @ (Op::Glob | Op::NotGlob))) => {
                negate = o == Op::NotGlob;
                Cond::Comm(StrCond::Glob(Glob::new(&self.value(f, op_text)?.text)))
            }
            (Kind::Comm, O::In) => Cond::Comm(StrCond::In(
                self.set(f)?.into_iter().map(comm_value).collect(),
            )),
            (Kind::Comm, _) => return Err(not_for()),
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
            (Kind::Int, O::Cmp(Op::Glob | Op::NotGlob)) => return Err(not_for()),
            (Kind::Int, O::Cmp(o)) => {
                if f == Field::Family && !matches!(o, Op::Eq | Op::Ne) {
                    return Err(not_for());
                }
                let v = self.value(f, op_text)?;
                let n = int_value(&v, f, op_text)?;
                if o == Op::Ne {
                    negate = true;
                    Cond::Int(IntCond::Cmp(Op::Eq, n))
                } else {
                    Cond::Int(IntCond::Cmp(o, n))
                }
            }
            (Kind::Int, O::In) => {
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
    fn value(&mut self, f: Field, after: &str) -> Result<Val, FilterError> {
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
    fn set(&mut self, f: Field) -> Result<Vec<Val>, FilterError> {
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
    fn flagset(&mut self, f: Field, after: &str) -> Result<u64, FilterError> {
        let mut bits = flag_value(&self.value(f, after)?, after)?;
        while self.peek().t == T::Pipe {
            self.bump();
            bits |= flag_value(&self.value(f, "|")?, "|")?;
        }
        Ok(bits)
    }
}

fn bad_value(v: &Val, f: Field, after: &str) -> FilterError {
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
fn suggest<'a>(w: &str, cands: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let w = w.to_ascii_lowercase();
    cands
        .map(|c| (edit_distance(&w, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
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

fn event_bit(id: EventId) -> u32 {
    1u32 << (id as u16 as u32 & 31)
}

const ALL_EVENTS: u32 = {
    let mut m = 0;
    let mut i = 0;
    while i < EventId::ALL.len() {
        m |= 1u32 << (EventId::ALL[i] as u16 as u32);
        i += 1;
    }
    m
};

fn event_names() -> String {
    EVENTS.iter().map(|d| d.name).collect::<Vec<_>>().join(", ")
}

fn event_mask(v: &Val, f: Field, after: &str) -> Result<u32, FilterError> {
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
fn comm_value(v: Val) -> Vec<u8> {
    let mut t = v.text;
    t.truncate(COMM_MAX);
    t
}

/// A number: decimal or 0x hex, optionally signed, within the range of i64 ∪ u64.
fn parse_number(s: &str) -> Option<i128> {
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

fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    if s.len() >= p.len() && s.is_char_boundary(p.len()) && s[..p.len()].eq_ignore_ascii_case(p) {
        Some(&s[p.len()..])
    } else {
        None
    }
}

/// A name of `table` (case-insensitive, `prefix` optional) or an alias.
fn lookup_name(
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

const ERRNO_ALIASES: &[(&str, u64)] = &[("EWOULDBLOCK", 11), ("EDEADLOCK", 35), ("ENOTSUP", 95)];
const FAMILY_ALIASES: &[(&str, u64)] = &[("AF_LOCAL", 1), ("AF_FILE", 1)];
const FLAG_ALIASES: &[(&str, u64)] = &[("MSG_TRYHARD", 0x4), ("MSG_EOF", 0x200)];

fn errno_table() -> Vec<(u64, &'static str)> {
    (1..=MAX_ERRNO)
        .filter_map(|e| errno_name(e).map(|n| (e, n)))
        .collect()
}

fn int_value(v: &Val, f: Field, after: &str) -> Result<i128, FilterError> {
    let s = v.str().unwrap_or("");
    if let Some(n) = parse_number(s) {
        if matches!(f, Field::Dport | Field::Sport | Field::Port) && !(0..=65535).contains(&n) {
            return Err(err(v.col, format!("port {n} out of range 0..65535")));
        }
        return Ok(n);
    }
    let named = match f {
        Field::Errno => {
            let t = errno_table();
            lookup_name(s, "", &t, ERRNO_ALIASES).ok_or_else(|| suggest(s, t.iter().map(|e| e.1)))
        }
        Field::Family => lookup_name(s, "AF_", ADDRESS_FAMILIES.entries, FAMILY_ALIASES)
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
fn int_range(v: &Val, f: Field) -> Result<(i128, i128), FilterError> {
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

fn flag_value(v: &Val, after: &str) -> Result<u64, FilterError> {
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
        let mut e = bad_value(v, Field::Flags, after);
        if let Some(h) = suggest(s, MSG_FLAGS.entries.iter().map(|e| e.1)) {
            e.message.push_str(&format!(" (did you mean '{h}'?)"));
        }
        e
    })
}

/// An IP address or CIDR (IPv4 as v4-mapped), or a UNIX path.
fn addr_pat(v: &Val, f: Field, after: &str) -> Result<AddrPat, FilterError> {
    let s = v.str();
    if let Some(s) = s {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) if !a.is_empty() && (a.contains('.') || a.contains(':')) => (a, Some(p)),
            _ => (s, None),
        };
        let ip = if let Ok(v4) = a.parse::<Ipv4Addr>() {
            Some((v4_mapped(v4.octets()), 32u32, 96u32))
        } else if let Ok(v6) = a.parse::<Ipv6Addr>() {
            Some((u128::from_be_bytes(v6.octets()), 128, 0))
        } else {
            None
        };
        if let Some((ip, max, base)) = ip {
            let len = match p {
                None => max,
                Some(p) => match p.parse::<u32>() {
                    Ok(n) if n <= max && !p.starts_with('+') => n,
                    _ => {
                        return Err(err(
                            v.col,
                            format!("expected a prefix length 0..{max} after '/' in {}", v.shown),
                        ));
                    }
                },
            };
            let len = (base + len) as u8;
            return Ok(AddrPat::Net(ip & prefix_mask(len), len));
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

// =============================================================================================
// Tests

#[cfg(test)]
mod tests;
