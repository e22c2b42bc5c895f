//! Every user edit: one store transaction (validated at entry, queued in the outbox,
//! shown at once) and a signal to the background runner that an edit happened, so it
//! is sent soon. Nothing here talks to GHL.

use serde_json::{Map, Value};

use crate::{error::DeskResult, location::Location};

impl Location {
    /// Creates a contact offline; returns its local id (notes and tasks can be added
    /// under it at once).
    pub fn create_contact(&self, fields: Map<String, Value>) -> DeskResult<String> {
        self.edit(|store| store.create_contact(fields))
    }

    /// Changes contact fields (`null` clears one).
    pub fn update_contact(&self, id: &str, changes: Map<String, Value>) -> DeskResult<()> {
        self.edit(|store| store.update_contact(id, changes))
    }

    /// Deletes a contact (and, in GHL, its notes and tasks).
    pub fn delete_contact(&self, id: &str) -> DeskResult<()> {
        self.edit(|store| store.delete_contact(id))
    }

    /// Adds tags to a contact.
    pub fn add_tags(&self, id: &str, tags: &[String]) -> DeskResult<()> {
        self.edit(|store| store.add_tags(id, tags))
    }

    /// Removes tags from a contact.
    pub fn remove_tags(&self, id: &str, tags: &[String]) -> DeskResult<()> {
        self.edit(|store| store.remove_tags(id, tags))
    }

    /// Adds a note to a contact; returns its local id.
    pub fn create_note(
        &self,
        contact_id: &str,
        body: &str,
        title: Option<&str>,
    ) -> DeskResult<String> {
        self.edit(|store| store.create_note(contact_id, body, title))
    }

    /// Changes a note's text.
    pub fn update_note(&self, id: &str, body: &str) -> DeskResult<()> {
        self.edit(|store| store.update_note(id, body))
    }

    /// Deletes a note.
    pub fn delete_note(&self, id: &str) -> DeskResult<()> {
        self.edit(|store| store.delete_note(id))
    }

    /// Adds a task to a contact (`title` and `dueDate` required); returns its local id.
    pub fn create_task(&self, contact_id: &str, fields: Map<String, Value>) -> DeskResult<String> {
        self.edit(|store| store.create_task(contact_id, fields))
    }

    /// Changes task fields (`title`, `body`, `dueDate`, `completed`, `assignedTo`).
    pub fn update_task(&self, id: &str, changes: Map<String, Value>) -> DeskResult<()> {
        self.edit(|store| store.update_task(id, changes))
    }

    /// Marks a task done, or open again.
    pub fn complete_task(&self, id: &str, completed: bool) -> DeskResult<()> {
        self.edit(|store| store.complete_task(id, completed))
    }

    /// Deletes a task.
    pub fn delete_task(&self, id: &str) -> DeskResult<()> {
        self.edit(|store| store.delete_task(id))
    }
}
