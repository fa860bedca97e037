//! One partition's deterministic state machine: committed entities, the lock table, the
//! transactions it coordinates (as root) and the parts of transactions it runs (as participant).
//!
//! A transaction's call stack is split into segments, one per stretch of consecutive frames on
//! one partition; only the top segment runs. A call to an entity of this partition pushes a frame
//! (after taking the entity's lock); a call to another partition sends [`Message::Call`] and the
//! segment waits for [`Message::Reply`]. Everything a partition does follows from the envelopes
//! it is given, in order: no clocks, no randomness, no iteration over unordered maps, so replaying
//! its input rebuilds it exactly.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;
use ir::Program;
use runtime_common::calls::{
    json_key, local_call, not_found, reply_to_caller, run_init, LocalCall,
};
use runtime_common::contract::{
    exception_report, fields_json, invocation_from_json, json_args, ref_json, request_args,
    value_from_tagged, value_to_json, value_to_tagged,
};
use runtime_common::dedup::Dedup;
use runtime_common::format::repr;
use runtime_common::value::{key_text, FastHash};
use runtime_common::{
    CallOp, EntityRef, ErrorReport, Frame, Interpreter, InvocationResult, Request, Step, Value,
};
use rustc_hash::FxHashMap;
use serde_json::Value as Json;

use crate::message::{
    Answer, Attempt, Channel, Envelope, Message, ReplyTo, TxnId, WireOp, WireOutcome,
};
use crate::route::{self, partition_of};

/// Partition settings.
#[derive(Debug, Clone)]
pub struct PartitionConfig {
    /// How many invocation ids each partition remembers for deduplication.
    pub dedup_window: usize,
    /// The largest message (as JSON) the transport carries between partitions, if it has a
    /// limit. A call or reply that would be larger raises `MemoryError` in the caller instead of
    /// being sent (deterministically: every replay decides alike); a result too large for a
    /// `SeqRequest` goes to its clients from the root, where the transport handles it.
    pub max_message_bytes: Option<usize>,
}

impl Default for PartitionConfig {
    fn default() -> Self {
        PartitionConfig {
            dedup_window: 250_000,
            max_message_bytes: None,
        }
    }
}

/// The length of `message` as JSON, without writing it anywhere.
fn json_len<T: serde::Serialize>(message: &T) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // Serializing tagged JSON cannot fail (string keys, finite numbers).
    let _ = serde_json::to_writer(&mut counter, message);
    counter.0
}

/// The exception a call or reply too large for the transport raises in the caller.
fn too_large(what: &str, len: usize, limit: usize) -> Value {
    Value::exception(
        "MemoryError",
        format!(
            "the {what} takes {len} bytes, more than a message between partitions may ({limit})"
        ),
    )
}

/// Counters a partition keeps.
#[derive(Debug, Clone, Default)]
pub struct PartitionStats {
    /// Transactions this partition coordinated that committed.
    pub committed: u64,
    /// Transactions this partition coordinated that failed (an exception escaped).
    pub aborted: u64,
    /// Attempts this partition coordinated that were wounded and restarted.
    pub restarted: u64,
    /// Invocations answered from the deduplication table.
    pub deduplicated: u64,
    /// Envelopes dropped because their channel position was already processed.
    pub duplicates_dropped: u64,
    /// Envelopes processed.
    pub processed: u64,
    /// Envelopes refused because an earlier message of their channel had not arrived.
    pub gaps: u64,
}

/// What processing an envelope produced.
#[derive(Debug)]
pub enum Output {
    /// A message for another partition.
    Send {
        /// The receiving partition.
        to: u32,
        /// The message with its channel position.
        envelope: Envelope,
    },
    /// A client's result.
    Result {
        /// Where it goes.
        reply: ReplyTo,
        /// The result.
        result: InvocationResult,
    },
    /// A message from another partition arrived ahead of an earlier one on the same channel:
    /// the transport lost or skipped the earlier one. Nothing was processed; the transport must
    /// deliver the channel's messages again from the one expected (re-read its input from the
    /// record after the last one it gave this partition).
    Gap {
        /// The sending partition.
        from: u32,
        /// The channel position expected next.
        expected: u64,
        /// The position that arrived.
        got: u64,
    },
    /// A front door's message arrived ahead of an earlier one of its channel: the transport lost
    /// or skipped the earlier one. Nothing was processed; as for [`Output::Gap`], the transport
    /// must deliver this partition's input again from the record after the last one it gave.
    DoorGap {
        /// The front door.
        door: u64,
        /// The channel position expected next.
        expected: u64,
        /// The position that arrived.
        got: u64,
    },
    /// A client's record arrived ahead of an earlier one of its ingress partition: it is held
    /// (part of the state) until the earlier ones arrive, then processed in order. The transport
    /// must read its input again from the record after the last one it gave this partition
    /// (and re-route the ingress partition from `expected`, in case it was never forwarded).
    IngressGap {
        /// The ingress partition.
        partition: u32,
        /// The offset expected next.
        expected: u64,
    },
    /// This partition's part of a state dump.
    Dump {
        /// Where it goes.
        reply: ReplyTo,
        /// This partition.
        partition: u32,
        /// `{"Entity": {"key": {fields}}}` for the entities of this partition.
        state: Json,
    },
}

/// One committed entity.
struct Record {
    self_ref: Rc<EntityRef>,
    fields: Vec<Value>,
}

type Store = Vec<IndexMap<String, Record, FastHash>>;

/// An entity's private copy inside an attempt; `None` while the entity does not exist.
type Working = Option<Record>;

/// An entity lock: the attempt holding it and the ones waiting, oldest first.
struct Lock {
    holder: Attempt,
    holder_root: u32,
    waiters: Vec<Attempt>,
}

