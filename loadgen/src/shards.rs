//! On a Redis Cluster: how the run's load spread over the nodes, read from
//! each node's `INFO commandstats` (calls per command since it started)
//! and its role, as one more report beside the scenarios.

use crate::cluster::Cluster;
use crate::report::{Pairs, Report};

/// Commands named per node, the busiest first.
const TOP: usize = 4;

pub async fn spread(cluster: &Cluster) -> Report {
    let mut report = Report::new("cluster spread");
    let mut total_by_master = Vec::new();
    for url in cluster.redis_cluster_nodes() {
        match node_stats(&url).await {
            Ok((role, calls)) => {
                let total: u64 = calls.iter().map(|(_, n)| n).sum();
                let top = calls
                    .iter()
                    .take(TOP)
                    .map(|(command, n)| format!("{command} {n}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                let mut node = Pairs::default();
                node.add("node", url.trim_start_matches("redis://"))
                    .add("role", role.as_str())
                    .add("calls", total)
                    .add("busiest", top);
                report.steps.push(node);
                if role == "master" {
                    total_by_master.push(total);
                }
            }
            Err(e) => report.notes.push(format!("{url}: {e}")),
        }
    }
    let sum: u64 = total_by_master.iter().sum();
    let max = total_by_master.iter().copied().max().unwrap_or(0);
    report
        .figures
        .add("masters", total_by_master.len())
        .add("calls_on_masters", sum)
        .add(
            "busiest_master_share",
            if sum == 0 { 0.0 } else { crate::report::round(max as f64 / sum as f64) },
        );
    report.delivered = sum > 0;
    report
}

/// A node's role and its calls per command, the most called first.
async fn node_stats(url: &str) -> Result<(String, Vec<(String, u64)>), String> {
    let client = redis::Client::open(url).map_err(|e| e.to_string())?;
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .map_err(|e| e.to_string())?;
    let replication: String = redis::cmd("INFO")
        .arg("replication")
        .query_async(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let role = replication
        .lines()
        .find_map(|l| l.strip_prefix("role:"))
        .unwrap_or("unknown")
        .trim()
        .to_owned();
    let stats: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let mut calls: Vec<(String, u64)> = stats
        .lines()
        .filter_map(|line| {
            let (command, rest) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let n = rest.strip_prefix("calls=")?.split(',').next()?.parse().ok()?;
            Some((command.to_owned(), n))
        })
        .collect();
    calls.sort_by(|a, b| b.1.cmp(&a.1));
    Ok((role, calls))
}
