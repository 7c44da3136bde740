//! The signed-out form: `Username`, `Password`, `Sign in`, `Create account`.
//!
//! A plain form, with or without JavaScript: it posts to `/api/login`, or
//! to `/api/register` through the second button's `formaction`. The server
//! sets the session cookie and sends the browser back to the page, now
//! signed in; a refusal comes back in the URL and is shown in words.

use leptos::prelude::*;
use crate::ui::refusal::{refused, Form};

#[component]
pub fn SignInForm() -> impl IntoView {
    let error = refused(Form::SignIn).or_else(|| refused(Form::CreateAccount));

    view! {
        <main class="sign-in">
            <h1 class="brand">"Confab"</h1>
            <p class="tagline">"Real-time chat for your team."</p>
            <form method="post" action="/api/login">
                <label for="username">"Username"</label>
                <input
                    id="username"
                    name="username"
                    type="text"
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
                    autocomplete="current-password"
                    required
                    minlength="8"
                    maxlength="256"
                />
                <p class="form-error" role="alert">{error}</p>
                <div class="actions">
                    <button type="submit" value="login">"Sign in"</button>
                    <button type="submit" value="register" formaction="/api/register" class="secondary">
                        "Create account"
                    </button>
                </div>
            </form>
        </main>
    }
}
