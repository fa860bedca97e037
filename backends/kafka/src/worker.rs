//! A worker: one member of the application's consumer group. It forwards ingress records to the
//! partition of the entity they address, and runs the [`Partition`] state machine of every
//! internal partition assigned to it. Each step is consume → run → produce → commit offsets, all
//! inside one Kafka transaction.
//!
//! On assignment a partition's state is rebuilt by replaying its internal topic partition from
//! the beginning up to the group's committed offset, with outputs suppressed (they were committed
//! with those offsets); from there on it is live. Processing is a deterministic function of that
//! ordered input, so an attempt that was cut short produced either the same messages as the
//! attempt that later commits (receivers drop the repeats by channel position) or records past the
//! committed offset (replayed again, never twice applied). This holds on a broker that shows
//! aborted records to read_committed consumers as well as on one that hides them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use entiflow_protocol::{
    route, Channel, Envelope, Message, Output, Partition, PartitionConfig, Routed,
};
use ir::Program;
use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::message::{Headers, Message as _, OwnedMessage};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::types::RDKafkaRespErr;
use runtime_common::{ErrorReport, Interpreter, InvocationResult};
use serde_json::{json, Value as Json};

use crate::admin::{client_config, MAX_MESSAGE_BYTES};
use crate::config::KafkaConfig;

/// The header naming the topic a client wants its result on (default: the egress topic).
pub const REPLY_TOPIC_HEADER: &str = "entiflow-reply-topic";
/// The header marking a control record (`dump`: send the state of every partition).
pub const CONTROL_HEADER: &str = "entiflow-control";

const KAFKA_TIMEOUT: Duration = Duration::from_secs(30);

/// A running worker thread.
pub struct WorkerHandle {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl WorkerHandle {
    /// Asks the worker to commit what it has and leave the group, and waits for it.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts a worker thread. It reconnects (rejoining the group, rebuilding its partitions) after
/// any Kafka error, until stopped.
pub fn spawn_worker(program: Arc<Program>, config: KafkaConfig, index: usize) -> WorkerHandle {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name(format!("kafka-worker-{index}"))
        .spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match Worker::connect(&program, &config, index)
                    .and_then(|mut w| w.run(&program, &flag))
                {
                    Ok(()) => break,
                    Err(e) => {
                        eprintln!("entiflow kafka worker {index}: {e}; reconnecting");
                        std::thread::sleep(Duration::from_millis(500));
                    }
                }
            }
        })
        .expect("spawn worker thread");
    WorkerHandle {
        stop,
        thread: Some(thread),
    }
}

/// Waits until every record produced so far is acknowledged, serving delivery reports as they
/// come (a flush that sleeps between polls would add its sleep to every transaction).
pub fn drain(producer: &BaseProducer) -> Result<(), String> {
    let deadline = Instant::now() + KAFKA_TIMEOUT;
    while producer.in_flight_count() > 0 {
        if Instant::now() > deadline {
            return Err(format!(
                "{} records unacknowledged after {KAFKA_TIMEOUT:?}",
                producer.in_flight_count()
            ));
        }
        producer.poll(Duration::from_millis(1));
    }
    Ok(())
}

/// What a rebalance did, seen by the worker loop after `poll` returns.
enum Rebalanced {
    /// Internal partitions now assigned, with the group's committed offset of each.
    Assigned(Vec<(i32, i64)>),
    /// Everything was revoked.
    Revoked,
}

struct WorkerContext {
    internal_topic: String,
    events: Mutex<Vec<Rebalanced>>,
}

impl ClientContext for WorkerContext {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, log_message: &str) {
        if std::env::var_os("ENTIFLOW_KAFKA_DEBUG").is_some() {
            eprintln!("[librdkafka {level:?} {fac}] {log_message}");
        }
    }
}

impl ConsumerContext for WorkerContext {
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        if std::env::var_os("ENTIFLOW_KAFKA_TRACE").is_some() {
            eprintln!(
                "[worker] {:?} rebalance {err:?}: {tpl:?}",
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
            );
        }
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                let committed = consumer
                    .committed_offsets(tpl.clone(), KAFKA_TIMEOUT)
                    .unwrap_or_else(|_| tpl.clone());
                let mut assignment = TopicPartitionList::new();
                let mut internal = Vec::new();
                for e in committed.elements() {
                    let offset = match e.offset() {
                        Offset::Offset(o) if o > 0 => o,
                        _ => 0,
                    };
                    let start = if e.topic() == self.internal_topic {
                        internal.push((e.partition(), offset));
                        Offset::Beginning
                    } else if offset > 0 {
                        Offset::Offset(offset)
                    } else {
                        Offset::Beginning
                    };
                    let _ = assignment.add_partition_offset(e.topic(), e.partition(), start);
                }
                if let Err(e) = consumer.assign(&assignment) {
                    eprintln!("entiflow kafka worker: cannot take the assignment: {e}");
                }
                events.push(Rebalanced::Assigned(internal));
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                events.push(Rebalanced::Revoked);
                let _ = consumer.unassign();
            }
            other => {
                eprintln!("entiflow kafka worker: rebalance error {other:?}");
                events.push(Rebalanced::Revoked);
                let _ = consumer.unassign();
            }
        }
    }
}