/// A stretch of the call stack on this partition.
struct Segment {
    /// Frames with the entity (type, key) each runs on.
    frames: Vec<(Frame, usize, String)>,
    /// Where the segment's result goes: the calling partition, or `None` for the root segment.
    caller: Option<u32>,
    /// Frames below this segment on the transaction's stack.
    base_depth: u32,
    /// Partitions locked by calls this segment made (and their subtrees).
    participants: BTreeSet<u32>,
}

/// A call waiting for a lock on this partition.
struct Waiting {
    entity: usize,
    key: String,
    /// The key as the caller gave it (for error messages).
    key_value: Value,
    request: Pending,
}

enum Pending {
    /// From a frame of the top segment.
    Local {
        op: CallOp,
        depth: u32,
        caller_entity: usize,
        caller_key: String,
    },
    /// From another partition: starts a segment.
    Remote {
        op: CallOp,
        caller: u32,
        caller_type: String,
        depth: u32,
    },
    /// The invoked method of a transaction rooted here.
    Root {
        method: String,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    },
    /// A create rooted here.
    Create { fields: Vec<Value> },
}

/// An attempt's state on this partition.
struct Local {
    root: u32,
    locked: Vec<(usize, String, Working)>,
    segments: Vec<Segment>,
    waiting: Option<Waiting>,
    /// Blocks the attempt has run so far, on every partition (its step budget; calls and
    /// replies carry the count).
    steps: u64,
}

impl Local {
    fn new(root: u32) -> Self {
        Local {
            root,
            locked: Vec::new(),
            segments: Vec::new(),
            waiting: None,
            steps: 0,
        }
    }

    fn working_mut(&mut self, entity: usize, key: &str) -> Option<&mut Working> {
        self.locked
            .iter_mut()
            .find(|(e, k, _)| *e == entity && k == key)
            .map(|(_, _, w)| w)
    }
}

enum RootRequest {
    Call {
        entity: usize,
        key: Json,
        method: String,
        args: Vec<Json>,
        kwargs: Vec<(String, Json)>,
    },
    Create {
        entity: usize,
        args: Vec<Json>,
        kwargs: Vec<(String, Json)>,
    },
}

enum RootState {
    Running,
    /// Finished, holding its locks, waiting for its `seq`.
    Finishing {
        outcome: Result<Json, ErrorReport>,
        participants: BTreeSet<u32>,
        /// How many of the replies partition 0 answers (those known when the `seq` was asked).
        answered: usize,
    },
}

/// A transaction this partition coordinates.
struct Root {
    id: Json,
    attempt: u32,
    request: RootRequest,
    replies: Vec<ReplyTo>,
    /// Remote partitions that announced state for the current attempt.
    joined: BTreeSet<u32>,
    state: RootState,
}

/// How the bottom frame of a segment ended.
enum SegmentEnd {
    Value(Result<Value, Value>),
    Fatal(ErrorReport),
}

/// One partition of a running application.
pub struct Partition {
    id: u32,
    count: u32,
    program: Arc<Program>,
    config: PartitionConfig,
    clock: u64,
    next_seq: u64,
    store: Store,
    locks: FxHashMap<(usize, String), Lock>,
    locals: FxHashMap<Attempt, Local>,
    roots: FxHashMap<TxnId, Root>,
    running_ids: FxHashMap<String, TxnId>,
    dedup: Dedup,
    peer_next_in: FxHashMap<u32, u64>,
    peer_next_out: Vec<u64>,
    ingress_next: FxHashMap<u32, u64>,
    /// The next position expected from each front door that sent here directly.
    door_next: FxHashMap<u64, u64>,
    /// Ingress messages that arrived ahead of their channel, by ingress partition and offset.
    held: FxHashMap<u32, BTreeMap<u64, Message>>,
    pending_dumps: Vec<ReplyTo>,
    /// Messages this partition sent to itself, handled before the envelope's processing ends.
    inbox: VecDeque<Message>,
    /// Attempts granted a lock they were waiting for.
    ready: VecDeque<Attempt>,
    out: Vec<Output>,
    stats: PartitionStats,
}

impl Partition {
    /// Partition `id` of `count`, empty.
    pub fn new(program: Arc<Program>, id: u32, count: u32, config: PartitionConfig) -> Self {
        let store = program
            .entities
            .iter()
            .map(|_| IndexMap::default())
            .collect();
        Partition {
            id,
            count: count.max(1),
            program,
            config,
            clock: 0,
            next_seq: 1,
            store,
            locks: FxHashMap::default(),
            locals: FxHashMap::default(),
            roots: FxHashMap::default(),
            running_ids: FxHashMap::default(),
            dedup: Dedup::default(),
            peer_next_in: FxHashMap::default(),
            peer_next_out: vec![0; count.max(1) as usize],
            ingress_next: FxHashMap::default(),
            door_next: FxHashMap::default(),
            held: FxHashMap::default(),
            pending_dumps: Vec::new(),
            inbox: VecDeque::new(),
            ready: VecDeque::new(),
            out: Vec::new(),
            stats: PartitionStats::default(),
        }
    }

    /// This partition's index.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Counters since creation.
    pub fn stats(&self) -> &PartitionStats {
        &self.stats
    }

    /// Transactions holding locks or coordinated here that have not finished.
    pub fn in_flight(&self) -> usize {
        self.locals.len() + self.roots.len()
    }

