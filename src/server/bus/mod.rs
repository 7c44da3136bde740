//! The bus: live events between instances over Redis pub/sub, and their
//! fan-out to this instance's sockets.

pub mod event;
