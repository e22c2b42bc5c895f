//! Fidelity check: a scripted exchange that covers every endpoint the sandbox serves,
//! sent through Stoplight Prism in proxy mode (`prism proxy <spec> <sandbox> --errors`)
//! with GHL's official OpenAPI files (`openapi/`), so that any request or response that
//! violates GHL's spec fails this test. Needs the repository's npm packages
//! (`npm ci` installs Prism); `scripts/test.sh` runs it.

use std::{
    net::TcpListener as StdListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use ghl_sandbox::{Consent, Sandbox, SandboxConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use reqwest::{header::LOCATION, Method, StatusCode};
use serde_json::{json, Value};

const REDIRECT: &str = "http://127.0.0.1:53682/callback";

/// One Prism proxy, killed when dropped.
struct Prism {
    child: Child,
    port: u16,
    spec: &'static str,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_prism(spec: &'static str, upstream: &str) -> Prism {
    let bin = repo_root().join("node_modules/.bin/prism");
    assert!(
        bin.exists(),
        "Prism is missing at {}: run `npm ci` at the repository root (scripts/test.sh does)",
        bin.display()
    );
    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/openapi/apps")
        .join(spec);
    let port = free_port();
    let child = Command::new(bin)
        .args([
            "proxy",
            spec_path.to_str().unwrap(),
            upstream,
            "--errors",
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prism");
    Prism { child, port, spec }
}

async fn wait_until_listening(prism: &mut Prism) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", prism.port))
            .await
            .is_ok()
        {
            return;
        }
        if let Ok(Some(status)) = prism.child.try_wait() {
            panic!("prism for {} exited early: {status}", prism.spec);
        }
        assert!(
            Instant::now() < deadline,
            "prism for {} did not start",
            prism.spec
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Violations Prism reports that come from defects in GHL's own spec files, each allowed
/// for exactly the location it concerns.
fn known_spec_defect(violation: &Value) -> bool {
    let location: Vec<&str> = violation["location"]
        .as_array()
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let code = violation["code"].as_str().unwrap_or("");
    match location.as_slice() {
        // calendars.json types CalendarEventDTO's four timestamps as `object`, yet its own
        // examples (and GHL) give ISO 8601 strings such as "2023-09-25T16:00:00+05:30".
        ["response", "body", "events", _, "startTime" | "endTime" | "dateAdded" | "dateUpdated"] => {
            code == "type"
        }
        // locations.json types the tasks-search `tasks` items as arrays, not task objects.
        ["response", "body", "tasks", _] => code == "type",
        _ => false,
    }
}

struct Exchange {
    http: reqwest::Client,
    contacts: u16,
    oauth: u16,
    locations: u16,
    calendars: u16,
    token: String,
    problems: Vec<String>,
    calls: usize,
}

#[derive(Clone, Copy)]
enum Spec {
    Contacts,
    OAuth,
    Locations,
    Calendars,
}

impl Exchange {
    fn port(&self, spec: Spec) -> u16 {
        match spec {
            Spec::Contacts => self.contacts,
            Spec::OAuth => self.oauth,
            Spec::Locations => self.locations,
            Spec::Calendars => self.calendars,
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder, what: &str) -> (StatusCode, Value) {
        self.calls += 1;
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let status = response.status();
        let mut violations: Vec<Value> = response
            .headers()
            .get("sl-violations")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| serde_json::from_str::<Vec<Value>>(v).ok())
            .unwrap_or_default();
        let problem = response
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap_or("").contains("problem+json"));
        let text = response.text().await.unwrap();
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if problem {
            violations.extend(body["validation"].as_array().cloned().unwrap_or_default());
            if body["validation"].is_null() {
                self.problems.push(format!("{what}: Prism answered {body}"));
            }
        }
        for v in violations {
            if v["severity"] == "Error" && !known_spec_defect(&v) {
                self.problems.push(format!("{what}: {v}"));
            }
        }
        (status, body)
    }

    async fn api(
        &mut self,
        spec: Spec,
        method: Method,
        path: &str,
        body: Option<Value>,
        what: &str,
    ) -> (StatusCode, Value) {
        let version = if matches!(spec, Spec::Calendars) {
            "2021-04-15"
        } else {
            "2021-07-28"
        };
        let mut request = self
            .http
            .request(
                method,
                format!("http://127.0.0.1:{}{path}", self.port(spec)),
            )
            .bearer_auth(&self.token)
            .header("Version", version)
            .header("Accept", "application/json");
        if let Some(b) = body {
            request = request.json(&b);
        }
        self.send(request, what).await
    }

    async fn token(&mut self, form: &[(&str, &str)], what: &str) -> (StatusCode, Value) {
        let request = self
            .http
            .post(format!("http://127.0.0.1:{}/oauth/token", self.oauth))
            .form(form);
        self.send(request, what).await
    }
}

async fn consent_code(sandbox: &Sandbox, http: &reqwest::Client, scope: &str) -> String {
    let mut url = url::Url::parse(&format!("{}/oauth/chooselocation", sandbox.base_url())).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", DEMO_CLIENT_ID)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", scope);
    let resp = http.get(url).send().await.unwrap();
    let target = url::Url::parse(resp.headers()[LOCATION].to_str().unwrap()).unwrap();
    target
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned()
}

#[tokio::test]
async fn every_endpoint_conforms_to_ghls_openapi_files() {
    let sandbox = Sandbox::start_local(SandboxConfig {
        contacts: 60,
        consent: Consent {
            auto_approve: true,
            ..Consent::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let upstream = sandbox.base_url().to_owned();
    let mut prisms = [
        start_prism("contacts.json", &upstream),
        start_prism("oauth.json", &upstream),
        start_prism("locations.json", &upstream),
        start_prism("calendars.json", &upstream),
    ];
    for prism in &mut prisms {
        wait_until_listening(prism).await;
    }
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut x = Exchange {
        http: http.clone(),
        contacts: prisms[0].port,
        oauth: prisms[1].port,
        locations: prisms[2].port,
        calendars: prisms[3].port,
        token: String::new(),
        problems: Vec::new(),
        calls: 0,
    };

    // OAuth: code exchange, refresh rotation, a wrong secret.
    let scopes = "contacts.readonly contacts.write locations.readonly locations/tasks.readonly locations/customFields.readonly calendars.readonly calendars/events.readonly";
    let code = consent_code(&sandbox, &http, scopes).await;
    let (status, tokens) = x
        .token(
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("client_secret", DEMO_CLIENT_SECRET),
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("user_type", "Location"),
            ],
            "token: authorization_code",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let (status, tokens) = x
        .token(
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("client_secret", DEMO_CLIENT_SECRET),
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh),
                ("user_type", "Location"),
            ],
            "token: refresh_token",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let (status, _) = x
        .token(
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("client_secret", "wrong"),
                ("grant_type", "refresh_token"),
                ("refresh_token", "x"),
            ],
            "token: wrong secret",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    x.token = tokens["access_token"].as_str().unwrap().to_owned();
    let location = tokens["locationId"].as_str().unwrap().to_owned();

    // Agency: installed locations and a location token.
    sandbox.set_consent(Consent {
        auto_approve: true,
        company: true,
        ..Consent::default()
    });
    let code = consent_code(&sandbox, &http, "oauth.readonly oauth.write").await;
    let (_, agency) = x
        .token(
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("client_secret", DEMO_CLIENT_SECRET),
                ("grant_type", "authorization_code"),
                ("code", &code),
            ],
            "token: agency",
        )
        .await;
    let company = agency["companyId"].as_str().unwrap().to_owned();
    let location_token = std::mem::replace(
        &mut x.token,
        agency["access_token"].as_str().unwrap().to_owned(),
    );
    let (status, _) = x
        .api(
            Spec::OAuth,
            Method::GET,
            &format!("/oauth/installedLocations?companyId={company}&appId={DEMO_CLIENT_ID}"),
            None,
            "installedLocations",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let request = x
        .http
        .post(format!("http://127.0.0.1:{}/oauth/locationToken", x.oauth))
        .bearer_auth(&x.token)
        .header("Version", "2021-07-28")
        .form(&[
            ("companyId", company.as_str()),
            ("locationId", location.as_str()),
        ]);
    let (status, _) = x.send(request, "locationToken").await;
    assert_eq!(status, StatusCode::OK);
    x.token = location_token;

    // Contacts.
    let (status, created) = x
        .api(Spec::Contacts, Method::POST, "/contacts/", Some(json!({ "locationId": location, "firstName": "Grace", "lastName": "Hopper",
            "email": "grace@example.com", "phone": "+15550100123", "tags": ["navy"], "companyName": "Univac",
            "customFields": [{ "id": "cf1", "field_value": "Compilers" }] })), "create contact")
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["contact"]["id"].as_str().unwrap().to_owned();
    let c = format!("/contacts/{id}");
    x.api(Spec::Contacts, Method::GET, &c, None, "get contact")
        .await;
    x.api(
        Spec::Contacts,
        Method::PUT,
        &c,
        Some(json!({ "city": "Arlington", "tags": ["navy", "admiral"] })),
        "update contact",
    )
    .await;
    x.api(
        Spec::Contacts,
        Method::POST,
        "/contacts/upsert",
        Some(json!({ "locationId": location, "email": "grace@example.com", "lastName": "Hopper" })),
        "upsert contact",
    )
    .await;
    x.api(
        Spec::Contacts,
        Method::GET,
        &format!("/contacts/search/duplicate?locationId={location}&email=grace%40example.com"),
        None,
        "duplicate",
    )
    .await;
    let (_, found) = x
        .api(Spec::Contacts, Method::POST, "/contacts/search", Some(json!({ "locationId": location, "pageLimit": 20,
            "filters": [{ "field": "dateUpdated", "operator": "range", "value": { "gte": "2020-01-01T00:00:00Z" } }],
            "sort": [{ "field": "dateUpdated", "direction": "asc" }] })), "search")
        .await;
    let cursor = found["contacts"].as_array().unwrap().last().unwrap()["searchAfter"].clone();
    x.api(Spec::Contacts, Method::POST, "/contacts/search", Some(json!({ "locationId": location, "pageLimit": 20, "searchAfter": cursor, "sort": [{ "field": "dateUpdated", "direction": "asc" }] })), "search after").await;
    let (_, listed) = x
        .api(
            Spec::Contacts,
            Method::GET,
            &format!("/contacts/?locationId={location}&limit=10"),
            None,
            "list contacts",
        )
        .await;
    let meta = listed["meta"].clone();
    x.api(
        Spec::Contacts,
        Method::GET,
        &format!(
            "/contacts/?locationId={location}&limit=10&startAfterId={}&startAfter={}",
            meta["startAfterId"].as_str().unwrap(),
            meta["startAfter"]
        ),
        None,
        "list contacts page 2",
    )
    .await;
    let business = found["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|c| c["businessId"].as_str())
        .unwrap_or("5f0c2c3b1e9a4b0017a1b2c3")
        .to_owned();
    x.api(
        Spec::Contacts,
        Method::GET,
        &format!("/contacts/business/{business}?locationId={location}&limit=10&skip=0"),
        None,
        "contacts by business",
    )
    .await;
    x.api(
        Spec::Contacts,
        Method::POST,
        &format!("{c}/tags"),
        Some(json!({ "tags": ["vip"] })),
        "add tags",
    )
    .await;
    x.api(
        Spec::Contacts,
        Method::DELETE,
        &format!("{c}/tags"),
        Some(json!({ "tags": ["vip"] })),
        "remove tags",
    )
    .await;

    let (_, note) = x
        .api(
            Spec::Contacts,
            Method::POST,
            &format!("{c}/notes"),
            Some(json!({ "body": "Met at the conference", "title": "Intro", "pinned": false })),
            "create note",
        )
        .await;
    let n = format!("{c}/notes/{}", note["note"]["id"].as_str().unwrap());
    x.api(
        Spec::Contacts,
        Method::GET,
        &format!("{c}/notes"),
        None,
        "list notes",
    )
    .await;
    x.api(Spec::Contacts, Method::GET, &n, None, "get note")
        .await;
    x.api(
        Spec::Contacts,
        Method::PUT,
        &n,
        Some(json!({ "body": "Met at the conference; follow up" })),
        "update note",
    )
    .await;
    x.api(Spec::Contacts, Method::DELETE, &n, None, "delete note")
        .await;

    let (_, task) = x.api(Spec::Contacts, Method::POST, &format!("{c}/tasks"), Some(json!({ "title": "Send slides", "body": "COBOL deck", "dueDate": "2026-12-01T10:00:00Z", "completed": false })), "create task").await;
    let t = format!("{c}/tasks/{}", task["task"]["id"].as_str().unwrap());
    x.api(
        Spec::Contacts,
        Method::GET,
        &format!("{c}/tasks"),
        None,
        "list tasks",
    )
    .await;
    x.api(Spec::Contacts, Method::GET, &t, None, "get task")
        .await;
    x.api(
        Spec::Contacts,
        Method::PUT,
        &t,
        Some(json!({ "title": "Send slides", "dueDate": "2026-12-02T10:00:00Z" })),
        "update task",
    )
    .await;
    x.api(
        Spec::Contacts,
        Method::PUT,
        &format!("{t}/completed"),
        Some(json!({ "completed": true })),
        "complete task",
    )
    .await;
    x.api(Spec::Contacts, Method::DELETE, &t, None, "delete task")
        .await;

    x.api(
        Spec::Contacts,
        Method::GET,
        &format!("{c}/appointments"),
        None,
        "contact appointments",
    )
    .await;

    // Errors GHL documents: 422 validation, 400 duplicate, 401 bad token.
    let (status, _) = x
        .api(
            Spec::Contacts,
            Method::POST,
            "/contacts/",
            Some(json!({ "locationId": location, "email": "nope" })),
            "422 bad email",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = x
        .api(
            Spec::Contacts,
            Method::POST,
            "/contacts/",
            Some(json!({ "locationId": location, "email": "grace@example.com" })),
            "400 duplicate",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let good = std::mem::replace(&mut x.token, "invalid".into());
    let (status, _) = x
        .api(Spec::Contacts, Method::GET, &c, None, "401 bad token")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    x.token = good;

    // Location-wide reads.
    x.api(
        Spec::Locations,
        Method::GET,
        &format!("/locations/{location}"),
        None,
        "location",
    )
    .await;
    x.api(
        Spec::Locations,
        Method::GET,
        &format!("/locations/{location}/customFields"),
        None,
        "custom fields",
    )
    .await;
    x.api(
        Spec::Locations,
        Method::POST,
        &format!("/locations/{location}/tasks/search"),
        Some(json!({ "completed": false, "limit": 10, "skip": 0 })),
        "tasks search",
    )
    .await;
    let (_, calendars) = x
        .api(
            Spec::Calendars,
            Method::GET,
            &format!("/calendars/?locationId={location}"),
            None,
            "calendars",
        )
        .await;
    let calendar = calendars["calendars"][0]["id"].as_str().unwrap().to_owned();
    x.api(Spec::Calendars, Method::GET, &format!("/calendars/events?locationId={location}&calendarId={calendar}&startTime=0&endTime=4102444800000"), None, "calendar events").await;

    x.api(Spec::Contacts, Method::DELETE, &c, None, "delete contact")
        .await;

    assert!(
        x.problems.is_empty(),
        "responses or requests that break GHL's spec:\n{}",
        x.problems.join("\n")
    );
    assert_eq!(x.calls, 39, "every call of the exchange went through Prism");
}
