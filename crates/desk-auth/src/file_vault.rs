//! An encrypted file of secrets in the data folder, for machines without a working
//! keychain (servers, containers, cron jobs): OAuth pairs rotate and must survive from
//! one run to the next. The key comes from a passphrase (`GHL_DESK_VAULT_PASSPHRASE`)
//! through Argon2id; the secrets are sealed with XChaCha20-Poly1305, so a changed or
//! foreign file is refused, never half-read. Writers on several processes take turns
//! through a lock file, and each write replaces the file atomically.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Duration,
};

use argon2::Argon2;
use chacha20poly1305::{
    aead::{Aead, KeyInit},
    XChaCha20Poly1305, XNonce,
};
use desk_store::FileLock;
use rand::RngCore;

use crate::{error::AuthError, vault::Vault};

/// The environment variable holding the file vault's passphrase.
pub const PASSPHRASE_ENV: &str = "GHL_DESK_VAULT_PASSPHRASE";

/// The file's first bytes: what it is and the format's version.
const MAGIC: &[u8; 8] = b"GHLDV1\0\0";
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;

/// How long a write waits for another process writing the same file.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Secrets in an encrypted file.
pub struct FileVault {
    path: PathBuf,
    lock: PathBuf,
    passphrase: String,
}

impl std::fmt::Debug for FileVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileVault")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn vault_error(path: &Path, why: impl std::fmt::Display) -> AuthError {
    AuthError::Vault(format!("the secrets file {}: {why}", path.display()))
}

fn key(passphrase: &str, salt: &[u8]) -> Result<[u8; 32], String> {
    let mut key = [0u8; 32];
    Argon2::default()
        .hash_password_into(passphrase.as_bytes(), salt, &mut key)
        .map_err(|e| e.to_string())?;
    Ok(key)
}

impl FileVault {
    /// The vault at `path`, opened with `passphrase` (the file is made on first write).
    /// A file this passphrase cannot open is refused at once.
    pub fn open(path: &Path, passphrase: &str) -> Result<Self, AuthError> {
        if passphrase.trim().is_empty() {
            return Err(AuthError::Vault(format!("{PASSPHRASE_ENV} is empty")));
        }
        let vault = Self {
            path: path.to_owned(),
            lock: path.with_extension("lock"),
            passphrase: passphrase.to_owned(),
        };
        vault.read()?;
        Ok(vault)
    }

    fn read(&self) -> Result<BTreeMap<String, String>, AuthError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(e) => return Err(vault_error(&self.path, e)),
        };
        let header = MAGIC.len() + SALT_LEN + NONCE_LEN;
        if bytes.len() < header || &bytes[..MAGIC.len()] != MAGIC {
            return Err(vault_error(&self.path, "it is not a GHL Desk secrets file"));
        }
        let salt = &bytes[MAGIC.len()..MAGIC.len() + SALT_LEN];
        let nonce = XNonce::from_slice(&bytes[MAGIC.len() + SALT_LEN..header]);
        let key = key(&self.passphrase, salt).map_err(|e| vault_error(&self.path, e))?;
        let plain = XChaCha20Poly1305::new((&key).into())
            .decrypt(nonce, &bytes[header..])
            .map_err(|_| {
                vault_error(
                    &self.path,
                    format!("{PASSPHRASE_ENV} does not open it (a wrong passphrase, or the file was changed)"),
                )
            })?;
        serde_json::from_slice(&plain).map_err(|e| vault_error(&self.path, e))
    }

    fn write(&self, secrets: &BTreeMap<String, String>) -> Result<(), AuthError> {
        let mut salt = [0u8; SALT_LEN];
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut salt);
        rand::rng().fill_bytes(&mut nonce);
        let key = key(&self.passphrase, &salt).map_err(|e| vault_error(&self.path, e))?;
        let plain = serde_json::to_vec(secrets).map_err(|e| vault_error(&self.path, e))?;
        let sealed = XChaCha20Poly1305::new((&key).into())
            .encrypt(XNonce::from_slice(&nonce), plain.as_slice())
            .map_err(|_| vault_error(&self.path, "encryption failed"))?;
        let mut bytes = Vec::with_capacity(MAGIC.len() + SALT_LEN + NONCE_LEN + sealed.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&salt);
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        desk_store::layout::write_private(&self.path, &bytes)
            .map_err(|e| vault_error(&self.path, e))
    }

    /// Reads, changes and writes the secrets while holding the lock.
    fn change(&self, edit: impl FnOnce(&mut BTreeMap<String, String>)) -> Result<(), AuthError> {
        let _turn =
            FileLock::acquire(&self.lock, LOCK_WAIT).map_err(|e| vault_error(&self.path, e))?;
        let mut secrets = self.read()?;
        edit(&mut secrets);
        self.write(&secrets)
    }
}

impl Vault for FileVault {
    fn put(&self, key: &str, secret: &str) -> Result<(), AuthError> {
        self.change(|secrets| {
            secrets.insert(key.to_owned(), secret.to_owned());
        })
    }

    fn get(&self, key: &str) -> Result<Option<String>, AuthError> {
        Ok(self.read()?.get(key).cloned())
    }

    fn delete(&self, key: &str) -> Result<(), AuthError> {
        self.change(|secrets| {
            secrets.remove(key);
        })
    }

    fn persistent(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_survive_in_a_sealed_file_that_only_the_passphrase_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.vault");
        let vault = FileVault::open(&path, "correct horse").unwrap();
        vault
            .put("location:a:tokens", "refresh-secret-123")
            .unwrap();
        vault.put("app:client-secret", "client-secret-456").unwrap();
        vault.delete("app:client-secret").unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(6).any(|w| w == b"secret"),
            "nothing readable in the file"
        );
        let again = FileVault::open(&path, "correct horse").unwrap();
        assert_eq!(
            again.get("location:a:tokens").unwrap().as_deref(),
            Some("refresh-secret-123")
        );
        assert_eq!(again.get("app:client-secret").unwrap(), None);
        let wrong = FileVault::open(&path, "wrong").unwrap_err();
        assert!(wrong.to_string().contains(PASSPHRASE_ENV), "{wrong}");
        let mut tampered = bytes.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        std::fs::write(&path, tampered).unwrap();
        assert!(FileVault::open(&path, "correct horse").is_err());
        assert!(FileVault::open(&path, " ").is_err());
    }
}
