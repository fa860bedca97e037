//! The transactional core: runs invocations as serializable transactions over entity state.
//!
//! Each invocation is one transaction over every entity its call tree reaches. Transactions of a
//! batch run one after another in input order, so the serial order is the input order and every
//! run of the same input is identical. Since nothing runs beside it, a transaction changes the
//! committed entities in place (a private copy would cost an entity's whole size on every call)
//! and keeps what it needs to take the changes back: the fields of every entity it touched, and
//! the [`journal`] of every change to a list, dict, set or iterator. An exception that escapes
//! the invoked method rolls both back. The call tree is a stack of suspended [`Frame`]s, so
//! A → B → A re-enters A and sees the transaction's own writes.

use std::rc::Rc;

use indexmap::IndexMap;
use ir::Program;
use runtime_common::calls::{
    json_key, local_call, not_found, reply_to_caller, run_init, LocalCall,
};
use runtime_common::contract::{
    drop_deep_json, exception_report, fields_json, internal_error, ref_json, request_args,
    value_from_tagged, value_to_json, value_to_tagged, values_from_tagged, values_to_tagged,
    Invalid,
};
use runtime_common::dedup::Dedup;
use runtime_common::format::repr;
use runtime_common::journal;
use runtime_common::value::key_text;
use runtime_common::{
    EntityRef, ErrorReport, Frame, Interpreter, Invocation, InvocationResult, Request, Step, Value,
};
use serde_json::Value as Json;

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// How many invocation ids are remembered for deduplication.
    pub dedup_window: usize,
    /// The most blocks one transaction may run (see [`runtime_common::interp::DEFAULT_STEP_LIMIT`]).
    pub max_steps: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            dedup_window: 250_000,
            max_steps: runtime_common::interp::DEFAULT_STEP_LIMIT,
        }
    }
}

/// One entity's committed state.
#[derive(Debug, Clone)]
pub struct Record {
    /// The entity's canonical reference (its key as `__key__` returned it).
    pub self_ref: Rc<EntityRef>,
    /// Field values, in schema order.
    pub fields: Vec<Value>,
    /// How many snapshots the serial engine had captured when these fields' containers were
    /// last made this record's own: a capture taken since shares them, so a transaction copies
    /// them before changing them in place. Unused by the parallel engine.
    pub copied_at: u64,
}

/// Committed state: per entity type, records by canonical key text, in creation order.
pub type Store = Vec<IndexMap<String, Record, runtime_common::value::FastHash>>;

/// Counters the engine keeps.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Transactions committed.
    pub committed: u64,
    /// Transactions aborted by an exception (or a missing entity).
    pub aborted: u64,
    /// Invalid requests rejected.
    pub invalid: u64,
    /// Invocations answered from the deduplication table.
    pub deduplicated: u64,
    /// Remote calls executed (including field reads).
    pub remote_calls: u64,
    /// Transactions run again after touching a key outside their predicted footprint (parallel
    /// execution only).
    pub reexecuted: u64,
}

enum Abort {
    Exception(Value),
    Fatal(ErrorReport),
}

/// The entities a transaction touched: each record's place in its type's map and its fields as
/// they were, to put back on an abort. No record is added or removed while a transaction runs,
/// so the places stay valid.
#[derive(Default)]
struct Txn {
    touched: Vec<(usize, usize, Vec<Value>)>,
    /// The places of `touched`, kept once there are more than [`Txn::SCAN`] (a transaction
    /// that fans out to thousands of entities must not scan them all on every call).
    places: rustc_hash::FxHashSet<(usize, usize)>,
}

impl Txn {
    /// Up to this many touched entities, a scan beats hashing.
    const SCAN: usize = 8;

    fn has(&self, entity: usize, place: usize) -> bool {
        if self.touched.len() <= Self::SCAN {
            self.touched
                .iter()
                .any(|(e, p, _)| *e == entity && *p == place)
        } else {
            self.places.contains(&(entity, place))
        }
    }

