//! `sockscope-gen DIR`: writes the man page (DIR/man/man1/sockscope.1, clap_mangen) and the
//! shell completions (DIR/completions/: sockscope.bash, _sockscope for zsh, sockscope.fish;
//! clap_complete) from sockscope's own command-line definition, so they never drift from it.
//! scripts/install.sh installs them.

use std::path::PathBuf;

use clap::CommandFactory as _;
use clap_complete::Shell;

fn main() {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: sockscope-gen DIR");
        std::process::exit(2);
    };
    if let Err(e) = generate(&dir) {
        eprintln!("sockscope-gen: {e}");
        std::process::exit(1);
    }
}

fn generate(dir: &std::path::Path) -> std::io::Result<()> {
    let cmd = sockscope::cli::Cli::command();
    let man_dir = dir.join("man/man1");
    std::fs::create_dir_all(&man_dir)?;
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    std::fs::write(man_dir.join("sockscope.1"), page)?;

    let comp_dir = dir.join("completions");
    std::fs::create_dir_all(&comp_dir)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let mut c = cmd.clone();
        clap_complete::generate_to(shell, &mut c, "sockscope", &comp_dir)?;
    }
    Ok(())
}
