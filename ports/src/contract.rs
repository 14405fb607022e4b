//! Executable contracts: one async suite per driven port that every adapter runs against
//! itself, so each backend answers the same queries the same way.

pub mod curve_store;
