//! Server-only code: configuration, the process, the router, sessions,
//! passwords and the store. Compiled with the `ssr` feature only.

mod api_guard;
pub mod bus;
pub mod config;
pub mod demo;
mod error_response;
pub mod events;
mod form_body;
mod fresh_owner;
mod health;
mod hooks;
pub mod latency;
pub mod look_alike;
mod metrics;
pub mod origin;
pub mod password;
pub mod redis_cluster;
pub mod redis_process;
pub mod request;
mod request_id;
mod retention;
pub mod run;
mod security_headers;
pub mod services;
pub mod session;
pub mod startup;
mod state;
pub mod store;
pub mod words;
mod ws;

pub use state::AppState;
