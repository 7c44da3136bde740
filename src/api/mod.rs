//! Server functions: the HTTP API under `/api`, callable from the browser
//! and during server rendering alike. One area per file; each function is a
//! thin declaration whose body calls into `crate::server`.

mod auth;

pub use auth::{Login, Logout, Me, Register, login, logout, me, register};
