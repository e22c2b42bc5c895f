//! Contacts to CSV, tags and custom fields included, for spreadsheets and other tools.

use std::{collections::BTreeSet, io::Write};

use serde_json::Value;

use crate::{
    db::Store,
    error::{StoreError, StoreResult},
};

const FIXED: &[(&str, &str)] = &[
    ("id", "id"),
    ("firstName", "first_name"),
    ("lastName", "last_name"),
    ("email", "email"),
    ("phone", "phone"),
    ("companyName", "company_name"),
    ("businessId", "business_id"),
    ("dateAdded", "date_added"),
    ("dateUpdated", "date_updated"),
];

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

impl Store {
    /// Writes every contact (as the view shows it) as CSV: fixed columns, `tags` joined
    /// with `; `, then one `custom:<id>` column per custom field in use. Returns the
    /// number of contacts written.
    pub fn export_contacts_csv<W: Write>(&self, out: W) -> StoreResult<usize> {
        let mut stmt = self
            .conn
            .prepare("SELECT raw FROM contacts ORDER BY sort_name, id")?;
        let records: Vec<Value> = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .map(|raw| Ok(serde_json::from_str(&raw?)?))
            .collect::<StoreResult<_>>()?;
        let custom_ids: BTreeSet<String> = records
            .iter()
            .flat_map(|r| r["customFields"].as_array().cloned().unwrap_or_default())
            .filter_map(|f| f["id"].as_str().map(str::to_owned))
            .collect();
        let mut writer = csv::Writer::from_writer(out);
        let export_err = |e: csv::Error| StoreError::Export(e.to_string());
        let header: Vec<String> = FIXED
            .iter()
            .map(|(_, h)| (*h).to_owned())
            .chain(["tags".to_owned()])
            .chain(custom_ids.iter().map(|id| format!("custom:{id}")))
            .collect();
        writer.write_record(&header).map_err(export_err)?;
        for record in &records {
            let mut row: Vec<String> = FIXED.iter().map(|(key, _)| cell(&record[*key])).collect();
            row.push(cell(&record["tags"]));
            let fields = record["customFields"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for id in &custom_ids {
                row.push(
                    fields
                        .iter()
                        .find(|f| f["id"].as_str() == Some(id))
                        .map(|f| cell(&f["value"]))
                        .unwrap_or_default(),
                );
            }
            writer.write_record(&row).map_err(export_err)?;
        }
        writer
            .flush()
            .map_err(|e| StoreError::Export(e.to_string()))?;
        Ok(records.len())
    }
}
