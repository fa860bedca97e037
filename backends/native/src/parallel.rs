//! Parallel deterministic execution of an epoch (Aria-style), for `--workers N` with N > 1.
//!
//! State is partitioned by key hash; each partition is owned by one worker thread (run-time
//! values never cross threads: what crosses is tagged JSON). An epoch runs in rounds:
//!
//! 1. **Optimistic execution.** Every transaction of the round runs concurrently against the
//!    round-start state. A transaction sees an entity through its own copy of the entity's
//!    fields, but shares the containers and changes them in place with the undo journal open
//!    (`runtime_common::journal`): when it parks or ends on a partition its changes are taken
//!    out again (and kept to redo), so between two transactions' turns every container holds
//!    the round-start state, and no copy costs an entity's size. A call to an entity on another
//!    partition is a message carrying the call; the caller's frames stay parked where they are,
//!    and the reply resumes them. No locks.
//! 2. **Validation.** Each partition computes which of its keys every transaction wrote (created
//!    the entity, gave a field another object, or changed a container the entity's committed
//!    fields reach; a transaction that raised or hit a missing entity writes nothing) and
//!    reserves every written key for the smallest TID writing it. A transaction that touched a
//!    key reserved by a smaller TID (read-after-write, which includes write-after-write since
//!    writing implies touching; reading that a key is absent counts) *aborts* and runs again in
//!    the next round with its TID. Only the aborted TIDs (and then their footprints) reach the
//!    coordinator.
//! 3. **Commit.** Every other transaction is accepted: it read only keys no smaller accepted
//!    transaction wrote, so it saw exactly what a serial execution in TID order would have shown
//!    it, and its result (a value, or the exception that failed it) is final. Successful ones
//!    redo their container changes and publish their fields, in TID order; no two of them wrote
//!    the same key.
//!
//! The serial order, and so `seq`, is: the accepted transactions of round 1 in TID order, then
//! those of round 2, ... Without conflicts that is the input order. Every decision depends only on
//! the epoch's input and the state, never on timing or on the number of partitions, so the output
//! is the same on every run and for every `--workers` value greater than one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

use indexmap::IndexMap;
use ir::Program;
use runtime_common::contract::{
    exception_report, fields_json, internal_error, json_to_value, ref_json, request_args,
    value_from_tagged, value_to_json, value_to_tagged, values_from_tagged, values_to_tagged,
    Invalid,
};
use runtime_common::format::repr;
use runtime_common::value::{key_text, FastHash};
use runtime_common::{
    CallOp, EntityRef, ErrorReport, Frame, Interpreter, Invocation, InvocationResult, Request,
    Step, Value,
};
use serde_json::Value as Json;

use runtime_common::calls::{
    local_call, private_access, reply_to_caller, run_init, LocalCall, MAX_CALL_DEPTH,
};
use runtime_common::dedup::Dedup;
use runtime_common::journal;
use rustc_hash::FxHashSet;

use crate::engine::{
    export_records, import_records, EngineConfig, Executor, Exported, ExportedRecord, Record, Stats,
};

type Tid = u64;

/// Where a record stands in the creation order of all partitions: the round that created it
/// (rounds are numbered alike on every partition; 0 for records loaded from a snapshot) and its
/// creator's TID (accepted transactions commit in TID order), or its place in the snapshot.
type Created = (u64, u64);

/// A transaction and a key it touched (entity type, canonical key).
type TouchedKey = (Tid, (usize, String));

/// The entities one transaction touched on a partition, with its view of their fields.
type Workspace = Vec<(usize, String, Working)>;

/// Where a call segment returns to.
#[derive(Clone, Copy, Debug)]
enum ReturnTo {
    /// The transaction's root: report to the coordinator.
    Root,
    /// A parked segment on another partition.
    Segment { partition: usize, segment: u64 },
}

/// What a transaction's root asks of its partition.
#[derive(Clone, Debug)]
enum Start {
    Call {
        entity: usize,
        key: String,
        method: String,
        args: Vec<Json>,
        kwargs: Vec<(String, Json)>,
        missing: String,
    },
    Create {
        entity: usize,
        key: String,
        key_value: Json,
        fields: Vec<Json>,
    },
    /// Failed before touching any state (e.g. `__init__` raised).
    Failed(ErrorReport),
}

/// A remote operation in flight between partitions.
#[derive(Clone, Debug)]
enum RemoteOp {
    Invoke {
        method: String,
        args: Vec<Json>,
        kwargs: Vec<(String, Json)>,
    },
    GetField(String),
}

/// A reply between partitions: a value, a catchable exception, or a fatal abort of the whole
/// transaction (a missing entity).
#[derive(Clone, Debug)]
enum Reply {
    Value(Json),
    Exception(Json),
    Fatal(ErrorReport),
}

enum ToWorker {
    Round(Vec<(Tid, Arc<Start>)>),
    Call {
        tid: Tid,
        entity: usize,
        key: String,
        op: RemoteOp,
        missing: String,
        same_type: bool,
        depth: usize,
        return_to: ReturnTo,
    },
    Reply {
        tid: Tid,
        segment: u64,
        reply: Reply,
    },
    /// The round ran: find the transactions that conflict on this partition's keys.
    Validate {
        failed: Arc<BTreeSet<Tid>>,
    },
    /// Commit every transaction of the round but the aborted ones (which run again) and the
    /// failed ones (whose writes are dropped).
    Decide {
        aborted: Arc<BTreeSet<Tid>>,
    },
    /// Every record with its place in the creation order.
    DumpState(Sender<Result<Vec<(Created, ExportedRecord)>, String>>),
    Get(usize, String, Sender<Option<Json>>),
    /// Records with their places in the exported (creation) order.
    Load(Vec<(u64, ExportedRecord)>),
    /// Several messages sent at once.
    Batch(Vec<ToWorker>),
    Stop,
}

enum ToCoordinator {
    Done {
        tid: Tid,
        outcome: Result<Json, ErrorReport>,
    },
    /// The transactions that touched a key of the partition that a smaller TID wrote.
    Conflicts(Vec<Tid>),
    /// The round is committed; the keys of this partition each aborted transaction touched.
    Committed(Vec<TouchedKey>),
    /// Several messages sent at once.
    Batch(Vec<ToCoordinator>),
}

