//! `ghl-desk-cli`: GHL Desk's headless commands over the same application layer as the
//! app, for admins' scripts and for tests. It parses, calls [`desk`], prints, and exits
//! with the code of the failure's kind (listed in `--help`).

mod args;
mod children;
mod contacts;
mod export;
mod login;
mod outbox;
mod output;
mod secrets;
mod sync;

use std::process::ExitCode;

use clap::Parser;
use desk::{Desk, DeskConfig, DeskResult};

use args::{Cli, Command, ExportCommand};
use output::{clean, Out};

async fn run(cli: Cli) -> DeskResult<u8> {
    desk::private_by_default();
    let mut config = DeskConfig::for_user(cli.data_dir, &cli.api_base, &cli.marketplace_base)?;
    config.token = cli.token;
    let desk = Desk::new(config)?;
    let out = Out::new(cli.json);
    match &cli.command {
        Command::Login(args) => login::login(&desk, &out, args).await,
        Command::Logout => login::logout(&desk, &out).await,
        Command::Sync { wait } => sync::sync(&desk, &out, *wait).await,
        Command::Status => sync::status(&desk, &out).await,
        Command::Repair => sync::repair(&desk, &out).await,
        Command::Contacts { command } => contacts::contacts(&desk, &out, command),
        Command::Contact { command } => contacts::contact(&desk, &out, command),
        Command::Tag { command } => contacts::tag(&desk, &out, command),
        Command::Note { command } => children::note(&desk, &out, command),
        Command::Task { command } => children::task(&desk, &out, command),
        Command::Outbox { command } => outbox::outbox(&desk, &out, command),
        Command::Conflicts { command } => outbox::conflicts(&desk, &out, command),
        Command::MergePolicy { policy } => outbox::merge_policy(&desk, &out, policy.as_deref()),
        Command::Export {
            command: ExportCommand::Csv { out: file },
        } => export::csv(&desk, &out, file.as_deref()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GHL_DESK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .init();
    match tokio::spawn(run(cli)).await {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(err)) => {
            eprintln!("error: {}", clean(&err.message));
            ExitCode::from(err.kind.exit_code())
        }
        Err(_) => {
            eprintln!("error: ghl-desk-cli hit an internal error (a bug; please report it); nothing queued was lost");
            ExitCode::from(1)
        }
    }
}
