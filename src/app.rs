//! The HTML shell and the route table; nothing else.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

use crate::ui::pages::{HomePage, NotFound};

/// The document around every page, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/confab.css"/>
        <Title text="Confab"/>
        <Router>
            <Routes fallback=NotFound>
                // Async: the whole page is rendered before it is sent, so it is
                // complete and usable before (or without) the WASM bundle.
                <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async/>
                // The room browser as a page of its own: where "Browse rooms"
                // leads when JavaScript is off.
                <Route path=StaticSegment("rooms") view=HomePage ssr=SsrMode::Async/>
                <Route path=(StaticSegment("room"), ParamSegment("id")) view=HomePage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
