//! An `AppError` as an HTTP response: its status, and the JSON body the
//! contract gives every error (`{"error": "...", "message": "..."}`). For
//! the handlers that are not server functions.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json_response(status, serde_json::to_string(&self).unwrap_or_default())
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    response
}

/// The answer to a method a path does not take (a GET of an `/api`
/// endpoint, a POST of a page): 405 with an error body that says why, like
/// every other error.
pub async fn method_not_allowed() -> Response {
    let body = crate::error::error_body(
        "method_not_allowed",
        "This address does not take that method: API endpoints take POST, pages GET.",
    );
    json_response(StatusCode::METHOD_NOT_ALLOWED, body)
}