    /// Brings an entity into the transaction: its place in the store, or `None` if it does not
    /// exist. A record that a snapshot captured since it was last copied gets containers of its
    /// own first, so the snapshot keeps what it captured.
    fn touch(
        &mut self,
        store: &mut Store,
        captures: u64,
        entity: usize,
        key: &str,
    ) -> Option<usize> {
        let place = store[entity].get_index_of(key)?;
        if !self.has(entity, place) {
            let record = &mut store[entity][place];
            if record.copied_at < captures {
                record.fields = Value::deep_copy_all(&record.fields);
                record.copied_at = captures;
            }
            self.touched.push((entity, place, record.fields.clone()));
            if self.touched.len() > Self::SCAN {
                if self.places.is_empty() {
                    self.places = self.touched.iter().map(|(e, p, _)| (*e, *p)).collect();
                } else {
                    self.places.insert((entity, place));
                }
            }
        }
        Some(place)
    }

    /// Takes back every change of the transaction: containers from the journal, then fields.
    fn roll_back(self, store: &mut Store) {
        journal::rollback();
        for (entity, place, fields) in self.touched {
            store[entity][place].fields = fields;
        }
    }
}

/// One exported entity: type index, canonical key, key value and fields (tagged JSON).
pub type ExportedRecord = (usize, String, Json, Vec<Json>);

/// Every record of a store in exportable form (what snapshots hold).
pub(crate) fn export_records(store: &Store) -> Vec<ExportedRecord> {
    let mut records = Vec::new();
    for (entity, map) in store.iter().enumerate() {
        for (key, r) in map {
            records.push((
                entity,
                key.clone(),
                value_to_tagged(&r.self_ref.key),
                values_to_tagged(&r.fields),
            ));
        }
    }
    records
}

/// Puts exported records back into a store.
pub(crate) fn import_records(program: &Program, store: &mut Store, records: Vec<ExportedRecord>) {
    for (entity, key, key_value_json, fields_json) in records {
        let key_value = value_from_tagged(&key_value_json).unwrap_or(Value::None);
        let fields = values_from_tagged(&fields_json)
            .unwrap_or_else(|_| vec![Value::None; program.entities[entity].fields.len()]);
        drop_deep_json(key_value_json);
        fields_json.into_iter().for_each(drop_deep_json);
        let self_ref = Rc::new(EntityRef {
            entity: Rc::from(program.entities[entity].name.as_str()),
            key: key_value,
        });
        store[entity].insert(
            key,
            Record {
                self_ref,
                fields,
                copied_at: 0,
            },
        );
    }
}

/// A consistent copy of the committed state whose entities are encoded on demand
/// ([`Capture::next_records`]), so that a snapshot of a large state never stops the engine for
/// the time it takes to encode all of it.
pub struct Capture {
    /// The last `seq` given out.
    pub seq: u64,
    /// The dedup table, oldest first.
    pub dedup: runtime_common::dedup::DedupSnapshot,
    records: CaptureRecords,
}

enum CaptureRecords {
    /// Already encoded.
    Encoded(std::vec::IntoIter<ExportedRecord>),
    /// The serial engine's committed records, sharing their containers: a transaction copies a
    /// record captured since its last copy before changing it (see [`Record::copied_at`]), so
    /// these stay as they were when captured.
    Shared(std::vec::IntoIter<(usize, String, Rc<EntityRef>, Vec<Value>)>),
}

impl Capture {
    /// Up to `n` more entities, encoded; empty once every entity was given.
    pub fn next_records(&mut self, n: usize) -> Vec<ExportedRecord> {
        match &mut self.records {
            CaptureRecords::Encoded(it) => it.by_ref().take(n).collect(),
            CaptureRecords::Shared(it) => it
                .by_ref()
                .take(n)
                .map(|(entity, key, self_ref, fields)| {
                    (
                        entity,
                        key,
                        value_to_tagged(&self_ref.key),
                        values_to_tagged(&fields),
                    )
                })
                .collect(),
        }
    }
}

/// Committed state in a form that can cross threads and be written to disk: what snapshots
/// hold and what [`Executor::import`] takes back.
#[derive(Debug, Clone, Default)]
pub struct Exported {
    /// The last `seq` given out.
    pub seq: u64,
    /// The dedup table, oldest first.
    pub dedup: runtime_common::dedup::DedupSnapshot,
    /// Every entity: type index, canonical key, key value and fields (tagged JSON).
    pub records: Vec<ExportedRecord>,
}

