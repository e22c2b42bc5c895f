//! Walks every contact of a location page by page, in either paging style, without
//! skipping or repeating contacts that share a timestamp, and stopping with
//! [`GhlError::CursorStuck`] instead of looping if GHL repeats a cursor.

use serde_json::{json, Value};

use crate::{contacts::SearchRequest, models::Contact, GhlClient, GhlError, GhlResult};

/// Pages through `POST /contacts/search` sorted by `dateUpdated` ascending, with the
/// `searchAfter` cursor, optionally only contacts updated since a timestamp.
#[derive(Debug)]
pub struct SearchPager<'a> {
    client: &'a GhlClient,
    request: SearchRequest,
    done: bool,
    total: Option<u64>,
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

    /// Resumes after a cursor saved from an earlier run.
    pub fn resume_after(mut self, cursor: Vec<Value>) -> Self {
        self.request.search_after = Some(cursor);
        self
    }

    /// The cursor to resume from: the last contact returned so far.
    pub fn cursor(&self) -> Option<&[Value]> {
        self.request.search_after.as_deref()
    }

    /// The next page, or `None` when every contact has been returned.
    pub async fn next_page(&mut self) -> GhlResult<Option<Vec<Contact>>> {
        if self.done {
            return Ok(None);
        }
        let page = self.client.search_contacts(&self.request).await?;
        self.total = Some(page.total);
        if page.contacts.len() < self.request.page_limit as usize {
            self.done = true;
        }
        let Some(last) = page.contacts.last() else {
            self.done = true;
            return Ok(None);
        };
        let cursor = last.search_after.clone().ok_or_else(|| {
            GhlError::Decode("a search result carried no searchAfter cursor".into())
        })?;
        if self.request.search_after.as_ref() == Some(&cursor) {
            return Err(GhlError::CursorStuck);
        }
        self.request.search_after = Some(cursor);
        Ok(Some(page.contacts))
    }
}

/// Pages through the deprecated `GET /contacts/` with `startAfterId` + `startAfter`.
#[derive(Debug)]
pub struct ListPager<'a> {
    client: &'a GhlClient,
    limit: u32,
    after: Option<(String, Option<i64>)>,
    done: bool,
}

impl<'a> ListPager<'a> {
    /// Every contact, `limit` (≤ 100) per request.
    pub fn new(client: &'a GhlClient, limit: u32) -> Self {
        Self {
            client,
            limit,
            after: None,
            done: false,
        }
    }

    /// The next page, or `None` when every contact has been returned.
    pub async fn next_page(&mut self) -> GhlResult<Option<Vec<Contact>>> {
        if self.done {
            return Ok(None);
        }
        let (after_id, after_ms) = match &self.after {
            Some((id, ms)) => (Some(id.as_str()), *ms),
            None => (None, None),
        };
        let page = self
            .client
            .list_contacts(self.limit, after_id, after_ms, None)
            .await?;
        if page.contacts.is_empty() {
            self.done = true;
            return Ok(None);
        }
        if page.meta.next_page.is_none() || page.contacts.len() < self.limit as usize {
            self.done = true;
        }
        let next_id = page
            .meta
            .start_after_id
            .clone()
            .or_else(|| page.contacts.last().map(|c| c.id.clone()))
            .unwrap_or_default();
        if self.after.as_ref().map(|(id, _)| id) == Some(&next_id) {
            return Err(GhlError::CursorStuck);
        }
        self.after = Some((next_id, page.meta.start_after));
        Ok(Some(page.contacts))
    }
}
