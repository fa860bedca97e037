//! Backward liveness: which locals a continuation must carry across each remote call.

use std::collections::BTreeSet;

use ir::{Expr, FStringPart, Local, Method, RemoteOp, StmtKind, Target, Terminator};

fn bound_targets(target: &Target, out: &mut BTreeSet<u32>) {
    match target {
        Target::Local(l) => {
            out.insert(l.0);
        }
        Target::Tuple(ts) => ts.iter().for_each(|t| bound_targets(t, out)),
    }
}

fn expr_uses(expr: &Expr, out: &mut BTreeSet<u32>) {
    match expr {
        Expr::Const(_) | Expr::SelfRef | Expr::Field(_) => {}
        Expr::Local(l) => {
            out.insert(l.0);
        }
        Expr::List(xs) | Expr::Tuple(xs) | Expr::Set(xs) | Expr::Bool(_, xs) => {
            xs.iter().for_each(|x| expr_uses(x, out))
        }
        Expr::Dict(kvs) => kvs.iter().for_each(|(k, v)| {
            expr_uses(k, out);
            expr_uses(v, out);
        }),
        Expr::Unary(_, x) | Expr::IsInstance(x, _) => expr_uses(x, out),
        Expr::Binary(_, a, b) | Expr::InPlace(_, a, b) | Expr::Subscript(a, b) => {
            expr_uses(a, out);
            expr_uses(b, out);
        }
        Expr::Compare(a, rest) => {
            expr_uses(a, out);
            rest.iter().for_each(|(_, x)| expr_uses(x, out));
        }
        Expr::IfElse { test, body, orelse } => {
            expr_uses(test, out);
            expr_uses(body, out);
            expr_uses(orelse, out);
        }
        Expr::Slice(a, b, c) => [a, b, c]
            .into_iter()
            .flatten()
            .for_each(|x| expr_uses(x, out)),
        Expr::Builtin { args, kwargs, .. } | Expr::Method { args, kwargs, .. } => {
            if let Expr::Method { receiver, .. } = expr {
                expr_uses(receiver, out);
            }
            args.iter().for_each(|x| expr_uses(x, out));
            kwargs.iter().for_each(|(_, x)| expr_uses(x, out));
        }
        Expr::NewException { args, attrs, .. } => args
            .iter()
            .chain(attrs.iter().map(|(_, x)| x))
            .for_each(|x| expr_uses(x, out)),
        Expr::Comprehension {
            elt,
            value,
            generators,
            ..
        } => {
            let mut inner = BTreeSet::new();
            let mut bound = BTreeSet::new();
            for g in generators {
                expr_uses(&g.iter, &mut inner);
                bound_targets(&g.target, &mut bound);
                g.ifs.iter().for_each(|x| expr_uses(x, &mut inner));
            }
            expr_uses(elt, &mut inner);
            if let Some(v) = value {
                expr_uses(v, &mut inner);
            }
            out.extend(inner.difference(&bound));
        }
        Expr::FString(parts) => fstring_uses(parts, out),
        _ => {}
    }
}

fn fstring_uses(parts: &[FStringPart], out: &mut BTreeSet<u32>) {
    for part in parts {
        if let FStringPart::Field { value, spec, .. } = part {
            expr_uses(value, out);
            fstring_uses(spec, out);
        }
    }
}

/// Fills in `live` of every [`Terminator::Call`]: the locals read after the call on some path
/// (through the resume block or the exception handler), excluding the reply's own slot.
pub fn annotate_live_locals(method: &mut Method) {
    let n = method.blocks.len();
    let mut live_in: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); n];
    // Per block: uses before definition, and definitions.
    let mut gen_kill = Vec::with_capacity(n);
    for block in &method.blocks {
        let mut uses = BTreeSet::new();
        let mut defs = BTreeSet::new();
        let read = |e: &Expr, defs: &BTreeSet<u32>, uses: &mut BTreeSet<u32>| {
            let mut u = BTreeSet::new();
            expr_uses(e, &mut u);
            uses.extend(u.difference(defs));
        };
        for stmt in &block.stmts {
            match &stmt.kind {
                StmtKind::Assign { target, value } => {
                    read(value, &defs, &mut uses);
                    defs.insert(target.0);
                }
                StmtKind::SetField { value, .. } | StmtKind::Expr(value) => {
                    read(value, &defs, &mut uses)
                }
                StmtKind::SetItem {
                    object,
                    index,
                    value,
                } => {
                    read(object, &defs, &mut uses);
                    read(index, &defs, &mut uses);
                    read(value, &defs, &mut uses);
                }
                StmtKind::DelItem { object, index } => {
                    read(object, &defs, &mut uses);
                    read(index, &defs, &mut uses);
                }
                StmtKind::DelLocal(l) => {
                    defs.insert(l.0);
                }
                StmtKind::Unpack { targets, value } => {
                    read(value, &defs, &mut uses);
                    defs.extend(targets.iter().map(|t| t.0));
                }
                _ => {}
            }
        }
        match &block.terminator {
            Terminator::Return(e) | Terminator::Raise(e) | Terminator::Branch { cond: e, .. } => {
                read(e, &defs, &mut uses)
            }
            Terminator::Call { target, op, .. } => {
                read(target, &defs, &mut uses);
                if let RemoteOp::Invoke { args, kwargs, .. } = op {
                    args.iter().for_each(|a| read(a, &defs, &mut uses));
                    kwargs.iter().for_each(|(_, a)| read(a, &defs, &mut uses));
                }
            }
            _ => {}
        }
        gen_kill.push((uses, defs));
    }
    let successors = |b: usize, live_in: &[BTreeSet<u32>]| -> BTreeSet<u32> {
        let block = &method.blocks[b];
        let mut out = BTreeSet::new();
        match &block.terminator {
            Terminator::Jump(t) => out.extend(&live_in[t.0 as usize]),
            Terminator::Branch {
                then, otherwise, ..
            } => {
                out.extend(&live_in[then.0 as usize]);
                out.extend(&live_in[otherwise.0 as usize]);
            }
            Terminator::Call { result, resume, .. } => {
                out.extend(
                    live_in[resume.0 as usize]
                        .iter()
                        .filter(|l| **l != result.0),
                );
            }
            _ => {}
        }
        out
    };
    let handler_live = |b: usize, live_in: &[BTreeSet<u32>]| -> BTreeSet<u32> {
        match method.blocks[b].handler {
            Some(h) => live_in[h.block.0 as usize]
                .iter()
                .copied()
                .filter(|l| *l != h.exception.0)
                .collect(),
            None => BTreeSet::new(),
        }
    };
    let mut changed = true;
    while changed {
        changed = false;
        for b in (0..n).rev() {
            let (uses, defs) = &gen_kill[b];
            let mut set: BTreeSet<u32> =
                successors(b, &live_in).difference(defs).copied().collect();
            set.extend(uses);
            set.extend(handler_live(b, &live_in));
            if set != live_in[b] {
                live_in[b] = set;
                changed = true;
            }
        }
    }
    let lives: Vec<BTreeSet<u32>> = (0..n)
        .map(|b| {
            let mut live = successors(b, &live_in);
            live.extend(handler_live(b, &live_in));
            live
        })
        .collect();
    for (block, live) in method.blocks.iter_mut().zip(lives) {
        if let Terminator::Call { live: slot, .. } = &mut block.terminator {
            *slot = live.into_iter().map(Local).collect();
        }
    }
}
