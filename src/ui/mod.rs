//! The user interface: pages (one per route) and the components they use.

pub mod components;
pub mod pages;
