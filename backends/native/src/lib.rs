//! The native entiflow engine: deterministic, serializable transactions in process, with optional
//! durability (input log with group commit, snapshots, deterministic replay).

mod durable;
mod engine;

pub use durable::{DurabilityConfig, DurableEngine, LogSyncer};
pub use engine::{Dedup, Engine, EngineConfig, Record, Stats, Store, MAX_CALL_DEPTH};
