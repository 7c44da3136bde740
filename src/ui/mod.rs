//! The user interface: pages (one per route), the components they use, the
//! page's state and the live connection that feeds it.

pub mod completion;
pub mod components;
pub mod format;
pub mod json;
pub mod live;
pub mod location;
pub mod markdown;
pub mod pages;
pub mod refusal;
pub mod state;
