//! Latency in microseconds, recorded by every reader task of a run into one
//! HDR histogram (`hdrhistogram`, three significant digits) behind a mutex:
//! a record is a few nanoseconds, far below what a websocket frame costs.

use std::sync::Mutex;

use hdrhistogram::Histogram as Hdr;
use serde::Serialize;

/// Three significant digits: under 0.1 % error at any latency.
const SIGNIFICANT_DIGITS: u8 = 3;

pub struct Histogram {
    inner: Mutex<Hdr<u64>>,
}

/// Percentiles of a histogram, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Latency {
    pub count: u64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Default for Histogram {
    fn default() -> Self {
        // Auto-resizing: any latency fits, however long a stall.
        let hdr = Hdr::new(SIGNIFICANT_DIGITS).expect("3 significant digits are within 0..=5");
        Histogram {
            inner: Mutex::new(hdr),
        }
    }
}

impl Histogram {
    pub fn record_us(&self, us: u64) {
        // A poisoned lock only means another reader panicked mid-record;
        // the counts are still counts.
        let mut hdr = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        // Grows to fit (auto-resize); past u64's reach it saturates.
        if hdr.record(us).is_err() {
            hdr.saturating_record(us);
        }
    }

    pub fn summary(&self) -> Latency {
        let hdr = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if hdr.is_empty() {
            return Latency::default();
        }
        let ms = |us: u64| us as f64 / 1000.0;
        Latency {
            count: hdr.len(),
            mean_ms: hdr.mean() / 1000.0,
            p50_ms: ms(hdr.value_at_quantile(0.50)),
            p95_ms: ms(hdr.value_at_quantile(0.95)),
            p99_ms: ms(hdr.value_at_quantile(0.99)),
            max_ms: ms(hdr.max()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_uniform_run() {
        let h = Histogram::default();
        for us in 1..=10_000 {
            h.record_us(us);
        }
        let s = h.summary();
        assert_eq!(s.count, 10_000);
        assert!((s.p50_ms - 5.0).abs() < 0.01, "{s:?}");
        assert!((s.p99_ms - 9.9).abs() < 0.01, "{s:?}");
        assert!((s.max_ms - 10.0).abs() < 0.01, "{s:?}");
    }

    #[test]
    fn an_empty_histogram_reports_zeros() {
        let s = Histogram::default().summary();
        assert_eq!(s.count, 0);
        assert_eq!(s.p99_ms, 0.0);
    }
}
