//! A worker: one member of the application's consumer group. It forwards ingress records to the
//! partition of the entity they address, and runs the [`Partition`] state machine of every
//! internal partition assigned to it. Each step is consume → run → produce → commit offsets, all
//! inside one Kafka transaction.
//!
//! On assignment a partition's state is rebuilt from its newest usable [`snapshot`] (or from
//! nothing) by replaying its internal topic partition from there up to the group's committed
//! offset, with outputs suppressed (they were committed with those offsets); from there on it is
//! live. Every `snapshot_every` records, at the next record after which nothing is in flight, the
//! partition's checkpoint goes to the snapshot topic in the same transaction as the step. Processing is a deterministic function of that
//! ordered input, so an attempt that was cut short produced either the same messages as the
//! attempt that later commits (receivers drop the repeats by channel position) or records past the
//! committed offset (replayed again, never twice applied). This holds on a broker that shows
//! aborted records to read_committed consumers as well as on one that hides them.
//!
//! Every input partition has a transactional producer of its own, whose transactional id names
//! the partition (Kafka Streams' first exactly-once design): whoever takes a partition over
//! fences the previous owner at once and ends its open transaction, so a crashed worker never
//! leaves a partition blocked behind an open transaction (a broker that never times
//! transactions out would block it for good).

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use entiflow_protocol::{Envelope, Output, Partition};
use ir::Program;
use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::message::{Headers, Message as _, OwnedMessage};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::types::RDKafkaRespErr;
use runtime_common::Interpreter;

use crate::admin::{client_config, drain, UserSettings, MAX_MESSAGE_BYTES};
use crate::config::{KafkaConfig, FETCH_WAIT_MAX_MS};
use crate::records::{
    ingress_records, output_records, partition_config, IngressRecord, OutRecord, CONTROL_HEADER,
    REPLY_TOPIC_HEADER,
};
use crate::snapshot::{self, Snapshot};

