//! Queued changes as the user reviews them, and what the user decides: discard, send
//! again, or settle a conflict (all mine, all HighLevel's for the clashing fields, or
//! field by field), plus the account's merge policy.

use serde::Deserialize;

use crate::{error::DeskResult, location::Location, MergePolicy, PendingChange};

/// What the user decided about a queued change.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "action")]
pub enum Resolution {
    /// Drop it; the record goes back to HighLevel's version.
    Discard,
    /// Send it again (a refused change after fixing it, an uncertain create after
    /// checking HighLevel), or at once (one waiting for its retry).
    Retry,
    /// A conflict: send my values for every field.
    KeepMine,
    /// A conflict: keep HighLevel's values for the clashing fields, send my others.
    KeepGhl,
    /// A conflict, field by field: HighLevel's values for `takeGhl`, mine for the rest.
    Fields {
        /// The fields where HighLevel's value wins.
        #[serde(rename = "takeGhl")]
        take_ghl: Vec<String>,
    },
}

impl Location {
    /// Every queued change, described, in queue order.
    pub fn pending_changes(&self) -> DeskResult<Vec<PendingChange>> {
        self.read(|store| store.pending_changes())
    }

    /// The first `limit` queued changes for the review screen: those waiting for the
    /// user first, then the rest, each in queue order.
    pub fn changes_to_review(&self, limit: u32) -> DeskResult<Vec<PendingChange>> {
        self.read(|store| store.changes_to_review(limit as usize))
    }

    /// Applies the user's decision about queued change `seq`.
    pub fn resolve(&self, seq: i64, resolution: &Resolution) -> DeskResult<()> {
        self.edit(|store| match resolution {
            Resolution::Discard => store.discard(seq),
            Resolution::Retry => store.retry_now(seq),
            Resolution::KeepMine => store.keep_mine(seq),
            Resolution::KeepGhl => store.keep_ghl(seq),
            Resolution::Fields { take_ghl } => store.resolve_conflict(seq, take_ghl),
        })
    }

    /// How this location settles fields changed both here and in HighLevel.
    pub fn merge_policy(&self) -> DeskResult<MergePolicy> {
        self.read(|store| store.merge_policy())
    }

    /// Chooses how this location settles fields changed on both sides.
    pub fn set_merge_policy(&self, policy: MergePolicy) -> DeskResult<()> {
        self.edit(|store| store.set_merge_policy(policy))
    }
}
