//! Pushing the outbox: each record's operations in order, parents before children (the
//! store holds a child back until its parent has a GHL id), with GHL's answer recorded
//! atomically. A create whose outcome is unknown (timeout, dropped connection, 5xx, an
//! accepted create whose answer cannot be read, or GHL's "422 but created") is looked
//! up before anything is sent again, so nothing is created twice. Failures are
//! classified: retry later, stop (offline, sign-in), rejected for the user, or (a
//! create nobody can settle by looking) uncertain for the user; each holds back only
//! its own record.

use std::{
    collections::HashSet,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use futures_util::{stream, StreamExt};

use desk_store::{
    model::{Entity, OpKind, OutboxOp},
    Ack, Change, SyncStore,
};
use ghl::{fields::text, GhlClient, GhlError, NoteInput, RetryPolicy, TaskInput};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use crate::{
    error::SyncError,
    lookup::{self, Found},
    progress::{Phase, Reporter},
};

/// What sending one operation came to.
enum Outcome {
    Done(Ack),
    /// Try again after this long.
    Later(String, Duration),
    /// GHL refused it; the user decides.
    Rejected(String),
    /// A create GHL may or may not have made; the user decides.
    Uncertain(String),
    /// Stop pushing altogether (offline, sign-in needed, budget spent).
    Stop(SyncError),
}

/// Counts of one push.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushCounts {
    /// Operations GHL acknowledged.
    pub pushed: u64,
    /// Operations GHL refused, or left uncertain, for the user.
    pub rejected: u64,
    /// Operations put back for later.
    pub deferred: u64,
}

impl PushCounts {
    /// Adds a later push round's counts (a cycle may push twice).
    pub fn add(&mut self, other: Self) {
        self.pushed += other.pushed;
        self.rejected += other.rejected;
        self.deferred += other.deferred;
    }
}

fn classify(err: GhlError, attempts: i64) -> Outcome {
    match err {
        GhlError::Offline(_)
        | GhlError::Timeout
        | GhlError::Unauthorized(_)
        | GhlError::DailyBudgetExhausted => Outcome::Stop(err.into()),
        GhlError::RateLimited | GhlError::Server { .. } | GhlError::OutcomeUnknown(_) => {
            let retry = u32::try_from(attempts).unwrap_or(u32::MAX);
            Outcome::Later(err.to_string(), RetryPolicy::QUEUED.delay(retry))
        }
        GhlError::Rejected { messages, .. } => Outcome::Rejected(messages.join("; ")),
        GhlError::NotFound(message) => {
            Outcome::Rejected(format!("No longer in HighLevel: {message}"))
        }
        other => Outcome::Rejected(other.to_string()),
    }
}

