//! Per-account settings kept with the account's cache, so that the app and the CLI
//! agree on them.

use rusqlite::{params, OptionalExtension};

use serde_json::{Map, Value};

use crate::{
    db::{Store, SyncStore},
    error::StoreResult,
    model::{CustomFieldDef, MergePolicy},
};

const MERGE_POLICY: &str = "merge_policy";
const LOCATION_NAME: &str = "location_name";

fn setting(store: &Store, name: &str) -> StoreResult<Option<String>> {
    Ok(store
        .conn
        .query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

fn set_setting(store: &Store, name: &str, value: &str) -> StoreResult<()> {
    store.conn.execute(
        "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        params![name, value],
    )?;
    Ok(())
}

impl Store {
    /// How same-field conflicts are settled for this account.
    pub fn merge_policy(&self) -> StoreResult<MergePolicy> {
        Ok(setting(self, MERGE_POLICY)?
            .as_deref()
            .and_then(MergePolicy::parse)
            .unwrap_or_default())
    }

    /// Chooses how same-field conflicts are settled from the next sync on.
    pub fn set_merge_policy(&mut self, policy: MergePolicy) -> StoreResult<()> {
        set_setting(self, MERGE_POLICY, policy.as_str())
    }

    /// The location's name, as GHL last said.
    pub fn location_name(&self) -> StoreResult<Option<String>> {
        setting(self, LOCATION_NAME)
    }

    /// The location's contact custom fields, in GHL's order.
    pub fn custom_fields(&self) -> StoreResult<Vec<CustomFieldDef>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, field_key, data_type, raw FROM custom_fields ORDER BY position, name",
        )?;
        let fields = stmt
            .query_map([], |r| {
                let raw: String = r.get(4)?;
                let options = serde_json::from_str::<Value>(&raw)
                    .ok()
                    .and_then(|v| v.get("picklistOptions").and_then(Value::as_array).cloned())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|o| o.as_str().map(str::to_owned))
                    .collect();
                Ok(CustomFieldDef {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    key: r.get(2)?,
                    data_type: r.get(3)?,
                    options,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(fields)
    }
}

impl SyncStore {
    /// Remembers the location's name.
    pub fn set_location_name(&mut self, name: &str) -> StoreResult<()> {
        set_setting(self, LOCATION_NAME, name)
    }

    /// Replaces the custom-field definitions with GHL's list.
    pub fn apply_custom_fields(&mut self, fields: &[Map<String, Value>]) -> StoreResult<()> {
        let tx = self.write_tx()?;
        tx.execute("DELETE FROM custom_fields", [])?;
        for (position, field) in fields.iter().enumerate() {
            let text = |key: &str| field.get(key).and_then(Value::as_str);
            let (Some(id), Some(name)) = (text("id"), text("name")) else {
                continue;
            };
            tx.execute(
                "INSERT INTO custom_fields (id, name, field_key, data_type, position, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, name, text("fieldKey"), text("dataType"), field.get("position").and_then(Value::as_i64).unwrap_or(position as i64), Value::Object(field.clone()).to_string()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_policy_defaults_to_ask_and_is_remembered() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.merge_policy().unwrap(), MergePolicy::Ask);
        store.set_merge_policy(MergePolicy::PreferGhl).unwrap();
        assert_eq!(store.merge_policy().unwrap(), MergePolicy::PreferGhl);
        store.set_merge_policy(MergePolicy::PreferMine).unwrap();
        assert_eq!(store.merge_policy().unwrap(), MergePolicy::PreferMine);
    }
}
