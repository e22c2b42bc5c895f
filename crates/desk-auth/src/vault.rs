//! Where secrets live: the OS keychain (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows) through `keyring`; where the user chose it (a server,
//! a container, a cron job), an encrypted file in the data folder
//! ([`crate::file_vault`]); and where neither is there, memory for this run only (the
//! user is told). Secrets never go to SQLite, logs or the webview.

use std::{
    collections::HashMap,
    sync::{Mutex, OnceLock},
    thread::JoinHandle,
};

use crate::error::AuthError;

/// The keychain service name GHL Desk's entries are filed under.
pub const SERVICE: &str = "dev.ghldesk.desk";

/// A store of secrets by key.
pub trait Vault: Send + Sync {
    /// Saves (or replaces) a secret.
    fn put(&self, key: &str, secret: &str) -> Result<(), AuthError>;
    /// Reads a secret, `None` when absent.
    fn get(&self, key: &str) -> Result<Option<String>, AuthError>;
    /// Deletes a secret (absent is fine).
    fn delete(&self, key: &str) -> Result<(), AuthError>;
    /// Whether secrets outlive this process.
    fn persistent(&self) -> bool;
}

/// Secrets in memory, for tests and for machines without a usable keychain.
#[derive(Debug, Default)]
pub struct MemoryVault(Mutex<HashMap<String, String>>);

impl MemoryVault {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Vault for MemoryVault {
    fn put(&self, key: &str, secret: &str) -> Result<(), AuthError> {
        self.map().insert(key.to_owned(), secret.to_owned());
        Ok(())
    }

    fn get(&self, key: &str) -> Result<Option<String>, AuthError> {
        Ok(self.map().get(key).cloned())
    }

    fn delete(&self, key: &str) -> Result<(), AuthError> {
        self.map().remove(key);
        Ok(())
    }

    fn persistent(&self) -> bool {
        false
    }
}

/// The OS keychain.
#[derive(Debug, Default)]
pub struct KeyringVault;

fn entry(key: &str) -> Result<keyring::Entry, AuthError> {
    keyring::Entry::new(SERVICE, key).map_err(|e| AuthError::Vault(e.to_string()))
}

impl Vault for KeyringVault {
    fn put(&self, key: &str, secret: &str) -> Result<(), AuthError> {
        entry(key)?
            .set_password(secret)
            .map_err(|e| AuthError::Vault(e.to_string()))
    }

    fn get(&self, key: &str) -> Result<Option<String>, AuthError> {
        match entry(key)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(AuthError::Vault(e.to_string())),
        }
    }

    fn delete(&self, key: &str) -> Result<(), AuthError> {
        match entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(AuthError::Vault(e.to_string())),
        }
    }

    fn persistent(&self) -> bool {
        true
    }
}

impl KeyringVault {
    /// Whether the keychain really stores and returns a secret here (a locked or absent
    /// Secret Service fails this), checked with a throwaway entry.
    pub fn usable() -> bool {
        let vault = Self;
        let key = "probe";
        let ok = vault.put(key, "probe-value").is_ok()
            && vault.get(key).ok().flatten().as_deref() == Some("probe-value");
        let _ = vault.delete(key);
        ok
    }
}

/// The keychain if it proves usable, else memory for this run, chosen on a thread of its
/// own: the probe writes, reads and deletes a secret through the OS's secret service,
/// which the window's start should not wait for. The first use of a secret waits for
/// the choice instead.
pub struct ProbedVault {
    probe: Mutex<Option<JoinHandle<Box<dyn Vault>>>>,
    chosen: OnceLock<Box<dyn Vault>>,
}

impl ProbedVault {
    /// Starts probing the keychain.
    pub fn start() -> Self {
        let probe = std::thread::Builder::new()
            .name("keychain-probe".into())
            .spawn(keychain_or_memory)
            .ok();
        Self {
            probe: Mutex::new(probe),
            chosen: OnceLock::new(),
        }
    }

    fn vault(&self) -> &dyn Vault {
        self.chosen
            .get_or_init(|| {
                let probe = self.probe.lock().unwrap_or_else(|p| p.into_inner()).take();
                match probe.map(JoinHandle::join) {
                    Some(Ok(vault)) => vault,
                    Some(Err(_)) | None => keychain_or_memory(),
                }
            })
            .as_ref()
    }
}

impl Vault for ProbedVault {
    fn put(&self, key: &str, secret: &str) -> Result<(), AuthError> {
        self.vault().put(key, secret)
    }

    fn get(&self, key: &str) -> Result<Option<String>, AuthError> {
        self.vault().get(key)
    }

    fn delete(&self, key: &str) -> Result<(), AuthError> {
        self.vault().delete(key)
    }

    fn persistent(&self) -> bool {
        self.vault().persistent()
    }
}

/// The keychain when it works here, else memory for this run only.
fn keychain_or_memory() -> Box<dyn Vault> {
    if KeyringVault::usable() {
        return Box::new(KeyringVault);
    }
    tracing::warn!("no usable system keychain: secrets are kept until this process ends");
    Box::new(MemoryVault::default())
}

/// The name of the encrypted secrets file in the data folder.
pub const SECRETS_FILE: &str = "secrets.vault";

/// The vault to use for the data folder `root`: the encrypted file when its passphrase
/// is set ([`crate::file_vault::PASSPHRASE_ENV`]), else the OS keychain when it works,
/// else memory for this run only ([`ProbedVault`]: which of the two is known by the
/// time a secret is first needed).
pub fn best_vault(root: &std::path::Path) -> Result<Box<dyn Vault>, AuthError> {
    if let Some(passphrase) = std::env::var_os(crate::file_vault::PASSPHRASE_ENV) {
        let passphrase = passphrase.to_string_lossy();
        let vault = crate::file_vault::FileVault::open(&root.join(SECRETS_FILE), &passphrase)?;
        return Ok(Box::new(vault));
    }
    Ok(Box::new(ProbedVault::start()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_vault_round_trips() {
        let vault = MemoryVault::default();
        assert_eq!(vault.get("a").unwrap(), None);
        vault.put("a", "1").unwrap();
        vault.put("a", "2").unwrap();
        assert_eq!(vault.get("a").unwrap().as_deref(), Some("2"));
        vault.delete("a").unwrap();
        vault.delete("a").unwrap();
        assert_eq!(vault.get("a").unwrap(), None);
        assert!(!vault.persistent());
    }

    #[test]
    fn the_probed_vault_keeps_secrets_in_what_it_chose() {
        let vault = ProbedVault::start();
        let key = format!("probed-test-{}", std::process::id());
        vault.put(&key, "s3cret").unwrap();
        assert_eq!(vault.get(&key).unwrap().as_deref(), Some("s3cret"));
        vault.delete(&key).unwrap();
        assert_eq!(vault.get(&key).unwrap(), None);
        assert_eq!(
            vault.persistent(),
            KeyringVault::usable(),
            "the keychain where it works, memory where it does not"
        );
    }
}
