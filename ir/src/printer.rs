//! A readable text form of the IR, in the spirit of Cranelift's CLIF.
//!
//! ```text
//! entity User {
//!   field username: Any
//!   method buy_item(amount: Any, item: Ref(Item)) -> Any {
//!   b0:
//!     call %2 = remote Item(%1).GetField price live [%0, %1] -> b1
//!   b1:
//!     %3 = (%0 * %2)
//!     ...
//! ```

use std::fmt::{self, Display, Formatter, Write};

use crate::{
    BinOp, BoolOp, CmpOp, ComprehensionKind, Const, Expr, FStringPart, Method, Program, RemoteOp,
    StmtKind, Target, Terminator, Type, UnaryOp,
};

impl Display for Type {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Type::Any => f.write_str("Any"),
            Type::Ref(e) => write!(f, "Ref({e})"),
            Type::List(t) => write!(f, "list[{t}]"),
            Type::Dict(k, v) => write!(f, "dict[{k}, {v}]"),
            Type::Builtin(n) => f.write_str(n),
        }
    }
}

impl Display for Const {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Const::None => f.write_str("None"),
            Const::Bool(true) => f.write_str("True"),
            Const::Bool(false) => f.write_str("False"),
            Const::Int(i) => write!(f, "{i}"),
            Const::Float(x) => write!(f, "{x:?}"),
            Const::Str(s) => write!(f, "{s:?}"),
            Const::Tuple(items) => {
                f.write_char('(')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                if items.len() == 1 {
                    f.write_char(',')?;
                }
                f.write_char(')')
            }
        }
    }
}

fn unary(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Not => "not ",
        UnaryOp::Neg => "-",
        UnaryOp::Pos => "+",
        UnaryOp::Invert => "~",
    }
}

/// The Python spelling of a binary operator.
pub fn binop_symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::FloorDiv => "//",
        BinOp::Mod => "%",
        BinOp::Pow => "**",
        BinOp::LShift => "<<",
        BinOp::RShift => ">>",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::BitAnd => "&",
    }
}

/// The Python spelling of a comparison operator.
pub fn cmpop_symbol(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "==",
        CmpOp::NotEq => "!=",
        CmpOp::Lt => "<",
        CmpOp::LtE => "<=",
        CmpOp::Gt => ">",
        CmpOp::GtE => ">=",
        CmpOp::Is => "is",
        CmpOp::IsNot => "is not",
        CmpOp::In => "in",
        CmpOp::NotIn => "not in",
    }
}

struct ExprPrinter<'a> {
    fields: &'a [crate::Field],
}

