//! `export csv`.

use desk::{Desk, DeskError, DeskResult, ErrorKind};
use serde_json::json;

use crate::output::Out;

/// Writes every contact as CSV to `out_file`, or standard output.
pub fn csv(desk: &Desk, out: &Out, out_file: Option<&std::path::Path>) -> DeskResult<u8> {
    let location = desk.location()?;
    match out_file {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| {
                DeskError::new(
                    ErrorKind::Storage,
                    format!("cannot write {}: {e}", path.display()),
                )
            })?;
            let written = location.export_csv(file)?;
            out.print(&json!({ "contacts": written }), || {
                format!("exported {written} contacts")
            });
        }
        None => {
            location.export_csv(std::io::stdout())?;
        }
    }
    Ok(0)
}