/// One internal partition's state machine and where its live input starts.
struct Task {
    partition: Partition,
    /// Input before this offset was processed and committed before: replay it silently.
    live_from: i64,
}

/// The Kafka transaction being filled.
struct OpenTxn {
    started: Instant,
    records: usize,
    /// Next offset to consume per (topic, partition).
    offsets: BTreeMap<(String, i32), i64>,
}

struct Worker {
    config: KafkaConfig,
    consumer: BaseConsumer<WorkerContext>,
    producer: BaseProducer,
    tasks: BTreeMap<i32, Task>,
    txn: Option<OpenTxn>,
}

fn unique_suffix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}", std::process::id())
}

fn header<'a>(message: &'a OwnedMessage, name: &str) -> Option<&'a [u8]> {
    let headers = message.headers()?;
    headers.iter().find(|h| h.key == name).and_then(|h| h.value)
}

impl Worker {
    fn connect(program: &Program, config: &KafkaConfig, index: usize) -> Result<Worker, String> {
        let _ = program;
        let producer: BaseProducer = client_config(config)
            .set(
                "transactional.id",
                format!("{}.worker-{index}-{}", config.group_id(), unique_suffix()),
            )
            .set("enable.idempotence", "true")
            .set("linger.ms", "0")
            .set("transaction.timeout.ms", "60000")
            .create()
            .map_err(|e| format!("cannot create the producer: {e}"))?;
        producer
            .init_transactions(KAFKA_TIMEOUT)
            .map_err(|e| format!("cannot initialise transactions: {e}"))?;
        let context = WorkerContext {
            internal_topic: config.topics.internal.clone(),
            events: Mutex::new(Vec::new()),
        };
        let session = config.session_timeout_ms.max(1000);
        let consumer: BaseConsumer<WorkerContext> = client_config(config)
            .set("group.id", config.group_id())
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("isolation.level", "read_committed")
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", session.to_string())
            .set("heartbeat.interval.ms", (session / 3).max(100).to_string())
            .set("fetch.wait.max.ms", "10")
            .set("partition.assignment.strategy", "range")
            .create_with_context(context)
            .map_err(|e| format!("cannot create the consumer: {e}"))?;
        consumer
            .subscribe(&[&config.topics.ingress, &config.topics.internal])
            .map_err(|e| format!("cannot subscribe: {e}"))?;
        Ok(Worker {
            config: config.clone(),
            consumer,
            producer,
            tasks: BTreeMap::new(),
            txn: None,
        })
    }

    fn run(&mut self, program: &Arc<Program>, stop: &AtomicBool) -> Result<(), String> {
        let interp = Interpreter::new(program);
        let mut last_message = Instant::now();
        while !stop.load(Ordering::SeqCst) {
            let wait = if self.txn.is_some() { 0 } else { 50 };
            let polled = self
                .consumer
                .poll(Duration::from_millis(wait))
                .map(|m| m.map(|m| m.detach()));
            self.rebalanced(program)?;
            match polled {
                None => {
                    self.commit()?;
                    if last_message.elapsed() > Duration::from_millis(200) {
                        self.refetch();
                        last_message = Instant::now();
                    }
                }
                Some(Err(e)) => return Err(format!("consume failed: {e}")),
                Some(Ok(message)) => {
                    last_message = Instant::now();
                    self.process(&interp, &message)?;
                    let full = self.txn.as_ref().is_some_and(|t| {
                        t.records >= self.config.max_batch
                            || t.started.elapsed() > Duration::from_millis(100)
                    });
                    if full {
                        self.commit()?;
                    }
                }
            }
        }
        self.commit()?;
        self.consumer.unsubscribe();
        Ok(())
    }

    /// Restarts fetching every assigned partition at its position.
    fn refetch(&mut self) {
        let Ok(positions) = self.consumer.position() else {
            return;
        };
        for e in positions.elements() {
            if let Offset::Offset(o) = e.offset() {
                self.trace(&format!("refetch {}/{}@{o}", e.topic(), e.partition()));
                let _ = self.consumer.seek(
                    e.topic(),
                    e.partition(),
                    Offset::Offset(o),
                    Duration::from_secs(1),
                );
            }
        }
    }

