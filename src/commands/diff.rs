//! `accord diff`.

use std::path::Path;

use crate::error::{Error, Result};
use crate::ui::Ui;

/// (arrives with history and review)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Agreement id
    pub id: String,
}

pub fn run(_dir: Option<&Path>, _args: Args, _ui: &mut Ui) -> Result<()> {
    Err(Error::new("not yet"))
}
