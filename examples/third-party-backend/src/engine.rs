//! A serial transactional engine over `runtime_common::Interpreter`.
//!
//! - Every invocation is one transaction; transactions run one at a time in input order, so the
//!   serial order is the input order.
//! - A transaction copies an entity's committed fields the first time its call tree touches
//!   the entity, and works on the copy; the copies replace the committed state only when no
//!   exception escapes the invoked method (and its result encodes as JSON).
//! - The interpreter stops a method at every remote call (`Step::Call`) and hands back a frame;
//!   the engine keeps those frames on a stack, runs the callee on top, and resumes the caller
//!   with the reply. A call to a missing entity aborts the whole transaction (`EntityNotFound`).
//! - Values crossing between two different entities are deep-copied, as they would be if they
//!   were sent as messages.

use std::collections::HashMap;
use std::rc::Rc;

use ir::Program;
use runtime_common::calls::{private_access, reply_to_caller, run_init};
use runtime_common::contract::{
    exception_report, fields_json, json_to_value, ref_json, value_to_json, Invalid,
};
use runtime_common::format::repr;
use runtime_common::value::key_text;
use runtime_common::{
    CallOp, EntityRef, ErrorReport, Frame, Interpreter, Invocation, InvocationResult, Request,
    Step, Value,
};
use serde_json::{Map, Value as Json};

/// How deep a call chain may grow before `RecursionError` (CPython's limit, as in the native engine).
pub const MAX_DEPTH: usize = 1000;

/// One committed entity.
struct Row {
    this: Rc<EntityRef>,
    fields: Vec<Value>,
}

/// The entities of one type, in creation order, with an index by key text.
#[derive(Default)]
struct Table {
    rows: Vec<Row>,
    by_key: HashMap<String, usize>,
}

/// Why a transaction stops without committing.
enum Abort {
    /// An exception escaped the invoked method.
    Raised(Value),
    /// The transaction cannot go on (a missing entity): reported as is.
    Report(ErrorReport),
}

/// A method activation on the transaction's call stack.
struct Activation {
    frame: Frame,
    key: String,
}

/// The private copies of the entities one transaction touched.
#[derive(Default)]
struct Workspace {
    copies: HashMap<(usize, String), (Rc<EntityRef>, Vec<Value>)>,
}

impl Workspace {
    /// Makes sure the entity is in the workspace; `false` when it does not exist.
    fn enter(&mut self, tables: &[Table], entity: usize, key: &str) -> bool {
        let slot = (entity, key.to_string());
        if self.copies.contains_key(&slot) {
            return true;
        }
        let table = &tables[entity];
        let Some(&row) = table.by_key.get(key) else {
            return false;
        };
        let row = &table.rows[row];
        let copy = Value::deep_copy_all(&row.fields);
        self.copies.insert(slot, (row.this.clone(), copy));
        true
    }

    fn get(&self, entity: usize, key: &str) -> Option<&(Rc<EntityRef>, Vec<Value>)> {
        self.copies.get(&(entity, key.to_string()))
    }

    fn fields_mut(&mut self, entity: usize, key: &str) -> Option<&mut Vec<Value>> {
        self.copies
            .get_mut(&(entity, key.to_string()))
            .map(|(_, fields)| fields)
    }

    /// Publishes every copy as the committed state.
    fn commit(self, tables: &mut [Table]) {
        for ((entity, key), (_, fields)) in self.copies {
            let table = &mut tables[entity];
            if let Some(&row) = table.by_key.get(&key) {
                table.rows[row].fields = fields;
            }
        }
    }
}

/// The engine: a program and its committed state.
pub struct SerialEngine {
    program: Program,
    tables: Vec<Table>,
    seq: u64,
}

fn missing(entity: &str, key: &Value) -> ErrorReport {
    ErrorReport::new(
        "EntityNotFound",
        format!("{entity} {} does not exist", repr(key)),
    )
}

fn no_attribute(entity: &str, name: &str) -> Value {
    Value::exception(
        "AttributeError",
        format!("'{entity}' object has no attribute '{name}'"),
    )
}

impl SerialEngine {
    /// An engine with no entities yet.
    pub fn new(program: Program) -> Self {
        let tables = program.entities.iter().map(|_| Table::default()).collect();
        SerialEngine {
            program,
            tables,
            seq: 0,
        }
    }

