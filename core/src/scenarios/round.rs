//! Rounding to 4 decimals, as the scenario engine reports every number.
//!
//! `round4(x)` is the 4-decimal number nearest to the *exact* binary value of `x`, ties (exact
//! binary values whose 5th decimal is a final 5, such as `63.65625`) rounded to even — exactly
//! Python's `round(x, 4)`, which the original worker used, so outputs match it digit for digit
//! (DOMAIN.md §2 asks for parity): `round4(63.65625) = 63.6562`, the default QUARTER weight's
//! value in the worked example. Near-ties are decided by the exact value, not its shortest
//! decimal spelling: `68.02125` is stored as `68.021249999…`, so it rounds to `68.0212`.

/// Beyond this magnitude `x × 10⁴` has no fractional bits left and `x` is returned unchanged.
const EXACT_LIMIT: f64 = 4_503_599_627_370_496.0; // 2^52

/// Rounds `x` to 4 decimals, ties to even, deciding on `x`'s exact binary value.
/// Non-finite values and magnitudes ≥ 2^52 / 10⁴ are returned unchanged.
pub fn round4(x: f64) -> f64 {
    let scaled = x * 10_000.0;
    if !scaled.is_finite() || scaled.abs() >= EXACT_LIMIT {
        return x;
    }
    // `scaled + error` is exactly x × 10⁴: the fused multiply-add computes the product's
    // rounding error without rounding it.
    let error = x.mul_add(10_000.0, -scaled);
    let floor = scaled.floor();
    // Below 2^52 both subtractions are exact, so the sign of `above_half` is the sign of
    // (exact fraction − 0.5).
    let above_half = (scaled - floor - 0.5) + error;
    let rounded = if above_half > 0.0 || (above_half == 0.0 && floor.rem_euclid(2.0) > 0.5) {
        floor + 1.0
    } else {
        floor
    };
    rounded / 10_000.0
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    #[expect(
        clippy::float_cmp,
        reason = "rounding must produce these exact doubles"
    )]
    fn round4_keeps_the_worked_example_values() {
        assert_eq!(round4(60.625), 60.625);
        assert_eq!(round4(60.625 * 1.1), 66.6875);
        assert_eq!(round4(60.625 * 1.2), 72.75);
    }

    #[test]
    #[expect(
        clippy::float_cmp,
        reason = "rounding must produce these exact doubles"
    )]
    fn round4_breaks_exact_ties_to_even_like_python() {
        // 63.65625 = 60.625 × 1.05 (the default QUARTER weight) is exact in binary; Python's
        // round(63.65625, 4) == 63.6562 and round(0.03125, 4) == 0.0312, round(0.03135, …) n/a.
        assert_eq!(60.625 * 1.05, 63.65625);
        assert_eq!(round4(63.65625), 63.6562);
        assert_eq!(round4(-63.65625), -63.6562);
        assert_eq!(round4(0.03125), 0.0312);
        assert_eq!(round4(-0.03125), -0.0312);
        assert_eq!(round4(0.09375), 0.0938);
        assert_eq!(round4(-0.09375), -0.0938);
    }

    #[test]
    #[expect(
        clippy::float_cmp,
        reason = "rounding must produce these exact doubles"
    )]
    fn round4_decides_near_ties_on_the_exact_binary_value() {
        // 68.02125 is stored as 68.0212499999999948…, 65.35375 as 65.3537500000000051…
        assert_eq!(round4(68.02125), 68.0212);
        assert_eq!(round4(65.35375), 65.3538);
        assert_eq!(round4(2.000_05), 2.0);
        assert_eq!(round4(1.000_05), 1.0001);
    }

    #[test]
    #[expect(
        clippy::float_cmp,
        reason = "rounding must produce these exact doubles"
    )]
    fn round4_leaves_huge_and_non_finite_values_alone() {
        assert_eq!(round4(1e300), 1e300);
        assert!(round4(f64::NAN).is_nan());
        assert_eq!(round4(f64::INFINITY), f64::INFINITY);
        assert_eq!(round4(0.0), 0.0);
        assert_eq!(round4(-0.000_04), 0.0);
    }

    proptest! {
        /// Rust's `{:.4}` formatting is exact with ties to even (Python's rule), so the two must
        /// agree everywhere, ties included.
        #[test]
        fn round4_agrees_with_exact_formatting(x in -1e9_f64..1e9) {
            let formatted: f64 = format!("{x:.4}").parse().unwrap();
            // `+ 0.0` turns -0.0 into 0.0: the sign of a zero is not part of the contract.
            prop_assert_eq!((round4(x) + 0.0).to_bits(), (formatted + 0.0).to_bits());
        }

        /// Odd multiples of 1/32 are exact binary ties at the 5th decimal (…125, …375, …).
        #[test]
        fn round4_breaks_generated_ties_like_exact_formatting(k in -1_000_000_i32..1_000_000) {
            let x = f64::from(2 * k + 1) / 32.0;
            let formatted: f64 = format!("{x:.4}").parse().unwrap();
            prop_assert_eq!((round4(x) + 0.0).to_bits(), (formatted + 0.0).to_bits());
        }

        #[test]
        fn round4_moves_a_value_by_at_most_half_a_unit_of_the_4th_decimal(x in -1e6_f64..1e6) {
            prop_assert!((round4(x) - x).abs() <= 0.000_050_000_001);
        }
    }
}
