//! JSON views (SPEC §7): serialise-only structs built from core values. Field names and order
//! are the stable contract documented in the README; change them only with the spec.

use serde::Serialize;

use super::rfc3339;
use crate::core::commitments::{give_and_take_of, GiveTake};
use crate::core::supersede::{self, SupersededBy, Supersessions};
use crate::core::{Evaluation, Objection, Outsider, PartyState};
use crate::ledger::{Position, State};
use crate::model::{self, Agreement, Role, Rule};
use crate::oid::ObjectId;
use crate::trailers::Stance;

/// SPEC §7's status object.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView<'a> {
    pub agreement: &'a str,
    pub revision: &'a str,
    pub rule: Rule,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quorum: Option<u32>,
    pub ratified: bool,
    pub parties: Vec<PartyView<'a>>,
    pub objections: Vec<ObjectionView<'a>>,
    pub blocking: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outsiders: Vec<OutsiderView<'a>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
    /// The ratified agreements that supersede this one (SPEC §3, §7); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub superseded_by: Vec<&'a str>,
    /// When the first of them became ratified; absent when not superseded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_since: Option<String>,
    /// A partnership's give and take, party by party; absent for other kinds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub give_and_take: Vec<GiveTakeView>,
}

impl<'a> StatusView<'a> {
    pub fn new(e: &'a Evaluation) -> StatusView<'a> {
        StatusView {
            agreement: &e.agreement,
            revision: &e.revision,
            rule: e.rule,
            quorum: e.quorum,
            ratified: e.ratified,
            parties: e.parties.iter().map(PartyView::new).collect(),
            objections: e.objections.iter().map(ObjectionView::new).collect(),
            blocking: &e.blocking,
            outsiders: e.outsiders.iter().map(OutsiderView::new).collect(),
            retired: e.retired,
            superseded_by: Vec::new(),
            superseded_since: None,
            give_and_take: give_and_take_of(e).into_iter().map(GiveTakeView::new).collect(),
        }
    }

    /// The same view, saying which ratified agreements supersede it.
    pub fn superseded(mut self, by: &'a [SupersededBy]) -> StatusView<'a> {
        self.superseded_by = by.iter().map(|b| b.id.as_str()).collect();
        self.superseded_since = supersede::since(by).map(rfc3339);
        self
    }
}

/// Views of many evaluations, in order.
pub fn statuses(evals: &[Evaluation]) -> Vec<StatusView<'_>> {
    evals.iter().map(StatusView::new).collect()
}

/// Views of many evaluations, each saying which agreements supersede it.
pub fn statuses_superseded<'a>(
    evals: &'a [Evaluation],
    supersessions: &'a Supersessions,
) -> Vec<StatusView<'a>> {
    evals
        .iter()
        .map(|e| {
            let by = supersessions.get(&e.agreement).map(Vec::as_slice).unwrap_or(&[]);
            StatusView::new(e).superseded(by)
        })
        .collect()
}

/// One party's give and take (`status`, `show`).
#[derive(Debug, Clone, Serialize)]
pub struct GiveTakeView {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub gives: Vec<String>,
    pub receives: Vec<String>,
}

