//! The command line: global flags and the command enum (clap derive). Each command's own
//! arguments live beside its `run` in `commands/`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands;

/// Team agreements in git: sign-offs and objections as commits, ratified by the agreement's own
/// rule, with the history of what you agreed to and who agreed.
///
/// Start with `accord demo` to watch a charter get drafted, objected to, amended and ratified in
/// a throw-away repository; then `accord init` and `accord new <id>` in your own.
#[derive(Debug, Parser)]
#[command(name = "accord", version, max_term_width = 100, propagate_version = true)]
pub struct Cli {
    /// Run as if accord was started in <PATH> (as `git -C`)
    #[arg(
        short = 'C',
        global = true,
        value_name = "PATH",
        id = "directory",
        help_heading = "Global options"
    )]
    pub dir: Option<PathBuf>,

    /// Output format; not every command has markdown
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Human, help_heading = "Global options")]
    pub format: OutputFormat,

    /// When to colour output (auto honours NO_COLOR and a non-terminal stdout)
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN", help_heading = "Global options")]
    pub color: ColorWhen,

    /// Print only data and errors, no status lines
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(commands::init::Args),
    New(commands::new::Args),
    List(commands::list::Args),
    Show(commands::show::Args),
    Site(commands::site::Args),
    Status(commands::status::Args),
    Sign(commands::position::SignArgs),
    Object(commands::position::ObjectArgs),
    Abstain(commands::position::AbstainArgs),
    Withdraw(commands::position::WithdrawArgs),
    Sync(commands::sync::Args),
    Log(commands::log::Args),
    Diff(commands::diff::Args),
    History(commands::history::Args),
    Review(commands::review::Args),
    Check(commands::check::Args),
    Verify(commands::verify::Args),
    Pending(commands::pending::Args),
    Due(commands::due::Args),
    Commitments(commands::commitments::Args),
    Import(commands::import::Args),
    Textconv(commands::textconv::Args),
    Demo(commands::demo::Args),
    Completions(commands::completions::Args),
    Man(commands::man::Args),
}
