//! A lock-free latency histogram in microseconds: log-linear buckets (64
//! per power of two, under 1.6 % error), shared by every reader task of a
//! run through relaxed atomics, with the exact maximum beside it.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

const SUB_BITS: u32 = 6;
const SUB: u64 = 1 << SUB_BITS;
const LINEAR: u64 = 2 * SUB;
const BUCKETS: usize = (LINEAR + (64 - SUB_BITS as u64 - 1) * SUB) as usize;

pub struct Histogram {
    buckets: Box<[AtomicU64]>,
    sum: AtomicU64,
    max: AtomicU64,
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

fn index(v: u64) -> usize {
    if v < LINEAR {
        return v as usize;
    }
    let e = 63 - v.leading_zeros() as u64; // >= SUB_BITS + 1
    let shift = e - SUB_BITS as u64;
    let mantissa = (v >> shift) - SUB;
    (LINEAR + (e - SUB_BITS as u64 - 1) * SUB + mantissa) as usize
}

/// The middle of bucket `i`, in microseconds.
fn value(i: usize) -> u64 {
    let i = i as u64;
    if i < LINEAR {
        return i;
    }
    let k = i - LINEAR;
    let e = k / SUB + SUB_BITS as u64 + 1;
    let shift = e - SUB_BITS as u64;
    let lower = (k % SUB + SUB) << shift;
    lower + ((1u64 << shift) - 1) / 2
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicU64::new(0),
            max: AtomicU64::new(0),
        }
    }
}

impl Histogram {
    pub fn record_us(&self, us: u64) {
        self.buckets[index(us)].fetch_add(1, Ordering::Relaxed);
        self.sum.fetch_add(us, Ordering::Relaxed);
        self.max.fetch_max(us, Ordering::Relaxed);
    }

    fn percentile_us(&self, counts: &[u64], total: u64, q: f64) -> u64 {
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (i, c) in counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return value(i).min(self.max.load(Ordering::Relaxed));
            }
        }
        self.max.load(Ordering::Relaxed)
    }

    pub fn summary(&self) -> Latency {
        let counts: Vec<u64> = self
            .buckets
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return Latency::default();
        }
        let ms = |us: u64| us as f64 / 1000.0;
        Latency {
            count: total,
            mean_ms: self.sum.load(Ordering::Relaxed) as f64 / total as f64 / 1000.0,
            p50_ms: ms(self.percentile_us(&counts, total, 0.50)),
            p95_ms: ms(self.percentile_us(&counts, total, 0.95)),
            p99_ms: ms(self.percentile_us(&counts, total, 0.99)),
            max_ms: ms(self.max.load(Ordering::Relaxed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_round_trip_within_two_percent() {
        for v in [
            0u64,
            1,
            127,
            128,
            129,
            1000,
            65_537,
            10_000_000,
            u64::MAX / 2,
        ] {
            let back = value(index(v));
            let err = (back as f64 - v as f64).abs() / (v.max(1) as f64);
            assert!(err < 0.02, "{v} -> {back}");
        }
        assert!(index(u64::MAX) < BUCKETS);
    }

    #[test]
    fn percentiles_of_a_uniform_run() {
        let h = Histogram::default();
        for us in 1..=10_000 {
            h.record_us(us);
        }
        let s = h.summary();
        assert!((s.p50_ms - 5.0).abs() < 0.1, "{s:?}");
        assert!((s.p99_ms - 9.9).abs() < 0.2, "{s:?}");
        assert_eq!(s.max_ms, 10.0);
    }
}
