//! What every engine does around the interpreter when a transaction reaches an entity: create
//! it (`__init__` then `__key__`), resolve a call on it (field read or new frame, with CPython's
//! checks), and name a missing one. Engines differ only in where state lives and how calls travel.

use std::rc::Rc;

use serde_json::Value as Json;

use crate::contract::exception_report;
use crate::format::repr;
use crate::{CallOp, EntityRef, ErrorReport, Frame, Interpreter, Step, Value};

/// The deepest call chain a transaction may build before RecursionError.
pub const MAX_CALL_DEPTH: usize = 1000;

/// The error of a call on an entity that does not exist (it aborts the whole transaction).
pub fn not_found(entity: &str, key: &Value) -> ErrorReport {
    ErrorReport::new(
        "EntityNotFound",
        format!("{entity} {} does not exist", repr(key)),
    )
}

/// The key of an invocation as a value (a string or an integer).
pub fn json_key(key: &Json) -> Value {
    match key {
        Json::String(s) => Value::str(s),
        other => Value::Int(other.as_i64().unwrap_or(0)),
    }
}

/// Runs `__init__` and then `__key__` of a new entity (neither may call other entities); the key
/// must be a str or an int. Returns the key and the initial fields.
pub fn run_init(
    interp: &Interpreter<'_>,
    index: usize,
    entity: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
) -> Result<(Value, Vec<Value>), ErrorReport> {
    let ent = &interp.program().entities[index];
    let placeholder = Rc::new(EntityRef {
        entity: Rc::from(entity),
        key: Value::None,
    });
    let mut fields = vec![Value::unset(); ent.fields.len()];
    let mut results = Vec::with_capacity(2);
    interp.begin_transaction();
    for (method, args, kwargs) in [("__init__", args, kwargs), ("__key__", vec![], vec![])] {
        let frame = interp
            .frame(index, method, placeholder.clone(), args, kwargs)
            .map_err(|e| exception_report(&e))?;
        // Methods of the entity itself (`self._normalize(email)`) run as they would later;
        // another entity cannot be reached before this one exists.
        let mut stack = vec![frame];
        let mut pending: Option<Result<Value, Value>> = None;
        let outcome = loop {
            let Some(top) = stack.last_mut() else {
                break Err(Value::exception("RuntimeError", "empty call stack"));
            };
            if let Some(reply) = pending.take() {
                if let Some(exc) = interp.resume(top, reply) {
                    stack.pop();
                    if stack.is_empty() {
                        break Err(exc);
                    }
                    pending = Some(Err(exc));
                    continue;
                }
            }
            match interp.run(top, &mut fields) {
                Step::Return(v) => {
                    stack.pop();
                    if stack.is_empty() {
                        break Ok(v);
                    }
                    pending = Some(Ok(v));
                }
                Step::Raise(e) => {
                    stack.pop();
                    if stack.is_empty() {
                        break Err(e);
                    }
                    pending = Some(Err(e));
                }
                Step::Call { target, op } if Rc::ptr_eq(&target, &placeholder) => {
                    match local_call(
                        interp,
                        index,
                        true,
                        true,
                        (&placeholder, &fields),
                        op,
                        stack.len(),
                    ) {
                        LocalCall::Frame(f) => stack.push(f),
                        LocalCall::Reply(r) => pending = Some(r),
                    }
                }
                Step::Call { .. } => {
                    return Err(ErrorReport::new(
                        "RuntimeError",
                        format!("{method} cannot call other entities"),
                    ))
                }
            }
        };
        match outcome {
            Ok(v) => results.push(v),
            Err(e) => return Err(exception_report(&e)),
        }
    }
    let key = results.pop().unwrap_or(Value::None);
    if !matches!(key, Value::Str(_) | Value::Int(_)) {
        return Err(ErrorReport::new(
            "TypeError",
            format!(
                "{entity}.__key__() must return a str or an int, not {}",
                key.type_name()
            ),
        ));
    }
    Ok((key, fields))
}

