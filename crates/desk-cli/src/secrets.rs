//! Secrets and long text given to the command line without putting them on it: from
//! standard input (prompted without echo on a terminal), a file, or an environment
//! variable. A secret passed as an argument still works, with a warning, since other
//! users of the machine can read the process list.

use std::{
    io::{IsTerminal, Read},
    path::Path,
};

use desk::{DeskError, DeskResult, ErrorKind};

fn invalid(message: String) -> DeskError {
    DeskError::new(ErrorKind::Invalid, message)
}

/// Reads a file, or standard input for `-`.
pub fn read_text(path: &Path) -> DeskResult<String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| invalid(format!("cannot read standard input: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(path)
        .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))
}

/// A secret named `what`: `value` as given (`-`: read from standard input), or the
/// contents of `file`. Surrounding white space is dropped.
pub fn secret(what: &str, value: Option<&str>, file: Option<&Path>) -> DeskResult<Option<String>> {
    let raw = match (value, file) {
        (_, Some(path)) => read_text(path)?,
        (Some("-"), None) => {
            if std::io::stdin().is_terminal() {
                rpassword::prompt_password(format!("{what}: "))
                    .map_err(|e| invalid(format!("cannot read the {what}: {e}")))?
            } else {
                read_text(Path::new("-"))?
            }
        }
        (Some(given), None) => {
            if std::env::args().any(|arg| arg.contains(given)) {
                tracing::warn!(
                    "the {what} was given on the command line, where other users of this machine can see it; pass it on standard input (leave the value out) or with a file instead"
                );
            }
            given.to_owned()
        }
        (None, None) => return Ok(None),
    };
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(invalid(format!("the {what} is empty")));
    }
    Ok(Some(trimmed.to_owned()))
}
