//! The smoke run, end to end: a private Redis, two instances of the server
//! binary built beside this one (`target/<profile>/confab`, which the test
//! command builds in the same cargo run), every scenario at tiny sizes. It
//! keeps the tool from rotting; the figures themselves are benchmarks and
//! are not judged here, only that every scenario ran and delivered.

use std::process::Command;

/// Runs loadgen with `args`; answers its JSON report, once it succeeded.
fn report_of(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args(args)
        .output()
        .expect("loadgen starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "loadgen failed:\n{stderr}");
    serde_json::from_slice(&out.stdout).expect("a JSON report on stdout")
}

#[test]
fn every_scenario_runs_and_delivers() {
    let run = report_of(&["all", "--smoke"]);
    let scenarios = run["scenarios"].as_array().expect("a list of scenarios");
    let names: Vec<&str> = scenarios
        .iter()
        .filter_map(|s| s["scenario"].as_str())
        .collect();
    for expected in ["connections", "fanout", "rooms", "ingest", "ramp", "presence", "bus", "pages"] {
        assert!(names.contains(&expected), "{expected} did not run: {names:?}");
    }
    for scenario in scenarios {
        assert_eq!(scenario["delivered"], true, "{scenario}");
        assert!(scenario.get("error").is_none(), "{scenario}");
    }
}

/// The same tool on a Redis Cluster it starts: the ingest and fan-out
/// scenarios run, and the spread over the masters is reported.
#[test]
fn the_cluster_mode_runs_and_reports_its_spread() {
    let run = report_of(&["ingest", "--smoke", "--redis", "cluster"]);
    let scenarios = run["scenarios"].as_array().expect("a list of scenarios");
    let spread = scenarios
        .iter()
        .find(|s| s["scenario"] == "cluster spread")
        .unwrap_or_else(|| panic!("no spread report: {run}"));
    assert_eq!(spread["figures"]["masters"], 3, "{spread}");
    assert!(spread["figures"]["calls_on_masters"].as_u64() > Some(0), "{spread}");
    assert!(scenarios.iter().any(|s| s["scenario"] == "ingest" && s["delivered"] == true), "{run}");
}
