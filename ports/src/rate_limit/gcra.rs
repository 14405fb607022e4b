//! The generic cell rate algorithm as one pure step: the TAT before, the time, the parameters
//! and the cost in; the decision and the TAT to store out. Every [`super::RateLimitStore`]
//! applies exactly this function, so stores agree decision for decision.

/// GCRA parameters in microseconds: emission interval `T` and delay-variation tolerance
/// `τ = burst × T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GcraParams {
    emission_interval_us: i64,
    tolerance_us: i64,
}

impl GcraParams {
    /// Parameters for one request per `emission_interval_us` (clamped to at least 1 µs) with
    /// `burst` requests of tolerance.
    pub fn new(emission_interval_us: i64, burst: u32) -> Self {
        let emission_interval_us = emission_interval_us.max(1);
        Self {
            emission_interval_us,
            tolerance_us: emission_interval_us.saturating_mul(i64::from(burst)),
        }
    }

    /// `T`, in µs.
    pub fn emission_interval_us(self) -> i64 {
        self.emission_interval_us
    }

    /// `τ`, in µs.
    pub fn tolerance_us(self) -> i64 {
        self.tolerance_us
    }

    /// How far the TAT may run ahead of the clock after an admission: `τ + T`.
    fn horizon_us(self) -> i64 {
        self.tolerance_us.saturating_add(self.emission_interval_us)
    }
}

/// The result of one [`gcra_step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GcraOutcome {
    /// Whether the request is admitted.
    pub allowed: bool,
    /// The TAT to store: `Some` exactly when an admission with a cost above 0 moved it.
    pub new_tat_us: Option<i64>,
    /// Cost-1 requests that would be admitted right after this one, at the same instant.
    pub remaining: u32,
    /// Until the key is idle again (its TAT is reached), in µs; never negative.
    pub reset_after_us: i64,
    /// When refused: the exact wait after which the same request is admitted (retrying 1 µs
    /// earlier is refused). `None` when admitted, or when `cost > burst + 1`, which no wait
    /// can admit.
    pub retry_after_us: Option<i64>,
}

/// One GCRA decision ("virtual scheduling" form, with costs).
///
/// With `T` the emission interval, `τ` the tolerance, `TAT₀ = max(tat, now)` (an absent TAT
/// counts as `now`) and `TAT' = TAT₀ + cost × T`:
/// - admit iff `TAT' − now ≤ τ + T` (for cost 1 this is the textbook `TAT₀ − now ≤ τ`), and
///   then store `TAT'`; a refusal stores nothing;
/// - `retry_after = TAT' − (τ + T) − now` when refused;
/// - `remaining = ⌊(τ + T − (TAT − now)) / T⌋` for the TAT after the decision;
/// - `reset_after = TAT − now` for the TAT after the decision.
///
/// An idle key admits `burst + 1` requests at once, and any half-open interval of length
/// `quota × T` admits requests whose costs sum to at most `quota + burst`: the `m`-th
/// admission of the interval needs `TAT₀ ≥ start + (m − 1) T` to be within `τ` of a time
/// before `start + quota × T`. All arithmetic saturates, so no input panics.
pub fn gcra_step(tat_us: Option<i64>, now_us: i64, params: GcraParams, cost: u32) -> GcraOutcome {
    let interval = params.emission_interval_us;
    let horizon = params.horizon_us();
    let base = tat_us.map_or(now_us, |tat| tat.max(now_us));
    let increment = interval.saturating_mul(i64::from(cost));
    let new_tat = base.saturating_add(increment);
    let ahead = new_tat.saturating_sub(now_us);
    if ahead <= horizon {
        GcraOutcome {
            allowed: true,
            new_tat_us: (cost > 0).then_some(new_tat),
            remaining: remaining(horizon, ahead, interval),
            reset_after_us: ahead,
            retry_after_us: None,
        }
    } else {
        let ahead_before = base.saturating_sub(now_us);
        GcraOutcome {
            allowed: false,
            new_tat_us: None,
            remaining: remaining(horizon, ahead_before, interval),
            reset_after_us: ahead_before,
            retry_after_us: (increment <= horizon).then(|| ahead.saturating_sub(horizon)),
        }
    }
}

