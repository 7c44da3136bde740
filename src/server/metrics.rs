//! `GET /metrics`: this instance's counters in the Prometheus text format
//! (exposition format 0.0.4): open sockets and the sessions they belong
//! to, channels followed, the bus's events received and delivered by kind,
//! slow consumers cut off, bus reconnects, password hashing (running and
//! queued), store failures, the send latency histogram and syncs that
//! waited for their budget. Served on the site's own
//! address, or alone on `CONFAB_METRICS_ADDR`.

use std::fmt::Write;
use std::net::SocketAddr;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::startup::StartupError;
use super::AppState;

/// The route, to add to a router of `AppState`.
pub fn route(router: Router<AppState>) -> Router<AppState> {
    router.route("/metrics", get(metrics))
}

/// Serves `/metrics` alone on `addr` until the task is aborted.
pub async fn serve_apart(
    addr: SocketAddr,
    state: AppState,
) -> Result<JoinHandle<()>, StartupError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartupError::Bind { addr, source })?;
    tracing::info!("metrics on http://{addr}/metrics");
    let app = route(Router::new()).with_state(state);
    Ok(tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::warn!(error = %err, "the metrics listener stopped");
        }
    }))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let counts = state.bus.counts();
    let mut text = String::new();
    let gauges = [
        (
            "confab_open_sockets",
            "Websockets open on this instance.",
            state.bus.connection_count(),
        ),
        (
            "confab_signed_in_sessions",
            "Sessions (and API tokens) with a websocket open on this instance.",
            state.bus.session_count(),
        ),
        (
            "confab_password_hashing_running",
            "Argon2 runs going on now.",
            state.hasher.running(),
        ),
        (
            "confab_password_hashing_waiting",
            "Sign-ins and sign-ups waiting for a turn at hashing (the argon2 queue).",
            state.hasher.waiting(),
        ),
        (
            "confab_bus_channels",
            "Pub/sub channels this instance follows.",
            state.bus.subscription_count().await,
        ),
    ];
    for (name, help, value) in gauges {
        gauge(&mut text, name, help, value as u64);
    }
    let kinds = [
        (
            "confab_bus_events_received_total",
            "Bus events this instance received, by kind.",
            &counts.received,
        ),
        (
            "confab_bus_events_delivered_total",
            "Bus events that reached at least one socket here, by kind.",
            &counts.delivered,
        ),
    ];
    for (name, help, by_kind) in kinds {
        let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} counter");
        for (kind, count) in by_kind {
            let _ = writeln!(text, "{name}{{kind=\"{}\"}} {count}", kind.name());
        }
    }
    let counters = [
        (
            "confab_frames_queued_total",
            "Event frames queued to sockets here.",
            counts.frames,
        ),
        (
            "confab_slow_consumers_cut_total",
            "Sockets closed as too slow: their queue overflowed or a write passed its deadline.",
            counts.slow_cut_off,
        ),
        (
            "confab_queue_overflows_total",
            "Sockets closed because their queue of frames overflowed (counted among the slow consumers too).",
            counts.queue_overflows,
        ),
        (
            "confab_bus_reconnects_total",
            "Times the bus's pub/sub connection was made again after a drop.",
            counts.reconnects,
        ),
        (
            "confab_store_failures_total",
            "Requests and socket frames that failed on a Redis error.",
            super::store::failures_so_far(),
        ),
        (
            "confab_sync_waits_total",
            "Syncs that waited for their reader's sync budget (CONFAB_SYNC_PAGES_*).",
            counts.sync_waits,
        ),
    ];
    for (name, help, value) in counters {
        counter(&mut text, name, help, value);
    }
    state.send_latency.write(
        &mut text,
        "confab_send_seconds",
        "How long storing and publishing a message took (the send script's round trip).",
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
}

fn gauge(text: &mut String, name: &str, help: &str, value: u64) {
    let _ = writeln!(
        text,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
    );
}

fn counter(text: &mut String, name: &str, help: &str, value: u64) {
    let _ = writeln!(
        text,
        "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
    );
}
