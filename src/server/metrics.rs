//! `GET /metrics`: this instance's counters in the Prometheus text format
//! (exposition format 0.0.4): open sockets, channels followed, and the
//! bus's events received and delivered by kind. Served on the site's own
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
pub async fn serve_apart(addr: SocketAddr, state: AppState) -> Result<JoinHandle<()>, StartupError> {
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
    gauge(
        &mut text,
        "confab_open_sockets",
        "Websockets open on this instance.",
        state.bus.connection_count() as u64,
    );
    gauge(
        &mut text,
        "confab_bus_channels",
        "Pub/sub channels this instance follows.",
        state.bus.subscription_count().await as u64,
    );
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
    counter(
        &mut text,
        "confab_frames_queued_total",
        "Event frames queued to sockets here.",
        counts.frames,
    );
    counter(
        &mut text,
        "confab_slow_consumers_cut_total",
        "Sockets closed because their queue overflowed.",
        counts.slow_cut_off,
    );
    counter(
        &mut text,
        "confab_bus_reconnects_total",
        "Times the bus's pub/sub connection was made again after a drop.",
        counts.reconnects,
    );
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
}

fn gauge(text: &mut String, name: &str, help: &str, value: u64) {
    let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
}

fn counter(text: &mut String, name: &str, help: &str, value: u64) {
    let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}");
}
