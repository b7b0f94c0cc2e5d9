//! The `accord` binary: parse, set up output, run, map the error to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = accord::cli::Cli::parse();
    let mut ui = accord::ui::Ui::new(cli.format, cli.color, cli.quiet);
    match accord::commands::run(cli.dir.as_deref(), cli.command, &mut ui) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if !err.message.is_empty() {
                ui.error(&err);
            }
            ExitCode::from(err.code)
        }
    }
}
