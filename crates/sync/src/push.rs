//! Pushing the outbox: each record's operations in order, parents before children (the
//! store holds a child back until its parent has a GHL id), with GHL's answer recorded
//! atomically. A create whose outcome is unknown (timeout, dropped connection, 5xx, or
//! GHL's "422 but created") is looked up before anything is sent again, so nothing is
//! created twice. Failures are classified: retry later, stop (offline, sign-in), or
//! rejected for the user; a rejected operation holds back only its own record.

use std::{
    collections::HashSet,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use futures_util::{stream, StreamExt};

use desk_store::{
    model::{Entity, OpKind, OutboxOp},
    Ack, Store,
};
use ghl::{GhlClient, GhlError, NoteInput, TaskInput};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use crate::{
    error::SyncError,
    progress::{Phase, Reporter},
};

/// What sending one operation came to.
enum Outcome {
    Done(Ack),
    /// Try again after this long.
    Later(String, Duration),
    /// GHL refused it; the user decides.
    Rejected(String),
    /// Stop pushing altogether (offline, sign-in needed, budget spent).
    Stop(SyncError),
}

/// Counts of one push.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushCounts {
    /// Operations GHL acknowledged.
    pub pushed: u64,
    /// Operations GHL refused.
    pub rejected: u64,
    /// Operations put back for later.
    pub deferred: u64,
}

