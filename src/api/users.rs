//! People: `/api/users/online`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::User;

/// Everyone online now.
#[server(prefix = "/api", endpoint = "users/online")]
pub async fn online_users() -> Result<Vec<User>, AppError> {
    crate::server::services::users::online().await
}
