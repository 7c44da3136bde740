//! Server-only code: configuration, the process, the router, sessions,
//! passwords and the store. Compiled with the `ssr` feature only.

mod api_guard;
pub mod bus;
pub mod config;
pub mod demo;
mod health;
mod origin;
mod request;
pub mod password;
pub mod redis_process;
pub mod run;
pub mod services;
pub mod session;
pub mod startup;
mod state;
pub mod store;

pub use state::AppState;
