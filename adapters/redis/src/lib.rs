#![doc = include_str!("../README.md")]

pub mod cache;
pub mod pool;
pub mod rate_limit;

pub use cache::RedisCache;
pub use pool::{ConnectionErrors, RedisPool};
pub use rate_limit::{DEFAULT_TIMEOUT, MAX_HORIZON_US, RedisRateLimitStore};
