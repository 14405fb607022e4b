//! Deterministic demo dataset (to be written).