/// Which partition owns an entity.
pub fn partition_of(entity: usize, key: &str, partitions: usize) -> usize {
    let mut h = rustc_hash::FxHasher::default();
    entity.hash(&mut h);
    key.hash(&mut h);
    (h.finish() % partitions as u64) as usize
}

/// What a transaction sees of an entity: its own fields (a shallow copy of the committed ones;
/// the containers are shared and changed in place, see [`Worker::enter`]).
struct Working {
    self_ref: Rc<EntityRef>,
    fields: Vec<Value>,
    /// The transaction created the entity.
    created: bool,
    /// Decided at validation: the transaction changed this entity (or created it).
    written: bool,
}

struct Segment {
    tid: Tid,
    stack: Vec<(Frame, String)>,
    return_to: ReturnTo,
    depth: usize,
    pending: Option<Result<Value, Value>>,
}

struct Worker {
    me: usize,
    program: Arc<Program>,
    peers: Vec<Sender<ToWorker>>,
    coordinator: Sender<ToCoordinator>,
    store: Vec<IndexMap<String, Record, FastHash>>,
    workspaces: HashMap<Tid, Workspace, FastHash>,
    segments: HashMap<u64, Segment, FastHash>,
    next_segment: u64,
    dead: BTreeSet<Tid>,
    absent_reads: HashMap<Tid, Vec<(usize, String)>, FastHash>,
    /// The round's failed transactions and every key each transaction touched here, from
    /// validation until the decision.
    validated: (Arc<BTreeSet<Tid>>, Vec<TouchedKey>),
    /// Each suspended transaction's changes to this partition's containers (see
    /// [`Worker::enter`]).
    redo: HashMap<Tid, journal::Redo, FastHash>,
    /// Per entity, the containers its committed fields reach, once needed (see [`wrote`]);
    /// dropped when the entity is written.
    reachable: HashMap<(usize, String), FxHashSet<usize>, FastHash>,
    outbox: Vec<Vec<ToWorker>>,
    coordinator_outbox: Vec<ToCoordinator>,
    /// Blocks each transaction has run on this partition in the round (its step budget).
    steps: HashMap<Tid, u64, FastHash>,
    /// Per entity type, the creation order of each record, by its index in `store`.
    created: Vec<Vec<Created>>,
    /// Rounds decided so far (the first is 1).
    rounds: u64,
    /// The most blocks a transaction may run.
    max_steps: u64,
}

impl Worker {
    fn working(&mut self, tid: Tid, entity: usize, key: &str) -> Option<&mut Working> {
        let ws = self.workspaces.entry(tid).or_default();
        if let Some(i) = ws.iter().position(|(e, k, _)| *e == entity && k == key) {
            return Some(&mut ws[i].2);
        }
        let Some(record) = self.store[entity].get(key) else {
            // Reading that a key is absent is a read too: a smaller TID creating it conflicts.
            self.absent_reads
                .entry(tid)
                .or_default()
                .push((entity, key.to_string()));
            return None;
        };
        ws.push((
            entity,
            key.to_string(),
            Working {
                self_ref: record.self_ref.clone(),
                fields: record.fields.clone(),
                created: false,
                written: false,
            },
        ));
        let last = ws.len() - 1;
        Some(&mut ws[last].2)
    }

    fn run(mut self, inbox: Receiver<ToWorker>) {
        let program = self.program.clone();
        let interp = Interpreter::new(&program);
        interp.set_step_limit(self.max_steps);
        // Handle everything queued, then send what it produced in one message per destination:
        // fewer thread wake-ups than one message per call or reply.
        while let Ok(msg) = inbox.recv() {
            let mut go_on = self.handle(&interp, msg);
            while go_on {
                match inbox.try_recv() {
                    Ok(more) => go_on = self.handle(&interp, more),
                    Err(_) => break,
                }
            }
            self.flush();
            if !go_on {
                return;
            }
        }
    }

    fn send_to_peer(&mut self, partition: usize, msg: ToWorker) {
        self.outbox[partition].push(msg);
    }

    fn send_to_coordinator(&mut self, msg: ToCoordinator) {
        self.coordinator_outbox.push(msg);
    }

    fn flush(&mut self) {
        for (p, out) in self.outbox.iter_mut().enumerate() {
            match out.len() {
                0 => {}
                1 => {
                    let _ = self.peers[p].send(out.pop().expect("one message"));
                }
                _ => {
                    let _ = self.peers[p].send(ToWorker::Batch(std::mem::take(out)));
                }
            }
        }
        if !self.coordinator_outbox.is_empty() {
            let _ = self.coordinator.send(ToCoordinator::Batch(std::mem::take(
                &mut self.coordinator_outbox,
            )));
        }
    }

