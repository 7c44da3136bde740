//! The embedded default: with no REDIS_URL, confab runs its own
//! redis-server, and that child never outlives it.

use std::time::{Duration, Instant};

use crate::helpers::ConfabProcess;
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
    let mut confab = ConfabProcess::start(&[(
        "CONFAB_DATA_DIR",
        dir.path().join("data").display().to_string(),
    )])
    .await;
    let redis: Vec<u32> = children(confab.child.id())
        .into_iter()
        .filter(|pid| command_of(*pid).starts_with("redis-server"))
        .collect();
    assert_eq!(redis.len(), 1, "one embedded redis-server");
    let redis = redis[0];
    assert!(is_running(redis));

    confab.child.kill().expect("SIGKILL");
    confab.child.wait().expect("reaped");
    let deadline = Instant::now() + PATIENCE;
    while is_running(redis) {
        assert!(
            Instant::now() < deadline,
            "redis-server {redis} outlived its confab"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Deployed elsewhere: from a directory with no Leptos.toml or Cargo.toml,
/// given the Leptos deployment variables, the binary starts (its embedded
/// Redis too, with data under that directory) and serves pages.
#[tokio::test]
async fn the_binary_runs_from_any_directory() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let confab = ConfabProcess::start_deployed(dir.path(), &[]).await;
    let page = reqwest::get(format!("{}/", confab.base))
        .await
        .expect("the page answers");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("a page");
    assert!(html.contains("/pkg/confab"), "the page loads its bundle: {html}");
    assert!(
        dir.path().join("data/redis").is_dir(),
        "the embedded Redis keeps its data in the working directory"
    );
}

/// A settings file named but missing stops the process before it starts
/// anything, with one line that names the file.
#[tokio::test]
async fn a_missing_settings_file_is_named_and_nothing_starts() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
        .current_dir(dir.path())
        .env_remove("REDIS_URL")
        .env("CONFAB_LEPTOS_CONFIG", "nowhere/Leptos.toml")
        .output()
        .expect("confab runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nowhere/Leptos.toml"), "{stderr}");
    assert!(
        !dir.path().join("data").exists(),
        "no Redis was started: {stderr}"
    );
}

/// A key prefix with a brace would make it the hash tag of every key (one
/// slot for everything on a cluster): refused at start, with the reason.
/// So are both Redis settings at once.
#[tokio::test]
async fn a_prefix_with_braces_or_two_redis_settings_are_refused() {
    for (name, value, expected) in [
        ("CONFAB_KEY_PREFIX", "chat{1}:", "brace"),
        ("REDIS_CLUSTER_URLS", "redis://127.0.0.1:1", "cannot be used with"),
    ] {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
            .current_dir(dir.path())
            .env("REDIS_URL", "redis://127.0.0.1:1")
            .env(name, value)
            .output()
            .expect("confab runs");
        assert!(!output.status.success(), "{name}={value} started");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{name}: {stderr}");
    }
}
