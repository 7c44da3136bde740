//! People: who is online.

use crate::error::AppError;
use crate::model::User;
use crate::server::request::RequestContext;

pub async fn online() -> Result<Vec<User>, AppError> {
    let request = RequestContext::current()?;
    request.user().await?;
    Ok(request.state.store.online_users().await?)
}