const KAFKA_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a gap in an internal partition's offsets must persist before the worker takes the
/// offsets in between for transaction markers (see `Worker::in_log_order`).
const GAP_SETTLE: Duration = Duration::from_millis(5);

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
        .stack_size(runtime_common::contract::DEEP_STACK_BYTES)
        .spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match Worker::connect(&config, &program).and_then(|mut w| w.run(&program, &flag)) {
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

/// Commits a producer's transaction with the consumed offset of its input partition.
fn commit_one(
    key: &InputKey,
    producer: &BaseProducer,
    next_offset: i64,
    metadata: &rdkafka::consumer::ConsumerGroupMetadata,
) -> Result<(), String> {
    let mut offsets = TopicPartitionList::new();
    offsets
        .add_partition_offset(&key.0, key.1, Offset::Offset(next_offset))
        .map_err(|e| e.to_string())?;
    drain(producer)?;
    producer
        .send_offsets_to_transaction(&offsets, metadata, KAFKA_TIMEOUT)
        .map_err(|e| format!("cannot add offsets to a transaction: {e}"))?;
    producer
        .commit_transaction(KAFKA_TIMEOUT)
        .map_err(|e| format!("cannot commit a transaction: {e}"))
}

/// What a rebalance did, seen by the worker loop after `poll` returns.
enum Rebalanced {
    /// Partitions now assigned.
    Assigned(Vec<Assigned>),
    /// Everything was revoked.
    Revoked,
}

/// An input partition just assigned.
struct Assigned {
    topic: String,
    partition: i32,
    /// The group's committed offset.
    committed: i64,
    /// For an internal partition: the snapshot its state starts from (consumption starts at its
    /// offset), which restores with the running program.
    snapshot: Option<Snapshot>,
}

struct WorkerContext {
    config: KafkaConfig,
    program: Arc<Program>,
    events: Mutex<Vec<Rebalanced>>,
}

impl WorkerContext {
    /// The newest usable snapshot of internal partition `partition` at most at `committed`.
    fn snapshot_for(&self, partition: i32, committed: i64) -> Option<Snapshot> {
        if committed <= 0 {
            return None;
        }
        let usable = |s: &Snapshot| {
            snapshot::restore(&self.program, &self.config, partition, s)
                .map_err(|e| {
                    eprintln!("entiflow kafka worker: snapshot of partition {partition} at {} not used: {e}", s.offset)
                })
                .is_ok()
        };
        // Not inside the previous owner's last transaction (at most `max_batch` records, as many
        // markers): the replay tail must cover it (see `Task::replay_tail`).
        let before = committed - 2 * self.config.max_batch as i64;
        if before <= 0 {
            return None;
        }
        match snapshot::latest(&self.config, partition, before, usable) {
            Ok(found) => found,
            Err(e) => {
                eprintln!("entiflow kafka worker: no snapshot for partition {partition} ({e}); replaying its input from the beginning");
                None
            }
        }
    }
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
                let mut assigned = Vec::new();
                for e in committed.elements() {
                    let offset = match e.offset() {
                        Offset::Offset(o) if o > 0 => o,
                        _ => 0,
                    };
                    let internal = e.topic() == self.config.topics.internal;
                    let snapshot = if internal {
                        self.snapshot_for(e.partition(), offset)
                    } else {
                        None
                    };
                    let start = if let Some(s) = &snapshot {
                        Offset::Offset(s.offset)
                    } else if internal {
                        Offset::Beginning
                    } else if offset > 0 {
                        Offset::Offset(ingress_restart(offset, self.config.max_batch))
                    } else {
                        Offset::Beginning
                    };
                    let _ = assignment.add_partition_offset(e.topic(), e.partition(), start);
                    assigned.push(Assigned {
                        topic: e.topic().to_string(),
                        partition: e.partition(),
                        committed: offset,
                        snapshot,
                    });
                }
                if let Err(e) = consumer.assign(&assignment) {
                    eprintln!("entiflow kafka worker: cannot take the assignment: {e}");
                }
                events.push(Rebalanced::Assigned(assigned));
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
    /// The offset after the last record given to the partition.
    processed_to: i64,
    /// Records processed since the last snapshot (or the restore).
    since_snapshot: u64,
    /// Where the last gap sent the consumer back to, and how many times in a row.
    gap_rereads: (i64, u32),
    /// The offset after the furthest record that changed the partition. A record applied below
    /// it was applied out of log order (the consumer had stepped over it), which a later owner
    /// replaying the log in order would not reproduce: reported, as the broker broke an
    /// assumption replay relies on.
    applied_to: i64,
    /// The outputs of the last `max_batch` records replayed silently, produced again when the
    /// partition goes live: the previous owner's last transaction, if its offsets count as
    /// committed while its records were dropped (a broker that commits a transaction's offsets
    /// before its end does so when the owner dies mid-commit), is re-sent; receivers drop
    /// the repeats.
    replay_tail: VecDeque<Vec<Output>>,
}

/// Where a router starts reading an ingress partition whose committed offset is `committed`:
/// the previous owner's last transaction (at most `max_batch` records, and ingress records are
/// written without transactions, so offsets are consecutive) is routed again, in case its
/// forwarded records were dropped; the partitions drop repeats.
fn ingress_restart(committed: i64, max_batch: usize) -> i64 {
    (committed - max_batch as i64).max(0)
}

/// An input partition's transactional producer and the transaction it is filling.
struct PartitionProducer {
    producer: BaseProducer,
    open: Option<OpenTxn>,
}

/// A Kafka transaction being filled.
struct OpenTxn {
    started: Instant,
    records: usize,
    /// The next offset to consume in the producer's input partition.
    next_offset: i64,
}

/// An input partition: (topic, partition).
type InputKey = (String, i32);

struct Worker {
    config: KafkaConfig,
    consumer: BaseConsumer<WorkerContext>,
    producers: BTreeMap<InputKey, PartitionProducer>,
    tasks: BTreeMap<i32, Task>,
    /// Where the consumer stands in each input partition (the offset after the last record it
    /// delivered), to restart a fetch that stalled.
    positions: BTreeMap<InputKey, i64>,
    /// Per internal partition, a gap in the offsets delivered that is waiting to be confirmed
    /// (see [`Worker::in_log_order`]): the offset expected, the one delivered, when first seen.
    gaps_seen: BTreeMap<InputKey, (i64, i64, Instant)>,
    /// Idle rereads in a row with work in flight and no record applied since (how far back
    /// [`Worker::refetch`] reads, and how long the worker waits before the next one).
    idle_rereads: u32,
}

/// With `ENTIFLOW_KAFKA_TRACE` set: one line of the worker's trace on standard error.
fn trace(what: &str) {
    if std::env::var_os("ENTIFLOW_KAFKA_TRACE").is_some() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        eprintln!(
            "[worker {}.{:06}] {what}",
            now.as_secs() % 1000,
            now.subsec_micros()
        );
    }
}

