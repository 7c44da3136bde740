//! The signed-in frame: who is signed in, and the way out.

use leptos::prelude::*;

use crate::api::Logout;
use crate::model::User;

#[component]
pub fn ChatShell(user: User, logout: ServerAction<Logout>) -> impl IntoView {
    view! {
        <div class="chat">
            <header class="topbar">
                <span class="brand">"Confab"</span>
                <span class="whoami">"Signed in as " <strong>{user.username.to_string()}</strong></span>
                <ActionForm action=logout>
                    <button type="submit" class="secondary">"Sign out"</button>
                </ActionForm>
            </header>
            <main class="room">
                <h1>"General"</h1>
            </main>
        </div>
    }
}
