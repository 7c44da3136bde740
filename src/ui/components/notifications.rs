//! The `Notifications` button in the top bar: turns browser notifications
//! of mentions and direct messages on and off (`ui::live::notify`), and is
//! pressed while they are on. It needs a script, so a page without one
//! does not show it.

use leptos::prelude::*;

use crate::ui::live::notify;

#[component]
pub fn NotificationToggle() -> impl IntoView {
    let on = RwSignal::new(false);
    // Read once the page runs: the server cannot know, and hydration must
    // find what the server rendered.
    Effect::new(move |_| on.set(notify::enabled()));
    let toggle = move |_| {
        if on.get_untracked() {
            notify::turn_off();
            on.set(false);
        } else {
            leptos::task::spawn_local(async move { on.set(notify::turn_on().await) });
        }
    };
    view! {
        <button
            type="button"
            class="secondary js-only"
            aria-pressed=move || on.get().to_string()
            title="Tell me of mentions and direct messages while this tab is hidden"
            on:click=toggle
        >
            "Notifications"
        </button>
    }
}
