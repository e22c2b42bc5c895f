//! What a queued operation changes, as typed values. The outbox stores the operation's
//! kind in one column and this payload as JSON in another; every reader goes through
//! [`Change`], so no code reads the payload by string keys.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::{
    error::{StoreError, StoreResult},
    model::OpKind,
};

/// GHL's value of a field at the moment the user changed it: what the three-way rule
/// compares GHL's later value with.
#[derive(Debug, Clone, PartialEq)]
pub enum Base {
    /// GHL's value was known (`null`: the field was empty).
    Known(Value),
    /// GHL's value was not known: the record came from an answer that does not carry
    /// the field. `since` is the record's `dateUpdated` at that moment, so a later
    /// answer can tell whether the record changed since.
    Unknown {
        /// The record's `dateUpdated` when the field was changed, if known.
        since: Option<String>,
    },
}

/// One field of an update: the user's value and the base it was made against.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    /// The user's value (`null` clears the field).
    pub value: Value,
    /// GHL's value when the user made the change.
    pub base: Base,
}

/// What one queued operation does to its record.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Create the record with these fields.
    Create {
        /// The fields, as GHL names them.
        fields: Map<String, Value>,
    },
    /// Change these fields, each remembering its base.
    Update {
        /// The changed fields, by GHL's name.
        fields: BTreeMap<String, FieldChange>,
    },
    /// Delete the record.
    Delete,
    /// Add and remove tags of a contact (GHL's tags endpoints; never a PUT of `tags`).
    Tags {
        /// Tags to add.
        add: Vec<String>,
        /// Tags to remove.
        remove: Vec<String>,
    },
}

/// Reads a key that is present (even as `null`) as `Some`, so that "absent" and "null"
/// stay apart.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// [`FieldChange`] as stored: `{"value", "base"}` for a known base, `{"value", "since"?}`
/// for an unknown one.
#[derive(Serialize, Deserialize)]
struct StoredField {
    value: Value,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    base: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct StoredFields<T> {
    fields: T,
}

#[derive(Serialize, Deserialize)]
struct StoredTags {
    #[serde(default)]
    add: Vec<String>,
    #[serde(default)]
    remove: Vec<String>,
}

impl Change {
    /// The kind of operation, as the outbox's `op` column names it.
    pub fn kind(&self) -> OpKind {
        match self {
            Self::Create { .. } => OpKind::Create,
            Self::Update { .. } => OpKind::Update,
            Self::Delete => OpKind::Delete,
            Self::Tags { .. } => OpKind::Tags,
        }
    }

    /// The payload column's JSON.
    pub(crate) fn to_json(&self) -> String {
        let value = match self {
            Self::Create { fields } => serde_json::to_value(StoredFields { fields }),
            Self::Update { fields } => {
                let stored: BTreeMap<&String, StoredField> = fields
                    .iter()
                    .map(|(name, change)| {
                        let (base, since) = match &change.base {
                            Base::Known(value) => (Some(value.clone()), None),
                            Base::Unknown { since } => (None, since.clone()),
                        };
                        let field = StoredField {
                            value: change.value.clone(),
                            base,
                            since,
                        };
                        (name, field)
                    })
                    .collect();
                serde_json::to_value(StoredFields { fields: stored })
            }
            Self::Delete => Ok(Value::Object(Map::new())),
            Self::Tags { add, remove } => serde_json::to_value(StoredTags {
                add: add.clone(),
                remove: remove.clone(),
            }),
        };
        value.unwrap_or_default().to_string()
    }

    /// Reads an outbox row's `op` and `payload` columns.
    pub(crate) fn from_row(op: &str, payload: &str) -> StoreResult<Self> {
        let damaged = |why: String| StoreError::Damaged(format!("queued {op}: {why}"));
        let kind = OpKind::parse(op).ok_or_else(|| damaged("unknown operation".into()))?;
        Ok(match kind {
            OpKind::Create => {
                let stored: StoredFields<Map<String, Value>> =
                    serde_json::from_str(payload).map_err(|e| damaged(e.to_string()))?;
                Self::Create {
                    fields: stored.fields,
                }
            }
            OpKind::Update => {
                let stored: StoredFields<BTreeMap<String, StoredField>> =
                    serde_json::from_str(payload).map_err(|e| damaged(e.to_string()))?;
                let fields = stored
                    .fields
                    .into_iter()
                    .map(|(name, field)| {
                        let base = match field.base {
                            Some(value) => Base::Known(value),
                            None => Base::Unknown { since: field.since },
                        };
                        let change = FieldChange {
                            value: field.value,
                            base,
                        };
                        (name, change)
                    })
                    .collect();
                Self::Update { fields }
            }
            OpKind::Delete => Self::Delete,
            OpKind::Tags => {
                let stored: StoredTags =
                    serde_json::from_str(payload).map_err(|e| damaged(e.to_string()))?;
                Self::Tags {
                    add: stored.add,
                    remove: stored.remove,
                }
            }
        })
    }

    /// The names of the fields this change sets (creates and updates), in order.
    pub fn field_names(&self) -> Vec<String> {
        match self {
            Self::Create { fields } => fields.keys().cloned().collect(),
            Self::Update { fields } => fields.keys().cloned().collect(),
            Self::Delete | Self::Tags { .. } => Vec::new(),
        }
    }

    /// The values this change sends (a create's fields, an update's new values).
    pub fn values(&self) -> Map<String, Value> {
        match self {
            Self::Create { fields } => fields.clone(),
            Self::Update { fields } => fields
                .iter()
                .map(|(name, change)| (name.clone(), change.value.clone()))
                .collect(),
            Self::Delete | Self::Tags { .. } => Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(change: &Change) -> Change {
        Change::from_row(change.kind().as_str(), &change.to_json()).unwrap()
    }

    #[test]
    fn every_kind_round_trips_through_its_stored_form() {
        let mut update = BTreeMap::new();
        update.insert(
            "city".to_owned(),
            FieldChange {
                value: json!("Oslo"),
                base: Base::Known(Value::Null),
            },
        );
        update.insert(
            "website".to_owned(),
            FieldChange {
                value: Value::Null,
                base: Base::Unknown {
                    since: Some("2026-01-01T00:00:00.000Z".into()),
                },
            },
        );
        let changes = [
            Change::Create {
                fields: json!({ "firstName": "Ada" }).as_object().unwrap().clone(),
            },
            Change::Update { fields: update },
            Change::Delete,
            Change::Tags {
                add: vec!["vip".into()],
                remove: vec!["cold".into()],
            },
        ];
        for change in &changes {
            assert_eq!(&round_trip(change), change);
        }
    }

    #[test]
    fn a_null_base_is_known_and_an_absent_one_unknown() {
        let known = Change::from_row(
            "update",
            r#"{"fields":{"city":{"value":"Oslo","base":null}}}"#,
        )
        .unwrap();
        let unknown =
            Change::from_row("update", r#"{"fields":{"city":{"value":"Oslo"}}}"#).unwrap();
        let base = |c: &Change| match c {
            Change::Update { fields } => fields["city"].base.clone(),
            _ => unreachable!("an update"),
        };
        assert_eq!(base(&known), Base::Known(Value::Null));
        assert_eq!(base(&unknown), Base::Unknown { since: None });
    }

    #[test]
    fn a_damaged_payload_is_an_error_not_a_panic() {
        assert!(Change::from_row("update", r#"{"fields":"x"}"#).is_err());
        assert!(Change::from_row("create", "not json").is_err());
        assert!(Change::from_row("frobnicate", "{}").is_err());
    }
}
