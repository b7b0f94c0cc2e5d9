//! `accord completions`: shell completion scripts (clap_complete).

use clap::CommandFactory;

use crate::error::Result;
use crate::ui::Ui;

/// Print a shell completion script
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to generate for
    pub shell: clap_complete::Shell,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::one_form_only(ui, "completions", "a shell script")?;
    let mut cmd = crate::cli::Cli::command();
    // Made in memory, then written: clap_complete panics when its writer fails (a closed
    // pipe, a full disk), where accord reports the error (a closed pipe quietly).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "accord", &mut script);
    ui.out().write_all(&script)?;
    Ok(())
}
