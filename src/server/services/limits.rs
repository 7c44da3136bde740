//! Budgets: how much of something one person, or everyone together, may do
//! in a window of time, counted in Redis so that every instance holds to
//! the same count. Past a budget the answer is 429 and nothing is done.

use std::time::Duration;

use crate::error::AppError;
use crate::server::request::RequestContext;

pub const MINUTE: Duration = Duration::from_secs(60);
pub const HOUR: Duration = Duration::from_secs(3600);
pub const DAY: Duration = Duration::from_secs(24 * 3600);

/// Counts one against the budget at `key` (`allowed` per `window`);
/// refuses with `refusal` once it is spent.
pub async fn spend(
    request: &RequestContext,
    key: String,
    allowed: u32,
    window: Duration,
    refusal: &str,
) -> Result<(), AppError> {
    if request.state.store.count_attempt(key, window).await? > u64::from(allowed) {
        return Err(AppError::TooManyRequests(refusal.into()));
    }
    Ok(())
}
