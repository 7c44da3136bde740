//! The `confab` server binary. All of it lives in `confab::server`.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    confab::server::run::main().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser build has no binary: see `confab::hydrate`.
}
