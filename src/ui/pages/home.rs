//! `/`, `/rooms` and `/room/{id}`: the sign-in form when signed out, the
//! chat when signed in.

use leptos::either::EitherOf3;
use leptos::prelude::*;

use crate::api::{blocked_users, me, online_users, rooms};
use crate::error::AppError;
use crate::model::{PageData, RoomId};
use crate::ui::components::chat_shell::{ChatShell, History};
use crate::ui::components::sign_in::SignInForm;
use crate::ui::json::Json;
use crate::ui::location::Location;
use crate::ui::pages::chat_path;
#[cfg(feature = "ssr")]
use crate::ui::refusal::{kept, refused, Form};

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
    // `/room/{id}?change={seq}`: the JavaScript-off way to edit, delete
    // or react to a message (see `message_changes`), written by the server
    // only (the browser keeps what it wrote).
    #[cfg(feature = "ssr")]
    let change = chat_path(&path)
        .filter(|_| path.starts_with("/room/"))
        .zip(
            location
                .query_untracked("change")
                .and_then(|seq| seq.parse::<u64>().ok()),
        )
        .map(|((room, _), seq)| ChangeAsked {
            room,
            seq,
            refused: location
                .query_untracked("__path")
                .zip(location.query_untracked("__err")),
            draft: location.query_untracked("draft"),
        });
    #[cfg(not(feature = "ssr"))]
    let change: Option<ChangeAsked> = None;
    // A refused room made or joined from the browser: why, and the name
    // typed (written by the server only, like `change`).
    #[cfg(feature = "ssr")]
    let browser_refusal = BrowserRefusal {
        words: refused(Form::CreateRoom).or_else(|| refused(Form::JoinRoom)),
        name: kept(Form::CreateRoom, "name").unwrap_or_default(),
    };
    #[cfg(not(feature = "ssr"))]
    let browser_refusal = BrowserRefusal::default();
    // Read once per page: signing in and out are form posts that load the
    // page again, and the live connection keeps the rest current.
    let data = Resource::<_, Json>::new_with_options(
        || (),
        move |_| {
            page_data(
                browsing,
                searching,
                settings,
                find.clone(),
                change.clone(),
                browser_refusal.clone(),
            )
        },
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
/// room browser (the public rooms whose name holds `find`) when `browsing`, the
/// messages that hold `find` when `searching`, their API tokens on the
/// `settings` page, and the ways to change a message (room and seq) when
/// `change`.
async fn page_data(
    browsing: bool,
    searching: bool,
    settings: bool,
    find: Option<String>,
    change: Option<ChangeAsked>,
    browser_refusal: BrowserRefusal,
) -> Result<PageData, AppError> {
    // Read before the first await (see `server::request`).
    #[cfg(feature = "ssr")]
    let state = use_context::<crate::server::AppState>();
    // The room browser's next page (`/rooms?after=`), read on the server
    // only, like the browser it fills.
    #[cfg(feature = "ssr")]
    let browse_after = crate::server::request::page_query("after").filter(|_| browsing);
    let user = me().await?;
    #[cfg(feature = "ssr")]
    let admin = state.is_some_and(|state| state.config.is_admin(&user.username));
    #[cfg(not(feature = "ssr"))]
    let admin = false;
    let (rooms, online, blocked) = futures::try_join!(rooms(), online_users(), blocked_users())?;
    // Read and written on the server only, like the panel below. Without
    // the public rooms the browser still opens, saying so; the page does
    // not fail for them.
    #[cfg(feature = "ssr")]
    let browser = match browsing {
        false => String::new(),
        true => {
            let found = crate::api::public_rooms(find.clone(), None, browse_after).await;
            crate::ui::components::room_browser::browser_html(
                found.as_deref().unwrap_or_default(),
                &rooms.iter().map(|r| r.room.id.clone()).collect::<Vec<_>>(),
                find.as_deref().unwrap_or_default(),
                &browser_refusal.name,
                browser_refusal.words.or_else(|| {
                    found
                        .is_err()
                        .then_some("The rooms could not be read. Please try again.")
                }),
            )
        }
    };
    #[cfg(not(feature = "ssr"))]
    let browser = {
        let _ = (browser_refusal, &find);
        String::new()
    };
    // Read and written on the server only: the page in the browser keeps
    // what the server wrote (see `search::MessageSearch`).
    #[cfg(feature = "ssr")]
    let panel = match (searching, settings, &find) {
        _ if let Some(change) = &change => change_panel(&user, admin, &rooms, change).await,
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
        let _ = (searching, settings, change);
        String::new()
    };
    Ok(PageData {
        user,
        rooms,
        online,
        blocked: blocked.into_iter().map(|person| person.id).collect(),
        admin,
        browsing,
        browser,
        panel,
    })
}

/// Why a room made or joined from the browser was refused (the page's own
/// words for the code in the URL), and the name that was typed.
#[derive(Clone, Default)]
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
struct BrowserRefusal {
    words: Option<&'static str>,
    name: String,
}

/// `/room/{id}?change={seq}`, with what a refused change brought back in
/// the URL (`__path` and `__err`, and the edit's `draft`).
#[derive(Clone)]
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
struct ChangeAsked {
    room: RoomId,
    seq: u64,
    refused: Option<(String, String)>,
    draft: Option<String>,
}

/// The panel to change the message `change` names without JavaScript, or
/// why there is none.
#[cfg(feature = "ssr")]
async fn change_panel(
    user: &crate::model::User,
    admin: bool,
    rooms: &[crate::model::RoomSummary],
    change: &ChangeAsked,
) -> String {
    use crate::ui::components::message_changes::ChangePanel;
    use crate::ui::components::search::refusal_html;
    let (room, seq) = (&change.room, change.seq);
    let page = crate::api::messages(room.to_string(), Some(seq.saturating_add(1)), Some(1)).await;
    let message = match page.map(|page| page.into_iter().find(|m| m.seq == seq)) {
        Ok(Some(message)) => message,
        Ok(None) => return refusal_html(&AppError::NotFound("There is no such message.".into())),
        Err(err) => return refusal_html(&err),
    };
    ChangePanel {
        message: &message,
        me: user.id,
        moderates: (admin && room.kind() == crate::model::RoomKind::Public)
            || rooms
                .iter()
                .any(|r| &r.room.id == room && r.room.owner == Some(user.id)),
        refused: change
            .refused
            .as_ref()
            .map(|(path, code)| (path.as_str(), code.as_str())),
        draft: change.draft.as_deref(),
    }
    .html()
}
