//! `POST /hooks/{secret}`: a program posts into a room through a webhook,
//! with JSON `{"text": "..."}` or a form `text=...`. Answers the stored
//! Message, or an error as JSON. Not under `/api`: no Origin check (the
//! secret in the URL is the credential, and no browser adds it by itself).

use axum::body::{to_bytes, Body};
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::error::AppError;
use crate::model::MessageText;

use super::form_body;
use super::services::webhooks;
use super::AppState;

/// The largest body read: a message of the longest text, four bytes a
/// character, escaped, with room to spare.
const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Deserialize)]
struct Post {
    text: String,
}

pub async fn receive(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let posted = async {
        let text = read_text(&headers, body).await?;
        webhooks::post(&state, &secret, &text).await
    };
    match posted.await {
        Ok(message) => Json(message).into_response(),
        Err(err) => err.into_response(),
    }
}

/// How a webhook's body is written.
#[derive(Debug, PartialEq, Eq)]
enum Encoding {
    Json,
    Form,
    /// No Content-Type: told apart by the body.
    Unsaid,
}

/// The `text` of a JSON or form body. A body sent as a form that is a JSON
/// object (what `curl -d '{"text": ...}'` sends) is read as JSON, as chat
/// webhooks commonly do; any other content type is refused.
async fn read_text(headers: &HeaderMap, body: Body) -> Result<String, AppError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase());
    let encoding =
        match content_type.as_deref() {
            None | Some("") => Encoding::Unsaid,
            Some("application/json") => Encoding::Json,
            Some(other) if other.starts_with("application/") && other.ends_with("+json") => {
                Encoding::Json
            }
            Some("application/x-www-form-urlencoded") => Encoding::Form,
            Some(_) => return Err(AppError::BadInput(
                "Send the message as JSON {\"text\": \"...\"} (Content-Type: application/json) \
                 or as a form with text= (application/x-www-form-urlencoded)."
                    .into(),
            )),
        };
    let bytes = to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        AppError::TooLarge(format!(
            "A webhook's body is at most {} KB; a message at most {} characters.",
            MAX_BODY_BYTES / 1024,
            MessageText::MAX_LEN
        ))
    })?;
    let looks_like_json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if encoding == Encoding::Json || looks_like_json {
        // A struct also reads from a JSON array (`["hi"]`); only an object
        // is the documented form.
        if !looks_like_json {
            return Err(AppError::BadInput(
                "The body is not a JSON object of the form {\"text\": \"...\"}.".into(),
            ));
        }
        let post: Post = serde_json::from_slice(&bytes).map_err(|err| {
            AppError::BadInput(format!(
                "The body is not JSON of the form {{\"text\": \"...\"}}: {err}."
            ))
        })?;
        return Ok(post.text);
    }
    form_text(&bytes)
}

/// The `text` field of a form body, refused unless the whole body is
/// strict form encoding of UTF-8 (a lenient decoding would store `%zz` as
/// typed and replacement characters for bytes that are not UTF-8).
fn form_text(body: &[u8]) -> Result<String, AppError> {
    form_body::pairs(body)?
        .into_iter()
        .find(|(name, _)| name == "text")
        .map(|(_, text)| text)
        .ok_or_else(|| AppError::BadInput("The form has no text= field.".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_text_decodes_strictly() {
        assert_eq!(
            form_text(b"a=1&text=deploy+%F0%9F%9A%80").unwrap(),
            "deploy 🚀"
        );
        assert_eq!(form_text(b"text=").unwrap(), "");
        assert_eq!(form_text(b"text=%FF").unwrap_err().status(), 400);
        assert_eq!(form_text(&[0xff, 0xfe]).unwrap_err().status(), 400);
        assert_eq!(form_text(b"words=hi").unwrap_err().status(), 400);
        assert_eq!(form_text(b"text=hi&x=%zz").unwrap_err().status(), 400);
    }
}
