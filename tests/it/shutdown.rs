//! Stopping an instance: on SIGTERM it stops taking connections, tells
//! its sockets to go (1001, so that clients reconnect to another
//! instance) at once, finishes the requests in flight, stops its embedded
//! Redis and exits cleanly.

use std::time::Instant;

use crate::helpers::{Client, ConfabProcess};
use crate::ws::PATIENCE;

#[tokio::test]
async fn sigterm_tells_sockets_to_go_and_exits_cleanly() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (mut confab, mut socket) = with_a_socket(&dir).await;

    terminate(&confab);

    assert_eq!(
        socket.closed().await,
        Some(1001),
        "the socket is told to go"
    );
    exits_cleanly(&mut confab).await;
    // Nothing listens any more.
    assert!(reqwest::get(format!("{}/healthz", confab.base))
        .await
        .is_err());
}

/// A request still arriving when SIGTERM comes is finished and answered,
/// and the sockets are told to go without waiting for it (they were told
/// only once every request was done).
#[tokio::test]
async fn sigterm_finishes_a_request_in_flight_and_tells_sockets_first() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (mut confab, mut socket) = with_a_socket(&dir).await;

    // A sign-up in the server's hands, its body not sent yet: the server
    // asks for the body (100 Continue) once its handler reads it.
    let body = format!("username=bob&password={}", crate::helpers::PASSWORD);
    let address = confab.base.trim_start_matches("http://").to_owned();
    let mut request = tokio::net::TcpStream::connect(&address)
        .await
        .expect("a connection");
    let head = format!(
        "POST /api/register HTTP/1.1\r\nHost: {address}\r\nOrigin: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Expect: 100-continue\r\n\r\n",
        confab.base,
        body.len()
    );
    request
        .write_all(head.as_bytes())
        .await
        .expect("the head is sent");
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(PATIENCE, request.read(&mut byte))
            .await
            .expect("asked for the body within the patience")
            .expect("a readable connection");
        assert_eq!(read, 1, "the connection stays open");
        answer.push(byte[0]);
    }
    assert!(
        answer.starts_with(b"HTTP/1.1 100"),
        "{}",
        String::from_utf8_lossy(&answer)
    );

    terminate(&confab);
    assert_eq!(
        socket.closed().await,
        Some(1001),
        "told to go, the request still open"
    );

    request
        .write_all(body.as_bytes())
        .await
        .expect("the body is sent");
    let mut answer = String::new();
    tokio::time::timeout(PATIENCE, request.read_to_string(&mut answer))
        .await
        .expect("answered within the patience")
        .expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    exits_cleanly(&mut confab).await;
}

fn terminate(confab: &ConfabProcess) {
    let pid = libc::pid_t::try_from(confab.child.id()).expect("a pid");
    // SAFETY: kill(2) with a pid we own and a standard signal.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
}

/// Waits (bounded) for `confab` to exit, and checks it exited cleanly.
async fn exits_cleanly(confab: &mut ConfabProcess) {
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = confab.child.try_wait().expect("the child's status") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "confab did not exit after SIGTERM"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status}");
}

/// A `confab` with its data in `dir`, and a signed-in person's socket.
async fn with_a_socket(dir: &tempfile::TempDir) -> (ConfabProcess, crate::ws::Ws) {
    let confab = ConfabProcess::start(&[(
        "CONFAB_DATA_DIR",
        dir.path().join("data").display().to_string(),
    )])
    .await;
    let alice = Client::new(&confab.base);
    alice.signed_up("alice").await;
    let socket = alice.ws().await;
    (confab, socket)
}
