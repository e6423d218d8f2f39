//! Token buckets keyed by who asks: the one rate rule behind the
//! per-workstation limits (`http/rate.rs`) and the per-person limit of the
//! consulta individual (`desk/answer.rs`).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;

use crate::access::limits::Rate;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// One bucket per key, full at first sight, refilled continuously.
#[derive(Debug)]
pub struct Buckets<K> {
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Eq + Hash> Default for Buckets<K> {
    fn default() -> Self {
        Buckets {
            buckets: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash> Buckets<K> {
    /// Spends one of `key`'s tokens under `rate`; `Err(seconds)` says when
    /// the next one is there (at least 1, for a `Retry-After`).
    pub fn take(&self, key: K, rate: Rate, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(rate.burst.max(1));
        let per_second = f64::from(rate.per_minute.max(1)) / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_burst_then_the_refill_rate_per_key() {
        let buckets = Buckets::default();
        let rate = Rate {
            per_minute: 60,
            burst: 2,
        };
        let t = Instant::now();
        assert_eq!(buckets.take("a", rate, t), Ok(()));
        assert_eq!(buckets.take("a", rate, t), Ok(()));
        assert_eq!(buckets.take("a", rate, t), Err(1));
        // Another key has its own bucket.
        assert_eq!(buckets.take("b", rate, t), Ok(()));
        // One token a second comes back; never more than the burst.
        assert_eq!(buckets.take("a", rate, t + Duration::from_secs(1)), Ok(()));
        let later = t + Duration::from_secs(3600);
        assert_eq!(buckets.take("a", rate, later), Ok(()));
        assert_eq!(buckets.take("a", rate, later), Ok(()));
        assert!(buckets.take("a", rate, later).is_err());
    }
}
