//! `note` and `task`: changes to a contact's notes and tasks.

use desk::{Desk, DeskResult};
use serde_json::{json, Map, Value};

use crate::{
    args::{Body, NoteCommand, TaskCommand},
    output::Out,
    secrets::read_text,
};

fn text(body: &Body) -> DeskResult<String> {
    match (&body.body, &body.body_file) {
        (_, Some(path)) => read_text(path),
        (Some(text), None) => Ok(text.clone()),
        (None, None) => Ok(String::new()),
    }
}

/// Queues a note change.
pub fn note(desk: &Desk, out: &Out, command: &NoteCommand) -> DeskResult<u8> {
    let location = desk.location()?;
    let id = match command {
        NoteCommand::Add { contact, body } => location.create_note(contact, &text(body)?, None)?,
        NoteCommand::Edit { id, body } => {
            location.update_note(id, &text(body)?)?;
            id.clone()
        }
        NoteCommand::Delete { id } => {
            location.delete_note(id)?;
            id.clone()
        }
    };
    out.print(&json!({ "id": id }), || format!("queued note change {id}"));
    Ok(0)
}

/// Queues a task change.
pub fn task(desk: &Desk, out: &Out, command: &TaskCommand) -> DeskResult<u8> {
    let location = desk.location()?;
    let id = match command {
        TaskCommand::Add {
            contact,
            title,
            due,
        } => {
            let mut fields = Map::new();
            fields.insert("title".into(), Value::String(title.clone()));
            fields.insert("dueDate".into(), Value::String(due.clone()));
            location.create_task(contact, fields)?
        }
        TaskCommand::Edit { id, title, due } => {
            let mut changes = Map::new();
            if let Some(title) = title {
                changes.insert("title".into(), title.clone().into());
            }
            if let Some(due) = due {
                changes.insert("dueDate".into(), due.clone().into());
            }
            location.update_task(id, changes)?;
            id.clone()
        }
        TaskCommand::Complete { id } => {
            location.complete_task(id, true)?;
            id.clone()
        }
        TaskCommand::Reopen { id } => {
            location.complete_task(id, false)?;
            id.clone()
        }
        TaskCommand::Delete { id } => {
            location.delete_task(id)?;
            id.clone()
        }
    };
    out.print(&json!({ "id": id }), || format!("queued task change {id}"));
    Ok(0)
}
