//! The support bundle ("Copy diagnostics"): what a maintainer needs to help with a
//! problem (versions, the platform, how secrets are kept, per location how much is
//! cached and waiting, how the last sync went, crash reports, the latest log lines),
//! and nothing a user would not want to paste into a public issue: every secret the
//! vault holds is scrubbed by value, anything shaped like a token, an email address or a
//! phone number by pattern, and contact data appears only as counts.

use std::{fmt::Write as _, path::Path, sync::LazyLock};

use regex::Regex;

use crate::{crash, runner::SyncStatus, Desk};

/// How many of the latest log lines the bundle carries.
const LOG_LINES: usize = 200;

/// Patterns of what must not leave the computer even when the vault does not know it:
/// bearer and JWT-shaped tokens, long opaque strings, email addresses, phone numbers.
static SENSITIVE: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"(?i)bearer\s+\S+", "Bearer <token>"),
        (
            r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*",
            "<token>",
        ),
        (r"pit-[A-Za-z0-9-]+", "<token>"),
        (r"[A-Za-z0-9_+/=-]{32,}", "<redacted>"),
        (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", "<email>"),
        (r"\+\d[\d ().-]{6,}\d", "<phone>"),
    ]
    .into_iter()
    .map(|(pattern, with)| (Regex::new(pattern).expect("a valid pattern"), with))
    .collect()
});

impl Desk {
    /// The support bundle for an app of version `version`, with the sync status the
    /// window shows (`None` from the command line).
    pub fn diagnostics(&self, version: &str, sync: Option<&SyncStatus>) -> String {
        let mut out = String::new();
        let open = self.open_location();
        let mut accounts = self.accounts.load().accounts;
        if let Some(location) = &open {
            if !accounts
                .iter()
                .any(|a| a.location_id == location.location_id())
            {
                accounts.push(location.account());
            }
        }
        let _ = writeln!(out, "GHL Desk {version} diagnostics");
        let _ = writeln!(out, "generated: {}", chrono::Utc::now().to_rfc3339());
        let _ = writeln!(
            out,
            "platform: {} {} ({})",
            std::env::consts::OS,
            std::env::consts::ARCH,
            std::env::consts::FAMILY
        );
        let _ = writeln!(out, "data folder: {}", home_hidden(self.layout.root()));
        let _ = writeln!(
            out,
            "secrets kept: {}",
            if self.vault.persistent() {
                "in the system keychain or the file vault"
            } else {
                "for this run only (no keychain)"
            }
        );
        let _ = writeln!(out, "locations: {}", accounts.len());
        for account in &accounts {
            let is_open = open
                .as_ref()
                .is_some_and(|l| l.location_id() == account.location_id);
            let cached = self.cache_summary(&account.location_id).map_or_else(
                |err| format!("cannot read its cache: {}", err.message),
                |c| {
                    format!(
                        "{} contacts, {} changes not sent",
                        c.contacts, c.unsent_changes
                    )
                },
            );
            let _ = writeln!(
                out,
                "  {} ({:?}{}): {cached}",
                account.location_id,
                account.kind,
                if is_open { ", open" } else { "" }
            );
        }
        if let Some(counts) = open.as_ref().and_then(|l| l.outbox_counts().ok()) {
            let _ = writeln!(
                out,
                "outbox of the open location: {} pending ({} waiting to retry), {} refused, {} to review",
                counts.pending, counts.waiting_for_retry, counts.rejected, counts.conflicts
            );
        }
        if let Some(status) = sync {
            let _ = writeln!(
                out,
                "sync: {:?}, {}; last: {}; error: {}",
                status.reachability,
                if status.running { "running" } else { "idle" },
                status
                    .last
                    .map_or_else(|| "none".to_owned(), |s| format!("{s:?}")),
                status.error.as_deref().unwrap_or("none")
            );
        }
        let crashes = crash::unseen_crashes(&self.layout);
        let _ = writeln!(out, "crash reports not yet seen: {}", crashes.len());
        let _ = writeln!(out, "\nlatest log lines:");
        for line in latest_log_lines(&self.layout.logs_dir(), LOG_LINES) {
            let _ = writeln!(out, "{line}");
        }
        let secrets = desk_auth::credentials::secrets_of(self.vault.as_ref(), &accounts);
        redact(&out, &secrets)
    }
}

/// `text` without any of `secrets` and without what looks sensitive.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut text = text.to_owned();
    for secret in secrets {
        text = text.replace(secret.as_str(), "<secret>");
    }
    for (pattern, with) in SENSITIVE.iter() {
        text = pattern.replace_all(&text, *with).into_owned();
    }
    text
}

/// A path with the user's home folder shown as `~` (the user name stays out).
fn home_hidden(path: &Path) -> String {
    let shown = path.display().to_string();
    match std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")) {
        Some(home) if !home.is_empty() => {
            let home = home.to_string_lossy().into_owned();
            shown
                .strip_prefix(&home)
                .map_or(shown.clone(), |rest| format!("~{rest}"))
        }
        _ => shown,
    }
}

/// The last `count` lines of the newest log files.
fn latest_log_lines(logs: &Path, count: usize) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(logs) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("ghl-desk") && n.ends_with(".log"))
        })
        .collect();
    files.sort();
    let mut lines = Vec::new();
    for file in files.iter().rev() {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let mut these: Vec<String> = text.lines().map(str::to_owned).collect();
        these.append(&mut lines);
        lines = these;
        if lines.len() >= count {
            break;
        }
    }
    let skip = lines.len().saturating_sub(count);
    lines.split_off(skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_what_looks_sensitive_are_scrubbed() {
        let text = "refreshed with 3f9a-secret-value; Authorization: Bearer abc.def \
                    jane.doe@example.com called +1 (555) 010-2000, token eyJhbGciOi.eyJzdWIi.sig \
                    pit-1234-abcd at 2026-12-02T06:29:07Z";
        let clean = redact(text, &["3f9a-secret-value".to_owned()]);
        for leaked in [
            "3f9a-secret-value",
            "abc.def",
            "jane.doe",
            "555",
            "eyJ",
            "pit-1234",
        ] {
            assert!(!clean.contains(leaked), "{leaked} in {clean}");
        }
        assert!(
            clean.contains("2026-12-02T06:29:07Z"),
            "dates stay: {clean}"
        );
    }

    #[test]
    fn the_latest_lines_come_from_the_newest_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ghl-desk.2026-12-01.log"), "old 1\nold 2\n").unwrap();
        std::fs::write(dir.path().join("ghl-desk.2026-12-02.log"), "new 1\nnew 2\n").unwrap();
        assert_eq!(latest_log_lines(dir.path(), 3), ["old 2", "new 1", "new 2"]);
    }
}
