//! Walks every contact of a location page by page with `POST /contacts/search` and its
//! `searchAfter` cursor, without skipping or repeating contacts that share a timestamp,
//! and stopping with [`GhlError::CursorLoop`] instead of looping if GHL hands back a
//! cursor it already gave (the same one, or one from pages before).

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::{
    contacts::{SearchPage, SearchRequest},
    GhlClient, GhlError, GhlResult,
};

/// Pages through `POST /contacts/search` sorted by `dateUpdated` ascending, optionally
/// only contacts updated since a timestamp.
#[derive(Debug)]
pub struct SearchPager<'a> {
    client: &'a GhlClient,
    request: SearchRequest,
    done: bool,
    total: Option<u64>,
    seen: HashSet<String>,
}

impl<'a> SearchPager<'a> {
    /// Every contact, `page_limit` per request (GHL allows up to 500).
    pub fn new(client: &'a GhlClient, page_limit: u32) -> Self {
        let request = SearchRequest {
            page_limit,
            sort: vec![json!({ "field": "dateUpdated", "direction": "asc" })],
            ..SearchRequest::default()
        };
        Self {
            client,
            request,
            done: false,
            total: None,
            seen: HashSet::new(),
        }
    }

    /// How many contacts match, as GHL said with the last page.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// Only contacts whose `dateUpdated` is at or after `since` (ISO 8601), for
    /// incremental pulls. Contacts updated exactly at `since` are repeated, never missed.
    pub fn updated_since(mut self, since: &str) -> Self {
        self.request.filters =
            vec![json!({ "field": "dateUpdated", "operator": "range", "value": { "gte": since } })];
        self
    }

    /// The next page, or `None` when every contact has been returned.
    pub async fn next_page(&mut self) -> GhlResult<Option<SearchPage>> {
        if self.done {
            return Ok(None);
        }
        let page = self.client.search_contacts(&self.request).await?;
        self.total = Some(page.total);
        if page.items < self.request.page_limit as usize {
            self.done = true;
        }
        if page.items == 0 {
            self.done = true;
            return Ok(None);
        }
        if !self.done {
            let cursor: Vec<Value> = page.cursor.clone().ok_or_else(|| {
                GhlError::Decode("a search page carried no searchAfter cursor".into())
            })?;
            if !self.seen.insert(Value::Array(cursor.clone()).to_string()) {
                return Err(GhlError::CursorLoop);
            }
            self.request.search_after = Some(cursor);
        }
        Ok(Some(page))
    }
}
