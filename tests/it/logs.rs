//! The log for log shippers: with `CONFAB_LOG_FORMAT=json`, each line is a
//! JSON object, and a line written while serving a request carries that
//! request's span with its id.

use std::io::BufRead;

use crate::helpers::{Client, ConfabProcess, PASSWORD};
use crate::ws::PATIENCE;

#[tokio::test]
async fn json_log_lines_carry_the_request_id() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (confab, log) = ConfabProcess::start_logging(&[
        (
            "CONFAB_DATA_DIR",
            dir.path().join("data").display().to_string(),
        ),
        ("CONFAB_LOG_FORMAT", "json".into()),
        ("RUST_LOG", "info".into()),
    ])
    .await;
    // The log is read on a thread of its own; lines come over a channel.
    let (lines, mut incoming) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(log).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    assert_eq!(
        Client::new(&confab.base)
            .register("logan", PASSWORD)
            .await
            .status,
        200
    );

    let deadline = tokio::time::Instant::now() + PATIENCE;
    let created = loop {
        let line = tokio::time::timeout_at(deadline, incoming.recv())
            .await
            .expect("the account's line within the patience")
            .expect("the log stays open");
        let entry: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("a log line that is not JSON ({e}): {line}"));
        if entry["fields"]["message"] == "account created" {
            break entry;
        }
    };
    let span = &created["span"];
    assert_eq!(span["name"], "request", "{created}");
    assert_eq!(span["path"], "/api/register", "{created}");
    assert!(span["id"].as_u64().is_some_and(|id| id > 0), "{created}");
}
