//! `accord demo`: the first thing a new user runs. The story itself is in [`crate::demo`]; this
//! only finds a folder for it and says where it went.

use std::path::PathBuf;

use crate::demo::{play_in, ID};
use crate::error::{Error, Result};
use crate::ui::Ui;

/// Watch a charter get amended in a pull request, objected to, signed and squash-merged
///
/// Builds a throw-away origin and clones for three people (a temporary folder, removed
/// afterwards, unless --dir is given): the charter lands on main and is signed, a pull request
/// amends it, the parties review it, sign or object on the positions branch and `accord sync`,
/// the pull request is amended and squash-merged, and consent survives the squash. It runs the
/// real git and accord commands and prints what each step shows. The first thing to run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Build the repositories here and keep them (the folder must not exist or be empty)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::one_form_only(ui, "demo", "its story as text")?;
    // The repositories are the point; the story printed about them is not (`demo | head`).
    ui.keep_going_if_stdout_closes();
    let (temp, root) = match &args.dir {
        Some(d) => {
            if d.exists() && !d.is_dir() {
                return Err(Error::new(format!("{} is not a folder", d.display()))
                    .hint("pass a new folder to --dir, or leave it out for a throw-away one"));
            }
            let unreadable =
                |e: std::io::Error| Error::new(format!("cannot read {}: {e}", d.display()));
            if d.exists() && std::fs::read_dir(d).map_err(unreadable)?.next().is_some() {
                return Err(Error::new(format!("{} exists and is not empty", d.display()))
                    .hint("pass a new folder to --dir, or leave it out for a throw-away one"));
            }
            std::fs::create_dir_all(d)
                .map_err(|e| Error::new(format!("cannot create {}: {e}", d.display())))?;
            (None, d.clone())
        }
        None => {
            let t = tempfile::Builder::new().prefix("accord-demo-").tempdir()?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    let ada = play_in(&root, ui)?;
    match temp {
        Some(t) => {
            t.close()?;
            writeln!(
                ui.out(),
                "The throw-away repositories are gone; `accord demo --dir DIR` keeps them to explore."
            )?;
        }
        None => writeln!(
            ui.out(),
            "The origin and the three clones are in {}: try `accord -C {} log {ID}`.",
            root.display(),
            ada.display()
        )?,
    }
    Ok(())
}
