//! The HTML shell, the page paths, and the app: a router around the page.

use leptos::prelude::*;
use crate::ui::location::Location;
use crate::ui::pages::Pages;

/// The paths Confab serves a page at, in axum's syntax; any other path is
/// answered with the not-found page and a 404. `ui::pages` reads the same
/// paths from the URL.
pub const PAGE_PATHS: [&str; 5] = [
    // The chat on General, or the sign-in form.
    "/",
    // The room browser as a page of its own: where "Browse rooms" leads
    // when JavaScript is off.
    "/rooms",
    "/room/{id}",
    // Search results (`?q=`) over the chat: where the search box leads.
    "/search",
    // The reader's API tokens over the chat: make and revoke them.
    "/settings",
];

/// The document around every page, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <title>"Confab"</title>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" id="leptos" href="/pkg/confab.css"/>
                // Enter in the message box before the page is hydrated.
                <script src="/early-enter.js" defer nonce=leptos::nonce::use_nonce()></script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page's [`Location`] keeps the URL: it takes clicks on links and the
/// browser's back and forward buttons, and moves between rooms without a
/// page load. The page for a path is chosen by [`Pages`], not a route
/// tree: three paths match by hand for a fraction of the bundle a router
/// costs (docs/benchmarks.md, "Browser bundle").
#[component]
pub fn App() -> impl IntoView {
    Location::provide();
    view! { <Pages/> }
}