/// What durability and the front doors need of an engine; the serial [`Engine`] and the
/// partitioned [`crate::ParallelEngine`] both provide it.
pub trait Executor {
    /// Runs one epoch; one result per entry, in input order.
    fn execute(&mut self, batch: Vec<Result<Invocation, Invalid>>) -> Vec<InvocationResult>;
    /// The contract's state dump.
    fn dump_state(&self) -> Json;
    /// One entity's fields, or `None` if absent.
    fn entity_state(&self, entity: &str, key: &str) -> Option<Json>;
    /// Counters since start.
    fn stats(&self) -> Stats;
    /// How many invocation ids the dedup table remembers.
    fn dedup_window(&self) -> usize;
    /// The most blocks one transaction may run: part of what a logged epoch's outcome depends on.
    fn max_steps(&self) -> u64;
    /// Changes the dedup window (a smaller one forgets the oldest ids at the next record).
    fn set_dedup_window(&mut self, window: usize);
    /// `serial` or `parallel-locking`: engines of different kinds order an epoch differently,
    /// so a log is replayed by the kind that wrote it.
    fn kind(&self) -> &'static str {
        "serial"
    }
    /// The committed state, for a snapshot (fails on self-containing values, which the
    /// snapshot encoding cannot hold).
    fn export(&self) -> Result<Exported, String>;
    /// The committed state as of now, for a snapshot written while the engine goes on: the
    /// `seq`, the dedup table and the entities, encoded a few at a time by the caller. By
    /// default the whole export at once.
    fn capture(&self) -> Result<Capture, String> {
        let mut exported = self.export()?;
        // Entities of one type together, as the snapshot writer streams them.
        exported.records.sort_by_key(|r| r.0);
        Ok(Capture {
            seq: exported.seq,
            dedup: exported.dedup,
            records: CaptureRecords::Encoded(exported.records.into_iter()),
        })
    }
    /// Replaces the committed state (restoring a snapshot).
    fn import(&mut self, exported: Exported);
}

/// The native engine's state machine: committed state, the serial counter and the dedup table.
pub struct Engine {
    program: Rc<Program>,
    store: Store,
    seq: u64,
    dedup: Dedup,
    config: EngineConfig,
    stats: Stats,
    /// Snapshots captured so far (see [`Record::copied_at`]).
    captures: std::cell::Cell<u64>,
}

impl Engine {
    /// An empty engine for a validated program.
    pub fn new(program: Rc<Program>, config: EngineConfig) -> Self {
        let store = program
            .entities
            .iter()
            .map(|_| IndexMap::default())
            .collect();
        Engine {
            program,
            store,
            seq: 0,
            dedup: Dedup::default(),
            config,
            stats: Stats::default(),
            captures: std::cell::Cell::new(0),
        }
    }

    /// The program this engine runs.
    pub fn program(&self) -> &Rc<Program> {
        &self.program
    }

    /// The last `seq` given out.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Counters since start.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Runs a batch of invocations in order and returns one result per entry.
    pub fn execute(&mut self, batch: Vec<Result<Invocation, Invalid>>) -> Vec<InvocationResult> {
        let program = self.program.clone();
        let interp = Interpreter::new(&program);
        interp.set_step_limit(self.config.max_steps);
        batch
            .into_iter()
            .map(|inv| self.execute_one(&interp, inv))
            .collect()
    }

