//! The locations kept on this computer and which one is open, remembered between runs
//! in the data directory (no secrets: those are in the vault). Each location is its own
//! account with its own cache; an agency sign-in adds several at once.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{
    credentials::{Account, SignInKind},
    error::AuthError,
};

/// Every kept account and the open one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Accounts {
    /// The open location, if any.
    pub active: Option<String>,
    /// Every kept location, in the order they were added.
    pub accounts: Vec<Account>,
}

/// Where [`Accounts`] live, with the one-account file of earlier versions beside it.
#[derive(Debug, Clone)]
pub struct AccountsFile {
    path: PathBuf,
    legacy: PathBuf,
}

impl AccountsFile {
    /// The registry in the data directory `root`.
    pub fn in_dir(root: &Path) -> Self {
        Self {
            path: root.join("accounts.json"),
            legacy: root.join("account.json"),
        }
    }

    /// Checks the file can be read; a damaged one is moved aside (so that the next
    /// sign-in does not overwrite what it held) and the message says where it went.
    pub fn check(&self) -> Option<String> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        let err = serde_json::from_str::<Accounts>(&text).err()?;
        let aside = self.path.with_extension(format!(
            "damaged-{}.json",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        ));
        let kept = std::fs::rename(&self.path, &aside).is_ok();
        let message = format!(
            "the list of locations kept on this computer ({}) could not be read ({err}); {} Sign in again to keep your locations; their local data is still there.",
            self.path.display(),
            if kept {
                format!("it was kept as {}.", aside.display())
            } else {
                "it was left where it is.".to_owned()
            }
        );
        tracing::error!("{message}");
        Some(message)
    }

    /// The kept accounts (none when the file is missing or unreadable). The demo is
    /// never kept: its sandbox lives only as long as the app.
    pub fn load(&self) -> Accounts {
        if let Some(accounts) = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|text| serde_json::from_str::<Accounts>(&text).ok())
        {
            return accounts;
        }
        match std::fs::read_to_string(&self.legacy)
            .ok()
            .and_then(|text| serde_json::from_str::<Account>(&text).ok())
        {
            Some(account) => Accounts {
                active: Some(account.location_id.clone()),
                accounts: vec![account],
            },
            None => Accounts::default(),
        }
    }

    fn save(&self, accounts: &Accounts) -> Result<(), AuthError> {
        let kept = Accounts {
            active: accounts.active.clone().filter(|id| {
                accounts
                    .accounts
                    .iter()
                    .any(|a| &a.location_id == id && a.kind != SignInKind::Demo)
            }),
            accounts: accounts
                .accounts
                .iter()
                .filter(|a| a.kind != SignInKind::Demo)
                .cloned()
                .collect(),
        };
        if std::fs::read_to_string(&self.path)
            .is_ok_and(|text| serde_json::from_str::<Accounts>(&text).is_err())
        {
            return Err(AuthError::Vault(format!(
                "{} could not be read; it is left untouched",
                self.path.display()
            )));
        }
        let text =
            serde_json::to_string_pretty(&kept).map_err(|e| AuthError::Vault(e.to_string()))?;
        desk_store::layout::write_private(&self.path, text.as_bytes())
            .map_err(|e| AuthError::Vault(format!("cannot write {}: {e}", self.path.display())))?;
        match std::fs::remove_file(&self.legacy) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(AuthError::Vault(format!(
                "cannot remove {}: {e}",
                self.legacy.display()
            ))),
            _ => Ok(()),
        }
    }

    /// Adds (or refreshes) `account` and opens it.
    pub fn add_and_open(&self, account: &Account) -> Result<Accounts, AuthError> {
        let mut accounts = self.load();
        match accounts
            .accounts
            .iter_mut()
            .find(|a| a.location_id == account.location_id)
        {
            Some(kept) => *kept = account.clone(),
            None => accounts.accounts.push(account.clone()),
        }
        accounts.active = Some(account.location_id.clone());
        self.save(&accounts)?;
        Ok(accounts)
    }

    /// Gives the kept location `location_id` the name HighLevel now reports (nothing
    /// when it is not kept).
    pub fn rename(&self, location_id: &str, name: &str) -> Result<(), AuthError> {
        let mut accounts = self.load();
        let Some(kept) = accounts
            .accounts
            .iter_mut()
            .find(|a| a.location_id == location_id)
        else {
            return Ok(());
        };
        kept.name = Some(name.to_owned());
        self.save(&accounts)
    }

    /// Adds `account` without opening it.
    pub fn add(&self, account: &Account) -> Result<Accounts, AuthError> {
        let mut accounts = self.load();
        accounts
            .accounts
            .retain(|a| a.location_id != account.location_id);
        accounts.accounts.push(account.clone());
        self.save(&accounts)?;
        Ok(accounts)
    }

    /// Opens a kept account; `None` when it is not kept.
    pub fn open(&self, location_id: &str) -> Result<Option<Account>, AuthError> {
        let mut accounts = self.load();
        let Some(account) = accounts
            .accounts
            .iter()
            .find(|a| a.location_id == location_id)
            .cloned()
        else {
            return Ok(None);
        };
        accounts.active = Some(location_id.to_owned());
        self.save(&accounts)?;
        Ok(Some(account))
    }

    /// Closes the open account (it stays kept).
    pub fn close(&self) -> Result<(), AuthError> {
        let mut accounts = self.load();
        accounts.active = None;
        self.save(&accounts)
    }

    /// Forgets an account (closing it if it was open).
    pub fn remove(&self, location_id: &str) -> Result<Accounts, AuthError> {
        let mut accounts = self.load();
        accounts.accounts.retain(|a| a.location_id != location_id);
        if accounts.active.as_deref() == Some(location_id) {
            accounts.active = None;
        }
        self.save(&accounts)?;
        Ok(accounts)
    }

    /// The open account, if any.
    pub fn active(&self) -> Option<Account> {
        let accounts = self.load();
        let id = accounts.active?;
        accounts.accounts.into_iter().find(|a| a.location_id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, kind: SignInKind) -> Account {
        Account {
            location_id: id.into(),
            company_id: Some("co".into()),
            kind,
            scopes: None,
            name: None,
        }
    }

    #[test]
    fn keeps_several_locations_and_the_open_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = AccountsFile::in_dir(dir.path());
        assert_eq!(file.load(), Accounts::default());
        file.add_and_open(&account("a", SignInKind::OAuth)).unwrap();
        file.add(&account("b", SignInKind::OAuth)).unwrap();
        assert_eq!(file.active().unwrap().location_id, "a");
        assert_eq!(file.open("b").unwrap().unwrap().location_id, "b");
        assert!(file.open("nope").unwrap().is_none());
        assert_eq!(file.active().unwrap().location_id, "b");
        let left = file.remove("b").unwrap();
        assert_eq!(left.active, None);
        assert_eq!(left.accounts.len(), 1);
        file.open("a").unwrap();
        file.close().unwrap();
        assert_eq!(file.active(), None);
        assert_eq!(file.load().accounts.len(), 1);
    }

    #[test]
    fn never_keeps_the_demo() {
        let dir = tempfile::tempdir().unwrap();
        let file = AccountsFile::in_dir(dir.path());
        file.add_and_open(&account("real", SignInKind::PrivateIntegration))
            .unwrap();
        file.add_and_open(&account("demo", SignInKind::Demo))
            .unwrap();
        let kept = file.load();
        assert_eq!(kept.active, None);
        assert_eq!(kept.accounts.len(), 1);
    }

    #[test]
    fn a_damaged_file_is_kept_aside_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let file = AccountsFile::in_dir(dir.path());
        std::fs::write(dir.path().join("accounts.json"), b"{ not json").unwrap();
        assert!(
            file.add(&account("x", SignInKind::OAuth)).is_err(),
            "not overwritten while unread"
        );
        let said = file.check().unwrap();
        assert!(said.contains("could not be read"), "{said}");
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.contains("damaged"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(
            std::fs::read(dir.path().join(&aside[0])).unwrap(),
            b"{ not json"
        );
        assert!(file.check().is_none());
        file.add(&account("x", SignInKind::OAuth)).unwrap();
    }

    #[test]
    fn reads_the_single_account_file_of_earlier_versions() {
        let dir = tempfile::tempdir().unwrap();
        let old = account("old", SignInKind::OAuth);
        std::fs::write(
            dir.path().join("account.json"),
            serde_json::to_string(&old).unwrap(),
        )
        .unwrap();
        let file = AccountsFile::in_dir(dir.path());
        assert_eq!(file.active(), Some(old.clone()));
        file.add(&account("new", SignInKind::OAuth)).unwrap();
        assert!(!dir.path().join("account.json").exists());
        assert_eq!(file.load().accounts.len(), 2);
        assert_eq!(file.active(), Some(old));
    }
}
