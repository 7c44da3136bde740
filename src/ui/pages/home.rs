//! `/`, `/rooms` and `/room/{id}`: the sign-in form when signed out, the
//! chat when signed in.

use leptos::prelude::*;

use crate::api::me;
use crate::ui::components::chat_shell::ChatShell;
use crate::ui::components::sign_in::SignInForm;

#[component]
pub fn HomePage() -> impl IntoView {
    // Who is signed in. Signing in and out are form posts that load the
    // page again, so this is asked once per page.
    let user = Resource::new(|| (), |_| me());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(user) => view! { <ChatShell user/> }.into_any(),
                    Err(_) => view! { <SignInForm/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
