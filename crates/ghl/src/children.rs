//! Notes, tasks, tags and appointments of a contact. Lists are read record by record
//! through [`crate::fields`]: one record that cannot be read is reported, not fatal.

use reqwest::Method;
use serde::Serialize;
use serde_json::{json, Value};

use crate::{
    client::{take, take_list, Call},
    fields::{read_child, read_children, ChildKind, Listed, Record},
    GhlClient, GhlError, GhlResult,
};

/// A new note, or a note's new text.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteInput {
    /// Text (required).
    pub body: String,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A new task or a task's full editable state. GHL's update needs `title` and
/// `dueDate` in practice, so updates send them too.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskInput {
    /// Title (required).
    pub title: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Due date, ISO 8601 (required).
    pub due_date: String,
    /// Done or not.
    pub completed: bool,
    /// Assignee.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
}

fn to_value<T: Serialize>(input: &T) -> Value {
    serde_json::to_value(input).unwrap_or(Value::Null)
}

/// The record of an answer that must carry one (`{"note": {…}}`); for a create, an
/// answer that names none leaves the outcome unknown.
fn one(kind: ChildKind, answer: Value, key: &str, created: bool) -> GhlResult<Record> {
    read_child(kind, take(answer, key)).map_err(|skipped| {
        if created {
            GhlError::OutcomeUnknown(format!(
                "HighLevel accepted the new {key}, but its answer could not be read: {skipped}"
            ))
        } else {
            GhlError::Decode(skipped.to_string())
        }
    })
}

impl GhlClient {
    /// `GET /contacts/{id}/notes`
    pub async fn list_notes(&self, contact_id: &str) -> GhlResult<Listed<Record>> {
        let answer = self
            .send(Call::new(
                Method::GET,
                format!("contacts/{contact_id}/notes"),
            ))
            .await?;
        Ok(read_children(ChildKind::Note, take_list(answer, "notes")))
    }

    /// `POST /contacts/{id}/notes` (not retried blindly).
    pub async fn create_note(&self, contact_id: &str, note: &NoteInput) -> GhlResult<Record> {
        let answer = self
            .send(
                Call::new(Method::POST, format!("contacts/{contact_id}/notes"))
                    .json(to_value(note)),
            )
            .await?;
        one(ChildKind::Note, answer, "note", true)
    }

    /// `PUT /contacts/{id}/notes/{noteId}`
    pub async fn update_note(
        &self,
        contact_id: &str,
        note_id: &str,
        note: &NoteInput,
    ) -> GhlResult<Record> {
        let answer = self
            .send(
                Call::new(
                    Method::PUT,
                    format!("contacts/{contact_id}/notes/{note_id}"),
                )
                .json(to_value(note)),
            )
            .await?;
        one(ChildKind::Note, answer, "note", false)
    }

    /// `DELETE /contacts/{id}/notes/{noteId}`
    pub async fn delete_note(&self, contact_id: &str, note_id: &str) -> GhlResult<()> {
        self.send(Call::new(
            Method::DELETE,
            format!("contacts/{contact_id}/notes/{note_id}"),
        ))
        .await?;
        Ok(())
    }

    /// `GET /contacts/{id}/tasks`
    pub async fn list_tasks(&self, contact_id: &str) -> GhlResult<Listed<Record>> {
        let answer = self
            .send(Call::new(
                Method::GET,
                format!("contacts/{contact_id}/tasks"),
            ))
            .await?;
        Ok(read_children(ChildKind::Task, take_list(answer, "tasks")))
    }

    /// `POST /contacts/{id}/tasks` (not retried blindly).
    pub async fn create_task(&self, contact_id: &str, task: &TaskInput) -> GhlResult<Record> {
        let answer = self
            .send(
                Call::new(Method::POST, format!("contacts/{contact_id}/tasks"))
                    .json(to_value(task)),
            )
            .await?;
        one(ChildKind::Task, answer, "task", true)
    }

    /// `PUT /contacts/{id}/tasks/{taskId}`
    pub async fn update_task(
        &self,
        contact_id: &str,
        task_id: &str,
        task: &TaskInput,
    ) -> GhlResult<Record> {
        let answer = self
            .send(
                Call::new(
                    Method::PUT,
                    format!("contacts/{contact_id}/tasks/{task_id}"),
                )
                .json(to_value(task)),
            )
            .await?;
        one(ChildKind::Task, answer, "task", false)
    }

    /// `PUT /contacts/{id}/tasks/{taskId}/completed`
    pub async fn complete_task(
        &self,
        contact_id: &str,
        task_id: &str,
        completed: bool,
    ) -> GhlResult<Record> {
        let call = Call::new(
            Method::PUT,
            format!("contacts/{contact_id}/tasks/{task_id}/completed"),
        )
        .json(json!({ "completed": completed }));
        one(ChildKind::Task, self.send(call).await?, "task", false)
    }

    /// `DELETE /contacts/{id}/tasks/{taskId}`
    pub async fn delete_task(&self, contact_id: &str, task_id: &str) -> GhlResult<()> {
        self.send(Call::new(
            Method::DELETE,
            format!("contacts/{contact_id}/tasks/{task_id}"),
        ))
        .await?;
        Ok(())
    }

    /// `POST /contacts/{id}/tags`: adds tags, returns all tags. Safe to repeat.
    pub async fn add_tags(&self, contact_id: &str, tags: &[String]) -> GhlResult<Vec<String>> {
        let call = Call::new(Method::POST, format!("contacts/{contact_id}/tags"))
            .json(json!({ "tags": tags }))
            .idempotent();
        Ok(tag_list(self.send(call).await?))
    }

    /// `DELETE /contacts/{id}/tags` (tags in the body): returns the remaining tags.
    pub async fn remove_tags(&self, contact_id: &str, tags: &[String]) -> GhlResult<Vec<String>> {
        let call = Call::new(Method::DELETE, format!("contacts/{contact_id}/tags"))
            .json(json!({ "tags": tags }));
        Ok(tag_list(self.send(call).await?))
    }

    /// `GET /contacts/{id}/appointments`
    pub async fn contact_appointments(&self, contact_id: &str) -> GhlResult<Listed<Record>> {
        let answer = self
            .send(Call::new(
                Method::GET,
                format!("contacts/{contact_id}/appointments"),
            ))
            .await?;
        Ok(read_children(
            ChildKind::Appointment,
            take_list(answer, "events"),
        ))
    }
}

/// The tags of a tags answer, skipping anything that is not text.
fn tag_list(answer: Value) -> Vec<String> {
    take_list(answer, "tags")
        .into_iter()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect()
}
