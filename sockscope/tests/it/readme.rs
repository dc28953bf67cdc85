//! Every example in README.md is run: each line of a ```sh block that starts with `sockscope`
//! (the whole line, pipes and `;` included, minus its trailing comment) runs under
//! `bash -o pipefail` against a small loopback workload:
//!
//! - the working directory holds `./client` (`workloads/client.c`: one UDP exchange over
//!   127.0.0.1) and the built `sockscope` is first on PATH;
//! - `1234` and `5678` (as in `-p 1234 -p 5678`) are replaced with the pids of two running
//!   loopback senders; a web server answers on 127.0.0.1:8080 (`curl` examples);
//! - a command with ` -- ` (sockscope starts a command) or that traces nothing (`events`) runs to
//!   its end; any other (system-wide, `-p`) is stopped with SIGINT one second after sockscope
//!   says it attached, as a user would with Ctrl-C.
//!
//! Each must be accepted: exit status 0, no usage error, no panic, nothing on stderr from
//! sockscope but its attached/summary lines. An example that cannot run unattended (a live
//! TUI, say) is marked in the README with a trailing comment containing `[not run: REASON]`;
//! it is listed, not run. New examples are covered as they are added.

use crate::support;

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::*;

const NOT_RUN: &str = "[not run:";

#[derive(Debug)]
struct Example {
    line: usize,
    command: String,
    /// The reason given with `[not run: REASON]`.
    not_run: Option<String>,
}

/// Splits a shell line at its trailing comment (a `#` after whitespace, outside quotes).
fn split_comment(line: &str) -> (&str, &str) {
    let (mut single, mut double) = (false, false);
    let b = line.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'#' if !single && !double && (i == 0 || b[i - 1].is_ascii_whitespace()) => {
                return (line[..i].trim_end(), &line[i + 1..]);
            }
            _ => {}
        }
    }
    (line.trim_end(), "")
}

/// Every `sockscope ...` line of the README's ```sh blocks.
fn examples(readme: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut in_block = false;
    for (i, line) in readme.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("```") {
            if in_block {
                in_block = false;
                in_sh = false;
            } else {
                in_block = true;
                in_sh = matches!(t, "```sh" | "```bash" | "```shell");
            }
            continue;
        }
        if !in_sh || t.split_whitespace().next() != Some("sockscope") {
            continue;
        }
        let (command, comment) = split_comment(t);
        let not_run = comment.find(NOT_RUN).map(|k| {
            let rest = &comment[k + NOT_RUN.len()..];
            rest[..rest.find(']').unwrap_or(rest.len())]
                .trim()
                .to_string()
        });
        out.push(Example {
            line: i + 1,
            command: command.to_string(),
            not_run,
        });
    }
    out
}

/// Replaces the whole-word `from` with `to`.
fn replace_word(s: &str, from: &str, to: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(k) = rest.find(from) {
        let before = rest[..k].chars().last();
        let after = rest[k + from.len()..].chars().next();
        out.push_str(&rest[..k]);
        if before.is_some_and(|c| c.is_ascii_alphanumeric())
            || after.is_some_and(|c| c.is_ascii_alphanumeric())
        {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = &rest[k + from.len()..];
    }
    out.push_str(rest);
    out
}

/// The processes of process group `pgid` running the sockscope binary.
fn sockscopes_in_group(pgid: u32) -> Vec<u32> {
    let me = std::fs::canonicalize(SOCKSCOPE).unwrap();
    let mut v = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        // state ppid pgrp ...
        let pgrp: Option<u32> = rest.split_whitespace().nth(2).and_then(|x| x.parse().ok());
        if pgrp == Some(pgid)
            && std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == me)
        {
            v.push(pid);
        }
    }
    v
}

/// Serves a tiny page on 127.0.0.1:8080 until the test ends.
fn web_server() {
    // Another run of this test (a parallel checkout) may hold the port for a while: wait.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    let l = loop {
        match TcpListener::bind("127.0.0.1:8080") {
            Ok(l) => break l,
            Err(e) if std::time::Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            Err(e) => panic!("README examples need 127.0.0.1:8080 free (curl example): {e}"),
        }
    };
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let mut s = s;
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n");
        }
    });
}

#[test]
fn readme_examples_are_found() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let ex = examples(&readme);
    assert!(ex.len() >= 10, "{ex:?}");
    assert!(ex.iter().any(|e| e.command == "sockscope"), "{ex:?}");
    for e in &ex {
        if let Some(r) = &e.not_run {
            assert!(
                !r.is_empty(),
                "README line {}: [not run:] needs a reason",
                e.line
            );
        }
    }
    assert_eq!(
        split_comment(r#"sockscope --filter 'a # b' -- x   # comment"#),
        ("sockscope --filter 'a # b' -- x", " comment")
    );
    assert_eq!(
        replace_word("-p 1234 -p 12345", "1234", "9"),
        "-p 9 -p 12345"
    );
}

