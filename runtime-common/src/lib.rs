//! What every entiflow backend shares: run-time [`Value`]s with Python semantics, the IR
//! [`Interpreter`] (frames suspend at remote calls and resume with the reply), and the JSON
//! contract of invocations, results and state dumps.
//!
//! Apart from [`plugin`] (the plugin ABI, which hosts each plugin instance on a thread of its
//! own), this crate knows no engine: no threads, no I/O, no transport.

pub mod builtins;
pub mod calls;
pub mod contract;
pub mod dedup;
pub mod format;
pub mod interp;
pub mod journal;
pub mod ops;
pub mod plugin;
pub mod set_order;
pub mod unicode_digits;
mod unicode_tables;
pub mod unicode_text;
pub mod value;

pub use contract::{ErrorReport, Invocation, InvocationResult, Request};
pub use interp::{CallOp, Frame, Interpreter, Step};
pub use value::{EntityRef, Value};
