//! What several commands share: opening the repository, loading agreements with errors that
//! say what to do ([`load`]), evaluating agreements at a commit (store → core, [`evaluate`]),
//! the checks gates make before answering ([`gates`]), supersession ([`supersede`]), the
//! arguments `new` and `import` share ([`drafts`]), what `log` and `site` share ([`edits`]),
//! what `site` gathers of each agreement ([`site`]) and what `verify` checks of each position
//! ([`verify`]). No rendering here; everything is re-exported so commands call `super::name`.

mod drafts;
mod edits;
mod evaluate;
mod gates;
mod load;
mod range;
mod site;
mod supersede;
mod verify;

pub use drafts::*;
pub use edits::*;
pub use evaluate::*;
pub use gates::*;
pub use load::*;
pub use range::*;
pub use site::*;
pub use supersede::*;
pub use verify::*;
