//! `POST /contacts/search`: filters (nested AND/OR groups), sort, `page` paging within
//! the first 10,000 records and `searchAfter` cursors beyond.

use std::cmp::Ordering;

use axum::{extract::State, Extension, Json};
use serde_json::{json, Value};

use super::{contacts::matches_query, require, same_location, GhlJson};
use crate::{
    decisions::{SEARCH_PAGE_LIMIT_MAX, SEARCH_PAGE_WINDOW_MAX, SEARCH_QUERY_MAX_CHARS},
    error::{ApiError, ApiResult},
    shapes::search_item,
    state::Shared,
    tokens::Grant,
    world::{parse_ms, str_field, Record},
};

/// Fields whose values compare as timestamps.
const DATE_FIELDS: &[&str] = &["dateAdded", "dateUpdated", "lastActivity", "dateOfBirth"];

/// One sort key.
#[derive(Debug, Clone, PartialEq)]
struct SortKey {
    field: String,
    descending: bool,
}

/// A sortable value: timestamps and numbers as numbers, text as text.
#[derive(Debug, Clone, PartialEq)]
enum SortValue {
    Number(f64),
    Text(String),
    Missing,
}

impl SortValue {
    fn of(contact: &Record, field: &str) -> Self {
        match contact.get(field) {
            Some(Value::String(s)) if DATE_FIELDS.contains(&field) => {
                parse_ms(s).map_or(Self::Missing, |ms| Self::Number(ms as f64))
            }
            Some(Value::String(s)) => Self::Text(s.to_lowercase()),
            Some(Value::Number(n)) => n.as_f64().map_or(Self::Missing, Self::Number),
            Some(Value::Bool(b)) => Self::Number(f64::from(u8::from(*b))),
            _ => Self::Missing,
        }
    }

    fn from_json(value: &Value) -> Self {
        match value {
            Value::Number(n) => n.as_f64().map_or(Self::Missing, Self::Number),
            Value::String(s) => Self::Text(s.to_lowercase()),
            _ => Self::Missing,
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Self::Number(n) if n.fract() == 0.0 => json!(*n as i64),
            Self::Number(n) => json!(n),
            Self::Text(s) => json!(s),
            Self::Missing => Value::Null,
        }
    }

    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Number(a), Self::Number(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
            (Self::Text(a), Self::Text(b)) => a.cmp(b),
            (Self::Missing, Self::Missing) => Ordering::Equal,
            (Self::Missing, _) => Ordering::Less,
            (_, Self::Missing) => Ordering::Greater,
            (Self::Number(_), Self::Text(_)) => Ordering::Less,
            (Self::Text(_), Self::Number(_)) => Ordering::Greater,
        }
    }
}

fn parse_sort(body: &serde_json::Map<String, Value>) -> ApiResult<Vec<SortKey>> {
    let Some(sort) = body.get("sort") else {
        return Ok(vec![SortKey {
            field: "dateAdded".into(),
            descending: true,
        }]);
    };
    let items = sort
        .as_array()
        .ok_or_else(|| ApiError::bad_request("sort must be an array"))?;
    items
        .iter()
        .map(|item| {
            let field = item
                .get("field")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::bad_request("sort.field must be a string"))?;
            let descending = match item.get("direction").and_then(Value::as_str) {
                Some("asc") | None => false,
                Some("desc") => true,
                Some(other) => {
                    return Err(ApiError::bad_request(format!(
                        "sort.direction must be asc or desc, not {other}"
                    )))
                }
            };
            Ok(SortKey {
                field: field.to_owned(),
                descending,
            })
        })
        .collect()
}

