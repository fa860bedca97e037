//! What `__init__` and `__key__` reach: they run before the entity exists, so neither they nor
//! any method of `self` they call (directly or through other methods and module functions) may
//! call another entity. A direct call is refused where it is lowered (E0354); this pass follows
//! the calls on `self` through the lowered methods and refuses the indirect ones.

use ir::{Method, RemoteOp, Span, Terminator};

use crate::analyze::Reporter;

/// Reports each call on `self` in `__init__` or `__key__` that leads to a call of another entity
/// (E0354).
pub fn check(methods: &[Method], reporter: &mut Reporter<'_>) {
    for creator in methods
        .iter()
        .filter(|m| matches!(m.name.as_str(), "__init__" | "__key__"))
    {
        for (callee, span) in self_calls(creator) {
            let mut seen = vec![creator.name.as_str()];
            if let Some((through, remote)) = first_remote(methods, callee, &mut seen) {
                reporter.error_at(
                    span,
                    "E0354",
                    format!(
                        "`{}` reaches another entity through `{}`",
                        creator.name,
                        source_name(callee)
                    ),
                    format!(
                        "`{}` calls another entity at line {}",
                        source_name(through),
                        remote.line
                    ),
                    Some("only methods of `self` that call no other entity run before the entity exists; call other entities from a method"),
                );
            }
        }
    }
}

/// The calls a method makes on `self`: the callee's name and where.
fn self_calls(method: &Method) -> Vec<(&str, Span)> {
    method
        .blocks
        .iter()
        .filter_map(|b| match &b.terminator {
            Terminator::Call {
                target: ir::Expr::SelfRef,
                op: RemoteOp::Invoke { method, .. },
                ..
            } => Some((method.as_str(), b.span)),
            _ => None,
        })
        .collect()
}

/// The first call of another entity in `name` or a method it calls on `self` (depth first):
/// the method that makes it and where.
fn first_remote<'a>(
    methods: &'a [Method],
    name: &'a str,
    seen: &mut Vec<&'a str>,
) -> Option<(&'a str, Span)> {
    if seen.contains(&name) {
        return None;
    }
    seen.push(name);
    let method = methods.iter().find(|m| m.name == name)?;
    let remote = method.blocks.iter().find_map(|b| match &b.terminator {
        Terminator::Call { target, .. } if !matches!(target, ir::Expr::SelfRef) => Some(b.span),
        _ => None,
    });
    if let Some(span) = remote {
        return Some((method.name.as_str(), span));
    }
    self_calls(method)
        .into_iter()
        .find_map(|(callee, _)| first_remote(methods, callee, seen))
}

/// A method's name as the source spells it: module functions and static methods are compiled
/// as methods named `_module.f` and `_static.Class.f`.
fn source_name(name: &str) -> &str {
    name.strip_prefix("_module.")
        .or_else(|| name.strip_prefix("_static."))
        .unwrap_or(name)
}
