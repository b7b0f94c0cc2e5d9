//! `accord textconv`: the git diff driver. Never fails: unparsable input is printed unchanged.

use std::io::{Read, Write};
use std::path::PathBuf;

use crate::error::Result;
use crate::ui::Ui;

/// Print the canonical text of an agreement file (used by git's diff driver)
///
/// git runs this through `diff.accord.textconv` with a temporary file; `accord init` sets it
/// up. Fields come in schema order, one clause per line, whitespace normalised, so `git diff`
/// shows changes of meaning. A file that does not parse is printed unchanged. Use `-` for stdin.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to render
    pub file: PathBuf,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::one_form_only(ui, "textconv", "text for `git diff`")?;
    let mut bytes = Vec::new();
    let read = if args.file.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(&args.file).map(|b| bytes = b)
    };
    if let Err(e) = read {
        // Never fail git's diff: say why on stderr and print nothing.
        ui.warn(format!("accord textconv: cannot read {}: {e}", args.file.display()));
        return Ok(());
    }
    // Straight to stdout, not through `ui.out()`: its colour stripping would drop control
    // characters and invalid UTF-8 from a file passed through unchanged.
    let mut out = std::io::stdout().lock();
    let text = crate::canon::textconv(&bytes);
    match (text != bytes, std::str::from_utf8(&text)) {
        // The canonical rendering holds the values as decoded: a `\u001b` written in the file
        // is an ESC there, escaped again before `git diff` prints it (SPEC §9).
        (true, Ok(rendered)) => {
            out.write_all(crate::render::escape::terminal(rendered).as_bytes())?
        }
        // Passed through unchanged, as git would show the file itself.
        _ => out.write_all(&text)?,
    }
    out.flush()?;
    Ok(())
}
