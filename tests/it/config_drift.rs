//! Leptos.toml (read by the server) and [package.metadata.leptos] in
//! Cargo.toml (read by cargo-leptos) must not drift apart.

use leptos::prelude::get_configuration;

#[test]
fn leptos_toml_agrees_with_cargo_metadata() {
    let runtime = get_configuration(Some("Leptos.toml"))
        .expect("Leptos.toml reads")
        .leptos_options;
    let build = get_configuration(Some("Cargo.toml"))
        .expect("Cargo.toml reads")
        .leptos_options;
    assert_eq!(runtime.output_name, build.output_name, "output-name");
    assert_eq!(runtime.site_root, build.site_root, "site-root");
    assert_eq!(runtime.site_pkg_dir, build.site_pkg_dir, "site-pkg-dir");
    assert_eq!(runtime.site_addr, build.site_addr, "site-addr");
    assert_eq!(runtime.reload_port, build.reload_port, "reload-port");
}

/// .cargo/config.toml gives plain cargo the output name cargo-leptos
/// passes, so that both share one set of compiled artifacts.
#[test]
fn plain_cargo_gets_the_same_output_name() {
    let build = get_configuration(Some("Cargo.toml"))
        .expect("Cargo.toml reads")
        .leptos_options;
    let config = std::fs::read_to_string(".cargo/config.toml").expect(".cargo/config.toml reads");
    let wanted = format!("LEPTOS_OUTPUT_NAME = \"{}\"", build.output_name);
    assert!(
        config.lines().any(|line| line.trim() == wanted),
        ".cargo/config.toml lacks `{wanted}`"
    );
}
