//! The `sockscope` command. Errors are one line on stderr and exit status 2 (a command that
//! cannot be started: 127 / 126, as a shell).

use clap::Parser as _;
use sockscope::{
    cli::{Cli, Command},
    events_cmd, launch, run,
    run::diag,
};

/// clap's message as one line: the error, then its hints (`tip: ... use '-- curl'`), without
/// the usage block.
fn clap_one_line(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ")
        .to_string();
    let tips: Vec<&str> = lines
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .collect();
    if tips.is_empty() {
        format!("{first} (see --help)")
    } else {
        format!("{first} ({}; see --help)", tips.join("; "))
    }
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                std::process::exit(0);
            }
            let mut line = clap_one_line(&e.render().to_string());
            // clap hints at `--` only for arguments that look like options; a bare word (the
            // command's name, `sockscope curl ...`) gets the same hint here.
            if e.kind() == ErrorKind::UnknownArgument
                && let Some(clap::error::ContextValue::String(arg)) =
                    e.get(clap::error::ContextKind::InvalidArg)
                && !arg.starts_with('-')
                && !line.contains("'--")
            {
                line = line.replacen(
                    " (see --help)",
                    &format!(" (tip: to trace a command, put it after '--': sockscope [OPTIONS] -- {arg} ...; see --help)"),
                    1,
                );
            }
            diag(&format!("sockscope: {line}"));
            std::process::exit(2);
        }
    };
    let result = match cli.command {
        Some(Command::Events { json }) => events_cmd::print(json).map(|_| 0),
        Some(Command::Schema) => {
            print!("{}", sockscope::render::json::model::schema());
            Ok(0)
        }
        Some(Command::Top(args)) => sockscope::top::run(*args),
        None => run::trace(cli.trace),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // One line: the chain of causes joined, each cut at its first line. With
            // SOCKSCOPE_DEBUG set (to anything), each cause is shown whole: e.g. the verifier's
            // log when a program is refused.
            let msg: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            if std::env::var_os("SOCKSCOPE_DEBUG").is_some() {
                diag(&format!("sockscope: {}", msg.join(": ")));
            } else {
                let short: Vec<&str> = msg.iter().map(|m| m.lines().next().unwrap_or("")).collect();
                diag(&format!("sockscope: {}", short.join(": ")));
            }
            let code = e.downcast_ref::<launch::ExecFailed>().map_or(2, |x| x.code);
            std::process::exit(code);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::clap_one_line;

    #[test]
    fn hints_survive() {
        let t = "error: unexpected argument 'curl' found\n\n  tip: to pass 'curl' as a value, use '-- curl'\n\nUsage: sockscope [OPTIONS] [-- <CMD>...]\n\nFor more information, try '--help'.\n";
        assert_eq!(
            clap_one_line(t),
            "unexpected argument 'curl' found (tip: to pass 'curl' as a value, use '-- curl'; see --help)"
        );
        assert_eq!(
            clap_one_line("error: a value is required\n\nUsage: x\n"),
            "a value is required (see --help)"
        );
    }
}
