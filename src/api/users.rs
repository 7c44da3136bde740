//! People: `/api/users/online`, and the additions `/api/users/block`,
//! `/api/users/unblock` and `/api/users/blocked`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::User;

/// Everyone online now.
#[server(prefix = "/api", endpoint = "users/online")]
pub async fn online_users() -> Result<Vec<User>, AppError> {
    crate::server::services::users::online().await
}

/// Blocks a person, named by `user_id` or `username`: no direct room
/// between the two, and their mentions of the caller count for nothing. A
/// plain form post lands on the settings page.
#[server(prefix = "/api", endpoint = "users/block")]
pub async fn block_user(user_id: Option<String>, username: Option<String>) -> Result<(), AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    crate::server::services::blocks::block(user_id, username).await?;
    scope.land_form_post_on("/settings");
    Ok(())
}

#[server(prefix = "/api", endpoint = "users/unblock")]
pub async fn unblock_user(user_id: String) -> Result<(), AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    crate::server::services::blocks::unblock(user_id).await?;
    scope.land_form_post_on("/settings");
    Ok(())
}

/// The people the caller blocked.
#[server(prefix = "/api", endpoint = "users/blocked")]
pub async fn blocked_users() -> Result<Vec<User>, AppError> {
    crate::server::services::blocks::blocked().await
}
