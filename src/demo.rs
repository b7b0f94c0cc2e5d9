//! The story `accord demo` plays: an origin and three clones where a charter lands on `main`, a
//! pull request amends it, the parties sign and object on the positions branch and sync, and the
//! squash-merged text stays ratified; it prints what each step shows. It runs the real `git` and
//! `accord` programs (through `store::run_program`) and decides or computes nothing itself.

use std::cell::Cell;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::store::run_program;
use crate::ui::{Ui, BOLD, DIM};

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

const FILE: &str = "agreements/platform-charter.toml";
pub const ID: &str = "platform-charter";

/// A person of the scenario: their git identity and the name of their clone.
#[derive(Clone, Copy)]
struct Who {
    name: &'static str,
    email: &'static str,
    clone: &'static str,
}

const ADA: Who = Who { name: "Ada Lovelace", email: "ada@example.com", clone: "ada" };
const GRACE: Who = Who { name: "Grace Hopper", email: "grace@example.com", clone: "grace" };
const KATHERINE: Who =
    Who { name: "Katherine Johnson", email: "katherine@example.com", clone: "katherine" };

/// The pull request's first draft: the road stays open around the clock, still on Grace's pager.
fn first_draft() -> String {
    DRAFT.replace(
        "Give every product team a paved road from merge to production.",
        "Give every product team a paved, well-lit road from merge to production,\nand keep it open around the clock.",
    )
}

/// The amended pull request: paging becomes a rota shared by Grace and Katherine.
fn amended_draft() -> String {
    first_draft()
        .replace("around the clock.", "around the clock without burning anyone out.")
        .replace(
            "id = \"pager\"\nby = [\"grace@example.com\"]",
            "id = \"pager-rota\"\nby = [\"grace@example.com\", \"katherine@example.com\"]",
        )
        .replace("within 15 minutes.", "within 15 minutes, on a weekly rota.")
}

struct Demo<'a> {
    exe: PathBuf,
    root: &'a Path,
    color: &'static str,
    /// Seconds since the epoch given to the next command as its git dates: the story spreads
    /// over a week, a minute per command, so no two commits share a second.
    clock: Cell<i64>,
}

