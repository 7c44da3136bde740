//! `AppError`: the one error type that crosses from the server to the browser.
//!
//! Each variant knows its HTTP status. Its text is written for a person; the
//! technical detail behind an `Internal` error is logged on the server and
//! never sent. On the wire it is `{"error": "conflict", "message": "..."}`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(into = "ErrorBody", from = "ErrorBody")]
pub enum AppError {
    /// 400: the input breaks a rule; the text says which.
    #[error("{0}")]
    BadInput(String),
    /// 401: not signed in, or wrong credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: signed in, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such room or user.
    #[error("{0}")]
    NotFound(String),
    /// 409: clashes with what exists, such as a taken username.
    #[error("{0}")]
    Conflict(String),
    /// 413: the input is longer than allowed.
    #[error("{0}")]
    TooLarge(String),
    /// 429: too many tries; wait and try again.
    #[error("{0}")]
    TooManyRequests(String),
    /// 503: the store cannot be reached right now.
    #[error("Confab cannot reach its database right now. Please try again in a moment.")]
    Unavailable,
    /// 500: a fault on the server; the detail is in the server log.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadInput(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::TooLarge(_) => 413,
            AppError::TooManyRequests(_) => 429,
            AppError::Internal => 500,
            AppError::Unavailable => 503,
        }
    }

    /// The machine-readable name of the variant, as sent in `error`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadInput(_) => "bad_input",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge(_) => "too_large",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::Internal => "internal",
            AppError::Unavailable => "unavailable",
        }
    }

    pub fn signed_out() -> Self {
        AppError::Unauthorized("You are not signed in.".into())
    }
}

/// The JSON shape of an error on the wire.
#[derive(Serialize, Deserialize)]
struct ErrorBody {
    error: String,
    message: String,
}

/// An error body for a refusal that is no [`AppError`] (such as a method
/// a path does not take), in the same shape.
#[cfg(feature = "ssr")]
pub fn error_body(code: &str, message: &str) -> String {
    serde_json::to_string(&ErrorBody {
        error: code.to_owned(),
        message: message.to_owned(),
    })
    .unwrap_or_default()
}

impl From<AppError> for ErrorBody {
    fn from(err: AppError) -> Self {
        ErrorBody {
            error: err.code().to_owned(),
            message: err.to_string(),
        }
    }
}

impl From<ErrorBody> for AppError {
    fn from(body: ErrorBody) -> Self {
        let ErrorBody { error, message } = body;
        match error.as_str() {
            "bad_input" => AppError::BadInput(message),
            "unauthorized" => AppError::Unauthorized(message),
            "forbidden" => AppError::Forbidden(message),
            "not_found" => AppError::NotFound(message),
            "conflict" => AppError::Conflict(message),
            "too_large" => AppError::TooLarge(message),
            "too_many_requests" => AppError::TooManyRequests(message),
            "unavailable" => AppError::Unavailable,
            _ => AppError::Internal,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request itself was malformed: a missing or unreadable field.
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                AppError::BadInput(format!("The request is malformed: {detail}."))
            }
            // On the server: a body that is not UTF-8 or cannot be read.
            ServerFnErrorErr::Deserialization(_) => AppError::BadInput(
                "The request could not be read: send UTF-8 form fields.".into(),
            ),
            ServerFnErrorErr::Request(_) => AppError::BadInput(
                "Confab could not be reached. Check your connection and try again.".into(),
            ),
            _ => AppError::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_round_trip_through_json_with_their_words() {
        let err = AppError::Conflict("That username is taken.".into());
        let json = serde_json::to_string(&err).unwrap();
        assert_eq!(
            json,
            r#"{"error":"conflict","message":"That username is taken."}"#
        );
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), err);
        assert_eq!(err.status(), 409);
    }

    #[test]
    fn internal_errors_carry_no_detail() {
        let json = serde_json::to_string(&AppError::Internal).unwrap();
        assert!(json.contains("Something went wrong"));
    }
}