impl ExprPrinter<'_> {
    fn list(&self, out: &mut String, items: &[Expr]) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.expr(out, item);
        }
    }

    fn call_args(&self, out: &mut String, args: &[Expr], kwargs: &[(String, Expr)]) {
        out.push('(');
        self.list(out, args);
        for (i, (name, value)) in kwargs.iter().enumerate() {
            if i > 0 || !args.is_empty() {
                out.push_str(", ");
            }
            out.push_str(name);
            out.push('=');
            self.expr(out, value);
        }
        out.push(')');
    }

    fn target(&self, out: &mut String, target: &Target) {
        match target {
            Target::Local(l) => {
                let _ = write!(out, "%{}", l.0);
            }
            Target::Tuple(ts) => {
                out.push('(');
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.target(out, t);
                }
                out.push(')');
            }
        }
    }

    fn fstring(&self, out: &mut String, parts: &[FStringPart]) {
        for part in parts {
            match part {
                FStringPart::Literal(s) => out.push_str(&s.replace('{', "{{").replace('}', "}}")),
                FStringPart::Field {
                    value,
                    conversion,
                    spec,
                } => {
                    out.push('{');
                    self.expr(out, value);
                    if let Some(c) = conversion {
                        out.push('!');
                        out.push(*c);
                    }
                    if !spec.is_empty() {
                        out.push(':');
                        self.fstring(out, spec);
                    }
                    out.push('}');
                }
            }
        }
    }

    fn expr(&self, out: &mut String, expr: &Expr) {
        match expr {
            Expr::Const(c) => {
                let _ = write!(out, "{c}");
            }
            Expr::Local(l) => {
                let _ = write!(out, "%{}", l.0);
            }
            Expr::SelfRef => out.push_str("self"),
            Expr::Field(i) => {
                let name = self
                    .fields
                    .get(*i as usize)
                    .map_or("?", |f| f.name.as_str());
                let _ = write!(out, "self.{name}");
            }
            Expr::List(xs) => {
                out.push('[');
                self.list(out, xs);
                out.push(']');
            }
            Expr::Tuple(xs) => {
                out.push('(');
                self.list(out, xs);
                if xs.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
            Expr::Set(xs) => {
                out.push_str("set{");
                self.list(out, xs);
                out.push('}');
            }
            Expr::Dict(kvs) => {
                out.push('{');
                for (i, (k, v)) in kvs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.expr(out, k);
                    out.push_str(": ");
                    self.expr(out, v);
                }
                out.push('}');
            }
            Expr::Unary(op, x) => {
                out.push_str(unary(*op));
                self.expr(out, x);
            }
            Expr::Binary(op, a, b) => {
                out.push('(');
                self.expr(out, a);
                let _ = write!(out, " {} ", binop_symbol(*op));
                self.expr(out, b);
                out.push(')');
            }
            // `a op= b` as a value: what the augmented assignment stores back.
            Expr::InPlace(op, a, b) => {
                out.push_str("inplace(");
                self.expr(out, a);
                let _ = write!(out, " {} ", binop_symbol(*op));
                self.expr(out, b);
                out.push(')');
            }
            Expr::Compare(first, rest) => {
                out.push('(');
                self.expr(out, first);
                for (op, x) in rest {
                    let _ = write!(out, " {} ", cmpop_symbol(*op));
                    self.expr(out, x);
                }
                out.push(')');
            }
            Expr::Bool(op, xs) => {
                let sep = match op {
                    BoolOp::And => " and ",
                    BoolOp::Or => " or ",
                };
                out.push('(');
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    self.expr(out, x);
                }
                out.push(')');
            }
            Expr::IfElse { test, body, orelse } => {
                out.push('(');
                self.expr(out, body);
                out.push_str(" if ");
                self.expr(out, test);
                out.push_str(" else ");
                self.expr(out, orelse);
                out.push(')');
            }
            Expr::Subscript(a, i) => {
                self.expr(out, a);
                out.push('[');
                self.expr(out, i);
                out.push(']');
            }
            Expr::Slice(a, b, c) => {
                if let Some(a) = a {
                    self.expr(out, a);
                }
                out.push(':');
                if let Some(b) = b {
                    self.expr(out, b);
                }
                if let Some(c) = c {
                    out.push(':');
                    self.expr(out, c);
                }
            }
            Expr::Builtin { func, args, kwargs } => {
                out.push_str(func);
                self.call_args(out, args, kwargs);
            }
            Expr::Method {
                receiver,
                method,
                args,
                kwargs,
            } => {
                self.expr(out, receiver);
                out.push('.');
                out.push_str(method);
                self.call_args(out, args, kwargs);
            }
            Expr::IsInstance(x, types) => {
                out.push_str("isinstance(");
                self.expr(out, x);
                let _ = write!(out, ", ({}))", types.join(", "));
            }
            Expr::NewException { class, args, attrs } => {
                let _ = write!(out, "new {class}");
                self.call_args(out, args, attrs);
            }
            Expr::Comprehension {
                kind,
                elt,
                value,
                generators,
            } => {
                let (open, close) = match kind {
                    ComprehensionKind::List => ("[", "]"),
                    ComprehensionKind::Set | ComprehensionKind::Dict => ("{", "}"),
                    ComprehensionKind::Generator => ("(", ")"),
                };
                out.push_str(open);
                self.expr(out, elt);
                if let Some(v) = value {
                    out.push_str(": ");
                    self.expr(out, v);
                }
                for g in generators {
                    out.push_str(" for ");
                    self.target(out, &g.target);
                    out.push_str(" in ");
                    self.expr(out, &g.iter);
                    for cond in &g.ifs {
                        out.push_str(" if ");
                        self.expr(out, cond);
                    }
                }
                out.push_str(close);
            }
            Expr::FString(parts) => {
                out.push_str("f\"");
                self.fstring(out, parts);
                out.push('"');
            }
        }
    }
}

