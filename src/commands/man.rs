//! `accord man`: the man page (clap_mangen).

use clap::CommandFactory;

use crate::error::Result;
use crate::ui::Ui;

/// Print the accord(1) man page in roff
///
/// Example: `accord man > accord.1 && man ./accord.1`
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ui: &mut Ui) -> Result<()> {
    let cmd = crate::cli::Cli::command();
    clap_mangen::Man::new(cmd).render(ui.out())?;
    Ok(())
}
