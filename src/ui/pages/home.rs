//! `/`, `/rooms` and `/room/{id}`: the sign-in form when signed out, the
//! chat when signed in.

use leptos::either::EitherOf3;
use leptos::prelude::*;

use crate::api::{blocked_users, me, online_users, public_rooms, rooms};
use crate::error::AppError;
use crate::model::PageData;
use crate::ui::components::chat_shell::{ChatShell, History};
use crate::ui::components::sign_in::SignInForm;
use crate::ui::json::Json;
use crate::ui::location::Location;
use crate::ui::pages::chat_path;

#[component]
pub fn HomePage() -> impl IntoView {
    // `/rooms` opens with the room browser showing (the JavaScript-off way
    // to it), so its listing is read with the rest.
    let location = Location::current();
    let browsing = chat_path(&location.path_untracked()).is_some_and(|(_, browsing)| browsing);
    // `/rooms?q=...`: the JavaScript-off way to find a room by name;
    // `/search?q=...`: to find messages.
    let find = location
        .query_untracked("q")
        .filter(|q| !q.trim().is_empty());
    let path = location.path_untracked();
    let (searching, settings) = (path == "/search", path == "/settings");
    // Read once per page: signing in and out are form posts that load the
    // page again, and the live connection keeps the rest current.
    let data = Resource::<_, Json>::new_with_options(
        || (),
        move |_| page_data(browsing, searching, settings, find.clone()),
        false,
    );
    let history = History::new(data);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => EitherOf3::A(view! { <ChatShell data history/> }),
                    Err(AppError::Unauthorized(_)) => EitherOf3::B(view! { <SignInForm/> }),
                    // Not a sign-out: say what is wrong, and offer the page again.
                    Err(err) => EitherOf3::C(view! {
                        <main class="centered">
                            <h1>"Confab"</h1>
                            <p class="notice" role="alert">{err.to_string()}</p>
                            <p><a href=location.path_untracked()>"Try again"</a></p>
                        </main>
                    }),
                }
            })}
        </Suspense>
    }
}

/// Who is signed in (401 when no one is), their rooms, who is online, the
/// public rooms (those whose name holds `find`) when `browsing`, the
/// messages that hold `find` when `searching`, and their API tokens on the
/// `settings` page.
async fn page_data(
    browsing: bool,
    searching: bool,
    settings: bool,
    find: Option<String>,
) -> Result<PageData, AppError> {
    let user = me().await?;
    // Without the public rooms, the room browser still opens (and reads
    // them again); the page does not fail for them.
    let listing = async {
        Ok(match (browsing, &find) {
            (true, find) => public_rooms(find.clone(), None, None).await.ok(),
            _ => None,
        })
    };
    let (rooms, online, listing, blocked) =
        futures::try_join!(rooms(), online_users(), listing, blocked_users())?;
    // Read and written on the server only: the page in the browser keeps
    // what the server wrote (see `search::MessageSearch`).
    #[cfg(feature = "ssr")]
    let panel = match (searching, settings, &find) {
        (true, _, Some(q)) => crate::api::search(q.clone(), None, None)
            .await
            .map(|found| crate::ui::components::search::results_html(&rooms, &found))
            .unwrap_or_else(|err| crate::ui::components::search::refusal_html(&err)),
        (_, true, _) => crate::api::api_token_settings()
            .await
            .map(|settings| {
                let made: Vec<crate::model::Room> = rooms
                    .iter()
                    .filter(|summary| summary.room.owner == Some(user.id))
                    .map(|summary| summary.room.clone())
                    .collect();
                crate::ui::components::token_settings::settings_html(&settings, &made, &blocked)
            })
            .unwrap_or_else(|err| crate::ui::components::search::refusal_html(&err)),
        _ => String::new(),
    };
    #[cfg(not(feature = "ssr"))]
    let panel = {
        let _ = (searching, settings);
        String::new()
    };
    Ok(PageData {
        user,
        rooms,
        online,
        blocked: blocked.into_iter().map(|person| person.id).collect(),
        listing,
        panel,
    })
}
