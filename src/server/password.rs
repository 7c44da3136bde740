//! Password hashing with argon2id at OWASP's parameters (m = 19 MiB, t = 2,
//! p = 1), off the async runtime so that it never stalls.
//!
//! Each run takes 19 MiB and a core for tens of milliseconds, so a
//! [`Hasher`] runs them on a fixed set of its own threads (by default, one
//! per core): a burst of sign-ups waits its turn briefly, then is told to
//! come back (429), instead of taking gigabytes of memory and every core.
//!
//! Each thread owns its 19 MiB of argon2 memory, allocated once and reused
//! by every run, so an instance holds `max` x 19 MiB for hashing whatever
//! it has served. Allocating it per run (argon2's own `hash_password`) was
//! what made idle instances large (loadgen's signins scenario): on tokio's
//! blocking pool each 19 MiB block landed in the glibc arena of whichever
//! short-lived thread ran it (up to eight arenas per core), and small
//! allocations carved from a freed block left it too short for the next
//! run, so an idle instance held about 850 MiB after a few hundred
//! sign-ups; long-lived threads alone still reached 370 MiB.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash as Phc, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHasher, PasswordVerifier, Version};

use crate::error::AppError;
use crate::model::Password;
use crate::server::store::PasswordHash;

fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2 parameters are valid")
}

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// Bytes of salt in a new hash (the PHC recommendation).
const SALT_LEN: usize = 16;
/// Bytes of hash output (argon2's default).
const OUTPUT_LEN: usize = 32;

/// A hash of a password nobody has, verified against when a username is
/// unknown so that a wrong name costs as long as a wrong password.
static DECOY: LazyLock<String> = LazyLock::new(|| {
    argon2()
        .hash_password(b"decoy password for unknown users")
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});

/// Work for a hashing thread, given the thread's argon2 memory.
type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

/// Runs argon2 at most `max` at a time, on `max` threads of its own that
/// live as long as it does; a run waits up to `wait` for its turn.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
    wait: Duration,
    threads: usize,
    /// Runs waiting for a turn now, for `/metrics`.
    waiting: Arc<AtomicUsize>,
}

impl Hasher {
    pub fn new(max: usize, wait: Duration) -> Self {
        let max = max.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..max {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    let mut memory = vec![Block::new(); params().block_count()];
                    loop {
                        // The lock is held only while waiting for a job; the
                        // channel closes when the last Hasher is dropped.
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&mut memory),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(err) = spawned {
                tracing::error!(error = %err, "cannot start a password hashing thread");
            }
        }
        Hasher {
            permits: Arc::new(Semaphore::new(max)),
            jobs,
            wait,
            threads: max,
            waiting: Arc::default(),
        }
    }

    /// Runs going on now.
    pub fn running(&self) -> usize {
        self.threads
            .saturating_sub(self.permits.available_permits())
    }

    /// Runs waiting for a turn now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: Password) -> Result<PasswordHash, AppError> {
        self.run(move |memory| hash_in(memory, &password)).await?
    }

    /// See [`verify_now`].
    pub async fn verify(
        &self,
        password: Password,
        stored: Option<PasswordHash>,
    ) -> Result<bool, AppError> {
        self.run(move |memory| verify_in(memory, &password, stored))
            .await
    }

    /// Runs `work` on a hashing thread once a turn is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _turn = self.turn().await?;
        let (done, answer) = oneshot::channel();
        self.jobs
            .send(Box::new(move |memory: &mut [Block]| {
                // The asker may have gone (a dropped request): nothing to tell.
                let _ = done.send(work(memory));
            }))
            .map_err(|e| internal("the password hashing threads are gone", e))?;
        answer
            .await
            .map_err(|e| internal("a password hashing thread failed", e))
    }

    async fn turn(&self) -> Result<OwnedSemaphorePermit, AppError> {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let turn = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        match turn {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::TooManyRequests(
                "Confab is busy checking passwords. Please try again in a moment.".into(),
            )),
        }
    }
}

/// Hashes a password once, on the blocking pool: for one-off work (demo
/// data, tools), not for requests, which go through a [`Hasher`].
pub async fn hash(password: Password) -> Result<PasswordHash, AppError> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| internal("hashing task failed", e))?
}

fn hash_now(password: &Password) -> Result<PasswordHash, AppError> {
    argon2()
        .hash_password(password.expose().as_bytes())
        .map(|hash| PasswordHash(hash.to_string()))
        .map_err(|e| internal("hashing failed", e))
}

