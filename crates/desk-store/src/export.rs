//! Contacts to CSV, tags and custom fields included, for spreadsheets and other tools.
//! Contact data is whatever anyone typed into GHL, so no cell may become a formula when
//! the file is opened in a spreadsheet.

use std::{collections::HashSet, io::Write};

use rusqlite::params;
use serde_json::Value;

use crate::{
    db::Store,
    error::{StoreError, StoreResult},
    model::ContactQuery,
};

/// The record's fields written first, with their column names.
const FIXED: &[(&str, &str)] = &[
    ("id", "id"),
    ("firstName", "first_name"),
    ("lastName", "last_name"),
    ("email", "email"),
    ("phone", "phone"),
    ("companyName", "company_name"),
    ("businessId", "business_id"),
    ("address1", "address"),
    ("city", "city"),
    ("state", "state"),
    ("postalCode", "postal_code"),
    ("country", "country"),
    ("website", "website"),
    ("source", "source"),
    ("dateOfBirth", "date_of_birth"),
    ("dateAdded", "date_added"),
    ("dateUpdated", "date_updated"),
];

/// What a cell may not start with: a spreadsheet would read it as a formula (OWASP's
/// list for CSV injection).
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// A value as one cell: lists joined with `; `, and a leading `'` where the text would
/// otherwise start a formula.
fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text
    }
}

/// A custom field's id, whichever spelling the record used.
fn custom_id(field: &Value) -> Option<&str> {
    field
        .get("id")
        .or_else(|| field.get("_id"))
        .and_then(Value::as_str)
}

/// One custom-field column.
struct Column {
    id: String,
    header: String,
}

impl Store {
    /// The custom-field columns: the location's fields that some contact fills, in
    /// GHL's order and named as in GHL, then ids GHL no longer defines. Two fields
    /// with the same name are told apart by their id.
    fn custom_columns(&self) -> StoreResult<Vec<Column>> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT coalesce(json_extract(f.value, '$.id'), json_extract(f.value, '$._id'))
             FROM contacts, json_each(contacts.raw, '$.customFields') f",
        )?;
        let used: HashSet<String> = stmt
            .query_map([], |r| r.get::<_, Option<String>>(0))?
            .filter_map(|id| id.transpose())
            .collect::<Result<_, _>>()?;
        let defined = self.custom_fields()?;
        let mut columns: Vec<Column> = defined
            .iter()
            .filter(|f| used.contains(&f.id))
            .map(|f| Column {
                id: f.id.clone(),
                header: f.name.clone(),
            })
            .collect();
        let mut unknown: Vec<&String> = used
            .iter()
            .filter(|id| !defined.iter().any(|f| &f.id == *id))
            .collect();
        unknown.sort();
        columns.extend(unknown.into_iter().map(|id| Column {
            id: id.clone(),
            header: format!("custom:{id}"),
        }));
        let taken = |header: &str, columns: &[Column]| {
            columns.iter().filter(|c| c.header == header).count() > 1
                || FIXED.iter().any(|(_, h)| *h == header)
                || header == "tags"
        };
        let clashing: Vec<bool> = columns.iter().map(|c| taken(&c.header, &columns)).collect();
        for (column, clash) in columns.iter_mut().zip(clashing) {
            if clash {
                column.header = format!("{} ({})", column.header, column.id);
            }
        }
        Ok(columns)
    }

    /// Writes the contacts (as the view shows them) as CSV: every one by name, or, with
    /// `only`, those the list's query matches in its order. Fixed columns, `tags` joined
    /// with `; `, then one column per custom field in use, named by the field's name.
    /// Returns the number of contacts written.
    pub fn export_contacts_csv<W: Write>(
        &self,
        out: W,
        only: Option<&ContactQuery>,
    ) -> StoreResult<usize> {
        let columns = self.custom_columns()?;
        let mut writer = csv::Writer::from_writer(out);
        let export_err = |e: csv::Error| StoreError::Export(e.to_string());
        let header = FIXED
            .iter()
            .map(|(_, h)| cell(&Value::String((*h).to_owned())))
            .chain(["tags".to_owned()])
            .chain(
                columns
                    .iter()
                    .map(|c| cell(&Value::String(c.header.clone()))),
            );
        writer.write_record(header).map_err(export_err)?;
        let mut written = 0;
        let mut write = |raw: String| -> StoreResult<()> {
            let record: Value = serde_json::from_str(&raw)?;
            let fields = record["customFields"].as_array();
            let custom = columns.iter().map(|column| {
                fields
                    .and_then(|fields| {
                        fields
                            .iter()
                            .find(|f| custom_id(f) == Some(column.id.as_str()))
                    })
                    .map(|f| cell(f.get("value").unwrap_or(&Value::Null)))
                    .unwrap_or_default()
            });
            let line = FIXED
                .iter()
                .map(|(key, _)| cell(&record[*key]))
                .chain([cell(&record["tags"])])
                .chain(custom);
            writer.write_record(line).map_err(export_err)?;
            written += 1;
            Ok(())
        };
        match only {
            None => {
                let mut stmt = self
                    .conn
                    .prepare("SELECT raw FROM contacts ORDER BY sort_name, id")?;
                let mut rows = stmt.query(params![])?;
                while let Some(row) = rows.next()? {
                    write(row.get(0)?)?;
                }
            }
            Some(query) => {
                let mut stmt = self
                    .conn
                    .prepare("SELECT raw FROM contacts WHERE id = ?1")?;
                for id in self.matching_contact_ids(query)? {
                    write(stmt.query_row([&id], |r| r.get(0))?)?;
                }
            }
        }
        writer
            .flush()
            .map_err(|e| StoreError::Export(e.to_string()))?;
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_neutralised() {
        for formula in [
            "=HYPERLINK(\"x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(cell(&json!(formula)), format!("'{formula}"));
        }
        assert_eq!(cell(&json!(["=1", "ok"])), "'=1; ok");
        assert_eq!(cell(&json!("Grace")), "Grace");
        assert_eq!(cell(&json!(42)), "42");
        assert_eq!(cell(&Value::Null), "");
    }
}
