//! Contacts endpoints.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::{
    client::Call,
    models::{Contact, ListMeta},
    GhlClient, GhlResult,
};

#[derive(Deserialize)]
struct ContactEnvelope {
    contact: Contact,
}

#[derive(Deserialize)]
struct MaybeContact {
    #[serde(default)]
    contact: Option<Contact>,
}

/// The answer of `POST /contacts/upsert`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Upserted {
    /// Whether a new contact was created.
    #[serde(rename = "new", default)]
    pub created: bool,
    /// The contact as stored.
    pub contact: Contact,
}

/// One page of `POST /contacts/search`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SearchPage {
    /// The contacts, each with its `searchAfter` cursor.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// All matches, across pages.
    #[serde(default)]
    pub total: u64,
}

/// One page of the deprecated `GET /contacts/`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ListPage {
    /// The contacts.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// All matches.
    #[serde(default)]
    pub count: u64,
    /// Paging cursor.
    #[serde(default)]
    pub meta: ListMeta,
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

impl GhlClient {
    fn contact_path(id: &str) -> String {
        format!("contacts/{id}")
    }

    /// `POST /contacts/`: never retried blindly; an unknown outcome is
    /// [`crate::GhlError::OutcomeUnknown`].
    pub async fn create_contact(&self, fields: &Map<String, Value>) -> GhlResult<Contact> {
        let mut body = fields.clone();
        body.insert("locationId".into(), self.location_id().into());
        let reply: ContactEnvelope = self
            .send(Call::new(Method::POST, "contacts/").json(Value::Object(body)))
            .await?;
        Ok(reply.contact)
    }

    /// `GET /contacts/{id}`
    pub async fn get_contact(&self, id: &str) -> GhlResult<Contact> {
        let reply: ContactEnvelope = self
            .send(Call::new(Method::GET, Self::contact_path(id)))
            .await?;
        Ok(reply.contact)
    }

    /// `PUT /contacts/{id}` with only the changed fields (`tags` here replaces all tags:
    /// prefer [`GhlClient::add_tags`] / [`GhlClient::remove_tags`]).
    pub async fn update_contact(
        &self,
        id: &str,
        fields: &Map<String, Value>,
    ) -> GhlResult<Contact> {
        let reply: ContactEnvelope = self
            .send(
                Call::new(Method::PUT, Self::contact_path(id)).json(Value::Object(fields.clone())),
            )
            .await?;
        Ok(reply.contact)
    }

    /// `DELETE /contacts/{id}`
    pub async fn delete_contact(&self, id: &str) -> GhlResult<()> {
        let _: Value = self
            .send(Call::new(Method::DELETE, Self::contact_path(id)))
            .await?;
        Ok(())
    }

    /// `POST /contacts/upsert`. It follows the location's duplicate rules and may drop
    /// or overwrite fields, so the app avoids it for edits.
    pub async fn upsert_contact(&self, fields: &Map<String, Value>) -> GhlResult<Upserted> {
        let mut body = fields.clone();
        body.insert("locationId".into(), self.location_id().into());
        self.send(Call::new(Method::POST, "contacts/upsert").json(Value::Object(body)))
            .await
    }

    /// `GET /contacts/search/duplicate`: the contact GHL considers the same person by
    /// email (first) or phone, if any.
    pub async fn find_duplicate(
        &self,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> GhlResult<Option<Contact>> {
        let mut call = Call::new(Method::GET, "contacts/search/duplicate")
            .query("locationId", self.location_id());
        if let Some(email) = email {
            call = call.query("email", email);
        }
        if let Some(phone) = phone {
            call = call.query("number", phone);
        }
        let reply: MaybeContact = self.send(call).await?;
        Ok(reply.contact)
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
        self.send(
            Call::new(Method::POST, "contacts/search")
                .json(body)
                .idempotent(),
        )
        .await
    }

    /// The deprecated `GET /contacts/` (kept as a fallback for search).
    pub async fn list_contacts(
        &self,
        limit: u32,
        start_after_id: Option<&str>,
        start_after: Option<i64>,
        query: Option<&str>,
    ) -> GhlResult<ListPage> {
        let mut call = Call::new(Method::GET, "contacts/")
            .query("locationId", self.location_id())
            .query("limit", limit);
        if let Some(id) = start_after_id {
            call = call.query("startAfterId", id);
        }
        if let Some(ms) = start_after {
            call = call.query("startAfter", ms);
        }
        if let Some(q) = query {
            call = call.query("query", q);
        }
        self.send(call).await
    }

    /// `GET /contacts/business/{businessId}`: the contacts of one business and their count.
    pub async fn contacts_by_business(
        &self,
        business_id: &str,
        limit: u32,
        skip: u32,
    ) -> GhlResult<(Vec<Contact>, u64)> {
        #[derive(Deserialize)]
        struct Reply {
            #[serde(default)]
            contacts: Vec<Contact>,
            #[serde(default)]
            count: u64,
        }
        let call = Call::new(Method::GET, format!("contacts/business/{business_id}"))
            .query("locationId", self.location_id())
            .query("limit", limit)
            .query("skip", skip);
        let reply: Reply = self.send(call).await?;
        Ok((reply.contacts, reply.count))
    }
}
