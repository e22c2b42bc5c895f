//! Every user edit: one store transaction (validated at entry, queued in the outbox,
//! shown at once) and a signal to the background runner that an edit happened, so it
//! is sent soon. Nothing here talks to GHL.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{error::DeskResult, location::Location, ContactQuery};

/// One user edit, as the window sends it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Edit {
    /// A new contact.
    CreateContact {
        /// Its fields.
        #[cfg_attr(feature = "specta", specta(type = std::collections::HashMap<String, specta_typescript::Unknown>))]
        fields: Map<String, Value>,
    },
    /// Changed contact fields (`null` clears one).
    UpdateContact {
        /// The contact.
        id: String,
        /// The fields and their new values.
        #[cfg_attr(feature = "specta", specta(type = std::collections::HashMap<String, specta_typescript::Unknown>))]
        changes: Map<String, Value>,
    },
    /// A contact deleted.
    DeleteContact {
        /// The contact.
        id: String,
    },
    /// Tags added to a contact.
    AddTags {
        /// The contact.
        id: String,
        /// The tags.
        tags: Vec<String>,
    },
    /// Tags removed from a contact.
    RemoveTags {
        /// The contact.
        id: String,
        /// The tags.
        tags: Vec<String>,
    },
    /// A new note on a contact.
    CreateNote {
        /// The contact.
        #[serde(rename = "contactId")]
        contact_id: String,
        /// Its text.
        body: String,
    },
    /// A note's new text.
    UpdateNote {
        /// The note.
        id: String,
        /// Its text.
        body: String,
    },
    /// A note deleted.
    DeleteNote {
        /// The note.
        id: String,
    },
    /// A new task on a contact (`title` and `dueDate` required).
    CreateTask {
        /// The contact.
        #[serde(rename = "contactId")]
        contact_id: String,
        /// Its fields.
        #[cfg_attr(feature = "specta", specta(type = std::collections::HashMap<String, specta_typescript::Unknown>))]
        fields: Map<String, Value>,
    },
    /// Changed task fields.
    UpdateTask {
        /// The task.
        id: String,
        /// The fields and their new values.
        #[cfg_attr(feature = "specta", specta(type = std::collections::HashMap<String, specta_typescript::Unknown>))]
        changes: Map<String, Value>,
    },
    /// A task marked done or open again.
    CompleteTask {
        /// The task.
        id: String,
        /// Done or not.
        completed: bool,
    },
    /// A task deleted.
    DeleteTask {
        /// The task.
        id: String,
    },
    /// Tags added to (`add`) or removed from many contacts.
    BulkTags {
        /// The contacts.
        targets: Targets,
        /// The tags.
        tags: Vec<String>,
        /// Add or remove.
        add: bool,
    },
    /// Many contacts deleted.
    BulkDelete {
        /// The contacts.
        targets: Targets,
    },
}

/// What an edit made: the new record's local id, or how many contacts a bulk edit
/// changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Applied {
    /// The local id of a record the edit created.
    pub id: Option<String>,
    /// Contacts a bulk edit changed.
    pub count: Option<u32>,
}

/// The contacts a bulk edit applies to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Targets {
    /// These contacts.
    Ids {
        /// Their ids.
        ids: Vec<String>,
    },
    /// Every contact the query matches (search and filters; its paging is ignored).
    Matching {
        /// The list's query.
        query: ContactQuery,
    },
}

impl Location {
    /// Creates a contact offline; returns its local id (notes and tasks can be added
    /// under it at once).
    pub fn create_contact(&self, fields: Map<String, Value>) -> DeskResult<String> {
        self.writable()?;
        self.edit(|store| store.create_contact(fields))
    }

    /// Changes contact fields (`null` clears one).
    pub fn update_contact(&self, id: &str, changes: Map<String, Value>) -> DeskResult<()> {
        self.writable()?;
        self.edit(|store| store.update_contact(id, changes))
    }

    /// Deletes a contact (and, in GHL, its notes and tasks).
    pub fn delete_contact(&self, id: &str) -> DeskResult<()> {
        self.writable()?;
        self.edit(|store| store.delete_contact(id))
    }

    /// Adds tags to a contact.
    pub fn add_tags(&self, id: &str, tags: &[String]) -> DeskResult<()> {
        self.writable()?;
        self.edit(|store| store.add_tags(id, tags))
    }

    /// Removes tags from a contact.
    pub fn remove_tags(&self, id: &str, tags: &[String]) -> DeskResult<()> {
        self.writable()?;
        self.edit(|store| store.remove_tags(id, tags))
    }

