//! `accord man`: the man pages (clap_mangen): accord(1), and accord-<command>(1) for each
//! command, which accord(1) refers to.

use std::path::PathBuf;

use clap::CommandFactory;

use crate::error::{Error, Result};
use crate::ui::Ui;

/// Print a man page in roff: accord(1), or one command's own page
///
/// accord(1) lists the commands and refers to each one's page (accord-sign(1) for `accord
/// sign`), which has its options. `--out` writes them all, to install where `man` looks (a
/// folder named `man1` under a `MANPATH` entry).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The command whose page to print (default: accord(1) itself)
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
    /// Write accord.1 and every accord-<COMMAND>.1 into this folder (created if missing)
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub out: Option<PathBuf>,
}

/// The command line as the pages describe it: built, so each command knows its full name
/// (`accord sign`, page accord-sign) and the global options, and without a `help` command.
fn described() -> clap::Command {
    let mut cmd = crate::cli::Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The commands that have pages: every visible one.
fn commands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

fn render(cmd: &clap::Command) -> Result<Vec<u8>> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    Ok(page)
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::one_form_only(ui, "man", "man pages (roff)")?;
    let cmd = described();
    if let Some(dir) = &args.out {
        let shown = crate::render::escape::terminal(&dir.display().to_string()).into_owned();
        // All or nothing, each failure naming its page (as `site` writes its pages).
        let mut pages = Vec::new();
        for page in std::iter::once(&cmd).chain(commands(&cmd)) {
            let name = clap_mangen::Man::new(page.clone()).get_filename();
            pages.push((dir.join(name), String::from_utf8_lossy(&render(page)?).into_owned()));
        }
        super::write_in_place(&pages)?;
        ui.status(format!("wrote {} man pages to {shown}", pages.len()));
        return Ok(());
    }
    let page = match &args.command {
        None => &cmd,
        Some(name) => commands(&cmd).find(|c| c.get_name() == name).ok_or_else(|| {
            let all: Vec<&str> = commands(&cmd).map(clap::Command::get_name).collect();
            Error::new(format!("no command `{name}`")).hint(format!("pages: {}", all.join(", ")))
        })?,
    };
    ui.out().write_all(&render(page)?)?;
    Ok(())
}
