//! `export csv`.

use desk::{Desk, DeskResult};
use serde_json::json;

use crate::output::Out;

/// Writes every contact as CSV to `out_file`, or standard output.
pub fn csv(desk: &Desk, out: &Out, out_file: Option<&std::path::Path>) -> DeskResult<u8> {
    let location = desk.location()?;
    match out_file {
        Some(path) => {
            let written = location.export_csv_file(path, None)?;
            out.print(&json!({ "contacts": written }), || {
                format!("exported {written} contacts")
            });
        }
        None => {
            location.export_csv(std::io::stdout(), None)?;
        }
    }
    Ok(0)
}
