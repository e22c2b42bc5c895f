//! Per-account settings kept with the account's cache, so that the app and the CLI
//! agree on them.

use rusqlite::{params, OptionalExtension};

use crate::{db::Store, error::StoreResult, model::MergePolicy};

const MERGE_POLICY: &str = "merge_policy";

impl Store {
    /// How same-field conflicts are settled for this account.
    pub fn merge_policy(&self) -> StoreResult<MergePolicy> {
        let stored: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE name = ?1",
                [MERGE_POLICY],
                |r| r.get(0),
            )
            .optional()?;
        Ok(stored
            .as_deref()
            .and_then(MergePolicy::parse)
            .unwrap_or_default())
    }

    /// Chooses how same-field conflicts are settled from the next sync on.
    pub fn set_merge_policy(&mut self, policy: MergePolicy) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            params![MERGE_POLICY, policy.as_str()],
        )?;
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
