//! Checks a local edit before it is accepted, so that bad input gets a message next to
//! its field instead of a rejection from GHL later.

use serde_json::{Map, Value};

use crate::error::FieldError;

/// Longest note GHL Desk accepts.
pub const NOTE_MAX_CHARS: usize = 10_000;
/// Longest task title.
pub const TASK_TITLE_MAX_CHARS: usize = 500;

/// Whether `email` is a plausible address (one `@`, a dotted domain, no spaces).
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.chars().any(char::is_whitespace)
}

/// A phone number in E.164 where that can be done without guessing a country: numbers
/// written with `+` keep their country code; 10-digit numbers and 11-digit numbers
/// starting with 1 are taken as North American (+1), as GHL's own default does. Anything
/// else is refused with a request for the country code.
pub fn normalise_phone(phone: &str) -> Result<String, String> {
    let trimmed = phone.trim();
    if trimmed
        .chars()
        .any(|c| !(c.is_ascii_digit() || " +-().".contains(c)))
    {
        return Err("a phone number may only contain digits, spaces, +, -, ( and )".into());
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if trimmed.starts_with('+') {
        return if (8..=15).contains(&digits.len()) {
            Ok(format!("+{digits}"))
        } else {
            Err("an international number has 8 to 15 digits".into())
        };
    }
    match digits.len() {
        10 => Ok(format!("+1{digits}")),
        11 if digits.starts_with('1') => Ok(format!("+{digits}")),
        _ => Err("add the country code, e.g. +44 20 7946 0958".into()),
    }
}

/// Validates and normalises contact fields in place (email trimmed, phone in E.164).
pub fn contact_fields(fields: &mut Map<String, Value>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: &str| {
        errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        })
    };
    for (key, value) in fields.iter_mut() {
        match (key.as_str(), value) {
            (_, Value::Null) => {}
            ("email", Value::String(email)) => {
                *email = email.trim().to_owned();
                if !email.is_empty() && !valid_email(email) {
                    err(
                        "email",
                        "enter a valid email address, like name@example.com",
                    );
                }
            }
            ("phone", Value::String(phone)) => {
                if !phone.trim().is_empty() {
                    match normalise_phone(phone) {
                        Ok(normal) => *phone = normal,
                        Err(message) => err("phone", &message),
                    }
                }
            }
            ("tags", Value::Array(tags)) => {
                if tags
                    .iter()
                    .any(|t| t.as_str().is_none_or(|s| s.trim().is_empty()))
                {
                    err("tags", "tags must be non-empty text");
                }
            }
            ("tags", _) => err("tags", "tags must be a list"),
            ("customFields", Value::Array(_)) | ("dnd", Value::Bool(_)) => {}
            ("customFields", _) => err("customFields", "custom fields must be a list"),
            ("dnd", _) => err("dnd", "do-not-disturb must be on or off"),
            (_, Value::String(_)) => {}
            (field, _) => err(field, "must be text"),
        }
    }
    errors
}

/// Validates a note body.
pub fn note_body(body: &str) -> Vec<FieldError> {
    let chars = body.chars().count();
    let message = if body.trim().is_empty() {
        Some("a note cannot be empty".to_owned())
    } else if chars > NOTE_MAX_CHARS {
        Some(format!(
            "a note can have at most {NOTE_MAX_CHARS} characters ({chars} now)"
        ))
    } else {
        None
    };
    message
        .into_iter()
        .map(|message| FieldError {
            field: "body".into(),
            message,
        })
        .collect()
}

/// Validates task fields that are present (`title`, `dueDate`, `completed`).
pub fn task_fields(fields: &Map<String, Value>, creating: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.into(),
            message,
        })
    };
    match fields.get("title") {
        Some(Value::String(t)) if t.trim().is_empty() => {
            err("title", "a task needs a title".into())
        }
        Some(Value::String(t)) if t.chars().count() > TASK_TITLE_MAX_CHARS => err(
            "title",
            format!("a title can have at most {TASK_TITLE_MAX_CHARS} characters"),
        ),
        Some(Value::String(_)) => {}
        None if !creating => {}
        _ => err("title", "a task needs a title".into()),
    }
    match fields.get("dueDate") {
        Some(Value::String(d)) if is_iso_datetime(d) => {}
        None if !creating => {}
        Some(Value::String(_)) => err(
            "dueDate",
            "use a date and time like 2026-12-01T10:00:00Z".into(),
        ),
        _ => err("dueDate", "a task needs a due date".into()),
    }
    if fields.get("completed").is_some_and(|c| !c.is_boolean()) {
        err("completed", "completed must be true or false".into());
    }
    errors
}

