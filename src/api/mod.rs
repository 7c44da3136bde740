//! Server functions: the HTTP API under `/api`, callable from the browser
//! and during server rendering alike. One area per file; each function is a
//! thin declaration whose body calls into `crate::server::services`.

mod auth;
mod messages;
mod rooms;
mod search;
mod tokens;
mod users;
mod webhooks;

pub use auth::*;
pub use messages::*;
pub use rooms::*;
pub use search::*;
pub use tokens::*;
pub use users::*;
pub use webhooks::*;