fn header<'a>(message: &'a OwnedMessage, name: &str) -> Option<&'a [u8]> {
    let headers = message.headers()?;
    headers.iter().find(|h| h.key == name).and_then(|h| h.value)
}

impl Worker {
    fn connect(config: &KafkaConfig, program: &Arc<Program>) -> Result<Worker, String> {
        let context = WorkerContext {
            config: config.clone(),
            program: program.clone(),
            events: Mutex::new(Vec::new()),
        };
        let session = config.session_timeout_ms.max(1000);
        let consumer: BaseConsumer<WorkerContext> = client_config(config)
            .set("group.id", config.group_id())
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("isolation.level", "read_uncommitted")
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", session.to_string())
            .set("heartbeat.interval.ms", (session / 3).max(100).to_string())
            .set("fetch.wait.max.ms", FETCH_WAIT_MAX_MS)
            .set("partition.assignment.strategy", "range")
            .user_settings(config)
            .create_with_context(context)
            .map_err(|e| format!("cannot create the consumer: {e}"))?;
        consumer
            .subscribe(&[&config.topics.ingress, &config.topics.internal])
            .map_err(|e| format!("cannot subscribe: {e}"))?;
        Ok(Worker {
            config: config.clone(),
            consumer,
            producers: BTreeMap::new(),
            tasks: BTreeMap::new(),
            positions: BTreeMap::new(),
            gaps_seen: BTreeMap::new(),
            idle_rereads: 0,
        })
    }

    fn run(&mut self, program: &Arc<Program>, stop: &AtomicBool) -> Result<(), String> {
        let interp = Interpreter::new(program);
        interp.set_step_limit(self.config.max_steps);
        let mut idle_since = Instant::now();
        while !stop.load(Ordering::SeqCst) {
            let open = self.producers.values().any(|p| p.open.is_some());
            let wait = if open { 1 } else { 50 };
            let polled = self
                .consumer
                .poll(Duration::from_millis(wait))
                .map(|m| m.map(|m| m.detach()));
            self.rebalanced(program)?;
            match polled {
                None => {
                    // Receivers read uncommitted records, so no hop waits for a commit: an
                    // idle worker commits only the transactions that are due.
                    self.commit_due()?;
                    self.flush_replay_tails()?;
                    if idle_since.elapsed() > self.refetch_after() {
                        self.trace_in_flight();
                        self.refetch();
                        idle_since = Instant::now();
                    }
                }
                Some(Err(e)) => return Err(format!("consume failed: {e}")),
                Some(Ok(message)) => {
                    idle_since = Instant::now();
                    self.process(&interp, &message)?;
                    let key = (message.topic().to_string(), message.partition());
                    let due = self
                        .producers
                        .get(&key)
                        .and_then(|p| p.open.as_ref())
                        .is_some_and(|t| self.is_due(t));
                    if due {
                        self.commit(&key)?;
                    }
                }
            }
        }
        self.commit_all()?;
        self.consumer.unsubscribe();
        Ok(())
    }

    /// How long the worker stays idle before [`Worker::refetch`]: 1 s, then twice as long after
    /// each reread that brought no new record (at most 16 s). A seek abandons the fetch under
    /// way, so on a slow broker rereads at a fixed pace could keep every fetch from finishing,
    /// each reread adding load.
    fn refetch_after(&self) -> Duration {
        Duration::from_secs(1 << self.idle_rereads.min(4))
    }

