//! Structural checks every program must pass before an engine runs it.

use crate::{
    Block, BlockId, Expr, FStringPart, Local, Method, Program, RemoteOp, StmtKind, Target,
    Terminator,
};

/// An invariant of the IR that a program violates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ValidationError {
    /// Where: `Entity.method bN` or `Entity`.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

struct Checker<'a> {
    program: &'a Program,
    entity: usize,
    method: &'a Method,
    location: String,
}

impl Program {
    /// Checks the structural invariants: every entity has `__init__` and `__key__`; every block,
    /// local and field index is in range; every statically known call target names an entity that
    /// has the method or field; a method has at least one block.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut names = std::collections::HashSet::new();
        for (index, entity) in self.entities.iter().enumerate() {
            if !names.insert(entity.name.as_str()) {
                return Err(err(&entity.name, "duplicate entity type"));
            }
            for required in ["__init__", "__key__"] {
                if entity.method(required).is_none() {
                    return Err(err(&entity.name, &format!("missing method {required}")));
                }
            }
            for method in &entity.methods {
                if method.blocks.is_empty() {
                    return Err(err(
                        &format!("{}.{}", entity.name, method.name),
                        "no blocks",
                    ));
                }
                if method.params.len() > method.locals.len() {
                    return Err(err(
                        &format!("{}.{}", entity.name, method.name),
                        "fewer locals than parameters",
                    ));
                }
                for (b, block) in method.blocks.iter().enumerate() {
                    let mut checker = Checker {
                        program: self,
                        entity: index,
                        method,
                        location: format!("{}.{} b{b}", entity.name, method.name),
                    };
                    checker.block(block)?;
                }
            }
        }
        Ok(())
    }
}

fn err(location: &str, message: &str) -> ValidationError {
    ValidationError {
        location: location.to_string(),
        message: message.to_string(),
    }
}

