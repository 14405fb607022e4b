#![doc = include_str!("../README.md")]

mod curve_store;

pub use curve_store::MemoryCurveStore;
