//! The signed-out form: `Username`, `Password`, `Sign in`, `Create account`.
//!
//! Without JavaScript it is a plain form that posts to `/api/login`, or to
//! `/api/register` through the second button's `formaction`. Hydrated, it
//! runs the matching server action and shows its error in words.

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

use crate::api::{Login, Register};

#[component]
pub fn SignInForm(login: ServerAction<Login>, register: ServerAction<Register>) -> impl IntoView {
    let username = NodeRef::<html::Input>::new();
    let password = NodeRef::<html::Input>::new();
    let creating = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let wants_account = ev
            .submitter()
            .and_then(|button| button.get_attribute("value"))
            .is_some_and(|value| value == "register");
        let username = username
            .get()
            .map(|input| input.value())
            .unwrap_or_default();
        let password = password
            .get()
            .map(|input| input.value())
            .unwrap_or_default();
        creating.set(wants_account);
        if wants_account {
            register.dispatch(Register { username, password });
        } else {
            login.dispatch(Login { username, password });
        }
    };
    let pending = move || login.pending().get() || register.pending().get();
    // The error of the form's last action; without JavaScript it arrives in
    // the URL of the page the failed post redirected back to.
    let error = move || {
        let login_error = login.value().get().and_then(Result::err);
        let register_error = register.value().get().and_then(Result::err);
        let (first, second) = if creating.get() {
            (register_error, login_error)
        } else {
            (login_error, register_error)
        };
        first.or(second).map(|err| err.to_string())
    };

    view! {
        <main class="sign-in">
            <h1 class="brand">"Confab"</h1>
            <p class="tagline">"Real-time chat for your team."</p>
            <form method="post" action="/api/login" on:submit=on_submit>
                <label for="username">"Username"</label>
                <input
                    id="username"
                    name="username"
                    type="text"
                    node_ref=username
                    autocomplete="username"
                    required
                    minlength="3"
                    maxlength="32"
                    autocapitalize="none"
                    spellcheck="false"
                />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    node_ref=password
                    autocomplete="current-password"
                    required
                    minlength="8"
                    maxlength="256"
                />
                <p class="form-error" role="alert">{error}</p>
                <div class="actions">
                    <button type="submit" value="login" disabled=pending>"Sign in"</button>
                    <button type="submit" value="register" formaction="/api/register" class="secondary" disabled=pending>
                        "Create account"
                    </button>
                </div>
            </form>
        </main>
    }
}
