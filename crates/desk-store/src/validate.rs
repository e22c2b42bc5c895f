//! Checks every local edit before it is accepted, so that bad input gets a message next
//! to its field at the point of entry instead of a rejection from GHL later. The app's
//! editor, the CLI and the store all go through these functions.
//!
//! Which fields may be set comes from GHL's official contacts spec: `CreateContactDto`
//! for a new contact and `UpdateContactDto` for a change (which has no `companyName` and
//! no `gender`); tags change through GHL's tags endpoints, never as a field.
//!
//! Length limits: GHL documents none for contacts, notes or tasks, so these are GHL
//! Desk's own, set well above real data and low enough that one bad paste cannot queue
//! megabytes: an email address is at most 254 characters (RFC 5321's path limit), a
//! phone number at most 15 digits (ITU-T E.164), a search query of GHL's at most 75
//! characters (documented for `POST /contacts/search`, applied by the search box). The
//! rest are listed on [`FIELDS`] and the constants below.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{Map, Value};

use crate::error::FieldError;

/// Longest note body.
pub const NOTE_MAX_CHARS: usize = 50_000;
/// Longest task title.
pub const TASK_TITLE_MAX_CHARS: usize = 500;
/// Longest task description.
pub const TASK_BODY_MAX_CHARS: usize = 10_000;
/// Longest tag.
pub const TAG_MAX_CHARS: usize = 100;
/// Most tags one edit (or one new contact) may carry.
pub const TAGS_PER_EDIT_MAX: usize = 100;
/// Longest custom-field value given as text.
pub const CUSTOM_VALUE_MAX_CHARS: usize = 10_000;
/// Most custom-field values one edit may set.
pub const CUSTOM_FIELDS_MAX: usize = 200;

/// What a contact field holds, for checking and normalising it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text of at most this many characters.
    Text(usize),
    /// An email address.
    Email,
    /// A phone number (stored in E.164).
    Phone,
    /// A web address.
    Url,
    /// A calendar date (stored as `YYYY-MM-DD`).
    Date,
    /// On or off.
    Flag,
    /// GHL's do-not-disturb settings object.
    Object,
    /// The contact's tags (new contacts only).
    Tags,
    /// Custom-field values (`[{id, value}]`).
    CustomFields,
}

/// A contact field GHL Desk lets the user set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// GHL's name for it.
    pub name: &'static str,
    /// What it holds.
    pub kind: FieldKind,
    /// Whether a change of an existing contact may set it (`UpdateContactDto`).
    pub on_update: bool,
}

const fn field(name: &'static str, kind: FieldKind, on_update: bool) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        on_update,
    }
}

/// Every contact field a create may set; those with `on_update` a change may set too.
pub const FIELDS: &[FieldSpec] = &[
    field("firstName", FieldKind::Text(255), true),
    field("lastName", FieldKind::Text(255), true),
    field("name", FieldKind::Text(255), true),
    field("email", FieldKind::Email, true),
    field("phone", FieldKind::Phone, true),
    field("companyName", FieldKind::Text(255), false),
    field("address1", FieldKind::Text(500), true),
    field("city", FieldKind::Text(255), true),
    field("state", FieldKind::Text(255), true),
    field("postalCode", FieldKind::Text(32), true),
    field("country", FieldKind::Text(64), true),
    field("website", FieldKind::Url, true),
    field("timezone", FieldKind::Text(64), true),
    field("dateOfBirth", FieldKind::Date, true),
    field("source", FieldKind::Text(255), true),
    field("gender", FieldKind::Text(32), false),
    field("assignedTo", FieldKind::Text(64), true),
    field("dnd", FieldKind::Flag, true),
    field("dndSettings", FieldKind::Object, true),
    field("tags", FieldKind::Tags, false),
    field("customFields", FieldKind::CustomFields, true),
];

/// Whether a contact is being created or changed: a change may set fewer fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactEdit {
    /// A new contact.
    Create,
    /// A change of an existing one.
    Update,
}

/// The spec of a field a `purpose` edit may set.
pub fn field_spec(name: &str, purpose: ContactEdit) -> Option<&'static FieldSpec> {
    FIELDS
        .iter()
        .find(|f| f.name == name && (purpose == ContactEdit::Create || f.on_update))
}

fn error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

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

