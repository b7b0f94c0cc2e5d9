//! One file per subcommand (its `Args`, whose doc comment is the help, and its `run`) and the
//! one flat `match` that dispatches to them. What several commands share — opening the store,
//! loading agreements, evaluating them at a commit — is in [`context`].

use std::ffi::OsString;
use std::path::Path;

use crate::cli::Command;
use crate::error::{Error, Result};
use crate::ui::Ui;

mod context;
pub use context::*;

pub mod check;
pub mod commitments;
pub mod completions;
pub mod demo;
pub mod diff;
pub mod due;
pub mod history;
pub mod import;
pub mod init;
pub mod list;
pub mod log;
pub mod man;
pub mod new;
pub mod pending;
pub mod position;
pub mod review;
pub mod show;
pub mod site;
pub mod status;
pub mod sync;
pub mod textconv;
pub mod verify;

/// How a command that ran without error ended: a predicate (`check`, `verify`,
/// `review --require-ratified`, `pending --fail`, `due --fail`) can answer "no", which is not an
/// error (exit 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// The check that was asked for failed; the findings were printed, this says why in short.
    No(String),
}

pub fn run(dirs: &[OsString], command: Command, ui: &mut Ui) -> Result<Outcome> {
    // `-C` works as for git: as if accord was started there, relative paths included; each
    // `-C` after the first is taken from where the one before left, and `-C ""` stays put.
    for d in dirs.iter().filter(|d| !d.is_empty()).map(Path::new) {
        if !d.is_dir() {
            return Err(Error::new(format!("cannot change to `{}`: no such folder", d.display()))
                .hint("-C takes an existing folder, as for `git -C`"));
        }
        std::env::set_current_dir(d)
            .map_err(|e| Error::new(format!("cannot change to `{}`: {e}", d.display())))?;
    }
    match command {
        Command::Init(a) => init::run(a, ui).map(|()| Outcome::Done),
        Command::New(a) => new::run(a, ui).map(|()| Outcome::Done),
        Command::List(a) => list::run(a, ui).map(|()| Outcome::Done),
        Command::Show(a) => show::run(a, ui).map(|()| Outcome::Done),
        Command::Site(a) => site::run(a, ui).map(|()| Outcome::Done),
        Command::Status(a) => status::run(a, ui).map(|()| Outcome::Done),
        Command::Sign(a) => position::run_sign(a, ui).map(|()| Outcome::Done),
        Command::Object(a) => position::run_object(a, ui).map(|()| Outcome::Done),
        Command::Abstain(a) => position::run_abstain(a, ui).map(|()| Outcome::Done),
        Command::Withdraw(a) => position::run_withdraw(a, ui).map(|()| Outcome::Done),
        Command::Sync(a) => sync::run(a, ui).map(|()| Outcome::Done),
        Command::Log(a) => log::run(a, ui).map(|()| Outcome::Done),
        Command::Diff(a) => diff::run(a, ui).map(|()| Outcome::Done),
        Command::History(a) => history::run(a, ui).map(|()| Outcome::Done),
        Command::Review(a) => review::run(a, ui),
        Command::Check(a) => check::run(a, ui),
        Command::Verify(a) => verify::run(a, ui),
        Command::Pending(a) => pending::run(a, ui),
        Command::Due(a) => due::run(a, ui),
        Command::Commitments(a) => commitments::run(a, ui).map(|()| Outcome::Done),
        Command::Import(a) => import::run(a, ui),
        Command::Textconv(a) => textconv::run(a, ui).map(|()| Outcome::Done),
        Command::Demo(a) => demo::run(a, ui).map(|()| Outcome::Done),
        Command::Completions(a) => completions::run(a, ui).map(|()| Outcome::Done),
        Command::Man(a) => man::run(a, ui).map(|()| Outcome::Done),
    }
}
