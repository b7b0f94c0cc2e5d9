//! The `accord` binary: parse, set up output, run, map the error to an exit code.

use std::process::ExitCode;

use accord::commands::Outcome;

/// mimalloc: a cold run makes a few hundred thousand small allocations on several threads,
/// and glibc's allocator spent a tenth of its time there and in faulting fresh pages. Built
/// without transparent huge pages: on a machine whose memory another process just used (git's
/// own `log`, run just before), asking for huge pages stalled a cold `status` at a million
/// commits from 1.1 s to 1.9 s.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    accord::store::start_clock();
    accord::store::free_nothing_at_exit();
    let cli = accord::cli::parse();
    let mut ui = accord::ui::Ui::new(cli.format, cli.color, cli.quiet);
    match accord::commands::run(&cli.dir, cli.command, &mut ui) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        // A "no" from a check that was asked for: findings are printed, the summary goes last.
        Ok(Outcome::No(why)) => {
            ui.error(&accord::Error::new(why));
            ExitCode::from(accord::error::EXIT_NO)
        }
        Err(err) => {
            if !err.message.is_empty() {
                ui.error(&err);
            }
            ExitCode::from(err.code)
        }
    }
}
