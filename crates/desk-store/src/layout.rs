//! Where GHL Desk keeps its files: one root directory holding the logs and one SQLite
//! database per signed-in location.

use std::path::{Path, PathBuf};

/// The bundle identifier, shared with `tauri.conf.json`, so that the core crates and the
/// desktop shell agree on the OS data directory without depending on Tauri.
pub const APP_IDENTIFIER: &str = "dev.ghldesk.desk";

/// Environment variable that moves the whole data directory (tests, the CLI, portable use).
pub const DATA_DIR_ENV: &str = "GHL_DESK_DATA_DIR";

/// Why the data directory could not be located or used.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// The OS reports no per-user data directory (no `$HOME`, for instance).
    #[error("this system has no per-user data directory; set {DATA_DIR_ENV} to choose one")]
    NoDataDir,
    /// A location id that cannot safely become a file name.
    #[error("'{0}' is not a valid location id")]
    InvalidLocationId(String),
    /// The directory could not be created.
    #[error("cannot create {path}: {source}")]
    Create {
        /// The directory that could not be created.
        path: PathBuf,
        /// The underlying OS error.
        source: std::io::Error,
    },
    /// A file could not be deleted.
    #[error("cannot delete {path}: {source}")]
    Delete {
        /// The file that could not be deleted.
        path: PathBuf,
        /// The underlying OS error.
        source: std::io::Error,
    },
}

/// The files of one GHL Desk installation, rooted at one directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataLayout {
    root: PathBuf,
}

impl DataLayout {
    /// A layout rooted at `root`, for tests and for `--data-dir`.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The layout for this user: `$GHL_DESK_DATA_DIR` when set, else the OS data
    /// directory (`~/.local/share`, `~/Library/Application Support`, `%APPDATA%`) joined
    /// with the app identifier, the same directory Tauri calls the app data dir.
    pub fn for_user() -> Result<Self, LayoutError> {
        match std::env::var_os(DATA_DIR_ENV) {
            Some(dir) if !dir.is_empty() => Ok(Self::at(dir)),
            _ => dirs::data_dir()
                .map(|dir| Self::at(dir.join(APP_IDENTIFIER)))
                .ok_or(LayoutError::NoDataDir),
        }
    }

    /// The root directory of everything the app stores.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Rotating log files.
    pub fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// One SQLite database per signed-in location lives here.
    pub fn databases_dir(&self) -> PathBuf {
        self.root.join("locations")
    }

    /// The database file of one location. Location ids are GHL's opaque alphanumeric
    /// ids; anything else is refused so that an id can never name a path outside the
    /// databases directory.
    pub fn location_database(&self, location_id: &str) -> Result<PathBuf, LayoutError> {
        let valid = !location_id.is_empty()
            && location_id.len() <= 64
            && location_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(LayoutError::InvalidLocationId(location_id.to_owned()));
        }
        Ok(self.databases_dir().join(format!("{location_id}.sqlite3")))
    }

    /// The lock file held by the one process sending a location's queued changes (its
    /// lease), so that two processes never send the same change.
    pub fn lease_path(&self, location_id: &str) -> Result<PathBuf, LayoutError> {
        Ok(self.location_database(location_id)?.with_extension("lease"))
    }

    /// The lock file that serialises refreshes of a location's OAuth pair across
    /// processes (a refresh token works once).
    pub fn refresh_lock_path(&self, location_id: &str) -> Result<PathBuf, LayoutError> {
        Ok(self
            .location_database(location_id)?
            .with_extension("refresh.lock"))
    }

    /// Deletes a location's database with its write-ahead log and shared-memory files
    /// (the caller has closed every connection to it). A missing file is not an error.
    pub fn delete_location_database(&self, location_id: &str) -> Result<(), LayoutError> {
        let database = self.location_database(location_id)?;
        for suffix in ["", "-wal", "-shm"] {
            let mut name = database.clone().into_os_string();
            name.push(suffix);
            let path = PathBuf::from(name);
            match std::fs::remove_file(&path) {
                Err(source) if source.kind() != std::io::ErrorKind::NotFound => {
                    return Err(LayoutError::Delete { path, source })
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Moves a location's database and its journal files aside (renamed `<id>.<tag>…`)
    /// so that a fresh one can start; returns the moved database file.
    pub fn set_aside_location_database(
        &self,
        location_id: &str,
        tag: &str,
    ) -> Result<PathBuf, LayoutError> {
        let database = self.location_database(location_id)?;
        let aside = self
            .databases_dir()
            .join(format!("{location_id}.{tag}.sqlite3"));
        for suffix in ["", "-wal", "-shm"] {
            let with = |p: &Path| {
                let mut name = p.as_os_str().to_owned();
                name.push(suffix);
                PathBuf::from(name)
            };
            match std::fs::rename(with(&database), with(&aside)) {
                Err(source) if source.kind() != std::io::ErrorKind::NotFound => {
                    return Err(LayoutError::Delete {
                        path: with(&database),
                        source,
                    })
                }
                _ => {}
            }
        }
        Ok(aside)
    }

    /// Creates the root, logs and databases directories if they are missing, and makes
    /// the whole folder private to this user (on Unix: folders 0700, files 0600; cached
    /// contacts and notes are customer data), tightening what an earlier version left
    /// more open.
    pub fn ensure_dirs(&self) -> Result<(), LayoutError> {
        for path in [self.root.clone(), self.logs_dir(), self.databases_dir()] {
            std::fs::create_dir_all(&path)
                .map_err(|source| LayoutError::Create { path, source })?;
        }
        make_private(&self.root).map_err(|(path, source)| LayoutError::Create { path, source })
    }
}

/// Makes `path` (and, for a folder, everything in it) readable by this user only.
#[cfg(unix)]
fn make_private(path: &Path) -> Result<(), (PathBuf, std::io::Error)> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::symlink_metadata(path).map_err(|e| (path.to_owned(), e))?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let mode = if meta.is_dir() { 0o700 } else { 0o600 };
    if meta.permissions().mode() & 0o777 != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| (path.to_owned(), e))?;
    }
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).map_err(|e| (path.to_owned(), e))? {
            let entry = entry.map_err(|e| (path.to_owned(), e))?;
            make_private(&entry.path())?;
        }
    }
    Ok(())
}

