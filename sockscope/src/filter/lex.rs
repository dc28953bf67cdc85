//! The lexer of `--filter` expressions.
#![allow(unused_imports)]
use crate::call::Call;
use crate::decode::errno::{MAX_ERRNO, errno_name};
use crate::decode::msghdr::Msghdr;
use crate::decode::xlat::{ADDRESS_FAMILIES, MSG_FLAGS};
use crate::events::EVENTS;
use crate::record::Record;
use sockscope_common::{EventId, MAX_MMSG, wire::IOVEC_SIZE};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::*;

// =============================================================================================
// Lexer

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
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
    pub(super) fn text(self) -> &'static str {
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
pub(super) enum T {
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
pub(super) struct Tok {
    pub(super) t: T,
    /// 1-based character column.
    pub(super) col: usize,
}

/// Longest token text echoed in an error.
pub(super) const ECHO_MAX: usize = 40;

pub(super) fn echo_chars(out: &mut String, it: impl Iterator<Item = char>) {
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
    pub(super) fn describe(&self) -> String {
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

pub(super) fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !"(){},!=<>&|~\"'".contains(c)
}

pub(super) fn err(column: usize, message: impl Into<String>) -> FilterError {
    FilterError {
        column,
        message: message.into(),
    }
}

pub(super) fn lex(src: &str) -> Result<Vec<Tok>, FilterError> {
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
pub(super) fn lex_string(s: &[char], col: usize) -> Result<(Vec<u8>, usize), FilterError> {
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
