//! The front door: sends each invocation, keyed by a correlation id, straight to the internal
//! partition that owns its entity (as a numbered message of this door's channel there) or to
//! that partition's ingress topic partition, and collects the results from the egress topic.
//! Dump requests go through the ingress topic.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use entiflow_protocol::owner;
use ir::Program;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Message as _, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use runtime_common::contract::Invalid;
use runtime_common::plugin::PluginError;
use runtime_common::{ErrorReport, Interpreter, Invocation, InvocationResult};
use serde_json::Value as Json;

use crate::admin::{client_config, UserSettings};
use crate::config::{KafkaConfig, FETCH_WAIT_MAX_MS};
use crate::records::CONTROL_HEADER;

fn kafka_error(what: &str, e: impl std::fmt::Display) -> PluginError {
    PluginError::new("Kafka", format!("{what}: {e}"))
}

/// A client of the application: invocations in, results out.
pub struct FrontDoor {
    config: KafkaConfig,
    /// The application (to send each invocation to the ingress partition of the state partition
    /// that runs it, saving a hop).
    program: Arc<Program>,
    producer: BaseProducer,
    results: BaseConsumer,
    client: String,
    counter: u64,
    /// Whether invocations go straight to their partition (else through the ingress topic).
    direct: bool,
    /// This door's channel id: unique per connection (the partitions number its messages).
    door: u64,
    /// The next message number of this door's channel to each partition.
    door_next: Vec<u64>,
    /// The egress offset after the last record read.
    read_to: i64,
}

/// How long `collect` waits without progress before it reads the egress topic again from where
/// the batch started: some brokers (tansu) occasionally let a consumer at the tail of the log
/// step over a record, which a second read returns.
const RESCAN_AFTER: Duration = Duration::from_secs(2);

/// How long without any result before the invocations still unanswered are sent again (then
/// twice as long each time). A record can be lost on the way (a consumer that steps over it);
/// every invocation has an id, by which partitions recognise a repeat and never run it twice
/// (it joins the running transaction, or gets the recorded result).
const RESEND_AFTER: Duration = Duration::from_secs(5);

/// An invocation (or dump request) waiting for its result.
struct Pending {
    /// Its place in the batch.
    index: usize,
    /// What was sent, to send again: an invocation (contract JSON) sent straight to its
    /// partition, or the payload of an ingress record.
    payload: Sent,
    /// The ingress partition it went to.
    partition: i32,
    /// Its control header.
    control: Option<&'static str>,
}

/// What a pending entry sent.
enum Sent {
    /// An invocation, to its owner's internal partition.
    Direct(Json),
    /// An ingress record's payload.
    Ingress(Vec<u8>),
}

