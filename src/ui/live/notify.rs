//! Browser notifications (the Notification API): while the tab is hidden,
//! a message that names the reader, or any message in one of their direct
//! rooms, raises one. Off until the reader turns it on from the
//! `Notifications` button (a click asks the browser's permission, never a
//! page load); the choice is kept in the browser (localStorage).
//!
//! Every function here touches browser objects, so only code that runs in
//! the browser calls them: event handlers, effects and the socket.

use web_sys::js_sys::Reflect;
use web_sys::wasm_bindgen::JsValue;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

/// The localStorage key that keeps the reader's choice.
const SETTING: &str = "confab.notifications";
/// How much of a message's text a notification shows.
const BODY_CHARS: usize = 200;

/// Whether this browser has the Notification API at all (calling into it
/// where it is missing would throw).
fn supported() -> bool {
    Reflect::has(
        &leptos::prelude::window(),
        &JsValue::from_str("Notification"),
    )
    .unwrap_or(false)
}

fn storage() -> Option<web_sys::Storage> {
    leptos::prelude::window().local_storage().ok().flatten()
}

/// Whether notifications are on: chosen here, and allowed by the browser.
pub fn enabled() -> bool {
    supported()
        && Notification::permission() == NotificationPermission::Granted
        && storage()
            .and_then(|s| s.get_item(SETTING).ok().flatten())
            .as_deref()
            == Some("on")
}

/// Turns notifications on, asking the browser's permission if it has not
/// been given yet; answers whether they are on now.
pub async fn turn_on() -> bool {
    if !supported() {
        return false;
    }
    if Notification::permission() == NotificationPermission::Default {
        if let Ok(asked) = Notification::request_permission() {
            let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
        }
    }
    if Notification::permission() != NotificationPermission::Granted {
        return false;
    }
    if let Some(storage) = storage() {
        let _ = storage.set_item(SETTING, "on");
    }
    true
}

pub fn turn_off() {
    if let Some(storage) = storage() {
        let _ = storage.set_item(SETTING, "off");
    }
}

/// Raises a notification, if they are on and the tab is hidden.
pub fn show(title: &str, text: &str) {
    if !enabled() || !leptos::prelude::document().hidden() {
        return;
    }
    let options = NotificationOptions::new();
    options.set_body(&text.chars().take(BODY_CHARS).collect::<String>());
    let _ = Notification::new_with_options(title, &options);
}