/// Other systems keep per-user folders private already.
#[cfg(not(unix))]
fn make_private(_path: &Path) -> Result<(), (PathBuf, std::io::Error)> {
    Ok(())
}

/// From now on, files and folders this process creates are private to its user
/// (umask 077), whoever creates them (SQLite's journals, the log writer).
pub fn private_by_default() {
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Writes `bytes` to `path` through a temporary file renamed over it, so a reader sees
/// the old contents or the new, never half; the file is private to this user.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleting_a_location_database_removes_its_log_files_too() {
        let dir = tempfile::tempdir().unwrap();
        let layout = DataLayout::at(dir.path());
        layout.ensure_dirs().unwrap();
        let db = layout.location_database("loc1").unwrap();
        let store = crate::Store::open(&db).unwrap();
        drop(store);
        for suffix in ["-wal", "-shm"] {
            std::fs::write(format!("{}{suffix}", db.display()), b"x").unwrap();
        }
        layout.delete_location_database("loc1").unwrap();
        let left: Vec<_> = std::fs::read_dir(layout.databases_dir()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
        layout.delete_location_database("loc1").unwrap();
        assert!(layout.delete_location_database("../etc").is_err());
    }

    #[test]
    fn subdirectories_sit_under_the_root() {
        let layout = DataLayout::at("/data/ghl");
        assert_eq!(layout.logs_dir(), Path::new("/data/ghl/logs"));
        assert_eq!(layout.databases_dir(), Path::new("/data/ghl/locations"));
        assert_eq!(
            layout.location_database("ve9EPM428h8vShlRW1KT").unwrap(),
            Path::new("/data/ghl/locations/ve9EPM428h8vShlRW1KT.sqlite3")
        );
    }

    #[test]
    fn location_ids_that_could_escape_the_directory_are_refused() {
        let layout = DataLayout::at("/data/ghl");
        for bad in ["", "../etc", "a/b", "a\\b", "loc.sqlite3", &"x".repeat(65)] {
            assert!(
                matches!(
                    layout.location_database(bad),
                    Err(LayoutError::InvalidLocationId(_))
                ),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn ensure_dirs_creates_every_directory_and_is_idempotent() {
        let tmp = tempfile::tempdir().unwrap();
        let layout = DataLayout::at(tmp.path().join("nested/root"));
        layout.ensure_dirs().unwrap();
        layout.ensure_dirs().unwrap();
        assert!(layout.logs_dir().is_dir());
        assert!(layout.databases_dir().is_dir());
    }

    #[cfg(unix)]
    #[test]
    fn the_data_folder_is_private_and_an_open_one_is_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let layout = DataLayout::at(tmp.path().join("data"));
        layout.ensure_dirs().unwrap();
        let db = layout.location_database("loc1").unwrap();
        drop(crate::Store::open(&db).unwrap());
        let log = layout.logs_dir().join("ghl-desk.log");
        std::fs::write(&log, b"x").unwrap();
        for (path, mode) in [(&db, 0o644), (&log, 0o644)] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        std::fs::set_permissions(layout.root(), std::fs::Permissions::from_mode(0o755)).unwrap();
        layout.ensure_dirs().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(layout.root()), 0o700);
        assert_eq!(mode(&layout.databases_dir()), 0o700);
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&log), 0o600);
        let secret = layout.root().join("x.bin");
        write_private(&secret, b"s").unwrap();
        assert_eq!(mode(&secret), 0o600);
    }

    #[test]
    fn ensure_dirs_reports_the_path_it_could_not_create() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a-file");
        std::fs::write(&file, b"").unwrap();
        let err = DataLayout::at(file.join("root")).ensure_dirs().unwrap_err();
        assert!(err.to_string().contains("a-file"), "{err}");
    }
}
