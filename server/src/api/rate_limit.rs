//! Per-key rate limits for the provisioning APIs: a token bucket per API key that holds a minute's
//! allowance and refills continuously, so that a sync may burst and then keeps a steady pace. A
//! call over the limit is answered 429 with `Retry-After`, the whole seconds until one is allowed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// How many calls each key may make per minute.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<i64, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter { per_minute: per_minute.max(1), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one call from `key`'s allowance, or says in how many seconds the next is allowed.
    pub fn take(&self, key: i64) -> Result<(), u64> {
        self.take_at(key, Instant::now())
    }

    fn take_at(&self, key: i64, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        // A poisoned lock only means another call panicked mid-update; the counts are still usable.
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = buckets.entry(key).or_insert(Bucket { tokens: capacity, at: now });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - bucket.tokens) / per_second).ceil();
            Err(if wait >= 1.0 { wait as u64 } else { 1 })
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_key_may_spend_its_minute_at_once_then_waits_for_the_refill() {
        let limiter = RateLimiter::new(60);
        let start = Instant::now();
        for _ in 0..60 {
            assert_eq!(limiter.take_at(7, start), Ok(()));
        }
        assert_eq!(limiter.take_at(7, start), Err(1));
        assert_eq!(limiter.take_at(7, start + Duration::from_millis(1_000)), Ok(()));
        assert_eq!(limiter.take_at(7, start + Duration::from_millis(1_000)), Err(1));
    }

    #[test]
    fn keys_do_not_share_an_allowance() {
        let limiter = RateLimiter::new(2);
        let now = Instant::now();
        assert_eq!((limiter.take_at(1, now), limiter.take_at(1, now)), (Ok(()), Ok(())));
        assert_eq!(limiter.take_at(1, now), Err(30));
        assert_eq!(limiter.take_at(2, now), Ok(()));
    }
}
