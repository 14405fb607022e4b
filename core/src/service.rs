//! Curve use cases (to be written).
