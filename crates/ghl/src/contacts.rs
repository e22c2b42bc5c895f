//! Contacts endpoints. Answers are read through [`crate::fields`], so every contact
//! comes back normalised and a search page reports the items it could not read.

use reqwest::Method;
use serde_json::{json, Map, Value};

use crate::{
    client::{take, take_list, Call},
    fields::{read_contact, read_contacts, ContactShape, Listed, Observed, Record},
    GhlClient, GhlError, GhlResult,
};

/// One page of `POST /contacts/search`.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    /// The contacts that could be read, each as a partial answer.
    pub contacts: Listed<Observed>,
    /// All matches, across pages.
    pub total: u64,
    /// Items on this page (read or not): fewer than asked means the last page.
    pub items: usize,
    /// The `searchAfter` cursor of the page's last item that had one.
    pub cursor: Option<Vec<Value>>,
}

/// A `POST /contacts/search` request.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// Results per page (GHL allows up to 500).
    pub page_limit: u32,
    /// GHL filter objects (`{field, operator, value}` or groups).
    pub filters: Vec<Value>,
    /// Sort keys (`{field, direction}`).
    pub sort: Vec<Value>,
    /// Free-text query.
    pub query: Option<String>,
    /// Page number (standard paging, first 10,000 records).
    pub page: Option<u32>,
    /// Cursor from the previous page's last contact.
    pub search_after: Option<Vec<Value>>,
}

impl Default for SearchRequest {
    fn default() -> Self {
        Self {
            page_limit: 100,
            filters: Vec::new(),
            sort: Vec::new(),
            query: None,
            page: None,
            search_after: None,
        }
    }
}

/// The contact of an answer that must carry one (`{"contact": {…}}`).
fn whole_contact(answer: Value, what: &str, created: bool) -> GhlResult<Record> {
    read_contact(ContactShape::Record, take(answer, "contact"))
        .map(|seen| seen.record)
        .map_err(|skipped| {
            let why = format!("{what}: {skipped}");
            if created {
                GhlError::OutcomeUnknown(format!(
                    "HighLevel accepted {why}, but its answer named no contact"
                ))
            } else {
                GhlError::Decode(why)
            }
        })
}

impl GhlClient {
    fn contact_path(id: &str) -> String {
        format!("contacts/{id}")
    }

    /// `POST /contacts/`: never retried blindly; an unknown outcome (including an
    /// accepted create whose answer cannot be read) is [`GhlError::OutcomeUnknown`].
    pub async fn create_contact(&self, fields: &Map<String, Value>) -> GhlResult<Record> {
        let mut body = fields.clone();
        body.insert("locationId".into(), self.location_id().into());
        let answer = self
            .send(Call::new(Method::POST, "contacts/").json(Value::Object(body)))
            .await?;
        whole_contact(answer, "POST /contacts/", true)
    }

    /// `GET /contacts/{id}`: the whole record.
    pub async fn get_contact(&self, id: &str) -> GhlResult<Record> {
        let answer = self
            .send(Call::new(Method::GET, Self::contact_path(id)))
            .await?;
        whole_contact(answer, "GET /contacts/{id}", false)
    }

    /// `PUT /contacts/{id}` with only the changed fields (`tags` here replaces all tags:
    /// the app uses [`GhlClient::add_tags`] / [`GhlClient::remove_tags`]).
    pub async fn update_contact(&self, id: &str, fields: &Map<String, Value>) -> GhlResult<Record> {
        let answer = self
            .send(
                Call::new(Method::PUT, Self::contact_path(id)).json(Value::Object(fields.clone())),
            )
            .await?;
        whole_contact(answer, "PUT /contacts/{id}", false)
    }

    /// `DELETE /contacts/{id}`
    pub async fn delete_contact(&self, id: &str) -> GhlResult<()> {
        self.send(Call::new(Method::DELETE, Self::contact_path(id)))
            .await?;
        Ok(())
    }

    /// `GET /contacts/search/duplicate`: the contact GHL considers the same person by
    /// email (first) or phone, if any.
    pub async fn find_duplicate(
        &self,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> GhlResult<Option<Record>> {
        let mut call = Call::new(Method::GET, "contacts/search/duplicate")
            .query("locationId", self.location_id());
        if let Some(email) = email {
            call = call.query("email", email);
        }
        if let Some(phone) = phone {
            call = call.query("number", phone);
        }
        match take(self.send(call).await?, "contact") {
            Value::Null => Ok(None),
            found => read_contact(ContactShape::Record, found)
                .map(|seen| Some(seen.record))
                .map_err(|skipped| GhlError::Decode(format!("duplicate lookup: {skipped}"))),
        }
    }

    /// `POST /contacts/search`
    pub async fn search_contacts(&self, request: &SearchRequest) -> GhlResult<SearchPage> {
        let mut body = json!({ "locationId": self.location_id(), "pageLimit": request.page_limit });
        if !request.filters.is_empty() {
            body["filters"] = Value::Array(request.filters.clone());
        }
        if !request.sort.is_empty() {
            body["sort"] = Value::Array(request.sort.clone());
        }
        if let Some(query) = &request.query {
            body["query"] = query.clone().into();
        }
        if let Some(after) = &request.search_after {
            body["searchAfter"] = Value::Array(after.clone());
        } else if let Some(page) = request.page {
            body["page"] = page.into();
        }
        let mut answer = self
            .send(
                Call::new(Method::POST, "contacts/search")
                    .json(body)
                    .idempotent(),
            )
            .await?;
        let total = answer.get("total").and_then(Value::as_u64).unwrap_or(0);
        let items = take_list(std::mem::take(&mut answer), "contacts");
        let cursor = items
            .iter()
            .rev()
            .find_map(|item| item.get("searchAfter").and_then(Value::as_array).cloned());
        Ok(SearchPage {
            items: items.len(),
            contacts: read_contacts(ContactShape::SearchItem, items),
            total,
            cursor,
        })
    }
}
