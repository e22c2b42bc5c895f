//! Notes, tasks, tags and appointments of a contact.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    client::Call,
    models::{Appointment, Note, Task},
    GhlClient, GhlResult,
};

/// A new note.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteInput {
    /// Text (required).
    pub body: String,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
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

#[derive(Deserialize)]
struct NoteEnvelope {
    note: Note,
}

#[derive(Deserialize)]
struct TaskEnvelope {
    task: Task,
}

#[derive(Deserialize)]
struct Tags {
    #[serde(default)]
    tags: Vec<String>,
}

fn to_value<T: Serialize>(input: &T) -> Value {
    serde_json::to_value(input).unwrap_or(Value::Null)
}

impl GhlClient {
    /// `GET /contacts/{id}/notes`
    pub async fn list_notes(&self, contact_id: &str) -> GhlResult<Vec<Note>> {
        #[derive(Deserialize)]
        struct Reply {
            #[serde(default)]
            notes: Vec<Note>,
        }
        let reply: Reply = self
            .send(Call::new(
                Method::GET,
                format!("contacts/{contact_id}/notes"),
            ))
            .await?;
        Ok(reply.notes)
    }

    /// `GET /contacts/{id}/notes/{noteId}`
    pub async fn get_note(&self, contact_id: &str, note_id: &str) -> GhlResult<Note> {
        let reply: NoteEnvelope = self
            .send(Call::new(
                Method::GET,
                format!("contacts/{contact_id}/notes/{note_id}"),
            ))
            .await?;
        Ok(reply.note)
    }

    /// `POST /contacts/{id}/notes` (not retried blindly).
    pub async fn create_note(&self, contact_id: &str, note: &NoteInput) -> GhlResult<Note> {
        let reply: NoteEnvelope = self
            .send(
                Call::new(Method::POST, format!("contacts/{contact_id}/notes"))
                    .json(to_value(note)),
            )
            .await?;
        Ok(reply.note)
    }

    /// `PUT /contacts/{id}/notes/{noteId}`
    pub async fn update_note(
        &self,
        contact_id: &str,
        note_id: &str,
        note: &NoteInput,
    ) -> GhlResult<Note> {
        let reply: NoteEnvelope = self
            .send(
                Call::new(
                    Method::PUT,
                    format!("contacts/{contact_id}/notes/{note_id}"),
                )
                .json(to_value(note)),
            )
            .await?;
        Ok(reply.note)
    }

    /// `DELETE /contacts/{id}/notes/{noteId}`
    pub async fn delete_note(&self, contact_id: &str, note_id: &str) -> GhlResult<()> {
        let _: Value = self
            .send(Call::new(
                Method::DELETE,
                format!("contacts/{contact_id}/notes/{note_id}"),
            ))
            .await?;
        Ok(())
    }

    /// `GET /contacts/{id}/tasks`
    pub async fn list_tasks(&self, contact_id: &str) -> GhlResult<Vec<Task>> {
        #[derive(Deserialize)]
        struct Reply {
            #[serde(default)]
            tasks: Vec<Task>,
        }
        let reply: Reply = self
            .send(Call::new(
                Method::GET,
                format!("contacts/{contact_id}/tasks"),
            ))
            .await?;
        Ok(reply.tasks)
    }

    /// `GET /contacts/{id}/tasks/{taskId}`
    pub async fn get_task(&self, contact_id: &str, task_id: &str) -> GhlResult<Task> {
        let reply: TaskEnvelope = self
            .send(Call::new(
                Method::GET,
                format!("contacts/{contact_id}/tasks/{task_id}"),
            ))
            .await?;
        Ok(reply.task)
    }

    /// `POST /contacts/{id}/tasks` (not retried blindly).
    pub async fn create_task(&self, contact_id: &str, task: &TaskInput) -> GhlResult<Task> {
        let reply: TaskEnvelope = self
            .send(
                Call::new(Method::POST, format!("contacts/{contact_id}/tasks"))
                    .json(to_value(task)),
            )
            .await?;
        Ok(reply.task)
    }

    /// `PUT /contacts/{id}/tasks/{taskId}`
    pub async fn update_task(
        &self,
        contact_id: &str,
        task_id: &str,
        task: &TaskInput,
    ) -> GhlResult<Task> {
        let reply: TaskEnvelope = self
            .send(
                Call::new(
                    Method::PUT,
                    format!("contacts/{contact_id}/tasks/{task_id}"),
                )
                .json(to_value(task)),
            )
            .await?;
        Ok(reply.task)
    }

    /// `PUT /contacts/{id}/tasks/{taskId}/completed`
    pub async fn complete_task(
        &self,
        contact_id: &str,
        task_id: &str,
        completed: bool,
    ) -> GhlResult<Task> {
        let call = Call::new(
            Method::PUT,
            format!("contacts/{contact_id}/tasks/{task_id}/completed"),
        )
        .json(json!({ "completed": completed }));
        let reply: TaskEnvelope = self.send(call).await?;
        Ok(reply.task)
    }

    /// `DELETE /contacts/{id}/tasks/{taskId}`
    pub async fn delete_task(&self, contact_id: &str, task_id: &str) -> GhlResult<()> {
        let _: Value = self
            .send(Call::new(
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
        let reply: Tags = self.send(call).await?;
        Ok(reply.tags)
    }

    /// `DELETE /contacts/{id}/tags` (tags in the body): returns the remaining tags.
    pub async fn remove_tags(&self, contact_id: &str, tags: &[String]) -> GhlResult<Vec<String>> {
        let call = Call::new(Method::DELETE, format!("contacts/{contact_id}/tags"))
            .json(json!({ "tags": tags }));
        let reply: Tags = self.send(call).await?;
        Ok(reply.tags)
    }

    /// `GET /contacts/{id}/appointments`
    pub async fn contact_appointments(&self, contact_id: &str) -> GhlResult<Vec<Appointment>> {
        #[derive(Deserialize)]
        struct Reply {
            #[serde(default)]
            events: Vec<Appointment>,
        }
        let reply: Reply = self
            .send(Call::new(
                Method::GET,
                format!("contacts/{contact_id}/appointments"),
            ))
            .await?;
        Ok(reply.events)
    }
}
