//! An entiflow application's Kafka topics, as every backend that moves the protocol's envelopes
//! through Kafka sees them: the settings ([`config`]), topic creation ([`admin`]), the client
//! side ([`front`]: invocations in, results out) and what a protocol step produces as records
//! ([`records`]). The Kafka backend's workers and the Flink backend's job both build on it.

pub mod admin;
pub mod config;
pub mod front;
pub mod records;
