//! The message-driven protocol that runs entiflow transactions on a partitioned dataflow engine
//! (Kafka, Flink): entity state is split into partitions by key, every partition is a
//! deterministic state machine ([`Partition`]) that consumes one ordered stream of
//! [`Envelope`]s and emits messages for other partitions and results for clients.
//!
//! Transactions are serializable by strict two-phase locking per entity, free of deadlock by
//! wound-wait on transaction ids, and given their `seq` by partition 0 while they still hold
//! every lock (see ARCHITECTURE.md for the argument). Every message carries its channel and a
//! number on it, and receivers drop what they have already seen, so a transport may deliver a
//! message more than once.
//!
//! Nothing here knows a transport: the backend feeds envelopes in, ships [`Output`]s out, and
//! makes both atomic with the consumed input.

mod message;
mod partition;
mod route;

pub use message::{
    Answer, Attempt, Channel, Envelope, Message, ReplyTo, TxnId, WireOp, WireOutcome,
};
pub use partition::{Output, Partition, PartitionConfig, PartitionStats};
pub use route::{owner, partition_of, route, Routed};