fn compare(a: &Record, b: &Record, keys: &[SortKey]) -> Ordering {
    for key in keys {
        let ord = SortValue::of(a, &key.field).cmp(&SortValue::of(b, &key.field));
        let ord = if key.descending { ord.reverse() } else { ord };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    str_field(a, "id").cmp(&str_field(b, "id"))
}

fn cursor_of(contact: &Record, keys: &[SortKey]) -> Value {
    let mut values: Vec<Value> = keys
        .iter()
        .map(|k| SortValue::of(contact, &k.field).to_json())
        .collect();
    values.push(json!(str_field(contact, "id")));
    Value::Array(values)
}

/// Whether `contact` sorts strictly after the `searchAfter` cursor.
fn after_cursor(contact: &Record, cursor: &[Value], keys: &[SortKey]) -> bool {
    for (key, bound) in keys.iter().zip(cursor) {
        let ord = SortValue::of(contact, &key.field).cmp(&SortValue::from_json(bound));
        let ord = if key.descending { ord.reverse() } else { ord };
        if ord != Ordering::Equal {
            return ord == Ordering::Greater;
        }
    }
    let id = cursor.get(keys.len()).and_then(Value::as_str).unwrap_or("");
    str_field(contact, "id").unwrap_or("") > id
}

/// Evaluates one filter (or nested group) against a contact.
fn matches(contact: &Record, filter: &Value) -> ApiResult<bool> {
    if let Some(group) = filter.get("group").and_then(Value::as_str) {
        let filters = filter
            .get("filters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let results = filters
            .iter()
            .map(|f| matches(contact, f))
            .collect::<ApiResult<Vec<bool>>>()?;
        return match group {
            "AND" => Ok(results.iter().all(|r| *r)),
            "OR" => Ok(results.iter().any(|r| *r)),
            other => Err(ApiError::bad_request(format!(
                "group must be AND or OR, not {other}"
            ))),
        };
    }
    let field = filter
        .get("field")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("filters.field must be a string"))?;
    let operator = filter
        .get("operator")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("filters.operator must be a string"))?;
    let value = filter.get("value");
    let actual = contact.get(field).filter(|v| !v.is_null());
    let text = |v: &Value| match v {
        Value::String(s) => s.to_lowercase(),
        other => other.to_string(),
    };
    let equals = |actual: &Value, wanted: &Value| match actual {
        Value::Array(items) => items.iter().any(|i| text(i) == text(wanted)),
        other => text(other) == text(wanted),
    };
    let contains = |actual: &Value, wanted: &Value| match actual {
        Value::Array(items) => items.iter().any(|i| text(i).contains(&text(wanted))),
        other => text(other).contains(&text(wanted)),
    };
    let need_value = || {
        value.ok_or_else(|| {
            ApiError::bad_request(format!("filters.value is required for {operator}"))
        })
    };
    Ok(match operator {
        "eq" => {
            let wanted = need_value()?;
            actual.is_some_and(|a| equals(a, wanted))
        }
        "not_eq" => {
            let wanted = need_value()?;
            !actual.is_some_and(|a| equals(a, wanted))
        }
        "contains" => {
            let wanted = need_value()?;
            actual.is_some_and(|a| contains(a, wanted))
        }
        "not_contains" => {
            let wanted = need_value()?;
            !actual.is_some_and(|a| contains(a, wanted))
        }
        "exists" => {
            actual.is_some_and(|a| !matches!(a, Value::Array(v) if v.is_empty()) && a != "")
        }
        "not_exists" => {
            !actual.is_some_and(|a| !matches!(a, Value::Array(v) if v.is_empty()) && a != "")
        }
        "range" => {
            let bounds = need_value()?;
            let have = SortValue::of(contact, field);
            let bound = |key: &str| {
                bounds.get(key).map(|b| match b {
                    Value::String(s) if DATE_FIELDS.contains(&field) => {
                        parse_ms(s).map_or(SortValue::Missing, |ms| SortValue::Number(ms as f64))
                    }
                    other => SortValue::from_json(other),
                })
            };
            if have == SortValue::Missing {
                false
            } else {
                bound("gte").is_none_or(|b| have.cmp(&b) != Ordering::Less)
                    && bound("gt").is_none_or(|b| have.cmp(&b) == Ordering::Greater)
                    && bound("lte").is_none_or(|b| have.cmp(&b) != Ordering::Greater)
                    && bound("lt").is_none_or(|b| have.cmp(&b) == Ordering::Less)
            }
        }
        other => {
            return Err(ApiError::bad_request(format!(
                "operator {other} is not supported"
            )))
        }
    })
}

