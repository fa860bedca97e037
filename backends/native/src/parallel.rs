//! Parallel deterministic execution of an epoch, for `--workers N` with N > 1.
//!
//! State is partitioned by key hash; each partition is owned by one worker thread (run-time
//! values never cross threads: what crosses is tagged JSON). Transactions take deterministic
//! locks (as Calvin does), so that conflicting ones wait for each other instead of aborting:
//!
//! 1. **Footprints.** The coordinator predicts the keys each transaction will touch: the entity
//!    it is called on (or creates) and every entity reference among its arguments.
//! 2. **Passes.** An epoch runs in passes. In a pass, each partition queues every transaction of
//!    the pass on each key of its footprint the partition owns, in TID order. A transaction runs
//!    once it heads the queue of every key of its footprint on every partition (its home, the
//!    partition of the entity it is called on, hears from the others); a call to an entity on
//!    another partition is a message carrying the call, and the reply resumes the caller's
//!    parked frames. No thread ever blocks on a lock: queues are data.
//! 3. **Finish.** When a transaction ends, its home tells every partition of its footprint to
//!    make its changes committed state (it returned) or to drop them (an exception escaped, an
//!    entity was missing), and to pass each key on to the next transaction in its queue.
//! 4. **Misses.** A transaction that touches a key outside its footprint stops at once, changes
//!    nothing, and runs again in the next pass with that key added to its footprint (keys
//!    reached through references held in state are learned this way). After two misses it runs
//!    alone in a pass: nothing else runs, so it takes every key as it reaches it and finishes.
//!
//! Why it is serializable: a transaction reads and writes only keys it holds, and it holds a key
//! only after every smaller TID of its pass queued on that key has finished, and no greater one
//! touches the key before it finishes; transactions that miss have no effect. So each pass equals
//! a serial execution, in TID order, of the transactions that finished in it, and the serial
//! order (and so `seq`) is: pass 1's finished transactions in TID order, then pass 2's, ...
//! Without misses that is the input order. Why it cannot deadlock: a transaction waits only
//! before it starts, and only for smaller TIDs, which never wait for it. Every decision depends
//! only on the epoch's input and the state, never on timing or on the number of partitions, so
//! the output is the same on every run and for every `--workers` value greater than one.

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

