//! Stopping an instance: on SIGTERM it stops taking connections, tells
//! its sockets to go (1001, so that clients reconnect to another
//! instance), stops its embedded Redis and exits cleanly.

use std::time::Instant;

use crate::helpers::{Client, ConfabProcess};
use crate::ws::PATIENCE;

#[tokio::test]
async fn sigterm_tells_sockets_to_go_and_exits_cleanly() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut confab = ConfabProcess::start(&[(
        "CONFAB_DATA_DIR",
        dir.path().join("data").display().to_string(),
    )])
    .await;
    let alice = Client::new(&confab.base);
    alice.signed_up("alice").await;
    let mut socket = alice.ws().await;

    let pid = libc::pid_t::try_from(confab.child.id()).expect("a pid");
    // SAFETY: kill(2) with a pid we own and a standard signal.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);

    assert_eq!(
        socket.closed().await,
        Some(1001),
        "the socket is told to go"
    );
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
    // Nothing listens any more.
    assert!(reqwest::get(format!("{}/healthz", confab.base))
        .await
        .is_err());
}
