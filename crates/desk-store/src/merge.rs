//! The three-way rule, in one pure function: a field the user changed clashes with GHL
//! when GHL changed it since the user's base, and to something other than the user's
//! value. Every place that asks (a pull deciding on conflicts, the review screen marking
//! the fields to choose) asks [`field_verdict`].

use serde_json::Value;

use crate::change::{Base, FieldChange};

/// What GHL's side is known to hold for one field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ghl<'a> {
    /// GHL's current value (`null`: empty).
    Known(&'a Value),
    /// The last answer did not carry the field.
    Unknown,
}

/// What the three-way rule says about one changed field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// GHL did not change the field since the base, or already holds the user's value:
    /// the user's value can be sent.
    Send,
    /// GHL changed the field to something else since the base: both sides changed it.
    Clash,
    /// GHL's current value is not known: read the whole record before deciding.
    ReadFirst,
}

/// Whether two field values mean the same: `null` and `""` are both "empty", and text
/// compares without surrounding white space (GHL trims what it stores).
pub fn same(a: &Value, b: &Value) -> bool {
    fn empty(v: &Value) -> bool {
        match v {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            Value::Array(items) => items.is_empty(),
            _ => false,
        }
    }
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.trim() == y.trim(),
        _ if empty(a) && empty(b) => true,
        _ => a == b,
    }
}

/// The three-way rule for one field: `change` is the user's value with its base, `ghl`
/// what GHL is known to hold now, and `ghl_version` the record's current `dateUpdated`
/// (used when the base was not known: a record that has not changed since the edit
/// cannot have changed the field).
pub fn field_verdict(change: &FieldChange, ghl: Ghl<'_>, ghl_version: Option<&str>) -> Verdict {
    let Ghl::Known(current) = ghl else {
        return Verdict::ReadFirst;
    };
    if same(current, &change.value) {
        return Verdict::Send;
    }
    match &change.base {
        Base::Known(base) if same(current, base) => Verdict::Send,
        Base::Known(_) => Verdict::Clash,
        Base::Unknown { since: Some(since) } if ghl_version == Some(since.as_str()) => {
            Verdict::Send
        }
        Base::Unknown { .. } => Verdict::Clash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn known(base: Value, value: Value) -> FieldChange {
        FieldChange {
            value,
            base: Base::Known(base),
        }
    }

    fn unknown(since: Option<&str>, value: Value) -> FieldChange {
        FieldChange {
            value,
            base: Base::Unknown {
                since: since.map(str::to_owned),
            },
        }
    }

    #[test]
    fn the_three_way_rule() {
        use Verdict::{Clash, ReadFirst, Send};
        let a = json!("A");
        let b = json!("B");
        let mine = json!("Mine");
        let null = Value::Null;
        let v1 = Some("2026-01-01T00:00:00.000Z");
        let v2 = Some("2026-02-01T00:00:00.000Z");
        #[rustfmt::skip]
        let cases: Vec<(&str, FieldChange, Ghl, Option<&str>, Verdict)> = vec![
            ("GHL unchanged since the base",          known(a.clone(), mine.clone()), Ghl::Known(&a), v2, Send),
            ("GHL changed it to something else",      known(a.clone(), mine.clone()), Ghl::Known(&b), v2, Clash),
            ("GHL changed it to my value",            known(a.clone(), mine.clone()), Ghl::Known(&mine), v2, Send),
            ("GHL cleared it",                        known(a.clone(), mine.clone()), Ghl::Known(&null), v2, Clash),
            ("I clear it, GHL unchanged",             known(a.clone(), null.clone()), Ghl::Known(&a), v2, Send),
            ("I clear it, GHL cleared it too",        known(a.clone(), null.clone()), Ghl::Known(&null), v2, Send),
            ("I clear it, GHL changed it",            known(a.clone(), null.clone()), Ghl::Known(&b), v2, Clash),
            ("empty base, GHL filled it",             known(null.clone(), mine.clone()), Ghl::Known(&b), v2, Clash),
            ("empty text and null are the same",      known(json!(""), mine.clone()), Ghl::Known(&null), v2, Send),
            ("GHL's value unknown",                   known(a.clone(), mine.clone()), Ghl::Unknown, v2, ReadFirst),
            ("base and GHL unknown",                  unknown(v1, mine.clone()), Ghl::Unknown, v2, ReadFirst),
            ("base unknown, record unchanged",        unknown(v1, mine.clone()), Ghl::Known(&b), v1, Send),
            ("base unknown, record changed",          unknown(v1, mine.clone()), Ghl::Known(&b), v2, Clash),
            ("base unknown, GHL has my value",        unknown(v1, mine.clone()), Ghl::Known(&mine), v2, Send),
            ("base unknown, no version to compare",   unknown(None, mine.clone()), Ghl::Known(&b), v2, Clash),
            ("surrounding spaces do not count",       known(a.clone(), json!(" Mine ")), Ghl::Known(&mine), v2, Send),
        ];
        for (case, change, ghl, version, expected) in cases {
            assert_eq!(field_verdict(&change, ghl, version), expected, "{case}");
        }
    }
}
