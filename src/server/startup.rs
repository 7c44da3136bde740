//! Builds an instance: its state, its router, and the server loop. Tests
//! start exactly what production starts, through [`build_state`] and [`serve`].

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::middleware;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use leptos::config::get_config_from_env;
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes};
use leptos_router::{Method, SsrMode};
use tokio::net::TcpListener;

use crate::app::{shell, PAGE_PATHS};

use super::api_guard::api_guard;
use super::bus::Bus;
use super::config::Config;
use super::health::healthz;
use super::request::RequestUser;
use super::security_headers;
use super::store::{RedisTarget, Store, StoreError};
use super::AppState;

/// Why an instance could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot read the Leptos settings in {path}: {detail}")]
    LeptosConfig { path: String, detail: String },
    #[error("cannot reach Redis at {url}: {source}")]
    Redis { url: String, source: StoreError },
    #[error(transparent)]
    RedisProcess(#[from] super::redis_process::RedisProcessError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the OS random source failed: {0}")]
    Random(String),
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
}

/// The settings file read when none is named and it is there.
const DEFAULT_LEPTOS_CONFIG: &str = "Leptos.toml";

/// The Leptos site settings: from the file named in the config, else from
/// ./Leptos.toml when there is one, else from the `LEPTOS_*` environment
/// and the defaults built in, so that the binary runs from any directory.
pub fn leptos_options(config: &Config) -> Result<LeptosOptions, StartupError> {
    let named = config.leptos_config.clone();
    let path = named.or_else(|| {
        let default = std::path::PathBuf::from(DEFAULT_LEPTOS_CONFIG);
        default.is_file().then_some(default)
    });
    let read = match &path {
        Some(path) => get_configuration(Some(&path.display().to_string())),
        None => get_config_from_env(),
    };
    let mut options = read
        .map_err(|e| StartupError::LeptosConfig {
            path: path.as_ref().map_or_else(
                || "the LEPTOS_* environment".to_owned(),
                |p| p.display().to_string(),
            ),
            detail: e.to_string(),
        })?
        .leptos_options;
    if options.output_name.is_empty() {
        options.output_name = "confab".into();
    }
    if let Some(addr) = config.site_addr {
        options.site_addr = addr;
    }
    Ok(options)
}

/// Connects to Redis, makes the defaults, and reads the Leptos settings.
pub async fn build_state(config: Config, redis: &RedisTarget) -> Result<AppState, StartupError> {
    let leptos_options = leptos_options(&config)?;
    let redis_error = |source| StartupError::Redis {
        url: redis.to_string(),
        source,
    };
    let store = Store::connect(redis, &config.key_prefix)
        .await
        .map_err(redis_error)?;
    store.ensure_defaults().await.map_err(redis_error)?;
    if config.demo {
        match super::demo::seed(&store).await {
            Ok(true) => tracing::info!(
                password = super::demo::DEMO_PASSWORD,
                "demo data written: sign in as alice, bob, carol, dave or erin"
            ),
            Ok(false) => tracing::info!("this Redis holds users already: no demo data written"),
            Err(err) => tracing::warn!(error = %err, "demo data could not be written"),
        }
    }
    let bus = Bus::new(
        store.clone(),
        Duration::from_secs(config.heartbeat_ttl_secs.max(1)),
        config.presence_room_limit,
    )
    .map_err(|e| StartupError::Random(e.to_string()))?;
    bus.start();
    super::retention::start(store.clone(), &config);
    let hasher = super::password::Hasher::new(
        config.password_hashing_max.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        }),
        Duration::from_millis(config.password_hashing_wait_ms),
    );
    Ok(AppState {
        leptos_options,
        store,
        config: Arc::new(config),
        bus,
        hasher,
        send_latency: Arc::default(),
    })
}

/// Every route of an instance.
pub fn router(state: AppState) -> Router {
    // Async: a page is rendered whole before it is sent, so it is complete
    // and usable before (or without) the WASM bundle.
    let routes = PAGE_PATHS
        .iter()
        .map(|path| AxumRouteListing::new(path.to_string(), SsrMode::Async, [Method::Get], vec![]))
        .collect();
    // Under `cargo leptos watch`, the page's live-reload socket.
    let reload_port = std::env::var("LEPTOS_WATCH").is_ok().then(|| {
        let options = &state.leptos_options;
        options.reload_external_port.unwrap_or(options.reload_port)
    });
    // Per page request: the state, a fresh slot for who is signed in, and
    // the page's Content-Security-Policy.
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(RequestUser::default());
            security_headers::protect_page(reload_port);
        }
    };
    let page = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/ws", get(super::ws::upgrade))
        .route("/hooks/{secret}", post(super::hooks::receive));
    if state.config.metrics_addr.is_none() {
        router = super::metrics::route(router);
    }
    router
        .leptos_routes_with_context(&state, routes, context, page)
        .method_not_allowed_fallback(super::error_response::method_not_allowed)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), api_guard))
        .layer(middleware::from_fn_with_state(
            state.config.is_https(),
            security_headers::every_response,
        ))
        .layer(middleware::from_fn_with_state(
            super::request_id::RequestIds::default(),
            super::request_id::trace_requests,
        ))
        // Outermost: no handler inside sees another request's reactive
        // owner (see fresh_owner).
        .layer(middleware::from_fn(super::fresh_owner::fresh_owner))
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartupError> {
    let bus = state.bus.clone();
    let metrics = match state.config.metrics_addr {
        Some(addr) => Some(super::metrics::serve_apart(addr, state.clone()).await?),
        None => None,
    };
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // No Nagle: chat frames are small and latency matters more than packets.
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!(error = %err, "cannot set TCP_NODELAY");
        }
    });
    // At the signal, the sockets are told to go at once, not after the
    // requests in flight: their clients reconnect elsewhere while this
    // instance finishes those.
    let told = bus.clone();
    let shutdown = async move {
        shutdown.await;
        told.tell_sockets_to_go();
    };
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(StartupError::Serve);
    // Upgraded sockets outlive the HTTP server: close any opened since, and
    // clear this instance's presence.
    bus.stop().await;
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    served
}
