//! What the first screen needs, handed to the page before its scripts run: who is
//! signed in and the contact list's first page. Asked for over IPC, they came back only
//! after the page's first frame had been drawn without them, and the list was drawn
//! frames later: on a large cache that was about a third of the time from start to rows
//! on screen. The page still asks the core as usual, and uses what it was handed only
//! while it is fresh (`ui/src/lib/handed.ts`).

use std::{
    sync::Arc,
    thread::JoinHandle,
    time::{SystemTime, UNIX_EPOCH},
};

use desk::{ContactQuery, Desk};

/// Rows in the list's first request (`PAGE` in `ui/src/lib/contactList.svelte.ts`).
const ROWS: u32 = 100;

/// Starts reading what the first screen shows, beside the rest of the app's start; the
/// script that hands it to the page comes out.
pub fn read(desk: Arc<Desk>) -> JoinHandle<String> {
    std::thread::spawn(move || script(&desk))
}

fn script(desk: &Desk) -> String {
    let query = ContactQuery {
        limit: ROWS,
        ..ContactQuery::default()
    };
    let first_page = desk
        .location()
        .and_then(|location| location.list_contacts(&query))
        .ok()
        .map(|page| serde_json::json!({ "query": query, "page": page }));
    let at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis());
    let handed = serde_json::json!({
        "at": at,
        "accounts": desk.accounts_status(),
        "firstPage": first_page,
    });
    format!("window.__ghlDeskFirstScreen = {handed};")
}