    /// Handles one message; `false` when the worker must stop.
    fn handle(&mut self, interp: &Interpreter<'_>, msg: ToWorker) -> bool {
        let program = self.program.clone();
        match msg {
            ToWorker::Round(txns) => {
                for (tid, start) in txns {
                    self.enter(tid);
                    self.start(interp, tid, &start);
                    self.leave(tid);
                }
            }
            ToWorker::Call {
                tid,
                entity,
                key,
                op,
                missing,
                same_type,
                depth,
                return_to,
            } => {
                self.enter(tid);
                self.call(
                    interp, tid, entity, key, op, missing, same_type, depth, return_to,
                );
                self.leave(tid);
            }
            ToWorker::Reply {
                tid,
                segment,
                reply,
            } => {
                self.enter(tid);
                self.reply(interp, tid, segment, reply);
                self.leave(tid);
            }
            ToWorker::Validate { failed } => {
                // Every key lives on one partition, and so do all its reads and writes: each
                // key is reserved for the smallest TID writing it, and a transaction that
                // touched (read, wrote or found absent) a key reserved by a smaller TID aborts.
                for (tid, ws) in &mut self.workspaces {
                    // A failed transaction read what it touched but writes nothing.
                    if failed.contains(tid) {
                        continue;
                    }
                    let redo = self.redo.get(tid);
                    for (entity, key, w) in ws {
                        w.written = w.created
                            || match self.store[*entity].get(key.as_str()) {
                                None => true,
                                Some(record) => {
                                    wrote(&record.fields, &w.fields, redo, |redo| {
                                        let place = (*entity, key.clone());
                                        let reaches_any = |reach: &FxHashSet<usize>| {
                                            redo.containers().any(|c| reach.contains(&c))
                                        };
                                        if let Some(reach) = self.reachable.get(&place) {
                                            return reaches_any(reach);
                                        }
                                        let reach = Value::reachable_containers(&record.fields);
                                        let hit = reaches_any(&reach);
                                        // Small entities are walked again rather than kept.
                                        if reach.len() >= REACH_CACHED {
                                            self.reachable.insert(place, reach);
                                        }
                                        hit
                                    })
                                }
                            };
                    }
                }
                let mut reserved: HashMap<(usize, &str), Tid, FastHash> = HashMap::default();
                for (tid, ws) in &self.workspaces {
                    if failed.contains(tid) {
                        continue;
                    }
                    for (entity, key, _) in ws.iter().filter(|(_, _, w)| w.written) {
                        let first = reserved.entry((*entity, key.as_str())).or_insert(*tid);
                        *first = (*first).min(*tid);
                    }
                }
                let mut aborted = BTreeSet::new();
                let mut touched = Vec::new();
                let absent = self
                    .absent_reads
                    .iter()
                    .flat_map(|(tid, reads)| reads.iter().map(move |(e, k)| (*tid, *e, k)));
                let present = self
                    .workspaces
                    .iter()
                    .flat_map(|(tid, ws)| ws.iter().map(move |(e, k, _)| (*tid, *e, k)));
                for (tid, entity, key) in absent.chain(present) {
                    if reserved
                        .get(&(entity, key.as_str()))
                        .is_some_and(|first| *first < tid)
                    {
                        aborted.insert(tid);
                    }
                    touched.push((tid, (entity, key.clone())));
                }
                self.absent_reads.clear();
                self.validated = (failed, touched);
                self.send_to_coordinator(ToCoordinator::Conflicts(aborted.into_iter().collect()));
            }
            ToWorker::Decide { aborted } => {
                let (failed, touched) = std::mem::take(&mut self.validated);
                let footprints = touched
                    .into_iter()
                    .filter(|(tid, _)| aborted.contains(tid))
                    .collect();
                let mut committed: Vec<(Tid, Workspace)> = self
                    .workspaces
                    .drain()
                    .filter(|(tid, _)| !aborted.contains(tid) && !failed.contains(tid))
                    .collect();
                committed.sort_by_key(|(tid, _)| *tid);
                self.rounds += 1;
                for (tid, ws) in committed {
                    // Its changes to the containers of what it wrote become committed state.
                    if let Some(redo) = self.redo.remove(&tid) {
                        if ws.iter().any(|(_, _, w)| w.written) {
                            journal::apply(redo);
                        }
                    }
                    for (entity, key, w) in ws {
                        if w.written {
                            self.reachable.remove(&(entity, key.clone()));
                            let (_, added) = self.store[entity].insert_full(
                                key,
                                Record {
                                    self_ref: w.self_ref,
                                    fields: w.fields,
                                    copied_at: 0,
                                },
                            );
                            if added.is_none() {
                                self.created[entity].push((self.rounds, tid));
                            }
                        }
                    }
                }
                self.segments.clear();
                self.dead.clear();
                self.steps.clear();
                self.redo.clear();
                self.send_to_coordinator(ToCoordinator::Committed(footprints));
            }
            ToWorker::DumpState(reply) => {
                // Records are exported type by type, each type in index order.
                let order = self.created.iter().flatten().copied();
                let _ = reply.send(Ok(order.zip(export_records(&self.store)).collect()));
            }
            ToWorker::Get(entity, key, reply) => {
                let _ = reply.send(
                    self.store[entity]
                        .get(&key)
                        .map(|r| fields_json(&program.entities[entity], &r.fields)),
                );
            }
            ToWorker::Load(records) => {
                let (places, records): (Vec<u64>, Vec<ExportedRecord>) =
                    records.into_iter().unzip();
                let entities: Vec<usize> = records.iter().map(|r| r.0).collect();
                import_records(&program, &mut self.store, records);
                self.reachable.clear();
                for (entity, place) in entities.into_iter().zip(places) {
                    if self.created[entity].len() < self.store[entity].len() {
                        self.created[entity].push((0, place));
                    }
                }
            }
            ToWorker::Batch(messages) => {
                for m in messages {
                    if !self.handle(interp, m) {
                        return false;
                    }
                }
            }
            ToWorker::Stop => return false,
        }
        true
    }

    fn start(&mut self, interp: &Interpreter<'_>, tid: Tid, start: &Start) {
        match start {
            Start::Failed(report) => {
                self.send_to_coordinator(ToCoordinator::Done {
                    tid,
                    outcome: Err(report.clone()),
                });
            }
            Start::Create {
                entity,
                key,
                key_value,
                fields,
            } => {
                let entity = *entity;
                if self.store[entity].contains_key(key) {
                    self.absent_reads
                        .entry(tid)
                        .or_default()
                        .push((entity, key.clone()));
                    let key_value = value_from_tagged(key_value).unwrap_or(Value::None);
                    let report = ErrorReport::new(
                        "EntityExists",
                        format!(
                            "{} {} already exists",
                            self.program.entities[entity].name,
                            repr(&key_value)
                        ),
                    );
                    self.send_to_coordinator(ToCoordinator::Done {
                        tid,
                        outcome: Err(report),
                    });
                    return;
                }
                let key_value = value_from_tagged(key_value).unwrap_or(Value::None);
                let self_ref = Rc::new(EntityRef {
                    entity: Rc::from(self.program.entities[entity].name.as_str()),
                    key: key_value,
                });
                let fields = match values_from_tagged(fields) {
                    Ok(fields) => fields,
                    Err(e) => {
                        let report =
                            ErrorReport::new("SystemError", format!("internal error: {e}"));
                        self.send_to_coordinator(ToCoordinator::Done {
                            tid,
                            outcome: Err(report),
                        });
                        return;
                    }
                };
                let reply = ref_json(&self_ref);
                self.workspaces.entry(tid).or_default().push((
                    entity,
                    key.clone(),
                    Working {
                        self_ref,
                        fields,
                        created: true,
                        written: true,
                    },
                ));
                self.send_to_coordinator(ToCoordinator::Done {
                    tid,
                    outcome: Ok(reply),
                });
            }
            Start::Call {
                entity,
                key,
                method,
                args,
                kwargs,
                missing,
            } => {
                let entity = *entity;
                let Some(w) = self.working(tid, entity, key) else {
                    self.send_to_coordinator(ToCoordinator::Done {
                        tid,
                        outcome: Err(ErrorReport::new("EntityNotFound", missing.clone())),
                    });
                    return;
                };
                let self_ref = w.self_ref.clone();
                let program = self.program.clone();
                let convert = |j: &Json| json_to_value(j, &program);
                let args: Result<Vec<Value>, String> = args.iter().map(convert).collect();
                let kwargs: Result<Vec<(String, Value)>, String> = kwargs
                    .iter()
                    .map(|(k, j)| Ok((k.clone(), convert(j)?)))
                    .collect();
                let (args, kwargs) = match (args, kwargs) {
                    (Ok(a), Ok(k)) => (a, k),
                    (Err(e), _) | (_, Err(e)) => {
                        self.send_to_coordinator(ToCoordinator::Done {
                            tid,
                            outcome: Err(ErrorReport::new("InvalidRequest", e)),
                        });
                        return;
                    }
                };
                match interp.frame(entity, method, self_ref, args, kwargs) {
                    Ok(frame) => {
                        let id =
                            self.new_segment(tid, vec![(frame, key.clone())], ReturnTo::Root, 0);
                        self.drive(interp, id);
                    }
                    Err(e) => {
                        self.send_to_coordinator(ToCoordinator::Done {
                            tid,
                            outcome: Err(exception_report(&e)),
                        });
                    }
                }
            }
        }
    }

