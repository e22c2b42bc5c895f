//! The command line's shape: every command, option and help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Shown under every `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  done
  1  an error (the message says which)
  2  a usage error or refused input (the message names the field)
  3  the sync finished, but changes wait for you (conflicts, refused or uncertain edits)
  4  sign in again (or sign in first)
  5  HighLevel cannot be reached; changes stay queued
  6  another GHL Desk process is syncing this location";

/// GHL Desk on the command line: sign in, sync, browse and queue edits offline.
#[derive(Debug, Parser)]
#[command(name = "ghl-desk-cli", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// Where GHL Desk keeps its files (default: the app's data directory).
    #[arg(long, global = true, env = "GHL_DESK_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// GHL API base URL.
    #[arg(long, global = true, default_value = desk::DEFAULT_API_BASE)]
    pub api_base: String,
    /// GHL marketplace base URL (OAuth consent page).
    #[arg(long, global = true, default_value = desk::DEFAULT_MARKETPLACE_BASE)]
    pub marketplace_base: String,
    /// A Private Integration token to use for this run instead of the keychain's.
    #[arg(long, global = true, env = "GHL_DESK_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in to a location (Private Integration token, or OAuth in the browser).
    #[command(after_help = EXIT_CODES)]
    Login(Login),
    /// Sign out: remove the location's secrets from the keychain.
    Logout,
    /// Pull from GHL and push queued changes.
    #[command(after_help = EXIT_CODES)]
    Sync {
        /// How long to wait for another GHL Desk process syncing this location.
        #[arg(long, default_value_t = 10)]
        wait: u64,
    },
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
    /// Keep a damaged local database aside and start the location over with a fresh
    /// copy from GHL (the next sync fetches everything again).
    Repair,
    /// Show or choose what a sync does when a field changed both here and in GHL:
    /// ask (record a conflict), prefer-mine or prefer-ghl.
    MergePolicy {
        /// The new policy; without it, the current one is printed.
        policy: Option<String>,
    },
}

/// `login`: how to sign in.
#[derive(Debug, clap::Args)]
pub struct Login {
    /// Sign in with a Private Integration token: `--pit` alone reads it from standard
    /// input (prompted without echo on a terminal); so does `--pit -`. A token given
    /// here as a value is visible to other users in the process list.
    #[arg(long, num_args = 0..=1, default_missing_value = "-", env = "GHL_DESK_PIT", hide_env_values = true, requires = "location", conflicts_with = "oauth")]
    pub pit: Option<String>,
    /// Read the Private Integration token from this file.
    #[arg(long, requires = "location", conflicts_with_all = ["pit", "oauth"])]
    pub pit_file: Option<PathBuf>,
    /// The location of the token; with `--oauth` after an agency-wide install, the
    /// location to keep (without it the agency's locations are listed).
    #[arg(long)]
    pub location: Option<String>,
    /// Sign in with OAuth: prints the consent URL and waits on the loopback.
    #[arg(long)]
    pub oauth: bool,
    /// Marketplace app client id (with --oauth).
    #[arg(long)]
    pub client_id: Option<String>,
    /// Marketplace app client secret (with --oauth): alone or `-`, read from standard
    /// input; also taken from GHL_DESK_CLIENT_SECRET.
    #[arg(long, num_args = 0..=1, default_missing_value = "-", env = "GHL_DESK_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
    /// Read the client secret from this file.
    #[arg(long, conflicts_with = "client_secret")]
    pub client_secret_file: Option<PathBuf>,
    /// Loopback port registered in the Marketplace app.
    #[arg(long, default_value_t = desk::DEFAULT_SIGN_IN_PORT)]
    pub port: u16,
}

/// `contacts …`
#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// List contacts.
    List {
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Order: name, added or updated.
        #[arg(long, default_value = "name", value_parser = ["name", "added", "updated"])]
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

/// `contact …`
#[derive(Debug, Subcommand)]
pub enum ContactCommand {
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

/// A note's text: an argument, or a file (`-`: standard input) for long text.
#[derive(Debug, clap::Args)]
pub struct Body {
    /// Text.
    #[arg(required_unless_present = "body_file")]
    pub body: Option<String>,
    /// Read the text from this file (`-`: standard input).
    #[arg(long, conflicts_with = "body")]
    pub body_file: Option<PathBuf>,
}

/// `note …`
#[derive(Debug, Subcommand)]
pub enum NoteCommand {
    /// Add a note to a contact.
    Add {
        /// Contact id.
        contact: String,
        #[command(flatten)]
        body: Body,
    },
    /// Change a note's text.
    Edit {
        /// Note id.
        id: String,
        #[command(flatten)]
        body: Body,
    },
    /// Delete a note.
    Delete {
        /// Note id.
        id: String,
    },
}

/// `task …`
#[derive(Debug, Subcommand)]
pub enum TaskCommand {
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
    /// Mark a done task open again.
    Reopen {
        /// Task id.
        id: String,
    },
    /// Delete a task.
    Delete {
        /// Task id.
        id: String,
    },
}

/// `tag …`
#[derive(Debug, Subcommand)]
pub enum TagCommand {
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

/// `outbox …`
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Queued changes.
    List,
    /// Send a refused or uncertain change again (or one waiting for its retry, now).
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

/// `conflicts …`
#[derive(Debug, Subcommand)]
pub enum ConflictsCommand {
    /// Changes GHL also changed.
    List,
    /// Keep your version of every field, or GHL's for the fields that clash (your
    /// other fields are still sent).
    Resolve {
        /// Queue number.
        seq: i64,
        /// mine or ghl.
        #[arg(long, value_parser = ["mine", "ghl", "theirs"])]
        keep: String,
    },
}

/// `export …`
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Contacts as CSV (to a file, or standard output).
    Csv {
        /// Output file.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}
