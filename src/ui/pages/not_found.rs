//! The page for a path Confab does not serve.

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main class="centered">
            <h1>"Page not found"</h1>
            <p><a href="/">"Back to Confab"</a></p>
        </main>
    }
}
