//! `accord completions`: shell completion scripts (clap_complete).

use clap::CommandFactory;

use crate::error::Result;
use crate::ui::Ui;

/// Print a shell completion script
///
/// Example: `accord completions bash > ~/.local/share/bash-completion/completions/accord`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to generate for
    pub shell: clap_complete::Shell,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    let mut cmd = crate::cli::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "accord", ui.out());
    Ok(())
}
