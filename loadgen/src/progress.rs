//! Progress on stderr: while a guard lives, an `indicatif` bar for the
//! current step, either over a count (users made, sockets opened) or over
//! the step's duration, with whatever its closure reports beside it. The
//! bar draws only on a terminal; logs and CI get the one-off notes alone.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use tokio::task::JoinHandle;

/// How often the bar is redrawn from its closure.
const TICK: Duration = Duration::from_millis(250);

pub struct Progress {
    bar: ProgressBar,
    task: JoinHandle<()>,
}

impl Progress {
    /// A bar from 0 to `total`, at whatever `position` reads.
    pub fn counted(
        label: &str,
        total: usize,
        position: impl Fn() -> usize + Send + 'static,
    ) -> Progress {
        let bar = ProgressBar::new(total as u64).with_style(style(
            "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec})",
        ));
        Progress::drive(label, bar, move |bar| bar.set_position(position() as u64))
    }

    /// A bar over `duration`, with `message` beside it.
    pub fn timed(
        label: &str,
        duration: Duration,
        message: impl Fn() -> String + Send + 'static,
    ) -> Progress {
        let bar = ProgressBar::new(duration.as_millis() as u64)
            .with_style(style("{prefix} [{elapsed_precise}] {bar:30} {msg}"));
        let started = tokio::time::Instant::now();
        Progress::drive(label, bar, move |bar| {
            bar.set_position(started.elapsed().as_millis() as u64);
            bar.set_message(message());
        })
    }

    fn drive(
        label: &str,
        bar: ProgressBar,
        update: impl Fn(&ProgressBar) + Send + 'static,
    ) -> Progress {
        bar.set_prefix(format!("[loadgen] {label}"));
        let task = {
            let bar = bar.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(TICK);
                loop {
                    tick.tick().await;
                    update(&bar);
                }
            })
        };
        Progress { bar, task }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.task.abort();
        // The last state stays on screen: a record of the step.
        self.bar.abandon();
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// A one-off line on stderr.
pub fn note(text: impl AsRef<str>) {
    eprintln!("[loadgen] {}", text.as_ref());
}
