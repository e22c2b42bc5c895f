//! Helpers shared by the sandbox's integration tests: a started sandbox and a small
//! HTTP client that sends GHL's headers.
#![allow(dead_code, missing_docs)]

use ghl_sandbox::{Sandbox, SandboxConfig};
use reqwest::{header::HeaderMap, Method, StatusCode};
use serde_json::Value;

pub const V_CONTACTS: &str = "2021-07-28";
pub const V_CALENDARS: &str = "2021-04-15";

/// A sandbox with a few hundred contacts and a client authenticated with the first
/// location's Private Integration token.
pub async fn start(contacts: usize) -> (Sandbox, Api) {
    let sandbox = Sandbox::start_local(SandboxConfig {
        contacts,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let info = sandbox.info();
    let api = Api::new(
        sandbox.base_url(),
        &info.locations[0].private_integration_token,
        &info.locations[0].id,
    );
    (sandbox, api)
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub location: String,
}

impl Api {
    pub fn new(base: &str, token: &str, location: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_owned(),
            token: token.to_owned(),
            location: location.to_owned(),
        }
    }

    pub fn with_token(&self, token: &str) -> Self {
        Self {
            token: token.to_owned(),
            ..self.clone()
        }
    }

    /// Sends with the right `Version` for the path's family.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let version = if path.starts_with("/calendars") {
            V_CALENDARS
        } else {
            V_CONTACTS
        };
        self.send(method, path, body, Some(version)).await
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        version: Option<&str>,
    ) -> Reply {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(v) = version {
            req = req.header("Version", v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str, body: Option<Value>) -> Reply {
        self.call(Method::DELETE, path, body).await
    }

    /// One contact id of the location.
    pub async fn some_contact(&self) -> String {
        let r = self
            .post(
                "/contacts/search",
                serde_json::json!({ "locationId": self.location, "pageLimit": 1 }),
            )
            .await;
        r.body["contacts"][0]["id"].as_str().unwrap().to_owned()
    }
}

/// A control-API call.
pub async fn control(sandbox: &Sandbox, method: Method, path: &str, body: Value) -> Value {
    let resp = reqwest::Client::new()
        .request(method, format!("{}{path}", sandbox.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap()
}
