//! Every request and every socket has an id in its log lines: a request
//! runs inside a `request` span (`id`, method, path), a socket inside a
//! `socket` span (its connection id and user), so that the lines of one
//! request can be picked out of an instance's log (and out of the JSON
//! log, `CONFAB_LOG_FORMAT=json`, where the span is a field of each line).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// Hands out this instance's request ids: 1, 2, 3, ...
#[derive(Clone, Default)]
pub struct RequestIds(Arc<AtomicU64>);

impl RequestIds {
    fn next(&self) -> u64 {
        self.0.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// Middleware: runs the request inside its own span.
pub async fn trace_requests(
    State(ids): State<RequestIds>,
    request: Request,
    next: Next,
) -> Response {
    let span = tracing::info_span!(
        "request",
        id = ids.next(),
        method = %request.method(),
        path = %request.uri().path(),
    );
    next.run(request).instrument(span).await
}