fn backoff(attempts: i64) -> Duration {
    Duration::from_secs((5u64 << attempts.clamp(0, 8) as u64).min(1800))
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn classify(err: GhlError, attempts: i64) -> Outcome {
    match err {
        GhlError::Offline(_)
        | GhlError::Timeout
        | GhlError::Unauthorized(_)
        | GhlError::DailyBudgetExhausted => Outcome::Stop(err.into()),
        GhlError::RateLimited | GhlError::Server { .. } | GhlError::OutcomeUnknown(_) => {
            Outcome::Later(err.to_string(), backoff(attempts))
        }
        GhlError::Rejected { messages, .. } => Outcome::Rejected(messages.join("; ")),
        other => Outcome::Rejected(other.to_string()),
    }
}

fn string(fields: &Map<String, Value>, key: &str) -> Option<String> {
    fields.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Looks for a contact a create may already have made (by email, then phone).
async fn find_created_contact(
    client: &GhlClient,
    fields: &Map<String, Value>,
) -> Result<Option<Value>, GhlError> {
    let (email, phone) = (string(fields, "email"), string(fields, "phone"));
    if email.is_none() && phone.is_none() {
        return Ok(None);
    }
    Ok(client
        .find_duplicate(email.as_deref(), phone.as_deref())
        .await?
        .map(|c| to_value(&c)))
}

/// Looks for a note or task a create may already have made, by matching its text among
/// the contact's children that the store does not know yet.
async fn find_created_child(
    store: &mut Store,
    client: &GhlClient,
    entity: Entity,
    parent: &str,
    fields: &Map<String, Value>,
) -> Result<Option<Value>, SyncError> {
    let known: Vec<String> = match store.contact_detail(parent) {
        Ok(detail) if entity == Entity::Note => detail.notes.into_iter().map(|n| n.id).collect(),
        Ok(detail) => detail.tasks.into_iter().map(|t| t.id).collect(),
        Err(_) => Vec::new(),
    };
    let candidates: Vec<Value> = if entity == Entity::Note {
        client
            .list_notes(parent)
            .await?
            .iter()
            .map(to_value)
            .collect()
    } else {
        client
            .list_tasks(parent)
            .await?
            .iter()
            .map(to_value)
            .collect()
    };
    let key = if entity == Entity::Note {
        "body"
    } else {
        "title"
    };
    Ok(candidates.into_iter().find(|c| {
        c["id"]
            .as_str()
            .is_some_and(|id| !known.iter().any(|k| k == id))
            && c[key] == fields.get(key).cloned().unwrap_or(Value::Null)
    }))
}

fn task_input(fields: &Map<String, Value>) -> TaskInput {
    TaskInput {
        title: string(fields, "title").unwrap_or_default(),
        body: string(fields, "body"),
        due_date: string(fields, "dueDate").unwrap_or_default(),
        completed: fields
            .get("completed")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        assigned_to: string(fields, "assignedTo"),
    }
}

/// What an operation needs from the store before it leaves: the task as it stands,
/// since GHL's task update wants the whole task.
fn prepare(store: &Store, op: &OutboxOp) -> Map<String, Value> {
    if op.entity == Entity::Task && op.op == OpKind::Update {
        store
            .child_raw(Entity::Task, &op.entity_id)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default()
    } else {
        Map::new()
    }
}

/// Sends one operation to GHL, without touching the store (so that several can be in
/// flight at once).
async fn send(
    client: &GhlClient,
    op: &OutboxOp,
    current: &Map<String, Value>,
) -> Result<Ack, GhlError> {
    let fields: Map<String, Value> = op.payload["fields"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let values: Map<String, Value> = fields
        .iter()
        .map(|(k, change)| (k.clone(), change["value"].clone()))
        .collect();
    let parent = op.parent_id.clone().unwrap_or_default();
    match (op.entity, op.op) {
        (Entity::Contact, OpKind::Create) => client
            .create_contact(&fields)
            .await
            .map(|c| Ack::Record(to_value(&c))),
        (Entity::Contact, OpKind::Update) => client
            .update_contact(&op.entity_id, &values)
            .await
            .map(|c| Ack::Record(to_value(&c))),
        (Entity::Contact, OpKind::Tags) => {
            let list = |key: &str| -> Vec<String> {
                op.payload[key]
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (add, remove) = (list("add"), list("remove"));
            let mut tags = None;
            if !add.is_empty() {
                tags = Some(client.add_tags(&op.entity_id, &add).await?);
            }
            if !remove.is_empty() {
                tags = Some(client.remove_tags(&op.entity_id, &remove).await?);
            }
            Ok(Ack::Tags(tags.unwrap_or_default()))
        }
        (Entity::Contact | Entity::Note | Entity::Task, OpKind::Delete) => {
            let deleted = match op.entity {
                Entity::Contact => client.delete_contact(&op.entity_id).await,
                Entity::Note => client.delete_note(&parent, &op.entity_id).await,
                Entity::Task => client.delete_task(&parent, &op.entity_id).await,
            };
            match deleted {
                Ok(()) | Err(GhlError::NotFound(_)) => Ok(Ack::Deleted),
                Err(e) => Err(e),
            }
        }
        (Entity::Note, OpKind::Create) => {
            let input = NoteInput {
                body: string(&fields, "body").unwrap_or_default(),
                title: string(&fields, "title"),
                user_id: None,
            };
            client
                .create_note(&parent, &input)
                .await
                .map(|n| Ack::Record(to_value(&n)))
        }
        (Entity::Note, OpKind::Update) => {
            let input = NoteInput {
                body: string(&values, "body").unwrap_or_default(),
                title: string(&values, "title"),
                user_id: None,
            };
            client
                .update_note(&parent, &op.entity_id, &input)
                .await
                .map(|n| Ack::Record(to_value(&n)))
        }
        (Entity::Task, OpKind::Create) => client
            .create_task(&parent, &task_input(&fields))
            .await
            .map(|t| Ack::Record(to_value(&t))),
        (Entity::Task, OpKind::Update) => {
            if values.len() == 1 && values.contains_key("completed") {
                let done = values["completed"].as_bool().unwrap_or(false);
                client
                    .complete_task(&parent, &op.entity_id, done)
                    .await
                    .map(|t| Ack::Record(to_value(&t)))
            } else {
                client
                    .update_task(&parent, &op.entity_id, &task_input(current))
                    .await
                    .map(|t| Ack::Record(to_value(&t)))
            }
        }
        (entity, kind) => Err(GhlError::Config(format!(
            "cannot send {kind:?} of a {entity:?}"
        ))),
    }
}

/// Whether GHL may have made the record although the answer said otherwise: a create
/// whose outcome is unknown, or a contact create answered 422 (GHL sometimes creates
/// and still refuses).
fn maybe_created(op: &OutboxOp, err: &GhlError) -> bool {
    op.op == OpKind::Create
        && match err {
            GhlError::OutcomeUnknown(_) => true,
            GhlError::Rejected { status: 422, .. } => op.entity == Entity::Contact,
            _ => false,
        }
}

/// Turns GHL's answer into an outcome, looking up an uncertain create before believing
/// that it failed.
async fn settle(
    store: &mut Store,
    client: &GhlClient,
    op: &OutboxOp,
    result: Result<Ack, GhlError>,
) -> Outcome {
    let result = match result {
        Err(err) if maybe_created(op, &err) => {
            let fields: Map<String, Value> = op.payload["fields"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let found = match op.entity {
                Entity::Contact => find_created_contact(client, &fields)
                    .await
                    .map_err(SyncError::from),
                child => {
                    let parent = op.parent_id.clone().unwrap_or_default();
                    find_created_child(store, client, child, &parent, &fields).await
                }
            };
            match found {
                Ok(Some(record)) => Ok(Ack::Record(record)),
                _ => Err(err),
            }
        }
        other => other,
    };
    match result {
        Ok(ack) => Outcome::Done(ack),
        Err(GhlError::NotFound(message)) => {
            Outcome::Rejected(format!("No longer in HighLevel: {message}"))
        }
        Err(err) => classify(err, op.attempts),
    }
}

/// Sends every ready operation, round after round (a created contact releases its
/// notes and tasks for the next round), until nothing is ready. Within a round, one
/// operation per record is in flight and independent records go concurrently.
pub async fn outbox(
    store: &mut Store,
    client: &GhlClient,
    now: impl Fn() -> i64,
    reporter: &Reporter<'_>,
    cancel: &CancellationToken,
) -> Result<PushCounts, SyncError> {
    let mut counts = PushCounts::default();
    let total = u64::from(store.outbox_counts()?.pending);
    let stop = AtomicBool::new(false);
    let mut stopped: Option<SyncError> = None;
    loop {
        let ready = store.ready_ops(now())?;
        // A child waits for a round in which its contact has nothing in flight.
        let busy: HashSet<String> = ready
            .iter()
            .filter(|op| op.entity == Entity::Contact)
            .map(|op| op.entity_id.clone())
            .collect();
        let round: Vec<(OutboxOp, Map<String, Value>)> = ready
            .into_iter()
            .filter(|op| {
                op.entity == Entity::Contact
                    || !op.parent_id.as_ref().is_some_and(|p| busy.contains(p))
            })
            .map(|op| {
                let current = prepare(store, &op);
                (op, current)
            })
            .collect();
        if round.is_empty() {
            return Ok(counts);
        }
        if cancel.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
        let seqs: Vec<i64> = round.iter().map(|(op, _)| op.seq).collect();
        store.begin_sends(&seqs)?;
        let (stop, cancel) = (&stop, cancel);
        let mut answers = stream::iter(round.into_iter().map(|(op, current)| async move {
            if stop.load(Ordering::SeqCst) || cancel.is_cancelled() {
                return (op, None);
            }
            let result = send(client, &op, &current).await;
            (op, Some(result))
        }))
        .buffer_unordered(crate::IN_FLIGHT);
        while let Some((op, result)) = answers.next().await {
            let Some(result) = result else {
                // Never left: safe to send again later.
                store.retry_later(op.seq, "the sync stopped before this was sent", 0)?;
                continue;
            };
            match settle(store, client, &op, result).await {
                Outcome::Done(ack) => {
                    store.complete(op.seq, ack)?;
                    counts.pushed += 1;
                }
                Outcome::Later(why, wait) => {
                    store.retry_later(op.seq, &why, now() + wait.as_millis() as i64)?;
                    counts.deferred += 1;
                }
                Outcome::Rejected(message) => {
                    store.reject(op.seq, &message)?;
                    counts.rejected += 1;
                }
                Outcome::Stop(err) => {
                    store.retry_later(op.seq, &err.to_string(), now())?;
                    stop.store(true, Ordering::SeqCst);
                    stopped.get_or_insert(err);
                }
            }
            let done = counts.pushed + counts.rejected + counts.deferred;
            reporter.report(
                Phase::Push,
                done,
                Some(total.max(done)),
                Some(total.saturating_sub(done)),
            );
        }
        if let Some(err) = stopped.take() {
            return Err(err);
        }
        if cancel.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
    }
}

/// Settles operations left `sending` by a crash: creates are looked up (and adopted if
/// GHL has them), everything else is safe to send again.
pub async fn recover_in_flight(store: &mut Store, client: &GhlClient) -> Result<u64, SyncError> {
    let mut recovered = 0;
    for op in store.in_flight()? {
        let fields: Map<String, Value> = op.payload["fields"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let found = match (op.entity, op.op) {
            (Entity::Contact, OpKind::Create) => find_created_contact(client, &fields).await?,
            (Entity::Note | Entity::Task, OpKind::Create) => {
                find_created_child(
                    store,
                    client,
                    op.entity,
                    op.parent_id.as_deref().unwrap_or_default(),
                    &fields,
                )
                .await?
            }
            _ => None,
        };
        match found {
            Some(record) => {
                store.complete(op.seq, Ack::Record(record))?;
            }
            None => store.retry_later(op.seq, "the app stopped while this was being sent", 0)?,
        }
        recovered += 1;
    }
    Ok(recovered)
}