    /// A reply to one of this partition's parked segments: resume it.
    fn reply(&mut self, interp: &Interpreter<'_>, tid: Tid, segment: u64, reply: Reply) {
        // Replies to a transaction that failed are dropped, except the failure itself: it
        // travels back along the chain of segments to the root, which reports it, also through
        // partitions that saw it first (a → b → a → missing).
        if self.dead.contains(&tid) && !matches!(reply, Reply::Fatal(_)) {
            return;
        }
        let Some(seg) = self.segments.get_mut(&segment) else {
            return;
        };
        match reply {
            Reply::Value(v) => {
                seg.pending =
                    Some(value_from_tagged(&v).map_err(|e| Value::exception("RuntimeError", e)))
            }
            Reply::Exception(e) => {
                seg.pending =
                    Some(Err(value_from_tagged(&e)
                        .unwrap_or_else(|m| Value::exception("RuntimeError", m))))
            }
            Reply::Fatal(report) => {
                let seg = self.segments.remove(&segment).expect("segment exists");
                self.finish_fatal(seg.tid, seg.return_to, report);
                return;
            }
        }
        self.drive(interp, segment);
    }

    /// Puts transaction `tid`'s changes to this partition's containers back before it runs here
    /// (or its state is read), with the journal open to record what it changes next.
    fn enter(&mut self, tid: Tid) {
        journal::resume(self.redo.remove(&tid).unwrap_or_default());
    }

    /// Takes transaction `tid`'s changes out of the containers again, so that they hold the
    /// round-start state while other transactions run.
    fn leave(&mut self, tid: Tid) {
        let redo = journal::suspend();
        if !redo.is_empty() {
            self.redo.insert(tid, redo);
        }
    }