/// `POST /contacts/search`
pub async fn search(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    GhlJson(body): GhlJson<Value>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.readonly")?;
    let body = super::body_object(body)?;
    let location_id = same_location(&grant, body.get("locationId").and_then(Value::as_str))?;
    let page_limit = match body.get("pageLimit") {
        None => 20,
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=SEARCH_PAGE_LIMIT_MAX as u64).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "pageLimit must be a number between 1 and {SEARCH_PAGE_LIMIT_MAX}"
                ))
            })? as usize,
    };
    let query = body.get("query").and_then(Value::as_str).unwrap_or("");
    if query.chars().count() > SEARCH_QUERY_MAX_CHARS {
        return Err(ApiError::bad_request(format!(
            "query must be at most {SEARCH_QUERY_MAX_CHARS} characters"
        )));
    }
    let filters = match body.get("filters") {
        None => Vec::new(),
        Some(Value::Array(f)) => f.clone(),
        Some(_) => return Err(ApiError::bad_request("filters must be an array")),
    };
    let keys = parse_sort(&body)?;
    let cursor = match body.get("searchAfter") {
        None | Some(Value::Null) => None,
        Some(Value::Array(c)) if c.len() == keys.len() + 1 => Some(c.clone()),
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "searchAfter must be an array of {} values: the sort values and the id",
                keys.len() + 1
            )))
        }
    };
    let page = match body.get("page") {
        None => 1,
        Some(v) => v
            .as_u64()
            .filter(|p| *p >= 1)
            .ok_or_else(|| ApiError::bad_request("page must be a positive number"))?
            as usize,
    };
    if cursor.is_none() && page * page_limit > SEARCH_PAGE_WINDOW_MAX {
        return Err(ApiError::bad_request(format!(
            "page and pageLimit reach past the first {SEARCH_PAGE_WINDOW_MAX} records: use searchAfter"
        )));
    }
    let inner = state.lock();
    let mut matching = Vec::new();
    for contact in inner.world.contacts_of(&location_id) {
        let mut keep = matches_query(contact, query);
        for filter in &filters {
            keep = keep && matches(contact, filter)?;
        }
        if keep {
            matching.push(contact);
        }
    }
    matching.sort_by(|a, b| compare(a, b, &keys));
    let total = matching.len();
    let selected: Vec<&Record> = match &cursor {
        Some(c) => matching
            .iter()
            .filter(|r| after_cursor(r, c, &keys))
            .take(page_limit)
            .copied()
            .collect(),
        None => matching
            .iter()
            .skip((page - 1) * page_limit)
            .take(page_limit)
            .copied()
            .collect(),
    };
    let odd = inner.faults.odd_records;
    let contacts: Vec<Value> = selected
        .into_iter()
        .map(|c| search_item(c, cursor_of(c, &keys), odd))
        .collect();
    Ok(Json(json!({ "contacts": contacts, "total": total })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(v: Value) -> Record {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn filters_cover_every_operator_and_groups() {
        let c = contact(
            json!({ "id": "a", "email": "Ada@x.com", "tags": ["vip", "lead"], "dnd": false,
            "dateUpdated": "2025-01-10T00:00:00.000Z", "companyName": "" }),
        );
        let yes = |f: Value| assert!(matches(&c, &f).unwrap(), "{f}");
        let no = |f: Value| assert!(!matches(&c, &f).unwrap(), "{f}");
        yes(json!({ "field": "tags", "operator": "eq", "value": "vip" }));
        no(json!({ "field": "tags", "operator": "eq", "value": "cold" }));
        yes(json!({ "field": "tags", "operator": "not_eq", "value": "cold" }));
        yes(json!({ "field": "email", "operator": "contains", "value": "ada" }));
        yes(json!({ "field": "email", "operator": "not_contains", "value": "bob" }));
        yes(json!({ "field": "email", "operator": "exists" }));
        yes(json!({ "field": "companyName", "operator": "not_exists" }));
        yes(json!({ "field": "dnd", "operator": "eq", "value": false }));
        yes(
            json!({ "field": "dateUpdated", "operator": "range", "value": { "gte": "2025-01-01T00:00:00Z", "lt": "2025-02-01T00:00:00Z" } }),
        );
        yes(
            json!({ "field": "dateUpdated", "operator": "range", "value": { "gt": 1_736_000_000_000_i64 } }),
        );
        no(
            json!({ "field": "dateUpdated", "operator": "range", "value": { "gt": "2025-01-10T00:00:00.000Z" } }),
        );
        yes(json!({ "group": "OR", "filters": [
            { "field": "tags", "operator": "eq", "value": "cold" },
            { "field": "tags", "operator": "eq", "value": "lead" } ] }));
        no(json!({ "group": "AND", "filters": [
            { "field": "tags", "operator": "eq", "value": "cold" },
            { "field": "tags", "operator": "eq", "value": "lead" } ] }));
        assert!(matches(
            &c,
            &json!({ "field": "tags", "operator": "like", "value": "x" })
        )
        .is_err());
    }

    #[test]
    fn cursor_continues_after_equal_timestamps_by_id() {
        let keys = vec![SortKey {
            field: "dateUpdated".into(),
            descending: false,
        }];
        let a = contact(json!({ "id": "a", "dateUpdated": "2025-01-01T00:00:00.000Z" }));
        let b = contact(json!({ "id": "b", "dateUpdated": "2025-01-01T00:00:00.000Z" }));
        let cursor = cursor_of(&a, &keys);
        assert_eq!(cursor, json!([1_735_689_600_000_i64, "a"]));
        let cursor = cursor.as_array().unwrap().clone();
        assert!(!after_cursor(&a, &cursor, &keys));
        assert!(after_cursor(&b, &cursor, &keys));
        assert_eq!(compare(&a, &b, &keys), Ordering::Less);
    }
}
