//! `GET /ws`: the websocket every browser (and bot) keeps open. The
//! handshake checks the Origin (403, but not for a program's: a token and
//! no cookie) and the session cookie or API token (401); then
//! [`socket`] runs a reader and a writer for the connection, and
//! [`frames`] answers what the client sends.

mod frames;
mod socket;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

use super::{origin, session, AppState};

/// Frames are read up to this size so that an oversized one can be
/// answered with 1009 rather than a dropped connection.
const READ_LIMIT: usize = 1 << 20;
/// The read buffer a socket starts with (tungstenite's default is 128 KiB,
/// zero-filled, so resident per idle socket). Client frames are small; a
/// bigger one grows the buffer for as long as it needs.
const READ_BUFFER: usize = 4 << 10;

pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if !origin::is_same_site(&headers, state.config.public_url.as_ref())
        && !session::is_programs(&headers)
    {
        return refuse(AppError::Forbidden(
            "This connection came from another site and was refused.".into(),
        ));
    }
    let caller = match session::current_caller(&state, &headers).await {
        Ok(caller) => caller,
        Err(err) => return refuse(err),
    };
    // Who asks is settled before how: a plain GET from nobody is a 401.
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let user = caller.user.clone();
    // One person's sockets are bounded (each holds queues and a place in
    // every room's fan-out), and one session's on this instance: past a
    // cap, the newest is refused. Two handshakes at the same moment may
    // both pass the count.
    let session = caller.fingerprint();
    let of_session = state.bus.sockets_of_session(&session);
    if of_session >= state.config.sockets_per_session {
        return refuse(AppError::TooManyRequests(format!(
            "This sign-in has {of_session} connections open here, the most one may. Close a tab and try again."
        )));
    }
    match state.store.open_sockets(user.id).await {
        Ok(open) if open >= state.config.sockets_per_person => {
            return refuse(AppError::TooManyRequests(format!(
                "You have {open} connections open, the most one person may. Close a tab and try again."
            )))
        }
        Ok(_) => {}
        Err(err) => return refuse(err.into()),
    }
    // Registered before the 101 goes out: once a client sees its socket
    // open, no event can slip past it.
    let admission = match socket::Admission::new(&state, user, session).await {
        Ok(admission) => admission,
        Err(err) => return refuse(err),
    };
    ws.read_buffer_size(READ_BUFFER)
        .max_message_size(READ_LIMIT)
        .max_frame_size(READ_LIMIT)
        .on_upgrade(move |socket| socket::serve(state, caller, admission, socket))
}

fn refuse(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, err.to_string()).into_response()
}