impl GiveTakeView {
    pub fn new(g: GiveTake) -> GiveTakeView {
        GiveTakeView {
            name: g.name,
            email: g.email,
            role: g.role,
            gives: g.gives,
            receives: g.receives,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PartyView<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub role: Role,
    pub state: State,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<ObjectId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub carried_over: bool,
    /// The revision a stale or carried-over position was made on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<&'a str>,
}

impl<'a> PartyView<'a> {
    fn new(p: &'a PartyState) -> PartyView<'a> {
        PartyView {
            name: &p.name,
            email: &p.email,
            role: p.role,
            state: p.state,
            commit: p.commit,
            at: p.time.map(rfc3339),
            note: p.note.as_deref(),
            carried_over: p.carried_over,
            revision: p.revision.as_deref(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectionView<'a> {
    pub email: &'a str,
    pub commit: ObjectId,
    pub revision: &'a str,
    pub reason: &'a str,
}

impl<'a> ObjectionView<'a> {
    fn new(o: &'a Objection) -> ObjectionView<'a> {
        ObjectionView {
            email: &o.email,
            commit: o.commit,
            revision: &o.revision,
            reason: &o.reason,
        }
    }
}

/// A position by someone who is not (or no longer) a party: shown, not counted.
#[derive(Debug, Clone, Serialize)]
pub struct OutsiderView<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub position: Stance,
    pub commit: ObjectId,
    pub at: String,
    /// Why the position is not counted.
    pub reason: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub note: &'a str,
}

impl<'a> OutsiderView<'a> {
    fn new(o: &'a Outsider) -> OutsiderView<'a> {
        OutsiderView {
            name: &o.name,
            email: &o.email,
            position: o.position,
            commit: o.commit,
            at: rfc3339(o.time),
            reason: &o.reason,
            note: &o.note,
        }
    }
}

/// One position as JSON shows it (`log`, `review`).
#[derive(Debug, Clone, Serialize)]
pub struct PositionView {
    pub commit: ObjectId,
    pub at: String,
    pub name: String,
    pub email: String,
    pub position: Stance,
    pub revision: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl PositionView {
    pub fn new(p: &Position) -> PositionView {
        PositionView {
            commit: p.commit,
            at: rfc3339(p.time),
            name: p.trailers.name.clone(),
            email: p.trailers.email.clone(),
            position: p.trailers.stance,
            revision: p.trailers.revision.clone(),
            note: p.note.clone(),
        }
    }
}

/// `serialize_with` for a field holding an optional evaluation (as `review` has).
pub fn optional_status<S: serde::Serializer>(
    e: &Option<Evaluation>,
    s: S,
) -> Result<S::Ok, S::Error> {
    e.as_ref().map(StatusView::new).serialize(s)
}

/// One version of a field (`history`).
#[derive(Debug, Clone, Serialize)]
pub struct VersionView<'a> {
    /// The value (whitespace-normalised); absent when the field was not set.
    pub value: Option<&'a str>,
    pub at: String,
    pub author: &'a str,
    pub email: &'a str,
    pub commit: String,
    pub revisions: &'a [String],
    pub words: &'a [crate::diff::Segment],
    pub signed_by: &'a [String],
    /// Ratified at some point while this value stood.
    pub ratified: bool,
    /// This value stands at HEAD and the agreement is ratified there.
    pub ratified_now: bool,
}

pub fn versions(vs: &[crate::core::versions::Version]) -> Vec<VersionView<'_>> {
    vs.iter()
        .map(|v| VersionView {
            value: v.value.as_deref(),
            at: rfc3339(v.time),
            author: &v.author,
            email: &v.email,
            commit: v.commit.to_string(),
            revisions: &v.revisions,
            words: &v.words,
            signed_by: &v.signed_by,
            ratified: v.ratified,
            ratified_now: v.ratified_now,
        })
        .collect()
}

/// An agreement that is due (`due`).
#[derive(Debug, Clone, Serialize)]
pub struct DueView<'a> {
    pub agreement: &'a str,
    pub title: &'a str,
    pub reason: crate::core::due::DueReason,
    pub due_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_ratified: Option<String>,
}

pub fn dues(ds: &[crate::core::due::Due]) -> Vec<DueView<'_>> {
    ds.iter()
        .map(|d| DueView {
            agreement: &d.agreement,
            title: &d.title,
            reason: d.reason,
            due_on: d.due_on.to_string(),
            last_ratified: d.last_ratified.map(rfc3339),
        })
        .collect()
}

/// The JSON form of an agreement: the schema's fields, dates as strings.
#[derive(Debug, Serialize)]
pub struct AgreementJson<'a> {
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    pub schema: u32,
    pub title: &'a str,
    pub kind: model::Kind,
    pub purpose: &'a str,
    pub review_every: Option<&'a str>,
    pub review_by: Option<String>,
    pub ends: Option<String>,
    pub decision: &'a model::Decision,
    pub scope: Option<&'a model::Scope>,
    pub parties: &'a [model::Party],
    pub commitments: &'a [model::Commitment],
    pub norms: &'a [model::Norm],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub supersedes: &'a [String],
    /// `true` when this text retires the agreement (SPEC §7); absent otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
    /// The ratified agreements that supersede this one (SPEC §7); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub superseded_by: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_since: Option<String>,
    /// A partnership's give and take, party by party; absent for other kinds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub give_and_take: Vec<GiveTakeView>,
}

impl<'a> AgreementJson<'a> {
    pub fn new(id: &'a str, revision: Option<String>, a: &'a Agreement) -> Self {
        AgreementJson {
            id,
            revision,
            schema: a.schema,
            title: &a.title,
            kind: a.kind,
            purpose: &a.purpose,
            review_every: a.review_every.as_deref(),
            review_by: a.review_by.map(|d| d.to_string()),
            ends: a.ends.map(|d| d.to_string()),
            decision: &a.decision,
            scope: a.scope.as_ref(),
            parties: &a.parties,
            commitments: &a.commitments,
            norms: &a.norms,
            supersedes: &a.supersedes,
            retired: a.retired,
            superseded_by: Vec::new(),
            superseded_since: None,
            give_and_take: if crate::core::commitments::shows_give_and_take(a.kind) {
                let all = crate::core::commitments::give_and_take(a);
                all.into_iter().map(GiveTakeView::new).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The same, saying which ratified agreements supersede it.
    pub fn superseded(mut self, by: &'a [SupersededBy]) -> Self {
        self.superseded_by = by.iter().map(|b| b.id.as_str()).collect();
        self.superseded_since = crate::core::supersede::since(by).map(rfc3339);
        self
    }
}
