//! The loopback redirect listener of a native-app OAuth sign-in (RFC 8252 §7.3): it
//! listens on 127.0.0.1 only, accepts exactly one callback whose `state` matches, answers
//! the browser with a small page, and stops listening, so a replayed callback finds
//! nothing there. It gives up after a timeout or when cancelled.

use std::{collections::HashMap, net::SocketAddr, time::Duration};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};
use tokio_util::sync::CancellationToken;

use crate::error::AuthError;

/// The callback path registered as the redirect URI.
pub const CALLBACK_PATH: &str = "/callback";
/// How long a sign-in may wait for the browser.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Largest request head read from the browser.
const MAX_HEAD: usize = 16 * 1024;

/// A bound, not yet answered, loopback listener.
#[derive(Debug)]
pub struct Loopback {
    listener: TcpListener,
    addr: SocketAddr,
}

fn page(title: &str, message: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>GHL Desk: {title}</title>\
         <style>body{{font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;color:#1b2330}}\
         main{{max-width:28rem;text-align:center}}</style></head><body><main><h1>{title}</h1><p>{message}</p></main></body></html>"
    )
}

async fn answer(mut stream: TcpStream, status: &str, title: &str, message: &str) {
    let body = page(title, message);
    let reply = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Reads the request line of one HTTP request: `(method, target)`.
async fn read_request_line(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buffer.windows(4).any(|w| w == b"\r\n\r\n") && buffer.len() < MAX_HEAD {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buffer);
    let mut parts = head.lines().next()?.split_whitespace();
    Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
}

impl Loopback {
    /// Listens on 127.0.0.1:`port` (0 picks a free port). GHL matches redirect URIs, so
    /// real sign-ins use the fixed port registered in the Marketplace app.
    pub async fn bind(port: u16) -> Result<Self, AuthError> {
        let listener =
            TcpListener::bind(("127.0.0.1", port))
                .await
                .map_err(|e| AuthError::Listen {
                    port,
                    reason: e.to_string(),
                })?;
        let addr = listener.local_addr().map_err(|e| AuthError::Listen {
            port,
            reason: e.to_string(),
        })?;
        Ok(Self { listener, addr })
    }

    /// The address listened on (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.addr.port())
    }

    /// Waits for the browser to come back with `state` and returns the authorization
    /// code. Requests for other paths (a browser's favicon) are answered 404 and ignored.
    /// Consumes the listener: once this returns, nothing listens any more.
    pub async fn wait_for_code(
        self,
        state: &str,
        timeout: Duration,
        cancel: CancellationToken,
    ) -> Result<String, AuthError> {
        let wait = async {
            loop {
                let Ok((mut stream, _)) = self.listener.accept().await else {
                    continue;
                };
                let Some((method, target)) = read_request_line(&mut stream).await else {
                    continue;
                };
                let Ok(url) = url::Url::parse(&format!("http://127.0.0.1{target}")) else {
                    answer(
                        stream,
                        "400 Bad Request",
                        "Not a sign-in answer",
                        "This address only receives HighLevel's sign-in answer.",
                    )
                    .await;
                    continue;
                };
                if method != "GET" || url.path() != CALLBACK_PATH {
                    answer(
                        stream,
                        "404 Not Found",
                        "Not found",
                        "This address only receives HighLevel's sign-in answer.",
                    )
                    .await;
                    continue;
                }
                let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
                if query.get("state").map(String::as_str) != Some(state) {
                    answer(stream, "400 Bad Request", "Sign-in not recognised", "This answer does not belong to the sign-in GHL Desk started. Go back to GHL Desk and start again.").await;
                    return Err(AuthError::StateMismatch);
                }
                if let Some(error) = query.get("error") {
                    answer(stream, "200 OK", "Sign-in cancelled", "HighLevel did not grant access. You can close this tab and return to GHL Desk.").await;
                    return Err(AuthError::Denied(error.clone()));
                }
                let Some(code) = query.get("code").filter(|c| !c.is_empty()) else {
                    answer(
                        stream,
                        "400 Bad Request",
                        "Sign-in incomplete",
                        "HighLevel's answer carried no code. Go back to GHL Desk and start again.",
                    )
                    .await;
                    return Err(AuthError::MissingCode);
                };
                answer(
                    stream,
                    "200 OK",
                    "Signed in",
                    "GHL Desk is signed in to HighLevel. You can close this tab.",
                )
                .await;
                return Ok(code.clone());
            }
        };
        tokio::select! {
            result = wait => result,
            () = tokio::time::sleep(timeout) => Err(AuthError::TimedOut(timeout.as_secs().div_ceil(60))),
            () = cancel.cancelled() => Err(AuthError::Cancelled),
        }
    }
}