    /// A one-line-per-item description of what is in flight here (locks, attempts, roots), for
    /// diagnostics.
    pub fn describe_in_flight(&self) -> String {
        let mut lines = Vec::new();
        let mut locks: Vec<_> = self.locks.iter().collect();
        locks.sort_by(|a, b| a.0.cmp(b.0));
        for ((entity, key), lock) in locks {
            lines.push(format!(
                "lock {}:{key} held by {:?} (root {}), waiting {:?}",
                self.program.entities[*entity].name, lock.holder, lock.holder_root, lock.waiters
            ));
        }
        let mut locals: Vec<_> = self.locals.iter().collect();
        locals.sort_by_key(|(at, _)| **at);
        for (at, local) in locals {
            lines.push(format!(
                "attempt {at:?}: root {}, {} segments, {} locked, waiting: {}",
                local.root,
                local.segments.len(),
                local.locked.len(),
                local
                    .waiting
                    .as_ref()
                    .map_or(String::new(), |w| w.key.clone())
            ));
        }
        let mut roots: Vec<_> = self.roots.iter().collect();
        roots.sort_by_key(|(tid, _)| **tid);
        for (tid, root) in roots {
            let state = match root.state {
                RootState::Running => "running",
                RootState::Finishing { .. } => "finishing",
            };
            lines.push(format!(
                "root {tid:?} id {}: attempt {}, {state}, joined {:?}",
                root.id, root.attempt, root.joined
            ));
        }
        lines.join("\n")
    }

    /// Processes one envelope (dropping it if its channel position was already processed,
    /// refusing it with [`Output::Gap`] if an earlier message of its channel is missing) and
    /// returns what it produced, in order.
    pub fn handle(&mut self, interp: &Interpreter<'_>, envelope: Envelope) -> Vec<Output> {
        if let Channel::Ingress { partition, offset } = envelope.channel {
            return self.handle_ingress(interp, partition, offset, envelope.body);
        }
        let position = match envelope.channel {
            Channel::Peer { from, n } => {
                take_position(self.peer_next_in.entry(from).or_insert(0), n).map_err(|expected| {
                    Output::Gap {
                        from,
                        expected,
                        got: n,
                    }
                })
            }
            Channel::Door { door, n } => take_position(self.door_next.entry(door).or_insert(0), n)
                .map_err(|expected| Output::DoorGap {
                    door,
                    expected,
                    got: n,
                }),
            Channel::Ingress { .. } => unreachable!("handled above"),
        };
        let fresh = match position {
            Ok(fresh) => fresh,
            Err(gap) => {
                // Messages of one channel travel in order; one is missing.
                self.stats.gaps += 1;
                return vec![gap];
            }
        };
        if !fresh {
            self.stats.duplicates_dropped += 1;
            return Vec::new();
        }
        self.process(interp, envelope.body);
        std::mem::take(&mut self.out)
    }

    /// An ingress record: processed in offset order, held when it is ahead of its channel,
    /// dropped when it was seen before.
    fn handle_ingress(
        &mut self,
        interp: &Interpreter<'_>,
        partition: u32,
        offset: u64,
        body: Message,
    ) -> Vec<Output> {
        let next = *self.ingress_next.get(&partition).unwrap_or(&0);
        let is_held = |p: &Partition| {
            p.held
                .get(&partition)
                .is_some_and(|h| h.contains_key(&offset))
        };
        if offset < next || is_held(self) {
            self.stats.duplicates_dropped += 1;
            return Vec::new();
        }
        if offset > next {
            self.held.entry(partition).or_default().insert(offset, body);
            self.stats.gaps += 1;
            return vec![Output::IngressGap {
                partition,
                expected: next,
            }];
        }
        // Exactly as if each were handled on its own, in offset order.
        let mut body = Some(body);
        let mut at = offset;
        while let Some(message) = body {
            self.ingress_next.insert(partition, at + 1);
            self.process(interp, message);
            at += 1;
            body = self.held.get_mut(&partition).and_then(|h| h.remove(&at));
        }
        if self.held.get(&partition).is_some_and(BTreeMap::is_empty) {
            self.held.remove(&partition);
        }
        std::mem::take(&mut self.out)
    }

    /// Processes one fresh message (and the messages it sends to this partition).
    fn process(&mut self, interp: &Interpreter<'_>, body: Message) {
        self.stats.processed += 1;
        self.inbox.push_back(body);
        while let Some(message) = self.inbox.pop_front() {
            self.message(interp, message);
            while let Some(at) = self.ready.pop_front() {
                self.granted(interp, at);
            }
        }
        if !self.pending_dumps.is_empty() && self.locals.is_empty() {
            let state = self.dump_state();
            for reply in std::mem::take(&mut self.pending_dumps) {
                self.out.push(Output::Dump {
                    reply,
                    partition: self.id,
                    state: state.clone(),
                });
            }
        }
    }

    /// The entities of this partition in the contract's dump form.
    pub fn dump_state(&self) -> Json {
        let mut out = serde_json::Map::new();
        for (index, ent) in self.program.entities.iter().enumerate() {
            let mut records = serde_json::Map::new();
            for (key, record) in &self.store[index] {
                records.insert(key.clone(), fields_json(ent, &record.fields));
            }
            out.insert(ent.name.clone(), Json::Object(records));
        }
        Json::Object(out)
    }

    fn send(&mut self, to: u32, body: Message) {
        if to == self.id {
            self.inbox.push_back(body);
            return;
        }
        let slot = &mut self.peer_next_out[to as usize];
        let n = *slot;
        *slot += 1;
        self.out.push(Output::Send {
            to,
            envelope: Envelope {
                channel: Channel::Peer { from: self.id, n },
                body,
            },
        });
    }

    fn observe(&mut self, at: &Attempt) {
        self.clock = self.clock.max(at.tid.clock);
    }

