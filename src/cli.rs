//! The command line: global flags and the command enum (clap derive). Each command's own
//! arguments live beside its `run` in `commands/`.

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands;

/// The command line as clap reads it. A usage error names the user's own arguments, which can
/// hold control characters: it is printed with them escaped, as every error of accord's is
/// (SPEC §9). Help and version are printed as clap prints them.
pub fn parse() -> Cli {
    use clap::error::ErrorKind;
    use std::io::Write;
    match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) =>
        {
            // As every command's output: a closed pipe ends quietly, a full disk is an error.
            let written = e.print().and_then(|()| std::io::Write::flush(&mut std::io::stdout()));
            match written {
                Err(w) if !crate::error::is_broken_pipe(&w) => {
                    let _ = writeln!(std::io::stderr(), "error: i/o: {w}");
                    std::process::exit(i32::from(crate::error::EXIT_ERROR))
                }
                _ => std::process::exit(e.exit_code()),
            }
        }
        Err(e) => {
            // clap quotes arguments as given, then deletes from its message whatever looks
            // like a style sequence (`sh<ESC>[31mow` read "unrecognized subcommand 'show'"):
            // the message is that of the same arguments with their control characters written
            // out, when it is the same error.
            let written: Vec<std::ffi::OsString> = std::env::args_os()
                .map(|a| match a.to_str() {
                    Some(s) => crate::render::escape::terminal(s).into_owned().into(),
                    None => a,
                })
                .collect();
            let e = match Cli::try_parse_from(written) {
                Err(shown) if shown.kind() == e.kind() => shown,
                _ => e,
            };
            let text = e.render().to_string();
            let text = crate::render::escape::terminal(&text);
            let _ = std::io::Write::write_all(&mut std::io::stderr(), text.as_bytes());
            std::process::exit(e.exit_code())
        }
    }
}

/// Team agreements in git: sign-offs and objections as commits, ratified by the agreement's own
/// rule, with the history of what you agreed to and who agreed.
///
/// Start with `accord demo` to watch a charter get drafted, objected to, amended and ratified in
/// a throw-away repository; then `accord init` and `accord new <id>` in your own.
#[derive(Debug, Parser)]
#[command(
    name = "accord",
    version,
    max_term_width = 100,
    propagate_version = true,
    after_help = EXIT_CODES
)]
pub struct Cli {
    /// Run as if accord was started in <PATH> (as `git -C`; several are taken in turn, each
    /// relative to the one before, and an empty one changes nothing)
    #[arg(
        short = 'C',
        global = true,
        value_name = "PATH",
        id = "directory",
        action = clap::ArgAction::Append,
        // `-C ""` is allowed, as git allows it.
        value_parser = clap::builder::ValueParser::os_string(),
        help_heading = "Global options"
    )]
    pub dir: Vec<std::ffi::OsString>,

    /// Output format; not every command has markdown
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Human, help_heading = "Global options")]
    pub format: OutputFormat,

    /// When to colour output (auto honours NO_COLOR and a non-terminal stdout)
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN", help_heading = "Global options")]
    pub color: ColorWhen,

    /// Print only data and errors, no status lines
    // Given twice, as scripts do with git (`-q -q`), it is still quiet.
    #[arg(short, long, global = true, overrides_with = "quiet", help_heading = "Global options")]
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

/// Exit codes, as every command uses them (SPEC §6).
const EXIT_CODES: &str = "\
Exit codes: 0 success; 1 a check you asked for failed (not ratified, an invalid file under
`check`, `--fail`, `verify`); 2 a usage or input error (bad TOML, unknown agreement, not a
repository), with nothing written.";

#[derive(Debug, Subcommand)]
pub enum Command {
    #[command(after_help = "\
Example:
  accord init && accord new platform-charter --kind charter
  $EDITOR agreements/platform-charter.toml && accord check")]
    Init(commands::init::Args),
    #[command(after_help = "\
Examples:
  accord new platform-charter
  accord new on-call --kind working-agreement --party \"Ada Lovelace <ada@example.com>\" \\
      --party \"Grace Hopper <grace@example.com>\" --steward ada@example.com")]
    New(commands::new::Args),
    #[command(after_help = "\
Examples:
  accord list
  accord list --format json | jq -r '.[] | select(.ratified | not) | .id'")]
    List(commands::list::Args),
    #[command(after_help = "\
Examples:
  accord show platform-charter
  accord show platform-charter --rev v1.0 --format markdown > charter.md")]
    Show(commands::show::Args),
    #[command(after_help = "\
