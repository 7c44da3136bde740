//! A websocket test client: connect with a cookie and an Origin, send JSON
//! frames, and wait (bounded) for the events the test expects.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for an event it expects.
pub const PATIENCE: Duration = Duration::from_secs(35);

pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Ws {
    /// Opens `/ws` on `base`; on a refused handshake, its HTTP status.
    pub async fn connect(
        base: &str,
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> Result<Ws, u16> {
        let mut headers = vec![("origin", origin.unwrap_or(base))];
        if let Some(cookie) = cookie {
            headers.push(("cookie", cookie));
        }
        Self::connect_with(base, &headers).await
    }

    /// Opens `/ws` on `base` with exactly `headers` (a program's socket:
    /// a token, no cookie, maybe no Origin).
    pub async fn connect_with(base: &str, headers: &[(&str, &str)]) -> Result<Ws, u16> {
        let url = format!("{}/ws", base.replacen("http", "ws", 1));
        let mut request = url.into_client_request().expect("a ws request");
        for (name, value) in headers {
            let name: tokio_tungstenite::tungstenite::http::HeaderName =
                name.parse().expect("a header name");
            request
                .headers_mut()
                .insert(name, value.parse().expect("a header value"));
        }
        let connected = tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(request))
            .await
            .expect("the handshake is answered within the patience");
        match connected {
            Ok((stream, _)) => Ok(Ws { stream }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(response.status().as_u16())
            }
            Err(err) => panic!("ws connect failed: {err}"),
        }
    }

    pub async fn send(&mut self, frame: Value) {
        self.stream
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("the frame is sent");
    }

    pub async fn send_raw(&mut self, text: String) {
        self.stream
            .send(Message::Text(text.into()))
            .await
            .expect("the frame is sent");
    }

    pub async fn send_message(&mut self, room: &str, text: &str, nonce: &str) {
        self.send(json!({"type": "send", "room_id": room, "text": text, "nonce": nonce}))
            .await;
    }

    /// The next event of type `kind`, skipping others.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        self.next_where(&format!("a {kind} event"), |e| e["type"] == kind)
            .await
    }

    /// The next event not of type `kind`.
    pub async fn next_except(&mut self, kind: &str) -> Value {
        self.next_where(&format!("an event other than {kind}"), |e| {
            e["type"] != kind
        })
        .await
    }

    /// The next event that satisfies `wanted`, skipping others. One
    /// deadline bounds the whole wait, pings and skipped events included.
    pub async fn next_where(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let message = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .unwrap_or_else(|_| panic!("{what} did not arrive within {PATIENCE:?}"))
                .expect("the socket is open")
                .expect("a readable frame");
            match message {
                Message::Text(text) => {
                    let event: Value = serde_json::from_str(&text).expect("JSON");
                    if wanted(&event) {
                        return event;
                    }
                }
                Message::Close(frame) => panic!("closed while waiting for {what}: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// The next text event before `deadline`, or `None` if none came.
    pub async fn next_before(&mut self, deadline: tokio::time::Instant) -> Option<Value> {
        loop {
            let message = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()?
                .expect("the socket is open")
                .expect("a readable frame");
            match message {
                Message::Text(text) => return Some(serde_json::from_str(&text).expect("JSON")),
                Message::Close(frame) => panic!("closed unexpectedly: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Reads until the server closes the socket; its close code, if it
    /// sent one.
    pub async fn closed(&mut self) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let next = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .expect("closed within the patience");
            match next {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Reads the frames the server sends, as raw bytes, answering none
    /// (not even a ping: a client gone silent) until the server ends the
    /// connection; the code of its close frame, if one came.
    pub async fn close_code_unanswered(self) -> Option<u16> {
        use tokio::io::AsyncReadExt;
        let MaybeTlsStream::Plain(mut tcp) = self.stream.into_inner() else {
            panic!("the tests speak plain ws");
        };
        let mut bytes = Vec::new();
        tokio::time::timeout(PATIENCE, tcp.read_to_end(&mut bytes))
            .await
            .expect("the server ends the connection within the patience")
            .ok()?;
        // Server frames are unmasked; pings and a close are short (one
        // length byte).
        let mut at = 0;
        while at + 2 <= bytes.len() {
            let (opcode, len) = (bytes[at] & 0x0F, usize::from(bytes[at + 1] & 0x7F));
            let payload = bytes.get(at + 2..at + 2 + len)?;
            if opcode == 0x8 {
                return payload
                    .get(..2)
                    .map(|code| u16::from_be_bytes([code[0], code[1]]));
            }
            at += 2 + len;
        }
        None
    }

    pub async fn close(mut self) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let frame = tokio_tungstenite::tungstenite::protocol::CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        };
        let _ = tokio::time::timeout_at(deadline, self.stream.close(Some(frame))).await;
        // Drain until the server's answer, so the server has seen the close.
        while let Ok(Some(Ok(_))) = tokio::time::timeout_at(deadline, self.stream.next()).await {}
    }
}

/// Polls `condition` until it holds (bounded by the patience).
pub async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen in time"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Polls an async `condition` until it holds (bounded by the patience).
pub async fn eventually_async<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !condition().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen in time"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