    /// Adds a note to a contact; returns its local id.
    pub fn create_note(
        &self,
        contact_id: &str,
        body: &str,
        title: Option<&str>,
    ) -> DeskResult<String> {
        self.writable()?;
        self.edit(|store| store.create_note(contact_id, body, title))
    }

    /// Changes a note's text.
    pub fn update_note(&self, id: &str, body: &str) -> DeskResult<()> {
        self.writable()?;
        self.edit(|store| store.update_note(id, body))
    }

    /// Deletes a note.
    pub fn delete_note(&self, id: &str) -> DeskResult<()> {
        self.writable()?;
        self.edit(|store| store.delete_note(id))
    }

    /// Adds a task to a contact (`title` and `dueDate` required); returns its local id.
    pub fn create_task(&self, contact_id: &str, fields: Map<String, Value>) -> DeskResult<String> {
        self.writable()?;
        self.edit(|store| store.create_task(contact_id, fields))
    }

    /// Changes task fields (`title`, `body`, `dueDate`, `completed`, `assignedTo`).
    pub fn update_task(&self, id: &str, changes: Map<String, Value>) -> DeskResult<()> {
        self.writable()?;
        self.edit(|store| store.update_task(id, changes))
    }

    /// Marks a task done, or open again.
    pub fn complete_task(&self, id: &str, completed: bool) -> DeskResult<()> {
        self.writable()?;
        self.edit(|store| store.complete_task(id, completed))
    }

    /// Deletes a task.
    pub fn delete_task(&self, id: &str) -> DeskResult<()> {
        self.writable()?;
        self.edit(|store| store.delete_task(id))
    }

    /// Applies one edit.
    pub fn apply(&self, edit: Edit) -> DeskResult<Applied> {
        let made = |id: String| Applied {
            id: Some(id),
            count: None,
        };
        let counted = |n: u32| Applied {
            id: None,
            count: Some(n),
        };
        let done = |()| Applied::default();
        match edit {
            Edit::CreateContact { fields } => self.create_contact(fields).map(made),
            Edit::UpdateContact { id, changes } => self.update_contact(&id, changes).map(done),
            Edit::DeleteContact { id } => self.delete_contact(&id).map(done),
            Edit::AddTags { id, tags } => self.add_tags(&id, &tags).map(done),
            Edit::RemoveTags { id, tags } => self.remove_tags(&id, &tags).map(done),
            Edit::CreateNote { contact_id, body } => {
                self.create_note(&contact_id, &body, None).map(made)
            }
            Edit::UpdateNote { id, body } => self.update_note(&id, &body).map(done),
            Edit::DeleteNote { id } => self.delete_note(&id).map(done),
            Edit::CreateTask { contact_id, fields } => {
                self.create_task(&contact_id, fields).map(made)
            }
            Edit::UpdateTask { id, changes } => self.update_task(&id, changes).map(done),
            Edit::CompleteTask { id, completed } => self.complete_task(&id, completed).map(done),
            Edit::DeleteTask { id } => self.delete_task(&id).map(done),
            Edit::BulkTags { targets, tags, add } => {
                self.bulk_tags(&targets, &tags, add).map(counted)
            }
            Edit::BulkDelete { targets } => self.bulk_delete(&targets).map(counted),
        }
    }

    /// The ids bulk edits of `targets` apply to.
    fn target_ids(&self, targets: &Targets) -> DeskResult<Vec<String>> {
        match targets {
            Targets::Ids { ids } => Ok(ids.clone()),
            Targets::Matching { query } => self.read(|store| store.matching_contact_ids(query)),
        }
    }

    /// Tags (`add`) or untags many contacts, each an ordinary queued change; returns
    /// how many changed.
    pub fn bulk_tags(&self, targets: &Targets, tags: &[String], add: bool) -> DeskResult<u32> {
        self.writable()?;
        let ids = self.target_ids(targets)?;
        self.edit(|store| store.bulk_tags(&ids, tags, add))
    }

    /// Deletes many contacts, each an ordinary queued deletion; returns how many.
    pub fn bulk_delete(&self, targets: &Targets) -> DeskResult<u32> {
        self.writable()?;
        let ids = self.target_ids(targets)?;
        self.edit(|store| store.bulk_delete(&ids))
    }

    /// How many contacts `targets` names (what a confirmation says before a bulk edit).
    pub fn count_targets(&self, targets: &Targets) -> DeskResult<u32> {
        match targets {
            Targets::Ids { ids } => Ok(u32::try_from(ids.len()).unwrap_or(u32::MAX)),
            Targets::Matching { query } => Ok(self
                .read(|store| {
                    store.list_contacts(&ContactQuery {
                        limit: 1,
                        offset: 0,
                        ..query.clone()
                    })
                })?
                .total),
        }
    }
}
