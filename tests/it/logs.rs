//! The log for log shippers: with `CONFAB_LOG_FORMAT=json`, each line is a
//! JSON object, and a line written while serving a request or a socket
//! carries that request's span with its id, or the socket's with its
//! connection id and person.

use std::io::BufRead;

use serde_json::Value;

use crate::helpers::{Client, ConfabProcess, PASSWORD};
use crate::ws::PATIENCE;

/// A `confab` writing JSON lines (with `settings` added), and its lines
/// as they come.
async fn logging(
    dir: &tempfile::TempDir,
    settings: &[(&str, String)],
) -> (ConfabProcess, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let mut env = vec![
        (
            "CONFAB_DATA_DIR",
            dir.path().join("data").display().to_string(),
        ),
        ("CONFAB_LOG_FORMAT", "json".into()),
        ("RUST_LOG", "info".into()),
    ];
    env.extend_from_slice(settings);
    let (confab, log) = ConfabProcess::start_logging(&env).await;
    // The log is read on a thread of its own; lines come over a channel.
    let (lines, incoming) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(log).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    (confab, incoming)
}

/// The first line whose message is `message`.
async fn line_saying(
    incoming: &mut tokio::sync::mpsc::UnboundedReceiver<String>,
    message: &str,
) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let line = tokio::time::timeout_at(deadline, incoming.recv())
            .await
            .unwrap_or_else(|_| panic!("a line saying {message:?} within the patience"))
            .expect("the log stays open");
        let entry: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("a log line that is not JSON ({e}): {line}"));
        if entry["fields"]["message"] == message {
            return entry;
        }
    }
}

#[tokio::test]
async fn json_log_lines_carry_the_request_id() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (confab, mut incoming) = logging(&dir, &[]).await;
    assert_eq!(
        Client::new(&confab.base)
            .register("logan", PASSWORD)
            .await
            .status,
        200
    );
    let created = line_saying(&mut incoming, "account created").await;
    let span = &created["span"];
    assert_eq!(span["name"], "request", "{created}");
    assert_eq!(span["path"], "/api/register", "{created}");
    assert!(span["id"].as_u64().is_some_and(|id| id > 0), "{created}");
}

/// A socket closed for silence is logged in the socket's span: which
/// connection, whose.
#[tokio::test]
async fn json_log_lines_carry_the_socket_and_its_person() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (confab, mut incoming) = logging(&dir, &[("CONFAB_SILENCE_LIMIT_SECS", "3".into())]).await;
    let sam = Client::new(&confab.base);
    let sam_id = sam.signed_up("sam").await;
    assert_eq!(sam.ws().await.close_code_unanswered().await, Some(1001));
    let closed = line_saying(&mut incoming, "closing a socket").await;
    let span = &closed["span"];
    assert_eq!(span["name"], "socket", "{closed}");
    assert_eq!(span["user"].as_str(), Some(sam_id.as_str()), "{closed}");
    assert!(
        span["conn"].as_str().is_some_and(|conn| !conn.is_empty()),
        "{closed}"
    );
}
