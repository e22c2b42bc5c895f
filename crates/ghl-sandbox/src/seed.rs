//! Deterministic, realistic seed data: the same seed always gives the same world.
//!
//! One agency with three locations; the first gets the requested number of contacts and
//! the others a tenth each. Contacts come with companies, businesses, tags, custom
//! fields, notes, tasks and appointments. As in real accounts, bulk imports and bulk
//! edits leave many contacts sharing one `dateAdded` or `dateUpdated`.

use std::collections::HashMap;

use chrono::Duration;
use rand::{seq::IndexedRandom, Rng};
use serde_json::{json, Value};

use crate::world::{
    from_ms, iso, refresh_contact_derived, Company, IdGen, Location, Record, World,
};

/// What to seed.
#[derive(Debug, Clone, Copy)]
pub struct SeedConfig {
    /// Seed of every random choice.
    pub seed: u64,
    /// Contacts of the first location.
    pub contacts: usize,
}

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Lisa",
    "Daniel",
    "Nancy",
    "Matthew",
    "Betty",
    "Anthony",
    "Sandra",
    "Mark",
    "Margaret",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Andrew",
    "Emily",
    "Paul",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "George",
    "Deborah",
    "Timothy",
    "Stephanie",
    "Ronald",
    "Rebecca",
    "Jason",
    "Sharon",
    "Edward",
    "Laura",
    "Jeffrey",
    "Cynthia",
    "Ryan",
    "Amy",
    "Jacob",
    "Kathleen",
    "Gary",
    "Angela",
    "Nicholas",
    "Shirley",
    "Eric",
    "Brenda",
    "Jonathan",
    "Emma",
    "Stephen",
    "Anna",
    "Larry",
    "Pamela",
    "Justin",
    "Nicole",
    "Scott",
    "Samantha",
    "Brandon",
    "Katherine",
    "Sofia",
    "Mateo",
    "Aisha",
    "Wei",
    "Priya",
    "Hiroshi",
    "Fatima",
    "Lucas",
    "Chloé",
    "Zoë",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Patel",
    "Kim",
    "Chen",
    "O'Brien",
    "Müller",
    "Kowalski",
    "Okafor",
    "Yamamoto",
    "Haddad",
    "Schmidt",
    "Novak",
    "Costa",
    "Silva",
    "Ivanova",
];
const COMPANIES: &[&str] = &[
    "Acme Dental Group",
    "Blue Ridge Realty",
    "Summit Fitness",
    "Harbor Law LLP",
    "Cedar Roofing",
    "Brightside Pediatrics",
    "Evergreen Landscaping",
    "Northstar Insurance",
    "Pinecrest Plumbing",
    "Lakeside Chiropractic",
    "Redwood Capital",
    "Silverline Auto",
    "Oak & Iron Builders",
    "Golden Gate Med Spa",
    "Riverbend Vet Clinic",
    "Keystone Accounting",
    "Bayview Dermatology",
    "Maple Street Bakery",
    "Ironclad Security",
    "Sunrise Solar",
];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "icloud.com",
    "proton.me",
];
const CITIES: &[(&str, &str, &str, &str)] = &[
    ("Austin", "TX", "78701", "America/Chicago"),
    ("Denver", "CO", "80202", "America/Denver"),
    ("Seattle", "WA", "98101", "America/Los_Angeles"),
    ("Miami", "FL", "33130", "America/New_York"),
    ("Chicago", "IL", "60601", "America/Chicago"),
    ("Phoenix", "AZ", "85004", "America/Phoenix"),
    ("Boston", "MA", "02108", "America/New_York"),
    ("Atlanta", "GA", "30303", "America/New_York"),
    ("Portland", "OR", "97204", "America/Los_Angeles"),
    ("Nashville", "TN", "37203", "America/Chicago"),
];
const STREETS: &[&str] = &[
    "Main St", "Oak Ave", "Maple Dr", "Pine Rd", "Cedar Ln", "Elm St",
];
const TAGS: &[&str] = &[
    "lead",
    "customer",
    "vip",
    "newsletter",
    "webinar-2025",
    "referral",
    "facebook-ad",
    "google-ad",
    "cold",
    "hot",
    "follow-up",
    "no-show",
    "churned",
    "trial",
    "partner",
];
const SOURCES: &[&str] = &[
    "website form",
    "facebook",
    "google ads",
    "referral",
    "import",
    "walk-in",
];
const NOTE_BODIES: &[&str] = &[
    "Called {first}; interested in the premium package, wants a quote by Friday.",
    "Left a voicemail for {first}. Try again next week.",
    "{first} asked about financing options. Sent the brochure by email.",
    "Met {first} at the open house. Very engaged, has two friends who may also sign up.",
    "{first} rescheduled the consultation; prefers mornings.",
    "Payment received. {first} confirmed the start date.",
    "{first} reported an issue with the last invoice; forwarded to billing.",
];
const TASK_TITLES: &[&str] = &[
    "Call {first} back",
    "Send proposal to {first}",
    "Follow up on quote",
    "Confirm appointment with {first}",
    "Collect signed agreement",
    "Check in after first visit",
];
const CALENDARS: &[&str] = &["Consultations", "Follow-up calls", "Site visits"];
const APPOINTMENT_STATUSES: &[&str] = &["confirmed", "showed", "noshow", "cancelled", "new"];
const LOCATION_NAMES: &[(&str, &str)] = &[
    ("Northwind Dental", "120 Harbor Blvd, Austin, TX 78701"),
    ("Northwind Fitness", "48 Summit Way, Denver, CO 80202"),
    ("Northwind Realty", "9 Lake Shore Dr, Chicago, IL 60601"),
];