    fn message(&mut self, interp: &Interpreter<'_>, message: Message) {
        match message {
            Message::Invoke { reply, invocation } => {
                match route::owner(interp, &invocation, self.count) {
                    Ok(to) if to != self.id => self.send(to, Message::Invoke { reply, invocation }),
                    _ => self.invoke(interp, reply, invocation),
                }
            }
            Message::DumpAll { reply } => {
                for to in 0..self.count {
                    self.send(
                        to,
                        Message::Dump {
                            reply: reply.clone(),
                        },
                    );
                }
            }
            Message::Skip => {}
            Message::Dump { reply } => self.pending_dumps.push(reply),
            Message::Call {
                at,
                root,
                caller,
                caller_type,
                entity,
                key,
                op,
                depth,
                steps,
            } => {
                self.observe(&at);
                self.remote_call(at, root, caller, caller_type, entity, key, op, depth, steps)
            }
            Message::Reply {
                at,
                outcome,
                participants,
                steps,
            } => {
                let Some(local) = self.locals.get_mut(&at) else {
                    return; // the attempt was aborted here
                };
                local.steps = local.steps.max(steps);
                let Some(seg) = local.segments.last_mut() else {
                    return;
                };
                seg.participants.extend(participants);
                match outcome.to_reply() {
                    Ok(reply) => self.drive(interp, at, Some(reply)),
                    Err(fatal) => self.end_segment(at, SegmentEnd::Fatal(fatal)),
                }
            }
            Message::Joined { at, partition } => match self.roots.get_mut(&at.tid) {
                Some(root) if root.attempt == at.n => {
                    root.joined.insert(partition);
                }
                _ => self.send(partition, Message::Finish { at, commit: false }),
            },
            Message::Wound { at } => self.wound(interp, at),
            Message::SeqRequest { at, root, answer } => {
                let seq = self.next_seq;
                self.next_seq += 1;
                if let Some(answer) = answer {
                    if let Some(mut result) = InvocationResult::from_json(&answer.result) {
                        result.seq = Some(seq);
                        for reply in answer.replies {
                            self.answer(reply, result.clone());
                        }
                    }
                }
                self.send(root, Message::SeqGrant { at, seq });
            }
            Message::SeqGrant { at, seq } => self.seq_granted(at, seq),
            Message::Finish { at, commit } => self.finish_local(at, commit),
        }
    }

    // ------------------------------------------------------------------------------------------
    // Roots.

    fn answer(&mut self, reply: ReplyTo, result: InvocationResult) {
        self.out.push(Output::Result { reply, result });
    }

    fn invoke(&mut self, interp: &Interpreter<'_>, reply: ReplyTo, invocation: Json) {
        let invocation = match invocation_from_json(invocation, &self.program) {
            Ok(i) => i,
            Err((id, message)) => {
                return self.answer(
                    reply,
                    InvocationResult {
                        id,
                        seq: None,
                        outcome: Err(ErrorReport::new("InvalidRequest", message)),
                    },
                )
            }
        };
        let id_key = (!invocation.id.is_null()).then(|| invocation.id.to_string());
        if let Some(k) = &id_key {
            // A repeat must be a valid request too: one whose arguments cannot be decoded (a
            // reference to an unknown entity type, say) is refused, not answered as a repeat.
            let repeated = self.dedup.get(k).is_some() || self.running_ids.contains_key(k);
            if repeated {
                if let Err(message) = request_args(&invocation.request, &self.program) {
                    return self.answer(
                        reply,
                        InvocationResult {
                            id: invocation.id,
                            seq: None,
                            outcome: Err(ErrorReport::new("InvalidRequest", message)),
                        },
                    );
                }
            }
            if let Some(previous) = self
                .dedup
                .get(k)
                .and_then(|text| {
                    runtime_common::contract::from_slice_unbounded(text.as_bytes()).ok()
                })
                .and_then(|j| InvocationResult::from_json(&j))
            {
                self.stats.deduplicated += 1;
                return self.answer(reply, previous);
            }
            if let Some(tid) = self.running_ids.get(k) {
                if let Some(root) = self.roots.get_mut(tid) {
                    self.stats.deduplicated += 1;
                    root.replies.push(reply);
                    return;
                }
            }
        }
        let request = match invocation.request {
            Request::Call {
                entity,
                key,
                method,
                args,
                kwargs,
            } => RootRequest::Call {
                entity: self.program.entity_index(&entity).unwrap_or(0),
                key,
                method,
                args,
                kwargs,
            },
            Request::Create {
                entity,
                args,
                kwargs,
            } => RootRequest::Create {
                entity: self.program.entity_index(&entity).unwrap_or(0),
                args,
                kwargs,
            },
        };
        self.clock += 1;
        let tid = TxnId {
            clock: self.clock,
            origin: self.id,
        };
        if let Some(k) = id_key {
            self.running_ids.insert(k, tid);
        }
        self.roots.insert(
            tid,
            Root {
                id: invocation.id,
                attempt: 0,
                request,
                replies: vec![reply],
                joined: BTreeSet::new(),
                state: RootState::Running,
            },
        );
        self.start_attempt(interp, tid);
    }

    fn start_attempt(&mut self, interp: &Interpreter<'_>, tid: TxnId) {
        let Some(root) = self.roots.get(&tid) else {
            return;
        };
        let at = Attempt {
            tid,
            n: root.attempt,
        };
        let program = self.program.clone();
        let convert = |args: &[Json], kwargs: &[(String, Json)]| json_args(args, kwargs, &program);
        enum Start {
            Lock(usize, Value, Pending),
            Failed(ErrorReport),
            Rejected(String),
        }
        let start = match &root.request {
            RootRequest::Call {
                entity,
                key,
                method,
                args,
                kwargs,
            } => match convert(args, kwargs) {
                Ok((args, kwargs)) => Start::Lock(
                    *entity,
                    json_key(key),
                    Pending::Root {
                        method: method.clone(),
                        args,
                        kwargs,
                    },
                ),
                Err(m) => Start::Rejected(m),
            },
            RootRequest::Create {
                entity,
                args,
                kwargs,
            } => match convert(args, kwargs) {
                Ok((args, kwargs)) => {
                    let name = program.entities[*entity].name.as_str();
                    match run_init(interp, *entity, name, args, kwargs) {
                        Ok((key, fields)) => Start::Lock(*entity, key, Pending::Create { fields }),
                        Err(report) => Start::Failed(report),
                    }
                }
                Err(m) => Start::Rejected(m),
            },
        };
        match start {
            Start::Rejected(m) => self.reject(tid, m),
            Start::Failed(report) => {
                self.locals.insert(at, Local::new(self.id));
                self.root_finished(at, Err(report), BTreeSet::new());
            }
            Start::Lock(entity, key_value, request) => {
                self.locals.insert(at, Local::new(self.id));
                self.request_lock(at, entity, key_value, request);
            }
        }
    }