    fn new_segment(
        &mut self,
        tid: Tid,
        stack: Vec<(Frame, String)>,
        return_to: ReturnTo,
        depth: usize,
    ) -> u64 {
        let id = self.next_segment;
        self.next_segment += 1;
        self.segments.insert(
            id,
            Segment {
                tid,
                stack,
                return_to,
                depth,
                pending: None,
            },
        );
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn call(
        &mut self,
        interp: &Interpreter<'_>,
        tid: Tid,
        entity: usize,
        key: String,
        op: RemoteOp,
        missing: String,
        same_type: bool,
        depth: usize,
        return_to: ReturnTo,
    ) {
        let program = self.program.clone();
        let ent = &program.entities[entity];
        let reply_to = |this: &mut Worker, reply: Reply| {
            if let ReturnTo::Segment { partition, segment } = return_to {
                this.send_to_peer(
                    partition,
                    ToWorker::Reply {
                        tid,
                        segment,
                        reply,
                    },
                );
            }
        };
        let Some(w) = self.working(tid, entity, &key) else {
            reply_to(
                self,
                Reply::Fatal(ErrorReport::new("EntityNotFound", missing)),
            );
            return;
        };
        let name = match &op {
            RemoteOp::GetField(f) => f,
            RemoteOp::Invoke { method, .. } => method,
        };
        if let Some(refused) = private_access(ent, name, same_type) {
            reply_to(self, Reply::Exception(value_to_tagged(&refused)));
            return;
        }
        match op {
            RemoteOp::GetField(field) => {
                let reply = match ent.field_index(&field) {
                    Some(i) if w.fields[i].is_unset() => {
                        Reply::Exception(value_to_tagged(&interp.unset_field(entity, i)))
                    }
                    Some(i) => Reply::Value(value_to_tagged(&w.fields[i])),
                    None => Reply::Exception(value_to_tagged(&Value::exception(
                        "AttributeError",
                        format!("'{}' object has no attribute '{field}'", ent.name),
                    ))),
                };
                reply_to(self, reply);
            }
            RemoteOp::Invoke {
                method,
                args,
                kwargs,
            } => {
                let visible = ent
                    .method(&method)
                    .is_some_and(|m| m.is_public() || same_type);
                if !visible {
                    reply_to(
                        self,
                        Reply::Exception(value_to_tagged(&Value::exception(
                            "AttributeError",
                            format!("'{}' object has no attribute '{method}'", ent.name),
                        ))),
                    );
                    return;
                }
                if depth >= MAX_CALL_DEPTH {
                    reply_to(
                        self,
                        Reply::Exception(value_to_tagged(&Value::exception(
                            "RecursionError",
                            "maximum recursion depth exceeded",
                        ))),
                    );
                    return;
                }
                let self_ref = w.self_ref.clone();
                // Positional and keyword arguments each arrive as one tagged group.
                let (names, values): (Vec<String>, Vec<Json>) = kwargs.into_iter().unzip();
                let (args, values) = match (values_from_tagged(&args), values_from_tagged(&values))
                {
                    (Ok(args), Ok(values)) => (args, values),
                    (Err(e), _) | (_, Err(e)) => {
                        let report =
                            ErrorReport::new("SystemError", format!("internal error: {e}"));
                        reply_to(self, Reply::Fatal(report));
                        return;
                    }
                };
                let kwargs: Vec<(String, Value)> = names.into_iter().zip(values).collect();
                match interp.frame(entity, &method, self_ref, args, kwargs) {
                    Ok(frame) => {
                        let id = self.new_segment(tid, vec![(frame, key)], return_to, depth);
                        self.drive(interp, id);
                    }
                    Err(e) => reply_to(self, Reply::Exception(value_to_tagged(&e))),
                }
            }
        }
    }

    fn finish_fatal(&mut self, tid: Tid, return_to: ReturnTo, report: ErrorReport) {
        self.dead.insert(tid);
        match return_to {
            ReturnTo::Root => {
                self.send_to_coordinator(ToCoordinator::Done {
                    tid,
                    outcome: Err(report),
                });
            }
            ReturnTo::Segment { partition, segment } => {
                self.send_to_peer(
                    partition,
                    ToWorker::Reply {
                        tid,
                        segment,
                        reply: Reply::Fatal(report),
                    },
                );
            }
        }
    }

    /// Runs a segment until it finishes or parks on a call to another partition. A bug that
    /// panics while the segment runs fails its transaction (`SystemError`, uncatchable, as in
    /// the serial engine) instead of the partition: the transaction writes nothing.
    fn drive(&mut self, interp: &Interpreter<'_>, id: u64) {
        let Some(seg) = self.segments.get(&id) else {
            return;
        };
        let (tid, return_to) = (seg.tid, seg.return_to);
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.drive_segment(interp, id)
        }));
        if let Err(panic) = run {
            self.segments.remove(&id);
            self.finish_fatal(tid, return_to, internal_error(panic.as_ref()));
        }
    }

    fn drive_segment(&mut self, interp: &Interpreter<'_>, id: u64) {
        let program = self.program.clone();
        loop {
            let Some(seg) = self.segments.get_mut(&id) else {
                return;
            };
            let tid = seg.tid;
            let depth = seg.depth + seg.stack.len();
            let Some((frame, key)) = seg.stack.last_mut() else {
                return;
            };
            let caller = (frame.entity, key.clone());
            if let Some(reply) = seg.pending.take() {
                if let Some(exc) = interp.resume(frame, reply) {
                    seg.stack.pop();
                    let Some(parent) = seg.stack.last() else {
                        let seg = self.segments.remove(&id).expect("segment");
                        self.finish(seg, Err(exc));
                        return;
                    };
                    let crosses = parent.0.entity != caller.0 || parent.1 != caller.1;
                    seg.pending = Some(reply_to_caller(Err(exc), crosses));
                    continue;
                }
            }
            let mut frame_taken = seg.stack.pop().expect("frame");
            interp.set_steps(self.steps.get(&tid).copied().unwrap_or(0));
            let step = {
                let Some(w) = self.working(tid, caller.0, &caller.1) else {
                    return;
                };
                interp.run(&mut frame_taken.0, &mut w.fields)
            };
            self.steps.insert(tid, interp.steps());
            let seg = self.segments.get_mut(&id).expect("segment");
            match step {
                Step::Return(v) => {
                    if seg.stack.is_empty() {
                        let seg = self.segments.remove(&id).expect("segment");
                        self.finish(seg, Ok(v));
                        return;
                    }
                    let parent = seg.stack.last().expect("parent");
                    let crosses = parent.0.entity != caller.0 || parent.1 != caller.1;
                    seg.pending = Some(reply_to_caller(Ok(v), crosses));
                }
                Step::Raise(e) => {
                    let Some(parent) = seg.stack.last() else {
                        let seg = self.segments.remove(&id).expect("segment");
                        self.finish(seg, Err(e));
                        return;
                    };
                    let crosses = parent.0.entity != caller.0 || parent.1 != caller.1;
                    seg.pending = Some(reply_to_caller(Err(e), crosses));
                }
                Step::Call { target, op } => {
                    seg.stack.push(frame_taken);
                    let Some(target_entity) = program.entity_index(&target.entity) else {
                        let seg = self.segments.remove(&id).expect("segment");
                        let (tid, rt) = (seg.tid, seg.return_to);
                        self.finish_fatal(
                            tid,
                            rt,
                            ErrorReport::new(
                                "InvalidRequest",
                                format!("unknown entity type '{}'", target.entity),
                            ),
                        );
                        return;
                    };
                    let target_key = target.key_text();
                    let owner = partition_of(target_entity, &target_key, self.peers.len());
                    let same = target_entity == caller.0 && target_key == caller.1;
                    if owner != self.me {
                        let op = match op {
                            CallOp::Invoke {
                                method,
                                args,
                                kwargs,
                            } => {
                                // Positional and keyword arguments each travel as one tagged
                                // group, so what a group shares stays shared.
                                let (names, values): (Vec<String>, Vec<Value>) =
                                    kwargs.into_iter().unzip();
                                RemoteOp::Invoke {
                                    method,
                                    args: values_to_tagged(&args),
                                    kwargs: names
                                        .into_iter()
                                        .zip(values_to_tagged(&values))
                                        .collect(),
                                }
                            }
                            CallOp::GetField(f) => RemoteOp::GetField(f),
                        };
                        self.send_to_peer(
                            owner,
                            ToWorker::Call {
                                tid,
                                entity: target_entity,
                                key: target_key,
                                op,
                                missing: format!(
                                    "{} {} does not exist",
                                    target.entity,
                                    repr(&target.key)
                                ),
                                same_type: target_entity == caller.0,
                                depth,
                                return_to: ReturnTo::Segment {
                                    partition: self.me,
                                    segment: id,
                                },
                            },
                        );
                        return;
                    }
                    let Some(w) = self.working(tid, target_entity, &target_key) else {
                        let seg = self.segments.remove(&id).expect("segment");
                        let (tid, rt) = (seg.tid, seg.return_to);
                        self.finish_fatal(
                            tid,
                            rt,
                            ErrorReport::new(
                                "EntityNotFound",
                                format!("{} {} does not exist", target.entity, repr(&target.key)),
                            ),
                        );
                        return;
                    };
                    let resolved = local_call(
                        interp,
                        target_entity,
                        target_entity == caller.0,
                        same,
                        (&w.self_ref, &w.fields),
                        op,
                        depth,
                    );
                    if let Some(seg) = self.segments.get_mut(&id) {
                        match resolved {
                            LocalCall::Frame(f) => seg.stack.push((f, target_key)),
                            LocalCall::Reply(r) => seg.pending = Some(r),
                        }
                    }
                }
            }
        }
    }

    fn finish(&mut self, seg: Segment, outcome: Result<Value, Value>) {
        match seg.return_to {
            ReturnTo::Root => {
                let outcome = match outcome {
                    Ok(v) => value_to_json(&v).map_err(|e| exception_report(&e)),
                    Err(e) => Err(exception_report(&e)),
                };
                self.send_to_coordinator(ToCoordinator::Done {
                    tid: seg.tid,
                    outcome,
                });
            }
            ReturnTo::Segment { partition, segment } => {
                let reply = match outcome {
                    Ok(v) => Reply::Value(value_to_tagged(&v)),
                    Err(e) => Reply::Exception(value_to_tagged(&e)),
                };
                self.send_to_peer(
                    partition,
                    ToWorker::Reply {
                        tid: seg.tid,
                        segment,
                        reply,
                    },
                );
            }
        }
    }
}

