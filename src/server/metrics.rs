//! `GET /metrics`: this instance's counters in the Prometheus text format
//! (exposition format 0.0.4): open sockets, channels followed, and the
//! bus's events received and delivered by kind.

use std::fmt::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::AppState;

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
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