    fn rebalanced(&mut self, program: &Arc<Program>) -> Result<(), String> {
        let events: Vec<Rebalanced> = {
            let mut e = self
                .consumer
                .context()
                .events
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            std::mem::take(&mut *e)
        };
        for event in events {
            match event {
                Rebalanced::Revoked => {
                    // Commit what was processed; if the group moved on, the abort is harmless:
                    // the next owner replays from the committed offsets.
                    if self.commit().is_err() {
                        let _ = self.producer.abort_transaction(KAFKA_TIMEOUT);
                        self.txn = None;
                    }
                    self.tasks.clear();
                }
                Rebalanced::Assigned(parts) => {
                    for (p, committed) in parts {
                        let partition = Partition::new(
                            program.clone(),
                            p as u32,
                            self.config.partitions,
                            PartitionConfig {
                                dedup_window: self.config.dedup_window,
                            },
                        );
                        self.tasks.insert(
                            p,
                            Task {
                                partition,
                                live_from: committed,
                            },
                        );
                    }
                }
            }
        }
        Ok(())
    }

    fn begin(&mut self) -> Result<&mut OpenTxn, String> {
        if self.txn.is_none() {
            self.producer
                .begin_transaction()
                .map_err(|e| format!("cannot begin a transaction: {e}"))?;
            self.txn = Some(OpenTxn {
                started: Instant::now(),
                records: 0,
                offsets: BTreeMap::new(),
            });
        }
        Ok(self.txn.as_mut().expect("just opened"))
    }

    fn commit(&mut self) -> Result<(), String> {
        let Some(txn) = self.txn.take() else {
            return Ok(());
        };
        self.trace(&format!("commit {:?}", txn.offsets));
        let mut offsets = TopicPartitionList::new();
        for ((topic, partition), next) in &txn.offsets {
            offsets
                .add_partition_offset(topic, *partition, Offset::Offset(*next))
                .map_err(|e| e.to_string())?;
        }
        drain(&self.producer)?;
        if offsets.count() > 0 {
            let metadata = self
                .consumer
                .group_metadata()
                .ok_or("the consumer has no group metadata")?;
            self.trace("send offsets");
            self.producer
                .send_offsets_to_transaction(&offsets, &metadata, KAFKA_TIMEOUT)
                .map_err(|e| format!("cannot add offsets to a transaction: {e}"))?;
        }
        self.trace("commit txn");
        self.producer
            .commit_transaction(KAFKA_TIMEOUT)
            .map_err(|e| format!("cannot commit a transaction: {e}"))
    }

    fn produce(
        &mut self,
        topic: &str,
        partition: Option<i32>,
        key: Option<&str>,
        payload: &[u8],
    ) -> Result<(), String> {
        let mut record = BaseRecord::<str, [u8]>::to(topic).payload(payload);
        if let Some(p) = partition {
            record = record.partition(p);
        }
        if let Some(k) = key {
            record = record.key(k);
        }
        loop {
            match self.producer.send(record) {
                Ok(()) => return Ok(()),
                Err((
                    KafkaError::MessageProduction(rdkafka::types::RDKafkaErrorCode::QueueFull),
                    r,
                )) => {
                    record = r;
                    self.producer.poll(Duration::from_millis(5));
                }
                Err((e, _)) => return Err(format!("cannot produce to {topic}: {e}")),
            }
        }
    }

    fn send_outputs(&mut self, outputs: Vec<Output>) -> Result<(), String> {
        let internal = self.config.topics.internal.clone();
        for output in outputs {
            match output {
                Output::Send { to, envelope } => {
                    self.trace(&format!("  send to {to}: {:?}", envelope.channel));
                    let bytes = serde_json::to_vec(&envelope).map_err(|e| e.to_string())?;
                    self.produce(&internal, Some(to as i32), None, &bytes)?;
                }
                Output::Result { reply, result } => {
                    let mut bytes = Vec::new();
                    result.write_json(&mut bytes).map_err(|e| e.to_string())?;
                    if bytes.len() > MAX_MESSAGE_BYTES - 1024 {
                        // Deterministic, so every attempt answers the same.
                        let too_large = InvocationResult {
                            outcome: Err(ErrorReport::new(
                                "ResultTooLarge",
                                format!(
                                    "the result takes {} bytes, more than a record may ({MAX_MESSAGE_BYTES})",
                                    bytes.len()
                                ),
                            )),
                            ..result
                        };
                        bytes.clear();
                        too_large
                            .write_json(&mut bytes)
                            .map_err(|e| e.to_string())?;
                    }
                    self.reply(&reply, &bytes)?;
                }
                Output::Dump {
                    reply,
                    partition,
                    state,
                } => {
                    let part = json!({"dump": {"partition": partition, "partitions": self.config.partitions, "state": state}});
                    let bytes = serde_json::to_vec(&part).map_err(|e| e.to_string())?;
                    self.reply(&reply, &bytes)?;
                }
            }
        }
        Ok(())
    }