/// 2024-01-01T00:00:00Z: seeded records are added from here on.
const EPOCH_MS: i64 = 1_704_067_200_000;
/// 2026-06-30T00:00:00Z: no seeded record is newer.
const HORIZON_MS: i64 = 1_782_777_600_000;

/// Builds the world for `config`.
pub fn seed(config: SeedConfig) -> World {
    let mut ids = IdGen::new(config.seed);
    let company = Company {
        id: ids.alnum(20),
        name: "Northwind Agency".into(),
    };
    let mut world = World {
        companies: vec![company.clone()],
        locations: Vec::new(),
        contacts: HashMap::new(),
        notes: HashMap::new(),
        tasks: HashMap::new(),
        events: Vec::new(),
        calendars: Vec::new(),
        ids: IdGen::new(config.seed.wrapping_add(1)),
    };
    for (index, (name, address)) in LOCATION_NAMES.iter().enumerate() {
        let location = Location {
            id: ids.alnum(20),
            company_id: company.id.clone(),
            name: (*name).into(),
            address: (*address).into(),
            allow_duplicates: false,
            users: (0..4).map(|_| ids.hex24()).collect(),
            custom_fields: (0..3).map(|_| ids.alnum(20)).collect(),
        };
        let count = if index == 0 {
            config.contacts
        } else {
            config.contacts / 10
        };
        seed_location(&mut world, &mut ids, &location, count);
        world.locations.push(location);
    }
    world
}

fn seed_location(world: &mut World, ids: &mut IdGen, location: &Location, count: usize) {
    let group_id = ids.alnum(20);
    let calendar_ids: Vec<String> = CALENDARS
        .iter()
        .map(|name| {
            let id = ids.alnum(20);
            world.calendars.push(calendar(
                &id,
                &location.id,
                &group_id,
                name,
                &location.users,
            ));
            id
        })
        .collect();
    let businesses: Vec<String> = (0..(count / 25).max(1)).map(|_| ids.hex24()).collect();
    let bulk_updates: Vec<i64> = (0..5)
        .map(|_| ids.rng().random_range(HORIZON_MS - 90 * DAY_MS..HORIZON_MS))
        .collect();
    let mut email_uses: HashMap<String, usize> = HashMap::new();
    let mut added = EPOCH_MS;
    let mut import_left = 0usize;
    for i in 0..count {
        // Imports add a run of contacts with one timestamp; otherwise contacts trickle in.
        if import_left > 0 {
            import_left -= 1;
        } else {
            added += ids.rng().random_range(1..(40 * MINUTE_MS));
            if ids.rng().random_bool(0.03) {
                import_left = ids.rng().random_range(20..60);
            }
        }
        added = added.min(HORIZON_MS - DAY_MS);
        let rng_updated = if ids.rng().random_bool(0.25) {
            *bulk_updates.choose(ids.rng()).unwrap_or(&added)
        } else {
            added + ids.rng().random_range(0..(HORIZON_MS - added))
        };
        let updated = rng_updated.max(added);
        let contact = contact(
            ids,
            location,
            i,
            added,
            updated,
            &businesses,
            &mut email_uses,
        );
        let contact_id = contact["id"].as_str().unwrap_or_default().to_owned();
        let first = contact["firstName"].as_str().unwrap_or_default().to_owned();
        let full = format!(
            "{first} {}",
            contact["lastName"].as_str().unwrap_or_default()
        );
        seed_children(
            world,
            ids,
            location,
            &contact_id,
            &first,
            &full,
            added,
            &calendar_ids,
            &group_id,
        );
        world.contacts.insert(contact_id, contact);
    }
}

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;