/// `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)`.
fn is_iso_datetime(value: &str) -> bool {
    let bytes = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    if bytes.len() < 17
        || !digits(0..4)
        || bytes[4] != b'-'
        || !digits(5..7)
        || bytes[7] != b'-'
        || !digits(8..10)
        || bytes[10] != b'T'
        || !digits(11..13)
        || bytes[13] != b':'
        || !digits(14..16)
    {
        return false;
    }
    let month: u32 = value[5..7].parse().unwrap_or(0);
    let day: u32 = value[8..10].parse().unwrap_or(0);
    let rest = &value[16..];
    let zone_ok = rest.ends_with('Z')
        || rest.len() >= 6 && matches!(rest.as_bytes()[rest.len() - 6], b'+' | b'-');
    (1..=12).contains(&month) && (1..=31).contains(&day) && zone_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn emails() {
        assert!(valid_email("ada@example.com"));
        for bad in [
            "ada",
            "ada@",
            "@x.com",
            "a b@x.com",
            "a@x",
            "a@x..com",
            "a@@x.com",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn phones_normalise_to_e164_without_guessing() {
        assert_eq!(normalise_phone("(512) 555-0100").unwrap(), "+15125550100");
        assert_eq!(normalise_phone("1-512-555-0100").unwrap(), "+15125550100");
        assert_eq!(
            normalise_phone("+44 20 7946 0958").unwrap(),
            "+442079460958"
        );
        assert!(
            normalise_phone("020 7946 0958").is_err(),
            "ambiguous without a country code"
        );
        assert!(normalise_phone("call me").is_err());
        assert!(normalise_phone("+12").is_err());
    }

    #[test]
    fn contact_fields_are_normalised_and_errors_name_the_field() {
        let mut fields =
            json!({ "email": " ada@example.com ", "phone": "512.555.0100", "firstName": "Ada" })
                .as_object()
                .unwrap()
                .clone();
        assert!(contact_fields(&mut fields).is_empty());
        assert_eq!(fields["email"], "ada@example.com");
        assert_eq!(fields["phone"], "+15125550100");
        let mut bad = json!({ "email": "nope", "phone": "12", "tags": ["", "x"], "firstName": 3 })
            .as_object()
            .unwrap()
            .clone();
        let fields: Vec<String> = contact_fields(&mut bad)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields.len(), 4);
        for f in ["email", "phone", "tags", "firstName"] {
            assert!(fields.contains(&f.to_owned()), "{f}");
        }
    }

    #[test]
    fn notes_and_tasks() {
        assert!(note_body("hi").is_empty());
        assert_eq!(note_body("  ")[0].field, "body");
        assert!(!note_body(&"x".repeat(NOTE_MAX_CHARS + 1)).is_empty());
        let ok = json!({ "title": "Call", "dueDate": "2026-12-01T10:00:00Z" })
            .as_object()
            .unwrap()
            .clone();
        assert!(task_fields(&ok, true).is_empty());
        let offset = json!({ "dueDate": "2026-12-01T10:00:00.000+05:30" })
            .as_object()
            .unwrap()
            .clone();
        assert!(task_fields(&offset, false).is_empty());
        let missing = json!({}).as_object().unwrap().clone();
        assert_eq!(task_fields(&missing, true).len(), 2);
        assert!(task_fields(&missing, false).is_empty());
        let bad = json!({ "title": " ", "dueDate": "tomorrow" })
            .as_object()
            .unwrap()
            .clone();
        assert_eq!(task_fields(&bad, false).len(), 2);
    }
}
