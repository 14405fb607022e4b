//! Demo price model: a price family (one physical location or instrument) has a base price, a
//! delivery-month seasonality and a carry; its forward curve moves from one as-of date to the
//! next by a mean-reverting random walk of level and front-end tilt. Blocks and markets are
//! fixed offsets of the family's fair value, so `ON_PEAK` > `ATC` > `OFF_PEAK` always holds.
//!
//! Only IEEE-exact arithmetic is used (no `exp`, `ln`, `powf`, trigonometry) and all randomness
//! comes from `ChaCha8Rng` streams keyed by the seed and indices, so the output is the same on
//! every platform.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::calendar::MONTHLY_TENORS;

/// Delivery-month shape, January first.
pub(super) type Season = [f64; 12];

pub(super) const FLAT: Season = [1.0; 12];
/// Summer-peaking power (PJM, MISO, SPP, NYISO).
pub(super) const POWER_SUMMER: Season = [
    1.20, 1.12, 0.92, 0.82, 0.85, 1.05, 1.35, 1.32, 0.95, 0.85, 0.92, 1.10,
];
pub(super) const POWER_ERCOT: Season = [
    1.00, 0.98, 0.85, 0.82, 0.90, 1.15, 1.55, 1.85, 1.15, 0.90, 0.85, 0.95,
];
/// Gas-constrained winter peak.
pub(super) const POWER_ISONE: Season = [
    1.75, 1.55, 1.05, 0.80, 0.75, 0.85, 1.10, 1.08, 0.82, 0.80, 0.98, 1.40,
];
/// Solar-heavy spring trough, late-summer peak.
pub(super) const POWER_CAISO: Season = [
    1.05, 1.00, 0.80, 0.70, 0.72, 0.90, 1.25, 1.35, 1.25, 1.00, 1.00, 1.08,
];
pub(super) const POWER_AESO: Season = [
    1.10, 1.05, 0.95, 0.90, 0.92, 1.00, 1.10, 1.10, 0.95, 0.92, 1.00, 1.08,
];
/// Henry Hub-like winter premium.
pub(super) const GAS_US: Season = [
    1.18, 1.12, 1.00, 0.93, 0.92, 0.94, 0.97, 0.98, 0.96, 0.97, 1.05, 1.13,
];
/// Pipeline-constrained north-east citygates: very strong winter basis.
pub(super) const GAS_NORTHEAST: Season = [
    3.20, 2.60, 1.30, 0.85, 0.75, 0.80, 0.95, 0.95, 0.75, 0.80, 1.35, 2.50,
];
pub(super) const GAS_MID_ATLANTIC: Season = [
    1.90, 1.60, 1.05, 0.88, 0.85, 0.90, 1.00, 1.00, 0.85, 0.88, 1.10, 1.60,
];
pub(super) const GAS_EUROPE: Season = [
    1.10, 1.08, 1.03, 0.97, 0.95, 0.95, 0.95, 0.96, 0.97, 0.99, 1.04, 1.08,
];

/// On-peak premium over ATC, as a fraction of the ATC fair value, by delivery month.
pub(super) const ON_STANDARD: Season = [
    0.22, 0.22, 0.20, 0.20, 0.22, 0.30, 0.38, 0.38, 0.28, 0.20, 0.20, 0.22,
];
pub(super) const ON_ERCOT: Season = [
    0.20, 0.20, 0.22, 0.25, 0.30, 0.40, 0.55, 0.65, 0.40, 0.25, 0.20, 0.20,
];
pub(super) const ON_CAISO: Season = [
    0.18, 0.18, 0.22, 0.28, 0.28, 0.30, 0.35, 0.38, 0.35, 0.25, 0.18, 0.18,
];
/// Off-peak discount under ATC, as a fraction of the ATC fair value, by delivery month.
pub(super) const OFF_STANDARD: Season = [
    0.22, 0.22, 0.24, 0.26, 0.26, 0.24, 0.28, 0.28, 0.25, 0.24, 0.22, 0.22,
];
/// Spring oversupply (wind) pushes April off-peak to about zero.
pub(super) const OFF_ERCOT: Season = [
    0.22, 0.25, 0.55, 0.99, 0.70, 0.30, 0.35, 0.40, 0.30, 0.28, 0.25, 0.22,
];
/// Spring oversupply (solar, hydro) makes April off-peak slightly negative, May about zero.
pub(super) const OFF_CAISO: Season = [
    0.22, 0.30, 0.70, 1.02, 0.97, 0.45, 0.30, 0.30, 0.30, 0.25, 0.22, 0.22,
];

/// Row-level noise, in units of the fair value (approximately normal, bounded at ±3 sd).
pub(super) const ROW_NOISE_SD: f64 = 0.002;
/// Extra noise of a real-time curve against its day-ahead twin.
pub(super) const RT_NOISE_SD: f64 = 0.012;
/// Average real-time premium over day-ahead.
pub(super) const RT_PREMIUM: f64 = 0.01;

