//! Middleware in front of `/api`: refuses cross-site requests (but a
//! program's, made with an API token and no cookie), calls from nobody to
//! endpoints that need a caller (401, before their fields are read), and
//! bodies that are too large or not strict form encoding, and gives every
//! server-function error the HTTP status its `AppError` names.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use leptos::server_fn::ServerFn;

use crate::api::{Login, Logout, Register};
use crate::error::AppError;

use super::form_body;
use super::origin;
use super::request::{is_plain_form_post, RequestUser};
use super::session;
use super::AppState;

/// Larger error bodies are not ours; they pass untouched.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// The largest request body read: the longest form (a message of the
/// longest text, four bytes a character, each escaped) with room to spare.
const MAX_REQUEST_BODY: usize = 256 * 1024;

/// The endpoints anyone may call: the rest need a caller.
const OPEN_ENDPOINTS: [&str; 3] = [
    <Register as ServerFn>::PATH,
    <Login as ServerFn>::PATH,
    <Logout as ServerFn>::PATH,
];

pub async fn api_guard(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/api/") {
        return next.run(request).await;
    }
    // A program's request (a token, no cookie) carries no credential a
    // browser would add by itself: there is nothing to forge.
    if !origin::is_same_site(request.headers(), state.config.public_url.as_ref())
        && !session::is_programs(request.headers())
    {
        return AppError::Forbidden("This request came from another site and was refused.".into())
            .into_response();
    }
    // Who calls is settled before what they sent is read: a call from
    // nobody is a 401 whatever its fields. The server functions it runs
    // share the answer. A plain form post is left to its server function,
    // which sends the browser back to the page with the refusal.
    if request.method() == Method::POST
        && !OPEN_ENDPOINTS.contains(&path)
        && !is_plain_form_post(request.headers())
    {
        match session::current_caller(&state, request.headers()).await {
            Ok(caller) => {
                request.extensions_mut().insert(RequestUser::known(caller));
            }
            Err(err) => return err.into_response(),
        }
    }
    let request = match checked_form(request).await {
        Ok(request) => request,
        Err(err) => return err.into_response(),
    };
    let response = next.run(request).await;
    // A plain form post that failed is redirected back with the error in
    // the URL; only a 500 is a status still to be set.
    if response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return with_error_status(response).await;
    }
    response
}

/// The request with its body read and checked: at most
/// `MAX_REQUEST_BODY` bytes (413) of strict form encoding (400), as the
/// lenient parser behind server functions would otherwise store `%zz`
/// as typed and bytes that are not UTF-8 as U+FFFD.
async fn checked_form(request: Request) -> Result<Request, AppError> {
    if request.method() != Method::POST {
        return Ok(request);
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_REQUEST_BODY).await.map_err(|_| {
        AppError::TooLarge(format!(
            "The request is too large: at most {} KB.",
            MAX_REQUEST_BODY / 1024
        ))
    })?;
    form_body::check(&bytes)?;
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Server functions answer every error with 500; the body says which it is.
async fn with_error_status(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}