    fn reply(&mut self, reply: &Json, bytes: &[u8]) -> Result<(), String> {
        let topic = reply
            .get("topic")
            .and_then(Json::as_str)
            .unwrap_or(&self.config.topics.egress)
            .to_string();
        let key = reply.get("key").and_then(Json::as_str).map(str::to_string);
        self.produce(&topic, None, key.as_deref(), bytes)
    }

    fn trace(&self, what: &str) {
        if std::env::var_os("ENTIFLOW_KAFKA_TRACE").is_some() {
            eprintln!("[worker] {what}");
        }
    }

    fn process(&mut self, interp: &Interpreter<'_>, message: &OwnedMessage) -> Result<(), String> {
        let topic = message.topic().to_string();
        let partition = message.partition();
        let offset = message.offset();
        let payload = message.payload().unwrap_or_default();
        self.trace(&format!("{topic}/{partition}@{offset}"));
        if topic == self.config.topics.ingress {
            let reply_topic = header(message, REPLY_TOPIC_HEADER)
                .and_then(|v| std::str::from_utf8(v).ok())
                .unwrap_or(&self.config.topics.egress)
                .to_string();
            let key = message
                .key()
                .and_then(|k| std::str::from_utf8(k).ok())
                .map(str::to_string);
            let reply = json!({"topic": reply_topic, "key": key});
            let channel = Channel::Ingress {
                partition: partition as u32,
                offset: offset as u64,
            };
            self.begin()?;
            if header(message, CONTROL_HEADER) == Some(b"dump".as_slice()) {
                for to in 0..self.config.partitions {
                    let envelope = Envelope {
                        channel,
                        body: Message::Dump {
                            reply: reply.clone(),
                        },
                    };
                    let bytes = serde_json::to_vec(&envelope).map_err(|e| e.to_string())?;
                    let internal = self.config.topics.internal.clone();
                    self.produce(&internal, Some(to as i32), None, &bytes)?;
                }
            } else {
                match route(interp, payload, reply, self.config.partitions) {
                    Routed::Forward { to, message: body } => {
                        let bytes = serde_json::to_vec(&Envelope { channel, body })
                            .map_err(|e| e.to_string())?;
                        let internal = self.config.topics.internal.clone();
                        self.produce(&internal, Some(to as i32), None, &bytes)?;
                    }
                    Routed::Answer(result) => {
                        self.answer_malformed(key.as_deref(), &reply_topic, payload, result)?
                    }
                }
            }
            self.mark(topic, partition, offset)?;
        } else if topic == self.config.topics.internal {
            let Some(task) = self.tasks.get_mut(&partition) else {
                return Ok(()); // not ours (any more)
            };
            let live = offset >= task.live_from;
            let outputs = match serde_json::from_slice::<Envelope>(payload) {
                Ok(envelope) => task.partition.handle(interp, envelope),
                Err(e) => {
                    if live {
                        eprintln!(
                            "entiflow kafka worker: skipping undecodable record {topic}/{partition}@{offset}: {e}"
                        );
                    }
                    Vec::new()
                }
            };
            if live {
                self.begin()?;
                self.send_outputs(outputs)?;
                self.mark(topic, partition, offset)?;
            }
        }
        Ok(())
    }

    /// An ingress record that is not a valid invocation: an error reply when it names a reply
    /// address (its key), else a dead letter with the error and the record.
    fn answer_malformed(
        &mut self,
        key: Option<&str>,
        reply_topic: &str,
        payload: &[u8],
        result: InvocationResult,
    ) -> Result<(), String> {
        let mut bytes = Vec::new();
        result.write_json(&mut bytes).map_err(|e| e.to_string())?;
        match key {
            Some(k) => self.produce(reply_topic, None, Some(k), &bytes),
            None => {
                let letter = json!({
                    "error": result.to_json().get("error").cloned().unwrap_or(Json::Null),
                    "record": String::from_utf8_lossy(payload),
                });
                let dead = self.config.topics.dead_letter.clone();
                let bytes = serde_json::to_vec(&letter).map_err(|e| e.to_string())?;
                self.produce(&dead, None, None, &bytes)
            }
        }
    }

    fn mark(&mut self, topic: String, partition: i32, offset: i64) -> Result<(), String> {
        let txn = self.begin()?;
        txn.records += 1;
        txn.offsets.insert((topic, partition), offset + 1);
        Ok(())
    }
}
