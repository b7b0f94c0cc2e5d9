//! `accord new`: draft an agreement from a template; never overwrites, never commits.

use crate::error::{Error, Result};
use crate::model::Kind;
use crate::templates;
use crate::ui::Ui;

/// Draft a new agreement from a template
///
/// Writes `agreements/<ID>.toml` with your git identity as the first party, or with the parties
/// you name (`--party`, repeatable; `--steward` picks the steward). It never overwrites a file
/// and does not commit: edit the draft, commit it, then ask each party to `accord sign <ID>`.
/// Values the template marks `# placeholder` must be replaced before anyone can sign.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Agreement id: lower-case letters, digits and `-` (e.g. platform-charter)
    pub id: String,
    /// Kind of agreement [default: charter; with --supersedes, the old agreement's]
    #[arg(long, value_parser = super::kind_parser())]
    pub kind: Option<Kind>,
    /// Title (default: made from the id and kind, each word capitalised; with --supersedes,
    /// the old agreement's)
    #[arg(long)]
    pub title: Option<String>,
    /// Draft the successor of this agreement: its text, with `supersedes = ["<OLD>"]`. It
    /// replaces the old one once it is ratified.
    #[arg(long, value_name = "OLD", conflicts_with_all = ["parties", "steward"])]
    pub supersedes: Option<String>,
    /// A party, as "Name <email>"; repeat for each (default: you). The first takes the
    /// template's own party, a second the template's example partner or client
    #[arg(long = "party", value_name = "NAME <EMAIL>")]
    pub parties: Vec<String>,
    /// The email of the party who is steward (default: the template's roles)
    #[arg(long, value_name = "EMAIL")]
    pub steward: Option<String>,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::one_form_only(ui, "new", "a TOML file and status lines")?;
    super::check_id(&args.id)?;
    let store = super::open_without_history(ui)?;
    let Some(work) = store.workdir() else {
        return Err(Error::new("this is a bare repository: draft agreements in a clone"));
    };
    if args.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(Error::new("the title is empty").hint("pass --title \"What this is\""));
    }
    if let Some(old) = &args.supersedes {
        if old == &args.id {
            return Err(Error::new(format!("`{old}` cannot supersede itself"))
                .hint("give the successor a new id"));
        }
        let rel = store.path_of(&args.id);
        let path = work.join(&rel);
        if std::fs::symlink_metadata(&path).is_ok() {
            return Err(Error::new(format!("{rel} already exists; accord never overwrites"))
                .hint(format!("edit it, or pick another id (`accord show {}`)", args.id)));
        }
        let text = super::successor(&store, &rel, old, args.kind, args.title.as_deref())?;
        super::write_new(&path, &rel, &text)?;
        ui.status(format!("wrote {rel}: the text of {old}, superseding it once ratified"));
        ui.status(format!(
            "next: edit it, `git add {rel} && git commit`, then each party runs `accord sign {}`",
            args.id
        ));
        return Ok(());
    }
    let kind = args.kind.unwrap_or(Kind::Charter);
    let title = args.title.clone().unwrap_or_else(|| templates::default_title(kind, &args.id));
    // Your git identity is asked for only when it is the party: `--party` names them all.
    let members: Vec<templates::Member> = match args.parties.is_empty() {
        true => {
            let me = store.author()?;
            vec![templates::Member { name: me.name, email: me.email }]
        }
        false => super::named_parties(&args.parties)?
            .into_iter()
            .map(|(name, email)| templates::Member { name, email })
            .collect(),
    };
    let emails: Vec<&str> = members.iter().map(|m| m.email.as_str()).collect();
    super::steward_among(args.steward.as_deref(), &emails)?;
    let first = &members[0];
    let rel = store.path_of(&args.id);
    let path = work.join(&rel);
    if std::fs::symlink_metadata(&path).is_ok() {
        return Err(Error::new(format!("{rel} already exists; accord never overwrites"))
            .hint(format!("edit it, or pick another id (`accord show {}`)", args.id)));
    }
    let text = templates::draft(kind, &title, &members, args.steward.as_deref());
    // A draft broken by what was typed (an identity, the title) helps nobody: say why before
    // writing anything. What the team fills in later (a third partner's commitments) may wait.
    let mut later = Vec::new();
    if let Err(e) = crate::model::load(text.as_bytes(), &rel) {
        let (typed, rest): (Vec<_>, Vec<_>) = e.diagnostics().into_iter().partition(|d| {
            matches!(e, crate::model::LoadError::Unreadable(_))
                || d.key
                    .as_deref()
                    .is_none_or(|k| k == "title" || k.ends_with(".name") || k.ends_with(".email"))
        });
        if let Some(d) = typed.first() {
            return Err(Error::new(format!(
                "the template filled in with {} <{}> would not be valid: {}",
                first.name, first.email, d.message
            ))
            .hint(
                "check your git identity (git config user.name / user.email), --party and --title",
            ));
        }
        later = rest;
    }
    super::write_new(&path, &rel, &text)?;
    ui.status(format!("wrote {rel} ({kind} with {} <{}> as first party)", first.name, first.email));
    for d in &later {
        ui.warn(format!("edit the draft: {d}"));
    }
    ui.status(format!(
        "next: edit it, `git add {rel} && git commit`, then each party runs `accord sign {}`",
        args.id
    ));
    Ok(())
}
