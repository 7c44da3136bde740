//! Websocket clients: connecting many at once (with the session cookie and
//! the site's own Origin, each one only done once the server has
//! registered it), and the reader task of each socket, which finds
//! our timestamp in every `message` event and tallies it on a shared
//! [`Board`]. Readers never parse JSON whole: at hundreds of thousands of
//! frames a second the load generator must not become the bottleneck.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::clock::now_ns;
use crate::hist::Histogram;

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;
pub type Sink = SplitSink<Stream, Message>;

/// Tallies kept apart per step (ramp steps, or one for a steady run).
pub const MAX_STEPS: usize = 16;

/// What the readers saw of one step's messages.
#[derive(Default)]
pub struct Tally {
    /// `message` events carrying this step's stamp, on any socket.
    pub deliveries: AtomicU64,
    /// Of those, the ones that came back to their sender (with the nonce).
    pub echoes: AtomicU64,
    pub last_delivery_ns: AtomicU64,
    pub delivery: Histogram,
    pub echo: Histogram,
    /// Written by the senders.
    pub sent: AtomicU64,
    pub expected: AtomicU64,
    pub send_errors: AtomicU64,
    /// Messages a sender skipped after falling more than a second behind.
    pub skipped: AtomicU64,
}

/// Shared by every socket of a scenario.
pub struct Board {
    pub tallies: Vec<Tally>,
    pub open: AtomicU64,
    /// `error` events (a refused frame, a rate limit...).
    pub errors: AtomicU64,
    /// `presence` events, on every socket.
    pub presence: AtomicU64,
    pub first_error: Mutex<Option<String>>,
    /// Sockets the server closed, by close code.
    pub closes: Mutex<BTreeMap<u16, u64>>,
    pub closed: AtomicU64,
}

impl Default for Board {
    fn default() -> Self {
        Board {
            tallies: (0..MAX_STEPS).map(|_| Tally::default()).collect(),
            open: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            presence: AtomicU64::new(0),
            first_error: Mutex::new(None),
            closes: Mutex::new(BTreeMap::new()),
            closed: AtomicU64::new(0),
        }
    }
}

