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
//! The fields, their values and meaning are one table, `fields::FIELDS` (`fields.rs`):
//! `event`, `fd`, `pid`, `tid`, `ppid`, `uid`, `gid`, `comm`, `len`, `vlen`, `ret`, `failed`,
//! `errno`, `flags`, `family`, `addr`, `port`, `dst`, `dport`, `src`, `sport`, `toctou`,
//! `proto`, `laddr`, `lport`, `raddr`, `rport`, `peer`. Operators by kind: numbers (`fd`,
//! `len`, `errno`, the ports...) take `==` `!=` `<` `<=` `>` `>=` `in`; `family` `==` `!=`
//! `in`; names and addresses (`event`, `comm`, `proto`, `dst`...) `==` `!=` `in` `~` `!~`;
//! `flags` `has` `==` `!=`; `failed` and `toctou` none.
//!
//! The socket fields come from the kernel-side capture of the descriptor (as `-yy`), made
//! whenever a filter names one of them (`crate::endpoints::capture_level`).
//!
//! A field alone (`dst`, `errno`) tests that it is
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

use crate::record::Record;

mod eval;
mod fields;
mod lex;
mod parse;

use eval::*;
use fields::*;
use lex::*;
use parse::*;

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
// Tests

#[cfg(test)]
mod tests;
