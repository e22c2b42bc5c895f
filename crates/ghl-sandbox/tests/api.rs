//! The sandbox answers every endpoint with GHL's paths, wrappers, status codes and
//! error bodies.

mod common;

use common::{start, Api};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn contact_lifecycle_uses_ghl_wrappers_and_moves_date_updated() {
    let (_sandbox, api) = start(50).await;
    let created = api
        .post("/contacts/", json!({ "locationId": api.location, "firstName": "Ada", "lastName": "Lovelace",
            "email": "ada@example.com", "phone": "+1 555 010 9999", "tags": ["vip"], "companyName": "Engines Ltd" }))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let contact = &created.body["contact"];
    let id = contact["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 20);
    assert_eq!(contact["firstNameLowerCase"], "ada");
    assert_eq!(contact["deleted"], false);
    let before = contact["dateUpdated"].as_str().unwrap().to_owned();

    let got = api.get(&format!("/contacts/{id}")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body["contact"]["email"], "ada@example.com");

    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let updated = api
        .put(
            &format!("/contacts/{id}"),
            json!({ "tags": ["new"], "city": "London" }),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["succeded"], true);
    assert_eq!(
        updated.body["contact"]["tags"],
        json!(["new"]),
        "tags on update overwrite"
    );
    assert_eq!(
        updated.body["contact"]["companyName"], "Engines Ltd",
        "untouched fields stay"
    );
    assert!(updated.body["contact"]["dateUpdated"].as_str().unwrap() > before.as_str());

    let deleted = api.delete(&format!("/contacts/{id}"), None).await;
    assert_eq!(deleted.body, json!({ "succeded": true }));
    let gone = api.get(&format!("/contacts/{id}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.body["statusCode"], 404);
}

#[tokio::test]
async fn bad_input_gets_422_with_message_arrays() {
    let (_sandbox, api) = start(5).await;
    let bad_email = api
        .post(
            "/contacts/",
            json!({ "locationId": api.location, "email": "not-an-email" }),
        )
        .await;
    assert_eq!(bad_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_email.body["message"], json!(["email must be an email"]));
    assert_eq!(bad_email.body["error"], "Unprocessable Entity");

    let unknown_field = api
        .put(
            &format!("/contacts/{}", api.some_contact().await),
            json!({ "companyName": "x" }),
        )
        .await;
    assert_eq!(unknown_field.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unknown_field.body["message"],
        json!(["property companyName should not exist"])
    );

    let contact = api.some_contact().await;
    let no_title = api
        .post(
            &format!("/contacts/{contact}/tasks"),
            json!({ "dueDate": "2026-01-01T10:00:00Z", "completed": false }),
        )
        .await;
    assert_eq!(no_title.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_title.body["message"], json!(["title must be a string"]));
    let empty_note = api
        .post(
            &format!("/contacts/{contact}/notes"),
            json!({ "body": "  " }),
        )
        .await;
    assert_eq!(empty_note.status, StatusCode::UNPROCESSABLE_ENTITY);
    let not_json = api
        .http
        .post(format!("{}/contacts/", api.base))
        .bearer_auth(&api.token)
        .header("Version", "2021-07-28")
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn duplicates_are_refused_found_and_upserted() {
    let (sandbox, api) = start(5).await;
    let first = api
        .post(
            "/contacts/",
            json!({ "locationId": api.location, "email": "dup@example.com", "firstName": "One" }),
        )
        .await;
    let id = first.body["contact"]["id"].as_str().unwrap().to_owned();
    let second = api
        .post(
            "/contacts/",
            json!({ "locationId": api.location, "email": "DUP@example.com" }),
        )
        .await;
    assert_eq!(second.status, StatusCode::BAD_REQUEST);
    assert_eq!(second.body["meta"]["contactId"], id.as_str());
    assert_eq!(second.body["meta"]["matchingField"], "email");

    let found = api
        .get(&format!(
            "/contacts/search/duplicate?locationId={}&email=dup%40example.com",
            api.location
        ))
        .await;
    assert_eq!(found.body["contact"]["id"], id.as_str());
    let none = api
        .get(&format!(
            "/contacts/search/duplicate?locationId={}&email=nobody%40example.com",
            api.location
        ))
        .await;
    assert_eq!(none.body, json!({ "contact": null }));

    let upserted = api
        .post(
            "/contacts/upsert",
            json!({ "locationId": api.location, "email": "dup@example.com", "lastName": "Two" }),
        )
        .await;
    assert_eq!(upserted.body["new"], false);
    assert_eq!(upserted.body["contact"]["id"], id.as_str());
    assert_eq!(upserted.body["contact"]["lastName"], "Two");
    assert!(upserted.body["traceId"].is_string());
    let fresh = api
        .post(
            "/contacts/upsert",
            json!({ "locationId": api.location, "email": "new@example.com" }),
        )
        .await;
    assert_eq!(fresh.body["new"], true);

    common::control(
        &sandbox,
        Method::PUT,
        &format!("/_sandbox/locations/{}", api.location),
        json!({ "allowDuplicates": true }),
    )
    .await;
    let allowed = api
        .post(
            "/contacts/",
            json!({ "locationId": api.location, "email": "dup@example.com" }),
        )
        .await;
    assert_eq!(allowed.status, StatusCode::CREATED);
}

#[tokio::test]
async fn notes_tasks_tags_and_appointments() {
    let (_sandbox, api) = start(5).await;
    let contact = api.some_contact().await;
    let base = format!("/contacts/{contact}");

    let note = api
        .post(
            &format!("{base}/notes"),
            json!({ "body": "Called", "title": "Call", "pinned": true }),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED);
    let note_id = note.body["note"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        api.get(&format!("{base}/notes/{note_id}")).await.body["note"]["body"],
        "Called"
    );
    let edited = api
        .put(
            &format!("{base}/notes/{note_id}"),
            json!({ "body": "Called back" }),
        )
        .await;
    assert_eq!(edited.body["note"]["body"], "Called back");
    assert_eq!(edited.body["note"]["title"], "Call");
    let notes = api.get(&format!("{base}/notes")).await;
    assert_eq!(
        notes.body["notes"][0]["id"],
        note_id.as_str(),
        "newest first"
    );
    assert_eq!(
        api.delete(&format!("{base}/notes/{note_id}"), None)
            .await
            .body,
        json!({ "succeded": true })
    );
    assert_eq!(
        api.get(&format!("{base}/notes/{note_id}")).await.status,
        StatusCode::NOT_FOUND
    );

    let task = api
        .post(
            &format!("{base}/tasks"),
            json!({ "title": "Call back", "dueDate": "2026-12-01T10:00:00Z", "completed": false }),
        )
        .await;
    assert_eq!(task.status, StatusCode::CREATED, "{}", task.body);
    let task_id = task.body["task"]["id"].as_str().unwrap().to_owned();
    let updated = api
        .put(
            &format!("{base}/tasks/{task_id}"),
            json!({ "title": "Call back today", "dueDate": "2026-12-02T10:00:00Z" }),
        )
        .await;
    assert_eq!(updated.body["task"]["title"], "Call back today");
    let done = api
        .put(
            &format!("{base}/tasks/{task_id}/completed"),
            json!({ "completed": true }),
        )
        .await;
    assert_eq!(done.body["task"]["completed"], true);
    assert!(api.get(&format!("{base}/tasks")).await.body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == task_id.as_str()));
    assert_eq!(
        api.get(&format!("{base}/tasks/{task_id}")).await.body["task"]["completed"],
        true
    );
    assert_eq!(
        api.delete(&format!("{base}/tasks/{task_id}"), None)
            .await
            .body,
        json!({ "succeded": true })
    );

    let added = api
        .post(
            &format!("{base}/tags"),
            json!({ "tags": ["Alpha", "beta"] }),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED);
    let tags = added.body["tags"].as_array().unwrap().clone();
    assert!(tags.contains(&json!("alpha")) && tags.contains(&json!("beta")));
    let removed = api
        .delete(&format!("{base}/tags"), Some(json!({ "tags": ["alpha"] })))
        .await;
    assert!(!removed.body["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("alpha")));
    assert!(removed.body["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("beta")));

    let events = api.get(&format!("{base}/appointments")).await;
    assert_eq!(events.status, StatusCode::OK);
    assert!(events.body["events"].is_array());
}

#[tokio::test]
async fn location_wide_tasks_calendars_and_events() {
    let (_sandbox, api) = start(200).await;
    let tasks = api
        .post(
            &format!("/locations/{}/tasks/search", api.location),
            json!({ "limit": 50, "completed": false }),
        )
        .await;
    assert_eq!(tasks.status, StatusCode::OK, "{}", tasks.body);
    let items = tasks.body["tasks"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    assert!(items
        .iter()
        .all(|t| t["_id"].is_string() && t["completed"] == false));

    let calendars = api
        .get(&format!("/calendars/?locationId={}", api.location))
        .await;
    assert_eq!(calendars.status, StatusCode::OK);
    let calendar = calendars.body["calendars"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let events = api
        .get(&format!("/calendars/events?locationId={}&calendarId={calendar}&startTime=0&endTime=4102444800000", api.location))
        .await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.body);
    assert!(!events.body["events"].as_array().unwrap().is_empty());
    let no_selector = api
        .get(&format!(
            "/calendars/events?locationId={}&startTime=0&endTime=1",
            api.location
        ))
        .await;
    assert_eq!(no_selector.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn version_header_is_required_per_family() {
    let (_sandbox, api) = start(5).await;
    let path = format!("/contacts/{}", api.some_contact().await);
    let missing = api.send(Method::GET, &path, None, None).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        missing.body["message"],
        "Version header is required: use '2021-07-28'"
    );
    let wrong = api.send(Method::GET, &path, None, Some("2021-04-15")).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let calendars = api
        .send(
            Method::GET,
            &format!("/calendars/?locationId={}", api.location),
            None,
            Some("2021-07-28"),
        )
        .await;
    assert_eq!(calendars.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn tokens_and_scopes_are_enforced() {
    let (sandbox, api) = start(5).await;
    let contact = api.some_contact().await;
    let bad = api
        .with_token("nope")
        .get(&format!("/contacts/{contact}"))
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        bad.body["message"],
        "Invalid token: access token is invalid"
    );

    let read_only = sandbox
        .mint_private_integration(&api.location, &["contacts.readonly"])
        .unwrap();
    let reader = api.with_token(&read_only);
    assert_eq!(
        reader.get(&format!("/contacts/{contact}")).await.status,
        StatusCode::OK
    );
    let write = reader
        .put(&format!("/contacts/{contact}"), json!({ "city": "Oslo" }))
        .await;
    assert_eq!(write.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        write.body["message"],
        "The token is not authorized for this scope."
    );
    let tasks = reader
        .post(
            &format!("/locations/{}/tasks/search", api.location),
            json!({}),
        )
        .await;
    assert_eq!(tasks.status, StatusCode::UNAUTHORIZED);

    let other = &sandbox.info().locations[1];
    let foreign = api
        .with_token(&other.private_integration_token)
        .get(&format!("/contacts/{contact}"))
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let wrong_location = api
        .post(
            "/contacts/",
            json!({ "locationId": other.id, "firstName": "X" }),
        )
        .await;
    assert_eq!(wrong_location.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn unknown_routes_and_ids_answer_nest_style_404s() {
    let (_sandbox, api) = start(5).await;
    let route = api.get("/no/such/route").await;
    assert_eq!(route.status, StatusCode::NOT_FOUND);
    assert_eq!(route.body["message"], "Cannot GET /no/such/route");
    let contact = api.some_contact().await;
    for path in [
        format!("/contacts/{contact}/notes/nope"),
        format!("/contacts/{contact}/tasks/nope"),
        "/contacts/nope".to_owned(),
    ] {
        let r = api.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.body["message"].as_str().unwrap().ends_with("not found"));
    }
}

#[tokio::test]
async fn search_filters_sort_and_business() {
    let (_sandbox, api) = start(300).await;
    let vip = api
        .post(
            "/contacts/search",
            json!({ "locationId": api.location, "pageLimit": 500,
            "filters": [{ "field": "tags", "operator": "eq", "value": "vip" }] }),
        )
        .await;
    let contacts = vip.body["contacts"].as_array().unwrap();
    assert!(!contacts.is_empty());
    assert!(contacts
        .iter()
        .all(|c| c["tags"].as_array().unwrap().contains(&json!("vip"))));
    assert_eq!(vip.body["total"].as_u64().unwrap() as usize, contacts.len());
    for item in contacts {
        assert!(
            item.get("address1").is_none(),
            "search items name it address"
        );
        assert!(item.get("website").is_none() && item.get("timezone").is_none());
        assert!(item["searchAfter"].is_array());
    }
    let whole = api
        .get(&format!(
            "/contacts/{}",
            contacts[0]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(whole.body["contact"]["address1"], contacts[0]["address"]);
    assert!(whole.body["contact"]["timezone"].is_string());

    let by_name = api
        .post("/contacts/search", json!({ "locationId": api.location, "pageLimit": 500, "sort": [{ "field": "lastNameLowerCase", "direction": "desc" }] }))
        .await;
    let names: Vec<String> = by_name.body["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["lastNameLowerCase"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.windows(2).all(|w| w[0] >= w[1]));

    let query = api
        .post(
            "/contacts/search",
            json!({ "locationId": api.location, "pageLimit": 5, "query": contacts[0]["email"] }),
        )
        .await;
    assert_eq!(query.body["contacts"][0]["id"], contacts[0]["id"]);

    let too_big = api
        .post(
            "/contacts/search",
            json!({ "locationId": api.location, "pageLimit": 501 }),
        )
        .await;
    assert_eq!(
        too_big.status,
        StatusCode::BAD_REQUEST,
        "the spec declares 400"
    );
    assert_eq!(too_big.body["statusCode"], 400);
    let too_deep = api
        .post(
            "/contacts/search",
            json!({ "locationId": api.location, "pageLimit": 500, "page": 21 }),
        )
        .await;
    assert_eq!(too_deep.status, StatusCode::BAD_REQUEST);

    let with_business = api
        .post("/contacts/search", json!({ "locationId": api.location, "pageLimit": 1, "filters": [{ "field": "businessId", "operator": "exists" }] }))
        .await;
    let business = with_business.body["contacts"][0]["businessId"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = api
        .get(&format!(
            "/contacts/business/{business}?locationId={}&limit=100",
            api.location
        ))
        .await;
    let members = listed.body["contacts"].as_array().unwrap();
    assert!(!members.is_empty());
    assert!(members.iter().all(|c| c["businessId"] == business.as_str()));
    assert_eq!(
        listed.body["count"].as_u64().unwrap() as usize,
        members.len()
    );
}

#[tokio::test]
async fn every_response_carries_rate_limit_headers_and_the_101st_gets_429() {
    let (_sandbox, api) = start(5).await;
    let path = format!("/contacts/{}", api.some_contact().await);
    for n in 2..=100u32 {
        let r = api.get(&path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.headers["x-ratelimit-remaining"],
            (100 - n).to_string().as_str()
        );
    }
    let limited = api.get(&path).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.body["statusCode"], 429);
    for header in [
        "x-ratelimit-max",
        "x-ratelimit-remaining",
        "x-ratelimit-interval-milliseconds",
        "x-ratelimit-limit-daily",
        "x-ratelimit-daily-remaining",
    ] {
        assert!(limited.headers.contains_key(header), "{header}");
    }
    assert_eq!(limited.headers["x-ratelimit-remaining"], "0");
    assert!(!limited.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn sandbox_is_deterministic_for_a_seed() {
    let (a, api_a) = start(40).await;
    let (b, _) = start(40).await;
    assert_eq!(a.info(), b.info());
    let body = |r: common::Reply| -> Value { r.body["contacts"].clone() };
    let page = body(
        api_a
            .post(
                "/contacts/search",
                json!({ "locationId": api_a.location, "pageLimit": 40 }),
            )
            .await,
    );
    let api_b = Api::new(
        b.base_url(),
        &b.info().locations[0].private_integration_token,
        &b.info().locations[0].id,
    );
    assert_eq!(
        page,
        body(
            api_b
                .post(
                    "/contacts/search",
                    json!({ "locationId": api_b.location, "pageLimit": 40 })
                )
                .await
        )
    );
}
