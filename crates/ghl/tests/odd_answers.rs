//! Answers no sandbox gives: a server that keeps answering the same pages must not make
//! a pager loop forever, an answer too large to hold is refused rather than read into
//! memory, and an accepted create whose answer cannot be read is an unknown outcome.

use std::sync::Arc;

use ghl::{paging::SearchPager, ClientConfig, GhlClient, GhlError, StaticToken};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

/// Answers each request with the next of `pages` (the last one again when they run out).
async fn server(pages: Vec<String>) -> String {
    let pages = Arc::new(pages);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let (pages, served) = (pages.clone(), served.clone());
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| {
                            l.strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if buffer.len() < end + 4 + length {
                        continue;
                    }
                    buffer.drain(..end + 4 + length);
                    let n = served.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let body = &pages[n.min(pages.len() - 1)];
                    let reply = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len());
                    if socket.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

fn page(ids: [&str; 2]) -> String {
    format!(
        r#"{{"contacts":[{{"id":"{a}","searchAfter":[1,"{a}"]}},{{"id":"{b}","searchAfter":[1,"{b}"]}}],"total":99}}"#,
        a = ids[0],
        b = ids[1]
    )
}

fn client(base: &str) -> GhlClient {
    let config = ClientConfig::with_bases(base, base).unwrap();
    GhlClient::new(config, Arc::new(StaticToken::new("pit-x")), "loc").unwrap()
}

#[tokio::test]
async fn a_repeated_cursor_stops_the_pager() {
    let base = server(vec![page(["a", "b"])]).await;
    let client = client(&base);
    let mut pager = SearchPager::new(&client, 2);
    assert_eq!(
        pager
            .next_page()
            .await
            .unwrap()
            .unwrap()
            .contacts
            .items
            .len(),
        2
    );
    assert_eq!(pager.next_page().await.unwrap_err(), GhlError::CursorLoop);
}

#[tokio::test]
async fn a_cursor_that_cycles_between_pages_stops_the_pager() {
    let base = server(vec![page(["a", "b"]), page(["c", "d"]), page(["a", "b"])]).await;
    let client = client(&base);
    let mut pager = SearchPager::new(&client, 2);
    pager.next_page().await.unwrap().unwrap();
    pager.next_page().await.unwrap().unwrap();
    assert_eq!(pager.next_page().await.unwrap_err(), GhlError::CursorLoop);
}

#[tokio::test]
async fn an_answer_larger_than_the_cap_is_refused() {
    let filler = "x".repeat(ghl::MAX_BODY_BYTES);
    let huge = format!(r#"{{"contacts":[],"total":0,"pad":"{filler}"}}"#);
    let base = server(vec![huge]).await;
    let client = client(&base);
    let err = SearchPager::new(&client, 2).next_page().await.unwrap_err();
    assert!(matches!(err, GhlError::TooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn an_accepted_create_whose_answer_cannot_be_read_is_an_unknown_outcome() {
    for body in [r#"{"contact":{"firstName":"no id"}}"#, "not json", "{}"] {
        let base = server(vec![body.to_owned()]).await;
        let client = client(&base);
        let fields = serde_json::json!({ "firstName": "Ada" });
        let err = client
            .create_contact(fields.as_object().unwrap())
            .await
            .unwrap_err();
        assert!(
            matches!(err, GhlError::OutcomeUnknown(_)),
            "{body}: {err:?}"
        );
    }
}
