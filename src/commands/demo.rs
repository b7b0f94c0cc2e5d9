//! `accord demo`: a throw-away repository where a charter is drafted, signed, objected to,
//! amended and ratified, with status, log and purpose history printed along the way.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::store::{run_program, Ident, Store};
use crate::ui::{Ui, BOLD, DIM};

/// Watch a charter get drafted, objected to, amended and ratified
///
/// Builds a throw-away git repository (a temporary folder, removed afterwards, unless --dir is
/// given), plays the scenario with three people using the real accord commands, and prints what
/// each step shows. The first thing to run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Build the repository here and keep it (the folder must not exist or be empty)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

const DRAFT: &str = r#"schema = 1
title = "Platform team charter"
kind = "charter"
purpose = """
Give every product team a paved road from merge to production.
"""
review_every = "90d"

[decision]
rule = "consent"

[scope]
in = ["CI runners", "deploy pipeline"]
out = ["application on-call"]

[[party]]
name = "Ada Lovelace"
email = "ada@example.com"
role = "steward"

[[party]]
name = "Grace Hopper"
email = "grace@example.com"

[[party]]
name = "Katherine Johnson"
email = "katherine@example.com"

[[commitment]]
id = "pager"
by = ["grace@example.com"]
to = ["ada@example.com"]
text = "Answer deploy-pipeline pages within 15 minutes."

[[norm]]
text = "We review each other's pull requests within one working day."
"#;

const ADA: (&str, &str) = ("Ada Lovelace", "ada@example.com");
const GRACE: (&str, &str) = ("Grace Hopper", "grace@example.com");
const KATHERINE: (&str, &str) = ("Katherine Johnson", "katherine@example.com");

struct Demo<'a> {
    exe: PathBuf,
    dir: &'a Path,
    color: &'static str,
}

impl Demo<'_> {
    /// Run the real accord binary in the demo repository as `who`.
    fn accord(&self, ui: &mut Ui, who: (&str, &str), args: &[&str]) -> Result<()> {
        ui.out().flush()?;
        let shown: Vec<&str> = args.to_vec();
        writeln!(ui.out(), "{DIM}$ {}: accord {}{DIM:#}", who.0, shown.join(" "))?;
        ui.out().flush()?;
        let mut argv: Vec<&OsStr> =
            vec!["-C".as_ref(), self.dir.as_os_str(), "--color".as_ref(), self.color.as_ref()];
        argv.extend(args.iter().map(OsStr::new));
        let output = run_program(
            &self.exe,
            &argv,
            &[
                ("GIT_AUTHOR_NAME", who.0),
                ("GIT_AUTHOR_EMAIL", who.1),
                ("GIT_COMMITTER_NAME", who.0),
                ("GIT_COMMITTER_EMAIL", who.1),
            ],
            &["GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"],
        )?;
        ui.out().write_all(&output.stdout)?;
        ui.out().write_all(&output.stderr)?;
        // Exit 1 is a legitimate "not ratified"; anything else is a broken demo.
        if output.status.code().is_none_or(|c| c > 1) {
            return Err(Error::new(format!("demo step `accord {}` failed", args.join(" "))));
        }
        writeln!(ui.out())?;
        Ok(())
    }

    fn edit(&self, ui: &mut Ui, text: &str, message: &str) -> Result<()> {
        std::fs::write(self.dir.join("agreements/platform-charter.toml"), text)?;
        let store = Store::open(Some(self.dir))?;
        let who = Ident { name: ADA.0.into(), email: ADA.1.into(), when: None };
        store.commit_paths(&["agreements/platform-charter.toml"], &who, message)?;
        writeln!(ui.out(), "{DIM}$ Ada Lovelace: git commit -m {message:?}{DIM:#}\n")?;
        Ok(())
    }
}

fn step(ui: &mut Ui, title: &str) -> Result<()> {
    writeln!(ui.out(), "{BOLD}== {title}{BOLD:#}")?;
    Ok(())
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    let (temp, dir) = match &args.dir {
        Some(d) => {
            if d.exists() && std::fs::read_dir(d)?.next().is_some() {
                return Err(Error::new(format!("{} exists and is not empty", d.display()))
                    .hint("pass a new folder to --dir, or leave it out for a throw-away one"));
            }
            std::fs::create_dir_all(d)?;
            (None, d.clone())
        }
        None => {
            let t = tempfile::Builder::new().prefix("accord-demo-").tempdir()?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    Store::init(&dir)?;
    let demo = Demo {
        exe: std::env::current_exe()?,
        dir: &dir,
        color: if ui.color() { "always" } else { "never" },
    };
    writeln!(ui.out(), "accord demo in {}\n", dir.display())?;

    step(ui, "1. Ada drafts the platform team charter and commits it")?;
    demo.accord(ui, ADA, &["init", "-q"])?;
    demo.edit(ui, DRAFT, "Draft platform team charter")?;
    demo.accord(ui, ADA, &["show", "platform-charter"])?;

    step(ui, "2. Ada and Katherine sign; Grace objects, with a reason")?;
    demo.accord(ui, ADA, &["sign", "platform-charter", "-m", "Ready from my side."])?;
    demo.accord(ui, KATHERINE, &["sign", "platform-charter"])?;
    demo.accord(
        ui,
        GRACE,
        &[
            "object",
            "platform-charter",
            "-m",
            "The pager commitment puts deploy-pipeline on-call on me alone; we need a rota.",
        ],
    )?;
    demo.accord(ui, ADA, &["status", "platform-charter"])?;

    step(ui, "3. Ada amends the purpose and makes paging a rota: earlier sign-offs go stale")?;
    let amended = DRAFT
        .replace(
            "Give every product team a paved road from merge to production.",
            "Give every product team a paved, well-lit road from merge to production,\nand keep it open around the clock without burning anyone out.",
        )
        .replace("id = \"pager\"\nby = [\"grace@example.com\"]", "id = \"pager-rota\"\nby = [\"grace@example.com\", \"katherine@example.com\"]")
        .replace("within 15 minutes.", "within 15 minutes, on a weekly rota.");
    demo.edit(ui, &amended, "Charter: purpose covers sustainability; paging is a rota")?;
    demo.accord(ui, ADA, &["status", "platform-charter"])?;

    step(ui, "4. Everyone signs the amended text: ratified")?;
    demo.accord(ui, GRACE, &["sign", "platform-charter", "-m", "A rota works for me."])?;
    demo.accord(ui, KATHERINE, &["sign", "platform-charter"])?;
    demo.accord(ui, ADA, &["sign", "platform-charter"])?;
    demo.accord(ui, ADA, &["status", "platform-charter"])?;

    step(ui, "5. What changed and who agreed")?;
    demo.accord(ui, ADA, &["diff", "platform-charter"])?;
    demo.accord(ui, ADA, &["log", "platform-charter"])?;
    demo.accord(ui, ADA, &["history", "platform-charter"])?;

    match temp {
        Some(t) => {
            t.close()?;
            writeln!(
                ui.out(),
                "The throw-away repository is gone; `accord demo --dir DIR` keeps one to explore."
            )?;
        }
        None => writeln!(
            ui.out(),
            "The repository is at {}: try `accord -C {} log platform-charter`.",
            dir.display(),
            dir.display()
        )?,
    }
    Ok(())
}