    /// Answers an invocation whose arguments cannot be decoded (no `seq`, nothing ran).
    fn reject(&mut self, tid: TxnId, message: String) {
        if let Some(root) = self.roots.remove(&tid) {
            self.running_ids.remove(&root.id.to_string());
            for reply in root.replies {
                self.answer(
                    reply,
                    InvocationResult {
                        id: root.id.clone(),
                        seq: None,
                        outcome: Err(ErrorReport::new("InvalidRequest", message.clone())),
                    },
                );
            }
        }
    }

    /// The root segment ended (or a create was decided): hold the locks, ask for a `seq`.
    fn root_finished(
        &mut self,
        at: Attempt,
        outcome: Result<Json, ErrorReport>,
        mut participants: BTreeSet<u32>,
    ) {
        let Some(root) = self.roots.get_mut(&at.tid) else {
            return;
        };
        if root.attempt != at.n {
            return;
        }
        participants.extend(root.joined.iter().copied());
        participants.insert(self.id);
        let answer = Answer {
            result: InvocationResult {
                id: root.id.clone(),
                seq: None,
                outcome: outcome.clone(),
            }
            .to_json(),
            replies: root.replies.clone(),
        };
        // A result too large to travel is answered by the root itself, through the transport.
        let answer = match self.config.max_message_bytes {
            Some(limit) if json_len(&answer) > limit => None,
            _ => Some(answer),
        };
        root.state = RootState::Finishing {
            outcome,
            participants,
            answered: answer.as_ref().map_or(0, |a| a.replies.len()),
        };
        self.send(
            0,
            Message::SeqRequest {
                at,
                root: self.id,
                answer,
            },
        );
    }

    fn seq_granted(&mut self, at: Attempt, seq: u64) {
        let Some(root) = self.roots.remove(&at.tid) else {
            return;
        };
        let RootState::Finishing {
            outcome,
            participants,
            answered,
        } = root.state
        else {
            self.roots.insert(at.tid, root);
            return;
        };
        let commit = outcome.is_ok();
        if commit {
            self.stats.committed += 1;
        } else {
            self.stats.aborted += 1;
        }
        let result = InvocationResult {
            id: root.id,
            seq: Some(seq),
            outcome,
        };
        if !result.id.is_null() {
            let key = result.id.to_string();
            self.running_ids.remove(&key);
            self.dedup
                .record_result(key.into(), &result, self.config.dedup_window);
        }
        // Partition 0 answered the clients known when the `seq` was asked; a repeat of the
        // invocation that joined since is answered here.
        for reply in root.replies.into_iter().skip(answered) {
            self.answer(reply, result.clone());
        }
        for p in participants {
            self.send(p, Message::Finish { at, commit });
        }
    }

    fn wound(&mut self, interp: &Interpreter<'_>, at: Attempt) {
        let Some(root) = self.roots.get_mut(&at.tid) else {
            return;
        };
        if root.attempt != at.n || !matches!(root.state, RootState::Running) {
            return;
        }
        root.attempt += 1;
        let joined = std::mem::take(&mut root.joined);
        self.stats.restarted += 1;
        self.finish_local(at, false);
        for p in joined {
            self.send(p, Message::Finish { at, commit: false });
        }
        self.start_attempt(interp, at.tid);
    }

    // ------------------------------------------------------------------------------------------
    // Participants.

    /// Publishes or discards an attempt's writes here and releases its locks.
    fn finish_local(&mut self, at: Attempt, commit: bool) {
        let Some(local) = self.locals.remove(&at) else {
            return;
        };
        if let Some(w) = local.waiting {
            let lock_key = (w.entity, w.key);
            if let Some(lock) = self.locks.get_mut(&lock_key) {
                if lock.holder == at {
                    // Granted but not yet resumed: pass the lock on.
                    self.ready.retain(|x| *x != at);
                    self.release(lock_key.0, lock_key.1);
                } else {
                    lock.waiters.retain(|x| *x != at);
                }
            }
        }
        for (entity, key, working) in local.locked {
            if commit {
                if let Some(record) = working {
                    match self.store[entity].get_mut(&key) {
                        Some(r) => *r = record,
                        None => {
                            self.store[entity].insert(key.clone(), record);
                        }
                    }
                }
            }
            self.release(entity, key);
        }
    }

    fn release(&mut self, entity: usize, key: String) {
        let lock_key = (entity, key);
        let Some(lock) = self.locks.get_mut(&lock_key) else {
            return;
        };
        if lock.waiters.is_empty() {
            self.locks.remove(&lock_key);
            return;
        }
        let next = lock.waiters.remove(0);
        lock.holder = next;
        lock.holder_root = self.locals.get(&next).map_or(self.id, |l| l.root);
        self.ready.push_back(next);
    }

    /// Takes the lock of (entity, key) for `at` and continues `request`, or queues it.
    fn request_lock(&mut self, at: Attempt, entity: usize, key_value: Value, request: Pending) {
        let key = key_text(&key_value);
        let root = self.locals.get(&at).map_or(self.id, |l| l.root);
        let lock_key = (entity, key.clone());
        let granted = match self.locks.get_mut(&lock_key) {
            None => {
                self.locks.insert(
                    lock_key,
                    Lock {
                        holder: at,
                        holder_root: root,
                        waiters: Vec::new(),
                    },
                );
                true
            }
            Some(lock) if lock.holder == at => true,
            Some(lock) => {
                let pos = lock.waiters.partition_point(|w| *w < at);
                lock.waiters.insert(pos, at);
                let (holder, holder_root) = (lock.holder, lock.holder_root);
                if at.tid < holder.tid {
                    self.send(holder_root, Message::Wound { at: holder });
                }
                false
            }
        };
        let Some(local) = self.locals.get_mut(&at) else {
            return;
        };
        local.waiting = Some(Waiting {
            entity,
            key,
            key_value,
            request,
        });
        if granted {
            self.ready.push_back(at);
        }
    }

