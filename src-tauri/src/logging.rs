//! Logs go to a daily-rotated file in the app's log directory (a week is kept) and, in
//! debug builds, to stderr. `RUST_LOG` overrides the default `info` level.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// How many daily log files are kept.
const KEPT_LOG_FILES: usize = 7;

/// Installs the global subscriber. The returned guard flushes the file on drop, so the
/// caller keeps it alive for the whole run. Returns `None` (logging to stderr only) when
/// the log file cannot be opened: the app still starts.
pub fn init(logs_dir: &Path) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("ghl-desk")
        .filename_suffix("log")
        .max_log_files(KEPT_LOG_FILES)
        .build(logs_dir);
    let stderr = cfg!(debug_assertions).then(|| fmt::layer().with_writer(std::io::stderr));
    match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file = fmt::layer().with_ansi(false).with_writer(writer);
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(file)
                .with(stderr)
                .try_init();
            Some(guard)
        }
        Err(err) => {
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(fmt::layer().with_writer(std::io::stderr))
                .try_init();
            tracing::warn!(%err, "cannot open the log file; logging to stderr only");
            None
        }
    }
}
