//! Keeps one request's reactive owner out of another request's handling.
//!
//! Leptos keeps "the current reactive owner" in a thread-local, and the
//! page renderer makes each page's owner current on the worker thread
//! (`Owner::new_root` sets it) and leaves it there. A later request on
//! that thread whose handler makes an owner with `Owner::new()` (the
//! server functions' and the site files' handlers do) got a child of that
//! page's owner, and a context it looked up and did not provide itself
//! came from the page: the site files' handler copied the page's
//! `ResponseOptions`, and so its `Set-Cookie`, into a file's response. One
//! browser was signed in as another person.
//!
//! This middleware clears the thread's owner before and after every poll
//! of the request it wraps, so each request starts from none and leaves
//! none behind. Leptos's own futures set the owner they need when they are
//! polled (`Owner::with`, `ScopedFuture`): none relies on a leftover.

use std::future::Future;
use std::pin::pin;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::Owner;

/// Middleware: runs the request with no reactive owner left over from
/// another request on the same thread.
pub async fn fresh_owner(request: Request, next: Next) -> Response {
    let mut handled = pin!(next.run(request));
    std::future::poll_fn(move |cx| {
        forget_current_owner();
        let polled = handled.as_mut().poll(cx);
        forget_current_owner();
        polled
    })
    .await
}

fn forget_current_owner() {
    if let Some(owner) = Owner::current() {
        owner.unset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_left_over_owner_is_forgotten() {
        let _left_over = Owner::new_root(None);
        assert!(Owner::current().is_some());
        forget_current_owner();
        assert!(Owner::current().is_none());
        forget_current_owner();
        assert!(Owner::current().is_none());
    }
}