impl Checker<'_> {
    fn fail(&self, message: String) -> Result<(), ValidationError> {
        Err(err(&self.location, &message))
    }

    fn block(&mut self, block: &Block) -> Result<(), ValidationError> {
        if let Some(handler) = block.handler {
            self.block_id(handler.block)?;
            self.local(handler.exception)?;
        }
        for stmt in &block.stmts {
            match &stmt.kind {
                StmtKind::Assign { target, value } => {
                    self.local(*target)?;
                    self.expr(value)?;
                }
                StmtKind::SetField { field, value } => {
                    self.field(*field)?;
                    self.expr(value)?;
                }
                StmtKind::SetItem {
                    object,
                    index,
                    value,
                } => {
                    self.expr(object)?;
                    self.expr(index)?;
                    self.expr(value)?;
                }
                StmtKind::DelItem { object, index } => {
                    self.expr(object)?;
                    self.expr(index)?;
                }
                StmtKind::DelLocal(local) => self.local(*local)?,
                StmtKind::Unpack { targets, value } => {
                    for target in targets {
                        self.local(*target)?;
                    }
                    self.expr(value)?;
                }
                StmtKind::Expr(expr) => self.expr(expr)?,
            }
        }
        match &block.terminator {
            Terminator::Return(e) | Terminator::Raise(e) => self.expr(e),
            Terminator::Jump(b) => self.block_id(*b),
            Terminator::Branch {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond)?;
                self.block_id(*then)?;
                self.block_id(*otherwise)
            }
            Terminator::Call {
                target,
                entity,
                op,
                result,
                resume,
                live,
            } => {
                self.expr(target)?;
                self.local(*result)?;
                self.block_id(*resume)?;
                for l in live {
                    self.local(*l)?;
                }
                if let RemoteOp::Invoke { args, kwargs, .. } = op {
                    for a in args {
                        self.expr(a)?;
                    }
                    for (_, a) in kwargs {
                        self.expr(a)?;
                    }
                }
                if let Some(name) = entity {
                    let Some(callee) = self.program.entity(name) else {
                        return self.fail(format!("call to unknown entity type {name}"));
                    };
                    match op {
                        RemoteOp::Invoke { method, .. } if callee.method(method).is_none() => {
                            return self.fail(format!("{name} has no method {method}"));
                        }
                        RemoteOp::GetField { field } if callee.field_index(field).is_none() => {
                            return self.fail(format!("{name} has no field {field}"));
                        }
                        _ => {}
                    }
                }
                Ok(())
            }
        }
    }

    fn block_id(&self, id: BlockId) -> Result<(), ValidationError> {
        if id.0 as usize >= self.method.blocks.len() {
            return self.fail(format!("block b{} out of range", id.0));
        }
        Ok(())
    }

    fn local(&self, local: Local) -> Result<(), ValidationError> {
        if local.0 as usize >= self.method.locals.len() {
            return self.fail(format!("local %{} out of range", local.0));
        }
        Ok(())
    }

    fn field(&self, field: u32) -> Result<(), ValidationError> {
        if field as usize >= self.program.entities[self.entity].fields.len() {
            return self.fail(format!("field #{field} out of range"));
        }
        Ok(())
    }

    fn target(&self, target: &Target) -> Result<(), ValidationError> {
        match target {
            Target::Local(l) => self.local(*l),
            Target::Tuple(ts) => ts.iter().try_for_each(|t| self.target(t)),
        }
    }

    fn fstring(&self, parts: &[FStringPart]) -> Result<(), ValidationError> {
        for part in parts {
            if let FStringPart::Field { value, spec, .. } = part {
                self.expr(value)?;
                self.fstring(spec)?;
            }
        }
        Ok(())
    }

    fn expr(&self, expr: &Expr) -> Result<(), ValidationError> {
        match expr {
            Expr::Const(_) | Expr::SelfRef => Ok(()),
            Expr::Local(l) => self.local(*l),
            Expr::Field(f) => self.field(*f),
            Expr::List(xs) | Expr::Tuple(xs) | Expr::Set(xs) | Expr::Bool(_, xs) => {
                xs.iter().try_for_each(|x| self.expr(x))
            }
            Expr::Dict(kvs) => kvs.iter().try_for_each(|(k, v)| {
                self.expr(k)?;
                self.expr(v)
            }),
            Expr::Unary(_, x) | Expr::IsInstance(x, _) => self.expr(x),
            Expr::Binary(_, a, b) | Expr::InPlace(_, a, b) | Expr::Subscript(a, b) => {
                self.expr(a)?;
                self.expr(b)
            }
            Expr::Compare(first, rest) => {
                self.expr(first)?;
                rest.iter().try_for_each(|(_, x)| self.expr(x))
            }
            Expr::IfElse { test, body, orelse } => {
                self.expr(test)?;
                self.expr(body)?;
                self.expr(orelse)
            }
            Expr::Slice(a, b, c) => [a, b, c]
                .into_iter()
                .flatten()
                .try_for_each(|x| self.expr(x)),
            Expr::Builtin { args, kwargs, .. } => {
                args.iter().try_for_each(|x| self.expr(x))?;
                kwargs.iter().try_for_each(|(_, x)| self.expr(x))
            }
            Expr::Method {
                receiver,
                args,
                kwargs,
                ..
            } => {
                self.expr(receiver)?;
                args.iter().try_for_each(|x| self.expr(x))?;
                kwargs.iter().try_for_each(|(_, x)| self.expr(x))
            }
            Expr::NewException { args, attrs, .. } => args
                .iter()
                .chain(attrs.iter().map(|(_, x)| x))
                .try_for_each(|x| self.expr(x)),
            Expr::Comprehension {
                elt,
                value,
                generators,
                ..
            } => {
                for g in generators {
                    self.target(&g.target)?;
                    self.expr(&g.iter)?;
                    g.ifs.iter().try_for_each(|x| self.expr(x))?;
                }
                self.expr(elt)?;
                value.iter().try_for_each(|x| self.expr(x))
            }
            Expr::FString(parts) => self.fstring(parts),
        }
    }
}