    /// `at` holds the lock it waited for: bring the entity in and continue the request.
    fn granted(&mut self, interp: &Interpreter<'_>, at: Attempt) {
        enum Next {
            RootFinished(Result<Json, ErrorReport>),
            Drive(Option<Result<Value, Value>>),
            EndSegment(SegmentEnd),
            Reply(u32, WireOutcome),
        }
        let program = self.program.clone();
        let Some(local) = self.locals.get_mut(&at) else {
            return;
        };
        let Some(Waiting {
            entity,
            key,
            key_value,
            request,
        }) = local.waiting.take()
        else {
            return;
        };
        if local.working_mut(entity, &key).is_none() {
            let working = self.store[entity].get(&key).map(|r| Record {
                self_ref: r.self_ref.clone(),
                fields: Value::deep_copy_all(&r.fields),
            });
            local.locked.push((entity, key.clone(), working));
        }
        let name = program.entities[entity].name.as_str();
        let Some(working) = local
            .locked
            .iter_mut()
            .find(|(e, k, _)| *e == entity && *k == key)
            .map(|(_, _, w)| w)
        else {
            return;
        };
        let next = match request {
            Pending::Create { fields } => Next::RootFinished(if working.is_some() {
                Err(ErrorReport::new(
                    "EntityExists",
                    format!("{name} {} already exists", repr(&key_value)),
                ))
            } else {
                let self_ref = Rc::new(EntityRef {
                    entity: Rc::from(name),
                    key: key_value,
                });
                let reply = ref_json(&self_ref);
                *working = Some(Record { self_ref, fields });
                Ok(reply)
            }),
            Pending::Root {
                method,
                args,
                kwargs,
            } => match working {
                None => Next::RootFinished(Err(not_found(name, &key_value))),
                Some(record) => {
                    match interp.frame(entity, &method, record.self_ref.clone(), args, kwargs) {
                        Ok(frame) => {
                            local.segments.push(Segment {
                                frames: vec![(frame, entity, key)],
                                caller: None,
                                base_depth: 0,
                                participants: BTreeSet::new(),
                            });
                            Next::Drive(None)
                        }
                        Err(e) => Next::RootFinished(Err(exception_report(&e))),
                    }
                }
            },
            Pending::Local {
                op,
                depth,
                caller_entity,
                caller_key,
            } => match working {
                None => Next::EndSegment(SegmentEnd::Fatal(not_found(name, &key_value))),
                Some(record) => {
                    let same = caller_entity == entity && caller_key == key;
                    match local_call(
                        interp,
                        entity,
                        caller_entity == entity,
                        same,
                        (&record.self_ref, &record.fields),
                        op,
                        depth as usize,
                    ) {
                        LocalCall::Frame(f) => {
                            if let Some(seg) = local.segments.last_mut() {
                                seg.frames.push((f, entity, key));
                            }
                            Next::Drive(None)
                        }
                        LocalCall::Reply(r) => Next::Drive(Some(r)),
                    }
                }
            },
            Pending::Remote {
                op,
                caller,
                caller_type,
                depth,
            } => match working {
                None => {
                    let report = not_found(name, &key_value);
                    Next::Reply(
                        caller,
                        WireOutcome::Fatal {
                            kind: report.kind,
                            message: report.message,
                        },
                    )
                }
                Some(record) => {
                    // The arguments were copied on the wire: no second copy.
                    match local_call(
                        interp,
                        entity,
                        name == caller_type,
                        true,
                        (&record.self_ref, &record.fields),
                        op,
                        depth as usize,
                    ) {
                        LocalCall::Frame(f) => {
                            local.segments.push(Segment {
                                frames: vec![(f, entity, key)],
                                caller: Some(caller),
                                base_depth: depth,
                                participants: BTreeSet::new(),
                            });
                            Next::Drive(None)
                        }
                        LocalCall::Reply(r) => Next::Reply(caller, WireOutcome::from_reply(r)),
                    }
                }
            },
        };
        match next {
            Next::RootFinished(outcome) => self.root_finished(at, outcome, BTreeSet::new()),
            Next::Drive(pending) => self.drive(interp, at, pending),
            Next::EndSegment(end) => self.end_segment(at, end),
            Next::Reply(caller, outcome) => self.reply_to(caller, at, outcome, BTreeSet::new()),
        }
    }