    /// Seeks every input partition to where the consumer stands, which restarts its fetch: a
    /// consumer at the end of a partition sometimes stops fetching records written after it
    /// (seen with librdkafka on tansu), which would leave work in flight for good.
    ///
    /// When work is in flight, internal partitions are read again from further back, farther
    /// each time no new record was applied since the last reread (64, 256, 1024, ... records): a
    /// consumer sometimes steps over a record (seen on tansu), and when that record was the last
    /// message of its channel (a `seq` grant, a reply), no later message reveals the gap. The
    /// records read again are repeats, which the partitions drop by channel position.
    /// A seek that fails (the partition is still being set up, say) is left for the next time.
    fn refetch(&mut self) {
        let in_flight = self.tasks.values().any(|t| t.partition.in_flight() > 0);
        self.idle_rereads = if in_flight { self.idle_rereads + 1 } else { 0 };
        let back = match self.idle_rereads {
            0 => 0,
            n => 16i64 << (2 * n.min(9)),
        };
        for ((topic, partition), offset) in &self.positions {
            let from = if *topic == self.config.topics.internal {
                (offset - back).max(0)
            } else {
                *offset
            };
            if back > 0 {
                trace(&format!(
                    "idle with work in flight: rereading {topic}/{partition} from {from}"
                ));
            }
            if let Err(e) =
                self.consumer
                    .seek(topic, *partition, Offset::Offset(from), KAFKA_TIMEOUT)
            {
                trace(&format!("cannot seek {topic}/{partition} to {from}: {e}"));
            }
        }
    }

