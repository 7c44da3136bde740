//! Rooms: `/api/rooms`, `/api/rooms/public`, `/api/rooms/create`,
//! `/api/rooms/join`, `/api/rooms/leave`, `/api/rooms/direct`, and the
//! additions `/api/rooms/read`, `/api/rooms/delete`, `/api/rooms/members`
//! and `/api/rooms/public/panel`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{Room, RoomSummary, User};

/// The rooms the caller belongs to, with unread counts and last messages.
#[server(prefix = "/api", endpoint = "rooms")]
pub async fn rooms() -> Result<Vec<RoomSummary>, AppError> {
    crate::server::services::rooms::my_rooms().await
}

/// A page of public rooms, to browse and join: General first, then by name;
/// only those whose name contains `q` (any case), at most `limit` (1 to
/// 100, default 100), after the room `after` (the previous page's last).
#[server(prefix = "/api", endpoint = "rooms/public")]
pub async fn public_rooms(
    q: Option<String>,
    limit: Option<u32>,
    after: Option<String>,
) -> Result<Vec<Room>, AppError> {
    crate::server::services::rooms::public_rooms(q, limit, after).await
}

/// The room browser's list as the `/rooms` page writes it (HTML, every
/// text escaped): the public rooms whose name holds `q`, each with Join,
/// or Open for the caller's own. An addition; the hydrated browser asks
/// for it while `Find a room` is typed in.
#[server(prefix = "/api", endpoint = "rooms/public/panel")]
pub async fn public_rooms_panel(q: String) -> Result<String, AppError> {
    use crate::server::services::rooms;
    let q = Some(q).filter(|q| !q.trim().is_empty());
    let (found, mine) =
        futures::try_join!(rooms::public_rooms(q.clone(), None, None), rooms::my_room_ids())?;
    Ok(crate::ui::components::room_browser::rooms_html(
        &found,
        &mine,
        q.as_deref().unwrap_or_default(),
    ))
}

/// The members of a room the caller belongs to, in name order: those
/// whose name starts with `q` (any case), at most `limit` (1 to 100,
/// default 100), after the name `after` (the previous page's last). An
/// addition to the contract; the composer completes `@` from it.
#[server(prefix = "/api", endpoint = "rooms/members")]
pub async fn room_members(
    room_id: String,
    q: Option<String>,
    limit: Option<u32>,
    after: Option<String>,
) -> Result<Vec<User>, AppError> {
    crate::server::services::rooms::members(room_id, q, limit, after).await
}

/// Creates a public room with the caller as its first member. A plain
/// form post lands in the room, or, refused, back on the page it was sent
/// from with the error's code and the name typed (`name`) in the URL.
#[server(prefix = "/api", endpoint = "rooms/create")]
pub async fn create_room(name: String) -> Result<Room, AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    let created = crate::server::services::rooms::create(name.clone()).await;
    match &created {
        Ok(room) => scope.land_form_post_on(&room.id.path()),
        Err(err) => crate::server::request::form_post_back(
            &scope,
            <CreateRoom as leptos::server_fn::ServerFn>::PATH,
            Some(err),
            &[("name", crate::server::request::draft_for_url(&name))],
        ),
    }
    created
}

/// Joins a public room. A plain form post lands in the room, or,
/// refused, back on the page it was sent from with the error's code.
#[server(prefix = "/api", endpoint = "rooms/join")]
pub async fn join_room(room_id: String) -> Result<Room, AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    let joined = crate::server::services::rooms::join(room_id).await;
    match &joined {
        Ok(room) => scope.land_form_post_on(&room.id.path()),
        Err(err) => crate::server::request::form_post_back(
            &scope,
            <JoinRoom as leptos::server_fn::ServerFn>::PATH,
            Some(err),
            &[],
        ),
    }
    joined
}

#[server(prefix = "/api", endpoint = "rooms/leave")]
pub async fn leave_room(room_id: String) -> Result<(), AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    crate::server::services::rooms::leave(room_id).await?;
    scope.land_form_post_on("/");
    Ok(())
}

/// Deletes a public room (its owner or an admin); a plain form post lands
/// on the settings page it was sent from.
#[server(prefix = "/api", endpoint = "rooms/delete")]
pub async fn delete_room(room_id: String) -> Result<(), AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    crate::server::services::rooms::delete(room_id).await?;
    scope.land_form_post_on("/settings");
    Ok(())
}

/// The private room of the caller and `user_id`, made on first use.
#[server(prefix = "/api", endpoint = "rooms/direct")]
pub async fn direct_room(user_id: String) -> Result<Room, AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    let room = crate::server::services::rooms::direct(user_id).await?;
    scope.land_form_post_on(&room.id.path());
    Ok(room)
}

/// Marks the room read up to `seq`; returns the read mark.
#[server(prefix = "/api", endpoint = "rooms/read")]
pub async fn mark_read(room_id: String, seq: u64) -> Result<u64, AppError> {
    crate::server::services::rooms::mark_read(room_id, seq).await
}
