//! The embedded default: with no REDIS_URL, confab runs its own
//! redis-server, and that child never outlives it.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::ws::PATIENCE;

/// The pids of `pid`'s children (from /proc).
fn children(pid: u32) -> Vec<u32> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).expect("a live process");
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

/// Gone, or a zombie nobody has reaped yet: either way not running.
fn is_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let state = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .next()?
                .to_owned();
            Some(state != "Z" && state != "X")
        })
        .unwrap_or(false)
}

fn command_of(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default()
}

#[tokio::test]
async fn the_embedded_redis_dies_with_a_killed_confab() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut confab = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
        .env_remove("REDIS_URL")
        .env("CONFAB_DATA_DIR", dir.path().join("data"))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "CONFAB_LEPTOS_CONFIG",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("Leptos.toml"),
        )
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("confab starts");
    let healthz = format!("http://127.0.0.1:{port}/healthz");
    let deadline = Instant::now() + PATIENCE;
    while !reqwest::get(&healthz)
        .await
        .is_ok_and(|r| r.status() == 200)
    {
        assert!(Instant::now() < deadline, "confab did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let redis: Vec<u32> = children(confab.id())
        .into_iter()
        .filter(|pid| command_of(*pid).starts_with("redis-server"))
        .collect();
    assert_eq!(redis.len(), 1, "one embedded redis-server");
    let redis = redis[0];
    assert!(is_running(redis));

    confab.kill().expect("SIGKILL");
    confab.wait().expect("reaped");
    let deadline = Instant::now() + PATIENCE;
    while is_running(redis) {
        assert!(
            Instant::now() < deadline,
            "redis-server {redis} outlived its confab"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
