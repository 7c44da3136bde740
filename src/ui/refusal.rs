//! The error of a plain form post that the server refused. Without a
//! script in between, leptos_axum sends the browser back to the page it
//! came from with the error in the URL: `__path` names the server function,
//! `__err` carries the encoded [`AppError`]. The page reads it from there,
//! on the server and in the browser alike.
//!
//! Confab's account forms and composer post this way whether or not
//! JavaScript runs, so they need no action machinery in the browser bundle
//! (see docs/benchmarks.md, "Browser bundle").

use leptos::prelude::GetUntracked;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_router::hooks::use_query_map;

use crate::error::AppError;

/// The error the server function at `path` answered the last form post
/// with, if that is how this page was reached.
pub fn refused(path: &str) -> Option<AppError> {
    let query = use_query_map().get_untracked();
    if query.get_str("__path")? != path {
        return None;
    }
    Some(ServerFnUrlError::<AppError>::decode_err(
        query.get_str("__err")?,
    ))
}

/// What the refused form post to the server function at `path` kept for
/// the page to put back (`key` in the URL beside the error), if that is
/// how this page was reached.
pub fn kept(path: &str, key: &str) -> Option<String> {
    let query = use_query_map().get_untracked();
    if query.get_str("__path")? != path {
        return None;
    }
    query.get(key)
}
