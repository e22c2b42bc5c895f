//! A server that keeps answering the same page must not make a pager loop forever.

use std::sync::Arc;

use ghl::{paging::SearchPager, ClientConfig, GhlClient, GhlError, StaticToken};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

/// Answers every request with the same full page of two contacts and the same cursor.
async fn stuck_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
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
                    let body = r#"{"contacts":[{"id":"a","searchAfter":[1,"a"]},{"id":"b","searchAfter":[1,"b"]}],"total":99}"#;
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

#[tokio::test]
async fn a_repeated_cursor_stops_the_pager() {
    let base = stuck_server().await;
    let config = ClientConfig::with_bases(&base, &base).unwrap();
    let client = GhlClient::new(config, Arc::new(StaticToken::new("pit-x")), "loc").unwrap();
    let mut pager = SearchPager::new(&client, 2);
    assert_eq!(pager.next_page().await.unwrap().unwrap().len(), 2);
    assert_eq!(pager.next_page().await.unwrap_err(), GhlError::CursorStuck);
}
