//! The `sockscope` command. Errors are one line on stderr and exit status 2.

use clap::Parser as _;
use sockscope::{
    cli::{Cli, Command},
    events_cmd, run,
};

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                std::process::exit(0);
            }
            // clap's message without its usage block: the first line, minus "error: ".
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            eprintln!(
                "sockscope: {} (see --help)",
                first.trim_start_matches("error: ")
            );
            std::process::exit(2);
        }
    };
    let result = match cli.command {
        Some(Command::Events { json }) => events_cmd::print(json).map(|_| 0),
        Some(Command::Top(args)) => sockscope::top::run(*args),
        None => run::trace(cli.trace),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // One line: the chain of causes joined, each cut at its first line (a verifier
            // log, for one, is shown whole only with SOCKSCOPE_DEBUG=1).
            let msg: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            if std::env::var_os("SOCKSCOPE_DEBUG").is_some() {
                eprintln!("sockscope: {}", msg.join(": "));
            } else {
                let short: Vec<&str> = msg.iter().map(|m| m.lines().next().unwrap_or("")).collect();
                eprintln!("sockscope: {}", short.join(": "));
            }
            std::process::exit(2);
        }
    }
}