use indexmap::IndexMap;
use ir::Program;
use runtime_common::contract::{
    check_json_args, crossing_to_tagged, crossing_values_to_tagged, exception_report, fields_json,
    internal_error, json_to_value, ref_json, request_args, value_from_tagged, value_to_json,
    value_to_tagged, values_from_tagged, values_to_tagged, Invalid, RefKey,
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

use crate::engine::{
    export_records, import_records, EngineConfig, Executor, Exported, ExportedRecord, Record, Stats,
};

type Tid = u64;

/// An entity instance: its type's index and its canonical key text.
type Key = (usize, String);

/// Where a record stands in the creation order of all partitions: the pass that created it
/// (passes are numbered alike on every partition; 0 for records loaded from a snapshot) and its
/// creator's TID (a pass's transactions serialize in TID order), or its place in the snapshot.
type Created = (u64, u64);

/// The entities one transaction touched on a partition, with its view of their fields.
type Workspace = Vec<(usize, String, Working)>;

/// Where a call segment returns to.
#[derive(Clone, Copy, Debug)]
enum ReturnTo {
    /// The transaction's root: its home partition concludes it.
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
        /// `repr` of the key when it is not a str.
        key_repr: Option<String>,
    },
    Create {
        entity: usize,
        key: String,
        key_value: Json,
        fields: Vec<Json>,
    },
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

/// What ends a transaction before it returns or raises: a missing entity (the transaction
/// fails), or a key outside its footprint (it runs again in the next pass).
#[derive(Clone, Debug)]
enum Fatal {
    Failed(ErrorReport),
    Missed(Key),
}

/// A reply between partitions: a value, a catchable exception, or a fatal end of the whole
/// transaction.
#[derive(Clone, Debug)]
enum Reply {
    Value(Json),
    Exception(Json),
    Fatal(Fatal),
}

/// How a transaction of a pass ended.
#[derive(Clone, Debug)]
enum Outcome {
    /// It returned a value or failed: final, in this pass's serial order.
    Finished(Result<Json, ErrorReport>),
    /// It touched this key outside its footprint: it changed nothing and runs again.
    Missed(Key),
}

/// A transaction of a pass, as one partition of its footprint sees it.
struct PassTxn {
    tid: Tid,
    /// The keys of its footprint this partition owns: it queues on them.
    keys: Vec<Key>,
    /// The partition that runs its root and concludes it.
    home: usize,
    /// On its home partition: what to run, and every partition of its footprint.
    start: Option<(Arc<Start>, Vec<usize>)>,
    /// It runs alone in its pass: it takes any key it reaches when it reaches it.
    alone: bool,
}

enum ToWorker {
    /// The transactions of a pass that queue on this partition's keys, in TID order.
    Pass {
        pass: u64,
        txns: Vec<PassTxn>,
    },
    /// Transaction `tid` heads every queue of its keys on the sending partition.
    Ready {
        tid: Tid,
    },
    Call {
        tid: Tid,
        entity: usize,
        key: String,
        op: RemoteOp,
        /// `repr` of the key when it is not a str.
        key_repr: Option<String>,
        same_type: bool,
        depth: usize,
        return_to: ReturnTo,
        /// Blocks the transaction has run so far, on every partition (its step budget).
        steps: u64,
    },
    Reply {
        tid: Tid,
        segment: u64,
        reply: Reply,
        /// Blocks the transaction has run so far, on every partition.
        steps: u64,
    },
    /// Transaction `tid` ended: keep its changes (`commit`) or drop them, and release its keys.
    Finish {
        tid: Tid,
        commit: bool,
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
    /// A transaction of the pass ended; every partition of its footprint has been told (the
    /// messages are on their way ahead of anything the coordinator sends next).
    Done { tid: Tid, outcome: Outcome },
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
    /// The record's index in its type's store (`None`: the transaction creates it).
    place: Option<usize>,
}

struct Segment {
    tid: Tid,
    stack: Vec<(Frame, String)>,
    return_to: ReturnTo,
    depth: usize,
    pending: Option<Result<Value, Value>>,
}

/// A transaction queued on this partition's keys in the current pass.
#[derive(Default)]
struct Queued {
    /// Its keys here.
    keys: Vec<Key>,
    /// How many of them it does not head the queue of yet.
    blocked: usize,
    /// Its home partition.
    home: usize,
    /// On its home: what to run and every partition of its footprint.
    start: Option<(Arc<Start>, Vec<usize>)>,
    /// On its home: how many partitions reported it heads all its queues there.
    ready: usize,
    /// It runs alone in its pass (see [`PassTxn::alone`]).
    alone: bool,
}

/// Why a transaction cannot see an entity.
enum Unseen {
    /// The entity does not exist (and the transaction holds its key: that is final).
    Absent,
    /// The key is outside the transaction's footprint.
    Unlocked,
}

struct Worker {
    me: usize,
    program: Arc<Program>,
    peers: Vec<Sender<ToWorker>>,
    coordinator: Sender<ToCoordinator>,
    store: Vec<IndexMap<String, Record, FastHash>>,
    /// Per entity type and key, the transactions queued on it, holder first.
    locks: Vec<HashMap<String, std::collections::VecDeque<Tid>, FastHash>>,
    queued: HashMap<Tid, Queued, FastHash>,
    /// Transactions that hold all their keys and may start.
    runnable: Vec<Tid>,
    /// Transactions whose root ended here, to conclude once their turn is over.
    concluded: Vec<(Tid, Outcome)>,
    workspaces: HashMap<Tid, Workspace, FastHash>,
    segments: HashMap<u64, Segment, FastHash>,
    next_segment: u64,
    dead: BTreeSet<Tid>,
    /// How to undo each unfinished transaction's changes to this partition's containers (see
    /// [`Worker::enter`]).
    undo: HashMap<Tid, journal::Undo, FastHash>,
    outbox: Vec<Vec<ToWorker>>,
    coordinator_outbox: Vec<ToCoordinator>,
    /// Blocks each transaction has run, on every partition (its step budget; calls and replies
    /// carry the count from partition to partition).
    steps: HashMap<Tid, u64, FastHash>,
    /// Per entity type, the creation order of each record, by its index in `store`.
    created: Vec<Vec<Created>>,
    /// The pass being run.
    pass: u64,
    /// The most blocks a transaction may run.
    max_steps: u64,
}

/// The next message of `inbox`, or `None` once every sender is gone. A partition waiting for
/// a reply or a key usually hears within microseconds, sooner than a parked thread wakes up, so
/// it polls a few times, yielding the core in between, before it parks. (50,000 transfers into
/// one account with `--workers 2`: 2.4–2.6 s parking at once, 0.3–0.5 s with 60 polls; the
/// uncontended transfer workload costs the same either way.)
fn next_or_wait<T>(inbox: &Receiver<T>) -> Option<T> {
    for _ in 0..SPINS_BEFORE_PARKING {
        match inbox.try_recv() {
            Ok(msg) => return Some(msg),
            Err(std::sync::mpsc::TryRecvError::Empty) => std::thread::yield_now(),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return None,
        }
    }
    inbox.recv().ok()
}

/// How often [`next_or_wait`] polls before it parks.
const SPINS_BEFORE_PARKING: usize = 50;

impl Worker {
    /// Transaction `tid`'s view of an entity, made on first use from the committed record.
    fn working(&mut self, tid: Tid, entity: usize, key: &str) -> Result<&mut Working, Unseen> {
        let ws = self.workspaces.entry(tid).or_default();
        if let Some(i) = ws.iter().position(|(e, k, _)| *e == entity && k == key) {
            return Ok(&mut ws[i].2);
        }
        let holder = self.locks[entity].get(key).and_then(|q| q.front()).copied();
        if holder != Some(tid) {
            let queued = self.queued.get_mut(&tid);
            match queued {
                // Alone in its pass, the transaction takes the key: no one else holds or
                // waits for it.
                Some(queued) if queued.alone && holder.is_none() => {
                    queued.keys.push((entity, key.to_string()));
                    self.locks[entity]
                        .entry(key.to_string())
                        .or_default()
                        .push_back(tid);
                }
                _ => return Err(Unseen::Unlocked),
            }
        }
        let Some((place, _, record)) = self.store[entity].get_full(key) else {
            return Err(Unseen::Absent);
        };
        ws.push((
            entity,
            key.to_string(),
            Working {
                self_ref: record.self_ref.clone(),
                fields: record.fields.clone(),
                place: Some(place),
            },
        ));
        let last = ws.len() - 1;
        Ok(&mut ws[last].2)
    }

    /// Why a transaction cannot see an entity (`key_repr`: the key's `repr` when it is not a
    /// str), as what ends the transaction.
    fn unseen(&self, why: Unseen, entity: usize, key: &str, key_repr: Option<&str>) -> Fatal {
        match why {
            Unseen::Absent => {
                let name = &self.program.entities[entity].name;
                let message = match key_repr {
                    Some(shown) => format!("{name} {shown} does not exist"),
                    None => format!("{name} {} does not exist", repr(&Value::str(key))),
                };
                Fatal::Failed(ErrorReport::new("EntityNotFound", message))
            }
            Unseen::Unlocked => Fatal::Missed((entity, key.to_string())),
        }
    }

    fn run(mut self, inbox: Receiver<ToWorker>) {
        let program = self.program.clone();
        let interp = Interpreter::new(&program);
        interp.set_step_limit(self.max_steps);
        // Handle everything queued, then send what it produced in one message per destination:
        // fewer thread wake-ups than one message per call or reply.
        while let Some(msg) = next_or_wait(&inbox) {
            let mut go_on = self.handle(&interp, msg);
            self.settle(&interp);
            while go_on {
                match inbox.try_recv() {
                    Ok(more) => go_on = self.handle(&interp, more),
                    Err(_) => break,
                }
                self.settle(&interp);
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
            ToWorker::Pass { pass, txns } => {
                self.pass = pass;
                for txn in txns {
                    self.queue(txn);
                }
            }
            ToWorker::Ready { tid } => self.count_ready(tid),
            ToWorker::Call {
                tid,
                entity,
                key,
                op,
                key_repr,
                same_type,
                depth,
                return_to,
                steps,
            } => {
                self.carry_steps(tid, steps);
                self.enter(tid);
                self.call(
                    interp, tid, entity, key, op, key_repr, same_type, depth, return_to,
                );
                self.leave(tid);
            }
            ToWorker::Reply {
                tid,
                segment,
                reply,
                steps,
            } => {
                self.carry_steps(tid, steps);
                self.enter(tid);
                self.reply(interp, tid, segment, reply);
                self.leave(tid);
            }
            ToWorker::Finish { tid, commit } => self.finish_here(tid, commit),
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

    /// Queues a transaction of the pass on its keys here.
    fn queue(&mut self, txn: PassTxn) {
        let mut blocked = 0;
        for (entity, key) in &txn.keys {
            let locks = &mut self.locks[*entity];
            let queue = match locks.get_mut(key) {
                Some(queue) => queue,
                None => locks.entry(key.clone()).or_default(),
            };
            if !queue.is_empty() {
                blocked += 1;
            }
            queue.push_back(txn.tid);
        }
        // Its home may have heard from other partitions already.
        let queued = self.queued.entry(txn.tid).or_default();
        queued.keys = txn.keys;
        queued.blocked = blocked;
        queued.home = txn.home;
        queued.start = txn.start;
        queued.alone = txn.alone;
        if blocked == 0 {
            self.heads_all(txn.tid);
        }
    }

    /// Transaction `tid` heads every queue of its keys here: tell its home.
    fn heads_all(&mut self, tid: Tid) {
        let home = self.queued.get(&tid).map_or(self.me, |q| q.home);
        if home == self.me {
            self.count_ready(tid);
        } else {
            self.send_to_peer(home, ToWorker::Ready { tid });
        }
    }

    /// On `tid`'s home: one more partition of its footprint is ready; once all are, it may run.
    fn count_ready(&mut self, tid: Tid) {
        let queued = self.queued.entry(tid).or_default();
        queued.ready += 1;
        if queued
            .start
            .as_ref()
            .is_some_and(|(_, partitions)| queued.ready == partitions.len())
        {
            self.runnable.push(tid);
        }
    }

    /// Starts the transactions that may run and concludes the ones that ended, until none is
    /// left (one may let the next run).
    fn settle(&mut self, interp: &Interpreter<'_>) {
        loop {
            if let Some((tid, outcome)) = self.concluded.pop() {
                self.conclude(tid, outcome);
            } else if let Some(tid) = self.runnable.pop() {
                let start = self.queued.get(&tid).and_then(|q| q.start.clone());
                if let Some((start, _)) = start {
                    self.enter(tid);
                    self.start(interp, tid, &start);
                    self.leave(tid);
                }
            } else {
                return;
            }
        }
    }

    /// On `tid`'s home, after its root ended: every partition of its footprint keeps or drops
    /// its changes and releases its keys, then the coordinator hears how it ended. (A worker
    /// sends to its peers before the coordinator, so they have the news before anything the
    /// coordinator sends next.)
    fn conclude(&mut self, tid: Tid, outcome: Outcome) {
        let commit = matches!(outcome, Outcome::Finished(Ok(_)));
        let partitions = self
            .queued
            .get(&tid)
            .and_then(|q| q.start.as_ref())
            .map(|(_, partitions)| partitions.clone())
            .unwrap_or_default();
        for p in partitions {
            if p == self.me {
                self.finish_here(tid, commit);
            } else {
                self.send_to_peer(p, ToWorker::Finish { tid, commit });
            }
        }
        self.send_to_coordinator(ToCoordinator::Done { tid, outcome });
    }

    /// Transaction `tid` ended: its changes here become committed state (`commit`) or are
    /// dropped, and each of its keys passes to the next transaction queued on it.
    fn finish_here(&mut self, tid: Tid, commit: bool) {
        let undo = self.undo.remove(&tid);
        let ws = self.workspaces.remove(&tid).unwrap_or_default();
        if !commit {
            if let Some(undo) = undo {
                journal::undo(undo);
            }
        }
        if commit {
            for (entity, key, w) in ws {
                match w.place.and_then(|i| self.store[entity].get_index_mut(i)) {
                    Some((_, record)) => record.fields = w.fields,
                    None => {
                        let record = Record {
                            self_ref: w.self_ref,
                            fields: w.fields,
                            copied_at: 0,
                        };
                        self.store[entity].insert(key, record);
                        self.created[entity].push((self.pass, tid));
                    }
                }
            }
        }
        if self.dead.remove(&tid) {
            self.segments.retain(|_, seg| seg.tid != tid);
        }
        self.steps.remove(&tid);
        let Some(queued) = self.queued.remove(&tid) else {
            return;
        };
        for (entity, key) in queued.keys {
            let Some(queue) = self.locks[entity].get_mut(&key) else {
                continue;
            };
            debug_assert_eq!(queue.front(), Some(&tid));
            queue.pop_front();
            match queue.front().copied() {
                Some(next) => {
                    let next_queued = self.queued.entry(next).or_default();
                    next_queued.blocked -= 1;
                    if next_queued.blocked == 0 {
                        self.heads_all(next);
                    }
                }
                // An empty queue stays for the next transaction on an entity that exists (one per
                // entity, like its record); a key without one does not keep it.
                None => {
                    if !self.store[entity].contains_key(&key) {
                        self.locks[entity].remove(&key);
                    }
                }
            }
        }
    }

    fn start(&mut self, interp: &Interpreter<'_>, tid: Tid, start: &Start) {
        match start {
            Start::Create {
                entity,
                key,
                key_value,
                fields,
            } => {
                let entity = *entity;
                let key_value = value_from_tagged(key_value).unwrap_or(Value::None);
                if self.store[entity].contains_key(key) {
                    let report = ErrorReport::new(
                        "EntityExists",
                        format!(
                            "{} {} already exists",
                            self.program.entities[entity].name,
                            repr(&key_value)
                        ),
                    );
                    self.concluded.push((tid, Outcome::Finished(Err(report))));
                    return;
                }
                let self_ref = Rc::new(EntityRef {
                    entity: Rc::from(self.program.entities[entity].name.as_str()),
                    key: key_value,
                });
                let fields = match values_from_tagged(fields) {
                    Ok(fields) => fields,
                    Err(e) => {
                        let report =
                            ErrorReport::new("SystemError", format!("internal error: {e}"));
                        self.concluded.push((tid, Outcome::Finished(Err(report))));
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
                        place: None,
                    },
                ));
                self.concluded.push((tid, Outcome::Finished(Ok(reply))));
            }
            Start::Call {
                entity,
                key,
                method,
                args,
                kwargs,
                key_repr,
            } => {
                let entity = *entity;
                let w = match self.working(tid, entity, key) {
                    Ok(w) => w,
                    Err(why) => {
                        let fatal = self.unseen(why, entity, key, key_repr.as_deref());
                        self.finish_fatal(tid, ReturnTo::Root, fatal);
                        return;
                    }
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
                        let report = ErrorReport::new("InvalidRequest", e);
                        self.concluded.push((tid, Outcome::Finished(Err(report))));
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
                        let report = exception_report(&e);
                        self.concluded.push((tid, Outcome::Finished(Err(report))));
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
            Reply::Fatal(fatal) => {
                let seg = self.segments.remove(&segment).expect("segment exists");
                self.finish_fatal(seg.tid, seg.return_to, fatal);
                return;
            }
        }
        self.drive(interp, segment);
    }

    /// Opens the journal with transaction `tid`'s entries before it runs here, to record what it
    /// changes next. Its earlier changes stayed in place while others ran: every transaction
    /// holds the keys of the entities it touches, and values never cross entities uncopied, so
    /// no other transaction can reach the containers it changed (and no one reads committed
    /// state in the middle of an epoch).
    fn enter(&mut self, tid: Tid) {
        journal::attach(self.undo.remove(&tid).unwrap_or_default());
    }

    /// Closes the journal, keeping what undoes transaction `tid`'s changes here in case it fails
    /// (see [`Worker::enter`]).
    fn leave(&mut self, tid: Tid) {
        let undo = journal::detach();
        if !undo.is_empty() {
            self.undo.insert(tid, undo);
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
        key_repr: Option<String>,
        same_type: bool,
        depth: usize,
        return_to: ReturnTo,
    ) {
        let program = self.program.clone();
        let ent = &program.entities[entity];
        let reply_to = |this: &mut Worker, reply: Reply| {
            if let ReturnTo::Segment { partition, segment } = return_to {
                this.reply_to_segment(partition, tid, segment, reply);
            }
        };
        let w = match self.working(tid, entity, &key) {
            Ok(w) => w,
            Err(why) => {
                let fatal = self.unseen(why, entity, &key, key_repr.as_deref());
                reply_to(self, Reply::Fatal(fatal));
                return;
            }
        };
        let name = match &op {
            RemoteOp::GetField(f) => f,
            RemoteOp::Invoke { method, .. } => method,
        };
        if let Some(refused) = private_access(ent, name, same_type) {
            reply_to(self, Reply::Exception(crossing_to_tagged(&refused)));
            return;
        }
        match op {
            RemoteOp::GetField(field) => {
                let reply = match ent.field_index(&field) {
                    Some(i) if w.fields[i].is_unset() => {
                        Reply::Exception(crossing_to_tagged(&interp.unset_field(entity, i)))
                    }
                    Some(i) => Reply::Value(crossing_to_tagged(&w.fields[i])),
                    None => Reply::Exception(crossing_to_tagged(&Value::exception(
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
                        Reply::Exception(crossing_to_tagged(&Value::exception(
                            "AttributeError",
                            format!("'{}' object has no attribute '{method}'", ent.name),
                        ))),
                    );
                    return;
                }
                if depth >= MAX_CALL_DEPTH {
                    reply_to(
                        self,
                        Reply::Exception(crossing_to_tagged(&Value::exception(
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
                        reply_to(self, Reply::Fatal(Fatal::Failed(report)));
                        return;
                    }
                };
                let kwargs: Vec<(String, Value)> = names.into_iter().zip(values).collect();
                match interp.frame(entity, &method, self_ref, args, kwargs) {
                    Ok(frame) => {
                        let id = self.new_segment(tid, vec![(frame, key)], return_to, depth);
                        self.drive(interp, id);
                    }
                    Err(e) => reply_to(self, Reply::Exception(crossing_to_tagged(&e))),
                }
            }
        }
    }

    /// Takes the step count a call or reply brings: the transaction's blocks so far (counts
    /// only grow along its chain of calls).
    fn carry_steps(&mut self, tid: Tid, steps: u64) {
        let count = self.steps.entry(tid).or_default();
        *count = (*count).max(steps);
    }

    /// Sends a reply to a segment parked on another partition, with the transaction's steps.
    fn reply_to_segment(&mut self, partition: usize, tid: Tid, segment: u64, reply: Reply) {
        let steps = self.steps.get(&tid).copied().unwrap_or(0);
        self.send_to_peer(
            partition,
            ToWorker::Reply {
                tid,
                segment,
                reply,
                steps,
            },
        );
    }

    fn finish_fatal(&mut self, tid: Tid, return_to: ReturnTo, fatal: Fatal) {
        self.dead.insert(tid);
        match return_to {
            ReturnTo::Root => {
                let outcome = match fatal {
                    Fatal::Failed(report) => Outcome::Finished(Err(report)),
                    Fatal::Missed(key) => Outcome::Missed(key),
                };
                self.concluded.push((tid, outcome));
            }
            ReturnTo::Segment { partition, segment } => {
                self.reply_to_segment(partition, tid, segment, Reply::Fatal(fatal));
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
            let report = internal_error(panic.as_ref());
            self.finish_fatal(tid, return_to, Fatal::Failed(report));
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
                let Ok(w) = self.working(tid, caller.0, &caller.1) else {
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
                        let report = ErrorReport::new(
                            "InvalidRequest",
                            format!("unknown entity type '{}'", target.entity),
                        );
                        self.finish_fatal(tid, rt, Fatal::Failed(report));
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
                                    args: crossing_values_to_tagged(&args),
                                    kwargs: names
                                        .into_iter()
                                        .zip(crossing_values_to_tagged(&values))
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
                                key_repr: shown_key(&target.key),
                                same_type: target_entity == caller.0,
                                depth,
                                return_to: ReturnTo::Segment {
                                    partition: self.me,
                                    segment: id,
                                },
                                steps: self.steps.get(&tid).copied().unwrap_or(0),
                            },
                        );
                        return;
                    }
                    let w = match self.working(tid, target_entity, &target_key) {
                        Ok(w) => w,
                        Err(why) => {
                            let seg = self.segments.remove(&id).expect("segment");
                            let (tid, rt) = (seg.tid, seg.return_to);
                            let shown = shown_key(&target.key);
                            let fatal =
                                self.unseen(why, target_entity, &target_key, shown.as_deref());
                            self.finish_fatal(tid, rt, fatal);
                            return;
                        }
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
                self.concluded.push((seg.tid, Outcome::Finished(outcome)));
            }
            ReturnTo::Segment { partition, segment } => {
                let reply = match outcome {
                    Ok(v) => Reply::Value(crossing_to_tagged(&v)),
                    Err(e) => Reply::Exception(crossing_to_tagged(&e)),
                };
                self.reply_to_segment(partition, seg.tid, segment, reply);
            }
        }
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
    /// Passes run so far (the first is 1).
    passes: u64,
}

/// An invocation of an epoch, made ready to run.
enum Prepared {
    /// Answered without running: invalid, or a repeat of an earlier epoch's id.
    Done(InvocationResult),
    /// A repeat of an id earlier in the same epoch (its index).
    Duplicate(usize),
    /// Failed before touching state (`__init__` raised): it serializes first in its pass.
    Failed(Json, Arc<str>, ErrorReport),
    Txn(Pending),
}

/// A transaction waiting to finish.
struct Pending {
    id: Json,
    /// The id as compact JSON text: its key in the dedup table.
    id_text: Arc<str>,
    start: Arc<Start>,
    /// The partition that runs its root.
    home: usize,
    /// The keys it is expected to touch, sorted and without repeats.
    footprint: Vec<Key>,
    /// How many passes it missed a key in.
    misses: u32,
}

/// `repr` of a key that is not a str (a str key's is made from its text when needed).
fn shown_key(key: &Value) -> Option<String> {
    (!matches!(key, Value::Str(_))).then(|| repr(key))
}

/// Transactions the coordinator prepares before sending them to the partitions.
const STREAM_CHUNK: usize = 64;

/// The coordinator's view of one pass.
struct Pass {
    /// The pass's transactions in TID order.
    order: Vec<Tid>,
    /// How many of `order` have their place in the serial order (or run again).
    recorded: usize,
    /// By TID, transactions that ended and are not recorded yet, with their ids (as JSON and
    /// as text).
    ended: Vec<Option<(Json, Arc<str>, Outcome)>>,
    /// Per partition, what is to be sent to it.
    outgoing: Vec<Vec<PassTxn>>,
    /// Transactions added since the last send.
    unsent: usize,
}

impl Pass {
    /// A pass over an epoch of `size` invocations.
    fn new(partitions: usize, size: usize) -> Pass {
        let mut ended = Vec::new();
        ended.resize_with(size, || None);
        Pass {
            order: Vec::new(),
            recorded: 0,
            ended,
            outgoing: (0..partitions).map(|_| Vec::new()).collect(),
            unsent: 0,
        }
    }

    /// Adds a transaction to the pass: each partition of its footprint queues it on the keys
    /// it owns; its home runs it. A transaction `alone` in its pass is sent to every partition
    /// and takes the keys it reaches as it goes.
    fn add(&mut self, tid: Tid, txn: &Pending, partitions: usize, alone: bool) {
        // Usually one or two partitions: a short list, sorted by partition.
        let mut keys: Vec<(usize, Vec<Key>)> = if alone {
            (0..partitions).map(|p| (p, Vec::new())).collect()
        } else {
            vec![(txn.home, Vec::new())]
        };
        for key in &txn.footprint {
            let owner = partition_of(key.0, &key.1, partitions);
            match keys.binary_search_by_key(&owner, |(p, _)| *p) {
                Ok(at) => keys[at].1.push(key.clone()),
                Err(at) => keys.insert(at, (owner, vec![key.clone()])),
            }
        }
        let involved: Vec<usize> = keys.iter().map(|(p, _)| *p).collect();
        for (p, keys) in keys {
            let start = (p == txn.home).then(|| (txn.start.clone(), involved.clone()));
            self.outgoing[p].push(PassTxn {
                tid,
                keys,
                home: txn.home,
                start,
                alone,
            });
        }
        self.order.push(tid);
        self.unsent += 1;
    }
}

/// After this many misses a transaction runs alone in a pass, where nothing else runs, so it
/// can take every key it reaches as it reaches it: it finishes in that pass.
const MISSES_BEFORE_RUNNING_ALONE: u32 = 2;

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
                        let locks = program
                            .entities
                            .iter()
                            .map(|_| HashMap::default())
                            .collect();
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
                            locks,
                            queued: HashMap::default(),
                            runnable: Vec::new(),
                            concluded: Vec::new(),
                            undo: HashMap::default(),
                            outbox: (0..partitions).map(|_| Vec::new()).collect(),
                            coordinator_outbox: Vec::new(),
                            steps: HashMap::default(),
                            created,
                            pass: 0,
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
            passes: 0,
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
        seen: &mut HashMap<Arc<str>, usize, FastHash>,
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
        // The footprint: the entity called or created, and every reference among a call's
        // arguments (others are learned when touched). A call's arguments are only checked
        // here (its home partition decodes them); a creation's run `__init__` here.
        let mut footprint: Vec<Key> = Vec::new();
        let checked = match &inv.request {
            Request::Call { args, kwargs, .. } => {
                let mut on_ref = |entity: &str, key: RefKey<'_>| {
                    if let Some(index) = program.entity_index(entity) {
                        let text = match key {
                            RefKey::Str(s) => s.to_string(),
                            RefKey::Int(i) => i.to_string(),
                        };
                        footprint.push((index, text));
                    }
                };
                check_json_args(args, kwargs, &program, &mut on_ref).map(|()| None)
            }
            Request::Create { .. } => request_args(&inv.request, &program).map(Some),
        };
        let converted = match checked {
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
        let key: Arc<str> = inv.id.to_string().into();
        if let Some(previous) = self
            .dedup
            .get(&key)
            .and_then(|t| runtime_common::contract::from_slice_unbounded(t.as_bytes()).ok())
            .and_then(|j| InvocationResult::from_json(&j))
        {
            self.stats.deduplicated += 1;
            return Prepared::Done(previous);
        }
        if let Some(first) = seen.get(&*key) {
            self.stats.deduplicated += 1;
            return Prepared::Duplicate(*first);
        }
        let (start, home) = match inv.request {
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
                let home = partition_of(index, &text, self.workers.len());
                footprint.push((index, text.clone()));
                (
                    Start::Call {
                        entity: index,
                        key: text,
                        method,
                        args,
                        kwargs,
                        key_repr: shown_key(&key_value),
                    },
                    home,
                )
            }
            Request::Create { entity, .. } => {
                let index = program.entity_index(&entity).unwrap_or(0);
                let (args, kwargs) = converted.unwrap_or_default();
                match run_init(interp, index, &entity, args, kwargs) {
                    Ok((key_value, fields)) => {
                        let text = key_text(&key_value);
                        let home = partition_of(index, &text, self.workers.len());
                        // `__init__` makes no calls: the new key is all a creation touches.
                        footprint = vec![(index, text.clone())];
                        (
                            Start::Create {
                                entity: index,
                                key: text,
                                key_value: value_to_tagged(&key_value),
                                fields: values_to_tagged(&fields),
                            },
                            home,
                        )
                    }
                    Err(report) => {
                        seen.insert(key.clone(), index);
                        return Prepared::Failed(inv.id, key, report);
                    }
                }
            }
        };
        seen.insert(key.clone(), index);
        footprint.sort_unstable();
        footprint.dedup();
        Prepared::Txn(Pending {
            id: inv.id,
            id_text: key,
            start: Arc::new(start),
            home,
            footprint,
            misses: 0,
        })
    }

    /// Runs a batch (one epoch) and returns one result per entry, in input order.
    ///
    /// The first pass streams: each transaction goes to its partitions as soon as it is
    /// prepared, in chunks, and results are recorded as soon as every smaller TID of the pass
    /// has ended, so the coordinator's work overlaps the partitions'.
    pub fn execute(&mut self, batch: Vec<Result<Invocation, Invalid>>) -> Vec<InvocationResult> {
        let program = self.program.clone();
        let interp = Interpreter::new(&program);
        // `__init__` runs here, under the same step limit as the rest of a transaction.
        interp.set_step_limit(self.config.max_steps);
        let mut seen = HashMap::default();
        let mut results: Vec<Option<InvocationResult>> = vec![None; batch.len()];
        let mut duplicates: Vec<(usize, usize)> = Vec::new();
        // By TID: the transactions that have not finished.
        let mut pending: Vec<Option<Pending>> = Vec::new();
        pending.resize_with(results.len(), || None);
        let mut pass = Pass::new(self.workers.len(), results.len());
        self.passes += 1;
        for (i, inv) in batch.into_iter().enumerate() {
            let tid = i as Tid;
            match self.prepare(&interp, inv, &mut seen, i) {
                Prepared::Done(r) => results[i] = Some(r),
                Prepared::Duplicate(first) => duplicates.push((i, first)),
                Prepared::Failed(id, id_text, report) => {
                    pass.order.push(tid);
                    pass.ended[i] = Some((id, id_text, Outcome::Finished(Err(report))));
                }
                Prepared::Txn(txn) => {
                    pass.add(tid, &txn, self.workers.len(), false);
                    pending[i] = Some(txn);
                    if pass.unsent >= STREAM_CHUNK {
                        self.send_pass(&mut pass);
                    }
                }
            }
            if i % STREAM_CHUNK == 0 {
                while let Ok(msg) = self.inbox.try_recv() {
                    self.unread.push_back(msg);
                }
                if !self.take_done(&mut pass, &mut pending, &mut results, false) {
                    return Vec::new();
                }
            }
        }
        loop {
            self.send_pass(&mut pass);
            if !self.take_done(&mut pass, &mut pending, &mut results, true) {
                return Vec::new();
            }
            if pending.iter().all(Option::is_none) {
                break;
            }
            // The transactions that missed a key run again, with it, in a new pass; one that
            // keeps missing runs alone (see MISSES_BEFORE_RUNNING_ALONE).
            self.passes += 1;
            pass = Pass::new(self.workers.len(), results.len());
            let waiting = pending
                .iter()
                .enumerate()
                .filter_map(|(tid, txn)| Some((tid as Tid, txn.as_ref()?)));
            let alone = waiting
                .clone()
                .next()
                .filter(|(_, txn)| txn.misses >= MISSES_BEFORE_RUNNING_ALONE)
                .map(|(tid, _)| tid);
            for (tid, txn) in waiting {
                match alone {
                    None => pass.add(tid, txn, self.workers.len(), false),
                    Some(first) if first == tid => pass.add(tid, txn, self.workers.len(), true),
                    Some(_) => {}
                }
            }
        }
        for (i, first) in duplicates {
            results[i] = results[first].clone();
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

    /// Sends the transactions of the pass not sent yet to their partitions.
    fn send_pass(&mut self, pass: &mut Pass) {
        for (p, txns) in pass.outgoing.iter_mut().enumerate() {
            if !txns.is_empty() {
                let txns = std::mem::take(txns);
                let _ = self.workers[p].send(ToWorker::Pass {
                    pass: self.passes,
                    txns,
                });
            }
        }
        pass.unsent = 0;
    }

    /// Takes the ends of transactions the workers reported (waiting for all of the pass's when
    /// `all`), and records, in TID order, every one no smaller TID of the pass is still running
    /// before. `false` when the workers are gone.
    fn take_done(
        &mut self,
        pass: &mut Pass,
        pending: &mut [Option<Pending>],
        results: &mut [Option<InvocationResult>],
        all: bool,
    ) -> bool {
        loop {
            while let Some(&tid) = pass.order.get(pass.recorded) {
                let Some((id, id_text, outcome)) = pass.ended[tid as usize].take() else {
                    break;
                };
                pass.recorded += 1;
                match outcome {
                    Outcome::Finished(outcome) => {
                        pending[tid as usize] = None;
                        self.record(tid, id, id_text, outcome, results);
                    }
                    Outcome::Missed(key) => {
                        if let Some(Some(txn)) = pending.get_mut(tid as usize) {
                            txn.misses += 1;
                            if let Err(at) = txn.footprint.binary_search(&key) {
                                txn.footprint.insert(at, key);
                            }
                            self.stats.reexecuted += 1;
                        }
                    }
                }
            }
            if pass.recorded == pass.order.len() {
                return true;
            }
            let msg = if all {
                match self.next_message() {
                    Ok(msg) => msg,
                    Err(_) => return false,
                }
            } else {
                match self.unread.pop_front() {
                    Some(ToCoordinator::Batch(messages)) => {
                        self.unread.extend(messages);
                        continue;
                    }
                    Some(msg) => msg,
                    None => return true,
                }
            };
            if let ToCoordinator::Done { tid, outcome } = msg {
                if let (Some(Some(txn)), Some(slot)) =
                    (pending.get(tid as usize), pass.ended.get_mut(tid as usize))
                {
                    *slot = Some((txn.id.clone(), txn.id_text.clone(), outcome));
                }
            }
        }
    }

    /// Gives a transaction that ended its place in the serial order and keeps its result.
    fn record(
        &mut self,
        tid: Tid,
        id: Json,
        id_text: Arc<str>,
        outcome: Result<Json, ErrorReport>,
        results: &mut [Option<InvocationResult>],
    ) {
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
        self.dedup
            .record_result(id_text, &result, self.config.dedup_window);
        results[tid as usize] = Some(result);
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
        // Logs of the earlier, optimistic parallel engine (`parallel`) replay in another order.
        "parallel-locking"
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
