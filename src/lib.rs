//! accord keeps a team's agreements as TOML files in a git repository, records each member's
//! position (sign, object, abstain, withdraw) as a git commit, decides whether the current text
//! is ratified under the agreement's own rule, and shows how an agreement changed over time.
//!
//! The dependency rule (enforced by `clippy.toml`): `core` (where ratification is decided),
//! `model`, `trailers`, `ledger`, `rules`, `diff`, `canon` and `templates` are pure — no
//! repository access, no clap, no terminal (`trailers` calls git2's pure trailer parser, nothing
//! else of git2). `store` alone opens repositories and runs `git`, and returns model types;
//! `signing` alone runs `ssh-keygen`/`gpg`. `render` writes to any writer. `commands` is the only
//! place that connects them; `demo` is the story `accord demo` plays with the real programs.

pub mod canon;
pub mod cli;
pub mod commands;
pub mod core;
pub mod demo;
pub mod diff;
pub mod error;
pub mod ledger;
pub mod model;
pub mod oid;
pub mod render;
pub mod rules;
pub mod signing;
pub mod store;
pub mod templates;
pub mod trailers;
pub mod ui;

pub use error::{Error, Result};
