//! A command that panics still answers: the panic is logged (with the crash report, by
//! the panic hook) and the webview gets an error instead of a promise that never
//! settles.

use std::{future::Future, panic::AssertUnwindSafe};

use desk::{DeskError, ErrorKind, Location};

use crate::state::AppState;

fn panicked() -> DeskError {
    tracing::error!("a command failed with an internal error");
    DeskError::new(
        ErrorKind::Internal,
        "GHL Desk hit an internal error (please report it: Settings → Copy diagnostics); nothing you queued was lost",
    )
}

/// Runs `command`, answering a panic as an error.
pub fn answer<T>(command: impl FnOnce() -> Result<T, DeskError>) -> Result<T, DeskError> {
    std::panic::catch_unwind(AssertUnwindSafe(command)).unwrap_or_else(|_| Err(panicked()))
}

/// Runs `command` on its own task, answering a panic as an error.
pub async fn answer_async<T: Send + 'static>(
    command: impl Future<Output = Result<T, DeskError>> + Send + 'static,
) -> Result<T, DeskError> {
    tauri::async_runtime::spawn(command)
        .await
        .unwrap_or_else(|_| Err(panicked()))
}

/// Runs blocking `command` (database work that may take a while) off the main thread,
/// answering a panic as an error.
pub async fn answer_blocking<T: Send + 'static>(
    command: impl FnOnce() -> Result<T, DeskError> + Send + 'static,
) -> Result<T, DeskError> {
    tauri::async_runtime::spawn_blocking(command)
        .await
        .unwrap_or_else(|_| Err(panicked()))
}

/// Runs `command` on the open location off the main thread, answering a panic as an
/// error. Database reads and writes go here: on the main thread they would hold up the
/// window's own drawing and every other call from the page while they run.
pub async fn with_location<T: Send + 'static>(
    state: &AppState,
    command: impl FnOnce(&Location) -> Result<T, DeskError> + Send + 'static,
) -> Result<T, DeskError> {
    let desk = state.desk.clone();
    answer_blocking(move || command(&*desk.location()?)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_answered_as_an_internal_error() {
        let err = answer::<()>(|| panic!("a bug")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Internal);
        assert_eq!(answer(|| Ok(7)).unwrap(), 7);
        let err = tauri::async_runtime::block_on(answer_async::<()>(async { panic!("a bug") }))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Internal);
        let err =
            tauri::async_runtime::block_on(answer_blocking::<()>(|| panic!("a bug"))).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Internal);
    }
}
