//! Integration tests: the real router on port 0, each test with its own
//! private redis-server (or a key prefix of its own on a shared one).

mod accounts;
mod blocks;
mod changes;
mod channels;
mod cluster;
mod config_drift;
mod demo;
mod echo;
mod echobot;
mod embedded;
mod faulted;
mod faults;
mod health;
mod helpers;
mod limits;
mod logs;
mod live;
mod messages;
mod metrics;
mod pages;
mod presence;
mod retention;
mod retries;
mod rooms;
mod search;
mod upgrade;
mod shutdown;
mod signout;
mod tokens;
mod webhooks;
mod ws;