impl Board {
    fn on_frame(&self, frame: &[u8]) {
        const TEXT: &[u8] = b"\"text\":\"t=";
        const NONCE: &[u8] = b"\"nonce\":\"";
        const ERROR: &[u8] = b"\"type\":\"error\"";
        const PRESENCE: &[u8] = b"\"type\":\"presence\"";
        if let Some(at) = find(frame, TEXT) {
            let rest = &frame[at + TEXT.len()..];
            let (sent_ns, rest) = digits(rest);
            let step = rest
                .strip_prefix(b" k=")
                .map(|r| digits(r).0 as usize)
                .unwrap_or(MAX_STEPS);
            let Some(tally) = self.tallies.get(step) else {
                return;
            };
            let now = now_ns();
            let us = now.saturating_sub(sent_ns) / 1000;
            tally.deliveries.fetch_add(1, Ordering::Relaxed);
            tally.delivery.record_us(us);
            tally.last_delivery_ns.fetch_max(now, Ordering::Relaxed);
            if find(rest, NONCE).is_some() {
                tally.echoes.fetch_add(1, Ordering::Relaxed);
                tally.echo.record_us(us);
            }
        } else if find(frame, ERROR).is_some() {
            self.errors.fetch_add(1, Ordering::Relaxed);
            let mut first = self.first_error.lock().unwrap();
            if first.is_none() {
                *first = Some(String::from_utf8_lossy(frame).into_owned());
            }
        } else if find(frame, PRESENCE).is_some() {
            self.presence.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn on_close(&self, code: u16) {
        self.closed.fetch_add(1, Ordering::Relaxed);
        *self.closes.lock().unwrap().entry(code).or_default() += 1;
    }

    pub fn first_error(&self) -> Option<String> {
        self.first_error.lock().unwrap().clone()
    }

    pub fn closes(&self) -> BTreeMap<u16, u64> {
        self.closes.lock().unwrap().clone()
    }
}

/// Where `needle` (not empty) starts in `hay`: a scan for its first byte,
/// then a compare, which is cheap on short JSON frames.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut from = 0;
    while let Some(offset) = hay[from..].iter().position(|&b| b == first) {
        let at = from + offset;
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn digits(bytes: &[u8]) -> (u64, &[u8]) {
    let end = bytes
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(bytes.len());
    let value = bytes[..end].iter().fold(0u64, |n, b| {
        n.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
    });
    (value, &bytes[end..])
}

/// An open websocket: the write half for senders, the reader running.
pub struct Socket {
    pub user: usize,
    pub instance: usize,
    pub sink: Arc<tokio::sync::Mutex<Sink>>,
    reader: JoinHandle<()>,
}

impl Drop for Socket {
    /// Dropping both halves closes the TCP connection.
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Where and as whom to connect.
pub struct Target {
    pub ws_url: String,
    /// `http://host:port`, the site's own origin.
    pub origin: String,
    pub cookie: String,
    pub user: usize,
    pub instance: usize,
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Opens one socket; its reader tallies on `board`.
pub async fn connect(target: Target, board: Arc<Board>) -> Result<Socket, String> {
    let mut request = target
        .ws_url
        .as_str()
        .into_client_request()
        .map_err(|e| format!("{}: {e}", target.ws_url))?;
    let headers = request.headers_mut();
    headers.insert("cookie", target.cookie.parse().map_err(|_| "bad cookie")?);
    headers.insert("origin", target.origin.parse().map_err(|_| "bad origin")?);
    // Small buffers: ten thousand sockets must fit in the load generator.
    let config = WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0);
    let connecting = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
    let (stream, _) = match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
        Err(_) => {
            return Err(format!(
                "{}: no handshake within {CONNECT_TIMEOUT:?}",
                target.ws_url
            ))
        }
        Ok(Err(WsError::Http(response))) => {
            let body = response
                .body()
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            return Err(format!("{}: {} {body}", target.ws_url, response.status()));
        }
        Ok(Err(e)) => return Err(format!("{}: {e}", target.ws_url)),
        Ok(Ok(pair)) => pair,
    };
    let stream = registered(stream, &board, &target.ws_url).await?;
    let (sink, stream) = stream.split();
    board.open.fetch_add(1, Ordering::Relaxed);
    let reader = tokio::spawn(read(stream, board));
    Ok(Socket {
        user: target.user,
        instance: target.instance,
        sink: Arc::new(tokio::sync::Mutex::new(sink)),
        reader,
    })
}

/// Waits until the server has registered the socket on its bus. The
/// handshake's answer comes before that, and a message sent in between
/// would not reach the socket; but the server reads (and so answers a
/// ping) only once the socket is registered.
async fn registered(mut stream: Stream, board: &Board, url: &str) -> Result<Stream, String> {
    let deadline = tokio::time::Instant::now() + CONNECT_TIMEOUT;
    stream
        .send(Message::Ping(Default::default()))
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => return Err(format!("{url}: not registered within {CONNECT_TIMEOUT:?}")),
            Ok(None) => return Err(format!("{url}: closed before it was registered")),
            Ok(Some(Err(e))) => return Err(format!("{url}: {e}")),
            Ok(Some(Ok(Message::Pong(_)))) => return Ok(stream),
            Ok(Some(Ok(Message::Text(text)))) => board.on_frame(text.as_bytes()),
            Ok(Some(Ok(Message::Close(frame)))) => {
                return Err(format!("{url}: closed before it was registered: {frame:?}"))
            }
            Ok(Some(Ok(_))) => {}
        }
    }
}

async fn read(mut stream: SplitStream<Stream>, board: Arc<Board>) {
    struct Open(Arc<Board>);
    impl Drop for Open {
        fn drop(&mut self) {
            self.0.open.fetch_sub(1, Ordering::Relaxed);
        }
    }
    let open = Open(board);
    let board = &open.0;
    while let Some(message) = stream.next().await {
        match message {
            Ok(Message::Text(text)) => board.on_frame(text.as_bytes()),
            Ok(Message::Close(frame)) => {
                board.on_close(frame.map_or(1005, |f| u16::from(f.code)));
                break;
            }
            Ok(_) => {}
            Err(_) => {
                board.on_close(1006);
                break;
            }
        }
    }
}

/// What connecting many sockets took.
pub struct Connected {
    pub sockets: Vec<Socket>,
    pub failures: u64,
    pub first_failure: Option<String>,
    pub seconds: f64,
    pub latency: Histogram,
}

/// Opens every target, `parallel` handshakes at a time; the sockets come
/// back in the order of the targets that opened.
pub async fn connect_all(targets: Vec<Target>, board: &Arc<Board>, parallel: usize) -> Connected {
    let latency = Histogram::default();
    let started = Instant::now();
    let results: Vec<Result<Socket, String>> = futures::stream::iter(targets)
        .map(|target| {
            let board = board.clone();
            let latency = &latency;
            async move {
                let t0 = Instant::now();
                let socket = connect(target, board).await;
                latency.record_us(t0.elapsed().as_micros() as u64);
                socket
            }
        })
        .buffered(parallel.max(1))
        .collect()
        .await;
    let seconds = started.elapsed().as_secs_f64();
    let mut sockets = Vec::with_capacity(results.len());
    let mut failures = 0;
    let mut first_failure = None;
    for result in results {
        match result {
            Ok(socket) => sockets.push(socket),
            Err(e) => {
                failures += 1;
                first_failure.get_or_insert(e);
            }
        }
    }
    Connected {
        sockets,
        failures,
        first_failure,
        seconds,
        latency,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_event_is_tallied_with_its_step_and_echo() {
        crate::clock::init();
        let board = Board::default();
        let t = now_ns();
        let frame = format!(
            r#"{{"type":"message","message":{{"room_id":"3","seq":1,"from":"1","username":"a","text":"t={t} k=2 xxxx","date":1}},"nonce":"n1"}}"#
        );
        board.on_frame(frame.as_bytes());
        let other = format!(
            r#"{{"type":"message","message":{{"room_id":"3","seq":2,"from":"1","username":"a","text":"t={t} k=2 xxxx","date":1}}}}"#
        );
        board.on_frame(other.as_bytes());
        board.on_frame(br#"{"type":"error","reason":"no"}"#);
        assert_eq!(find(b"abcabd", b"abd"), Some(3));
        assert_eq!(find(b"ab", b"abc"), None);
        board.on_frame(br#"{"type":"presence","user":{"id":"1","username":"a"},"online":true}"#);
        let tally = &board.tallies[2];
        assert_eq!(tally.deliveries.load(Ordering::Relaxed), 2);
        assert_eq!(tally.echoes.load(Ordering::Relaxed), 1);
        assert_eq!(board.errors.load(Ordering::Relaxed), 1);
        assert_eq!(board.presence.load(Ordering::Relaxed), 1);
    }
}