fn string(fields: &Map<String, Value>, key: &str) -> Option<String> {
    fields.get(key).and_then(Value::as_str).map(str::to_owned)
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
fn prepare(store: &SyncStore, op: &OutboxOp) -> Map<String, Value> {
    if op.entity == Entity::Task && op.kind() == OpKind::Update {
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
    let parent = op.parent_id.as_deref().unwrap_or_default();
    let id = op.entity_id.as_str();
    match (op.entity, &op.change) {
        (Entity::Contact, Change::Create { fields }) => {
            client.create_contact(fields).await.map(Ack::Record)
        }
        (Entity::Contact, Change::Update { .. }) => client
            .update_contact(id, &op.change.values())
            .await
            .map(Ack::Record),
        (Entity::Contact, Change::Tags { add, remove }) => {
            let mut tags = None;
            if !add.is_empty() {
                tags = Some(client.add_tags(id, add).await?);
            }
            if !remove.is_empty() {
                tags = Some(client.remove_tags(id, remove).await?);
            }
            Ok(Ack::Tags(tags.unwrap_or_default()))
        }
        (entity, Change::Delete) => {
            let deleted = match entity {
                Entity::Contact => client.delete_contact(id).await,
                Entity::Note => client.delete_note(parent, id).await,
                Entity::Task => client.delete_task(parent, id).await,
            };
            match deleted {
                Ok(()) | Err(GhlError::NotFound(_)) => Ok(Ack::Deleted),
                Err(e) => Err(e),
            }
        }
        (Entity::Note, Change::Create { fields }) => {
            let input = NoteInput {
                body: string(fields, "body").unwrap_or_default(),
                title: string(fields, "title"),
            };
            client.create_note(parent, &input).await.map(Ack::Record)
        }
        (Entity::Note, Change::Update { .. }) => {
            let values = op.change.values();
            let input = NoteInput {
                body: string(&values, "body").unwrap_or_default(),
                title: string(&values, "title"),
            };
            client
                .update_note(parent, id, &input)
                .await
                .map(Ack::Record)
        }
        (Entity::Task, Change::Create { fields }) => client
            .create_task(parent, &task_input(fields))
            .await
            .map(Ack::Record),
        (Entity::Task, Change::Update { fields }) => {
            if fields.len() == 1 && fields.contains_key("completed") {
                let done = fields["completed"].value.as_bool().unwrap_or(false);
                client
                    .complete_task(parent, id, done)
                    .await
                    .map(Ack::Record)
            } else {
                client
                    .update_task(parent, id, &task_input(current))
                    .await
                    .map(Ack::Record)
            }
        }
        (entity, change) => Err(GhlError::Config(format!(
            "cannot send {:?} of a {entity:?}",
            change.kind()
        ))),
    }
}

/// Whether GHL may have made the record although the answer said otherwise: a create
/// whose outcome is unknown, or a contact create answered 422 (GHL sometimes creates
/// and still refuses).
fn maybe_created(op: &OutboxOp, err: &GhlError) -> bool {
    op.kind() == OpKind::Create
        && match err {
            GhlError::OutcomeUnknown(_) => true,
            GhlError::Rejected { status: 422, .. } => op.entity == Entity::Contact,
            _ => false,
        }
}

/// Looks for what an uncertain create may have made; `known` are the ids of its
/// contact's children the store knows (for a note or task).
async fn look_up(client: &GhlClient, op: &OutboxOp, known: &[String]) -> Result<Found, GhlError> {
    let Change::Create { fields } = &op.change else {
        return Ok(Found::Absent);
    };
    match op.entity {
        Entity::Contact => lookup::contact(client, fields, op.sent_at).await,
        child => {
            let parent = op.parent_id.as_deref().unwrap_or_default();
            lookup::child(client, child, parent, fields, known).await
        }
    }
}

/// The children of an operation's contact the store knows, for [`look_up`].
fn known_children(store: &SyncStore, op: &OutboxOp) -> Vec<String> {
    match (op.entity, op.kind(), op.parent_id.as_deref()) {
        (Entity::Note | Entity::Task, OpKind::Create, Some(parent)) => {
            lookup::known_children(store, op.entity, parent)
        }
        _ => Vec::new(),
    }
}

/// Turns GHL's answer into an outcome, looking up an uncertain create before believing
/// that it failed.
async fn settle(
    client: &GhlClient,
    op: &OutboxOp,
    known: &[String],
    result: Result<Ack, GhlError>,
) -> Outcome {
    match result {
        Ok(ack) => Outcome::Done(ack),
        Err(err) if maybe_created(op, &err) => match look_up(client, op, known).await {
            Ok(Found::Record(record)) => Outcome::Done(Ack::Record(record)),
            Ok(Found::Unsure(why)) => Outcome::Uncertain(why),
            Ok(Found::Absent) => classify(err, op.attempts),
            Err(lookup_failed) => classify(lookup_failed, op.attempts),
        },
        Err(err) => classify(err, op.attempts),
    }
}

/// Records how one sent operation ended; returns the reason to stop pushing, if any.
fn record(
    store: &mut SyncStore,
    op: &OutboxOp,
    outcome: Outcome,
    now: i64,
    counts: &mut PushCounts,
) -> Result<Option<SyncError>, SyncError> {
    match outcome {
        Outcome::Done(ack) => {
            store.complete(op.seq, ack)?;
            counts.pushed += 1;
        }
        Outcome::Later(why, wait) => {
            store.retry_later(op.seq, &why, now + wait.as_millis() as i64)?;
            counts.deferred += 1;
        }
        Outcome::Rejected(message) => {
            store.reject(op.seq, &message)?;
            counts.rejected += 1;
        }
        Outcome::Uncertain(message) => {
            store.mark_uncertain(op.seq, &message)?;
            counts.rejected += 1;
        }
        Outcome::Stop(err) => {
            store.put_back(op.seq, &err.to_string())?;
            return Ok(Some(err));
        }
    }
    Ok(None)
}

/// Sends every ready operation, round after round (a created contact releases its
/// notes and tasks for the next round), until nothing is ready. Within a round, one
/// operation per record is in flight and independent records go concurrently.
pub async fn outbox(
    store: &mut SyncStore,
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
        let marked_at = now();
        let (stop, cancel) = (&stop, cancel);
        let mut answers = stream::iter(round.into_iter().map(|(mut op, current)| async move {
            if stop.load(Ordering::SeqCst) || cancel.is_cancelled() {
                return (op, None);
            }
            op.sent_at = Some(marked_at);
            let result = send(client, &op, &current).await;
            (op, Some(result))
        }))
        .buffer_unordered(crate::IN_FLIGHT);
        while let Some((op, result)) = answers.next().await {
            let Some(result) = result else {
                store.put_back(op.seq, "the sync stopped before this was sent")?;
                continue;
            };
            let known = known_children(store, &op);
            let outcome = settle(client, &op, &known, result).await;
            if let Some(err) = record(store, &op, outcome, now(), &mut counts)? {
                stop.store(true, Ordering::SeqCst);
                stopped.get_or_insert(err);
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

/// Settles operations a process that died left `sending` (the caller holds the
/// location's lease, so no live process is sending them): creates are looked up and
/// adopted if GHL has them, left for the user when nobody can tell, and everything else
/// is safe to send again. No attempt is counted: whether a request left is unknown.
pub async fn recover_in_flight(
    store: &mut SyncStore,
    client: &GhlClient,
) -> Result<u64, SyncError> {
    let mut recovered = 0;
    for op in store.in_flight()? {
        let known = known_children(store, &op);
        match look_up(client, &op, &known).await? {
            Found::Record(record) => {
                let id = text(&record, "id").map(str::to_owned);
                store.complete(op.seq, Ack::Record(record))?;
                tracing::info!(?id, "adopted a record a create made before the app stopped");
            }
            Found::Unsure(why) => store.mark_uncertain(op.seq, &why)?,
            Found::Absent => store.put_back(op.seq, "the app stopped while this was being sent")?,
        }
        recovered += 1;
    }
    Ok(recovered)
}