/// Hashes a password with a fresh salt in the given argon2 memory.
fn hash_in(memory: &mut [Block], password: &Password) -> Result<PasswordHash, AppError> {
    let mut salt = [0u8; SALT_LEN];
    getrandom::fill(&mut salt).map_err(|e| internal("no random salt", e))?;
    let mut output = [0u8; OUTPUT_LEN];
    argon2()
        .hash_password_into_with_memory(password.expose().as_bytes(), &salt, &mut output, memory)
        .map_err(|e| internal("hashing failed", e))?;
    let phc = Phc {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params()).map_err(|e| internal("hash parameters", e))?,
        salt: Some(Salt::new(&salt).map_err(|e| internal("hash salt", e))?),
        hash: Some(Output::new(&output).map_err(|e| internal("hash output", e))?),
    };
    Ok(PasswordHash(phc.to_string()))
}

/// Checks a password against a stored hash, or against the decoy when there
/// is none: the same work either way, so that the time an answer takes does
/// not tell whether a username exists. Answers false for a stored hash
/// that cannot be read.
fn verify_in(memory: &mut [Block], password: &Password, stored: Option<PasswordHash>) -> bool {
    let known = stored.is_some();
    let phc = stored.map(|hash| hash.0).unwrap_or_else(|| DECOY.clone());
    let Ok(parsed) = Phc::new(&phc) else {
        tracing::error!("a stored password hash cannot be parsed");
        return false;
    };
    // Verify first: `known && verify` would skip the work for an unknown
    // name, and answer measurably sooner.
    let matches = verify_parsed(memory, password, &parsed).unwrap_or_else(|err| {
        tracing::error!(error = %err, "a stored password hash cannot be checked");
        false
    });
    known && matches
}

/// Computes the hash of `password` with the salt and settings of `stored`,
/// in the given memory when it is large enough (it is for every hash this
/// module makes; argon2 allocates for a larger one), and compares the two
/// in constant time.
fn verify_parsed(memory: &mut [Block], password: &Password, stored: &Phc) -> Result<bool, String> {
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return Ok(false);
    };
    let algorithm = Algorithm::try_from(stored.algorithm.as_str()).map_err(|e| e.to_string())?;
    let version = stored
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let params = Params::try_from(stored).map_err(|e| e.to_string())?;
    if params.block_count() > memory.len() {
        return Ok(argon2()
            .verify_password(password.expose().as_bytes(), stored)
            .is_ok());
    }
    let mut output = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.expose().as_bytes(), salt, &mut output, memory)
        .map_err(|e| e.to_string())?;
    // Output compares in constant time.
    Ok(Output::new(&output).map_err(|e| e.to_string())? == *expected)
}

fn internal(what: &str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "{what}");
    AppError::Internal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(text: &str) -> Password {
        Password::parse(text.into()).unwrap()
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hasher = Hasher::new(2, Duration::from_secs(60));
        let hash = hasher.hash(password("correct horse")).await.unwrap();
        assert!(
            hash.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.0
        );
        assert!(hasher
            .verify(password("correct horse"), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!hasher
            .verify(password("battery staple"), Some(hash))
            .await
            .unwrap());
        assert!(!hasher
            .verify(password("correct horse"), None)
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn a_run_that_finds_every_thread_busy_past_its_wait_is_told_to_come_back() {
        let hasher = Hasher::new(1, Duration::ZERO);
        let (first, second) = tokio::join!(
            hasher.hash(password("correct horse")),
            hasher.hash(password("battery staple")),
        );
        assert!(first.is_ok());
        assert!(
            matches!(second, Err(AppError::TooManyRequests(_))),
            "{second:?}"
        );
        // The turn is given back: the next run goes ahead.
        assert!(hasher.hash(password("correct horse")).await.is_ok());
    }

    #[tokio::test]
    async fn the_one_off_hash_is_the_same_kind() {
        let hash = hash(password("correct horse")).await.unwrap();
        let hasher = Hasher::new(1, Duration::from_secs(60));
        assert!(hasher
            .verify(password("correct horse"), Some(hash))
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn hashes_made_with_other_settings_still_verify() {
        let hasher = Hasher::new(1, Duration::from_secs(60));
        // Smaller than the thread's memory, and larger (argon2 allocates).
        for m_cost in [64, 24 * 1024] {
            let params = Params::new(m_cost, 1, 1, None).unwrap();
            let stored = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password(b"correct horse")
                .unwrap()
                .to_string();
            let stored = || Some(PasswordHash(stored.clone()));
            assert!(
                hasher
                    .verify(password("correct horse"), stored())
                    .await
                    .unwrap(),
                "m={m_cost}"
            );
            assert!(
                !hasher
                    .verify(password("battery staple"), stored())
                    .await
                    .unwrap(),
                "m={m_cost}"
            );
        }
    }
}
