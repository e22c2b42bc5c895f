//! Crash reports: a panic anywhere in the process writes one to the log folder (what
//! panicked, where, the backtrace, the version), and the next start tells the user, once,
//! that the last run ended that way and where the report is. Queued edits need no
//! rescue: they are already in the database.

use std::{
    backtrace::Backtrace,
    io::Write,
    panic::PanicHookInfo,
    path::{Path, PathBuf},
};

use serde::Serialize;

use crate::DataLayout;

/// What a crash report's file name starts with.
const PREFIX: &str = "crash-";
/// What a report's name ends with until the user has been told about it.
const UNSEEN: &str = ".txt";
/// What it ends with after.
const SEEN: &str = ".seen.txt";

/// A crash of an earlier run that the user has not been told about yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CrashReport {
    /// The report's file.
    pub path: String,
    /// When it happened (RFC 3339, UTC).
    pub at: String,
    /// The panic's message and where in the code it happened.
    pub summary: String,
}

/// Makes every panic of this process also write a crash report into `layout`'s log
/// folder (the default hook still prints it). `app` names the program and its version.
pub fn install_panic_hook(layout: &DataLayout, app: &str) {
    let logs = layout.logs_dir();
    let app = app.to_owned();
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Err(err) = write_report(&logs, &app, info) {
            eprintln!(
                "cannot write the crash report into {}: {err}",
                logs.display()
            );
        }
        default(info);
    }));
}

fn write_report(logs: &Path, app: &str, info: &PanicHookInfo<'_>) -> std::io::Result<PathBuf> {
    let now = chrono::Utc::now();
    let path = logs.join(format!(
        "{PREFIX}{}-{}{UNSEEN}",
        now.format("%Y%m%dT%H%M%S%.3fZ"),
        std::process::id()
    ));
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned());
    let place = info
        .location()
        .map_or_else(|| "an unknown place".to_owned(), ToString::to_string);
    let thread = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_owned();
    std::fs::create_dir_all(logs)?;
    let mut file = std::fs::File::create(&path)?;
    writeln!(file, "{app} crashed at {}", now.to_rfc3339())?;
    writeln!(
        file,
        "on {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )?;
    writeln!(file, "thread '{thread}' panicked at {place}:")?;
    writeln!(file, "{message}")?;
    writeln!(file)?;
    writeln!(file, "{}", Backtrace::force_capture())?;
    Ok(path)
}

/// The crash reports in `layout`'s log folder that the user has not been told about,
/// oldest first.
pub fn unseen_crashes(layout: &DataLayout) -> Vec<CrashReport> {
    let Ok(entries) = std::fs::read_dir(layout.logs_dir()) else {
        return Vec::new();
    };
    let mut reports: Vec<CrashReport> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(UNSEEN) && !n.ends_with(SEEN))
        })
        .filter_map(|path| read_report(&path))
        .collect();
    reports.sort_by(|a, b| a.at.cmp(&b.at));
    reports
}

fn read_report(path: &Path) -> Option<CrashReport> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let at = lines.next()?.rsplit(" crashed at ").next()?.to_owned();
    let place = lines
        .find_map(|line| line.split_once(" panicked at "))
        .map(|(_, place)| place.trim_end_matches(':').to_owned())
        .unwrap_or_default();
    let message = lines.next().unwrap_or_default();
    Some(CrashReport {
        path: path.display().to_string(),
        at,
        summary: format!("{message} ({place})"),
    })
}

/// Marks every unseen crash report as told, so the next start does not tell again; the
/// reports stay in the log folder for a support request.
pub fn mark_crashes_seen(layout: &DataLayout) -> std::io::Result<()> {
    for report in unseen_crashes(layout) {
        let path = PathBuf::from(&report.path);
        let seen = path.with_file_name(
            path.file_name()
                .and_then(|n| n.to_str())
                .map(|n| format!("{}{SEEN}", n.trim_end_matches(UNSEEN)))
                .unwrap_or_default(),
        );
        std::fs::rename(&path, seen)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_leaves_a_report_that_the_next_start_tells_once() {
        let dir = tempfile::tempdir().unwrap();
        let layout = DataLayout::at(dir.path());
        install_panic_hook(&layout, "GHL Desk 9.9.9");
        let outcome = std::thread::Builder::new()
            .name("sync".into())
            .spawn(|| panic!("the database went away"))
            .unwrap()
            .join();
        let _ = std::panic::take_hook();
        assert!(outcome.is_err());

        let reports = unseen_crashes(&layout);
        assert_eq!(reports.len(), 1, "{reports:?}");
        assert!(
            reports[0].summary.contains("the database went away"),
            "{reports:?}"
        );
        assert!(reports[0].summary.contains("crash.rs"), "{reports:?}");
        let text = std::fs::read_to_string(&reports[0].path).unwrap();
        assert!(text.starts_with("GHL Desk 9.9.9 crashed at "), "{text}");
        assert!(text.contains("thread 'sync' panicked"), "{text}");

        mark_crashes_seen(&layout).unwrap();
        assert!(unseen_crashes(&layout).is_empty());
        let kept = std::fs::read_dir(layout.logs_dir()).unwrap().count();
        assert_eq!(kept, 1, "the report stays for a support request");
    }
}
