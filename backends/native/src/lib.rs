//! The native entiflow engine: deterministic, serializable transactions in process, with optional
//! durability (input log with group commit, snapshots, deterministic replay).
//!
//! The crate also builds as a backend plugin (`cdylib`): see [`plugin`].

mod durable;
mod engine;
mod parallel;
pub mod plugin;

pub use durable::{DurabilityConfig, DurableEngine, LogSyncer};
pub use engine::{Engine, EngineConfig, Executor, Exported, ExportedRecord, Record, Stats, Store};
pub use parallel::{partition_of, ParallelEngine};
pub use runtime_common::calls::MAX_CALL_DEPTH;
pub use runtime_common::dedup::Dedup;
