//! The ramps of a recorded run as an SVG chart (`plotters`): throughput
//! against p50 and p99 latency, one pair of lines per scenario that ran in
//! steps, drawn beside the benchmarks log so that docs/benchmarks.md can
//! show it.

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use crate::report::{Pairs, Report, Run};

/// Which figures of a step make a point: the throughput, then its p50 and
/// p99 in milliseconds. Fan-out steps count deliveries; ingest steps count
/// stored messages and time their echoes.
const AXES: [(&str, &str, &str); 2] = [
    ("deliveries_per_sec", "p50_ms", "p99_ms"),
    ("stored_per_sec", "echo_p50_ms", "echo_p99_ms"),
];

/// One line of the chart.
struct Line {
    label: String,
    points: Vec<(f64, f64)>,
}

/// The lines of a run: a p50 and a p99 line for every scenario with at
/// least two steps.
fn lines(run: &Run) -> Vec<Line> {
    run.scenarios
        .iter()
        .filter(|r| r.steps.len() >= 2)
        .flat_map(|r| {
            AXES.iter()
                .find(|(x, _, _)| get(&r.steps[0], x).is_some())
                .map(|&(x, p50, p99)| {
                    [("p50", p50), ("p99", p99)].map(|(name, y)| Line {
                        label: format!("{} {name}", label(r)),
                        points: r
                            .steps
                            .iter()
                            .filter_map(|s| Some((get(s, x)?, get(s, y)?)))
                            .filter(|&(x, _)| x > 0.0)
                            .collect(),
                    })
                })
                .into_iter()
                .flatten()
        })
        .filter(|line| !line.points.is_empty())
        .collect()
}

fn label(report: &Report) -> String {
    match get(&report.params, "sockets") {
        Some(n) => format!("{} ({n:.0} sockets)", report.scenario),
        None => report.scenario.clone(),
    }
}

fn get(pairs: &Pairs, key: &str) -> Option<f64> {
    pairs
        .0
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.as_f64().or_else(|| v.as_u64().map(|n| n as f64)))
}

/// Where the chart of a run goes: `benchmarks/<date>.svg` beside `log`.
pub fn path_beside(log: &Path, run: &Run) -> PathBuf {
    let name: String = run
        .date
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let dir = log.parent().unwrap_or(Path::new(""));
    dir.join("benchmarks").join(format!("{name}.svg"))
}

/// Draws the run's ramps to `path`; `Ok(false)` when nothing ran in steps.
pub fn draw(run: &Run, path: &Path) -> Result<bool, String> {
    let lines = lines(run);
    if lines.is_empty() {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    render(&lines, &run.date, path).map_err(|e| format!("chart {}: {e}", path.display()))?;
    Ok(true)
}

fn render(lines: &[Line], date: &str, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let all = lines.iter().flat_map(|l| l.points.iter());
    let (x_min, x_max, y_max) = all.fold((f64::MAX, 0f64, 0f64), |(a, b, c), &(x, y)| {
        (a.min(x), b.max(x), c.max(y))
    });
    let root = SVGBackend::new(path, (900, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(format!("Ramps of the run of {date}"), ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(
            ((x_min * 0.8).max(1.0)..x_max * 1.25).log_scale(),
            0f64..(y_max * 1.1).max(1.0),
        )?;
    chart
        .configure_mesh()
        .x_desc("throughput per second (log scale)")
        .y_desc("latency, ms")
        .draw()?;
    for (i, line) in lines.iter().enumerate() {
        let color = Palette99::pick(i / 2).to_rgba();
        let style = if i % 2 == 0 {
            color.stroke_width(1)
        } else {
            color.stroke_width(3)
        };
        chart
            .draw_series(LineSeries::new(line.points.iter().copied(), style))?
            .label(&line.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        chart.draw_series(
            line.points
                .iter()
                .map(|&p| Circle::new(p, 3, color.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::Machine;

    fn step(rate: f64, p50: f64, p99: f64) -> Pairs {
        let mut pairs = Pairs::default();
        pairs
            .add("deliveries_per_sec", rate)
            .add("p50_ms", p50)
            .add("p99_ms", p99);
        pairs
    }

    fn run_with(steps: Vec<Pairs>) -> Run {
        let mut report = Report::new("ramp");
        report.params.add("sockets", 500);
        report.steps = steps;
        Run {
            date: "2026-12-02 13:00 UTC".into(),
            commit: None,
            machine: Machine::default(),
            command: "loadgen ramp".into(),
            loadgen_build: "debug",
            server: Pairs::default(),
            redis_ceiling: Pairs::default(),
            scenarios: vec![report],
            error: None,
        }
    }

    #[test]
    fn a_ramp_draws_a_p50_and_a_p99_line() {
        let run = run_with(vec![step(1000.0, 2.0, 5.0), step(1500.0, 3.0, 9.0)]);
        let lines = lines(&run);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].label, "ramp (500 sockets) p50");
        assert_eq!(lines[1].points, vec![(1000.0, 5.0), (1500.0, 9.0)]);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("benchmarks/run.svg");
        assert_eq!(draw(&run, &path), Ok(true));
        let svg = std::fs::read_to_string(&path).expect("the chart was written");
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
        assert!(svg.contains("ramp (500 sockets) p99"));
    }

    #[test]
    fn a_run_without_steps_draws_nothing() {
        let run = run_with(vec![step(1000.0, 2.0, 5.0)]);
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(draw(&run, &dir.path().join("x.svg")), Ok(false));
    }
}