    fn execute_one(
        &mut self,
        interp: &Interpreter<'_>,
        inv: Result<Invocation, Invalid>,
    ) -> InvocationResult {
        let inv = match inv {
            Ok(inv) => inv,
            Err((id, message)) => {
                self.stats.invalid += 1;
                return InvocationResult {
                    id,
                    seq: None,
                    outcome: Err(ErrorReport::new("InvalidRequest", message)),
                };
            }
        };
        // Arguments are checked first: a repeated id with a bad argument (an unknown entity
        // type in a reference, say) is an invalid request, not a repeat.
        let (args, kwargs) = match request_args(&inv.request, &self.program) {
            Ok(converted) => converted,
            Err(message) => {
                self.stats.invalid += 1;
                return InvocationResult {
                    id: inv.id,
                    seq: None,
                    outcome: Err(ErrorReport::new("InvalidRequest", message)),
                };
            }
        };
        let dedup_key = (!inv.id.is_null()).then(|| inv.id.to_string());
        if let Some(k) = &dedup_key {
            if let Some(previous) = self
                .dedup
                .get(k.as_str())
                .and_then(|text| {
                    runtime_common::contract::from_slice_unbounded(text.as_bytes()).ok()
                })
                .and_then(|j| InvocationResult::from_json(&j))
            {
                self.stats.deduplicated += 1;
                return previous;
            }
        }
        // Every failure rolls the transaction back, a bug that panics inside one too: it fails
        // that transaction alone and leaves the state as it was.
        interp.begin_transaction();
        journal::open();
        let mut txn = Txn::default();
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &inv.request {
                Request::Create { entity, .. } => self.create(interp, entity, args, kwargs),
                Request::Call {
                    entity,
                    key,
                    method,
                    ..
                } => self.call(interp, &mut txn, entity, key, method, args, kwargs),
            }))
            .unwrap_or_else(|panic| Err(internal_error(panic.as_ref())));
        match outcome {
            Ok(_) => journal::commit(),
            Err(_) => txn.roll_back(&mut self.store),
        }
        match &outcome {
            Ok(_) => self.stats.committed += 1,
            Err(_) => self.stats.aborted += 1,
        }
        self.seq += 1;
        let result = InvocationResult {
            id: inv.id,
            seq: Some(self.seq),
            outcome,
        };
        if let Some(k) = dedup_key {
            self.dedup
                .record_result(k.into(), &result, self.config.dedup_window);
        }
        result
    }

    fn create(
        &mut self,
        interp: &Interpreter<'_>,
        entity: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Result<Json, ErrorReport> {
        let Some(index) = self.program.entity_index(entity) else {
            return Err(ErrorReport::new(
                "InvalidRequest",
                format!("unknown entity type '{entity}'"),
            ));
        };
        let (key, fields) = run_init(interp, index, entity, args, kwargs)?;
        let text = key_text(&key);
        if self.store[index].contains_key(&text) {
            return Err(ErrorReport::new(
                "EntityExists",
                format!("{entity} {} already exists", repr(&key)),
            ));
        }
        let self_ref = Rc::new(EntityRef {
            entity: Rc::from(entity),
            key,
        });
        let reply = ref_json(&self_ref);
        self.store[index].insert(
            text,
            Record {
                self_ref,
                fields,
                copied_at: self.captures.get(),
            },
        );
        Ok(reply)
    }

    #[allow(clippy::too_many_arguments)]
    fn call(
        &mut self,
        interp: &Interpreter<'_>,
        txn: &mut Txn,
        entity: &str,
        key: &Json,
        method: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Result<Json, ErrorReport> {
        let Some(index) = self.program.entity_index(entity) else {
            return Err(ErrorReport::new(
                "InvalidRequest",
                format!("unknown entity type '{entity}'"),
            ));
        };
        let key_value = json_key(key);
        let text = key_text(&key_value);
        let Some(place) = txn.touch(&mut self.store, self.captures.get(), index, &text) else {
            return Err(not_found(entity, &key_value));
        };
        match self.run_txn(interp, txn, index, place, method, args, kwargs) {
            // A result the contract cannot encode fails the transaction, like any exception.
            Ok(v) => value_to_json(&v).map_err(|e| exception_report(&e)),
            Err(Abort::Exception(e)) => Err(exception_report(&e)),
            Err(Abort::Fatal(report)) => Err(report),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn run_txn(
        &mut self,
        interp: &Interpreter<'_>,
        txn: &mut Txn,
        entity: usize,
        place: usize,
        method: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Result<Value, Abort> {
        let self_ref = self.store[entity][place].self_ref.clone();
        let root = interp
            .frame(entity, method, self_ref, args, kwargs)
            .map_err(Abort::Exception)?;
        // Each frame with the place of its entity's record.
        let mut stack: Vec<(Frame, usize)> = vec![(root, place)];
        let mut pending: Option<Result<Value, Value>> = None;
        loop {
            let depth = stack.len();
            let Some((frame, place)) = stack.last_mut() else {
                return Err(Abort::Exception(Value::exception(
                    "RuntimeError",
                    "empty call stack",
                )));
            };
            let caller = (frame.entity, *place);
            if let Some(reply) = pending.take() {
                if let Some(exc) = interp.resume(frame, reply) {
                    stack.pop();
                    let Some((parent, parent_place)) = stack.last() else {
                        return Err(Abort::Exception(exc));
                    };
                    let crosses = parent.entity != caller.0 || *parent_place != caller.1;
                    pending = Some(reply_to_caller(Err(exc), crosses));
                    continue;
                }
            }
            match interp.run(frame, &mut self.store[caller.0][caller.1].fields) {
                Step::Return(v) => {
                    stack.pop();
                    let Some((parent, parent_place)) = stack.last() else {
                        return Ok(v);
                    };
                    let crosses = parent.entity != caller.0 || *parent_place != caller.1;
                    pending = Some(reply_to_caller(Ok(v), crosses));
                }
                Step::Raise(e) => {
                    stack.pop();
                    let Some((parent, parent_place)) = stack.last() else {
                        return Err(Abort::Exception(e));
                    };
                    let crosses = parent.entity != caller.0 || *parent_place != caller.1;
                    pending = Some(reply_to_caller(Err(e), crosses));
                }
                Step::Call { target, op } => {
                    self.stats.remote_calls += 1;
                    let Some(target_entity) = self.program.entity_index(&target.entity) else {
                        return Err(Abort::Fatal(ErrorReport::new(
                            "InvalidRequest",
                            format!("unknown entity type '{}'", target.entity),
                        )));
                    };
                    let Some(target_place) = txn.touch(
                        &mut self.store,
                        self.captures.get(),
                        target_entity,
                        &target.key_text(),
                    ) else {
                        return Err(Abort::Fatal(not_found(&target.entity, &target.key)));
                    };
                    let same = target_entity == caller.0 && target_place == caller.1;
                    let record = &self.store[target_entity][target_place];
                    let same_type = target_entity == caller.0;
                    match local_call(
                        interp,
                        target_entity,
                        same_type,
                        same,
                        (&record.self_ref, &record.fields),
                        op,
                        depth,
                    ) {
                        LocalCall::Frame(f) => stack.push((f, target_place)),
                        LocalCall::Reply(r) => pending = Some(r),
                    }
                }
            }
        }
    }

    /// The state dump of the contract: `{"Item": {"apple": {...fields}}, ...}`, every entity type,
    /// keys in creation order.
    pub fn dump_state(&self) -> Json {
        let mut out = serde_json::Map::new();
        for (index, ent) in self.program.entities.iter().enumerate() {
            let mut records = serde_json::Map::new();
            for (key, record) in &self.store[index] {
                records.insert(key.clone(), self.record_json(index, record));
            }
            out.insert(ent.name.clone(), Json::Object(records));
        }
        Json::Object(out)
    }

    fn record_json(&self, entity: usize, record: &Record) -> Json {
        fields_json(&self.program.entities[entity], &record.fields)
    }

    /// One entity's fields as JSON, or `None` if the type or key does not exist.
    pub fn entity_state(&self, entity: &str, key: &str) -> Option<Json> {
        let index = self.program.entity_index(entity)?;
        let record = self.store[index].get(key)?;
        Some(self.record_json(index, record))
    }
}

impl Executor for Engine {
    fn execute(&mut self, batch: Vec<Result<Invocation, Invalid>>) -> Vec<InvocationResult> {
        Engine::execute(self, batch)
    }

    fn dump_state(&self) -> Json {
        Engine::dump_state(self)
    }

    fn entity_state(&self, entity: &str, key: &str) -> Option<Json> {
        Engine::entity_state(self, entity, key)
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

    fn export(&self) -> Result<Exported, String> {
        let records = export_records(&self.store);
        Ok(Exported {
            seq: self.seq,
            dedup: self.dedup.snapshot(),
            records,
        })
    }

    fn capture(&self) -> Result<Capture, String> {
        self.captures.set(self.captures.get() + 1);
        let mut shared = Vec::with_capacity(self.store.iter().map(IndexMap::len).sum());
        for (entity, map) in self.store.iter().enumerate() {
            for (key, r) in map {
                shared.push((entity, key.clone(), r.self_ref.clone(), r.fields.clone()));
            }
        }
        Ok(Capture {
            seq: self.seq,
            dedup: self.dedup.snapshot(),
            records: CaptureRecords::Shared(shared.into_iter()),
        })
    }

    fn import(&mut self, exported: Exported) {
        let mut store: Store = self
            .program
            .entities
            .iter()
            .map(|_| IndexMap::default())
            .collect();
        import_records(&self.program, &mut store, exported.records);
        self.store = store;
        self.seq = exported.seq;
        self.dedup = exported.dedup.into();
    }
}
