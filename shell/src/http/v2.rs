//! The canonical /v2 API.

pub mod admin;
pub mod curves;
pub mod metadata;
pub mod page;
pub mod scenarios;
pub mod traffic_admin;