Examples:
  accord site --out public
  accord site --out public --rev v1.0")]
    Site(commands::site::Args),
    #[command(after_help = "\
Examples:
  accord status                      every agreement at HEAD
  accord status platform-charter --format json
  accord status --rev v1.0           as it stood when v1.0 was made")]
    Status(commands::status::Args),
    #[command(after_help = "\
Examples:
  accord sign platform-charter -m \"Happy with the on-call split.\"
  accord sync                        publish it (and collect everyone else's)

Exit codes: 0 recorded (or already signed: nothing recorded); 2 refused, nothing written (not a
party, uncommitted changes, a text with placeholders).")]
    Sign(commands::position::SignArgs),
    #[command(after_help = "\
Example:
  accord object platform-charter -m \"Two people cannot carry the pager alone.\"
  accord sync")]
    Object(commands::position::ObjectArgs),
    #[command(after_help = "\
Example:
  accord abstain platform-charter -m \"Not my team's call.\" && accord sync")]
    Abstain(commands::position::AbstainArgs),
    #[command(after_help = "\
Example:
  accord withdraw platform-charter && accord sync")]
    Withdraw(commands::position::WithdrawArgs),
    #[command(after_help = "\
Examples:
  accord sync                        with the current branch's upstream remote, else origin
  accord sync upstream

Exit codes: 0 synced; 2 git failed (its message is shown) or no remote; nothing recorded here is
lost.")]
    Sync(commands::sync::Args),
    #[command(after_help = "\
Examples:
  accord log platform-charter
  accord log platform-charter --reverse --format json")]
    Log(commands::log::Args),
    #[command(after_help = "\
Examples:
  accord diff platform-charter                 previous revision → current
  accord diff platform-charter v1.0 HEAD")]
    Diff(commands::diff::Args),
    #[command(after_help = "\
Examples:
  accord history platform-charter              how the purpose changed
  accord history platform-charter --field parties
  accord history platform-charter --field commitment.pager-rota")]
    History(commands::history::Args),
    #[command(after_help = "\
Examples:
  accord review origin/main..HEAD
  accord review origin/main..HEAD --format markdown > comment.md
  accord review origin/main..HEAD --require-ratified --signed      in CI

Exit codes: 0 reviewed (and, with --require-ratified, every changed agreement ratified); 1 the
gate failed; 2 a bad range, or a shallow clone that could hide a position (git fetch
--unshallow).")]
    Review(commands::review::Args),
    #[command(after_help = "\
Examples:
  accord check
  accord check --ratified            in CI: also every agreement ratified at HEAD

Exit codes: 0 every file valid (and ratified); 1 a file breaks a rule (or is not ratified); 2 a
file cannot be read.")]
    Check(commands::check::Args),
    #[command(after_help = "\
Examples:
  accord verify
  accord verify platform-charter --signed

Exit codes: 0 every position made by the party it names (and signed by them); 1 a position
that is not, each named; 2 a usage error or a shallow clone that could hide a position.")]
    Verify(commands::verify::Args),
    #[command(after_help = "\
Example:
  accord pending --fail              in a shell prompt or pre-push hook: exit 1 when any waits")]
    Pending(commands::pending::Args),
    #[command(after_help = "\
Example:
  accord due --as-of 2027-01-31 --fail")]
    Due(commands::due::Args),
    #[command(after_help = "\
Examples:
  accord commitments --me            what you answer for
  accord commitments --me --owed     what others owe you")]
    Commitments(commands::commitments::Args),
    #[command(after_help = "\
Examples:
  accord import CHARTER.md
  accord import docs/on-call.md --id on-call --kind working-agreement")]
    Import(commands::import::Args),
    #[command(after_help = "\
Example (what `accord init` sets up; git runs it for you):
  git config diff.accord.textconv \"accord textconv\"
  accord textconv agreements/platform-charter.toml")]
    Textconv(commands::textconv::Args),
    #[command(after_help = "\
Examples:
  accord demo
  accord demo --dir accord-demo    keep the repositories to look around")]
    Demo(commands::demo::Args),
    #[command(after_help = "\
Examples:
  accord completions bash > ~/.local/share/bash-completion/completions/accord
  accord completions zsh > ~/.zfunc/_accord")]
    Completions(commands::completions::Args),
    #[command(after_help = "\
Examples:
  accord man > accord.1 && man ./accord.1
  accord man history | man -l -
  accord man --out ~/.local/share/man/man1 && man accord-sign")]
    Man(commands::man::Args),
}