/// A date as GHL accepts it (`YYYY-MM-DD`, or `MM/DD/YYYY` with `/ - .` separators),
/// checked as a real calendar date and written `YYYY-MM-DD`.
pub fn normalise_date(date: &str) -> Result<String, String> {
    let text = date.trim();
    let iso = NaiveDate::parse_from_str(text, "%Y-%m-%d");
    let us = ["%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok());
    match (iso, us) {
        (Ok(day), _) | (_, Some(day)) if text.len() == 10 => Ok(day.format("%Y-%m-%d").to_string()),
        _ => Err("use a real date like 1990-09-25".into()),
    }
}

/// A date and time with its offset (RFC 3339), checked strictly (no 31 February, no
/// 25:61, nothing after it) and written in UTC with milliseconds, as GHL writes them.
pub fn normalise_datetime(value: &str) -> Result<String, String> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|at| {
            at.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Millis, true)
        })
        .map_err(|_| "use a date and time like 2026-12-01T10:00:00Z".into())
}

/// Refuses control characters (NUL, escape sequences, …); `multiline` text may keep
/// line breaks and tabs, with Windows line ends made plain.
fn plain_text(field: &str, text: &mut String, max: usize, multiline: bool) -> Option<FieldError> {
    if multiline {
        *text = text.replace("\r\n", "\n");
    }
    let allowed = |c: char| multiline && (c == '\n' || c == '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Some(error(
            field,
            "contains control characters; type or paste plain text",
        ));
    }
    let chars = text.chars().count();
    (chars > max).then(|| error(field, format!("at most {max} characters ({chars} now)")))
}

/// Checks and normalises one tag (trimmed, lower-cased as GHL stores tags).
pub fn tag(tag: &str) -> Result<String, FieldError> {
    let mut tag = tag.trim().to_lowercase();
    if tag.is_empty() {
        return Err(error("tags", "a tag cannot be empty"));
    }
    match plain_text("tags", &mut tag, TAG_MAX_CHARS, false) {
        Some(err) => Err(err),
        None => Ok(tag),
    }
}

