//! The evaluation core: given an agreement's revisions and the positions that count, decide
//! each party's state, the verdict, and the ratified state after every event of a timeline.
//!
//! **Ratification is decided here**: [`evaluate::evaluate`] folds positions into standings
//! ([`crate::ledger`]), judges them by the agreement's rule ([`crate::rules`]) and returns an
//! [`Evaluation`]; [`replay::replay`] does the same after each event of an agreement's life.
//! Whether two revisions mean the same is answered in one place, [`meaning::SameMeaning`].
//!
//! Pure: everything it needs from the repository comes through the narrow [`Revisions`] trait,
//! which `store` implements over git and tests implement in memory. No git2, no terminal.

pub mod commitments;
pub mod counting;
pub mod due;
pub mod evaluate;
pub mod import;
pub mod in_force;
pub mod labels;
pub mod matrix;
pub mod meaning;
pub mod position;
pub mod replay;
pub mod review;
pub mod supersede;
pub mod versions;

pub use evaluate::{evaluate, Evaluation, Objection, Outsider, PartyState};
pub use meaning::{Meaning, Revisions, SameMeaning};
