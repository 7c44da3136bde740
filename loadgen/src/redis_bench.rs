//! The machine's own ceiling: `redis-benchmark` SET and PUBLISH throughput
//! on the very Redis the instances use, measured in the same run (PUBLISH
//! to a channel nobody subscribes to: Redis's cost, not the fan-out's).

use std::process::Stdio;
use std::time::Duration;

use crate::report::Pairs;

const LIMIT: Duration = Duration::from_secs(300);

/// A PUBLISH about the size of a message event.
const PAYLOAD_BYTES: usize = 200;

/// Runs `redis-benchmark -q -t set -n N` and `redis-benchmark -q -n N
/// PUBLISH loadgen-ceiling PAYLOAD` (redis-benchmark has no built-in
/// publish test); a missing tool or Redis becomes a note, not an error.
pub async fn ceiling(redis: Option<(String, u16)>, requests: u64) -> Pairs {
    let mut pairs = Pairs::default();
    let Some((host, port)) = redis else {
        pairs.add("skipped", "the Redis is unknown (pass --redis-url)");
        return pairs;
    };
    let payload = "x".repeat(PAYLOAD_BYTES);
    let common = format!("redis-benchmark -h {host} -p {port} -q -n {requests}");
    pairs.add(
        "commands",
        format!("{common} -t set; {common} PUBLISH loadgen-ceiling <{PAYLOAD_BYTES} bytes>"),
    );
    let runs: [(&str, Vec<String>); 2] = [
        ("set", vec!["-t".into(), "set".into()]),
        (
            "publish",
            vec!["PUBLISH".into(), "loadgen-ceiling".into(), payload],
        ),
    ];
    for (name, extra) in runs {
        let run = tokio::process::Command::new("redis-benchmark")
            .args(["-h", &host, "-p", &port.to_string(), "-q"])
            .args(["-n", &requests.to_string()])
            .args(&extra)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .output();
        let output = match tokio::time::timeout(LIMIT, run).await {
            Err(_) => {
                pairs.add("skipped", format!("redis-benchmark took over {LIMIT:?}"));
                return pairs;
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                pairs.add(
                    "skipped",
                    "redis-benchmark is not installed (apt-get install redis-tools)",
                );
                return pairs;
            }
            Ok(Err(e)) => {
                pairs.add("skipped", format!("redis-benchmark: {e}"));
                return pairs;
            }
            Ok(Ok(output)) => output,
        };
        let text = String::from_utf8_lossy(&output.stdout);
        match parse(&text).last() {
            Some((_, rps, p50)) => {
                pairs.add(&format!("{name}_per_sec"), *rps);
                if let Some(p50) = p50 {
                    pairs.add(&format!("{name}_p50_ms"), *p50);
                }
            }
            None => {
                pairs.add(
                    &format!("{name}_skipped"),
                    format!("no figures in redis-benchmark's output: {}", text.trim()),
                );
            }
        }
    }
    pairs
}

/// `SET: 123456.79 requests per second, p50=0.199 msec` lines, among the
/// carriage-return progress of -q.
fn parse(text: &str) -> Vec<(String, f64, Option<f64>)> {
    text.split(['\r', '\n'])
        .filter_map(|line| {
            let (test, rest) = line.split_once(':')?;
            let (rps, rest) = rest.trim().split_once(" requests per second")?;
            let rps: f64 = rps.trim().parse().ok()?;
            let p50 = rest
                .split_once("p50=")
                .and_then(|(_, r)| r.split_whitespace().next())
                .and_then(|v| v.parse().ok());
            Some((test.trim().to_owned(), rps, p50))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_quiet_output() {
        let out = "SET: rps=0.0 (overall: nan) avg_msec=nan\r\
                   SET: 98039.22 requests per second, p50=0.263 msec\n\
                   publish loadgen-ceiling xxx: 111111.11 requests per second, p50=0.231 msec\n\n";
        let parsed = super::parse(out);
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].0, "SET");
        assert_eq!(parsed[1].0, "publish loadgen-ceiling xxx");
        assert_eq!(parsed[1].1, 111111.11);
        assert_eq!(parsed[1].2, Some(0.231));
    }
}
