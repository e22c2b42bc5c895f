//! `ghl-sandbox`: runs the GHL API emulator for people (demo, manual testing, other
//! tools), e.g. `ghl-sandbox --port 8787 --contacts 5000 --seed 42`.

use std::net::{IpAddr, SocketAddr};

use clap::Parser;
use ghl_sandbox::{Consent, Faults, Limits, Sandbox, SandboxConfig};

/// A local emulator of the HighLevel (GHL) API v2 with seeded data.
///
/// Serves GHL's API and OAuth endpoints on one origin (use it as both the API base URL
/// and the marketplace base URL), plus a control API under /_sandbox/: GET
/// /_sandbox/info lists the seeded locations, their Private Integration tokens and the
/// demo OAuth app; PUT /_sandbox/faults injects faults; GET /_sandbox/requests reads the
/// request log.
#[derive(Debug, Parser)]
#[command(name = "ghl-sandbox", version)]
struct Args {
    /// Address to listen on. Keep the loopback default unless you mean to share it.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Contacts seeded into the first location (the other two get a tenth each).
    #[arg(long, default_value_t = 5000)]
    contacts: usize,
    /// Seed of the generated data: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = ghl_sandbox::decisions::ACCESS_TOKEN_LIFETIME_SECS)]
    token_lifetime: u64,
    /// Requests allowed per burst window, per app and location.
    #[arg(long, default_value_t = ghl_sandbox::decisions::BURST_MAX)]
    rate_max: u32,
    /// Burst window in milliseconds.
    #[arg(long, default_value_t = ghl_sandbox::decisions::BURST_INTERVAL_MS)]
    rate_interval_ms: u64,
    /// Requests allowed per day, per app and location.
    #[arg(long, default_value_t = ghl_sandbox::decisions::DAILY_LIMIT)]
    daily_limit: u32,
    /// Approve OAuth consent without showing the page (installs to the first location).
    #[arg(long)]
    auto_approve: bool,
    /// Fault: milliseconds added to every API request.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fault: probability (0-1) that an API request answers 500, 502 or 503.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let config = SandboxConfig {
        seed: args.seed,
        contacts: args.contacts,
        access_token_lifetime_secs: args.token_lifetime,
        limits: Limits {
            max: args.rate_max,
            interval_ms: args.rate_interval_ms,
            daily: args.daily_limit,
        },
        faults: Faults {
            latency_ms: args.latency_ms,
            error_rate: args.error_rate,
            ..Faults::default()
        },
        consent: Consent {
            auto_approve: args.auto_approve,
            ..Consent::default()
        },
        ..SandboxConfig::default()
    };
    let sandbox = match Sandbox::start(config, SocketAddr::new(args.host, args.port)).await {
        Ok(sandbox) => sandbox,
        Err(err) => {
            eprintln!(
                "ghl-sandbox: cannot start on {}:{}: {err}",
                args.host, args.port
            );
            std::process::exit(1);
        }
    };
    let info = sandbox.info();
    println!("GHL sandbox listening on {}", sandbox.base_url());
    for location in &info.locations {
        println!(
            "  location {} ({}): {} contacts, private integration token {}",
            location.id, location.name, location.contacts, location.private_integration_token
        );
    }
    for app in &info.apps {
        println!(
            "  OAuth app client_id={} client_secret={}",
            app.client_id, app.client_secret
        );
    }
    println!("  control API: {}/_sandbox/info", sandbox.base_url());
    if tokio::signal::ctrl_c().await.is_err() {
        eprintln!("ghl-sandbox: cannot wait for Ctrl-C; stopping");
    }
    sandbox.shutdown().await;
}
