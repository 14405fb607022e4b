//! Retry delays of scenario runs: exponential backoff with full jitter. The random number is
//! an argument, so the schedule is a pure function and the caller owns the randomness.

use std::time::Duration;

/// The delay before retry number `attempt` (0 for the first retry): a uniformly drawn point of
/// `[0, min(cap, base × 2^attempt)]` ("full jitter"), where `unit_random` is the draw from
/// `[0, 1]`. The result never exceeds `cap` and grows with `unit_random`.
///
/// `unit_random` outside `[0, 1]` is clamped; `NaN` counts as 0. An exponential term that
/// overflows is replaced by `cap`.
pub fn backoff_delay(attempt: u32, base: Duration, cap: Duration, unit_random: f64) -> Duration {
    let ceiling = 2_u32
        .checked_pow(attempt)
        .and_then(|factor| base.checked_mul(factor))
        .map_or(cap, |d| d.min(cap));
    let fraction = if unit_random.is_nan() {
        0.0
    } else {
        unit_random.clamp(0.0, 1.0)
    };
    // `as_secs_f64` can round up past `Duration::MAX`; then the ceiling itself is the answer.
    Duration::try_from_secs_f64(ceiling.as_secs_f64() * fraction)
        .map_or(ceiling, |d| d.min(ceiling))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const BASE: Duration = Duration::from_millis(500);
    const CAP: Duration = Duration::from_mins(5);

    #[test]
    fn the_ceiling_doubles_per_attempt_until_the_cap() {
        assert_eq!(backoff_delay(0, BASE, CAP, 1.0), Duration::from_millis(500));
        assert_eq!(backoff_delay(1, BASE, CAP, 1.0), Duration::from_secs(1));
        assert_eq!(backoff_delay(3, BASE, CAP, 1.0), Duration::from_secs(4));
        assert_eq!(backoff_delay(9, BASE, CAP, 1.0), Duration::from_secs(256));
        assert_eq!(backoff_delay(10, BASE, CAP, 1.0), CAP);
        assert_eq!(backoff_delay(u32::MAX, BASE, CAP, 1.0), CAP);
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        assert_eq!(backoff_delay(3, BASE, CAP, 0.0), Duration::ZERO);
        assert_eq!(backoff_delay(3, BASE, CAP, 0.25), Duration::from_secs(1));
        assert_eq!(backoff_delay(3, BASE, CAP, 0.5), Duration::from_secs(2));
    }

    #[test]
    fn out_of_range_random_numbers_are_clamped() {
        assert_eq!(backoff_delay(2, BASE, CAP, -3.0), Duration::ZERO);
        assert_eq!(backoff_delay(2, BASE, CAP, f64::NAN), Duration::ZERO);
        assert_eq!(backoff_delay(2, BASE, CAP, 7.0), Duration::from_secs(2));
        assert_eq!(
            backoff_delay(2, BASE, CAP, f64::INFINITY),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn a_cap_at_the_largest_duration_does_not_overflow() {
        assert_eq!(
            backoff_delay(200, Duration::MAX, Duration::MAX, 1.0),
            Duration::MAX
        );
    }

    proptest! {
        #[test]
        fn the_delay_never_exceeds_the_cap_or_the_exponential_ceiling(
            attempt in 0_u32..80,
            base_ms in 0_u64..10_000_000,
            cap_ms in 0_u64..100_000_000,
            r in 0.0_f64..=1.0,
        ) {
            let (base, cap) = (Duration::from_millis(base_ms), Duration::from_millis(cap_ms));
            let d = backoff_delay(attempt, base, cap, r);
            prop_assert!(d <= cap);
            if let Some(ceiling) = 2_u32.checked_pow(attempt).and_then(|f| base.checked_mul(f)) {
                prop_assert!(d <= ceiling);
            }
        }

        #[test]
        fn the_delay_is_monotone_in_the_random_input(
            attempt in 0_u32..40,
            base_ms in 0_u64..10_000_000,
            cap_ms in 0_u64..u64::MAX / 2,
            a in 0.0_f64..=1.0,
            b in 0.0_f64..=1.0,
        ) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let (base, cap) = (Duration::from_millis(base_ms), Duration::from_millis(cap_ms));
            let (d_lo, d_hi) =
                (backoff_delay(attempt, base, cap, lo), backoff_delay(attempt, base, cap, hi));
            prop_assert!(d_lo <= d_hi);
        }
    }
}
