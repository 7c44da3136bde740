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

/// The embedded redis-server of a running confab, and its command line.
fn embedded_redis(confab: &ConfabProcess) -> (u32, Vec<String>) {
    let pid = children(confab.child.id())
        .into_iter()
        .find(|pid| command_of(*pid).starts_with("redis-server"))
        .expect("an embedded redis-server");
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).expect("its command line");
    let args = cmdline
        .split(|b| *b == 0)
        .map(|arg| String::from_utf8_lossy(arg).into_owned())
        .collect();
    (pid, args)
}

/// The embedded Redis is the instance's alone: its directory is the
/// owner's (0700), its settings file with the password is 0600, the
/// password is nowhere on the command line, and a client without it is
/// refused. It has a memory ceiling that refuses writes when reached.
#[tokio::test]
async fn the_embedded_redis_is_private_and_bounded() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("data");
    let confab = ConfabProcess::start(&[
        ("CONFAB_DATA_DIR", data.display().to_string()),
        ("CONFAB_REDIS_MAXMEMORY_MB", "64".into()),
    ])
    .await;
    // Redis shows its address as its process title: `redis-server
    // 127.0.0.1:PORT`.
    let (_, args) = embedded_redis(&confab);
    let port = args
        .iter()
        .find_map(|arg| arg.split("127.0.0.1:").nth(1))
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>())
        .expect("the address in the process title");

    let redis_dir = data.join("redis");
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path).expect("it exists").permissions().mode() & 0o777
    };
    assert_eq!(mode(&redis_dir), 0o700);
    let settings = redis_dir.join("confab-redis.conf");
    assert_eq!(mode(&settings), 0o600);
    let text = std::fs::read_to_string(&settings).expect("the settings file");
    let password = text
        .lines()
        .find_map(|line| line.strip_prefix("requirepass "))
        .expect("a password")
        .to_owned();
    assert!(password.len() >= 32, "{password}");
    assert!(!args.iter().any(|arg| arg.contains(&password)), "{args:?}");

    let stranger = redis::Client::open(format!("redis://127.0.0.1:{port}")).expect("a url");
    let mut stranger = stranger
        .get_multiplexed_async_connection()
        .await
        .expect("the port answers");
    let refused = redis::cmd("GET")
        .arg("confab:user:1")
        .query_async::<Option<String>>(&mut stranger)
        .await
        .expect_err("no password, no access");
    assert_eq!(refused.code(), Some("NOAUTH"), "{refused}");

    let owner = redis::Client::open(format!("redis://:{password}@127.0.0.1:{port}")).expect("a url");
    let mut owner = owner.get_multiplexed_async_connection().await.expect("it answers");
    let policy: Vec<String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("maxmemory-policy")
        .query_async(&mut owner)
        .await
        .expect("config");
    assert_eq!(policy[1], "noeviction");
    let ceiling: Vec<String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("maxmemory")
        .query_async(&mut owner)
        .await
        .expect("config");
    assert_eq!(ceiling[1], (64u64 << 20).to_string());
}

/// A full embedded Redis refuses new messages with a 503 and evicts
/// nothing: the sender stays signed in and what was stored stays readable.
#[tokio::test]
async fn a_full_embedded_redis_refuses_writes_and_keeps_sessions() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let confab = ConfabProcess::start(&[
        ("CONFAB_DATA_DIR", dir.path().join("data").display().to_string()),
        ("CONFAB_REDIS_MAXMEMORY_MB", "4".into()),
        ("CONFAB_SEND_BURST", "1000000".into()),
        ("CONFAB_SEND_PER_SECOND", "1000000".into()),
    ])
    .await;
    let alice = crate::helpers::Client::new(&confab.base);
    alice.signed_up("alice").await;
    let text = "x".repeat(3900);
    let mut stored = 0;
    let refused = loop {
        let reply = alice.send("0", &text).await;
        if reply.status != 200 {
            break reply;
        }
        stored += 1;
        assert!(stored < 5000, "4 MB never filled up");
    };
    assert_eq!(refused.status, 503, "{:?}", refused.body);
    assert_eq!(refused.body["error"], "unavailable");
    assert!(stored > 0);
    assert_eq!(alice.post("/api/me", &[]).await.status, 200, "still signed in");
    let newest = alice.history("0", None, Some(1)).await;
    assert_eq!(newest.status, 200);
    assert_eq!(newest.body[0]["seq"], stored);
}