    fn reply_to(
        &mut self,
        caller: u32,
        at: Attempt,
        outcome: WireOutcome,
        mut participants: BTreeSet<u32>,
    ) {
        participants.insert(self.id);
        let steps = self.locals.get(&at).map_or(0, |local| local.steps);
        let outcome = match self
            .config
            .max_message_bytes
            .map(|l| (l, json_len(&outcome)))
        {
            Some((limit, len)) if len > limit => {
                WireOutcome::Raise(value_to_tagged(&too_large("reply", len, limit)))
            }
            _ => outcome,
        };
        self.send(
            caller,
            Message::Reply {
                at,
                outcome,
                participants: participants.into_iter().collect(),
                steps,
            },
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn remote_call(
        &mut self,
        at: Attempt,
        root: u32,
        caller: u32,
        caller_type: String,
        entity: String,
        key: Json,
        op: WireOp,
        depth: u32,
        steps: u64,
    ) {
        let fail = |kind: &str, message: String| WireOutcome::Fatal {
            kind: kind.into(),
            message,
        };
        let Some(index) = self.program.entity_index(&entity) else {
            let outcome = fail("InvalidRequest", format!("unknown entity type '{entity}'"));
            return self.reply_to(caller, at, outcome, BTreeSet::new());
        };
        let (key_value, op) = match (value_from_tagged(&key), op.to_op()) {
            (Ok(k), Ok(op)) => (k, op),
            (Err(e), _) | (_, Err(e)) => {
                let outcome = fail("RuntimeError", format!("undecodable call: {e}"));
                return self.reply_to(caller, at, outcome, BTreeSet::new());
            }
        };
        if root == self.id && self.roots.get(&at.tid).is_none_or(|r| r.attempt != at.n) {
            return; // a call of an attempt this partition already aborted
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = self.locals.entry(at) {
            slot.insert(Local::new(root));
            if root != self.id {
                self.send(
                    root,
                    Message::Joined {
                        at,
                        partition: self.id,
                    },
                );
            }
        }
        if let Some(local) = self.locals.get_mut(&at) {
            local.steps = local.steps.max(steps);
        }
        let request = Pending::Remote {
            op,
            caller,
            caller_type,
            depth,
        };
        self.request_lock(at, index, key_value, request);
    }

    /// Runs the attempt's top frame here until the segment ends, waits for a lock, or calls
    /// another partition. `pending` is the reply the top frame was waiting for.
    fn drive(
        &mut self,
        interp: &Interpreter<'_>,
        at: Attempt,
        mut pending: Option<Result<Value, Value>>,
    ) {
        loop {
            let Some(local) = self.locals.get_mut(&at) else {
                return;
            };
            let Some(seg) = local.segments.last_mut() else {
                return;
            };
            let depth = seg.base_depth + seg.frames.len() as u32;
            let Some((frame, entity, key)) = seg.frames.last_mut() else {
                return;
            };
            let (caller_entity, caller_key) = (*entity, key.clone());
            if let Some(reply) = pending.take() {
                if let Some(exc) = interp.resume(frame, reply) {
                    seg.frames.pop();
                    let Some((_, pe, pk)) = seg.frames.last() else {
                        return self.end_segment(at, SegmentEnd::Value(Err(exc)));
                    };
                    let crosses = *pe != caller_entity || *pk != caller_key;
                    pending = Some(reply_to_caller(Err(exc), crosses));
                    continue;
                }
            }
            interp.set_steps(local.steps);
            let step = {
                let Some(Some(record)) = local
                    .locked
                    .iter_mut()
                    .find(|(e, k, _)| *e == caller_entity && *k == caller_key)
                    .map(|(_, _, w)| w)
                else {
                    return self.end_segment(
                        at,
                        SegmentEnd::Fatal(ErrorReport::new(
                            "RuntimeError",
                            "frame entity not held by the transaction",
                        )),
                    );
                };
                interp.run(frame, &mut record.fields)
            };
            local.steps = interp.steps();
            match step {
                Step::Return(v) => {
                    seg.frames.pop();
                    let Some((_, pe, pk)) = seg.frames.last() else {
                        return self.end_segment(at, SegmentEnd::Value(Ok(v)));
                    };
                    let crosses = *pe != caller_entity || *pk != caller_key;
                    pending = Some(reply_to_caller(Ok(v), crosses));
                }
                Step::Raise(e) => {
                    seg.frames.pop();
                    let Some((_, pe, pk)) = seg.frames.last() else {
                        return self.end_segment(at, SegmentEnd::Value(Err(e)));
                    };
                    let crosses = *pe != caller_entity || *pk != caller_key;
                    pending = Some(reply_to_caller(Err(e), crosses));
                }
                Step::Call { target, op } => {
                    let Some(target_entity) = self.program.entity_index(&target.entity) else {
                        let report = ErrorReport::new(
                            "InvalidRequest",
                            format!("unknown entity type '{}'", target.entity),
                        );
                        return self.end_segment(at, SegmentEnd::Fatal(report));
                    };
                    let to = partition_of(&target.entity, &target.key_text(), self.count);
                    if to == self.id {
                        let request = Pending::Local {
                            op,
                            depth,
                            caller_entity,
                            caller_key,
                        };
                        let key_value = target.key.clone();
                        return self.request_lock(at, target_entity, key_value, request);
                    }
                    let root = local.root;
                    let caller_type = self.program.entities[caller_entity].name.clone();
                    let message = Message::Call {
                        at,
                        root,
                        caller: self.id,
                        caller_type,
                        entity: target.entity.to_string(),
                        key: value_to_tagged(&target.key),
                        op: WireOp::from_op(&op),
                        depth,
                        steps: local.steps,
                    };
                    if let Some(limit) = self.config.max_message_bytes {
                        let len = json_len(&message);
                        if len > limit {
                            let what = match &op {
                                CallOp::Invoke { method, .. } => {
                                    format!("call of {}.{method}", target.entity)
                                }
                                CallOp::GetField(_) => format!("call to {}", target.entity),
                            };
                            pending = Some(Err(too_large(&what, len, limit)));
                            continue;
                        }
                    }
                    return self.send(to, message);
                }
            }
        }
    }

    /// The attempt's top segment here ended: reply to its caller, or finish the transaction.
    fn end_segment(&mut self, at: Attempt, end: SegmentEnd) {
        let Some(local) = self.locals.get_mut(&at) else {
            return;
        };
        let Some(seg) = local.segments.pop() else {
            return;
        };
        match seg.caller {
            Some(caller) => {
                let outcome = match end {
                    SegmentEnd::Value(r) => WireOutcome::from_reply(r),
                    SegmentEnd::Fatal(report) => WireOutcome::Fatal {
                        kind: report.kind,
                        message: report.message,
                    },
                };
                self.reply_to(caller, at, outcome, seg.participants);
            }
            None => {
                let outcome = match end {
                    // A result the contract cannot encode fails the transaction.
                    SegmentEnd::Value(Ok(v)) => value_to_json(&v).map_err(|e| exception_report(&e)),
                    SegmentEnd::Value(Err(e)) => Err(exception_report(&e)),
                    SegmentEnd::Fatal(report) => Err(report),
                };
                self.root_finished(at, outcome, seg.participants);
            }
        }
    }
}

/// Takes position `n` of a numbered channel whose next expected position is `next`: `Ok(true)`
/// for the next one (and moves on), `Ok(false)` for a repeat, `Err(expected)` when an earlier
/// one is missing.
fn take_position(next: &mut u64, n: u64) -> Result<bool, u64> {
    if n > *next {
        return Err(*next);
    }
    let fresh = n == *next;
    if fresh {
        *next = n + 1;
    }
    Ok(fresh)
}

/// The version of the [`Partition::checkpoint`] format.
const CHECKPOINT_VERSION: u64 = 1;

impl Partition {
    /// Whether nothing is in flight here: no locks, no attempts, no coordinated transactions,
    /// no dump waiting. Only then can [`Partition::checkpoint`] capture the partition.
    pub fn is_quiescent(&self) -> bool {
        self.locals.is_empty()
            && self.roots.is_empty()
            && self.locks.is_empty()
            && self.running_ids.is_empty()
            && self.pending_dumps.is_empty()
            && self.held.is_empty()
    }

    /// The whole partition as JSON (committed entities with tagged values, the dedup table, the
    /// Lamport clock, the next `seq`, channel positions), or `None` while something is in
    /// flight. [`Partition::restore`] of it behaves exactly as this partition would.
    pub fn checkpoint(&self) -> Option<Json> {
        if !self.is_quiescent() {
            return None;
        }
        let mut records = Vec::new();
        for (entity, map) in self.store.iter().enumerate() {
            for (key, r) in map {
                records.push(serde_json::json!([
                    entity,
                    key,
                    value_to_tagged(&r.self_ref.key),
                    runtime_common::contract::values_to_tagged(&r.fields),
                ]));
            }
        }
        let sorted = |m: &FxHashMap<u32, u64>| {
            let mut v: Vec<(u32, u64)> = m.iter().map(|(k, v)| (*k, *v)).collect();
            v.sort_unstable();
            v
        };
        let dedup: Vec<(&str, &str)> = self.dedup.iter().map(|(k, v)| (&**k, &**v)).collect();
        let mut doors: Vec<(u64, u64)> = self.door_next.iter().map(|(k, v)| (*k, *v)).collect();
        doors.sort_unstable();
        Some(serde_json::json!({
            "version": CHECKPOINT_VERSION,
            "partition": self.id,
            "partitions": self.count,
            "clock": self.clock,
            "next_seq": self.next_seq,
            "records": records,
            "dedup": dedup,
            "peer_next_in": sorted(&self.peer_next_in),
            "peer_next_out": self.peer_next_out,
            "ingress_next": sorted(&self.ingress_next),
            "door_next": doors,
        }))
    }

    /// Rebuilds partition `id` of `count` from a [`Partition::checkpoint`].
    pub fn restore(
        program: Arc<Program>,
        id: u32,
        count: u32,
        config: PartitionConfig,
        checkpoint: &Json,
    ) -> Result<Partition, String> {
        #[derive(serde::Deserialize)]
        struct Saved {
            version: u64,
            partition: u32,
            partitions: u32,
            clock: u64,
            next_seq: u64,
            records: Vec<(usize, String, Json, Vec<Json>)>,
            dedup: Vec<(String, String)>,
            peer_next_in: Vec<(u32, u64)>,
            peer_next_out: Vec<u64>,
            ingress_next: Vec<(u32, u64)>,
            #[serde(default)]
            door_next: Vec<(u64, u64)>,
        }
        let saved: Saved = serde_json::from_value(checkpoint.clone())
            .map_err(|e| format!("malformed partition checkpoint: {e}"))?;
        if saved.version != CHECKPOINT_VERSION {
            return Err(format!(
                "partition checkpoint version {} (this build reads {CHECKPOINT_VERSION})",
                saved.version
            ));
        }
        if saved.partition != id || saved.partitions != count.max(1) {
            return Err(format!(
                "the checkpoint is of partition {} of {}, not {id} of {count}",
                saved.partition, saved.partitions
            ));
        }
        if saved.peer_next_out.len() != count.max(1) as usize {
            return Err("malformed partition checkpoint: peer_next_out".into());
        }
        let mut partition = Partition::new(program, id, count, config);
        for (entity, key, key_value, fields) in saved.records {
            let Some(ent) = partition.program.entities.get(entity) else {
                return Err(format!(
                    "the checkpoint names entity type {entity}, absent from the program"
                ));
            };
            let key_value = value_from_tagged(&key_value)?;
            let fields = runtime_common::contract::values_from_tagged(&fields)?;
            if fields.len() != ent.fields.len() {
                return Err(format!(
                    "the checkpoint has {} fields for {}, the program {}",
                    fields.len(),
                    ent.name,
                    ent.fields.len()
                ));
            }
            let self_ref = Rc::new(EntityRef {
                entity: Rc::from(ent.name.as_str()),
                key: key_value,
            });
            partition.store[entity].insert(key, Record { self_ref, fields });
        }
        partition.clock = saved.clock;
        partition.next_seq = saved.next_seq;
        partition.dedup = saved
            .dedup
            .into_iter()
            .map(|(k, v)| (Arc::from(k), Arc::from(v)))
            .collect();
        partition.peer_next_in = saved.peer_next_in.into_iter().collect();
        partition.peer_next_out = saved.peer_next_out;
        partition.ingress_next = saved.ingress_next.into_iter().collect();
        partition.door_next = saved.door_next.into_iter().collect();
        Ok(partition)
    }
}