fn contact(
    ids: &mut IdGen,
    location: &Location,
    index: usize,
    added: i64,
    updated: i64,
    businesses: &[String],
    email_uses: &mut HashMap<String, usize>,
) -> Record {
    let first = *FIRST.choose(ids.rng()).unwrap_or(&"Alex");
    let last = *LAST.choose(ids.rng()).unwrap_or(&"Doe");
    let local: String = format!("{first}.{last}")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let uses = email_uses.entry(local.clone()).or_default();
    *uses += 1;
    let suffix = if *uses == 1 {
        String::new()
    } else {
        uses.to_string()
    };
    let domain = *DOMAINS.choose(ids.rng()).unwrap_or(&"gmail.com");
    let email = format!("{local}{suffix}@{domain}");
    let (city, state, postal, tz) = *CITIES.choose(ids.rng()).unwrap_or(&CITIES[0]);
    let area = [512, 303, 206, 305, 312, 602, 617, 404, 503, 615][index % 10];
    let phone = format!(
        "+1{area}{:07}",
        2_000_000 + (index as u64 * 7919) % 8_000_000
    );
    let tag_count = ids.rng().random_range(0..=3);
    let mut tags: Vec<String> = TAGS
        .choose_multiple(ids.rng(), tag_count)
        .map(|t| (*t).to_owned())
        .collect();
    tags.sort();
    let mut contact = json!({
        "id": ids.id(),
        "locationId": location.id,
        "firstName": first,
        "lastName": last,
        "email": email,
        "phone": phone,
        "timezone": tz,
        "dnd": ids.rng().random_bool(0.05),
        "type": if ids.rng().random_bool(0.3) { "customer" } else { "lead" },
        "source": *SOURCES.choose(ids.rng()).unwrap_or(&"import"),
        "address1": format!("{} {}", ids.rng().random_range(1..9999), STREETS.choose(ids.rng()).unwrap_or(&"Main St")),
        "city": city,
        "state": state,
        "country": "US",
        "postalCode": postal,
        "tags": tags,
        "dateAdded": iso(from_ms(added)),
        "dateUpdated": iso(from_ms(updated)),
        "customFields": [],
        "additionalEmails": [],
        "followers": [],
    });
    let record = contact.as_object_mut().expect("json! builds an object");
    if ids.rng().random_bool(0.6) {
        record.insert(
            "companyName".into(),
            (*COMPANIES.choose(ids.rng()).unwrap_or(&"")).into(),
        );
    }
    if ids.rng().random_bool(0.3) {
        record.insert(
            "businessId".into(),
            businesses
                .choose(ids.rng())
                .cloned()
                .unwrap_or_default()
                .into(),
        );
    }
    if ids.rng().random_bool(0.5) {
        record.insert(
            "assignedTo".into(),
            location
                .users
                .choose(ids.rng())
                .cloned()
                .unwrap_or_default()
                .into(),
        );
    }
    if ids.rng().random_bool(0.2) {
        let domain = local.replace('.', "");
        record.insert(
            "website".into(),
            format!("https://{domain}.example.com").into(),
        );
    }
    if ids.rng().random_bool(0.3) {
        let (y, m, d) = (
            ids.rng().random_range(1950..2004),
            ids.rng().random_range(1..=12),
            ids.rng().random_range(1..=28),
        );
        record.insert("dateOfBirth".into(), format!("{y:04}-{m:02}-{d:02}").into());
    }
    let mut fields: Vec<Value> = Vec::new();
    for (n, id) in location.custom_fields.iter().enumerate() {
        if !ids.rng().random_bool(0.4) {
            continue;
        }
        fields.push(match n {
            0 => json!({ "id": id, "value": (["Website", "Referral", "Event"][index % 3]) }),
            1 => json!({ "id": id, "value": ids.rng().random_range(100..5000).to_string() }),
            _ => json!({ "id": id, "value": format!("Member #{:05}", index) }),
        });
    }
    record.insert("customFields".into(), fields.into());
    refresh_contact_derived(record);
    contact.as_object().cloned().unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn seed_children(
    world: &mut World,
    ids: &mut IdGen,
    location: &Location,
    contact_id: &str,
    first: &str,
    full: &str,
    added: i64,
    calendar_ids: &[String],
    group_id: &str,
) {
    let after = |ids: &mut IdGen| added + ids.rng().random_range(0..(HORIZON_MS - added).max(1));
    let notes: Vec<Record> = (0..ids.rng().random_range(0..=4))
        .map(|_| {
            let body = NOTE_BODIES
                .choose(ids.rng())
                .unwrap_or(&"")
                .replace("{first}", first);
            let mut note = json!({
                "id": ids.id(),
                "body": body,
                "userId": location.users.choose(ids.rng()).cloned().unwrap_or_default(),
                "dateAdded": iso(from_ms(after(ids))),
                "contactId": contact_id,
                "pinned": ids.rng().random_bool(0.1),
            });
            if ids.rng().random_bool(0.3) {
                note["title"] = "Call summary".into();
                note["color"] = "#FFAA00".into();
            }
            note.as_object().cloned().unwrap_or_default()
        })
        .collect();
    let tasks: Vec<Record> = (0..ids.rng().random_range(0..=3))
        .map(|_| {
            let title = TASK_TITLES
                .choose(ids.rng())
                .unwrap_or(&"")
                .replace("{first}", first);
            let created = after(ids);
            let due = created + ids.rng().random_range(DAY_MS..30 * DAY_MS);
            json!({
                "id": ids.id(),
                "title": title,
                "body": format!("Regarding {full}."),
                "assignedTo": location.users.choose(ids.rng()).cloned().unwrap_or_default(),
                "dueDate": iso(from_ms(due)),
                "completed": due < HORIZON_MS - 10 * DAY_MS && ids.rng().random_bool(0.6),
                "contactId": contact_id,
                "locationId": location.id,
                "dateAdded": iso(from_ms(created)),
            })
            .as_object()
            .cloned()
            .unwrap_or_default()
        })
        .collect();
    if ids.rng().random_bool(0.35) {
        for _ in 0..ids.rng().random_range(1..=2) {
            let start = after(ids) / (30 * MINUTE_MS) * (30 * MINUTE_MS);
            let calendar_index = ids.rng().random_range(0..calendar_ids.len());
            let user = location
                .users
                .choose(ids.rng())
                .cloned()
                .unwrap_or_default();
            let status = *APPOINTMENT_STATUSES
                .choose(ids.rng())
                .unwrap_or(&"confirmed");
            world.events.push(appointment(
                ids,
                location,
                contact_id,
                full,
                start,
                &calendar_ids[calendar_index],
                CALENDARS[calendar_index],
                group_id,
                &user,
                status,
            ));
        }
    }
    if !notes.is_empty() {
        world.notes.insert(contact_id.to_owned(), notes);
    }
    if !tasks.is_empty() {
        world.tasks.insert(contact_id.to_owned(), tasks);
    }
}

/// An appointment as GHL's calendar events carry it.
#[allow(clippy::too_many_arguments)]
pub fn appointment(
    ids: &mut IdGen,
    location: &Location,
    contact_id: &str,
    contact_name: &str,
    start_ms: i64,
    calendar_id: &str,
    calendar_name: &str,
    group_id: &str,
    user: &str,
    status: &str,
) -> Record {
    let offset =
        chrono::FixedOffset::west_opt(5 * 3600).unwrap_or(chrono::Offset::fix(&chrono::Utc));
    let start = from_ms(start_ms).with_timezone(&offset);
    let end = start + Duration::minutes(30);
    json!({
        "id": ids.id(),
        "title": format!("{calendar_name}: {contact_name}"),
        "calendarId": calendar_id,
        "locationId": location.id,
        "contactId": contact_id,
        "groupId": group_id,
        "appointmentStatus": status,
        "status": status,
        "assignedUserId": user,
        "users": [user],
        "notes": "",
        "address": "",
        "isRecurring": false,
        "startTime": start.to_rfc3339(),
        "endTime": end.to_rfc3339(),
        "dateAdded": iso(from_ms(start_ms - 7 * DAY_MS)),
        "dateUpdated": iso(from_ms(start_ms - 7 * DAY_MS)),
        "assignedResources": [],
        "createdBy": { "userId": user, "source": "booking_widget" },
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

fn calendar(id: &str, location_id: &str, group_id: &str, name: &str, users: &[String]) -> Record {
    let slug = name.to_lowercase().replace(' ', "-");
    json!({
        "id": id,
        "locationId": location_id,
        "groupId": group_id,
        "name": name,
        "description": format!("{name} with our team"),
        "slug": slug,
        "widgetSlug": slug,
        "calendarType": "round_robin",
        "widgetType": "classic",
        "eventTitle": "{{contact.name}}",
        "eventColor": "#039be5",
        "isActive": true,
        "slotDuration": 30,
        "slotDurationUnit": "mins",
        "slotInterval": 30,
        "slotIntervalUnit": "mins",
        "teamMembers": users.iter().map(|u| json!({ "userId": u, "priority": 0.5, "meetingLocationType": "custom", "isPrimary": false })).collect::<Vec<_>>(),
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::{ms_field, str_field};

    #[test]
    fn the_same_seed_gives_the_same_world() {
        let a = seed(SeedConfig {
            seed: 42,
            contacts: 300,
        });
        let b = seed(SeedConfig {
            seed: 42,
            contacts: 300,
        });
        let c = seed(SeedConfig {
            seed: 43,
            contacts: 300,
        });
        let ids = |w: &World| {
            let mut v: Vec<_> = w.contacts.keys().cloned().collect();
            v.sort();
            v
        };
        assert_eq!(ids(&a), ids(&b));
        assert_ne!(ids(&a), ids(&c));
        assert_eq!(a.events.len(), b.events.len());
    }

    #[test]
    fn seeds_the_requested_size_with_children_and_shared_timestamps() {
        let world = seed(SeedConfig {
            seed: 1,
            contacts: 1000,
        });
        let first = &world.locations[0].id;
        assert_eq!(world.contacts_of(first).count(), 1000);
        assert_eq!(world.contacts_of(&world.locations[1].id).count(), 100);
        assert!(world.notes.values().map(Vec::len).sum::<usize>() > 1000);
        assert!(world.tasks.values().map(Vec::len).sum::<usize>() > 800);
        assert!(world.events.len() > 300);
        let mut per_updated: HashMap<i64, usize> = HashMap::new();
        for c in world.contacts_of(first) {
            *per_updated.entry(ms_field(c, "dateUpdated")).or_default() += 1;
            assert!(ms_field(c, "dateUpdated") >= ms_field(c, "dateAdded"));
        }
        assert!(
            per_updated.values().any(|n| *n >= 20),
            "no bulk-updated group"
        );
    }

    #[test]
    fn emails_and_phones_are_unique_within_a_location() {
        let world = seed(SeedConfig {
            seed: 9,
            contacts: 2000,
        });
        let first = &world.locations[0].id;
        let mut emails = std::collections::HashSet::new();
        let mut phones = std::collections::HashSet::new();
        for c in world.contacts_of(first) {
            assert!(emails.insert(str_field(c, "email").unwrap().to_owned()));
            assert!(phones.insert(str_field(c, "phone").unwrap().to_owned()));
        }
    }
}
