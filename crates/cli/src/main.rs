//! `ghl-desk-cli`: GHL Desk's headless commands over the same core as the app, for
//! admins' scripts and for tests. Exit codes: 0 ok, 1 error, 2 usage, 3 finished with
//! conflicts or rejected edits, 4 sign-in needed, 5 offline.

use std::{path::PathBuf, process::ExitCode, sync::Arc};

use clap::{Parser, Subcommand};
use desk_auth::{session, Account, AccountsFile, SignedIn, Vault};
use desk_store::{
    model::{ContactQuery, ContactSort, MergePolicy, OpState},
    DataLayout, Store,
};
use ghl::{ClientConfig, GhlClient, StaticToken};
use serde_json::{json, Map, Value};
use tokio_util::sync::CancellationToken;

/// GHL Desk on the command line: sign in, sync, browse and queue edits offline.
#[derive(Debug, Parser)]
#[command(name = "ghl-desk-cli", version)]
struct Cli {
    /// Where GHL Desk keeps its files (default: the app's data directory).
    #[arg(long, global = true, env = "GHL_DESK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// GHL API base URL.
    #[arg(long, global = true, default_value = ghl::DEFAULT_API_BASE)]
    api_base: String,
    /// GHL marketplace base URL (OAuth consent page).
    #[arg(long, global = true, default_value = ghl::DEFAULT_MARKETPLACE_BASE)]
    marketplace_base: String,
    /// A Private Integration token to use for this run instead of the keychain's.
    #[arg(long, global = true, env = "GHL_DESK_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in to a location (Private Integration token, or OAuth in the browser).
    Login {
        /// Private Integration token.
        #[arg(long, requires = "location", conflicts_with = "oauth")]
        pit: Option<String>,
        /// The location of the token.
        #[arg(long)]
        location: Option<String>,
        /// Sign in with OAuth: prints the consent URL and waits on the loopback. For an
        /// agency-wide install, `--location` picks the location to keep (without it the
        /// agency's locations are listed).
        #[arg(long)]
        oauth: bool,
        /// Marketplace app client id (with --oauth).
        #[arg(long)]
        client_id: Option<String>,
        /// Marketplace app client secret (with --oauth).
        #[arg(long, env = "GHL_DESK_CLIENT_SECRET", hide_env_values = true)]
        client_secret: Option<String>,
        /// Loopback port registered in the Marketplace app.
        #[arg(long, default_value_t = desk_auth::DEFAULT_PORT)]
        port: u16,
    },
    /// Sign out: remove the location's secrets from the keychain.
    Logout,
    /// Pull from GHL and push queued changes.
    Sync,
    /// Signed-in location, queue counts and the last sync.
    Status,
    /// Browse the local cache.
    Contacts {
        #[command(subcommand)]
        command: ContactsCommand,
    },
    /// Queue a contact change.
    Contact {
        #[command(subcommand)]
        command: ContactCommand,
    },
    /// Queue a note change.
    Note {
        #[command(subcommand)]
        command: NoteCommand,
    },
    /// Queue a task change.
    Task {
        #[command(subcommand)]
        command: TaskCommand,
    },
    /// Queue tag changes.
    Tag {
        #[command(subcommand)]
        command: TagCommand,
    },
    /// Inspect and act on queued changes.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Inspect and resolve conflicts.
    Conflicts {
        #[command(subcommand)]
        command: ConflictsCommand,
    },
    /// Export the cache.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Show or choose what a sync does when a field changed both here and in GHL:
    /// ask (record a conflict), prefer-mine or prefer-ghl.
    MergePolicy {
        /// The new policy; without it, the current one is printed.
        policy: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ContactsCommand {
    /// List contacts.
    List {
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Order: name, added or updated.
        #[arg(long, default_value = "name")]
        sort: String,
    },
    /// Search as the app does (prefix match on name, email, phone, company, tags).
    Search {
        /// What to look for.
        text: String,
    },
    /// One contact with its notes, tasks and appointments.
    Show {
        /// Contact id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum ContactCommand {
    /// Create a contact (offline; sent on the next sync).
    Create {
        /// Fields as key=value (firstName=Ada email=ada@example.com …).
        fields: Vec<String>,
    },
    /// Change fields of a contact.
    Update {
        /// Contact id.
        id: String,
        /// Fields as key=value; key= clears.
        fields: Vec<String>,
    },
    /// Delete a contact.
    Delete {
        /// Contact id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum NoteCommand {
    /// Add a note to a contact.
    Add {
        /// Contact id.
        contact: String,
        /// Text.
        body: String,
    },
    /// Change a note's text.
    Edit {
        /// Note id.
        id: String,
        /// New text.
        body: String,
    },
    /// Delete a note.
    Delete {
        /// Note id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum TaskCommand {
    /// Add a task to a contact.
    Add {
        /// Contact id.
        contact: String,
        /// Title.
        #[arg(long)]
        title: String,
        /// Due date and time (ISO 8601, e.g. 2026-12-01T10:00:00Z).
        #[arg(long)]
        due: String,
    },
    /// Change a task.
    Edit {
        /// Task id.
        id: String,
        /// New title.
        #[arg(long)]
        title: Option<String>,
        /// New due date.
        #[arg(long)]
        due: Option<String>,
    },
    /// Mark a task done.
    Complete {
        /// Task id.
        id: String,
    },
    /// Delete a task.
    Delete {
        /// Task id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum TagCommand {
    /// Add tags to a contact.
    Add {
        /// Contact id.
        contact: String,
        /// Tags.
        #[arg(required = true)]
        tags: Vec<String>,
    },
    /// Remove tags from a contact.
    Remove {
        /// Contact id.
        contact: String,
        /// Tags.
        #[arg(required = true)]
        tags: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum OutboxCommand {
    /// Queued changes.
    List,
    /// Send a rejected change again.
    Retry {
        /// Queue number.
        seq: i64,
    },
    /// Drop a change; the record reverts to GHL's version.
    Discard {
        /// Queue number.
        seq: i64,
    },
}

#[derive(Debug, Subcommand)]
enum ConflictsCommand {
    /// Changes GHL also changed.
    List,
    /// Keep your version (sent on the next sync) or GHL's (your change is dropped).
    Resolve {
        /// Queue number.
        seq: i64,
        /// mine or theirs.
        #[arg(long, value_parser = ["mine", "theirs"])]
        keep: String,
    },
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Contacts as CSV (to a file, or standard output).
    Csv {
        /// Output file.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// A failure with its exit code.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn new(code: u8, message: impl ToString) -> Self {
        Self {
            code,
            message: message.to_string(),
        }
    }
}

impl From<desk_store::StoreError> for Failure {
    fn from(err: desk_store::StoreError) -> Self {
        Self::new(1, err)
    }
}

impl From<desk_auth::AuthError> for Failure {
    fn from(err: desk_auth::AuthError) -> Self {
        match &err {
            desk_auth::AuthError::Ghl(ghl::GhlError::Offline(_) | ghl::GhlError::Timeout) => {
                Self::new(5, err)
            }
            desk_auth::AuthError::Ghl(ghl::GhlError::Unauthorized(_)) => Self::new(4, err),
            _ => Self::new(1, err),
        }
    }
}

impl From<desk_sync::SyncError> for Failure {
    fn from(err: desk_sync::SyncError) -> Self {
        match &err {
            desk_sync::SyncError::Offline(_) => Self::new(5, err),
            desk_sync::SyncError::SignInNeeded(_) => Self::new(4, err),
            _ => Self::new(1, err),
        }
    }
}

struct Context {
    cli: Cli,
    layout: DataLayout,
    vault: Arc<dyn Vault>,
}

impl Context {
    fn config(&self) -> Result<ClientConfig, Failure> {
        ClientConfig::with_bases(&self.cli.api_base, &self.cli.marketplace_base)
            .map_err(|e| Failure::new(2, e))
    }

    fn accounts(&self) -> AccountsFile {
        AccountsFile::in_dir(self.layout.root())
    }

    fn account(&self) -> Result<Account, Failure> {
        self.accounts()
            .active()
            .ok_or_else(|| Failure::new(4, "not signed in: run `ghl-desk-cli login` first"))
    }

    fn store(&self) -> Result<Store, Failure> {
        let account = self.account()?;
        let path = self
            .layout
            .location_database(&account.location_id)
            .map_err(|e| Failure::new(1, e))?;
        Ok(Store::open(&path)?)
    }

    fn client(&self) -> Result<GhlClient, Failure> {
        let account = self.account()?;
        match &self.cli.token {
            Some(token) => GhlClient::new(
                self.config()?,
                Arc::new(StaticToken::new(token.clone())),
                account.location_id,
            )
            .map_err(|e| Failure::new(1, e)),
            None => Ok(session::client_for(
                &account,
                self.vault.clone(),
                self.config()?,
            )?),
        }
    }

    fn print(&self, value: &Value, human: impl FnOnce() -> String) {
        if self.cli.json {
            println!("{value}");
        } else {
            println!("{}", human());
        }
    }
}

fn parse_fields(pairs: &[String]) -> Result<Map<String, Value>, Failure> {
    pairs
        .iter()
        .map(|pair| {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| Failure::new(2, format!("'{pair}' is not key=value")))?;
            let value = if value.is_empty() {
                Value::Null
            } else {
                Value::String(value.to_owned())
            };
            Ok((key.to_owned(), value))
        })
        .collect()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn outbox_json(store: &Store, only: Option<OpState>) -> Result<Vec<Value>, Failure> {
    Ok(store
        .outbox()?
        .into_iter()
        .filter(|op| only.is_none_or(|state| op.state == state))
        .map(|op| json!({ "seq": op.seq, "entity": op.entity, "id": op.entity_id, "op": op.op, "state": op.state, "attempts": op.attempts, "error": op.last_error, "payload": op.payload }))
        .collect())
}

fn print_ops(ctx: &Context, ops: &[Value]) {
    ctx.print(&Value::Array(ops.to_vec()), || {
        if ops.is_empty() {
            return "nothing queued".into();
        }
        ops.iter()
            .map(|o| {
                format!(
                    "#{} {} {} {} [{}]{}",
                    o["seq"],
                    o["op"].as_str().unwrap_or(""),
                    o["entity"].as_str().unwrap_or(""),
                    o["id"].as_str().unwrap_or(""),
                    o["state"].as_str().unwrap_or(""),
                    o["error"]
                        .as_str()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
}

async fn run(ctx: Context) -> Result<u8, Failure> {
    match &ctx.cli.command {
        Command::Login {
            pit,
            location,
            oauth,
            client_id,
            client_secret,
            port,
        } => {
            let account = if *oauth {
                let (app, entered) = session::sign_in_app(
                    client_id.as_deref().unwrap_or_default(),
                    client_secret.as_deref().unwrap_or_default(),
                )
                .ok_or_else(|| {
                    Failure::new(
                        2,
                        "--oauth needs --client-id and --client-secret (this build has no built-in Marketplace app)",
                    )
                })?;
                let settings = desk_auth::OAuthSettings {
                    port: *port,
                    ..desk_auth::OAuthSettings::new(app.client_id, app.client_secret)
                };
                let open = |url: url::Url| {
                    eprintln!("Open this address in a browser to sign in:\n{url}");
                    Ok(())
                };
                let signed_in = desk_auth::sign_in_oauth(
                    &ctx.config()?,
                    &settings,
                    ctx.vault.as_ref(),
                    open,
                    CancellationToken::new(),
                )
                .await?;
                if entered {
                    session::store_app(
                        ctx.vault.as_ref(),
                        &settings.client_id,
                        &settings.client_secret,
                    )?;
                }
                match signed_in {
                    SignedIn::Location(account) => account,
                    SignedIn::Agency(agency) => {
                        let app = session::marketplace_app(ctx.vault.as_ref())?
                            .ok_or_else(|| Failure::new(2, "the Marketplace app is missing"))?;
                        let Some(location) = location else {
                            let locations = desk_auth::agency_locations(
                                &ctx.config()?,
                                &app,
                                ctx.vault.clone(),
                                &agency.company_id,
                            )
                            .await?;
                            let listed: Vec<String> = locations
                                .iter()
                                .map(|l| format!("{}  {}", l.id, l.name.as_deref().unwrap_or("")))
                                .collect();
                            return Err(Failure::new(
                                2,
                                format!(
                                    "signed in to agency {}; run login again with --location ID, one of:\n{}",
                                    agency.company_id,
                                    listed.join("\n")
                                ),
                            ));
                        };
                        desk_auth::add_agency_location(
                            &ctx.config()?,
                            &app,
                            ctx.vault.clone(),
                            &agency.company_id,
                            location,
                        )
                        .await?
                    }
                }
            } else {
                let (Some(token), Some(location)) = (pit, location) else {
                    return Err(Failure::new(2, "use --pit TOKEN --location ID, or --oauth"));
                };
                desk_auth::sign_in_private_integration(
                    &ctx.config()?,
                    ctx.vault.as_ref(),
                    token,
                    location,
                )
                .await?
            };
            ctx.accounts().add_and_open(&account)?;
            ctx.print(&json!(account), || {
                format!("signed in to location {}", account.location_id)
            });
            Ok(0)
        }
        Command::Logout => {
            if let Ok(account) = ctx.account() {
                session::forget(ctx.vault.as_ref(), &account.location_id)?;
                ctx.accounts().remove(&account.location_id)?;
            }
            ctx.print(&json!({ "signedOut": true }), || "signed out".into());
            Ok(0)
        }
        Command::Sync => {
            let client = ctx.client()?;
            let mut store = ctx.store()?;
            let started = std::time::Instant::now();
            let on_terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let show = |p: desk_sync::Progress| {
                if on_terminal {
                    let total = p.total.map(|t| format!(" of {t}")).unwrap_or_default();
                    let eta = p
                        .eta_seconds
                        .map(|s| format!(", ~{s} s left"))
                        .unwrap_or_default();
                    eprint!(
                        "\r\x1b[K{:?}: {}{total} ({} requests{eta})",
                        p.phase, p.done, p.requests
                    );
                }
            };
            let result = desk_sync::sync_once(
                &mut store,
                &client,
                desk_sync::SyncOptions::default(),
                now_ms,
                &show,
                &CancellationToken::new(),
            )
            .await;
            if on_terminal {
                eprint!("\r\x1b[K");
            }
            let summary = result?;
            let mut value = json!(summary);
            value["durationMs"] = json!(started.elapsed().as_millis() as u64);
            value["dailyRemaining"] = json!(client.budget().daily_remaining);
            ctx.print(&value, || {
                format!(
                    "pulled {}, pushed {}, rejected {}, conflicts {}, deleted {}, children {} ({} still to fetch) in {:.1} s",
                    summary.pulled, summary.pushed, summary.rejected, summary.conflicts, summary.deleted, summary.children, summary.children_left, started.elapsed().as_secs_f64()
                )
            });
            Ok(if summary.rejected > 0 || summary.conflicts > 0 {
                3
            } else {
                0
            })
        }
        Command::Status => {
            let account = ctx.account()?;
            let store = ctx.store()?;
            let counts = store.outbox_counts()?;
            let status = store.fetch_status("sync")?;
            let total = store
                .list_contacts(&ContactQuery {
                    limit: 1,
                    ..ContactQuery::default()
                })?
                .total;
            let value = json!({ "account": account, "contacts": total, "outbox": counts, "lastSync": status });
            ctx.print(&value, || {
                format!(
                    "location {} ({:?}); {} contacts; {} pending, {} rejected, {} conflicts; last error: {}",
                    account.location_id,
                    account.kind,
                    total,
                    counts.pending,
                    counts.rejected,
                    counts.conflicts,
                    status.last_error.as_deref().unwrap_or("none")
                )
            });
            Ok(0)
        }
        Command::Contacts { command } => {
            let store = ctx.store()?;
            let query = match command {
                ContactsCommand::List { limit, sort } => {
                    let sort = match sort.as_str() {
                        "name" => ContactSort::Name,
                        "added" => ContactSort::DateAdded,
                        "updated" => ContactSort::DateUpdated,
                        other => {
                            return Err(Failure::new(
                                2,
                                format!("unknown sort '{other}': use name, added or updated"),
                            ))
                        }
                    };
                    ContactQuery {
                        limit: *limit,
                        sort,
                        ..ContactQuery::default()
                    }
                }
                ContactsCommand::Search { text } => ContactQuery {
                    search: Some(text.clone()),
                    limit: 100,
                    ..ContactQuery::default()
                },
                ContactsCommand::Show { id } => {
                    let detail = store.contact_detail(id)?;
                    ctx.print(&json!(detail), || {
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
            let page = store.list_contacts(&query)?;
            ctx.print(&json!(page), || {
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
                lines.push(format!(
                    "{} of {}{}",
                    page.rows.len(),
                    page.total,
                    if page.truncated { "+" } else { "" }
                ));
                lines.join("\n")
            });
            Ok(0)
        }
        Command::Contact { command } => {
            let mut store = ctx.store()?;
            let (value, human) = match command {
                ContactCommand::Create { fields } => {
                    let id = store.create_contact(parse_fields(fields)?)?;
                    (json!({ "id": id }), format!("queued new contact {id}"))
                }
                ContactCommand::Update { id, fields } => {
                    store.update_contact(id, parse_fields(fields)?)?;
                    (json!({ "id": id }), format!("queued changes to {id}"))
                }
                ContactCommand::Delete { id } => {
                    store.delete_contact(id)?;
                    (json!({ "id": id }), format!("queued deletion of {id}"))
                }
            };
            ctx.print(&value, || human);
            Ok(0)
        }
        Command::Note { command } => {
            let mut store = ctx.store()?;
            let id = match command {
                NoteCommand::Add { contact, body } => store.create_note(contact, body, None)?,
                NoteCommand::Edit { id, body } => {
                    store.update_note(id, body)?;
                    id.clone()
                }
                NoteCommand::Delete { id } => {
                    store.delete_note(id)?;
                    id.clone()
                }
            };
            ctx.print(&json!({ "id": id }), || format!("queued note change {id}"));
            Ok(0)
        }
        Command::Task { command } => {
            let mut store = ctx.store()?;
            let id = match command {
                TaskCommand::Add {
                    contact,
                    title,
                    due,
                } => store.create_task(
                    contact,
                    parse_fields(&[format!("title={title}"), format!("dueDate={due}")])?,
                )?,
                TaskCommand::Edit { id, title, due } => {
                    let mut changes = Map::new();
                    if let Some(title) = title {
                        changes.insert("title".into(), title.clone().into());
                    }
                    if let Some(due) = due {
                        changes.insert("dueDate".into(), due.clone().into());
                    }
                    store.update_task(id, changes)?;
                    id.clone()
                }
                TaskCommand::Complete { id } => {
                    store.complete_task(id, true)?;
                    id.clone()
                }
                TaskCommand::Delete { id } => {
                    store.delete_task(id)?;
                    id.clone()
                }
            };
            ctx.print(&json!({ "id": id }), || format!("queued task change {id}"));
            Ok(0)
        }
        Command::Tag { command } => {
            let mut store = ctx.store()?;
            let contact = match command {
                TagCommand::Add { contact, tags } => {
                    store.add_tags(contact, tags)?;
                    contact
                }
                TagCommand::Remove { contact, tags } => {
                    store.remove_tags(contact, tags)?;
                    contact
                }
            };
            ctx.print(&json!({ "id": contact }), || {
                format!("queued tag change for {contact}")
            });
            Ok(0)
        }
        Command::Outbox { command } => {
            let mut store = ctx.store()?;
            match command {
                OutboxCommand::List => print_ops(&ctx, &outbox_json(&store, None)?),
                OutboxCommand::Retry { seq } => {
                    store.retry_now(*seq)?;
                    ctx.print(&json!({ "seq": seq }), || {
                        format!("#{seq} will be sent on the next sync")
                    });
                }
                OutboxCommand::Discard { seq } => {
                    store.discard(*seq)?;
                    ctx.print(&json!({ "seq": seq }), || format!("#{seq} discarded"));
                }
            }
            Ok(0)
        }
        Command::MergePolicy { policy } => {
            let mut store = ctx.store()?;
            if let Some(name) = policy {
                let chosen = MergePolicy::parse(name).ok_or_else(|| {
                    Failure::new(
                        2,
                        format!("unknown policy '{name}': use ask, prefer-mine or prefer-ghl"),
                    )
                })?;
                store.set_merge_policy(chosen)?;
            }
            let current = store.merge_policy()?;
            ctx.print(&json!({ "mergePolicy": current.as_str() }), || {
                format!("merge policy: {}", current.as_str())
            });
            Ok(0)
        }
        Command::Conflicts { command } => {
            let mut store = ctx.store()?;
            match command {
                ConflictsCommand::List => {
                    print_ops(&ctx, &outbox_json(&store, Some(OpState::Conflict))?)
                }
                ConflictsCommand::Resolve { seq, keep } => {
                    if keep == "mine" {
                        store.keep_mine(*seq)?;
                    } else {
                        store.discard(*seq)?;
                    }
                    ctx.print(&json!({ "seq": seq, "kept": keep }), || {
                        format!("#{seq}: kept {keep}")
                    });
                }
            }
            Ok(0)
        }
        Command::Export {
            command: ExportCommand::Csv { out },
        } => {
            let store = ctx.store()?;
            let written = match out {
                Some(path) => {
                    store.export_contacts_csv(std::fs::File::create(path).map_err(|e| {
                        Failure::new(1, format!("cannot write {}: {e}", path.display()))
                    })?)?
                }
                None => store.export_contacts_csv(std::io::stdout())?,
            };
            if out.is_some() {
                ctx.print(&json!({ "contacts": written }), || {
                    format!("exported {written} contacts")
                });
            }
            Ok(0)
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let layout = match &cli.data_dir {
        Some(dir) => DataLayout::at(dir),
        None => match DataLayout::for_user() {
            Ok(layout) => layout,
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::from(1);
            }
        },
    };
    if let Err(err) = layout.ensure_dirs() {
        eprintln!("error: {err}");
        return ExitCode::from(1);
    }
    let vault: Arc<dyn Vault> = Arc::from(desk_auth::best_vault());
    match run(Context { cli, layout, vault }).await {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