    /// With tracing on: what each partition holds in flight (for a stalled application).
    fn trace_in_flight(&self) {
        if std::env::var_os("ENTIFLOW_KAFKA_TRACE").is_none() {
            return;
        }
        for (p, task) in &self.tasks {
            if task.partition.in_flight() > 0 {
                trace(&format!(
                    "partition {p} in flight:\n{}",
                    task.partition.describe_in_flight()
                ));
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
                    let keys: Vec<InputKey> = self.producers.keys().cloned().collect();
                    for key in keys {
                        if self.commit(&key).is_err() {
                            if let Some(p) = self.producers.get_mut(&key) {
                                let _ = p.producer.abort_transaction(KAFKA_TIMEOUT);
                                p.open = None;
                            }
                        }
                    }
                    self.producers.clear();
                    self.tasks.clear();
                    self.positions.clear();
                    self.gaps_seen.clear();
                }
                Rebalanced::Assigned(parts) => {
                    for Assigned {
                        topic,
                        partition: p,
                        committed,
                        snapshot,
                    } in parts
                    {
                        let producer = self.partition_producer(&topic, p)?;
                        self.producers.insert(
                            (topic.clone(), p),
                            PartitionProducer {
                                producer,
                                open: None,
                            },
                        );
                        if topic != self.config.topics.internal {
                            let start = ingress_restart(committed, self.config.max_batch);
                            self.positions.insert((topic, p), start);
                            continue;
                        }
                        let (partition, processed_to) = match snapshot {
                            Some(s) => {
                                trace(&format!(
                                    "partition {p} restored from its snapshot at {} (committed {committed})",
                                    s.offset
                                ));
                                (snapshot::restore(program, &self.config, p, &s)?, s.offset)
                            }
                            None => (
                                Partition::new(
                                    program.clone(),
                                    p as u32,
                                    self.config.partitions,
                                    partition_config(self.config.dedup_window),
                                ),
                                0,
                            ),
                        };
                        self.positions.insert((topic, p), processed_to);
                        self.tasks.insert(
                            p,
                            Task {
                                partition,
                                live_from: committed,
                                processed_to,
                                since_snapshot: 0,
                                gap_rereads: (-1, 0),
                                applied_to: 0,
                                replay_tail: VecDeque::new(),
                            },
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// The transactional producer of an input partition; creating it fences every earlier
    /// owner of the partition and ends its open transaction.
    fn partition_producer(&self, topic: &str, partition: i32) -> Result<BaseProducer, String> {
        let producer: BaseProducer = client_config(&self.config)
            .set("transactional.id", format!("{topic}-{partition}.producer"))
            .set("enable.idempotence", "true")
            .set("linger.ms", "0")
            // One record per batch: a broker that misreports the last offset of a
            // multi-record batch (tansu's memory engine) would make consumers skip records.
            .set("batch.num.messages", "1")
            .set(
                "transaction.timeout.ms",
                entiflow_kafka_topics::config::TRANSACTION_TIMEOUT_MS.to_string(),
            )
            .user_settings(&self.config)
            .create()
            .map_err(|e| format!("cannot create a producer: {e}"))?;
        producer
            .init_transactions(KAFKA_TIMEOUT)
            .map_err(|e| format!("cannot initialise transactions for {topic}/{partition}: {e}"))?;
        Ok(producer)
    }

    /// The open transaction of an input partition's producer (begun if needed).
    fn begin(&mut self, key: &InputKey) -> Result<&mut PartitionProducer, String> {
        let p = self
            .producers
            .get_mut(key)
            .ok_or_else(|| format!("no producer for {}/{}", key.0, key.1))?;
        if p.open.is_none() {
            p.producer
                .begin_transaction()
                .map_err(|e| format!("cannot begin a transaction: {e}"))?;
            p.open = Some(OpenTxn {
                started: Instant::now(),
                records: 0,
                next_offset: 0,
            });
        }
        Ok(p)
    }

    /// Whether an open transaction must be committed now: it holds `max_batch` records, or it
    /// has been open for the commit interval.
    fn is_due(&self, txn: &OpenTxn) -> bool {
        txn.records >= self.config.max_batch || txn.started.elapsed() >= self.config.commit_interval
    }

    /// Commits every open transaction that is due.
    fn commit_due(&mut self) -> Result<(), String> {
        let due: Vec<InputKey> = self
            .producers
            .iter()
            .filter(|(_, p)| p.open.as_ref().is_some_and(|t| self.is_due(t)))
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            self.commit(&key)?;
        }
        Ok(())
    }

    /// Commits every open transaction.
    fn commit_all(&mut self) -> Result<(), String> {
        let keys: Vec<InputKey> = self.producers.keys().cloned().collect();
        for key in keys {
            self.commit(&key)?;
        }
        Ok(())
    }

    /// Commits the open transaction of input partition `key`, if there is one.
    fn commit(&mut self, key: &InputKey) -> Result<(), String> {
        let Some(p) = self.producers.get_mut(key) else {
            return Ok(());
        };
        let Some(txn) = p.open.take() else {
            return Ok(());
        };
        let metadata = self
            .consumer
            .group_metadata()
            .ok_or("the consumer has no group metadata")?;
        let started = Instant::now();
        commit_one(key, &p.producer, txn.next_offset, &metadata)?;
        trace(&format!(
            "  committed {}/{} at {} in {:?}",
            key.0,
            key.1,
            txn.next_offset,
            started.elapsed()
        ));
        Ok(())
    }

    /// Produces a record in the open transaction of input partition `via`.
    fn produce(
        &mut self,
        via: &InputKey,
        topic: &str,
        partition: Option<i32>,
        key: Option<&str>,
        payload: &[u8],
    ) -> Result<(), String> {
        let producer = &self.begin(via)?.producer;
        let mut record = BaseRecord::<str, [u8]>::to(topic).payload(payload);
        if let Some(p) = partition {
            record = record.partition(p);
        }
        if let Some(k) = key {
            record = record.key(k);
        }
        loop {
            match producer.send(record) {
                Ok(()) => return Ok(()),
                Err((
                    KafkaError::MessageProduction(rdkafka::types::RDKafkaErrorCode::QueueFull),
                    r,
                )) => {
                    record = r;
                    producer.poll(Duration::from_millis(5));
                }
                Err((e, _)) => return Err(format!("cannot produce to {topic}: {e}")),
            }
        }
    }

    /// Produces records in the open transaction of input partition `via`.
    fn produce_all(&mut self, via: &InputKey, records: Vec<OutRecord>) -> Result<(), String> {
        for r in records {
            self.produce(via, &r.topic, r.partition, r.key.as_deref(), &r.payload)?;
        }
        Ok(())
    }

    fn process(&mut self, interp: &Interpreter<'_>, message: &OwnedMessage) -> Result<(), String> {
        let topic = message.topic().to_string();
        let partition = message.partition();
        let offset = message.offset();
        let payload = message.payload().unwrap_or_default();
        trace(&format!("{topic}/{partition}@{offset}"));
        let via: &InputKey = &(topic.clone(), partition);
        if !self.producers.contains_key(via) {
            return Ok(()); // not ours (any more)
        }
        // Records below the offset the previous owner committed had all been delivered to it:
        // a jump there is markers, and a rebuild need not confirm it.
        let replayed = self
            .tasks
            .get(&partition)
            .is_some_and(|t| offset < t.live_from);
        if topic == self.config.topics.internal && !replayed && !self.in_log_order(via, offset)? {
            return Ok(());
        }
        self.positions.insert(via.clone(), offset + 1);
        if topic == self.config.topics.ingress {
            let record = IngressRecord {
                partition,
                offset,
                key: message.key(),
                reply_topic: header(message, REPLY_TOPIC_HEADER),
                control: header(message, CONTROL_HEADER),
                payload,
            };
            let records =
                ingress_records(interp, &self.config.topics, self.config.partitions, record)?;
            self.produce_all(via, records)?;
            self.mark(via, offset)?;
        } else if topic == self.config.topics.internal {
            let Some(task) = self.tasks.get_mut(&partition) else {
                return Ok(()); // not ours (any more)
            };
            let live = offset >= task.live_from;
            let resume_at = task.processed_to;
            let before = task.partition.stats().processed;
            let outputs = match runtime_common::contract::from_slice_unbounded::<Envelope>(payload)
            {
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
            let gap = match outputs.first() {
                Some(Output::Gap {
                    from,
                    expected,
                    got,
                }) => Some(format!(
                    "message {got} from partition {from} before {expected}"
                )),
                Some(Output::DoorGap {
                    door,
                    expected,
                    got,
                }) => Some(format!(
                    "message {got} from front door {door:x} before {expected}"
                )),
                _ => None,
            };
            match outputs.first() {
                Some(Output::Gap { .. } | Output::DoorGap { .. }) => {
                    // The consumer stepped over a record (some brokers' fetch responses make
                    // it): read the partition again after the last record processed. When that
                    // keeps stepping over it, start further back each time (other fetch
                    // boundaries; the records before are repeats, dropped by channel position).
                    let rereads = match task.gap_rereads {
                        (at, n) if at == resume_at => n + 1,
                        _ => 1,
                    };
                    task.gap_rereads = (resume_at, rereads);
                    let back = if rereads > 2 {
                        1i64 << rereads.min(20)
                    } else {
                        0
                    };
                    let from_offset = (resume_at - back).max(0);
                    trace(&format!(
                        "  gap: {}; rereading {topic}/{partition} from {from_offset}",
                        gap.unwrap_or_default()
                    ));
                    return self.reread(via, from_offset);
                }
                Some(Output::IngressGap {
                    partition: ingress,
                    expected,
                }) => {
                    // The record is held by the partition. The one expected was stepped over
                    // here, or never forwarded (the router stepped over it): read both again.
                    trace(&format!(
                        "  ingress gap: {ingress}@{expected} missing; rereading {topic}/{partition} from {resume_at}"
                    ));
                    let (ingress, expected) = (*ingress as i32, *expected as i64);
                    self.reread(via, resume_at)?;
                    let ingress_key = (self.config.topics.ingress.clone(), ingress);
                    if self.producers.contains_key(&ingress_key) {
                        self.reread(&ingress_key, expected)?;
                    }
                    return Ok(());
                }
                _ => {}
            }
            if task.partition.stats().processed > before {
                if offset < task.applied_to {
                    eprintln!(
                        "entiflow kafka worker: {topic}/{partition}@{offset} was applied after @{} (the consumer had stepped over it); a replay of this partition may differ from this run",
                        task.applied_to - 1
                    );
                }
                task.applied_to = task.applied_to.max(offset + 1);
                self.idle_rereads = 0;
            }
            task.processed_to = offset + 1;
            task.since_snapshot += 1;
            if !live {
                task.replay_tail.push_back(outputs);
                if task.replay_tail.len() > self.config.max_batch {
                    task.replay_tail.pop_front();
                }
                return Ok(());
            }
            let every = self.config.snapshot_every;
            let snapshot = if every > 0 && task.since_snapshot >= every {
                task.partition.checkpoint().map(|checkpoint| {
                    task.since_snapshot = 0;
                    Snapshot::new(offset + 1, checkpoint)
                })
            } else {
                None
            };
            self.flush_replay_tail(via)?;
            for output in &outputs {
                if let Output::Send { to, envelope } = output {
                    trace(&format!("  send to {to}: {:?}", envelope.channel));
                }
            }
            let records = output_records(&self.config.topics, self.config.partitions, outputs)?;
            self.produce_all(via, records)?;
            if let Some(s) = snapshot {
                trace(&format!("  snapshot at {}", s.offset));
                let bytes = s.to_bytes();
                if bytes.len() > MAX_MESSAGE_BYTES - 1024 {
                    // The broker would refuse the record on every attempt: no snapshot this
                    // time; a new owner replays the log from the last one that was taken.
                    eprintln!(
                        "warning: the snapshot of partition {partition} takes {} bytes, more \
                         than a record may ({MAX_MESSAGE_BYTES}); not taken",
                        bytes.len()
                    );
                } else {
                    let key = partition.to_string();
                    let topic = self.config.topics.snapshots.clone();
                    self.produce(via, &topic, Some(partition), Some(&key), &bytes)?;
                }
            }
            self.mark(via, offset)?;
        }
        Ok(())
    }

    /// Whether the internal record at `offset` may be processed now: it follows the record
    /// delivered before it, or the offsets in between hold no record. A partition's outputs
    /// depend on the order of its input, and a new owner replays the log in offset order, so
    /// the live run must process it in that order too. Offsets are skipped by transaction
    /// markers, but also by a broker that lets a consumer see a record before an earlier one
    /// is visible (tansu under load): the first time a gap shows, the consumer reads again from
    /// the offset expected, and the gap is accepted only when it is still there at least
    /// [`GAP_SETTLE`] later.
    fn in_log_order(&mut self, via: &InputKey, offset: i64) -> Result<bool, String> {
        let Some(&expected) = self.positions.get(via) else {
            return Ok(true);
        };
        if offset <= expected {
            self.gaps_seen.remove(via);
            return Ok(true);
        }
        match self.gaps_seen.get(via) {
            Some(&(from, to, since)) if (from, to) == (expected, offset) => {
                if since.elapsed() >= GAP_SETTLE {
                    self.gaps_seen.remove(via);
                    return Ok(true);
                }
            }
            _ => {
                self.gaps_seen
                    .insert(via.clone(), (expected, offset, Instant::now()));
            }
        }
        trace(&format!(
            "  offsets {expected}..{offset} of {}/{} skipped: reading again",
            via.0, via.1
        ));
        self.reread(via, expected)?;
        Ok(false)
    }

    /// Makes the consumer deliver input partition `key` again from `offset`.
    fn reread(&mut self, key: &InputKey, offset: i64) -> Result<(), String> {
        self.consumer
            .seek(&key.0, key.1, Offset::Offset(offset), KAFKA_TIMEOUT)
            .map_err(|e| format!("cannot reread {}/{}: {e}", key.0, key.1))?;
        self.positions.insert(key.clone(), offset);
        Ok(())
    }

    /// Produces the replay tails of the partitions that have replayed up to their live input
    /// (see `Task::replay_tail`). A partition still replaying keeps its tail: it holds the
    /// outputs of the last `max_batch` records only once the replay is over, and producing it
    /// earlier would send every replayed record's outputs again.
    fn flush_replay_tails(&mut self) -> Result<(), String> {
        let internal = self.config.topics.internal.clone();
        let parts: Vec<i32> = self
            .tasks
            .iter()
            .filter(|(_, t)| !t.replay_tail.is_empty() && t.processed_to >= t.live_from)
            .map(|(p, _)| *p)
            .collect();
        for p in parts {
            self.flush_replay_tail(&(internal.clone(), p))?;
        }
        Ok(())
    }

    /// Produces the replay tail of internal partition `via`, in a transaction that commits no
    /// offset lower than the group's.
    fn flush_replay_tail(&mut self, via: &InputKey) -> Result<(), String> {
        let Some(task) = self.tasks.get_mut(&via.1) else {
            return Ok(());
        };
        if task.replay_tail.is_empty() {
            return Ok(());
        }
        let tail: Vec<Output> = task.replay_tail.drain(..).flatten().collect();
        let live_from = task.live_from;
        trace(&format!(
            "  {}/{}: producing the last replayed records' {} outputs again",
            via.0,
            via.1,
            tail.len()
        ));
        let records = output_records(&self.config.topics, self.config.partitions, tail)?;
        self.produce_all(via, records)?;
        if let Some(txn) = &mut self.begin(via)?.open {
            txn.next_offset = txn.next_offset.max(live_from);
        }
        Ok(())
    }

    /// Records that the input record at `offset` was processed in the open transaction.
    fn mark(&mut self, via: &InputKey, offset: i64) -> Result<(), String> {
        if let Some(txn) = &mut self.begin(via)?.open {
            txn.records += 1;
            txn.next_offset = offset + 1;
        }
        Ok(())
    }
}
