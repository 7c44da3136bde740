//! Pages: the server-rendered chat page (GET / with a session) and the
//! messages endpoint (POST /api/messages room_id=0), each hammered by C
//! concurrent clients for D seconds: requests per second and p99.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use confab::model::RoomId;

use crate::hist::Histogram;
use crate::progress::Progress;
use crate::report::{round, Report};

use super::Ctx;

/// Messages put in room 0 first, so that both pages have history to show.
const SEED: usize = 50;

#[derive(Clone, Copy)]
enum Page {
    Chat,
    Messages,
}

impl Page {
    fn name(self) -> &'static str {
        match self {
            Page::Chat => "GET /",
            Page::Messages => "POST /api/messages",
        }
    }
}

pub async fn run(ctx: &Ctx<'_>) -> Report {
    let mut report = Report::new("pages");
    let user = &ctx.users[0];
    let seed = if ctx.args.smoke { 10 } else { SEED };
    for i in 0..seed {
        if let Err(e) = ctx
            .api
            .send(i, user, &RoomId::GENERAL, &format!("loadgen history {i}"))
            .await
        {
            report.notes.push(format!("seeding room 0 stopped: {e}"));
            break;
        }
    }
    report
        .params
        .add("concurrency", ctx.args.concurrency)
        .add("seconds_each", ctx.args.duration)
        .add("instances", ctx.instances())
        .add("history_messages", seed);
    let mut any = true;
    for (page, key) in [(Page::Chat, "chat_page"), (Page::Messages, "messages_api")] {
        let result = hammer(ctx, page, &user.cookie).await;
        let latency = result.latency.summary();
        report
            .figures
            .add(
                &format!("{key}_per_sec"),
                round(result.ok as f64 / result.seconds),
            )
            .add(&format!("{key}_p50_ms"), round(latency.p50_ms))
            .add(&format!("{key}_p99_ms"), round(latency.p99_ms))
            .add(&format!("{key}_bytes"), result.bytes);
        if result.failed > 0 {
            report.figures.add(&format!("{key}_failed"), result.failed);
            report.notes.push(format!(
                "{}: {} failed; the first: {}",
                page.name(),
                result.failed,
                result.first_failure.unwrap_or_default()
            ));
        }
        any &= result.ok > 0;
    }
    report.delivered = any;
    report
}

struct Hammered {
    ok: u64,
    failed: u64,
    first_failure: Option<String>,
    seconds: f64,
    latency: Histogram,
    /// The size of one successful response body.
    bytes: u64,
}

async fn hammer(ctx: &Ctx<'_>, page: Page, cookie: &str) -> Hammered {
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let first_failure = Arc::new(Mutex::new(None));
    let latency = Arc::new(Histogram::default());
    let next = Arc::new(AtomicU64::new(0));
    let _progress = {
        let (ok, failed) = (ok.clone(), failed.clone());
        let duration = Duration::from_secs(ctx.args.duration);
        Progress::timed(&format!("pages {}", page.name()), duration, move || {
            format!(
                "ok {}  failed {}",
                ok.load(Ordering::Relaxed),
                failed.load(Ordering::Relaxed)
            )
        })
    };
    let started = Instant::now();
    let end = started + Duration::from_secs(ctx.args.duration);
    let workers: Vec<_> = (0..ctx.args.concurrency.max(1))
        .map(|_| {
            let api = ctx.api.clone();
            let cookie = cookie.to_owned();
            let (ok, failed, bytes) = (ok.clone(), failed.clone(), bytes.clone());
            let (first_failure, latency, next) =
                (first_failure.clone(), latency.clone(), next.clone());
            tokio::spawn(async move {
                while Instant::now() < end {
                    let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                    let base = api.base(i);
                    let request = match page {
                        Page::Chat => api.http.get(format!("{base}/")),
                        Page::Messages => api
                            .http
                            .post(format!("{base}/api/messages"))
                            .form(&[("room_id", "0")]),
                    };
                    let t0 = Instant::now();
                    let result = match request
                        .header(reqwest::header::COOKIE, &cookie)
                        .timeout(Duration::from_secs(30))
                        .send()
                        .await
                    {
                        Ok(response) => {
                            let status = response.status();
                            match response.bytes().await {
                                Ok(body) if status.is_success() => Ok(body.len() as u64),
                                Ok(body) => Err(format!(
                                    "{status}: {}",
                                    String::from_utf8_lossy(&body)
                                        .chars()
                                        .take(200)
                                        .collect::<String>()
                                )),
                                Err(e) => Err(e.to_string()),
                            }
                        }
                        Err(e) => Err(e.to_string()),
                    };
                    latency.record_us(t0.elapsed().as_micros() as u64);
                    match result {
                        Ok(len) => {
                            ok.fetch_add(1, Ordering::Relaxed);
                            bytes.store(len, Ordering::Relaxed);
                        }
                        Err(e) => {
                            failed.fetch_add(1, Ordering::Relaxed);
                            first_failure.lock().unwrap().get_or_insert(e);
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let first_failure = first_failure.lock().unwrap().take();
    Hammered {
        ok: ok.load(Ordering::Relaxed),
        failed: failed.load(Ordering::Relaxed),
        first_failure,
        seconds,
        latency: Arc::try_unwrap(latency).unwrap_or_default(),
        bytes: bytes.load(Ordering::Relaxed),
    }
}
