//! Curve domain logic: pure functions over the curve vocabulary of `aurum-ports`.
