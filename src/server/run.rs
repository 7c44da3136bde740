//! The `confab` process: read the config, start tracing and (by default)
//! a private Redis, serve until SIGINT or SIGTERM, then stop cleanly.

use std::process::ExitCode;

use clap::Parser;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use super::config::{Config, LogFormat};
use super::redis_process::RedisProcess;
use super::store::RedisTarget;
use super::startup::{build_state, leptos_options, serve, StartupError};

pub async fn main() -> ExitCode {
    let config = Config::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().with_current_span(true).init(),
    }
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("confab: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), StartupError> {
    // Settings first: a wrong one stops the process before any child starts.
    leptos_options(&config)?;
    let embedded = match (&config.redis_url, &config.redis_cluster_urls) {
        (Some(_), _) | (_, Some(_)) => None,
        (None, None) => {
            let dir = config.data_dir.join("redis");
            let redis = RedisProcess::start_private(&dir, config.redis_maxmemory_mb).await?;
            tracing::info!(port = redis.port(), dir = %dir.display(), "started the embedded redis-server");
            Some(redis)
        }
    };
    let redis = match (&config.redis_cluster_urls, &config.redis_url, &embedded) {
        (Some(urls), _, _) => RedisTarget::cluster(urls),
        (None, Some(url), _) => RedisTarget::Single(url.clone()),
        (None, None, embedded) => {
            RedisTarget::Single(embedded.as_ref().map(RedisProcess::url).unwrap_or_default())
        }
    };
    let result = serve_until_signal(config, redis).await;
    if let Some(redis) = embedded {
        redis.stop().await;
        tracing::info!("stopped the embedded redis-server");
    }
    result
}

async fn serve_until_signal(config: Config, redis: RedisTarget) -> Result<(), StartupError> {
    let state = build_state(config, &redis).await?;
    let addr = state.leptos_options.site_addr;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartupError::Bind { addr, source })?;
    tracing::info!("listening on http://{addr}");
    serve(listener, state, shutdown_signal()).await
}

/// Completes on the first SIGINT or SIGTERM.
async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let ctrl_c = tokio::signal::ctrl_c();
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = ctrl_c.await;
        }
    }
    tracing::info!("shutting down");
}
