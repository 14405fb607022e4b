#![doc = include_str!("../README.md")]

pub mod cache;
pub mod cursor;
pub mod curves;
pub mod demo;
pub mod ingest;
pub mod rate_limit;
pub mod reference;
pub mod scenarios;
pub mod service;
pub mod worker;
