//! Components, one family per file.

pub mod chat_shell;
pub mod composer;
pub mod mention_picker;
pub mod message_changes;
pub mod message_log;
pub mod message_text;
pub mod notifications;
pub mod room_browser;
pub mod room_view;
pub mod search;
pub mod sidebar;
pub mod sign_in;
pub mod token_settings;
