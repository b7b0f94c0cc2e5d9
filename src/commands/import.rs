//! `accord import`: turn a markdown charter into `agreements/<id>.toml`. Reading the markdown
//! and building the agreement are [`crate::core::import`]'s job; this file writes it as TOML through
//! serde (never hand-built TOML), and says what it could not map. Never overwrites, never
//! commits.

use std::path::PathBuf;

use crate::core::import;
use crate::error::{Error, Result};
use crate::model::{self, Kind, Party, Role};
use crate::ui::Ui;

/// Draft an agreement from a markdown charter
///
/// Title from the first heading; purpose from the prose of a Scope, Purpose or Mission section
/// (else from the introduction under the title); `scope.in` and `scope.out` from "In scope" and
/// "Out of scope" bullets (nested bullets flattened with their parent, `parent: child`); norms
/// from a "Working agreements" or "Norms" list. Prints, section by section, what it could not
/// map. Writes `agreements/<ID>.toml`; never overwrites and does not commit. Exits 1, naming
/// the field to fill in, when the written draft does not yet pass `accord check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The markdown file
    pub file: PathBuf,
    /// Agreement id (default: from the file name)
    #[arg(long)]
    pub id: Option<String>,
    /// Kind of agreement
    #[arg(long, default_value = "charter", value_parser = super::kind_parser())]
    pub kind: Kind,
    /// A party, as "Name <email>" (repeatable; default: your git identity)
    #[arg(long = "party", value_name = "NAME <EMAIL>")]
    pub parties: Vec<String>,
    /// The steward: the email of one of the parties
    #[arg(long, value_name = "EMAIL")]
    pub steward: Option<String>,
}

/// Largest markdown file read: a charter is prose for people.
const MAX_MARKDOWN_BYTES: u64 = 4 * 1024 * 1024;

pub fn run(args: Args, ui: &mut Ui) -> Result<super::Outcome> {
    super::one_form_only(ui, "import", "a TOML file and status lines")?;
    let id = match &args.id {
        Some(id) => id.clone(),
        None => import::id_from_file(&args.file),
    };
    super::check_id(&id).map_err(|e| {
        if args.id.is_none() {
            Error::new(format!("cannot make an agreement id from `{}`", args.file.display()))
                .hint("pass --id <id>")
        } else {
            e
        }
    })?;
    let mut parties: Vec<Party> = super::named_parties(&args.parties)?
        .into_iter()
        .map(|(name, email)| Party { name, email, role: Role::Partner })
        .collect();
    let store = super::open_without_history(ui)?;
    let Some(work) = store.workdir() else {
        return Err(Error::new("this is a bare repository: import agreements in a clone"));
    };
    if parties.is_empty() {
        let me = store.author()?;
        parties.push(Party { name: me.name, email: me.email, role: Role::Partner });
    }
    let emails: Vec<&str> = parties.iter().map(|p| p.email.as_str()).collect();
    super::steward_among(args.steward.as_deref(), &emails)?;
    let rel = store.path_of(&id);
    let path = work.join(&rel);
    if std::fs::symlink_metadata(&path).is_ok() {
        return Err(Error::new(format!("{rel} already exists; accord never overwrites"))
            .hint("pick another id with --id"));
    }
    let bytes = read_markdown(&args.file)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::new(format!("{} is not UTF-8 text", args.file.display()))
            .hint("save the charter as UTF-8")
    })?;
    let found = import::import(&text);
    let draft = import::draft(&found, args.kind, args.steward.as_deref(), parties);
    let toml = toml::to_string(&draft)
        .map_err(|e| Error::new(format!("cannot write the agreement as TOML: {e}")))?;
    // A draft accord could not read back helps nobody: refused before anything is written.
    if toml.len() > model::MAX_FILE_BYTES {
        return Err(Error::new(format!(
            "the draft would be {} bytes, larger than the {} bytes (1 MiB) accord reads",
            toml.len(),
            model::MAX_FILE_BYTES
        ))
        .hint("shorten the charter, or import its essentials and link to the rest"));
    }
    super::write_new(&path, &rel, &toml)?;
    ui.status(format!("wrote {rel} from {} (not committed)", args.file.display()));
    match &found.purpose_from {
        Some(h) => ui.status(format!("purpose: from the prose of section \"{h}\"")),
        None if !found.purpose.is_empty() => {
            ui.status("purpose: from the text before the first heading")
        }
        None => {}
    }
    ui.status(format!(
        "scope: {} in, {} out; norms: {}",
        found.scope_in.len(),
        found.scope_out.len(),
        found.norms.len()
    ));
    for u in &found.unmapped {
        let section = match &u.section {
            Some(h) => format!("section \"{h}\""),
            None => "before the first heading".to_string(),
        };
        ui.warn(format!("not mapped: {section}: {}", u.what));
    }
    // What `check` says of it: the rules, then what nobody can agree to (a conflict marker or
    // a template placeholder carried over from the markdown).
    let problems: Vec<model::Diagnostic> = match model::load(toml.as_bytes(), &rel) {
        Ok(a) => model::unagreeable(&a, &toml, &rel),
        Err(e) => e.diagnostics().to_vec(),
    };
    match problems.is_empty() {
        true => {
            ui.status(format!(
                "next: review it, `git add {rel} && git commit`, then each party runs `accord sign {id}`"
            ));
            Ok(super::Outcome::Done)
        }
        false => {
            let fields: Vec<String> = problems
                .iter()
                .map(|d| match &d.key {
                    Some(k) => format!("`{k}`: {}", d.message),
                    None => d.message.clone(),
                })
                .collect();
            for f in &fields {
                ui.warn(format!("fill in: {f}"));
            }
            Ok(super::Outcome::No(format!(
                "{rel} does not pass `accord check` yet; fill in: {}",
                fields.join("; ")
            )))
        }
    }
}

fn read_markdown(file: &std::path::Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(file)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", file.display())))?;
    let mut bytes = Vec::new();
    f.take(MAX_MARKDOWN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", file.display())))?;
    if bytes.len() as u64 > MAX_MARKDOWN_BYTES {
        return Err(Error::new(format!("{} is larger than 4 MiB", file.display()))
            .hint("a charter is prose for people; import a smaller file"));
    }
    Ok(bytes)
}