impl Demo<'_> {
    fn clone_dir(&self, who: Who) -> PathBuf {
        self.root.join(who.clone)
    }

    /// Move the story's clock on by `seconds`.
    fn wait(&self, seconds: i64) {
        self.clock.set(self.clock.get() + seconds);
    }

    /// Run `program` with `args` as `who`, at the story's next minute.
    fn run(&self, program: &Path, who: Who, args: &[&OsStr]) -> Result<std::process::Output> {
        self.wait(60);
        let date = format!("@{} +0000", self.clock.get());
        run_program(
            program,
            args,
            &[
                ("GIT_AUTHOR_NAME", who.name),
                ("GIT_AUTHOR_EMAIL", who.email),
                ("GIT_COMMITTER_NAME", who.name),
                ("GIT_COMMITTER_EMAIL", who.email),
                ("GIT_AUTHOR_DATE", &date),
                ("GIT_COMMITTER_DATE", &date),
            ],
            &["GIT_DIR", "GIT_WORK_TREE"],
        )
        .map_err(|e| e.hint("the demo runs git and accord; is git installed and on PATH?"))
    }

    /// Run the real accord binary in `who`'s clone and show what it prints.
    fn accord(&self, ui: &mut Ui, who: Who, args: &[&str]) -> Result<()> {
        writeln!(ui.out(), "{DIM}{}$ accord {}{DIM:#}", who.clone, shell_words(args))?;
        ui.out().flush()?;
        let dir = self.clone_dir(who);
        let mut argv: Vec<&OsStr> =
            vec!["-C".as_ref(), dir.as_os_str(), "--color".as_ref(), self.color.as_ref()];
        argv.extend(args.iter().map(OsStr::new));
        let output = self.run(&self.exe, who, &argv)?;
        ui.out().write_all(&output.stdout)?;
        ui.out().write_all(&output.stderr)?;
        // Exit 1 is a legitimate "not ratified"; anything else is a broken demo.
        if output.status.code().is_none_or(|c| c > 1) {
            return Err(Error::new(format!("demo step `accord {}` failed", args.join(" "))));
        }
        writeln!(ui.out())?;
        Ok(())
    }

    /// Run git in `who`'s clone, quietly; `shown` prints the command line first.
    fn git_as(&self, ui: &mut Ui, who: Who, shown: bool, args: &[&str]) -> Result<()> {
        if shown {
            let words: Vec<&str> = args.iter().copied().filter(|a| *a != "-q").collect();
            writeln!(ui.out(), "{DIM}{}$ git {}{DIM:#}", who.clone, shell_words(&words))?;
        }
        let dir = self.clone_dir(who);
        let mut argv: Vec<&OsStr> = vec!["-C".as_ref(), dir.as_os_str()];
        argv.extend(args.iter().map(OsStr::new));
        let output = self.run(Path::new("git"), who, &argv)?;
        if !output.status.success() {
            return Err(Error::new(format!(
                "demo step `git {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        Ok(())
    }

    fn git(&self, ui: &mut Ui, who: Who, args: &[&str]) -> Result<()> {
        self.git_as(ui, who, true, args)
    }

    /// Clone the origin for `who`; positions go to the positions branch whatever their own
    /// git configuration says, and commits are not signed (the demo has no keys).
    fn clone_for(&self, ui: &mut Ui, who: Who) -> Result<()> {
        let origin = self.root.join("origin.git");
        let dir = self.clone_dir(who);
        let argv: Vec<&OsStr> =
            vec!["clone".as_ref(), "-q".as_ref(), origin.as_os_str(), dir.as_os_str()];
        let output = self.run(Path::new("git"), who, &argv)?;
        if !output.status.success() {
            return Err(Error::new(format!(
                "demo step `git clone` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        self.git_as(ui, who, false, &["config", "accord.positions", "branch"])?;
        self.git_as(ui, who, false, &["config", "commit.gpgsign", "false"])
    }

    /// Write the charter in Ada's clone and commit it.
    fn edit(&self, ui: &mut Ui, text: &str, message: &str) -> Result<()> {
        std::fs::write(self.clone_dir(ADA).join(FILE), text)?;
        writeln!(ui.out(), "{DIM}ada$ $EDITOR {FILE}{DIM:#}")?;
        self.git(ui, ADA, &["commit", "-q", "-am", message])
    }

    /// `accord <stance> platform-charter [-m note]` then `accord sync`, as a party does.
    fn take(&self, ui: &mut Ui, who: Who, stance: &str, note: Option<&str>) -> Result<()> {
        let mut args = vec![stance, ID];
        if let Some(n) = note {
            args.extend(["-m", n]);
        }
        self.accord(ui, who, &args)?;
        self.accord(ui, who, &["sync"])
    }
}

/// `args` as one would type them in a shell (quoted where they hold more than plain words).
fn shell_words(args: &[&str]) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "._/:=@-".contains(c);
    let quoted: Vec<String> = args
        .iter()
        .map(|a| {
            if !a.is_empty() && a.chars().all(plain) {
                (*a).to_string()
            } else {
                format!("{a:?}")
            }
        })
        .collect();
    quoted.join(" ")
}

/// A new step of the story, the next day.
fn step(demo: &Demo, ui: &mut Ui, title: &str) -> Result<()> {
    demo.wait(DAY);
    writeln!(ui.out(), "{BOLD}== {title}{BOLD:#}")?;
    Ok(())
}

const DAY: i64 = 24 * 60 * 60;

/// Eight days ago at 09:00 UTC, so that the story's week ends before now.
fn story_start() -> Result<i64> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| Error::new(format!("the system clock is before 1970: {e}")))?;
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    Ok(now - now.rem_euclid(DAY) - 8 * DAY + 9 * 60 * 60)
}

/// The scenario, step by step.
fn play(demo: &Demo, ui: &mut Ui) -> Result<()> {
    step(demo, ui, "1. Ada puts the team's charter on main; everyone signs it and syncs")?;
    let origin = demo.root.join("origin.git");
    let argv: Vec<&OsStr> = vec![
        "init".as_ref(),
        "-q".as_ref(),
        "--bare".as_ref(),
        "-b".as_ref(),
        "main".as_ref(),
        origin.as_os_str(),
    ];
    let output = demo.run(Path::new("git"), ADA, &argv)?;
    if !output.status.success() {
        return Err(Error::new(format!(
            "demo step `git init --bare` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    demo.clone_for(ui, ADA)?;
    demo.git_as(ui, ADA, false, &["symbolic-ref", "HEAD", "refs/heads/main"])?;
    demo.accord(ui, ADA, &["init", "-q"])?;
    std::fs::write(demo.clone_dir(ADA).join(FILE), DRAFT)?;
    writeln!(ui.out(), "{DIM}ada$ $EDITOR {FILE}{DIM:#}")?;
    demo.git(ui, ADA, &["add", "."])?;
    demo.git(ui, ADA, &["commit", "-q", "-m", "Add the platform team charter"])?;
    demo.git(ui, ADA, &["push", "-q", "origin", "main"])?;
    demo.git_as(ui, ADA, false, &["branch", "-q", "-u", "origin/main"])?;
    writeln!(ui.out())?;
    demo.clone_for(ui, GRACE)?;
    demo.clone_for(ui, KATHERINE)?;
    demo.take(ui, ADA, "sign", None)?;
    demo.take(ui, GRACE, "sign", None)?;
    demo.take(ui, KATHERINE, "sign", None)?;
    demo.accord(ui, KATHERINE, &["list"])?;

    step(demo, ui, "2. Ada opens a pull request: the road stays open around the clock")?;
    demo.git(ui, ADA, &["switch", "-q", "-c", "feature"])?;
    demo.edit(ui, &first_draft(), "Charter: keep the road open around the clock")?;
    demo.git(ui, ADA, &["push", "-q", "-u", "origin", "feature"])?;
    writeln!(ui.out())?;
    demo.take(ui, ADA, "sign", Some("Proposed."))?;

    step(demo, ui, "3. Grace reviews it and objects, with a reason")?;
    demo.git(ui, GRACE, &["fetch", "-q"])?;
    demo.git(ui, GRACE, &["switch", "-q", "feature"])?;
    writeln!(ui.out())?;
    demo.accord(ui, GRACE, &["review", "main..feature"])?;
    demo.take(
        ui,
        GRACE,
        "object",
        Some("Around the clock on my pager alone is not sustainable; we need a rota."),
    )?;

    step(
        demo,
        ui,
        "4. Ada amends the pull request; her sign-off goes stale, the objection stands",
    )?;
    demo.edit(ui, &amended_draft(), "Charter: paging is a weekly rota")?;
    demo.git(ui, ADA, &["push", "-q"])?;
    writeln!(ui.out())?;
    demo.accord(ui, ADA, &["sync"])?;
    demo.accord(ui, ADA, &["review", "main..feature"])?;

    step(demo, ui, "5. Everyone signs the amended text")?;
    demo.git(ui, GRACE, &["pull", "-q", "--ff-only"])?;
    writeln!(ui.out())?;
    demo.take(ui, GRACE, "sign", Some("A rota works for me."))?;
    demo.git(ui, KATHERINE, &["fetch", "-q"])?;
    demo.git(ui, KATHERINE, &["switch", "-q", "feature"])?;
    writeln!(ui.out())?;
    demo.take(ui, KATHERINE, "sign", None)?;
    demo.take(ui, ADA, "sign", None)?;

    step(demo, ui, "6. The pull request is squash-merged and its branch deleted: consent is kept")?;
    demo.git(ui, ADA, &["switch", "-q", "main"])?;
    demo.git(ui, ADA, &["merge", "-q", "--squash", "feature"])?;
    demo.git(
        ui,
        ADA,
        &["commit", "-q", "-m", "Platform charter: around the clock, on a rota (#1)"],
    )?;
    demo.git(ui, ADA, &["push", "-q", "origin", "main"])?;
    demo.git(ui, ADA, &["push", "-q", "origin", "--delete", "feature"])?;
    demo.git(ui, ADA, &["branch", "-q", "-D", "feature"])?;
    writeln!(ui.out())?;
    demo.accord(ui, ADA, &["status", ID])?;

    step(demo, ui, "7. What changed and who agreed")?;
    demo.accord(ui, ADA, &["log", ID])?;
    demo.accord(ui, ADA, &["history", ID])
}

/// Play the story in the empty folder `root`; returns Ada's clone, for the user to explore.
pub fn play_in(root: &Path, ui: &mut Ui) -> Result<PathBuf> {
    let demo = Demo {
        exe: std::env::current_exe()?,
        root,
        color: if ui.color() { "always" } else { "never" },
        clock: Cell::new(story_start()?),
    };
    writeln!(ui.out(), "accord demo in {}\n", root.display())?;
    play(&demo, ui)?;
    Ok(demo.clone_dir(ADA))
}