fn remaining(horizon: i64, ahead: i64, interval: i64) -> u32 {
    let slots = horizon.saturating_sub(ahead).max(0) / interval;
    u32::try_from(slots).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const SECOND: i64 = 1_000_000;
    const NOW: i64 = 1_800_000_000 * SECOND;

    #[test]
    fn an_idle_key_admits_burst_plus_one_at_once() {
        let params = GcraParams::new(SECOND, 2);
        let mut tat = None;
        for expected_remaining in [2, 1, 0] {
            let out = gcra_step(tat, NOW, params, 1);
            assert!(out.allowed);
            assert_eq!(out.remaining, expected_remaining);
            tat = out.new_tat_us;
        }
        let refused = gcra_step(tat, NOW, params, 1);
        assert!(!refused.allowed);
        assert_eq!(refused.new_tat_us, None);
        assert_eq!(refused.retry_after_us, Some(SECOND));
        assert_eq!(refused.reset_after_us, 3 * SECOND);
        assert!(gcra_step(tat, NOW + SECOND, params, 1).allowed);
    }

    #[test]
    fn a_cost_above_the_capacity_has_no_retry_after() {
        let params = GcraParams::new(SECOND, 2);
        let out = gcra_step(None, NOW, params, 4);
        assert!(!out.allowed);
        assert_eq!(out.retry_after_us, None);
        assert_eq!(out.remaining, 3);
        assert!(gcra_step(None, NOW, params, 3).allowed);
    }

    #[test]
    fn cost_zero_peeks_without_moving_the_tat() {
        let params = GcraParams::new(SECOND, 1);
        let out = gcra_step(Some(NOW + SECOND), NOW, params, 0);
        assert!(out.allowed);
        assert_eq!(out.new_tat_us, None);
        assert_eq!(out.remaining, 1);
        assert_eq!(out.reset_after_us, SECOND);
    }

    #[test]
    fn extreme_inputs_saturate_instead_of_panicking() {
        let params = GcraParams::new(i64::MAX, u32::MAX);
        let out = gcra_step(Some(i64::MAX), i64::MIN, params, u32::MAX);
        assert!(!out.allowed || out.new_tat_us.is_some());
        let out = gcra_step(Some(i64::MIN), i64::MAX, GcraParams::new(0, 0), u32::MAX);
        assert!(out.reset_after_us >= 0);
    }

    /// A policy and a run of requests: gaps (µs) and costs.
    fn scenario() -> impl Strategy<Value = (u32, i64, u32, Vec<(i64, u32)>)> {
        (1_u32..20, 1_i64..4, 0_u32..8).prop_flat_map(|(quota, window_s, burst)| {
            let interval = (window_s * SECOND + i64::from(quota) - 1) / i64::from(quota);
            let gaps = prop_oneof![Just(0_i64), 0..interval, 0..3 * interval];
            (
                Just(quota),
                Just(window_s * SECOND),
                Just(burst),
                proptest::collection::vec((gaps, 1_u32..4), 1..200),
            )
        })
    }

    fn params_for(quota: u32, window_us: i64, burst: u32) -> GcraParams {
        GcraParams::new((window_us + i64::from(quota) - 1) / i64::from(quota), burst)
    }

    proptest! {
        #[test]
        fn no_window_admits_more_than_quota_plus_burst(
            (quota, window_us, burst, requests) in scenario()
        ) {
            let params = params_for(quota, window_us, burst);
            let mut tat = None;
            let mut now = NOW;
            let mut admitted: Vec<(i64, u32)> = Vec::new();
            for (gap, cost) in requests {
                now += gap;
                let out = gcra_step(tat, now, params, cost);
                if out.allowed {
                    tat = out.new_tat_us.or(tat);
                    admitted.push((now, cost));
                }
            }
            for (i, &(start, _)) in admitted.iter().enumerate() {
                let in_window: u32 = admitted[i..]
                    .iter()
                    .take_while(|(t, _)| *t < start + window_us)
                    .map(|(_, c)| c)
                    .sum();
                prop_assert!(
                    in_window <= quota + burst,
                    "{in_window} admitted in [{start}, +{window_us})"
                );
            }
        }

        #[test]
        fn retry_after_is_exact(
            (quota, window_us, burst, requests) in scenario()
        ) {
            let params = params_for(quota, window_us, burst);
            let mut tat = None;
            let mut now = NOW;
            for (gap, cost) in requests {
                now += gap;
                let out = gcra_step(tat, now, params, cost);
                if out.allowed {
                    tat = out.new_tat_us.or(tat);
                } else if let Some(wait) = out.retry_after_us {
                    prop_assert!(wait > 0);
                    prop_assert!(gcra_step(tat, now + wait, params, cost).allowed);
                    prop_assert!(!gcra_step(tat, now + wait - 1, params, cost).allowed);
                } else {
                    prop_assert!(cost > burst + 1);
                }
            }
        }

        #[test]
        fn remaining_counts_the_requests_admitted_at_the_same_instant(
            (quota, window_us, burst, requests) in scenario()
        ) {
            let params = params_for(quota, window_us, burst);
            let mut tat = None;
            let mut now = NOW;
            for (gap, cost) in requests {
                now += gap;
                let out = gcra_step(tat, now, params, cost);
                if !out.allowed {
                    continue;
                }
                tat = out.new_tat_us.or(tat);
                prop_assert!(out.remaining <= burst);
                prop_assert!(out.remaining < quota + burst);
                let mut probe = tat;
                for _ in 0..out.remaining {
                    let next = gcra_step(probe, now, params, 1);
                    prop_assert!(next.allowed);
                    probe = next.new_tat_us;
                }
                prop_assert!(!gcra_step(probe, now, params, 1).allowed);
            }
        }
    }
}