/// Checks and normalises a list of tags for one edit.
pub fn tags(list: &[String]) -> Result<Vec<String>, Vec<FieldError>> {
    if list.is_empty() {
        return Err(vec![error("tags", "name at least one tag")]);
    }
    if list.len() > TAGS_PER_EDIT_MAX {
        return Err(vec![error(
            "tags",
            format!("at most {TAGS_PER_EDIT_MAX} tags at once"),
        )]);
    }
    let mut out: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for item in list {
        match tag(item) {
            Ok(t) if !out.contains(&t) => out.push(t),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn custom_fields(value: &mut Value) -> Option<FieldError> {
    let name = "customFields";
    let Value::Array(items) = value else {
        return Some(error(name, "custom fields must be a list of {id, value}"));
    };
    if items.len() > CUSTOM_FIELDS_MAX {
        return Some(error(
            name,
            format!("at most {CUSTOM_FIELDS_MAX} custom fields at once"),
        ));
    }
    for item in items.iter_mut() {
        let Some(entry) = item.as_object_mut() else {
            return Some(error(name, "each custom field is {id, value}"));
        };
        if entry
            .get("id")
            .and_then(Value::as_str)
            .is_none_or(|id| id.trim().is_empty())
        {
            return Some(error(name, "each custom field needs its id"));
        }
        let checked = match entry.get_mut("value") {
            Some(Value::String(text)) => plain_text(name, text, CUSTOM_VALUE_MAX_CHARS, true),
            Some(Value::Array(options)) if options.iter().all(Value::is_string) => None,
            Some(Value::Number(_) | Value::Null) | None => None,
            Some(_) => Some(error(
                name,
                "a custom field's value is text, a number or a list",
            )),
        };
        if checked.is_some() {
            return checked;
        }
    }
    None
}

/// Checks and normalises one contact field's value in place.
fn contact_value(spec: &FieldSpec, value: &mut Value) -> Option<FieldError> {
    let name = spec.name;
    if value.is_null() {
        return None;
    }
    match (spec.kind, value) {
        (FieldKind::Text(max), Value::String(text)) => {
            *text = text.trim().to_owned();
            plain_text(name, text, max, false)
        }
        (FieldKind::Email, Value::String(email)) => {
            *email = email.trim().to_owned();
            if email.is_empty() || (email.chars().count() <= 254 && valid_email(email)) {
                None
            } else {
                Some(error(
                    name,
                    "enter a valid email address, like name@example.com",
                ))
            }
        }
        (FieldKind::Phone, Value::String(phone)) if phone.trim().is_empty() => None,
        (FieldKind::Phone, Value::String(phone)) => match normalise_phone(phone) {
            Ok(normal) => {
                *phone = normal;
                None
            }
            Err(message) => Some(error(name, message)),
        },
        (FieldKind::Url, Value::String(url)) => {
            *url = url.trim().to_owned();
            let looks_like_url = url.is_empty()
                || (!url.contains(char::is_whitespace) && url.contains('.') && url.len() <= 2048);
            match plain_text(name, url, 2048, false) {
                Some(err) => Some(err),
                None if looks_like_url => None,
                None => Some(error(name, "enter a web address, like https://example.com")),
            }
        }
        (FieldKind::Date, Value::String(date)) if date.trim().is_empty() => None,
        (FieldKind::Date, Value::String(date)) => match normalise_date(date) {
            Ok(normal) => {
                *date = normal;
                None
            }
            Err(message) => Some(error(name, message)),
        },
        (FieldKind::Flag, Value::Bool(_)) | (FieldKind::Object, Value::Object(_)) => None,
        (FieldKind::Tags, tags_value @ Value::Array(_)) => {
            let list: Option<Vec<String>> = tags_value
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| t.as_str().map(str::to_owned))
                .collect();
            match list.map(|l| tags(&l)) {
                Some(Ok(clean)) => {
                    *tags_value = clean.into();
                    None
                }
                Some(Err(mut errors)) => errors.pop(),
                None => Some(error(name, "tags are text")),
            }
        }
        (FieldKind::CustomFields, list) => custom_fields(list),
        (FieldKind::Flag, _) => Some(error(name, "must be on or off")),
        (FieldKind::Object, _) => Some(error(name, "must be an object")),
        (FieldKind::Tags, _) => Some(error(name, "tags must be a list")),
        (_, _) => Some(error(name, "must be text")),
    }
}

/// The fields a `purpose` edit may set, for messages.
fn editable(purpose: ContactEdit) -> String {
    FIELDS
        .iter()
        .filter(|f| purpose == ContactEdit::Create || f.on_update)
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks and normalises contact fields in place (text trimmed, email trimmed, phone in
/// E.164, dates as `YYYY-MM-DD`, tags lower-cased). Unknown and read-only fields are
/// refused, naming the fields that may be set.
pub fn contact_fields(fields: &mut Map<String, Value>, purpose: ContactEdit) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (name, value) in fields.iter_mut() {
        match field_spec(name, purpose) {
            Some(spec) => errors.extend(contact_value(spec, value)),
            None if name == "tags" => errors.push(error(
                name,
                "change tags with tag add or remove, not as a field",
            )),
            None => errors.push(error(
                name,
                format!(
                    "cannot be {}; these can: {}",
                    if purpose == ContactEdit::Create {
                        "set"
                    } else {
                        "changed"
                    },
                    editable(purpose)
                ),
            )),
        }
    }
    errors
}

/// Checks a note body (line breaks kept).
pub fn note_body(body: &mut String) -> Vec<FieldError> {
    if body.trim().is_empty() {
        return vec![error("body", "a note cannot be empty")];
    }
    plain_text("body", body, NOTE_MAX_CHARS, true)
        .into_iter()
        .collect()
}

/// Checks and normalises task fields (`title`, `body`, `dueDate`, `completed`,
/// `assignedTo`); a new task needs a title and a due date.
pub fn task_fields(fields: &mut Map<String, Value>, creating: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (name, value) in fields.iter_mut() {
        let problem = match (name.as_str(), value) {
            ("title", Value::String(title)) => {
                *title = title.trim().to_owned();
                if title.is_empty() {
                    Some(error(name, "a task needs a title"))
                } else {
                    plain_text(name, title, TASK_TITLE_MAX_CHARS, false)
                }
            }
            ("body", Value::Null) | ("assignedTo", Value::Null) => None,
            ("body", Value::String(body)) => plain_text(name, body, TASK_BODY_MAX_CHARS, true),
            ("assignedTo", Value::String(user)) => plain_text(name, user, 64, false),
            ("dueDate", Value::String(due)) => match normalise_datetime(due) {
                Ok(normal) => {
                    *due = normal;
                    None
                }
                Err(message) => Some(error(name, message)),
            },
            ("completed", Value::Bool(_)) => None,
            ("completed", _) => Some(error(name, "completed must be true or false")),
            ("title" | "dueDate" | "body" | "assignedTo", _) => Some(error(name, "must be text")),
            (other, _) => Some(error(
                other,
                "cannot be set on a task; these can: title, body, dueDate, completed, assignedTo",
            )),
        };
        errors.extend(problem);
    }
    if creating {
        for (name, message) in [
            ("title", "a task needs a title"),
            ("dueDate", "a task needs a due date"),
        ] {
            if !fields.contains_key(name) {
                errors.push(error(name, message));
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn fields_named(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

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
    fn dates_are_real_calendar_dates() {
        assert_eq!(normalise_date("1990-09-25").unwrap(), "1990-09-25");
        assert_eq!(normalise_date("09/25/1990").unwrap(), "1990-09-25");
        for bad in [
            "2026-02-31",
            "1990-13-01",
            "1990-09-25x",
            "yesterday",
            "90-9-25",
        ] {
            assert!(normalise_date(bad).is_err(), "{bad}");
        }
        assert_eq!(
            normalise_datetime("2026-12-01T10:00:00+01:00").unwrap(),
            "2026-12-01T09:00:00.000Z"
        );
        for bad in [
            "2026-02-31T10:00:00Z",
            "2026-12-01T25:61:00Z",
            "2026-12-01T10:00:00Z trailing",
            "2026-12-01",
            "tomorrow",
        ] {
            assert!(normalise_datetime(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn contact_fields_are_normalised_and_errors_name_the_field() {
        let mut fields = map(json!({
            "email": " ada@example.com ", "phone": "512.555.0100", "firstName": " Ada ",
            "dateOfBirth": "09/25/1990", "tags": [" VIP ", "vip"]
        }));
        assert!(contact_fields(&mut fields, ContactEdit::Create).is_empty());
        assert_eq!(fields["email"], "ada@example.com");
        assert_eq!(fields["phone"], "+15125550100");
        assert_eq!(fields["firstName"], "Ada");
        assert_eq!(fields["dateOfBirth"], "1990-09-25");
        assert_eq!(fields["tags"], json!(["vip"]));
        let mut bad =
            map(json!({ "email": "nope", "phone": "12", "tags": ["", "x"], "firstName": 3 }));
        let errors = contact_fields(&mut bad, ContactEdit::Create);
        for f in ["email", "phone", "tags", "firstName"] {
            assert!(fields_named(&errors).contains(&f), "{f}");
        }
    }

    #[test]
    fn unknown_and_read_only_fields_are_refused_naming_what_may_be_set() {
        let mut update = map(
            json!({ "foo": "x", "id": "y", "dateAdded": "z", "companyName": "Acme", "city": "Oslo" }),
        );
        let errors = contact_fields(&mut update, ContactEdit::Update);
        assert_eq!(
            fields_named(&errors),
            ["companyName", "dateAdded", "foo", "id"]
        );
        assert!(errors[0].message.contains("city"), "{}", errors[0].message);
        let mut create = map(json!({ "companyName": "Acme" }));
        assert!(contact_fields(&mut create, ContactEdit::Create).is_empty());
        let mut tags = map(json!({ "tags": ["a"] }));
        assert!(contact_fields(&mut tags, ContactEdit::Update)[0]
            .message
            .contains("tag add"));
    }

    #[test]
    fn control_characters_and_overlong_text_are_refused() {
        for text in ["Ada\u{0}", "Ada\u{1b}[31m", "a\u{7}b", "line\nbreak"] {
            let mut fields = map(json!({ "firstName": text }));
            assert_eq!(
                contact_fields(&mut fields, ContactEdit::Update).len(),
                1,
                "{text:?}"
            );
        }
        let mut long = map(json!({ "city": "x".repeat(256) }));
        assert!(contact_fields(&mut long, ContactEdit::Update)[0]
            .message
            .contains("at most 255"));
        let mut note = "first line\r\nsecond\tline".to_owned();
        assert!(note_body(&mut note).is_empty());
        assert_eq!(note, "first line\nsecond\tline");
        assert!(!note_body(&mut "bad\u{0}".to_owned()).is_empty());
        assert!(!note_body(&mut "x".repeat(NOTE_MAX_CHARS + 1)).is_empty());
        assert!(!note_body(&mut "  ".to_owned()).is_empty());
    }

    #[test]
    fn tag_lists_are_bounded() {
        let many: Vec<String> = (0..=TAGS_PER_EDIT_MAX).map(|i| format!("t{i}")).collect();
        assert!(tags(&many).is_err());
        assert!(tags(&[]).is_err());
        assert!(tags(&["x".repeat(TAG_MAX_CHARS + 1)]).is_err());
        assert_eq!(tags(&["A".into(), "a ".into()]).unwrap(), ["a"]);
    }

    #[test]
    fn tasks() {
        let mut ok = map(json!({ "title": " Call ", "dueDate": "2026-12-01T10:00:00Z" }));
        assert!(task_fields(&mut ok, true).is_empty());
        assert_eq!(ok["title"], "Call");
        assert_eq!(ok["dueDate"], "2026-12-01T10:00:00.000Z");
        let mut missing = Map::new();
        assert_eq!(task_fields(&mut missing, true).len(), 2);
        assert!(task_fields(&mut missing, false).is_empty());
        let mut bad = map(json!({ "title": " ", "dueDate": "tomorrow", "colour": "red" }));
        assert_eq!(task_fields(&mut bad, false).len(), 3);
    }
}
