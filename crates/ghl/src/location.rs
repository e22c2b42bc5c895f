//! Location-wide reads: tasks search, calendars and calendar events.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::{
    client::{take_list, Call, VERSION_CALENDARS},
    fields::{read_children, ChildKind, Listed, Record},
    GhlClient, GhlResult,
};

/// A `POST /locations/{id}/tasks/search` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskSearch {
    /// Only these contacts' tasks.
    pub contact_ids: Vec<String>,
    /// Only done (or only open) tasks.
    pub completed: Option<bool>,
    /// Page size (GHL's default is 25).
    pub limit: u32,
    /// Tasks to skip.
    pub skip: u32,
}

/// Which events `GET /calendars/events` returns: GHL requires one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventSelector {
    /// One calendar's events.
    Calendar(String),
    /// One user's events.
    User(String),
    /// One calendar group's events.
    Group(String),
}

impl GhlClient {
    /// `GET /locations/{id}`: the location itself (its name, address, time zone).
    pub async fn location(&self) -> GhlResult<Record> {
        let call = Call::new(Method::GET, format!("locations/{}", self.location_id()));
        let answer = self.send(call).await?;
        crate::fields::read_child(ChildKind::Location, crate::client::take(answer, "location"))
            .map_err(|skipped| crate::GhlError::Decode(skipped.to_string()))
    }

    /// `GET /locations/{id}/customFields`: the definitions of the location's contact
    /// custom fields (names, keys, types, options).
    pub async fn custom_fields(&self) -> GhlResult<Listed<Record>> {
        let call = Call::new(
            Method::GET,
            format!("locations/{}/customFields", self.location_id()),
        )
        .query("model", "contact");
        let answer = self.send(call).await?;
        Ok(read_children(
            ChildKind::CustomField,
            take_list(answer, "customFields"),
        ))
    }

    /// `POST /locations/{id}/tasks/search`: one page of the location's tasks.
    pub async fn search_tasks(&self, search: &TaskSearch) -> GhlResult<Listed<Record>> {
        let mut body = json!({ "limit": search.limit.max(1), "skip": search.skip });
        if !search.contact_ids.is_empty() {
            body["contactId"] = json!(search.contact_ids);
        }
        if let Some(completed) = search.completed {
            body["completed"] = completed.into();
        }
        let call = Call::new(
            Method::POST,
            format!("locations/{}/tasks/search", self.location_id()),
        )
        .json(body)
        .idempotent();
        let answer = self.send(call).await?;
        Ok(read_children(ChildKind::Task, take_list(answer, "tasks")))
    }

    /// `GET /calendars/`
    pub async fn calendars(&self) -> GhlResult<Listed<Record>> {
        let call = Call::new(Method::GET, "calendars/")
            .version(VERSION_CALENDARS)
            .query("locationId", self.location_id());
        let answer = self.send(call).await?;
        Ok(read_children(
            ChildKind::Calendar,
            take_list(answer, "calendars"),
        ))
    }

    /// `GET /calendars/events` between two instants (epoch milliseconds).
    pub async fn calendar_events(
        &self,
        selector: &EventSelector,
        start_ms: i64,
        end_ms: i64,
    ) -> GhlResult<Listed<Record>> {
        let (key, value) = match selector {
            EventSelector::Calendar(id) => ("calendarId", id),
            EventSelector::User(id) => ("userId", id),
            EventSelector::Group(id) => ("groupId", id),
        };
        let call = Call::new(Method::GET, "calendars/events")
            .version(VERSION_CALENDARS)
            .query("locationId", self.location_id())
            .query(key, value)
            .query("startTime", start_ms)
            .query("endTime", end_ms);
        let answer = self.send(call).await?;
        Ok(read_children(
            ChildKind::Appointment,
            take_list(answer, "events"),
        ))
    }

    /// `GET /oauth/installedLocations` (agency token): locations where the app is installed.
    pub async fn installed_locations(
        &self,
        company_id: &str,
        app_id: &str,
    ) -> GhlResult<Vec<crate::models::InstalledLocation>> {
        #[derive(Deserialize)]
        struct Reply {
            #[serde(default)]
            locations: Vec<crate::models::InstalledLocation>,
        }
        let call = Call::new(Method::GET, "oauth/installedLocations")
            .query("companyId", company_id)
            .query("appId", app_id)
            .query("limit", 500);
        let reply: Reply = serde_json::from_value(self.send(call).await?)
            .map_err(|e| crate::GhlError::Decode(format!("installed locations: {e}")))?;
        Ok(reply.locations)
    }

    /// `POST /oauth/locationToken` (agency token): a token for one of the company's locations.
    pub async fn location_token(
        &self,
        company_id: &str,
        location_id: &str,
    ) -> GhlResult<crate::models::TokenResponse> {
        let call = Call::new(Method::POST, "oauth/locationToken")
            .form(&[("companyId", company_id), ("locationId", location_id)]);
        serde_json::from_value(self.send(call).await?)
            .map_err(|e| crate::GhlError::Decode(format!("location token: {e}")))
    }
}
