//! `/`: the sign-in form when signed out, the chat when signed in.

use leptos::prelude::*;

use crate::api::{me, Login, Logout, Register};
use crate::ui::components::chat_shell::ChatShell;
use crate::ui::components::sign_in::SignInForm;

#[component]
pub fn HomePage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let register = ServerAction::<Register>::new();
    let logout = ServerAction::<Logout>::new();
    // Who is signed in, asked again after each of the three actions.
    let user = Resource::new(
        move || {
            (
                login.version().get(),
                register.version().get(),
                logout.version().get(),
            )
        },
        |_| me(),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(user) => view! { <ChatShell user logout/> }.into_any(),
                    Err(_) => view! { <SignInForm login register/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