/// The AttributeError for a private field or method (`_name`) of `ent` used from an entity of
/// another type (`same_type` false); `None` when the use is allowed. As in Python, where
/// `_name` is a convention of the class: its methods may use it on any instance of the class.
pub fn private_access(ent: &ir::Entity, name: &str, same_type: bool) -> Option<Value> {
    let private = name.starts_with('_') && !(name.starts_with("__") && name.ends_with("__"));
    let exists = ent.field_index(name).is_some() || ent.method(name).is_some();
    (private && exists && !same_type).then(|| {
        Value::exception(
            "AttributeError",
            format!(
                "{}.{name} is private: only {} entities can use it",
                ent.name, ent.name
            ),
        )
    })
}

/// What a frame that ended hands its caller: its value or its exception, copied when the
/// caller runs on another entity (`crosses`), as every value crossing an entity boundary is;
/// within one entity, the object itself.
pub fn reply_to_caller(outcome: Result<Value, Value>, crosses: bool) -> Result<Value, Value> {
    match outcome {
        Ok(v) if crosses => Ok(v.crossing_copy()),
        Err(e) if crosses => Err(e.crossing_copy()),
        same => same,
    }
}

/// What a call to an entity whose state is at hand resolves to.
pub enum LocalCall {
    /// Run this frame next (a method invocation).
    Frame(Frame),
    /// The reply is already known (a field read, or an exception).
    Reply(Result<Value, Value>),
}

/// Resolves a call on `target` (its working state at hand): a field read answers at once; a
/// method invocation becomes a new frame after the checks CPython would make (the method exists
/// and is visible from the caller's type, the call depth). Values crossing into another entity
/// are copied (`same` is a call of an entity on itself).
pub fn local_call(
    interp: &Interpreter<'_>,
    target_entity: usize,
    same_type: bool,
    same: bool,
    (self_ref, fields): (&Rc<EntityRef>, &[Value]),
    op: CallOp,
    depth: usize,
) -> LocalCall {
    let ent = &interp.program().entities[target_entity];
    let missing = |name: &str| {
        Value::exception(
            "AttributeError",
            format!("'{}' object has no attribute '{name}'", ent.name),
        )
    };
    let name = match &op {
        CallOp::GetField(f) => f,
        CallOp::Invoke { method, .. } => method,
    };
    if let Some(refused) = private_access(ent, name, same_type) {
        return LocalCall::Reply(Err(refused));
    }
    match op {
        CallOp::GetField(field) => LocalCall::Reply(match ent.field_index(&field) {
            Some(i) if fields[i].is_unset() => Err(interp.unset_field(target_entity, i)),
            Some(i) if same => Ok(fields[i].clone()),
            Some(i) => Ok(fields[i].crossing_copy()),
            None => Err(missing(&field)),
        }),
        CallOp::Invoke {
            method,
            args,
            kwargs,
        } => {
            let visible = ent
                .method(&method)
                .is_some_and(|m| m.is_public() || same_type);
            if !visible {
                return LocalCall::Reply(Err(missing(&method)));
            }
            if depth >= MAX_CALL_DEPTH {
                return LocalCall::Reply(Err(Value::exception(
                    "RecursionError",
                    "maximum recursion depth exceeded",
                )));
            }
            let (args, kwargs) = if same {
                (args, kwargs)
            } else {
                // Positional arguments are copied together, keyword arguments together (what
                // the CPython reference does): containers shared within a group stay shared.
                let (names, values): (Vec<String>, Vec<Value>) = kwargs.into_iter().unzip();
                (
                    Value::crossing_copy_all(&args),
                    names
                        .into_iter()
                        .zip(Value::crossing_copy_all(&values))
                        .collect(),
                )
            };
            match interp.frame(target_entity, &method, self_ref.clone(), args, kwargs) {
                Ok(f) => LocalCall::Frame(f),
                Err(e) => LocalCall::Reply(Err(e)),
            }
        }
    }
}
