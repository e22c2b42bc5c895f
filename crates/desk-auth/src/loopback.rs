//! The loopback redirect listener of a native-app OAuth sign-in (RFC 8252 §7.3): it
//! listens on 127.0.0.1 only and waits for the one callback that carries this sign-in's
//! `state`. Anything else (another path, a missing or wrong `state`, say a web page's
//! `<img>` pointing at the port) gets a 400 page and the wait goes on. Connections are
//! served concurrently, each with a short read timeout, so an idle or trickling client
//! cannot stall it. Once the real answer came, it stops listening, so a replayed
//! callback finds nothing there. It gives up after a timeout or when cancelled.

use std::{collections::HashMap, net::SocketAddr, time::Duration};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::mpsc,
};
use tokio_util::sync::CancellationToken;

use crate::error::AuthError;

/// The callback path registered as the redirect URI.
pub const CALLBACK_PATH: &str = "/callback";
/// How long a sign-in may wait for the browser.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Largest request head read from the browser.
const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

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

/// Reads the request line of one HTTP request: `(method, target)`, or `None` when the
/// client sends no complete head in time.
async fn read_request_line(stream: &mut TcpStream) -> Option<(String, String)> {
    let read = async {
        let mut buffer = Vec::with_capacity(1024);
        let mut chunk = [0u8; 1024];
        while !buffer.windows(4).any(|w| w == b"\r\n\r\n") && buffer.len() < MAX_HEAD {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                break;
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
        Some(buffer)
    };
    let buffer = tokio::time::timeout(READ_TIMEOUT, read).await.ok()??;
    let head = String::from_utf8_lossy(&buffer);
    let mut parts = head.lines().next()?.split_whitespace();
    Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
}

/// Serves one connection: `Some` with the sign-in's outcome when it was the callback
/// carrying `state`, `None` (after a 400 page) for anything else.
async fn serve(mut stream: TcpStream, state: &str) -> Option<Result<String, AuthError>> {
    const NOT_OURS: &str =
        "This address only receives HighLevel's answer to the sign-in GHL Desk started.";
    let Some((method, target)) = read_request_line(&mut stream).await else {
        answer(stream, "400 Bad Request", "Not a sign-in answer", NOT_OURS).await;
        return None;
    };
    let query: HashMap<String, String> = url::Url::parse(&format!("http://127.0.0.1{target}"))
        .ok()
        .filter(|url| method == "GET" && url.path() == CALLBACK_PATH)
        .map(|url| url.query_pairs().into_owned().collect())
        .unwrap_or_default();
    if query.get("state").map(String::as_str) != Some(state) {
        answer(stream, "400 Bad Request", "Not a sign-in answer", NOT_OURS).await;
        return None;
    }
    if let Some(error) = query.get("error") {
        answer(
            stream,
            "200 OK",
            "Sign-in cancelled",
            "HighLevel did not grant access. You can close this tab and return to GHL Desk.",
        )
        .await;
        return Some(Err(AuthError::Denied(error.clone())));
    }
    let Some(code) = query.get("code").filter(|c| !c.is_empty()) else {
        answer(
            stream,
            "400 Bad Request",
            "Sign-in incomplete",
            "HighLevel's answer carried no code. Go back to GHL Desk and start again.",
        )
        .await;
        return Some(Err(AuthError::MissingCode));
    };
    answer(
        stream,
        "200 OK",
        "Signed in",
        "GHL Desk is signed in to HighLevel. You can close this tab.",
    )
    .await;
    Some(Ok(code.clone()))
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
    /// code. Every other request is answered 400 and ignored. Consumes the listener:
    /// once this returns, nothing listens any more.
    pub async fn wait_for_code(
        self,
        state: &str,
        timeout: Duration,
        cancel: CancellationToken,
    ) -> Result<String, AuthError> {
        let (outcomes, mut outcome) = mpsc::channel(1);
        let accept = async {
            loop {
                let Ok((stream, _)) = self.listener.accept().await else {
                    continue;
                };
                let (outcomes, state) = (outcomes.clone(), state.to_owned());
                tokio::spawn(async move {
                    if let Some(result) = serve(stream, &state).await {
                        let _ = outcomes.send(result).await;
                    }
                });
            }
        };
        let wait = async {
            tokio::select! {
                () = accept => Err(AuthError::Cancelled),
                result = outcome.recv() => result.unwrap_or(Err(AuthError::Cancelled)),
            }
        };
        tokio::select! {
            result = wait => result,
            () = tokio::time::sleep(timeout) => Err(AuthError::TimedOut(timeout.as_secs().div_ceil(60))),
            () = cancel.cancelled() => Err(AuthError::Cancelled),
        }
    }
}