#[test]
fn every_readme_example_runs() {
    if !require_root("every_readme_example_runs") {
        return;
    }
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let ex = examples(&readme);
    let dir = workdir("readme");
    std::fs::copy(workload("client"), dir.join("client")).unwrap();
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(SOCKSCOPE, bin.join("sockscope")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
    );
    web_server();
    let mut senders: Vec<_> = (0..2)
        .map(|i| {
            Command::new(workload("loop"))
                .args([&format!("README{i}"), "0", "50000", "40490"])
                .stdin(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let pids: Vec<String> = senders.iter().map(|c| c.id().to_string()).collect();

    let mut failures = Vec::new();
    let mut ran = 0;
    for (n, e) in ex.iter().enumerate() {
        if let Some(reason) = &e.not_run {
            eprintln!("README:{}: not run ({reason}): {}", e.line, e.command);
            continue;
        }
        let cmd = replace_word(
            &replace_word(&e.command, "1234", &pids[0]),
            "5678",
            &pids[1],
        );
        let runs_to_end = cmd.contains(" -- ") || cmd.starts_with("sockscope events");
        let out = dir.join(format!("out-{n}"));
        let err = dir.join(format!("err-{n}"));
        let mut child = Command::new("bash")
            .args(["-o", "pipefail", "-c", &cmd])
            .current_dir(&dir)
            .env("PATH", &path)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap())
            .process_group(0)
            .spawn()
            .unwrap();
        let pgid = child.id();
        let start = Instant::now();
        let mut interrupted = false;
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break Some(st);
            }
            let elapsed = start.elapsed();
            if !runs_to_end && !interrupted {
                let attached = std::fs::read_to_string(&err)
                    .unwrap_or_default()
                    .contains("sockscope: attached ");
                if attached || elapsed > Duration::from_secs(30) {
                    std::thread::sleep(Duration::from_secs(1));
                    for p in sockscopes_in_group(pgid) {
                        // SAFETY: signalling a sockscope this test started.
                        unsafe { libc::kill(p as i32, libc::SIGINT) };
                    }
                    interrupted = true;
                }
            }
            if elapsed > Duration::from_secs(90) {
                // SAFETY: the group this test started.
                unsafe { libc::kill(-(pgid as i32), libc::SIGKILL) };
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        ran += 1;
        let stderr = std::fs::read_to_string(&err).unwrap_or_default();
        let stdout_len = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        // System-wide output can be large on a busy machine: keep only its size.
        let _ = std::fs::remove_file(&out);
        let mut problems = Vec::new();
        match status {
            None => problems.push("did not end within 90 s".to_string()),
            Some(st) if st.code() != Some(0) => problems.push(format!("status {st:?}")),
            _ => {}
        }
        if stderr.contains("panicked") {
            problems.push("panicked".into());
        }
        for l in stderr.lines().filter(|l| l.starts_with("sockscope: ")) {
            let ok = is_attached_line(l)
                || summary(l).is_some()
                || l.starts_with("sockscope: -y: not in this kernel's BTF");
            if !ok {
                problems.push(format!("stderr: {l}"));
            }
        }
        // `top` counts flows and prints no summary line; `-c` alone prints only strace's table
        // (whose `total` line stands for it).
        let traces = !cmd.starts_with("sockscope events") && !cmd.starts_with("sockscope top");
        let count_table = stderr.lines().any(|l| l.starts_with("% time "));
        if traces && summary(&stderr).is_none() && !count_table {
            problems.push("no summary line".into());
        }
        eprintln!(
            "README:{}: {} -> {:?}, {} bytes out{}",
            e.line,
            e.command,
            status.and_then(|s| s.code()),
            stdout_len,
            if interrupted { " (SIGINT)" } else { "" }
        );
        if !problems.is_empty() {
            failures.push(format!(
                "README:{}: {}\n  {}\n  stderr (first lines):\n{}",
                e.line,
                e.command,
                problems.join("\n  "),
                stderr.lines().take(8).collect::<Vec<_>>().join("\n")
            ));
        }
    }
    for s in &mut senders {
        let _ = s.kill();
        let _ = s.wait();
    }
    assert!(ran >= 10, "only {ran} examples ran");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let _: PathBuf = dir;
}