    /// Runs one invocation (or answers an invalid one).
    pub fn run(&mut self, invocation: Result<Invocation, Invalid>) -> InvocationResult {
        let invalid = |id: Json, message: String| InvocationResult {
            id,
            seq: None,
            outcome: Err(ErrorReport::new("InvalidRequest", message)),
        };
        let inv = match invocation {
            Ok(inv) => inv,
            Err((id, message)) => return invalid(id, message),
        };
        let (args, kwargs) = match &inv.request {
            Request::Create { args, kwargs, .. } | Request::Call { args, kwargs, .. } => {
                (args, kwargs)
            }
        };
        let decoded = args
            .iter()
            .map(|a| json_to_value(a, &self.program))
            .collect::<Result<Vec<_>, _>>()
            .and_then(|args| {
                Ok((
                    args,
                    kwargs
                        .iter()
                        .map(|(k, v)| Ok((k.clone(), json_to_value(v, &self.program)?)))
                        .collect::<Result<Vec<_>, String>>()?,
                ))
            });
        let (args, kwargs) = match decoded {
            Ok(d) => d,
            Err(message) => return invalid(inv.id, message),
        };
        let outcome = match &inv.request {
            Request::Create { entity, .. } => self.create(entity, args, kwargs),
            Request::Call {
                entity,
                key,
                method,
                ..
            } => self.call(entity, key, method, args, kwargs),
        };
        self.seq += 1;
        InvocationResult {
            id: inv.id,
            seq: Some(self.seq),
            outcome,
        }
    }