fn method_text(out: &mut String, fields: &[crate::Field], method: &Method) {
    let printer = ExprPrinter { fields };
    let kind = if method.is_static {
        "static method"
    } else {
        "method"
    };
    let _ = write!(out, "  {kind} {}(", method.name);
    for (i, p) in method.params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "%{i} {}: {}", p.name, p.ty);
        if let Some(d) = &p.default {
            let _ = write!(out, " = {d}");
        }
    }
    let _ = writeln!(out, ") -> {} {{", method.returns);
    for (i, local) in method.locals.iter().enumerate().skip(method.params.len()) {
        let _ = writeln!(out, "    local %{i} {}: {}", local.name, local.ty);
    }
    for (b, block) in method.blocks.iter().enumerate() {
        let _ = write!(out, "  b{b}:");
        if let Some(h) = block.handler {
            let _ = write!(out, "  ; except -> b{} (%{})", h.block.0, h.exception.0);
        }
        out.push('\n');
        for stmt in &block.stmts {
            out.push_str("    ");
            match &stmt.kind {
                StmtKind::Assign { target, value } => {
                    let _ = write!(out, "%{} = ", target.0);
                    printer.expr(out, value);
                }
                StmtKind::SetField { field, value } => {
                    printer.expr(out, &Expr::Field(*field));
                    out.push_str(" = ");
                    printer.expr(out, value);
                }
                StmtKind::SetItem {
                    object,
                    index,
                    value,
                } => {
                    printer.expr(out, object);
                    out.push('[');
                    printer.expr(out, index);
                    out.push_str("] = ");
                    printer.expr(out, value);
                }
                StmtKind::DelItem { object, index } => {
                    out.push_str("del ");
                    printer.expr(out, object);
                    out.push('[');
                    printer.expr(out, index);
                    out.push(']');
                }
                StmtKind::DelLocal(l) => {
                    let _ = write!(out, "del %{}", l.0);
                }
                StmtKind::Unpack { targets, value } => {
                    let names: Vec<String> = targets.iter().map(|t| format!("%{}", t.0)).collect();
                    let _ = write!(out, "unpack {} = ", names.join(", "));
                    printer.expr(out, value);
                }
                StmtKind::Expr(e) => printer.expr(out, e),
            }
            let _ = writeln!(out, "    ; line {}", stmt.span.line);
        }
        out.push_str("    ");
        match &block.terminator {
            Terminator::Return(e) => {
                out.push_str("return ");
                printer.expr(out, e);
            }
            Terminator::Jump(b) => {
                let _ = write!(out, "jump b{}", b.0);
            }
            Terminator::Branch {
                cond,
                then,
                otherwise,
            } => {
                out.push_str("branch ");
                printer.expr(out, cond);
                let _ = write!(out, ", b{}, b{}", then.0, otherwise.0);
            }
            Terminator::Raise(e) => {
                out.push_str("raise ");
                printer.expr(out, e);
            }
            Terminator::Call {
                target,
                entity,
                op,
                result,
                resume,
                live,
            } => {
                let _ = write!(
                    out,
                    "call %{} = {}(",
                    result.0,
                    entity.as_deref().unwrap_or("?")
                );
                printer.expr(out, target);
                out.push_str(").");
                match op {
                    RemoteOp::Invoke {
                        method,
                        args,
                        kwargs,
                    } => {
                        out.push_str(method);
                        printer.call_args(out, args, kwargs);
                    }
                    RemoteOp::GetField { field } => {
                        let _ = write!(out, "{field}");
                    }
                }
                let live: Vec<String> = live.iter().map(|l| format!("%{}", l.0)).collect();
                let _ = write!(out, " live [{}] -> b{}", live.join(", "), resume.0);
            }
        }
        let _ = writeln!(out, "    ; line {}", block.span.line);
    }
    out.push_str("  }\n");
}

impl Program {
    /// Renders the program as readable text (one `entity` section per type, blocks with their
    /// statements and terminators, source lines as comments).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "; entiflow IR {} — {} ({})",
            self.ir_version, self.name, self.source_file
        );
        for exc in &self.exceptions {
            let _ = writeln!(out, "exception {}({})", exc.name, exc.base);
        }
        for entity in &self.entities {
            let _ = writeln!(out, "entity {} {{", entity.name);
            for (i, field) in entity.fields.iter().enumerate() {
                let _ = writeln!(out, "  field #{i} {}: {}", field.name, field.ty);
            }
            for method in &entity.methods {
                method_text(&mut out, &entity.fields, method);
            }
            out.push_str("}\n");
        }
        out
    }
}
