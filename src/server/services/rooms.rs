//! Rooms: list, browse, create, join, leave, delete, open a direct room,
//! mark read.

use crate::error::AppError;
use crate::model::{
    MemberQuery, PublicRoomQuery, Room, RoomId, RoomKind, RoomName, RoomSummary, User, UserId,
};
use crate::server::events::BusEvent;
use crate::server::request::RequestContext;
use crate::server::services::limits::{spend, DAY, HOUR, MINUTE};
use crate::server::store::Store;

pub async fn my_rooms() -> Result<Vec<RoomSummary>, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    Ok(request.state.store.room_summaries(user.id).await?)
}

/// The ids of the caller's rooms: what the room browser needs to offer
/// Open rather than Join, without the unread counts and last messages of
/// [`my_rooms`].
pub async fn my_room_ids() -> Result<Vec<RoomId>, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    Ok(request.state.store.room_ids_of(user.id).await?)
}

pub async fn public_rooms(
    q: Option<String>,
    limit: Option<u32>,
    after: Option<String>,
) -> Result<Vec<Room>, AppError> {
    let request = RequestContext::current()?;
    request.user().await?;
    let query = PublicRoomQuery::parse(q.as_deref(), limit, after.as_deref())?;
    request
        .state
        .store
        .public_rooms(&query)
        .await?
        .ok_or_else(|| AppError::BadInput("after names no public room.".into()))
}

/// A page of a room's members by name, for its members (the composer's
/// `@` completion). It reads every member's name (one pipelined HGET
/// each), so its cost grows with the room; a budget per person per minute
/// bounds how often one can ask.
pub async fn members(
    room_id: String,
    q: Option<String>,
    limit: Option<u32>,
    after: Option<String>,
) -> Result<Vec<User>, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let query = MemberQuery::parse(q.as_deref(), limit, after.as_deref())?;
    let id = RoomId::parse(&room_id)?;
    let store = &request.state.store;
    require_member(store, &id, user.id).await?;
    spend(
        &request,
        store.keys().limit_member_lookups(user.id),
        request.state.config.member_lookups_per_minute,
        MINUTE,
        "Too many looks at rooms' members. Please wait a minute.",
    )
    .await?;
    let members = store.members(&id).await?;
    Ok(query.page(store.users_by_name(members).await?))
}

pub async fn create(name: String) -> Result<Room, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let name = RoomName::parse(&name)?;
    let store = &request.state.store;
    let config = &request.state.config;
    // Made rooms are counted after the room is: a crash between the two
    // leaves the count one short, in the maker's favour.
    if store.counter(store.keys().rooms_owned(user.id)).await? >= config.rooms_per_person {
        return Err(AppError::Forbidden(format!(
            "One person may make at most {} rooms.",
            config.rooms_per_person
        )));
    }
    spend(
        &request,
        store.keys().limit_rooms_created(user.id),
        config.rooms_per_day,
        DAY,
        "You have made as many rooms as one person may in a day. Please try again tomorrow.",
    )
    .await?;
    let room = store.create_room(&name, user.id).await?.ok_or_else(|| {
        AppError::Conflict(format!(
            "A room named \"{}\", or a name that looks like it, exists already.",
            name.as_str()
        ))
    })?;
    store.count_one(store.keys().rooms_owned(user.id)).await?;
    // A new room: nothing is in it yet.
    announce(store, room.clone(), user.id, 0).await?;
    Ok(room)
}

/// Counts a join or a leave against the person's budget.
async fn spend_membership_change(request: &RequestContext, user: UserId) -> Result<(), AppError> {
    spend(
        request,
        request.state.store.keys().limit_memberships(user),
        request.state.config.membership_changes_per_minute,
        MINUTE,
        "You are joining and leaving rooms too fast. Please wait a minute.",
    )
    .await
}

pub async fn join(room_id: String) -> Result<Room, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let id = RoomId::parse(&room_id)?;
    if id.kind() == RoomKind::Direct {
        return Err(AppError::Forbidden("Nobody can join a direct room.".into()));
    }
    spend_membership_change(&request, user.id).await?;
    let store = &request.state.store;
    let name = store
        .public_room_name(&id)
        .await?
        .ok_or_else(no_such_room)?;
    let owner = store
        .room_owners(std::slice::from_ref(&id))
        .await?
        .pop()
        .flatten();
    let room = Room {
        id,
        name,
        kind: RoomKind::Public,
        owner,
    };
    // The rev is read before the joiner is a member: a message stored in
    // between is above it, and reaches their sockets.
    let after = store
        .last_revs(std::slice::from_ref(&room.id))
        .await?
        .first()
        .copied()
        .unwrap_or(0);
    if store.add_member(&room.id, user.id).await? {
        announce(store, room.clone(), user.id, after).await?;
    }
    Ok(room)
}

pub async fn leave(room_id: String) -> Result<(), AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let id = public_room_but_general(
        &room_id,
        "Everyone stays in General.",
        "A direct room cannot be left.",
    )?;
    spend_membership_change(&request, user.id).await?;
    let store = &request.state.store;
    if !store.room_exists(&id).await? {
        return Err(no_such_room());
    }
    store.remove_member(&id, user.id).await?;
    take_out(store, &id, user.id).await
}

/// The public room `room_id` names, unless it is General or a direct
/// room (403 with `general` or `direct`).
fn public_room_but_general(room_id: &str, general: &str, direct: &str) -> Result<RoomId, AppError> {
    let id = RoomId::parse(room_id)?;
    if id == RoomId::GENERAL {
        return Err(AppError::Forbidden(general.into()));
    }
    if id.kind() == RoomKind::Direct {
        return Err(AppError::Forbidden(direct.into()));
    }
    Ok(id)
}

