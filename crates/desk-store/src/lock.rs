//! Exclusive locks between processes (the app and a cron CLI on one data folder), held
//! on a file with the OS's advisory lock, so the OS frees it when its holder dies, even
//! by `kill -9`. The holder writes its process id into the file, so the one waiting can
//! say who holds it, and whether the last holder ended cleanly.

use std::{
    fs::{File, OpenOptions, TryLockError},
    io::{Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// Written into the file when its holder lets go in order.
const RELEASED: &str = "released";

/// How often a waiting process tries again.
const POLL: Duration = Duration::from_millis(50);

/// An exclusive lock on a file, released when dropped (or when the process dies).
#[derive(Debug)]
pub struct FileLock {
    file: File,
    path: PathBuf,
    after_crash: bool,
}

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error("held by process {pid}")]
    Held {
        /// The holder's process id, as it wrote it (0 when unknown).
        pid: u32,
    },
    /// The lock file could not be used.
    #[error("cannot use the lock file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> LockError + '_ {
    move |source| LockError::Io {
        path: path.to_owned(),
        source,
    }
}

fn contents(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.seek(SeekFrom::Start(0));
    let _ = file.read_to_string(&mut text);
    text
}

impl FileLock {
    /// Takes the lock at once, or says who holds it.
    pub fn try_acquire(path: &Path) -> Result<Self, LockError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(path))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io_error(path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let pid = contents(&mut file).trim().parse().unwrap_or(0);
                return Err(LockError::Held { pid });
            }
            Err(TryLockError::Error(source)) => return Err(io_error(path)(source)),
        }
        let before = contents(&mut file);
        let after_crash = !before.trim().is_empty() && before.trim() != RELEASED;
        file.set_len(0).map_err(io_error(path))?;
        file.seek(SeekFrom::Start(0)).map_err(io_error(path))?;
        write!(file, "{}", std::process::id()).map_err(io_error(path))?;
        file.sync_data().map_err(io_error(path))?;
        Ok(Self {
            file,
            path: path.to_owned(),
            after_crash,
        })
    }

    /// Takes the lock, waiting up to `wait` for its holder to let go.
    pub fn acquire(path: &Path, wait: Duration) -> Result<Self, LockError> {
        let deadline = Instant::now() + wait;
        loop {
            match Self::try_acquire(path) {
                Err(LockError::Held { .. }) if Instant::now() < deadline => {
                    std::thread::sleep(POLL);
                }
                other => return other,
            }
        }
    }

    /// Whether the previous holder died holding it (it never wrote that it let go).
    pub fn after_crash(&self) -> bool {
        self.after_crash
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.seek(SeekFrom::Start(0));
        let _ = self.file.write_all(RELEASED.as_bytes());
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_the_next_knows_it_ended_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let first = FileLock::try_acquire(&path).unwrap();
        assert!(!first.after_crash());
        match FileLock::try_acquire(&path) {
            Err(LockError::Held { pid }) => assert_eq!(pid, std::process::id()),
            other => panic!("{other:?}"),
        }
        assert!(FileLock::acquire(&path, Duration::from_millis(120)).is_err());
        drop(first);
        let second = FileLock::acquire(&path, Duration::from_secs(1)).unwrap();
        assert!(!second.after_crash(), "the first let go in order");
    }

    #[test]
    fn a_lock_left_by_a_dead_holder_is_taken_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        std::fs::write(&path, "4242").unwrap();
        let lock = FileLock::try_acquire(&path).unwrap();
        assert!(lock.after_crash());
    }
}
