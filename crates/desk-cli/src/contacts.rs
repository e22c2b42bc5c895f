//! `contacts` (browse the cache), `contact` (queue a change) and `tag`.

use desk::{ContactQuery, ContactSort, Desk, DeskError, DeskResult, ErrorKind};
use serde_json::{json, Map, Value};

use crate::{
    args::{ContactCommand, ContactsCommand, TagCommand},
    output::Out,
};

/// `key=value` pairs as fields (`key=` clears the field).
pub fn parse_fields(pairs: &[String]) -> DeskResult<Map<String, Value>> {
    pairs
        .iter()
        .map(|pair| {
            let (key, value) = pair.split_once('=').ok_or_else(|| {
                DeskError::new(ErrorKind::Invalid, format!("'{pair}' is not key=value"))
            })?;
            let value = if value.is_empty() {
                Value::Null
            } else {
                Value::String(value.to_owned())
            };
            Ok((key.to_owned(), value))
        })
        .collect()
}

/// Browses the cache.
pub fn contacts(desk: &Desk, out: &Out, command: &ContactsCommand) -> DeskResult<u8> {
    let location = desk.location()?;
    let query = match command {
        ContactsCommand::List { limit, sort } => ContactQuery {
            limit: *limit,
            sort: match sort.as_str() {
                "added" => ContactSort::DateAdded,
                "updated" => ContactSort::DateUpdated,
                _ => ContactSort::Name,
            },
            ..ContactQuery::default()
        },
        ContactsCommand::Search { text } => ContactQuery {
            search: Some(text.clone()),
            limit: 100,
            ..ContactQuery::default()
        },
        ContactsCommand::Show { id } => {
            let detail = location.contact_detail(id)?;
            out.print(&json!(detail), || {
                let c = &detail.contact;
                format!(
                    "{} {} <{}> {}\ntags: {}\nnotes: {}\ntasks: {}\nappointments: {}",
                    c.first_name.as_deref().unwrap_or(""),
                    c.last_name.as_deref().unwrap_or(""),
                    c.email.as_deref().unwrap_or(""),
                    c.phone.as_deref().unwrap_or(""),
                    c.tags.join(", "),
                    detail.notes.len(),
                    detail.tasks.len(),
                    detail.appointments.len()
                )
            });
            return Ok(0);
        }
    };
    let page = location.list_contacts(&query)?;
    out.print(&page, || {
        let mut lines: Vec<String> = page
            .rows
            .iter()
            .map(|c| {
                format!(
                    "{}  {} {}  {}",
                    c.id,
                    c.first_name.as_deref().unwrap_or(""),
                    c.last_name.as_deref().unwrap_or(""),
                    c.email.as_deref().unwrap_or("")
                )
            })
            .collect();
        lines.push(format!("{} of {}", page.rows.len(), page.total));
        lines.join("\n")
    });
    Ok(0)
}

/// Queues a contact change.
pub fn contact(desk: &Desk, out: &Out, command: &ContactCommand) -> DeskResult<u8> {
    let location = desk.location()?;
    let (id, said) = match command {
        ContactCommand::Create { fields } => {
            let id = location.create_contact(parse_fields(fields)?)?;
            (id.clone(), format!("queued new contact {id}"))
        }
        ContactCommand::Update { id, fields } => {
            location.update_contact(id, parse_fields(fields)?)?;
            (id.clone(), format!("queued changes to {id}"))
        }
        ContactCommand::Delete { id } => {
            location.delete_contact(id)?;
            (id.clone(), format!("queued deletion of {id}"))
        }
    };
    out.print(&json!({ "id": id }), || said);
    Ok(0)
}

/// Queues a tag change.
pub fn tag(desk: &Desk, out: &Out, command: &TagCommand) -> DeskResult<u8> {
    let location = desk.location()?;
    let contact = match command {
        TagCommand::Add { contact, tags } => {
            location.add_tags(contact, tags)?;
            contact
        }
        TagCommand::Remove { contact, tags } => {
            location.remove_tags(contact, tags)?;
            contact
        }
    };
    out.print(&json!({ "id": contact }), || {
        format!("queued tag change for {contact}")
    });
    Ok(0)
}