/// What follows `user` no longer being in `room`: their webhooks into it
/// are revoked and their sockets, on every instance, stop following it.
async fn take_out(store: &Store, room: &RoomId, user: UserId) -> Result<(), AppError> {
    super::webhooks::revoke_in_room(store, user, room).await?;
    store
        .publish(&BusEvent::Left {
            room_id: room.clone(),
            user,
        })
        .await?;
    Ok(())
}

/// Deletes a public room, for its owner or an admin: its messages, its
/// name (free again), its place in every member's list and their webhooks
/// into it; each member's sockets stop following it.
pub async fn delete(room_id: String) -> Result<(), AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let id = public_room_but_general(
        &room_id,
        "General cannot be deleted.",
        "A direct room cannot be deleted.",
    )?;
    let store = &request.state.store;
    let name = store
        .public_room_name(&id)
        .await?
        .ok_or_else(no_such_room)?;
    let name = RoomName::parse(&name)?;
    let owner = store
        .room_owners(std::slice::from_ref(&id))
        .await?
        .pop()
        .flatten();
    if owner != Some(user.id) && !request.state.config.is_admin(&user.username) {
        return Err(AppError::Forbidden(
            "Only the person who made a room, or an admin, may delete it.".into(),
        ));
    }
    let members = store
        .delete_room(&id, &name)
        .await?
        .ok_or_else(no_such_room)?;
    for member in members {
        take_out(store, &id, member).await?;
    }
    Ok(())
}

pub async fn direct(user_id: String) -> Result<Room, AppError> {
    let request = RequestContext::current()?;
    let me = request.user().await?;
    let other_id: UserId = user_id.parse()?;
    let id = RoomId::direct(me.id, other_id)
        .ok_or_else(|| AppError::BadInput("A direct room needs someone other than you.".into()))?;
    let store = &request.state.store;
    // Opening rooms with new people is bounded (it puts a room in their
    // list); an existing room opens freely. An id nobody has spends the
    // budget too (before the 404), so that ids cannot be probed for who
    // exists faster than rooms can be opened.
    if !store.room_exists(&id).await? {
        spend(
            &request,
            store.keys().limit_direct_rooms(me.id),
            request.state.config.new_direct_rooms_per_hour,
            HOUR,
            "You have opened as many direct rooms with new people as one may in an hour.",
        )
        .await?;
    }
    let other = store
        .user(other_id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such user.".into()))?;
    if store.blocked_either_way(me.id, other.id).await? {
        return Err(AppError::Forbidden(
            "You cannot open a direct room with this person: one of you blocked the other.".into(),
        ));
    }
    let mine = direct_room_for(&id, &other);
    if store.open_direct(&id).await? {
        // Each member learns of the room under the other's name.
        // A new room: nothing is in it yet.
        announce(store, mine.clone(), me.id, 0).await?;
        announce(store, direct_room_for(&id, &me), other.id, 0).await?;
    }
    Ok(mine)
}

pub async fn mark_read(room_id: String, seq: u64) -> Result<u64, AppError> {
    let request = RequestContext::current()?;
    // Opening a room's page marks it read (the page without JavaScript has
    // no other way), but only a page load the reader asked for: a GET is
    // outside the Origin check, and another site must not read rooms for
    // them.
    if request.is_page_load_not_asked_for() {
        return Err(AppError::Forbidden(
            "Only a page the reader opened marks a room read.".into(),
        ));
    }
    let user = request.user().await?;
    let id = RoomId::parse(&room_id)?;
    let store = &request.state.store;
    require_member(store, &id, user.id).await?;
    Ok(store.mark_read(&id, user.id, seq).await?)
}

/// Tells `user`'s sockets on every instance that they are in `room`,
/// from its rev `after` (read before they became a member), so that each
/// instance delivers every message and change above it.
async fn announce(store: &Store, room: Room, user: UserId, after: u64) -> Result<(), AppError> {
    store.publish(&BusEvent::Room { room, user, after }).await?;
    Ok(())
}

/// A direct room as seen by the member who is not `named_after`.
fn direct_room_for(id: &RoomId, named_after: &User) -> Room {
    Room {
        id: id.clone(),
        name: named_after.username.to_string(),
        kind: RoomKind::Direct,
        owner: None,
    }
}

/// Ok for a member; 404 for a room that does not exist, 403 otherwise.
pub async fn require_member(store: &Store, room: &RoomId, user: UserId) -> Result<(), AppError> {
    if store.is_member(room, user).await? {
        return Ok(());
    }
    Err(not_member_error(store, room, user).await)
}

/// The error for `user`, who is not in `room`: 404 or 403. The direct
/// room of two other people is 403 whether or not it exists: it is never
/// theirs to read, and a 404 would tell them whether those two have
/// talked.
pub async fn not_member_error(store: &Store, room: &RoomId, user: UserId) -> AppError {
    let forbidden = || AppError::Forbidden("You are not a member of this room.".into());
    if let RoomId::Direct(low, high) = room {
        if user != *low && user != *high {
            return forbidden();
        }
    }
    match store.room_exists(room).await {
        Ok(true) => forbidden(),
        Ok(false) => no_such_room(),
        Err(err) => err.into(),
    }
}

fn no_such_room() -> AppError {
    AppError::NotFound("There is no such room.".into())
}
