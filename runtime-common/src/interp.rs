//! The IR interpreter: runs a method's blocks on an entity's state until it returns, raises, or
//! reaches a remote call. At a remote call the [`Frame`] (plain data) is left suspended and the
//! engine decides where the callee runs; [`Interpreter::resume`] continues it with the reply.

use std::collections::HashMap;
use std::rc::Rc;

use ir::{Expr, FStringPart, Program, RemoteOp, StmtKind, Target, Terminator};

use crate::builtins::{call_builtin, call_method};
use crate::format::{format_value, repr, to_str};
use crate::journal;
use crate::ops::{self, raise, OpResult};
use crate::value::{EntityRef, Exception, ExceptionStyle, Value};

/// A suspended or running method activation: which method, where, and its locals.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Index of the entity type in the program.
    pub entity: usize,
    /// The entity the method runs on (`self`).
    pub self_ref: Rc<EntityRef>,
    /// Index of the method in the entity.
    pub method: usize,
    /// The current block (at a suspension: the block whose terminator is the pending call).
    pub block: usize,
    /// The local slots; `None` is unbound.
    pub locals: Vec<Option<Value>>,
}

/// What a remote call asks of its target.
#[derive(Debug, Clone)]
pub enum CallOp {
    /// Invoke a method with arguments.
    Invoke {
        /// The method name.
        method: String,
        /// Positional arguments.
        args: Vec<Value>,
        /// Keyword arguments.
        kwargs: Vec<(String, Value)>,
    },
    /// Read a field.
    GetField(String),
}

/// Why [`Interpreter::run`] stopped.
#[derive(Debug)]
pub enum Step {
    /// The method returned.
    Return(Value),
    /// An exception escaped the method.
    Raise(Value),
    /// The method reached a remote call; the frame is suspended until [`Interpreter::resume`].
    Call {
        /// The entity called.
        target: Rc<EntityRef>,
        /// What is asked of it.
        op: CallOp,
    },
}

/// What a comprehension does with each combination of its generators' values.
type EmitFn<'a, 'p> =
    dyn FnMut(&Interpreter<'p>, &mut Frame, &mut [Value]) -> Result<(), Value> + 'a;

/// Runs methods of one program.
pub struct Interpreter<'p> {
    program: &'p Program,
    bases: HashMap<String, String>,
    /// Blocks run by the current transaction (see [`Interpreter::begin_transaction`]).
    steps: std::cell::Cell<u64>,
    /// The most blocks a transaction may run.
    step_limit: std::cell::Cell<u64>,
}

/// The most blocks a transaction may run unless the engine is told otherwise: a loop that never
/// ends fails its transaction (`StepLimitExceeded`, nothing of it kept) instead of stopping the
/// engine. About a second of work.
pub const DEFAULT_STEP_LIMIT: u64 = 20_000_000;

/// The error of a transaction that ran more blocks than the limit allows.
pub const STEP_LIMIT_EXCEEDED: &str = "StepLimitExceeded";