    fn create(
        &mut self,
        entity: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Result<Json, ErrorReport> {
        let program = &self.program;
        let Some(index) = program.entity_index(entity) else {
            return Err(ErrorReport::new(
                "InvalidRequest",
                format!("unknown entity type '{entity}'"),
            ));
        };
        let interp = Interpreter::new(program);
        // `__init__` and `__key__` (with the methods of `self` they call), the contract's checks
        // of the key included: runtime-common has this for every backend.
        let (key, fields) = run_init(&interp, index, entity, args, kwargs)?;
        let text = key_text(&key);
        let table = &mut self.tables[index];
        if table.by_key.contains_key(&text) {
            return Err(ErrorReport::new(
                "EntityExists",
                format!("{entity} {} already exists", repr(&key)),
            ));
        }
        let this = Rc::new(EntityRef {
            entity: Rc::from(entity),
            key,
        });
        let reply = ref_json(&this);
        table.by_key.insert(text, table.rows.len());
        table.rows.push(Row { this, fields });
        Ok(reply)
    }

    fn call(
        &mut self,
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
        let key = match key {
            Json::String(s) => Value::str(s),
            other => Value::Int(other.as_i64().unwrap_or(0)),
        };
        let text = key_text(&key);
        let mut work = Workspace::default();
        if !work.enter(&self.tables, index, &text) {
            return Err(missing(entity, &key));
        }
        match self.transaction(&mut work, index, text, method, args, kwargs) {
            Ok(value) => {
                // A result the contract cannot encode fails the transaction like an exception.
                let encoded = value_to_json(&value).map_err(|e| exception_report(&e))?;
                work.commit(&mut self.tables);
                Ok(encoded)
            }
            Err(Abort::Raised(e)) => Err(exception_report(&e)),
            Err(Abort::Report(r)) => Err(r),
        }
    }

    /// Runs the call tree of one invocation on the workspace; the root method's return value.
    fn transaction(
        &self,
        work: &mut Workspace,
        entity: usize,
        key: String,
        method: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Result<Value, Abort> {
        let program = &self.program;
        let interp = Interpreter::new(program);
        let this = work
            .get(entity, &key)
            .map(|(r, _)| r.clone())
            .ok_or_else(|| {
                Abort::Report(ErrorReport::new(
                    "RuntimeError",
                    "entity left the transaction",
                ))
            })?;
        let root = interp
            .frame(entity, method, this, args, kwargs)
            .map_err(Abort::Raised)?;
        let mut stack = vec![Activation { frame: root, key }];
        // The reply the top frame is waiting for (set after a callee finished).
        let mut reply: Option<Result<Value, Value>> = None;
        loop {
            let depth = stack.len();
            let top = stack.last_mut().ok_or_else(|| {
                Abort::Report(ErrorReport::new("RuntimeError", "empty call stack"))
            })?;
            let (me, my_key) = (top.frame.entity, top.key.clone());
            if let Some(r) = reply.take() {
                if let Some(unhandled) = interp.resume(&mut top.frame, r) {
                    stack.pop();
                    let Some(caller) = stack.last() else {
                        return Err(Abort::Raised(unhandled));
                    };
                    let crosses = caller.frame.entity != me || caller.key != my_key;
                    reply = Some(reply_to_caller(Err(unhandled), crosses));
                    continue;
                }
            }
            let fields = work.fields_mut(me, &my_key).ok_or_else(|| {
                Abort::Report(ErrorReport::new(
                    "RuntimeError",
                    "entity left the transaction",
                ))
            })?;
            match interp.run(&mut top.frame, fields) {
                Step::Return(value) => {
                    stack.pop();
                    let Some(caller) = stack.last() else {
                        return Ok(value);
                    };
                    let crosses = caller.frame.entity != me || caller.key != my_key;
                    reply = Some(reply_to_caller(Ok(value), crosses));
                }
                Step::Raise(exc) => {
                    stack.pop();
                    let Some(caller) = stack.last() else {
                        return Err(Abort::Raised(exc));
                    };
                    let crosses = caller.frame.entity != me || caller.key != my_key;
                    reply = Some(reply_to_caller(Err(exc), crosses));
                }
                Step::Call { target, op } => {
                    let Some(callee) = program.entity_index(&target.entity) else {
                        return Err(Abort::Report(ErrorReport::new(
                            "InvalidRequest",
                            format!("unknown entity type '{}'", target.entity),
                        )));
                    };
                    let callee_key = target.key_text();
                    if !work.enter(&self.tables, callee, &callee_key) {
                        return Err(Abort::Report(missing(&target.entity, &target.key)));
                    }
                    let same_entity = callee == me && callee_key == my_key;
                    let ent = &program.entities[callee];
                    let Some((callee_ref, callee_fields)) = work.get(callee, &callee_key) else {
                        return Err(Abort::Report(ErrorReport::new(
                            "RuntimeError",
                            "entity left the transaction",
                        )));
                    };
                    let name = match &op {
                        CallOp::GetField(f) => f,
                        CallOp::Invoke { method, .. } => method,
                    };
                    // `_private` names are for entities of their own type alone.
                    if let Some(refused) = private_access(ent, name, callee == me) {
                        reply = Some(Err(refused));
                        continue;
                    }
                    match op {
                        CallOp::GetField(name) => {
                            reply = Some(match ent.field_index(&name) {
                                Some(i) if callee_fields[i].is_unset() => {
                                    Err(interp.unset_field(callee, i))
                                }
                                Some(i) if same_entity => Ok(callee_fields[i].clone()),
                                Some(i) => Ok(callee_fields[i].crossing_copy()),
                                None => Err(no_attribute(&ent.name, &name)),
                            });
                        }
                        CallOp::Invoke {
                            method,
                            args,
                            kwargs,
                        } => {
                            // Private methods are callable only from entities of the same type.
                            let callable = ent
                                .method(&method)
                                .is_some_and(|m| m.is_public() || callee == me);
                            if !callable {
                                reply = Some(Err(no_attribute(&ent.name, &method)));
                            } else if depth >= MAX_DEPTH {
                                reply = Some(Err(Value::exception(
                                    "RecursionError",
                                    "maximum recursion depth exceeded",
                                )));
                            } else {
                                let (args, kwargs) = if same_entity {
                                    (args, kwargs)
                                } else {
                                    // Positional and keyword arguments are each copied as one group.
                                    let (names, values): (Vec<String>, Vec<Value>) =
                                        kwargs.into_iter().unzip();
                                    (
                                        Value::crossing_copy_all(&args),
                                        names
                                            .into_iter()
                                            .zip(Value::crossing_copy_all(&values))
                                            .collect(),
                                    )
                                };
                                match interp.frame(
                                    callee,
                                    &method,
                                    callee_ref.clone(),
                                    args,
                                    kwargs,
                                ) {
                                    Ok(frame) => stack.push(Activation {
                                        frame,
                                        key: callee_key,
                                    }),
                                    Err(exc) => reply = Some(Err(exc)),
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The contract's state dump: every entity type, records in creation order by key text.
    pub fn dump_state(&self) -> Json {
        let mut out = Map::new();
        for (entity, table) in self.program.entities.iter().zip(&self.tables) {
            let mut records = Map::new();
            for row in &table.rows {
                records.insert(key_text(&row.this.key), fields_json(entity, &row.fields));
            }
            out.insert(entity.name.clone(), Json::Object(records));
        }
        Json::Object(out)
    }
}
