//! What the app tells the user about itself: its version and where its data lives.

use serde::Serialize;

use crate::DataLayout;

/// The version and on-disk locations of this installation, shown in Settings so that a
/// user (or a support request) can find the logs and databases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The app's semantic version.
    pub version: String,
    /// The root of everything the app stores.
    pub data_dir: String,
    /// Where the rotating log files are written.
    pub log_dir: String,
    /// The directory holding one SQLite database per signed-in location.
    pub databases_dir: String,
    /// The database of the location in use; `None` until a location is signed in.
    pub database_path: Option<String>,
}

impl AppInfo {
    /// Describes `layout` for an app of version `version`, with `active_location` the
    /// location in use, if any.
    pub fn describe(
        version: &str,
        layout: &DataLayout,
        active_location: Option<&str>,
    ) -> Result<Self, crate::LayoutError> {
        let database_path = active_location
            .map(|id| layout.location_database(id))
            .transpose()?
            .map(|path| path.display().to_string());
        Ok(Self {
            version: version.to_owned(),
            data_dir: layout.root().display().to_string(),
            log_dir: layout.logs_dir().display().to_string(),
            databases_dir: layout.databases_dir().display().to_string(),
            database_path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_the_layout_without_a_location() {
        let info = AppInfo::describe("1.2.3", &DataLayout::at("/d"), None).unwrap();
        assert_eq!(info.version, "1.2.3");
        assert_eq!(info.data_dir, "/d");
        assert_eq!(
            info.log_dir,
            std::path::Path::new("/d/logs").display().to_string()
        );
        assert_eq!(info.database_path, None);
    }

    #[test]
    fn names_the_active_location_database() {
        let info = AppInfo::describe("1.0.0", &DataLayout::at("/d"), Some("abc123")).unwrap();
        let expected = std::path::Path::new("/d/locations/abc123.sqlite3");
        assert_eq!(
            info.database_path.as_deref(),
            Some(expected.display().to_string().as_str())
        );
    }

    #[test]
    fn serialises_camel_case_for_the_ui() {
        let info = AppInfo::describe("1.0.0", &DataLayout::at("/d"), None).unwrap();
        let json = serde_json::to_string(&info).unwrap();
        assert!(json.contains("\"dataDir\""), "{json}");
        assert!(json.contains("\"databasePath\":null"), "{json}");
    }
}