/// A door id no other connection has: the time, the process and a per-process count, mixed.
fn new_door_id() -> u64 {
    static CONNECTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let n = CONNECTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // splitmix64 of the three.
    let mut z =
        nanos ^ (u64::from(std::process::id()) << 40) ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The producer of a door's records: idempotent and gapless, so a record of a door's channel
/// is never lost while a later one is written (that would leave a partition waiting for it);
/// a failure that could do so is fatal to the producer instead, and the door reconnects under a
/// new id.
fn door_producer(config: &KafkaConfig) -> Result<BaseProducer, PluginError> {
    client_config(config)
        .set("enable.idempotence", "true")
        .set("enable.gapless.guarantee", "true")
        .set("linger.ms", "0")
        // One record per batch: a broker that misreports the last offset of a multi-record
        // batch (tansu's memory engine) would make a consumer that starts inside one stall.
        .set("batch.num.messages", "1")
        .user_settings(config)
        .create()
        .map_err(|e| kafka_error("cannot create the producer", e))
}

impl FrontDoor {
    /// Connects, and starts reading the egress topic at its end. With `direct`, invocations go
    /// straight to their owner's internal partition on this door's channel; otherwise to the
    /// owner's ingress partition, which the engine forwards (one hop more).
    pub fn connect(
        config: &KafkaConfig,
        program: Arc<Program>,
        direct: bool,
    ) -> Result<FrontDoor, PluginError> {
        let producer = door_producer(config)?;
        let results: BaseConsumer = client_config(config)
            .set("group.id", format!("{}.front-doors", config.group_id()))
            .set("enable.auto.commit", "false")
            .set("isolation.level", "read_uncommitted")
            .set("fetch.wait.max.ms", FETCH_WAIT_MAX_MS)
            .user_settings(config)
            .create()
            .map_err(|e| kafka_error("cannot create the consumer", e))?;
        let (_, high) = results
            .fetch_watermarks(&config.topics.egress, 0, Duration::from_secs(10))
            .map_err(|e| kafka_error("cannot read the egress topic's end", e))?;
        let mut assignment = TopicPartitionList::new();
        assignment
            .add_partition_offset(&config.topics.egress, 0, Offset::Offset(high.max(0)))
            .map_err(|e| kafka_error("cannot assign the egress topic", e))?;
        results
            .assign(&assignment)
            .map_err(|e| kafka_error("cannot assign the egress topic", e))?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ok(FrontDoor {
            config: config.clone(),
            program,
            producer,
            results,
            client: format!("{}-{nanos}", std::process::id()),
            counter: 0,
            direct,
            door: new_door_id(),
            door_next: vec![0; config.partitions.max(1) as usize],
            read_to: high.max(0),
        })
    }

    fn next_key(&mut self) -> String {
        self.counter += 1;
        format!("{}:{}", self.client, self.counter)
    }

    /// Sends what a pending entry holds (again): an invocation as the next message of this
    /// door's channel to its partition, or an ingress record.
    fn send(
        &mut self,
        key: &str,
        sent: &Sent,
        control: Option<&str>,
        partition: i32,
    ) -> Result<(), PluginError> {
        if let Some((_, reason)) = self.producer.client().fatal_error() {
            // Records of the old door may be missing: go on as a new door (its channels start
            // afresh; repeats of invocations are recognised by their ids).
            eprintln!("entiflow kafka front door: the producer failed ({reason}); reconnecting");
            crate::admin::drain(&self.producer).ok();
            self.producer = door_producer(&self.config)?;
            self.door = new_door_id();
            self.door_next.iter_mut().for_each(|n| *n = 0);
        }
        let direct;
        let (topic, payload, record_key) = match sent {
            Sent::Direct(invocation) => {
                let n = self.door_next[partition as usize];
                direct = crate::records::door_record(
                    &self.config.topics,
                    partition as u32,
                    self.door,
                    n,
                    &self.config.topics.egress,
                    key,
                    invocation.clone(),
                )
                .map_err(|e| kafka_error("cannot encode an invocation", e))?;
                (
                    &self.config.topics.internal,
                    direct.payload.as_slice(),
                    None,
                )
            }
            Sent::Ingress(payload) => (&self.config.topics.ingress, payload.as_slice(), Some(key)),
        };
        let mut record = BaseRecord::<str, [u8]>::to(topic)
            .partition(partition)
            .payload(payload);
        if let Some(k) = record_key {
            record = record.key(k);
        }
        if let Some(c) = control {
            record = record.headers(OwnedHeaders::new().insert(Header {
                key: CONTROL_HEADER,
                value: Some(c),
            }));
        }
        loop {
            match self.producer.send(record) {
                Ok(()) => {
                    // Numbered only once queued: a record that was never sent leaves no gap.
                    if matches!(sent, Sent::Direct(_)) {
                        self.door_next[partition as usize] += 1;
                    }
                    return Ok(());
                }
                Err((
                    rdkafka::error::KafkaError::MessageProduction(
                        rdkafka::types::RDKafkaErrorCode::QueueFull,
                    ),
                    r,
                )) => {
                    record = r;
                    self.producer.poll(Duration::from_millis(5));
                }
                Err((e, _)) => return Err(kafka_error("cannot send an invocation", e)),
            }
        }
    }

    /// Waits until every key in `pending` has a record on the egress topic; `accept` takes each
    /// record and says whether it completes its key.
    fn collect(
        &mut self,
        pending: &mut HashMap<String, Pending>,
        mut accept: impl FnMut(usize, &[u8]) -> bool,
    ) -> Result<(), PluginError> {
        crate::admin::drain(&self.producer)
            .map_err(|e| kafka_error("cannot send invocations", e))?;
        let deadline = Instant::now() + self.config.timeout;
        let batch_start = self.read_to;
        let mut progress = Instant::now();
        let mut rescanned = Instant::now();
        let mut resend_after = RESEND_AFTER;
        while !pending.is_empty() {
            if Instant::now() > deadline {
                return Err(PluginError::new(
                    "Timeout",
                    format!(
                        "{} results missing after {:?}: are workers running for {}?",
                        pending.len(),
                        self.config.timeout,
                        self.config.topics.internal
                    ),
                ));
            }
            if progress.elapsed() > resend_after {
                progress = Instant::now();
                resend_after *= 2;
                let mut again: Vec<(usize, String, i32, Option<&'static str>)> = pending
                    .iter()
                    .map(|(k, p)| (p.index, k.clone(), p.partition, p.control))
                    .collect();
                // In batch order: a door's channel numbers its messages as they are sent.
                again.sort_by_key(|(index, ..)| *index);
                eprintln!(
                    "entiflow kafka front door: no result for {:?}; sending the {} unanswered again",
                    resend_after / 2,
                    again.len()
                );
                for (_, key, partition, control) in again {
                    let sent = match &pending[&key].payload {
                        Sent::Direct(j) => Sent::Direct(j.clone()),
                        Sent::Ingress(b) => Sent::Ingress(b.clone()),
                    };
                    self.send(&key, &sent, control, partition)?;
                }
                crate::admin::drain(&self.producer)
                    .map_err(|e| kafka_error("cannot send invocations", e))?;
            }
            if progress.elapsed().min(rescanned.elapsed()) > RESCAN_AFTER {
                rescanned = Instant::now();
                self.results
                    .seek(
                        &self.config.topics.egress,
                        0,
                        Offset::Offset(batch_start),
                        Duration::from_secs(10),
                    )
                    .map_err(|e| kafka_error("cannot reread the egress topic", e))?;
            }
            let Some(message) = self.results.poll(Duration::from_millis(100)) else {
                continue;
            };
            let message = message.map_err(|e| kafka_error("cannot read results", e))?;
            self.read_to = self.read_to.max(message.offset() + 1);
            let Some(key) = message.key().and_then(|k| std::str::from_utf8(k).ok()) else {
                continue;
            };
            if let Some(index) = pending.get(key).map(|p| p.index) {
                if accept(index, message.payload().unwrap_or_default()) {
                    pending.remove(key);
                }
                progress = Instant::now();
            }
        }
        Ok(())
    }

    /// Sends a batch and returns one result per entry, in order. Invalid entries are answered
    /// here and never sent.
    pub fn invoke(
        &mut self,
        batch: Vec<Result<Invocation, Invalid>>,
    ) -> Result<Vec<InvocationResult>, PluginError> {
        let program = self.program.clone();
        let interp = Interpreter::new(&program);
        interp.set_step_limit(self.config.max_steps);
        let mut results: Vec<Option<InvocationResult>> = Vec::with_capacity(batch.len());
        let mut pending = HashMap::new();
        for (index, item) in batch.into_iter().enumerate() {
            match item {
                Ok(invocation) => {
                    let key = self.next_key();
                    let json = invocation.to_json();
                    let partition =
                        owner(&interp, &json, self.config.partitions).unwrap_or(0) as i32;
                    let payload = if self.direct {
                        Sent::Direct(json)
                    } else {
                        Sent::Ingress(
                            serde_json::to_vec(&json)
                                .map_err(|e| kafka_error("cannot encode an invocation", e))?,
                        )
                    };
                    self.send(&key, &payload, None, partition)?;
                    pending.insert(
                        key,
                        Pending {
                            index,
                            payload,
                            partition,
                            control: None,
                        },
                    );
                    results.push(None);
                }
                Err((id, message)) => results.push(Some(InvocationResult {
                    id,
                    seq: None,
                    outcome: Err(ErrorReport::new("InvalidRequest", message)),
                })),
            }
        }
        self.collect(&mut pending, |index, payload| {
            let parsed = runtime_common::contract::from_slice_unbounded::<Json>(payload)
                .ok()
                .and_then(|j| InvocationResult::from_json(&j));
            match parsed {
                Some(r) => {
                    results[index] = Some(r);
                    true
                }
                None => false,
            }
        })?;
        Ok(results.into_iter().map(|r| r.expect("collected")).collect())
    }

    /// The state of every partition, merged into the contract's dump form.
    pub fn dump_state(&mut self, entity_names: &[String]) -> Result<Json, PluginError> {
        let key = self.next_key();
        self.send(&key, &Sent::Ingress(b"{}".to_vec()), Some("dump"), 0)?;
        let mut merged: serde_json::Map<String, Json> = entity_names
            .iter()
            .map(|n| (n.clone(), Json::Object(Default::default())))
            .collect();
        let mut seen = vec![false; self.config.partitions as usize];
        let mut pending = HashMap::from([(
            key,
            Pending {
                index: 0,
                payload: Sent::Ingress(b"{}".to_vec()),
                partition: 0,
                control: Some("dump"),
            },
        )]);
        self.collect(&mut pending, |_, payload| {
            let Ok(part) = runtime_common::contract::from_slice_unbounded::<Json>(payload) else {
                return false;
            };
            let (Some(p), Some(Json::Object(state))) = (
                part["dump"]["partition"].as_u64(),
                part["dump"].get("state").cloned(),
            ) else {
                return false;
            };
            if let Some(slot) = seen.get_mut(p as usize) {
                if !*slot {
                    *slot = true;
                    for (entity, records) in state {
                        if let (Some(Json::Object(into)), Json::Object(records)) =
                            (merged.get_mut(&entity), records)
                        {
                            into.extend(records);
                        }
                    }
                }
            }
            seen.iter().all(|s| *s)
        })?;
        Ok(Json::Object(merged))
    }
}
