//! Password hashing with argon2id at OWASP's parameters (m = 19 MiB, t = 2,
//! p = 1), always on the blocking pool so the async runtime never stalls.
//!
//! Each run takes 19 MiB and a core for tens of milliseconds, so a
//! [`Hasher`] lets only so many run at once (by default, one per core): a
//! burst of sign-ups waits its turn briefly, then is told to come back
//! (429), instead of taking gigabytes of memory and every core.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use argon2::password_hash::phc::PasswordHash as Phc;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::error::AppError;
use crate::model::Password;
use crate::server::store::PasswordHash;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a password nobody has, verified against when a username is
/// unknown so that a wrong name costs as long as a wrong password.
static DECOY: LazyLock<String> = LazyLock::new(|| {
    argon2()
        .hash_password(b"decoy password for unknown users")
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});

/// Runs argon2 at most `max` at a time; a run waits up to `wait` for its
/// turn.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl Hasher {
    pub fn new(max: usize, wait: Duration) -> Self {
        Hasher {
            permits: Arc::new(Semaphore::new(max.max(1))),
            wait,
        }
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: Password) -> Result<PasswordHash, AppError> {
        let _turn = self.turn().await?;
        hash(password).await
    }

    /// See [`verify`].
    pub async fn verify(&self, password: Password, stored: Option<PasswordHash>) -> Result<bool, AppError> {
        let _turn = self.turn().await?;
        verify(password, stored).await
    }

    async fn turn(&self) -> Result<OwnedSemaphorePermit, AppError> {
        match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::TooManyRequests(
                "Confab is busy checking passwords. Please try again in a moment.".into(),
            )),
        }
    }
}

pub async fn hash(password: Password) -> Result<PasswordHash, AppError> {
    tokio::task::spawn_blocking(move || {
        argon2()
            .hash_password(password.expose().as_bytes())
            .map(|hash| PasswordHash(hash.to_string()))
    })
    .await
    .map_err(|e| internal("hashing task failed", e))?
    .map_err(|e| internal("hashing failed", e))
}

/// Checks a password against a stored hash, or against the decoy when there
/// is none: the same work either way, so that the time an answer takes does
/// not tell whether a username exists. Answers false for a stored hash
/// that cannot be read.
async fn verify(password: Password, stored: Option<PasswordHash>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.map(|hash| hash.0).unwrap_or_else(|| DECOY.clone());
        let Ok(parsed) = Phc::new(&phc) else {
            tracing::error!("a stored password hash cannot be parsed");
            return false;
        };
        // Verify first: `known && verify` would skip the work for an
        // unknown name, and answer measurably sooner.
        let matches = argon2()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok();
        known && matches
    })
    .await
    .map_err(|e| internal("verifying task failed", e))
}

fn internal(what: &str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "{what}");
    AppError::Internal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let pw = || Password::parse("correct horse".into()).unwrap();
        let hash = hash(pw()).await.unwrap();
        assert!(
            hash.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.0
        );
        assert!(verify(pw(), Some(hash.clone())).await.unwrap());
        let wrong = Password::parse("battery staple".into()).unwrap();
        assert!(!verify(wrong, Some(hash)).await.unwrap());
        assert!(!verify(pw(), None).await.unwrap());
    }
}
