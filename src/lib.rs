//! Confab: real-time chat. One crate, three worlds:
//! - [`model`] and [`error`]: the types that cross the wire;
//! - [`api`]: server functions, callable from both sides;
//! - [`ui`] and [`app`]: the Leptos UI, rendered on the server and hydrated;
//! - `server` (feature `ssr`): everything that only runs on the server.

// The chat page is one view type, deeper than rustc's default limit.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod error;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

/// The browser entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // A mark that tests (and curious people) can wait for.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "");
    }
}
