//! `AppState`: what every handler and server function of an instance shares.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use super::bus::Bus;
use super::config::Config;
use super::latency::Histogram;
use super::password::Hasher;
use super::store::Store;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub config: Arc<Config>,
    pub bus: Bus,
    pub hasher: Hasher,
    /// How long storing and publishing a message takes (the send script's
    /// round trip), for `/metrics`.
    pub send_latency: Arc<Histogram>,
}
