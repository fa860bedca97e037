//! Partition snapshots: a partition's [`Partition::checkpoint`] and the offset of its internal
//! topic partition it covers, kept in the compacted `.snapshots` topic (partition `p` of it holds
//! the snapshots of state partition `p`, keyed by `p`).
//!
//! A partition's state is a deterministic function of the prefix of its internal topic partition
//! it has processed, and that prefix never changes once written. So a snapshot is valid whoever
//! wrote it and whether or not its transaction committed (a fenced worker's snapshot equals the
//! one its successor would write). A worker restoring a partition uses the newest snapshot whose
//! offset is at most the bound it is given (the worker keeps the previous owner's last transaction out), then replays the records from there (silently
//! up to the committed offset, live after it), instead of replaying from the beginning.

use std::sync::Arc;
use std::time::{Duration, Instant};

use entiflow_protocol::Partition;
use ir::Program;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message as _;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::admin::{client_config, UserSettings};
use crate::config::KafkaConfig;
use crate::records::partition_config;

/// The version of the snapshot record format.
const SNAPSHOT_VERSION: u64 = 1;

/// How long a snapshot lookup may take before the partition is replayed from the beginning.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(30);

/// One snapshot record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    /// Format version ([`SNAPSHOT_VERSION`]).
    pub version: u64,
    /// The offset of the first internal record not covered (replay starts here).
    pub offset: i64,
    /// The partition's checkpoint after processing every record before `offset`.
    pub checkpoint: Json,
}

impl Snapshot {
    /// A snapshot of a partition that has processed its input up to (not including) `offset`.
    pub fn new(offset: i64, checkpoint: Json) -> Snapshot {
        Snapshot {
            version: SNAPSHOT_VERSION,
            offset,
            checkpoint,
        }
    }

    /// The record payload.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads a record payload; `None` for a record of another format or version.
    pub fn from_bytes(payload: &[u8]) -> Option<Snapshot> {
        runtime_common::contract::from_slice_unbounded::<Snapshot>(payload)
            .ok()
            .filter(|s| s.version == SNAPSHOT_VERSION && s.offset >= 0)
    }
}

/// The newest snapshot of state partition `partition` covering no record at or after
/// `at_most`, among those readable within [`LOOKUP_TIMEOUT`]; `accept` checks one (e.g. that it
/// restores with the running program) and the newest accepted one wins.
pub fn latest(
    config: &KafkaConfig,
    partition: i32,
    at_most: i64,
    accept: impl Fn(&Snapshot) -> bool,
) -> Result<Option<Snapshot>, String> {
    let topic = &config.topics.snapshots;
    let consumer: BaseConsumer = client_config(config)
        .set("group.id", format!("{}.snapshot-reader", config.group_id()))
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "true")
        .set("isolation.level", "read_uncommitted")
        .user_settings(config)
        .create()
        .map_err(|e| format!("cannot create a consumer: {e}"))?;
    let (low, high) = consumer
        .fetch_watermarks(topic, partition, Duration::from_secs(10))
        .map_err(|e| format!("cannot read the offsets of {topic}/{partition}: {e}"))?;
    let deadline = Instant::now() + LOOKUP_TIMEOUT;
    // Newest snapshots are at the end: read a growing tail until one qualifies.
    let mut span = 16;
    let mut end = high;
    while end > low {
        let start = (end - span).max(low);
        let mut best: Option<Snapshot> = None;
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, partition, Offset::Offset(start))
            .map_err(|e| e.to_string())?;
        consumer.assign(&tpl).map_err(|e| e.to_string())?;
        loop {
            if Instant::now() > deadline {
                return Err(format!("reading {topic}/{partition} timed out"));
            }
            match consumer.poll(Duration::from_millis(100)) {
                None => continue,
                Some(Err(KafkaError::PartitionEOF(_))) => break,
                Some(Err(e)) => return Err(format!("cannot read {topic}/{partition}: {e}")),
                Some(Ok(m)) => {
                    if m.offset() >= end {
                        break;
                    }
                    let Some(s) = m.payload().and_then(Snapshot::from_bytes) else {
                        continue;
                    };
                    if s.offset <= at_most
                        && best.as_ref().is_none_or(|b| s.offset >= b.offset)
                        && accept(&s)
                    {
                        best = Some(s);
                    }
                }
            }
        }
        if best.is_some() {
            return Ok(best);
        }
        end = start;
        span *= 4;
    }
    Ok(None)
}

/// Partition `partition` of `count` restored from `snapshot` with `program`.
pub fn restore(
    program: &Arc<Program>,
    config: &KafkaConfig,
    partition: i32,
    snapshot: &Snapshot,
) -> Result<Partition, String> {
    Partition::restore(
        program.clone(),
        partition as u32,
        config.partitions,
        partition_config(config.dedup_window),
        &snapshot.checkpoint,
    )
}
