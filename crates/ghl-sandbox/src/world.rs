//! The sandbox's data: companies, locations, contacts and their notes, tasks and
//! appointments, kept as GHL's JSON objects so that every field (known or not) is
//! answered exactly as stored.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

/// One GHL object (contact, note, task, event, calendar) as JSON.
pub type Record = Map<String, Value>;

/// An agency (GHL "company") owning locations.
#[derive(Debug, Clone)]
pub struct Company {
    /// GHL company id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// A sub-account (GHL "location").
#[derive(Debug, Clone)]
pub struct Location {
    /// GHL location id.
    pub id: String,
    /// The owning company.
    pub company_id: String,
    /// Display name.
    pub name: String,
    /// Street address, shown by `installedLocations`.
    pub address: String,
    /// The location's "Allow Duplicate Contact" setting.
    pub allow_duplicates: bool,
    /// Ids of the location's users (task assignees, note authors, calendar owners).
    pub users: Vec<String>,
    /// Ids of the location's custom fields.
    pub custom_fields: Vec<String>,
}

/// Everything the sandbox stores.
#[derive(Debug)]
pub struct World {
    /// Agencies.
    pub companies: Vec<Company>,
    /// Locations, in creation order.
    pub locations: Vec<Location>,
    /// Contacts by id.
    pub contacts: HashMap<String, Record>,
    /// Notes by contact id, oldest first.
    pub notes: HashMap<String, Vec<Record>>,
    /// Tasks by contact id, oldest first.
    pub tasks: HashMap<String, Vec<Record>>,
    /// Appointments (calendar events) of every location.
    pub events: Vec<Record>,
    /// Calendars of every location.
    pub calendars: Vec<Record>,
    /// Makes the ids of records created at run time.
    pub ids: IdGen,
}

impl World {
    /// The location with id `id`.
    pub fn location(&self, id: &str) -> Option<&Location> {
        self.locations.iter().find(|l| l.id == id)
    }

    /// The contacts of one location.
    pub fn contacts_of<'a>(&'a self, location_id: &'a str) -> impl Iterator<Item = &'a Record> {
        self.contacts
            .values()
            .filter(move |c| str_field(c, "locationId") == Some(location_id))
    }

    /// Removes a contact with everything hanging off it.
    pub fn remove_contact(&mut self, id: &str) -> Option<Record> {
        let contact = self.contacts.remove(id)?;
        self.notes.remove(id);
        self.tasks.remove(id);
        self.events
            .retain(|e| str_field(e, "contactId") != Some(id));
        Some(contact)
    }
}

/// Random ids in GHL's shapes, from a seeded generator so that runs repeat.
#[derive(Debug)]
pub struct IdGen {
    rng: ChaCha8Rng,
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl IdGen {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// A 20-character alphanumeric id, like GHL's contact, note and task ids.
    pub fn id(&mut self) -> String {
        self.alnum(20)
    }

    /// `len` alphanumeric characters.
    pub fn alnum(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| ALNUM[self.rng.random_range(0..ALNUM.len())] as char)
            .collect()
    }

    /// A 24-digit hex id, like GHL's business and user ids.
    pub fn hex24(&mut self) -> String {
        (0..24)
            .map(|_| char::from_digit(self.rng.random_range(0..16), 16).unwrap_or('0'))
            .collect()
    }

    /// The generator itself, for seeding decisions.
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }
}

/// A timestamp as GHL writes it: ISO 8601, UTC, milliseconds (`2021-07-02T05:18:26.704Z`).
pub fn iso(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Milliseconds since the epoch of an ISO 8601 timestamp.
pub fn parse_ms(value: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// The time `ms` milliseconds after the epoch.
pub fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// A string field of a record.
pub fn str_field<'a>(record: &'a Record, key: &str) -> Option<&'a str> {
    record.get(key).and_then(Value::as_str)
}

/// A timestamp field of a record, in epoch milliseconds (0 when absent).
pub fn ms_field(record: &Record, key: &str) -> i64 {
    str_field(record, key).and_then(parse_ms).unwrap_or(0)
}

/// Recomputes the lower-cased search fields GHL derives from a contact's name and email.
pub fn refresh_contact_derived(contact: &mut Record) {
    let lower = |key: &str, c: &Record| str_field(c, key).map(str::to_lowercase);
    let first = lower("firstName", contact);
    let last = lower("lastName", contact);
    let email = lower("email", contact);
    let full = match (&first, &last) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (Some(f), None) => Some(f.clone()),
        (None, Some(l)) => Some(l.clone()),
        (None, None) => None,
    };
    for (key, value) in [
        ("firstNameLowerCase", first),
        ("lastNameLowerCase", last),
        ("fullNameLowerCase", full),
        ("emailLowerCase", email),
    ] {
        match value {
            Some(v) => contact.insert(key.into(), Value::String(v)),
            None => contact.remove(key),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_ghl_shapes_and_repeat_for_a_seed() {
        let mut a = IdGen::new(7);
        let mut b = IdGen::new(7);
        let id = a.id();
        assert_eq!(id.len(), 20);
        assert!(id.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(id, b.id());
        let hex = a.hex24();
        assert_eq!(hex.len(), 24);
        assert!(hex.bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn timestamps_round_trip_with_milliseconds() {
        let t = from_ms(1_625_203_106_704);
        assert_eq!(iso(t), "2021-07-02T05:18:26.704Z");
        assert_eq!(
            parse_ms("2021-07-02T05:18:26.704Z"),
            Some(1_625_203_106_704)
        );
        assert_eq!(
            parse_ms("2023-09-25T16:00:00+05:30"),
            Some(1_695_637_800_000)
        );
    }

    #[test]
    fn derived_name_fields_follow_the_name() {
        let mut c = Record::new();
        c.insert("firstName".into(), "Ada".into());
        c.insert("lastName".into(), "Lovelace".into());
        c.insert("email".into(), "Ada@Example.com".into());
        refresh_contact_derived(&mut c);
        assert_eq!(str_field(&c, "fullNameLowerCase"), Some("ada lovelace"));
        assert_eq!(str_field(&c, "emailLowerCase"), Some("ada@example.com"));
        c.remove("lastName");
        refresh_contact_derived(&mut c);
        assert_eq!(str_field(&c, "fullNameLowerCase"), Some("ada"));
        assert!(c.get("lastNameLowerCase").is_none());
    }
}