/// The fewest containers an entity must reach for a worker to keep the set (see [`wrote`]).
const REACH_CACHED: usize = 64;

/// Whether a transaction wrote an entity: it gave a field another object than the committed
/// `fields` hold (`mine` is its view of them), or its container changes on this partition
/// (`redo`) reach into them. A change to a field's own container decides at once; for the
/// others, `reaches` says whether any of the changed containers is one the fields reach.
fn wrote(
    fields: &[Value],
    mine: &[Value],
    redo: Option<&journal::Redo>,
    reaches: impl FnOnce(&journal::Redo) -> bool,
) -> bool {
    if fields.len() != mine.len() || fields.iter().zip(mine).any(|(a, b)| !a.is_same_object(b)) {
        return true;
    }
    let Some(redo) = redo else {
        return false;
    };
    let own: Vec<usize> = fields.iter().filter_map(Value::container_id).collect();
    let mut deeper = false;
    for changed in redo.containers() {
        if own.contains(&changed) {
            return true;
        }
        deeper = true;
    }
    deeper && reaches(redo)
}

/// Which aborted transactions may run in the next round (see [`ParallelEngine::execute`]).
#[derive(Default)]
struct Schedule {
    /// Each pending transaction's footprint.
    footprints: HashMap<Tid, Vec<(usize, String)>, FastHash>,
    /// Per key, the pending transactions whose footprint holds it.
    queues: HashMap<(usize, String), BTreeSet<Tid>, FastHash>,
    /// Transactions whose freedom may have changed since the last round.
    dirty: BTreeSet<Tid>,
}

impl Schedule {
    /// A transaction about to run: its old footprint no longer blocks anyone.
    fn forget(&mut self, tid: Tid) {
        for key in self.footprints.remove(&tid).unwrap_or_default() {
            if let Some(queue) = self.queues.get_mut(&key) {
                queue.remove(&tid);
                match queue.first() {
                    Some(head) => {
                        self.dirty.insert(*head);
                    }
                    None => {
                        self.queues.remove(&key);
                    }
                }
            }
        }
        self.dirty.remove(&tid);
    }

    /// A transaction that aborted, with the keys it touched.
    fn remember(&mut self, tid: Tid, footprint: Vec<(usize, String)>) {
        for key in &footprint {
            let queue = self.queues.entry(key.clone()).or_default();
            queue.insert(tid);
            if let Some(head) = queue.first() {
                self.dirty.insert(*head);
            }
        }
        self.dirty.insert(tid);
        self.footprints.insert(tid, footprint);
    }

    /// The transactions that head the queue of every key of their footprint, in TID order.
    fn free(&mut self) -> BTreeSet<Tid> {
        let dirty = std::mem::take(&mut self.dirty);
        dirty
            .into_iter()
            .filter(|tid| {
                self.footprints.get(tid).is_some_and(|f| {
                    f.iter()
                        .all(|k| self.queues.get(k).and_then(|q| q.first()) == Some(tid))
                })
            })
            .collect()
    }
}

/// The parallel engine: a coordinator (the caller's thread) and one worker thread per partition.
pub struct ParallelEngine {
    program: Arc<Program>,
    workers: Vec<Sender<ToWorker>>,
    handles: Vec<JoinHandle<()>>,
    inbox: Receiver<ToCoordinator>,
    unread: std::collections::VecDeque<ToCoordinator>,
    seq: u64,
    dedup: Dedup,
    config: EngineConfig,
    stats: Stats,
}

enum Prepared {
    Done(InvocationResult),
    Duplicate(usize),
    Txn(Json, Arc<Start>, usize),
}

impl ParallelEngine {
    /// Starts `partitions` worker threads (at least 2) for a validated program.
    pub fn new(program: Arc<Program>, config: EngineConfig, partitions: usize) -> Self {
        let partitions = partitions.max(2);
        let (to_coord, inbox) = channel();
        let channels: Vec<(Sender<ToWorker>, Receiver<ToWorker>)> =
            (0..partitions).map(|_| channel()).collect();
        let senders: Vec<Sender<ToWorker>> = channels.iter().map(|(s, _)| s.clone()).collect();
        let mut handles = Vec::new();
        let max_steps = config.max_steps;
        for (me, (_, rx)) in channels.into_iter().enumerate() {
            let (program, peers, coordinator) =
                (program.clone(), senders.clone(), to_coord.clone());
            handles.push(
                std::thread::Builder::new()
                    .name(format!("entiflow-partition-{me}"))
                    .stack_size(runtime_common::contract::DEEP_STACK_BYTES)
                    .spawn(move || {
                        let store = program
                            .entities
                            .iter()
                            .map(|_| IndexMap::default())
                            .collect();
                        let created = program.entities.iter().map(|_| Vec::new()).collect();
                        let worker = Worker {
                            me,
                            program,
                            peers,
                            coordinator,
                            store,
                            workspaces: HashMap::default(),
                            segments: HashMap::default(),
                            next_segment: 0,
                            dead: BTreeSet::new(),
                            absent_reads: HashMap::default(),
                            validated: Default::default(),
                            redo: HashMap::default(),
                            reachable: HashMap::default(),
                            outbox: (0..partitions).map(|_| Vec::new()).collect(),
                            coordinator_outbox: Vec::new(),
                            steps: HashMap::default(),
                            created,
                            rounds: 0,
                            max_steps,
                        };
                        worker.run(rx)
                    })
                    .expect("spawn partition worker"),
            );
        }
        ParallelEngine {
            program,
            workers: senders,
            handles,
            inbox,
            unread: std::collections::VecDeque::new(),
            seq: 0,
            dedup: Dedup::default(),
            config,
            stats: Stats::default(),
        }
    }

