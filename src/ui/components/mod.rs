//! Components, one family per file.

pub mod chat_shell;
pub mod sign_in;
