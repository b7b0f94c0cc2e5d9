//! `accord new`: draft an agreement from a template; never overwrites, never commits.

use crate::error::{Error, Result};
use crate::model::Kind;
use crate::templates;
use crate::ui::Ui;

/// Draft a new agreement from a template
///
/// Writes `agreements/<ID>.toml` with your git identity as the first party. It never
/// overwrites a file and does not commit: edit the draft, commit it, then ask each party to
/// `accord sign <ID>`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Agreement id: lower-case letters, digits and `-` (e.g. platform-charter)
    pub id: String,
    /// Kind of agreement: charter, partnership, service, working-agreement or decision
    #[arg(long, default_value = "charter", value_parser = parse_kind)]
    pub kind: Kind,
    /// Title (default: made from the id and kind)
    #[arg(long)]
    pub title: Option<String>,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown kind `{s}`; use one of: {}", all.join(", "))
    })
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::check_id(&args.id)?;
    let store = super::open(ui)?;
    let Some(work) = store.workdir() else {
        return Err(Error::new("this is a bare repository: draft agreements in a clone"));
    };
    let title = args.title.unwrap_or_else(|| templates::default_title(args.kind, &args.id));
    if title.trim().is_empty() {
        return Err(Error::new("the title is empty").hint("pass --title \"What this is\""));
    }
    let me = store.author()?;
    let rel = store.path_of(&args.id);
    let path = work.join(&rel);
    if std::fs::symlink_metadata(&path).is_ok() {
        return Err(Error::new(format!("{rel} already exists; accord never overwrites"))
            .hint(format!("edit it, or pick another id (`accord show {}`)", args.id)));
    }
    let text = templates::render(args.kind, &title, &me.name, &me.email);
    // A draft that cannot pass `accord check` helps nobody: say why before writing anything.
    if let Err(e) = crate::model::load(text.as_bytes(), &rel) {
        return Err(Error::new(format!(
            "the template filled in with {} <{}> would not be valid: {}",
            me.name,
            me.email,
            e.diagnostics().first().map_or(String::new(), |d| d.message.clone())
        ))
        .hint("check your git identity (git config user.name / user.email) and --title"));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // create_new: a file that appeared since the check above is still never overwritten.
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| {
            Error::new(format!("cannot create {rel}: {e}")).hint("accord never overwrites a file")
        })?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    ui.status(format!(
        "wrote {rel} ({} with {} <{}> as first party)",
        args.kind, me.name, me.email
    ));
    ui.status(format!(
        "next: edit it, `git add {rel} && git commit`, then each party runs `accord sign {}`",
        args.id
    ));
    Ok(())
}