    /// The next message from the workers, unpacking batches.
    fn next_message(&mut self) -> Result<ToCoordinator, std::sync::mpsc::RecvError> {
        loop {
            let msg = match self.unread.pop_front() {
                Some(m) => m,
                None => self.inbox.recv()?,
            };
            match msg {
                ToCoordinator::Batch(messages) => self.unread.extend(messages),
                other => return Ok(other),
            }
        }
    }

    fn prepare(
        &mut self,
        interp: &Interpreter<'_>,
        inv: Result<Invocation, Invalid>,
        seen: &mut HashMap<String, usize, FastHash>,
        index: usize,
    ) -> Prepared {
        let inv = match inv {
            Ok(inv) => inv,
            Err((id, message)) => {
                self.stats.invalid += 1;
                return Prepared::Done(InvocationResult {
                    id,
                    seq: None,
                    outcome: Err(ErrorReport::new("InvalidRequest", message)),
                });
            }
        };
        // Arguments are checked first: a repeated id with a bad argument (an unknown entity
        // type in a reference, say) is an invalid request, not a repeat.
        let program = self.program.clone();
        let (args, kwargs) = match request_args(&inv.request, &program) {
            Ok(converted) => converted,
            Err(e) => {
                self.stats.invalid += 1;
                return Prepared::Done(InvocationResult {
                    id: inv.id,
                    seq: None,
                    outcome: Err(ErrorReport::new("InvalidRequest", e)),
                });
            }
        };
        let key = inv.id.to_string();
        if let Some(previous) = self
            .dedup
            .get(key.as_str())
            .and_then(|t| runtime_common::contract::from_slice_unbounded(t.as_bytes()).ok())
            .and_then(|j| InvocationResult::from_json(&j))
        {
            self.stats.deduplicated += 1;
            return Prepared::Done(previous);
        }
        if let Some(first) = seen.get(&key) {
            self.stats.deduplicated += 1;
            return Prepared::Duplicate(*first);
        }
        let (start, partition) = match inv.request {
            // The partition decodes a call's arguments again, from the JSON it is sent.
            Request::Call {
                entity,
                key: k,
                method,
                args,
                kwargs,
            } => {
                let index = program.entity_index(&entity).unwrap_or(0);
                let key_value = match &k {
                    Json::String(s) => Value::str(s),
                    other => Value::Int(other.as_i64().unwrap_or(0)),
                };
                let text = key_text(&key_value);
                let p = partition_of(index, &text, self.workers.len());
                let missing = format!("{entity} {} does not exist", repr(&key_value));
                (
                    Start::Call {
                        entity: index,
                        key: text,
                        method,
                        args,
                        kwargs,
                        missing,
                    },
                    p,
                )
            }
            Request::Create { entity, .. } => {
                let index = program.entity_index(&entity).unwrap_or(0);
                match run_init(interp, index, &entity, args, kwargs) {
                    Ok((key_value, fields)) => {
                        let text = key_text(&key_value);
                        let p = partition_of(index, &text, self.workers.len());
                        (
                            Start::Create {
                                entity: index,
                                key: text,
                                key_value: value_to_tagged(&key_value),
                                fields: values_to_tagged(&fields),
                            },
                            p,
                        )
                    }
                    // Fails before touching state: it serializes at the start of the round.
                    Err(report) => (Start::Failed(report), 0),
                }
            }
        };
        seen.insert(key, index);
        Prepared::Txn(inv.id, Arc::new(start), partition)
    }