fn unbound(name: &str) -> Value {
    Value::exception(
        "UnboundLocalError",
        format!("cannot access local variable '{name}' where it is not associated with a value"),
    )
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn name_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        2 => format!("{} and {}", quoted[0], quoted[1]),
        n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

impl<'p> Interpreter<'p> {
    /// Prepares an interpreter for `program` (which must have passed validation).
    pub fn new(program: &'p Program) -> Self {
        let mut bases: HashMap<String, String> = ir::BUILTIN_EXCEPTIONS
            .iter()
            .map(|(n, b)| (n.to_string(), b.to_string()))
            .collect();
        for e in &program.exceptions {
            bases.insert(e.name.clone(), e.base.clone());
        }
        Interpreter {
            program,
            bases,
            steps: std::cell::Cell::new(0),
            step_limit: std::cell::Cell::new(DEFAULT_STEP_LIMIT),
        }
    }

    /// Starts a transaction's step budget. Engines call it when a transaction starts; engines
    /// that interleave transactions on one interpreter save and restore each one's count with
    /// [`Interpreter::steps`] and [`Interpreter::set_steps`].
    pub fn begin_transaction(&self) {
        self.steps.set(0);
    }

    /// Blocks the current transaction has run.
    pub fn steps(&self) -> u64 {
        self.steps.get()
    }

    /// Sets the count of blocks the current transaction has run.
    pub fn set_steps(&self, steps: u64) {
        self.steps.set(steps);
    }

    /// Sets the most blocks a transaction may run (at least 1).
    pub fn set_step_limit(&self, limit: u64) {
        self.step_limit.set(limit.max(1));
    }

    /// The program being run.
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// Whether exception class `class` is `ancestor` or derives from it.
    pub fn exception_is(&self, class: &str, ancestor: &str) -> bool {
        let mut current = class;
        for _ in 0..64 {
            if current == ancestor {
                return true;
            }
            match self.bases.get(current) {
                Some(b) if !b.is_empty() => current = b,
                _ => return false,
            }
        }
        false
    }

    /// Creates a frame for `entity.method(*args, **kwargs)` on `self_ref`, binding arguments as
    /// CPython does (TypeError with CPython's message on a mismatch).
    pub fn frame(
        &self,
        entity: usize,
        method: &str,
        self_ref: Rc<EntityRef>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Result<Frame, Value> {
        let ent = &self.program.entities[entity];
        let Some(index) = ent.method_index(method) else {
            return raise(
                "AttributeError",
                format!("'{}' object has no attribute '{method}'", ent.name),
            );
        };
        let m = &ent.methods[index];
        let qual = || format!("{}.{}()", ent.name, m.name);
        let params = &m.params;
        // A method's counts include `self`; a static method has none.
        let own = usize::from(!m.is_static);
        if args.len() > params.len() {
            let required = params.iter().filter(|p| p.default.is_none()).count();
            let takes = if required == params.len() {
                plural(params.len() + own, "positional argument")
            } else {
                format!(
                    "from {} to {} positional arguments",
                    required + own,
                    params.len() + own
                )
            };
            let given = args.len() + own;
            return raise(
                "TypeError",
                format!(
                    "{} takes {takes} but {given} {} given",
                    qual(),
                    if given == 1 { "was" } else { "were" }
                ),
            );
        }
        let mut locals: Vec<Option<Value>> = vec![None; m.locals.len()];
        let nargs = args.len();
        for (i, a) in args.into_iter().enumerate() {
            locals[i] = Some(a);
        }
        for (name, value) in kwargs {
            match params.iter().position(|p| p.name == name) {
                // `self` is always given (positionally, by the call itself).
                None if name == "self" && !m.is_static => {
                    return raise(
                        "TypeError",
                        format!("{} got multiple values for argument 'self'", qual()),
                    );
                }
                Some(i) if i < nargs || locals[i].is_some() => {
                    return raise(
                        "TypeError",
                        format!("{} got multiple values for argument '{name}'", qual()),
                    );
                }
                Some(i) => locals[i] = Some(value),
                None => {
                    return raise(
                        "TypeError",
                        format!("{} got an unexpected keyword argument '{name}'", qual()),
                    )
                }
            }
        }
        let mut missing = Vec::new();
        for (i, p) in params.iter().enumerate() {
            if locals[i].is_none() {
                match &p.default {
                    Some(d) => locals[i] = Some(const_value(d)),
                    None => missing.push(p.name.as_str()),
                }
            }
        }
        if !missing.is_empty() {
            return raise(
                "TypeError",
                format!(
                    "{} missing {} required positional argument{}: {}",
                    qual(),
                    missing.len(),
                    if missing.len() == 1 { "" } else { "s" },
                    name_list(&missing)
                ),
            );
        }
        Ok(Frame {
            entity,
            self_ref,
            method: index,
            block: 0,
            locals,
        })
    }

    /// Continues a suspended frame with the reply of its pending call. Returns the exception to
    /// propagate when the reply is an exception and the call site has no handler.
    pub fn resume(&self, frame: &mut Frame, reply: Result<Value, Value>) -> Option<Value> {
        let block = &self.program.entities[frame.entity].methods[frame.method].blocks[frame.block];
        let Terminator::Call { result, resume, .. } = &block.terminator else {
            return Some(Value::exception(
                "RuntimeError",
                "resumed a frame that is not at a call",
            ));
        };
        match reply {
            Ok(v) => {
                frame.locals[result.0 as usize] = Some(v);
                frame.block = resume.0 as usize;
                None
            }
            Err(e) => match block.handler {
                Some(h) => {
                    frame.locals[h.exception.0 as usize] = Some(e);
                    frame.block = h.block.0 as usize;
                    None
                }
                None => Some(e),
            },
        }
    }

    /// Runs the frame on the entity's state until it returns, raises or calls out.
    pub fn run(&self, frame: &mut Frame, state: &mut [Value]) -> Step {
        let method = &self.program.entities[frame.entity].methods[frame.method];
        loop {
            let block = &method.blocks[frame.block];
            // Over the limit, every block fails before it runs, handlers and `finally` bodies
            // too, so the failure leaves the transaction without running more of it.
            let steps = self.steps.get() + 1;
            self.steps.set(steps);
            let outcome = if steps > self.step_limit.get() {
                Err(Value::exception(
                    STEP_LIMIT_EXCEEDED,
                    format!(
                        "the transaction ran more than {} steps (a loop that never ends?)",
                        self.step_limit.get()
                    ),
                ))
            } else {
                self.run_block(frame, state, block)
            };
            match outcome {
                Ok(Flow::Goto(b)) => frame.block = b,
                Ok(Flow::Return(v)) => return Step::Return(v),
                Ok(Flow::Call(target, op)) => return Step::Call { target, op },
                Err(e) => match block.handler {
                    Some(h) => {
                        frame.locals[h.exception.0 as usize] = Some(e);
                        frame.block = h.block.0 as usize;
                    }
                    None => return Step::Raise(e),
                },
            }
        }
    }

    fn run_block(
        &self,
        frame: &mut Frame,
        state: &mut [Value],
        block: &ir::Block,
    ) -> Result<Flow, Value> {
        for stmt in &block.stmts {
            self.stmt(frame, state, &stmt.kind)?;
            // A comparison that went too deep inside a builtin (a dict lookup, `sort`) answered
            // without raising: its `RecursionError` surfaces here.
            crate::ops::comparison_overflow()?;
        }
        let flow = self.terminate(frame, state, &block.terminator);
        crate::ops::comparison_overflow()?;
        flow
    }

    /// Runs a block's terminator: where control goes next.
    fn terminate(
        &self,
        frame: &mut Frame,
        state: &mut [Value],
        terminator: &Terminator,
    ) -> Result<Flow, Value> {
        match terminator {
            Terminator::Return(e) => Ok(Flow::Return(self.eval(frame, state, e)?)),
            Terminator::Jump(b) => Ok(Flow::Goto(b.0 as usize)),
            Terminator::Branch {
                cond,
                then,
                otherwise,
            } => {
                let c = self.eval(frame, state, cond)?;
                Ok(Flow::Goto(if c.truthy() {
                    then.0 as usize
                } else {
                    otherwise.0 as usize
                }))
            }
            Terminator::Raise(e) => match self.eval(frame, state, e)? {
                exc @ Value::Exception(_) => Err(exc),
                _ => raise("TypeError", "exceptions must derive from BaseException"),
            },
            Terminator::Call {
                target,
                op,
                result,
                resume,
                ..
            } => {
                let target = self.eval(frame, state, target)?;
                // A call the compiler could not resolve statically (a name that holds an entity
                // reference at one time and a builtin value at another) may reach a builtin
                // value: then it is that value's builtin method, run here and now.
                let builtin_receiver = matches!(
                    target,
                    Value::List(_)
                        | Value::Dict(_)
                        | Value::Set(_)
                        | Value::Str(_)
                        | Value::Tuple(_)
                        | Value::Internal(_)
                ) && matches!(op, RemoteOp::Invoke { method, .. } if ir::is_builtin_method(method));
                if !matches!(target, Value::Ref(_)) && !builtin_receiver {
                    let what = match op {
                        RemoteOp::Invoke { method, .. } => method.clone(),
                        RemoteOp::GetField { field } => field.clone(),
                        _ => String::new(),
                    };
                    return raise(
                        "AttributeError",
                        format!("'{}' object has no attribute '{what}'", target.type_name()),
                    );
                }
                let op = match op {
                    RemoteOp::Invoke {
                        method,
                        args,
                        kwargs,
                    } => {
                        let mut a = Vec::with_capacity(args.len());
                        for x in args {
                            a.push(self.eval(frame, state, x)?);
                        }
                        let mut k = Vec::with_capacity(kwargs.len());
                        for (n, x) in kwargs {
                            k.push((n.clone(), self.eval(frame, state, x)?));
                        }
                        CallOp::Invoke {
                            method: method.clone(),
                            args: a,
                            kwargs: k,
                        }
                    }
                    RemoteOp::GetField { field } => CallOp::GetField(field.clone()),
                    _ => return raise("RuntimeError", "unsupported remote operation"),
                };
                match (target, op) {
                    (Value::Ref(r), op) => Ok(Flow::Call(r, op)),
                    (
                        value,
                        CallOp::Invoke {
                            method,
                            args,
                            kwargs,
                        },
                    ) => {
                        let reply = call_method(&value, &method, &args, &kwargs)?;
                        frame.locals[result.0 as usize] = Some(reply);
                        Ok(Flow::Goto(resume.0 as usize))
                    }
                    _ => raise("RuntimeError", "unsupported remote operation"),
                }
            }
            _ => raise("RuntimeError", "unsupported terminator"),
        }
    }

    fn stmt(&self, frame: &mut Frame, state: &mut [Value], kind: &StmtKind) -> Result<(), Value> {
        match kind {
            StmtKind::Assign { target, value } => {
                let v = self.eval(frame, state, value)?;
                frame.locals[target.0 as usize] = Some(v);
            }
            StmtKind::SetField { field, value } => {
                let v = self.eval(frame, state, value)?;
                state[*field as usize] = v;
            }
            StmtKind::SetItem {
                object,
                index,
                value,
            } => {
                let o = self.eval(frame, state, object)?;
                let i = self.eval(frame, state, index)?;
                let v = self.eval(frame, state, value)?;
                set_item(&o, i, v)?;
            }
            StmtKind::DelItem { object, index } => {
                let o = self.eval(frame, state, object)?;
                let i = self.eval(frame, state, index)?;
                del_item(&o, &i)?;
            }
            StmtKind::DelLocal(l) => {
                if frame.locals[l.0 as usize].take().is_none() {
                    let name = self.local_name(frame, l.0);
                    return Err(unbound(&name));
                }
            }
            StmtKind::Unpack { targets, value } => {
                let v = self.eval(frame, state, value)?;
                let items = ops::iterate(&v).map_err(|_| {
                    Value::exception(
                        "TypeError",
                        format!("cannot unpack non-iterable {} object", v.type_name()),
                    )
                })?;
                if items.len() < targets.len() {
                    return raise(
                        "ValueError",
                        format!(
                            "not enough values to unpack (expected {}, got {})",
                            targets.len(),
                            items.len()
                        ),
                    );
                }
                if items.len() > targets.len() {
                    return raise(
                        "ValueError",
                        format!("too many values to unpack (expected {})", targets.len()),
                    );
                }
                for (t, x) in targets.iter().zip(items) {
                    frame.locals[t.0 as usize] = Some(x);
                }
            }
            StmtKind::Expr(e) => {
                self.eval(frame, state, e)?;
            }
            _ => return raise("RuntimeError", "unsupported statement"),
        }
        Ok(())
    }

    fn local_name(&self, frame: &Frame, index: u32) -> String {
        self.program.entities[frame.entity].methods[frame.method].locals[index as usize]
            .name
            .clone()
    }

    fn isinstance(&self, v: &Value, types: &[String]) -> bool {
        types.iter().any(|t| match t.as_str() {
            "object" => true,
            "int" => matches!(v, Value::Int(_) | Value::Bool(_)),
            "float" => matches!(v, Value::Float(_)),
            "str" => matches!(v, Value::Str(_)),
            "bool" => matches!(v, Value::Bool(_)),
            "list" => matches!(v, Value::List(_)),
            "dict" => matches!(v, Value::Dict(_)),
            "tuple" => matches!(v, Value::Tuple(_)),
            "set" => matches!(v, Value::Set(_)),
            "NoneType" => matches!(v, Value::None),
            other => match v {
                Value::Exception(e) => self.exception_is(&e.class, other),
                Value::Ref(r) => &*r.entity == other,
                _ => false,
            },
        })
    }

    fn eval_all(
        &self,
        frame: &mut Frame,
        state: &mut [Value],
        exprs: &[Expr],
    ) -> Result<Vec<Value>, Value> {
        exprs.iter().map(|e| self.eval(frame, state, e)).collect()
    }

    fn eval_kwargs(
        &self,
        frame: &mut Frame,
        state: &mut [Value],
        kwargs: &[(String, Expr)],
    ) -> Result<Vec<(String, Value)>, Value> {
        kwargs
            .iter()
            .map(|(k, e)| Ok((k.clone(), self.eval(frame, state, e)?)))
            .collect()
    }

    fn fstring(
        &self,
        frame: &mut Frame,
        state: &mut [Value],
        parts: &[FStringPart],
    ) -> Result<String, Value> {
        let mut out = String::new();
        for part in parts {
            match part {
                FStringPart::Literal(s) => out.push_str(s),
                FStringPart::Field {
                    value,
                    conversion,
                    spec,
                } => {
                    // As CPython's FORMAT_VALUE: the value, then its format spec, then the
                    // conversion and the formatting together.
                    let v = self.eval(frame, state, value)?;
                    let spec = self.fstring(frame, state, spec)?;
                    let v = match conversion {
                        Some('r') => Value::str(&repr(&v)),
                        Some('a') => Value::str(&crate::format::ascii(&v)),
                        Some(_) => Value::str(&to_str(&v)),
                        None => v,
                    };
                    out.push_str(&format_value(&v, &spec)?);
                }
            }
        }
        Ok(out)
    }

    fn bind(&self, frame: &mut Frame, target: &Target, value: Value) -> Result<(), Value> {
        match target {
            Target::Local(l) => {
                frame.locals[l.0 as usize] = Some(value);
                Ok(())
            }
            Target::Tuple(ts) => {
                let items = ops::iterate(&value).map_err(|_| {
                    Value::exception(
                        "TypeError",
                        format!("cannot unpack non-iterable {} object", value.type_name()),
                    )
                })?;
                if items.len() != ts.len() {
                    return if items.len() < ts.len() {
                        raise(
                            "ValueError",
                            format!(
                                "not enough values to unpack (expected {}, got {})",
                                ts.len(),
                                items.len()
                            ),
                        )
                    } else {
                        raise(
                            "ValueError",
                            format!("too many values to unpack (expected {})", ts.len()),
                        )
                    };
                }
                for (t, x) in ts.iter().zip(items) {
                    self.bind(frame, t, x)?;
                }
                Ok(())
            }
        }
    }

    fn comprehension(
        &self,
        frame: &mut Frame,
        state: &mut [Value],
        generators: &[ir::Generator],
        depth: usize,
        emit: &mut EmitFn<'_, 'p>,
    ) -> Result<(), Value> {
        let Some(g) = generators.get(depth) else {
            return emit(self, frame, state);
        };
        let iterable = self.eval(frame, state, &g.iter)?;
        self.comprehension_items(frame, state, generators, depth, iterable, emit)
    }

    /// A generator expression evaluated at once: its first iterable as any comprehension's, the
    /// rest as its body, where a `StopIteration` becomes `RuntimeError: generator raised
    /// StopIteration` (PEP 479).
    fn generator(
        &self,
        frame: &mut Frame,
        state: &mut [Value],
        generators: &[ir::Generator],
        emit: &mut EmitFn<'_, 'p>,
    ) -> Result<(), Value> {
        let Some(g) = generators.first() else {
            return emit(self, frame, state);
        };
        let iterable = self.eval(frame, state, &g.iter)?;
        self.comprehension_items(frame, state, generators, 0, iterable, emit)
            .map_err(|e| match &e {
                Value::Exception(x) if self.exception_is(&x.class, "StopIteration") => {
                    Value::exception("RuntimeError", "generator raised StopIteration")
                }
                _ => e,
            })
    }

    /// The loop of comprehension level `depth` over `iterable` (already evaluated).
    fn comprehension_items(
        &self,
        frame: &mut Frame,
        state: &mut [Value],
        generators: &[ir::Generator],
        depth: usize,
        iterable: Value,
        emit: &mut EmitFn<'_, 'p>,
    ) -> Result<(), Value> {
        let g = &generators[depth];
        // Immutable sequences are taken at once; containers are iterated as a `for` loop does
        // (a list live, a dict or set checked for changes of size, an iterator consumed).
        let (taken, live) = match &iterable {
            Value::Str(_) | Value::Tuple(_) | Value::Range(..) => {
                (Some(ops::iterate(&iterable)?), Value::None)
            }
            _ => (None, ops::iterable(&iterable)?),
        };
        let mut i = 0usize;
        loop {
            let item = match &taken {
                Some(items) => match items.get(i) {
                    Some(x) => x.clone(),
                    None => break,
                },
                None => {
                    if i >= ops::len(&live)? {
                        break;
                    }
                    ops::subscript(&live, &Value::Int(i as i64))?
                }
            };
            i += 1;
            self.bind(frame, &g.target, item)?;
            let mut keep = true;
            for cond in &g.ifs {
                if !self.eval(frame, state, cond)?.truthy() {
                    keep = false;
                    break;
                }
            }
            if keep {
                self.comprehension(frame, state, generators, depth + 1, emit)?;
            }
        }
        Ok(())
    }

    /// CPython's error for reading a field that was never assigned.
    pub fn unset_field(&self, entity: usize, field: usize) -> Value {
        let ent = &self.program().entities[entity];
        let name = ent.fields.get(field).map_or("?", |f| f.name.as_str());
        Value::exception(
            "AttributeError",
            format!("'{}' object has no attribute '{name}'", ent.name),
        )
    }

    /// Evaluates a pure expression.
    pub fn eval(&self, frame: &mut Frame, state: &mut [Value], e: &Expr) -> OpResult {
        Ok(match e {
            Expr::Const(c) => const_value(c),
            Expr::Local(l) => match &frame.locals[l.0 as usize] {
                Some(v) => v.clone(),
                None => return Err(unbound(&self.local_name(frame, l.0))),
            },
            Expr::SelfRef => Value::Ref(frame.self_ref.clone()),
            Expr::Field(f) => {
                let value = &state[*f as usize];
                if value.is_unset() {
                    return Err(self.unset_field(frame.entity, *f as usize));
                }
                value.clone()
            }
            Expr::List(xs) => Value::list(self.eval_all(frame, state, xs)?),
            Expr::Tuple(xs) => Value::tuple(self.eval_all(frame, state, xs)?),
            // CPython makes a display of three or more constants a frozenset constant, copied.
            Expr::Set(xs) if xs.len() >= 3 && xs.iter().all(Expr::is_folded_constant) => {
                let items = self.eval_all(frame, state, xs)?;
                Value::Set(Rc::new(std::cell::RefCell::new(
                    crate::set_order::from_constants(items),
                )))
            }
            Expr::Set(xs) => {
                let mut s = crate::value::SetMap::default();
                for x in self.eval_all(frame, state, xs)? {
                    ops::check_hashable(&x)?;
                    s.insert(x);
                }
                Value::Set(Rc::new(std::cell::RefCell::new(s)))
            }
            Expr::Dict(kvs) => {
                let mut m = crate::value::DictMap::default();
                for (k, v) in kvs {
                    let k = self.eval(frame, state, k)?;
                    let v = self.eval(frame, state, v)?;
                    ops::check_hashable(&k)?;
                    m.insert(k, v);
                }
                Value::dict(m)
            }
            Expr::Unary(op, x) => {
                let v = self.eval(frame, state, x)?;
                match op {
                    ir::UnaryOp::Not => Value::Bool(!v.truthy()),
                    ir::UnaryOp::Neg => match &v {
                        Value::Float(f) => Value::Float(-f),
                        other => match other.as_int() {
                            Some(i) => Value::Int(i.checked_neg().ok_or_else(|| {
                                Value::exception(
                                    "OverflowError",
                                    "integer overflow (entiflow integers are 64-bit)",
                                )
                            })?),
                            None => {
                                return raise(
                                    "TypeError",
                                    format!(
                                        "bad operand type for unary -: '{}'",
                                        other.type_name()
                                    ),
                                )
                            }
                        },
                    },
                    ir::UnaryOp::Pos => match &v {
                        Value::Float(_) => v,
                        other => match other.as_int() {
                            Some(i) => Value::Int(i),
                            None => {
                                return raise(
                                    "TypeError",
                                    format!(
                                        "bad operand type for unary +: '{}'",
                                        other.type_name()
                                    ),
                                )
                            }
                        },
                    },
                    ir::UnaryOp::Invert => match v.as_int() {
                        Some(i) => Value::Int(!i),
                        None => {
                            return raise(
                                "TypeError",
                                format!("bad operand type for unary ~: '{}'", v.type_name()),
                            )
                        }
                    },
                }
            }
            Expr::Binary(op, a, b) => {
                let a = self.eval(frame, state, a)?;
                let b = self.eval(frame, state, b)?;
                ops::binary(*op, &a, &b)?
            }
            Expr::InPlace(op, a, b) => {
                let a = self.eval(frame, state, a)?;
                let b = self.eval(frame, state, b)?;
                ops::inplace(*op, &a, &b)?
            }
            Expr::Compare(first, rest) => {
                let mut left = self.eval(frame, state, first)?;
                for (op, x) in rest {
                    let right = self.eval(frame, state, x)?;
                    if !ops::compare(*op, &left, &right)? {
                        return Ok(Value::Bool(false));
                    }
                    left = right;
                }
                Value::Bool(true)
            }
            Expr::Bool(op, xs) => {
                let mut last = Value::None;
                for x in xs {
                    last = self.eval(frame, state, x)?;
                    let stop = match op {
                        ir::BoolOp::And => !last.truthy(),
                        ir::BoolOp::Or => last.truthy(),
                    };
                    if stop {
                        break;
                    }
                }
                last
            }
            Expr::IfElse { test, body, orelse } => {
                if self.eval(frame, state, test)?.truthy() {
                    self.eval(frame, state, body)?
                } else {
                    self.eval(frame, state, orelse)?
                }
            }
            Expr::Subscript(a, i) => {
                let a = self.eval(frame, state, a)?;
                let i = self.eval(frame, state, i)?;
                let item = ops::subscript(&a, &i)?;
                // A lookup whose key comparison went too deep raises here, before its answer
                // is used (see `ops::comparison_overflow`); so do builtins and methods.
                ops::comparison_overflow()?;
                item
            }
            Expr::Slice(a, b, c) => {
                let mut part = |x: &Option<Box<Expr>>| -> OpResult {
                    match x {
                        Some(x) => self.eval(frame, state, x),
                        None => Ok(Value::None),
                    }
                };
                let (a, b, c) = (part(a)?, part(b)?, part(c)?);
                Value::Internal(Rc::new(crate::value::Internal::Slice(a, b, c)))
            }
            // `len(x)`, which every lowered loop asks on each pass: straight to the operation,
            // without the argument vector and the lookup of the builtin by name.
            Expr::Builtin { func, args, kwargs }
                if args.len() == 1 && kwargs.is_empty() && func == "len" =>
            {
                let v = self.eval(frame, state, &args[0])?;
                let n = ops::len(&v)?;
                ops::comparison_overflow()?;
                Value::Int(n as i64)
            }
            Expr::Builtin { func, args, kwargs } => {
                let a = self.eval_all(frame, state, args)?;
                let k = self.eval_kwargs(frame, state, kwargs)?;
                let value = call_builtin(func, &a, &k)?;
                ops::comparison_overflow()?;
                value
            }
            Expr::Method {
                receiver,
                method,
                args,
                kwargs,
            } => {
                let r = self.eval(frame, state, receiver)?;
                let a = self.eval_all(frame, state, args)?;
                let k = self.eval_kwargs(frame, state, kwargs)?;
                let value = call_method(&r, method, &a, &k)?;
                ops::comparison_overflow()?;
                value
            }
            Expr::IsInstance(x, types) => {
                let v = self.eval(frame, state, x)?;
                Value::Bool(self.isinstance(&v, types))
            }
            Expr::NewException { class, args, attrs } => {
                let args = self.eval_all(frame, state, args)?;
                let mut attr_values = Vec::with_capacity(attrs.len());
                for (name, x) in attrs {
                    attr_values.push((Rc::from(name.as_str()), self.eval(frame, state, x)?));
                }
                let class = match class.as_str() {
                    "OSError" => Exception::os_error_class(&args),
                    other => other,
                };
                Value::Exception(Rc::new(Exception {
                    class: Rc::from(class),
                    args,
                    style: if self.exception_is(class, "KeyError") {
                        ExceptionStyle::Key
                    } else if self.exception_is(class, "OSError") {
                        ExceptionStyle::Os
                    } else {
                        ExceptionStyle::Plain
                    },
                    attrs: attr_values,
                }))
            }
            Expr::Comprehension {
                kind,
                elt,
                value,
                generators,
            } => {
                let mut items: Vec<(Value, Option<Value>)> = Vec::new();
                let mut emit = |this: &Self, frame: &mut Frame, state: &mut [Value]| {
                    let k = this.eval(frame, state, elt)?;
                    let v = match value {
                        Some(v) => Some(this.eval(frame, state, v)?),
                        None => None,
                    };
                    items.push((k, v));
                    Ok(())
                };
                if *kind == ir::ComprehensionKind::Generator {
                    self.generator(frame, state, generators, &mut emit)?;
                } else {
                    self.comprehension(frame, state, generators, 0, &mut emit)?;
                }
                match kind {
                    ir::ComprehensionKind::Dict => {
                        let mut m = crate::value::DictMap::default();
                        for (k, v) in items {
                            ops::check_hashable(&k)?;
                            m.insert(k, v.unwrap_or(Value::None));
                        }
                        Value::dict(m)
                    }
                    ir::ComprehensionKind::Set => {
                        let mut s = crate::value::SetMap::default();
                        for (k, _) in items {
                            ops::check_hashable(&k)?;
                            s.insert(k);
                        }
                        Value::Set(Rc::new(std::cell::RefCell::new(s)))
                    }
                    _ => Value::list(items.into_iter().map(|(k, _)| k).collect()),
                }
            }
            Expr::FString(parts) => Value::str(&self.fstring(frame, state, parts)?),
            _ => return raise("RuntimeError", "unsupported expression"),
        })
    }
}

enum Flow {
    Goto(usize),
    Return(Value),
    Call(Rc<EntityRef>, CallOp),
}

/// The value of an IR constant.
pub fn const_value(c: &ir::Const) -> Value {
    match c {
        ir::Const::None => Value::None,
        ir::Const::Bool(b) => Value::Bool(*b),
        ir::Const::Int(i) => Value::Int(*i),
        ir::Const::Float(f) => Value::Float(*f),
        ir::Const::Str(s) => Value::str(s),
        ir::Const::Tuple(items) => Value::tuple(items.iter().map(const_value).collect()),
    }
}

fn slice_parts(index: &Value) -> Option<(Value, Value, Value)> {
    match index {
        Value::Internal(i) => match &**i {
            crate::value::Internal::Slice(a, b, c) => Some((a.clone(), b.clone(), c.clone())),
            _ => None,
        },
        _ => None,
    }
}

fn set_item(object: &Value, index: Value, value: Value) -> Result<(), Value> {
    match object {
        Value::List(l) => {
            if let Some((a, b, c)) = slice_parts(&index) {
                let plain = matches!(c, Value::None) || c.as_int() == Some(1);
                let items = ops::iterate(&value).map_err(|_| {
                    Value::exception(
                        "TypeError",
                        if plain {
                            "can only assign an iterable"
                        } else {
                            "must assign iterable to extended slice"
                        },
                    )
                })?;
                journal::list_before(l);
                let mut v = l.borrow_mut();
                let idx = ops::slice_indices(&a, &b, &c, v.len())?;
                if plain {
                    let start = match a {
                        Value::None => 0,
                        other => {
                            let i = other.as_int().unwrap_or(0);
                            let len = v.len() as i64;
                            (if i < 0 { i + len } else { i }).clamp(0, len) as usize
                        }
                    };
                    let end = idx.last().map(|i| i + 1).unwrap_or(start).max(start);
                    v.splice(start..end, items);
                } else {
                    if idx.len() != items.len() {
                        return raise("ValueError", format!("attempt to assign sequence of size {} to extended slice of size {}", items.len(), idx.len()));
                    }
                    for (i, x) in idx.into_iter().zip(items) {
                        v[i] = x;
                    }
                }
                return Ok(());
            }
            let mut v = l.borrow_mut();
            let i = index.as_int().ok_or_else(|| {
                Value::exception(
                    "TypeError",
                    format!(
                        "list indices must be integers or slices, not {}",
                        index.type_name()
                    ),
                )
            })?;
            match ops::norm_index(i, v.len()) {
                Some(i) => {
                    let old = std::mem::replace(&mut v[i], value);
                    drop(v);
                    journal::list_set(l, i, old);
                    Ok(())
                }
                None => raise("IndexError", "list assignment index out of range"),
            }
        }
        Value::Dict(d) => {
            ops::check_hashable(&index)?;
            let (i, old) = d.borrow_mut().insert_full(index, value);
            journal::dict_inserted(d, i, old);
            Ok(())
        }
        other => raise(
            "TypeError",
            format!(
                "'{}' object does not support item assignment",
                other.type_name()
            ),
        ),
    }
}

fn del_item(object: &Value, index: &Value) -> Result<(), Value> {
    match object {
        Value::List(l) => {
            if slice_parts(index).is_some() {
                journal::list_before(l);
            }
            let mut v = l.borrow_mut();
            if let Some((a, b, c)) = slice_parts(index) {
                let mut idx = ops::slice_indices(&a, &b, &c, v.len())?;
                idx.sort_unstable();
                for i in idx.into_iter().rev() {
                    v.remove(i);
                }
                return Ok(());
            }
            let i = index.as_int().ok_or_else(|| {
                Value::exception(
                    "TypeError",
                    format!(
                        "list indices must be integers or slices, not {}",
                        index.type_name()
                    ),
                )
            })?;
            match ops::norm_index(i, v.len()) {
                Some(i) => {
                    let removed = v.remove(i);
                    drop(v);
                    journal::list_removed(l, i, &removed);
                    Ok(())
                }
                None => raise("IndexError", "list assignment index out of range"),
            }
        }
        Value::Dict(d) => {
            ops::check_hashable(index)?;
            let removed = d.borrow_mut().shift_remove_full(index);
            match removed {
                Some((i, k, v)) => {
                    journal::dict_removed(d, i, &k, &v);
                    Ok(())
                }
                None => Err(Value::Exception(Rc::new(Exception::new(
                    "KeyError",
                    vec![index.clone()],
                )))),
            }
        }
        other => {
            // CPython's two wordings: a sequence indexed by an int, and everything else.
            let sequence_index =
                matches!(other, Value::Str(_) | Value::Tuple(_) | Value::Range(..))
                    && matches!(index, Value::Int(_) | Value::Bool(_));
            raise(
                "TypeError",
                format!(
                    "'{}' object {} support item deletion",
                    other.type_name(),
                    if sequence_index {
                        "doesn't"
                    } else {
                        "does not"
                    }
                ),
            )
        }
    }
}
