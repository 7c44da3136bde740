//! The results: one [`Report`] per scenario, the run around them, and
//! their two renderings, JSON (stdout or --json) and a markdown section
//! appended to the benchmarks log (--markdown, or --record).

use std::io::Write;
use std::path::Path;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::hist::Latency;
use crate::machine::Machine;
use crate::traffic::Figures;

/// Key-value pairs that keep their order in JSON and markdown alike.
#[derive(Debug, Clone, Default)]
pub struct Pairs(pub Vec<(String, Value)>);

impl Pairs {
    pub fn add(&mut self, key: &str, value: impl Serialize) -> &mut Self {
        self.0.push((
            key.to_owned(),
            serde_json::to_value(value).unwrap_or(Value::Null),
        ));
        self
    }

    pub fn latency(&mut self, prefix: &str, l: &Latency) -> &mut Self {
        self.add(&format!("{prefix}p50_ms"), round(l.p50_ms))
            .add(&format!("{prefix}p95_ms"), round(l.p95_ms))
            .add(&format!("{prefix}p99_ms"), round(l.p99_ms))
            .add(&format!("{prefix}max_ms"), round(l.max_ms))
    }

    /// The figures of a traffic step: deliveries first, then latency,
    /// then the counts that show whether anything was lost.
    pub fn traffic(&mut self, f: &Figures) -> &mut Self {
        self.add("deliveries_per_sec", round(f.deliveries_per_sec))
            .latency("", &f.latency)
            .add("echo_p99_ms", round(f.echo_latency.p99_ms))
            .add("target_rate", round(f.target_rate))
            .add("send_rate", round(f.send_rate))
            .add("sent", f.sent)
            .add("delivered", f.delivered)
            .add("expected", f.expected_deliveries);
        if let Some(cpu) = f.server_cpu_us_per_delivery {
            self.add("server_cpu_us_per_delivery", round(cpu));
        }
        if f.skipped > 0 {
            self.add("skipped_sends", f.skipped);
        }
        if f.send_errors > 0 {
            self.add("send_errors", f.send_errors);
        }
        if f.closed > 0 {
            self.add("sockets_closed", f.closed);
        }
        if f.errors > 0 {
            self.add("error_events", f.errors);
        }
        self
    }
}

impl Serialize for Pairs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// Three significant decimals are plenty and keep the JSON readable.
pub fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// One scenario's parameters and results.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    pub scenario: String,
    pub params: Pairs,
    pub figures: Pairs,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Pairs>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Whether anything at all came through (the smoke run's check).
    pub delivered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Report {
    pub fn new(scenario: &str) -> Report {
        Report {
            scenario: scenario.to_owned(),
            ..Report::default()
        }
    }

    pub fn failed(scenario: &str, error: String) -> Report {
        Report {
            error: Some(error),
            ..Report::new(scenario)
        }
    }
}

/// A whole run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Run {
    pub date: String,
    pub commit: Option<String>,
    pub machine: Machine,
    pub command: String,
    pub loadgen_build: &'static str,
    pub server: Pairs,
    pub redis_ceiling: Pairs,
    pub scenarios: Vec<Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub fn write_json(run: &Run, path: Option<&Path>) -> Result<(), String> {
    let text = serde_json::to_string_pretty(run).map_err(|e| e.to_string())?;
    match path {
        Some(path) => std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

/// Appends the run's section to `path`, showing the chart at `chart`
/// (relative to the log) when one was drawn.
pub fn append_markdown(run: &Run, path: &Path, chart: Option<&Path>) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut text = markdown(run);
    if let Some(chart) = chart {
        text += &format!("\n![The ramps of this run]({})\n", chart.display());
    }
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

pub fn markdown(run: &Run) -> String {
    let m = &run.machine;
    let memory = m
        .mem_total_kib
        .map(|kib| format!("{:.1} GiB RAM", kib as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "RAM unknown".into());
    let mut out = format!(
        "\n### Run of {} · commit `{}` · {} cores, {memory}\n\n",
        run.date,
        run.commit.as_deref().unwrap_or("unknown"),
        m.cores
    );
    out += &format!(
        "`{}` ({} build of loadgen). Server: {}.\n\n",
        run.command,
        run.loadgen_build,
        inline(&run.server)
    );
    out += &format!(
        "Redis ceiling, same Redis, same run: {}.\n\n",
        inline(&run.redis_ceiling)
    );
    out += "| scenario | parameters | results |\n|---|---|---|\n";
    for report in &run.scenarios {
        let results = match &report.error {
            Some(error) => format!("**failed:** {}", cell(error)),
            None => inline(&report.figures),
        };
        out += &format!(
            "| {} | {} | {} |\n",
            report.scenario,
            inline(&report.params),
            results
        );
        for (i, step) in report.steps.iter().enumerate() {
            out += &format!(
                "| {} step {} | | {} |\n",
                report.scenario,
                i + 1,
                inline(step)
            );
        }
    }
    let notes: Vec<String> = run
        .scenarios
        .iter()
        .flat_map(|r| {
            r.notes
                .iter()
                .map(move |n| format!("- {}: {}\n", r.scenario, cell(n)))
        })
        .collect();
    if !notes.is_empty() {
        out += "\n";
        out += &notes.concat();
    }
    if let Some(error) = &run.error {
        out += &format!("\n**The run stopped early:** {}\n", cell(error));
    }
    out
}

/// `key value, key value` for a table cell.
fn inline(pairs: &Pairs) -> String {
    pairs
        .0
        .iter()
        .map(|(k, v)| format!("{} {}", k.replace('_', " "), cell(&value(v))))
        .collect::<Vec<_>>()
        .join(", ")
}

fn value(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_u64() || n.is_i64() => {
            group(n.as_i64().map_or(n.to_string(), |i| i.to_string()))
        }
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            if x.abs() >= 1000.0 {
                group(format!("{x:.0}"))
            } else if x.abs() >= 10.0 {
                format!("{x:.1}")
            } else {
                format!("{x:.2}")
            }
        }
        Value::String(s) => s.clone(),
        Value::Null => "n/a".into(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(value).collect::<Vec<_>>().join("; ")
        ),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{} {}", k.replace('_', " "), value(v)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Thousands separators: 1234567 -> 1,234,567.
fn group(digits: String) -> String {
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest.to_owned()),
        None => ("", digits),
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(group("1234567".into()), "1,234,567");
        assert_eq!(group("123".into()), "123");
        assert_eq!(value(&serde_json::json!(1.23456)), "1.23");
        assert_eq!(value(&serde_json::json!(52345.6)), "52,346");
    }
}
