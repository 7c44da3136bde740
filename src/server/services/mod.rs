//! The bodies of the server functions, one area per file: they check who
//! asks and what they may do, then call the store.

pub mod accounts;
pub mod blocks;
pub mod changes;
mod limits;
pub mod messages;
pub mod rooms;
pub mod search;
pub mod tokens;
pub mod users;
pub mod webhooks;
