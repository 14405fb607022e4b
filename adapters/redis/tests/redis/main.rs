//! The one integration-test binary of the Redis adapter (link time matters on 2 cores): each
//! module is a concern, `support` gives each store its own random key prefix.

mod cache;
mod errors;
mod rate_limit;
mod support;