    /// Runs a batch (one epoch) and returns one result per entry, in input order.
    pub fn execute(&mut self, batch: Vec<Result<Invocation, Invalid>>) -> Vec<InvocationResult> {
        let program = self.program.clone();
        let interp = Interpreter::new(&program);
        let mut seen = HashMap::default();
        let prepared: Vec<Prepared> = batch
            .into_iter()
            .enumerate()
            .map(|(i, inv)| self.prepare(&interp, inv, &mut seen, i))
            .collect();
        let mut results: Vec<Option<InvocationResult>> = vec![None; prepared.len()];
        let mut pending: BTreeMap<Tid, (Json, Arc<Start>, usize)> = BTreeMap::new();
        for (i, p) in prepared.iter().enumerate() {
            match p {
                Prepared::Done(r) => results[i] = Some(r.clone()),
                Prepared::Txn(id, start, partition) => {
                    pending.insert(i as Tid, (id.clone(), start.clone(), *partition));
                }
                Prepared::Duplicate(_) => {}
            }
        }
        // Round 1 runs everything. Later rounds run only the transactions whose last footprint
        // (the keys they touched when they last ran) is disjoint from every smaller pending
        // transaction's, and always the smallest, so a hot key does not re-execute its whole
        // queue each round. Each key queues the pending transactions whose footprint holds it,
        // so a transaction is free when it heads the queue of every key of its footprint; only
        // transactions that ran, or now head a queue that changed, are checked again, so a
        // round costs what changed in it, not the number of pending transactions.
        let mut schedule = Schedule::default();
        let mut to_run: BTreeSet<Tid> = pending.keys().copied().collect();
        while let Some(first) = pending.keys().next().copied() {
            to_run.insert(first);
            let mut outcomes: BTreeMap<Tid, Result<Json, ErrorReport>> = BTreeMap::new();
            let mut per_partition: Vec<Vec<(Tid, Arc<Start>)>> =
                vec![Vec::new(); self.workers.len()];
            let expected = to_run.len();
            for tid in std::mem::take(&mut to_run) {
                if let Some((_, start, partition)) = pending.get(&tid) {
                    per_partition[*partition].push((tid, start.clone()));
                }
                schedule.forget(tid);
            }
            for (p, txns) in per_partition.into_iter().enumerate() {
                let _ = self.workers[p].send(ToWorker::Round(txns));
            }
            while outcomes.len() < expected {
                match self.next_message() {
                    Ok(ToCoordinator::Done { tid, outcome }) => {
                        outcomes.insert(tid, outcome);
                    }
                    Ok(_) => {}
                    Err(_) => return Vec::new(),
                }
            }
            let failed: Arc<BTreeSet<Tid>> = Arc::new(
                outcomes
                    .iter()
                    .filter(|(_, o)| o.is_err())
                    .map(|(t, _)| *t)
                    .collect(),
            );
            for w in &self.workers {
                let _ = w.send(ToWorker::Validate {
                    failed: failed.clone(),
                });
            }
            let mut aborted = BTreeSet::new();
            for _ in 0..self.workers.len() {
                if let Ok(ToCoordinator::Conflicts(tids)) = self.next_message() {
                    aborted.extend(tids);
                }
            }
            let aborted = Arc::new(aborted);
            for w in &self.workers {
                let _ = w.send(ToWorker::Decide {
                    aborted: aborted.clone(),
                });
            }
            // Footprints matter only for the transactions that run again; the order of the
            // keys in one does not.
            let mut footprints: BTreeMap<Tid, Vec<(usize, String)>> = BTreeMap::new();
            for _ in 0..self.workers.len() {
                if let Ok(ToCoordinator::Committed(keys)) = self.next_message() {
                    for (tid, key) in keys {
                        footprints.entry(tid).or_default().push(key);
                    }
                }
            }
            for (tid, footprint) in footprints {
                schedule.remember(tid, footprint);
            }
            // Serial order of this round: every accepted transaction (committed or failed) in
            // TID order; the aborted ones run again in the next round.
            let order: Vec<Tid> = outcomes
                .keys()
                .copied()
                .filter(|t| !aborted.contains(t))
                .collect();
            for tid in order {
                let Some((id, _, _)) = pending.remove(&tid) else {
                    continue;
                };
                let outcome = outcomes
                    .remove(&tid)
                    .unwrap_or_else(|| Err(ErrorReport::new("RuntimeError", "lost transaction")));
                match &outcome {
                    Ok(_) => self.stats.committed += 1,
                    Err(_) => self.stats.aborted += 1,
                }
                self.seq += 1;
                let result = InvocationResult {
                    id,
                    seq: Some(self.seq),
                    outcome,
                };
                let mut text = Vec::new();
                if result.write_json(&mut text).is_ok() {
                    self.dedup.record(
                        result.id.to_string().into(),
                        String::from_utf8_lossy(&text).into(),
                        self.config.dedup_window,
                    );
                }
                results[tid as usize] = Some(result);
            }
            self.stats.reexecuted += aborted.len() as u64;
            to_run = schedule.free();
        }
        for (i, p) in prepared.iter().enumerate() {
            if let Prepared::Duplicate(first) = p {
                results[i] = results[*first].clone();
            }
        }
        results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| InvocationResult {
                    id: Json::Null,
                    seq: None,
                    outcome: Err(ErrorReport::new("RuntimeError", "no result")),
                })
            })
            .collect()
    }

    fn records(&self) -> Result<Vec<ExportedRecord>, String> {
        let mut all = Vec::new();
        for w in &self.workers {
            let (tx, rx) = channel();
            let _ = w.send(ToWorker::DumpState(tx));
            all.extend(
                rx.recv()
                    .map_err(|_| "partition worker stopped".to_string())??,
            );
        }
        // Type by type, each in creation order: the order the serial engine keeps.
        all.sort_by_key(|(created, record)| (record.0, *created));
        Ok(all.into_iter().map(|(_, record)| record).collect())
    }
}

impl Executor for ParallelEngine {
    fn execute(&mut self, batch: Vec<Result<Invocation, Invalid>>) -> Vec<InvocationResult> {
        ParallelEngine::execute(self, batch)
    }

    /// The state dump of the contract, entities in creation order, as the serial engine gives it.
    fn dump_state(&self) -> Json {
        let mut out = serde_json::Map::new();
        for ent in &self.program.entities {
            out.insert(ent.name.clone(), Json::Object(serde_json::Map::new()));
        }
        for (entity, key, _, fields) in self.records().unwrap_or_default() {
            let ent = &self.program.entities[entity];
            let values = values_from_tagged(&fields).unwrap_or_default();
            if let Some(Json::Object(records)) = out.get_mut(&ent.name) {
                records.insert(key, fields_json(ent, &values));
            }
        }
        Json::Object(out)
    }

    fn entity_state(&self, entity: &str, key: &str) -> Option<Json> {
        let index = self.program.entity_index(entity)?;
        let (tx, rx) = channel();
        let _ = self.workers[partition_of(index, key, self.workers.len())].send(ToWorker::Get(
            index,
            key.to_string(),
            tx,
        ));
        rx.recv().ok()?
    }

    fn stats(&self) -> Stats {
        self.stats.clone()
    }

    fn dedup_window(&self) -> usize {
        self.config.dedup_window
    }

    fn max_steps(&self) -> u64 {
        self.config.max_steps
    }

    fn set_dedup_window(&mut self, window: usize) {
        self.config.dedup_window = window;
    }

    fn kind(&self) -> &'static str {
        "parallel"
    }

    fn export(&self) -> Result<Exported, String> {
        Ok(Exported {
            seq: self.seq,
            dedup: self.dedup.snapshot(),
            records: self.records()?,
        })
    }

    fn import(&mut self, exported: Exported) {
        let mut per_partition: Vec<Vec<(u64, ExportedRecord)>> =
            vec![Vec::new(); self.workers.len()];
        for (place, record) in exported.records.into_iter().enumerate() {
            per_partition[partition_of(record.0, &record.1, self.workers.len())]
                .push((place as u64, record));
        }
        for (w, records) in self.workers.iter().zip(per_partition) {
            let _ = w.send(ToWorker::Load(records));
        }
        self.seq = exported.seq;
        self.dedup = exported.dedup.into();
    }
}

impl Drop for ParallelEngine {
    fn drop(&mut self) {
        for w in &self.workers {
            let _ = w.send(ToWorker::Stop);
        }
        for h in self.handles.drain(..) {
            let _ = h.join();
        }
    }
}
