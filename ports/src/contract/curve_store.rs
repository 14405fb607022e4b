//! Contract suite for `CurveStore` (to be written).
