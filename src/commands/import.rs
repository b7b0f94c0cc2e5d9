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
    /// Kind of agreement: charter, partnership, service, working-agreement or decision
    #[arg(long, default_value = "charter", value_parser = parse_kind)]
    pub kind: Kind,
    /// A party, as "Name <email>" (repeatable; default: your git identity)
    #[arg(long = "party", value_name = "NAME <EMAIL>")]
    pub parties: Vec<String>,
    /// The steward: the email of one of the parties
    #[arg(long, value_name = "EMAIL")]
    pub steward: Option<String>,
}

fn parse_kind(s: &str) -> std::result::Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown kind `{s}`; use one of: {}", all.join(", "))
    })
}

/// Largest markdown file read: a charter is prose for people.
const MAX_MARKDOWN_BYTES: u64 = 4 * 1024 * 1024;

/// `Ada Lovelace <ada@example.com>` → a party.
fn parse_party(s: &str) -> Result<Party> {
    let bad = || {
        Error::new(format!("`{s}` is not `Name <email>`"))
            .hint("write --party \"Ada Lovelace <ada@example.com>\"")
    };
    let (name, rest) = s.split_once('<').ok_or_else(bad)?;
    let email = rest.trim_end().strip_suffix('>').ok_or_else(bad)?.trim();
    let name = name.trim();
    if name.is_empty() || email.is_empty() {
        return Err(bad());
    }
    Ok(Party { name: name.into(), email: email.into(), role: Role::Partner })
}

pub fn run(args: Args, ui: &mut Ui) -> Result<super::Outcome> {
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
    let mut parties = args.parties.iter().map(|p| parse_party(p)).collect::<Result<Vec<_>>>()?;
    if let Some(s) = &args.steward {
        if !parties.is_empty() && !parties.iter().any(|p| model::same_email(&p.email, s)) {
            return Err(Error::new(format!("the steward {s} is not one of the parties"))
                .hint("add them with --party \"Name <email>\""));
        }
    }
    let store = super::open(ui)?;
    let Some(work) = store.workdir() else {
        return Err(Error::new("this is a bare repository: import agreements in a clone"));
    };
    if parties.is_empty() {
        let me = store.author()?;
        parties.push(Party { name: me.name, email: me.email, role: Role::Partner });
    }
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
    super::new::write_new(&path, &rel, &toml)?;
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
    match model::load(toml.as_bytes(), &rel) {
        Ok(_) => {
            ui.status(format!(
                "next: review it, `git add {rel} && git commit`, then each party runs `accord sign {id}`"
            ));
            Ok(super::Outcome::Done)
        }
        Err(e) => {
            let fields: Vec<String> = e
                .diagnostics()
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
