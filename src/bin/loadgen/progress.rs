//! Progress on stderr: while a guard lives, a line every second with the
//! elapsed time and whatever its closure reports.

use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

pub struct Progress {
    task: JoinHandle<()>,
}

impl Progress {
    pub fn start(label: &str, report: impl Fn() -> String + Send + 'static) -> Progress {
        let label = label.to_owned();
        let started = Instant::now();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.tick().await;
            loop {
                tick.tick().await;
                eprintln!(
                    "[loadgen] {label} {:>4.0}s  {}",
                    started.elapsed().as_secs_f64(),
                    report()
                );
            }
        });
        Progress { task }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A one-off line on stderr.
pub fn note(text: impl AsRef<str>) {
    eprintln!("[loadgen] {}", text.as_ref());
}