/// How power blocks are shaped around the ATC fair value.
#[derive(Debug, Clone, Copy)]
pub(super) struct PeakShape {
    pub(super) on_premium: &'static Season,
    pub(super) off_discount: &'static Season,
}

/// One price family: a location or instrument whose curves share a fair value.
#[derive(Debug, Clone)]
pub(super) struct Family {
    pub(super) base: f64,
    pub(super) season: &'static Season,
    /// Forward carry per year of time to delivery (0.03 = back years 3 %/yr higher).
    pub(super) carry: f64,
    /// Daily standard deviation of the level walk, as a fraction of the price.
    pub(super) level_vol: f64,
    /// Daily standard deviation of the front-end tilt walk.
    pub(super) front_vol: f64,
    pub(super) peak: Option<PeakShape>,
}

/// The state of a family's walk on one as-of date (zero on the anchor date).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Walk {
    level: f64,
    front: f64,
}

impl Walk {
    /// Moves the walk one business day (further back in time) with `rng`.
    pub(super) fn step(&mut self, family: &Family, rng: &mut ChaCha8Rng) {
        self.level = 0.99 * self.level + family.level_vol * approx_normal(rng);
        self.front = 0.97 * self.front + family.front_vol * approx_normal(rng);
    }
}

/// `DECAY[t]` = 0.93^t: how much of the front-end tilt reaches tenor `t`.
const DECAY: [f64; MONTHLY_TENORS as usize] = {
    let mut table = [1.0; MONTHLY_TENORS as usize];
    let mut t = 1;
    while t < table.len() {
        table[t] = table[t - 1] * 0.93;
        t += 1;
    }
    table
};

impl Family {
    /// The ATC day-ahead fair value of tenor `t` (months from the first monthly tenor) whose
    /// delivery month is `month0` (0 = January).
    pub(super) fn fair(&self, walk: Walk, t: u32, month0: usize) -> f64 {
        let decay = DECAY.get(t as usize).copied().unwrap_or(0.0);
        let moved = (1.0 + walk.level + walk.front * decay).max(0.3);
        let carry = 1.0 + self.carry * f64::from(t) / 12.0;
        self.base * self.season[month0 % 12] * carry * moved
    }
}

/// Stream tags keep the walk and row streams of equal indices apart.
pub(super) const WALK_STREAM: u64 = 0x5741_4c4b;
pub(super) const CURVE_STREAM: u64 = 0x4355_5256;

/// An independent generator for (`tag`, `a`, `b`) under `seed`.
pub(super) fn stream(seed: u64, tag: u64, a: u64, b: u64) -> ChaCha8Rng {
    let mixed = splitmix(splitmix(splitmix(seed ^ tag) ^ a) ^ b);
    ChaCha8Rng::seed_from_u64(mixed)
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Uniform in [0, 1).
pub(super) fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    f64::from(rng.next_u32()) / 4_294_967_296.0
}

/// Approximately standard normal (sum of three uniforms), bounded to [-3, 3).
pub(super) fn approx_normal(rng: &mut ChaCha8Rng) -> f64 {
    (uniform(rng) + uniform(rng) + uniform(rng) - 1.5) * 2.0
}

/// FNV-1a, for stable per-name variation.
pub(super) fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family() -> Family {
        Family {
            base: 50.0,
            season: &POWER_SUMMER,
            carry: 0.02,
            level_vol: 0.012,
            front_vol: 0.008,
            peak: None,
        }
    }

    #[test]
    fn streams_are_deterministic_and_distinct() {
        let a = stream(42, CURVE_STREAM, 1, 2).next_u64();
        assert_eq!(a, stream(42, CURVE_STREAM, 1, 2).next_u64());
        assert_ne!(a, stream(42, CURVE_STREAM, 2, 1).next_u64());
        assert_ne!(a, stream(43, CURVE_STREAM, 1, 2).next_u64());
        assert_ne!(a, stream(42, WALK_STREAM, 1, 2).next_u64());
    }

    #[test]
    fn approx_normal_is_bounded_and_centred() {
        let mut rng = stream(7, CURVE_STREAM, 0, 0);
        let draws: Vec<f64> = (0..20_000).map(|_| approx_normal(&mut rng)).collect();
        assert!(draws.iter().all(|x| (-3.0..3.0).contains(x)));
        let mean = draws.iter().sum::<f64>() / 20_000.0;
        let var = draws.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 20_000.0;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }

    #[test]
    fn fair_value_follows_season_and_carry() {
        let f = family();
        let walk = Walk::default();
        assert!(f.fair(walk, 7, 6) > f.fair(walk, 7, 3), "July above April");
        assert!(
            f.fair(walk, 24, 6) > f.fair(walk, 12, 6),
            "carry lifts later years"
        );
        assert!((f.fair(walk, 0, 0) - 60.0).abs() < 1e-9);
    }

    #[test]
    fn walk_reverts_and_stays_moderate() {
        let f = family();
        let mut walk = Walk::default();
        let mut rng = stream(1, WALK_STREAM, 0, 0);
        for _ in 0..2_000 {
            walk.step(&f, &mut rng);
            assert!(walk.level.abs() < 0.5);
        }
    }
}
