//! Lowering of method bodies to control-flow graphs, split at every remote call.
//!
//! Expressions without remote calls stay trees ([`ir::Expr`]). A remote call (another entity's
//! method or field, or a `self` method, which may itself call out) ends the current block with
//! [`Terminator::Call`]; the rest of the statement continues in the resume block. Operands
//! evaluated before a remote call in the same expression are pinned into temporaries first, so
//! Python's left-to-right evaluation order holds even when the callee calls back (A → B → A).

use std::collections::{HashMap, HashSet};

use ir::{
    BinOp, Block, BlockId, BoolOp, CmpOp, ComprehensionKind, Const, Expr, FStringPart, Generator,
    Handler, Local, LocalDecl, Method, RemoteOp, Span, Stmt, StmtKind, Target, Terminator, Type,
    UnaryOp,
};
use ruff_python_ast::{self as ast};
use ruff_text_size::{Ranged, TextRange};

use crate::analyze::{
    function_method_name, static_method_name, ClassConstant, EntityInfo, InitStep, MethodSig,
    ModuleInfo, Reporter,
};

/// A call's lowered receiver, positional and keyword arguments.
type LoweredArgs = (Option<Expr>, Vec<Expr>, Vec<(String, Expr)>);

/// How a call expression is classified.
enum CallKind<'a> {
    /// A remote method call on `receiver`, to a known entity type or to one resolved at run time.
    Remote {
        receiver: &'a ast::Expr,
        entity: Option<String>,
        method: String,
    },
    /// A method of a builtin value.
    ValueMethod {
        receiver: &'a ast::Expr,
        method: String,
    },
    /// A builtin function.
    Builtin(String),
    /// A module-level function or a static method called through its class, by the private
    /// method it is in every entity: a call of the running entity on itself.
    Function(String),
    /// A module-level function whose definition was refused: reported there, not at its calls.
    Refused,
    /// Constructing an exception.
    Exception(String),
    /// Not supported (a diagnostic has the reason).
    Invalid {
        code: &'static str,
        message: String,
        label: String,
        hint: Option<&'static str>,
    },
}

#[derive(Clone)]
struct LoopCtx {
    break_to: BlockId,
    continue_to: BlockId,
    finally_depth: usize,
}

#[derive(Clone)]
struct FinallyCtx<'a> {
    body: &'a [ast::Stmt],
    outer_handler: Option<Handler>,
}

struct PendingBlock {
    stmts: Vec<Stmt>,
    terminator: Option<(Terminator, Span)>,
    handler: Option<Handler>,
}

/// Lowers one method.
pub struct MethodLowerer<'m, 'a, 'r, 's> {
    info: &'m ModuleInfo<'a>,
    entity: &'m EntityInfo<'a>,
    sig: &'m MethodSig<'a>,
    rep: &'r mut Reporter<'s>,
    locals: Vec<LocalDecl>,
    names: HashMap<String, Local>,
    comp_scope: Vec<(String, Local)>,
    blocks: Vec<PendingBlock>,
    current: BlockId,
    handler: Option<Handler>,
    loops: Vec<LoopCtx>,
    finally: Vec<FinallyCtx<'a>>,
    /// How many `finally` bodies are being lowered around the current statement.
    finally_bodies: u32,
    active_exceptions: Vec<Local>,
    temp_counter: u32,
    stmt_span: Span,
    /// Generator expressions that are call arguments (`",".join(str(x) for x in xs)`): they
    /// are lowered as lists, which the callee consumes the same way.
    generator_args: Vec<*const ast::ExprGenerator>,
    /// Types of the targets of the comprehensions [`Self::has_remote`] is looking into (they
    /// are not declared yet), innermost last.
    peeked_targets: std::cell::RefCell<Vec<(String, Type)>>,
    /// While [`Self::has_remote`] walks an expression (nothing changes meanwhile), the types of
    /// its calls found so far, by node: a chain of n calls is then classified in O(n), not
    /// O(n²) per walk.
    call_types: std::cell::RefCell<Option<HashMap<*const ast::ExprCall, Type>>>,
    /// Locals every assignment of which is plainly a builtin value (`d = {}`, `s = f"..."`,
    /// `n = len(xs)`): a method call on them is a builtin method even when an entity has a
    /// method of the same name.
    builtin_locals: HashSet<String>,
    /// Names `except ... as name` binds in the method (their attributes may be an exception's).
    handler_names: HashSet<String>,
    /// Lowering an exception class's `__init__` where the exception is made: its parameters
    /// and the attributes set so far stand for the names and `self.name` (nothing of the method).
    init_scope: Option<InitScope>,
    /// Lowering a module-level display (`PLANS = {"pro": BASE * 2}`): its names are module
    /// constants, never the method's locals.
    module_scope: bool,
}

/// Every binding of a name in a method body: `Some(value)` for a plain `name = value`, `None`
/// for anything else that binds it (unpacking, loop targets, `except ... as name`).
fn bindings<'a>(body: &'a [ast::Stmt], out: &mut Vec<(String, Option<&'a ast::Expr>)>) {
    let unknown = |e: &ast::Expr, out: &mut Vec<(String, Option<&'a ast::Expr>)>| {
        let mut names = Vec::new();
        collect_target_names(e, &mut names);
        out.extend(names.into_iter().map(|n| (n, None)));
    };
    walk_statements(body, &mut |step| match step {
        Walked::Stmt(ast::Stmt::Assign(a)) => {
            for t in &a.targets {
                match t {
                    ast::Expr::Name(n) => out.push((n.id.as_str().to_string(), Some(&a.value))),
                    other => unknown(other, out),
                }
            }
        }
        Walked::Stmt(ast::Stmt::AnnAssign(a)) => {
            if let (ast::Expr::Name(n), Some(v)) = (&*a.target, &a.value) {
                out.push((n.id.as_str().to_string(), Some(v)));
            }
        }
        Walked::Stmt(ast::Stmt::For(f)) => unknown(&f.target, out),
        Walked::Handler(h) => {
            if let Some(n) = &h.name {
                out.push((n.as_str().to_string(), None));
            }
        }
        Walked::Stmt(_) => {}
    });
    out.extend(
        walrus_bindings(body)
            .into_iter()
            .map(|(n, v)| (n.to_string(), Some(v))),
    );
}

/// The assignment expressions (`name := value`) of a method body, anywhere in its expressions
/// (in a comprehension too: the name is the method's local, as in Python; not in a lambda,
/// which is a scope of its own), with their values.
fn walrus_bindings(body: &[ast::Stmt]) -> Vec<(&str, &ast::Expr)> {
    use ruff_python_ast::visitor::Visitor;
    let mut finder = WalrusFinder(Vec::new());
    for stmt in body {
        finder.visit_stmt(stmt);
    }
    finder.0
}

/// Collects assignment expressions, leaving out those inside lambdas.
struct WalrusFinder<'a>(Vec<(&'a str, &'a ast::Expr)>);

impl<'a> ruff_python_ast::visitor::Visitor<'a> for WalrusFinder<'a> {
    fn visit_expr(&mut self, e: &'a ast::Expr) {
        match e {
            ast::Expr::Lambda(_) => return,
            ast::Expr::Named(n) => {
                if let ast::Expr::Name(t) = &*n.target {
                    self.0.push((t.id.as_str(), &n.value));
                }
            }
            _ => {}
        }
        ruff_python_ast::visitor::walk_expr(self, e);
    }
}

/// What [`walk_statements`] visits: a statement, or an `except` clause (before its body).
enum Walked<'a> {
    Stmt(&'a ast::Stmt),
    Handler(&'a ast::ExceptHandlerExceptHandler),
}

/// Visits every statement of `body` and of the bodies nested in it (`if`, `for`, `while`,
/// `try`), in source order, each before the bodies it contains.
fn walk_statements<'a>(body: &'a [ast::Stmt], visit: &mut dyn FnMut(Walked<'a>)) {
    for stmt in body {
        visit(Walked::Stmt(stmt));
        match stmt {
            ast::Stmt::For(f) => {
                walk_statements(&f.body, visit);
                walk_statements(&f.orelse, visit);
            }
            ast::Stmt::While(w) => {
                walk_statements(&w.body, visit);
                walk_statements(&w.orelse, visit);
            }
            ast::Stmt::If(i) => {
                walk_statements(&i.body, visit);
                for c in &i.elif_else_clauses {
                    walk_statements(&c.body, visit);
                }
            }
            ast::Stmt::Try(t) => {
                walk_statements(&t.body, visit);
                for ast::ExceptHandler::ExceptHandler(h) in &t.handlers {
                    visit(Walked::Handler(h));
                    walk_statements(&h.body, visit);
                }
                walk_statements(&t.orelse, visit);
                walk_statements(&t.finalbody, visit);
            }
            _ => {}
        }
    }
}

/// Methods that change the list, dict or set they are called on.
const MUTATING_METHODS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "clear",
    "sort",
    "reverse",
    "update",
    "setdefault",
    "popitem",
    "add",
    "discard",
    "intersection_update",
    "difference_update",
    "symmetric_difference_update",
];

/// The `key=` argument of a call, unless it is absent or `None`.
/// Whether a display has `*` elements.
fn has_starred(elts: &[ast::Expr]) -> bool {
    elts.iter().any(|e| matches!(e, ast::Expr::Starred(_)))
}

/// A call of builtin function `func` with one argument.
fn builtin_call(func: &str, arg: Expr) -> Expr {
    Expr::Builtin {
        func: func.into(),
        args: vec![arg],
        kwargs: vec![],
    }
}

/// `parts` joined left to right by `op` (at least one part).
fn join_with(op: BinOp, parts: Vec<Expr>) -> Expr {
    let mut parts = parts.into_iter();
    let first = parts.next().unwrap_or(Expr::List(vec![]));
    parts.fold(first, |acc, p| Expr::Binary(op, Box::new(acc), Box::new(p)))
}

fn key_function(call: &ast::ExprCall) -> Option<&ast::Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "key"))
        .map(|k| &k.value)
        .filter(|v| !matches!(v, ast::Expr::NoneLiteral(_)))
}

/// Builtins the lowerer turns into loops (they take a function, which the IR has no value for).
const LOWERED_BUILTINS: &[&str] = &["map", "filter"];

/// Whether `name` is a builtin function a method may call.
fn is_builtin_function(name: &str) -> bool {
    ir::BUILTIN_FUNCTIONS.contains(&name) || LOWERED_BUILTINS.contains(&name)
}

/// The names an exception's `__init__` sees while it is lowered inline (see
/// `MethodLowerer::new_exception_with_init`).
struct InitScope {
    /// Parameters, bound to the arguments.
    params: Vec<(String, Local)>,
    /// Attributes set so far (`self.name = value`), latest last.
    attrs: Vec<(String, Local)>,
}

/// A function passed as a value (see `MethodLowerer::function_arg`).
enum FunctionArg<'k> {
    /// `lambda a, b: body`, its parameters bound to the arguments in the body's scope.
    Lambda(Vec<&'k ast::Parameter>, &'k ast::Expr),
    /// A builtin function: `len`, `str`.
    Function(String),
    /// A builtin type's method, the first argument its receiver: `str.lower`.
    TypeMethod(String),
    /// A builtin value's bound method: `counts.get`.
    Bound(Expr, String),
    /// A method of a value that is a builtin or an entity, decided at run time.
    Dynamic(Expr, String),
    /// An entity's bound method (its type when known): `self._rank`, `scorer.score`.
    Entity(Expr, Option<String>, String),
}

/// What a function argument is for, which decides the diagnostics' wording.
#[derive(Clone, Copy)]
enum FunctionRole {
    Key,
    Map,
    Filter,
}

impl FunctionRole {
    fn label(self) -> &'static str {
        match self {
            FunctionRole::Key => "key function",
            FunctionRole::Map => "function for map()",
            FunctionRole::Filter => "function for filter()",
        }
    }
}

/// "one argument", "2 arguments".
fn arguments(n: usize) -> String {
    match n {
        1 => "one argument".to_string(),
        n => format!("{n} arguments"),
    }
}

/// What CPython says when `shown` (a function, or a method counting `with_self` for its
/// `self`), whose parameters are `params`, is called with `arity` positional arguments it cannot
/// take.
fn arity_message(shown: &str, params: &[ir::Param], arity: usize, with_self: usize) -> String {
    if params.len() < arity {
        let taken = params.len() + with_self;
        let given = arity + with_self;
        format!(
            "{shown}() takes {taken} positional argument{} but {given} {} given",
            plural(taken),
            if given == 1 { "was" } else { "were" }
        )
    } else {
        let missing: Vec<&str> = params[arity..]
            .iter()
            .filter(|p| p.default.is_none())
            .map(|p| p.name.as_str())
            .collect();
        format!(
            "{shown}() missing {} required positional argument{}: {}",
            missing.len(),
            plural(missing.len()),
            quoted_list(&missing)
        )
    }
}

/// Names as CPython lists them in an arity error: `'a'`, `'a' and 'b'`, `'a', 'b' and 'c'`.
fn quoted_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => quoted.concat(),
    }
}

/// `"s"` after a count other than one.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The names an assignment target binds.
fn collect_target_names(e: &ast::Expr, out: &mut Vec<String>) {
    match e {
        ast::Expr::Name(n) => out.push(n.id.as_str().to_string()),
        ast::Expr::Tuple(t) => t.elts.iter().for_each(|x| collect_target_names(x, out)),
        ast::Expr::List(t) => t.elts.iter().for_each(|x| collect_target_names(x, out)),
        ast::Expr::Starred(s) => collect_target_names(&s.value, out),
        _ => {}
    }
}

/// Every name a method body assigns (its locals), in source order.
fn body_assigned_names(body: &[ast::Stmt], out: &mut Vec<String>) {
    walk_statements(body, &mut |step| match step {
        Walked::Stmt(ast::Stmt::Assign(a)) => {
            a.targets.iter().for_each(|t| collect_target_names(t, out))
        }
        Walked::Stmt(ast::Stmt::AugAssign(a)) => collect_target_names(&a.target, out),
        Walked::Stmt(ast::Stmt::AnnAssign(a)) => collect_target_names(&a.target, out),
        Walked::Stmt(ast::Stmt::Delete(d)) => {
            d.targets.iter().for_each(|t| collect_target_names(t, out))
        }
        Walked::Stmt(ast::Stmt::For(f)) => collect_target_names(&f.target, out),
        Walked::Handler(h) => {
            if let Some(n) = &h.name {
                out.push(n.as_str().to_string());
            }
        }
        Walked::Stmt(_) => {}
    });
    out.extend(
        walrus_bindings(body)
            .into_iter()
            .map(|(n, _)| n.to_string()),
    );
}

fn binop(op: ast::Operator) -> Option<BinOp> {
    Some(match op {
        ast::Operator::Add => BinOp::Add,
        ast::Operator::Sub => BinOp::Sub,
        ast::Operator::Mult => BinOp::Mul,
        ast::Operator::Div => BinOp::Div,
        ast::Operator::FloorDiv => BinOp::FloorDiv,
        ast::Operator::Mod => BinOp::Mod,
        ast::Operator::Pow => BinOp::Pow,
        ast::Operator::LShift => BinOp::LShift,
        ast::Operator::RShift => BinOp::RShift,
        ast::Operator::BitOr => BinOp::BitOr,
        ast::Operator::BitXor => BinOp::BitXor,
        ast::Operator::BitAnd => BinOp::BitAnd,
        ast::Operator::MatMult => return None,
    })
}

fn cmpop(op: ast::CmpOp) -> CmpOp {
    match op {
        ast::CmpOp::Eq => CmpOp::Eq,
        ast::CmpOp::NotEq => CmpOp::NotEq,
        ast::CmpOp::Lt => CmpOp::Lt,
        ast::CmpOp::LtE => CmpOp::LtE,
        ast::CmpOp::Gt => CmpOp::Gt,
        ast::CmpOp::GtE => CmpOp::GtE,
        ast::CmpOp::Is => CmpOp::Is,
        ast::CmpOp::IsNot => CmpOp::IsNot,
        ast::CmpOp::In => CmpOp::In,
        ast::CmpOp::NotIn => CmpOp::NotIn,
    }
}

const GENERATOR_CONSUMERS: &[&str] = &[
    "any", "all", "sum", "min", "max", "sorted", "list", "set", "tuple", "dict",
];

impl<'m, 'a, 'r, 's> MethodLowerer<'m, 'a, 'r, 's> {
    /// Prepares a lowerer for one method of `entity`.
    pub fn new(
        info: &'m ModuleInfo<'a>,
        entity: &'m EntityInfo<'a>,
        sig: &'m MethodSig<'a>,
        rep: &'r mut Reporter<'s>,
    ) -> Self {
        let mut lowerer = MethodLowerer {
            info,
            entity,
            sig,
            rep,
            locals: Vec::new(),
            names: HashMap::new(),
            comp_scope: Vec::new(),
            blocks: Vec::new(),
            current: BlockId(0),
            handler: None,
            loops: Vec::new(),
            finally: Vec::new(),
            finally_bodies: 0,
            active_exceptions: Vec::new(),
            temp_counter: 0,
            stmt_span: Span::default(),
            generator_args: Vec::new(),
            peeked_targets: Default::default(),
            call_types: Default::default(),
            builtin_locals: HashSet::new(),
            handler_names: HashSet::new(),
            init_scope: None,
            module_scope: false,
        };
        walk_statements(&sig.def.body, &mut |step| {
            if let Walked::Handler(h) = step {
                if let Some(n) = &h.name {
                    lowerer.handler_names.insert(n.as_str().to_string());
                }
            }
        });
        for p in &sig.params {
            lowerer.declare(&p.name, p.ty.clone());
        }
        let mut assigned = Vec::new();
        body_assigned_names(&sig.def.body, &mut assigned);
        for name in assigned {
            if name != "self" && !lowerer.names.contains_key(&name) {
                lowerer.declare(&name, Type::Any);
            }
        }
        lowerer.find_builtin_locals();
        let entry = lowerer.new_block();
        lowerer.current = entry;
        lowerer
    }

    /// Fills [`Self::builtin_locals`]: start from every local bound only by plain assignments
    /// and drop those with a value that is not plainly builtin, until nothing changes.
    fn find_builtin_locals(&mut self) {
        let mut all = Vec::new();
        bindings(&self.sig.def.body, &mut all);
        let params: HashSet<&str> = self.sig.params.iter().map(|p| p.name.as_str()).collect();
        let mut candidates: HashSet<String> = all
            .iter()
            .map(|(n, _)| n.clone())
            .filter(|n| !params.contains(n.as_str()) && n != "self")
            .collect();
        for (name, value) in &all {
            if value.is_none() {
                candidates.remove(name);
            }
        }
        self.builtin_locals = candidates;
        loop {
            let failing: Vec<String> = all
                .iter()
                .filter(|(n, v)| {
                    self.builtin_locals.contains(n) && !v.is_some_and(|v| self.plainly_builtin(v))
                })
                .map(|(n, _)| n.clone())
                .collect();
            if failing.is_empty() {
                break;
            }
            for n in failing {
                self.builtin_locals.remove(&n);
            }
        }
    }

    /// Whether `e` is certainly a builtin value (never an entity reference): literals,
    /// displays, arithmetic, builtin calls that build a new value, and locals or annotations
    /// that say so.
    fn plainly_builtin(&self, e: &ast::Expr) -> bool {
        // A local's type is that of one of its assignments: only `builtin_locals` vouches for
        // all of them. Parameters and fields have declared (or `__init__`) types.
        let inferred_local = matches!(e, ast::Expr::Name(n)
            if self.lookup_local(n.id.as_str()).is_some()
                && self.sig.params.iter().all(|p| p.name != n.id.as_str()));
        if !inferred_local
            && matches!(
                self.type_of(e),
                Type::Builtin(_) | Type::List(_) | Type::Dict(..)
            )
        {
            return true;
        }
        match e {
            ast::Expr::StringLiteral(_)
            | ast::Expr::BytesLiteral(_)
            | ast::Expr::NumberLiteral(_)
            | ast::Expr::BooleanLiteral(_)
            | ast::Expr::FString(_)
            | ast::Expr::List(_)
            | ast::Expr::ListComp(_)
            | ast::Expr::Dict(_)
            | ast::Expr::DictComp(_)
            | ast::Expr::Set(_)
            | ast::Expr::SetComp(_)
            | ast::Expr::Tuple(_)
            | ast::Expr::BinOp(_)
            | ast::Expr::UnaryOp(_)
            | ast::Expr::Compare(_) => true,
            ast::Expr::Name(n) => {
                self.comp_scope.iter().all(|(c, _)| c != n.id.as_str())
                    && self.builtin_locals.contains(n.id.as_str())
            }
            ast::Expr::Call(c) => match &*c.func {
                ast::Expr::Name(f) => {
                    let name = f.id.as_str();
                    self.lookup_local(name).is_none()
                        && is_builtin_function(name)
                        && !matches!(name, "min" | "max")
                }
                ast::Expr::Attribute(a) => {
                    ir::is_builtin_method(a.attr.as_str())
                        && !matches!(a.attr.as_str(), "get" | "pop" | "setdefault" | "popitem")
                        && self.plainly_builtin(&a.value)
                }
                _ => false,
            },
            _ => false,
        }
    }

    fn declare(&mut self, name: &str, ty: Type) -> Local {
        let local = Local(self.locals.len() as u32);
        self.locals.push(LocalDecl {
            name: name.to_string(),
            ty,
        });
        self.names.insert(name.to_string(), local);
        local
    }

    fn temp(&mut self, hint: &str) -> Local {
        self.temp_counter += 1;
        let local = Local(self.locals.len() as u32);
        self.locals.push(LocalDecl {
            name: format!("${hint}{}", self.temp_counter),
            ty: Type::Any,
        });
        local
    }

    fn span(&self, node: &impl Ranged) -> Span {
        self.rep.map.of(node)
    }

    fn new_block(&mut self) -> BlockId {
        self.blocks.push(PendingBlock {
            stmts: Vec::new(),
            terminator: None,
            handler: self.handler,
        });
        BlockId(self.blocks.len() as u32 - 1)
    }

    fn emit(&mut self, kind: StmtKind, span: Span) {
        let block = &mut self.blocks[self.current.0 as usize];
        if block.terminator.is_none() {
            block.stmts.push(Stmt { kind, span });
        }
    }

    fn terminate(&mut self, terminator: Terminator, span: Span) {
        let block = &mut self.blocks[self.current.0 as usize];
        if block.terminator.is_none() {
            block.terminator = Some((terminator, span));
        }
    }

    /// Continues in a fresh block after a terminator that does not fall through.
    fn dead_block(&mut self) {
        self.current = self.new_block();
    }

    fn start(&mut self, block: BlockId) {
        self.current = block;
    }

    fn with_handler(&mut self, handler: Option<Handler>, span: Span) {
        self.handler = handler;
        let next = self.new_block();
        self.terminate(Terminator::Jump(next), span);
        self.start(next);
    }

    fn error(
        &mut self,
        node: &impl Ranged,
        code: &'static str,
        message: impl Into<String>,
        label: impl Into<String>,
        hint: Option<&str>,
    ) {
        self.rep.error(node, code, message, label, hint);
    }

    /// Lowers the whole body and returns the method.
    pub fn finish(mut self) -> Method {
        let body = &self.sig.def.body;
        self.stmts(body);
        let end = self
            .rep
            .map
            .span(TextRange::empty(self.sig.def.range().end()));
        self.terminate(Terminator::Return(Expr::Const(Const::None)), end);
        let blocks = self
            .blocks
            .into_iter()
            .map(|b| {
                let (terminator, span) = b
                    .terminator
                    .unwrap_or((Terminator::Return(Expr::Const(Const::None)), end));
                Block {
                    stmts: b.stmts,
                    terminator,
                    span,
                    handler: b.handler,
                }
            })
            .collect();
        let mut method = Method::new(
            self.sig.name.clone(),
            self.sig.params.clone(),
            self.sig.returns.clone(),
            self.locals,
            blocks,
            self.rep.map.of(&self.sig.def.name),
        );
        method.is_static = self.sig.is_function;
        crate::simplify::simplify(&mut method);
        crate::liveness::annotate_live_locals(&mut method);
        method
    }

    // ----- statements -------------------------------------------------------------------

    fn stmts(&mut self, body: &'a [ast::Stmt]) {
        for stmt in body {
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &'a ast::Stmt) {
        let span = self.span(stmt);
        self.stmt_span = span;
        match stmt {
            ast::Stmt::Pass(_) => {}
            ast::Stmt::Expr(e) => {
                if matches!(&*e.value, ast::Expr::StringLiteral(_)) {
                    return;
                }
                let value = self.expr(&e.value);
                if !matches!(value, Expr::Local(_) | Expr::Const(_)) {
                    self.emit(StmtKind::Expr(value), span);
                }
            }
            ast::Stmt::Assign(a) => {
                let value = self.expr(&a.value);
                if a.targets.len() == 1 {
                    self.refine_type(&a.targets[0], &a.value);
                    self.assign(&a.targets[0], value, span);
                } else {
                    let value = self.pin(value);
                    for t in &a.targets {
                        self.assign(t, value.clone(), span);
                    }
                }
            }
            ast::Stmt::AnnAssign(a) => {
                if let ast::Expr::Name(n) = &*a.target {
                    let names: Vec<String> =
                        self.info.entities.iter().map(|e| e.name.clone()).collect();
                    let ty = crate::analyze::annotation_type(&a.annotation, &names);
                    if let Some(l) = self.names.get(n.id.as_str()) {
                        self.locals[l.0 as usize].ty = ty;
                    }
                }
                if let Some(v) = &a.value {
                    let value = self.expr(v);
                    self.assign(&a.target, value, span);
                }
            }
            ast::Stmt::AugAssign(a) => self.aug_assign(a, span),
            ast::Stmt::If(s) => self.if_stmt(s),
            ast::Stmt::While(w) => self.while_stmt(w),
            ast::Stmt::For(f) => self.for_stmt(f),
            ast::Stmt::Break(_) => self.jump_out(true, stmt),
            ast::Stmt::Continue(_) => self.jump_out(false, stmt),
            ast::Stmt::Return(r) => {
                let value = match &r.value {
                    Some(v) => self.expr(v),
                    None => Expr::Const(Const::None),
                };
                // A `finally` body may rebind the returned name: the value is taken first.
                let value = match value {
                    Expr::Local(_) if !self.finally.is_empty() => {
                        let t = self.temp("t");
                        self.emit(StmtKind::Assign { target: t, value }, span);
                        Expr::Local(t)
                    }
                    value if !self.finally.is_empty() => self.pin(value),
                    value => value,
                };
                self.run_finally_blocks(0, span);
                self.terminate(Terminator::Return(value), span);
                self.dead_block();
            }
            ast::Stmt::Raise(r) => self.raise(r, span),
            ast::Stmt::Try(t) => self.try_stmt(t, span),
            ast::Stmt::Assert(a) => {
                let cond = self.expr(&a.test);
                let ok = self.new_block();
                let fail = self.new_block();
                self.terminate(
                    Terminator::Branch {
                        cond,
                        then: ok,
                        otherwise: fail,
                    },
                    span,
                );
                self.start(fail);
                let args = match &a.msg {
                    Some(m) => vec![self.expr(m)],
                    None => vec![],
                };
                self.terminate(
                    Terminator::Raise(Expr::NewException {
                        class: "AssertionError".into(),
                        args,
                        attrs: vec![],
                    }),
                    span,
                );
                self.start(ok);
            }
            ast::Stmt::Delete(d) => {
                for target in &d.targets {
                    self.lower_del(target, span);
                }
            }
            ast::Stmt::FunctionDef(f) => self.error(
                &f.name,
                "E0311",
                "nested functions are not supported",
                "nested def",
                Some("make it a method of the entity (a `_helper` method stays private)"),
            ),
            ast::Stmt::ClassDef(c) => self.error(
                &c.name,
                "E0311",
                "nested classes are not supported",
                "nested class",
                Some("define classes at module level"),
            ),
            ast::Stmt::Global(g) => self.error(
                g,
                "E0312",
                "`global` is not supported",
                "global state is not allowed",
                Some("keep state in entity fields"),
            ),
            ast::Stmt::Nonlocal(g) => self.error(
                g,
                "E0312",
                "`nonlocal` is not supported",
                "nonlocal",
                Some("there are no nested functions: assign the local directly"),
            ),
            ast::Stmt::Import(i) => self.error(
                i,
                "E0101",
                "imports inside methods are not supported",
                "import",
                Some("entity programs may import only `entity` from `entiflow`"),
            ),
            ast::Stmt::ImportFrom(i) => self.error(
                i,
                "E0101",
                "imports inside methods are not supported",
                "import",
                Some("entity programs may import only `entity` from `entiflow`"),
            ),
            ast::Stmt::With(w) => self.error(
                w,
                "E0313",
                "`with` statements are not supported",
                "with",
                Some("use try/finally"),
            ),
            ast::Stmt::Match(m) => self.error(
                m,
                "E0313",
                "`match` statements are not supported",
                "match",
                Some("use if/elif"),
            ),
            other => self.error(
                other,
                "E0313",
                "unsupported statement",
                "not in the supported language",
                None,
            ),
        }
    }

    fn refine_type(&mut self, target: &ast::Expr, value: &ast::Expr) {
        if let ast::Expr::Name(n) = target {
            if let Some(l) = self.lookup_local(n.id.as_str()) {
                if self.locals[l.0 as usize].ty == Type::Any {
                    let ty = self.type_of(value);
                    self.locals[l.0 as usize].ty = ty;
                }
            }
        }
    }

    fn lookup_local(&self, name: &str) -> Option<Local> {
        if let Some(scope) = &self.init_scope {
            return scope
                .params
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, l)| *l);
        }
        self.comp_scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, l)| *l)
            .or_else(|| self.names.get(name).copied())
    }

    fn field_of_self<'e>(&self, e: &'e ast::Expr) -> Option<&'e ast::ExprAttribute> {
        match e {
            ast::Expr::Attribute(a) if matches!(&*a.value, ast::Expr::Name(n) if n.id.as_str() == "self" && self.lookup_local("self").is_none()) => {
                Some(a)
            }
            _ => None,
        }
    }

    fn assign(&mut self, target: &'a ast::Expr, value: Expr, span: Span) {
        match target {
            ast::Expr::Name(n) => match self.lookup_local(n.id.as_str()) {
                Some(l) => self.emit(StmtKind::Assign { target: l, value }, span),
                None => self.error(
                    n,
                    "E0314",
                    format!("cannot assign to `{}`", n.id.as_str()),
                    "not assignable",
                    None,
                ),
            },
            ast::Expr::Attribute(a) => {
                if self.field_of_self(target).is_some() {
                    match self.entity.field(a.attr.as_str()) {
                        Some(field) => self.emit(StmtKind::SetField { field, value }, span),
                        _ => self.error(
                            &a.attr,
                            "E0315",
                            format!(
                                "`{}` is not a field of `{}`",
                                a.attr.as_str(),
                                self.entity.name
                            ),
                            "new field outside `__init__`",
                            Some("declare every field by assigning it in `__init__`"),
                        ),
                    }
                } else if matches!(self.type_of(&a.value), Type::Ref(_)) {
                    self.error(
                        target,
                        "E0316",
                        "cannot assign a field of another entity",
                        "assignment to another entity's state",
                        Some("call a method of that entity that sets the field"),
                    );
                } else {
                    self.error(
                        target,
                        "E0316",
                        "cannot assign this attribute",
                        "only fields of `self` are assigned",
                        Some("another entity's field is set by a method of that entity; an exception's attributes are set in its class's `__init__`"),
                    );
                }
            }
            ast::Expr::Subscript(s) => {
                self.check_changeable(&s.value);
                let value = self.pin_if(
                    value,
                    self.has_remote(&s.value) || self.has_remote(&s.slice),
                );
                let parts = self.lower_seq(&[&s.value, &s.slice]);
                let mut it = parts.into_iter();
                let object = it.next().unwrap_or(Expr::Const(Const::None));
                let index = it.next().unwrap_or(Expr::Const(Const::None));
                self.emit(
                    StmtKind::SetItem {
                        object,
                        index,
                        value,
                    },
                    span,
                );
            }
            ast::Expr::Tuple(ast::ExprTuple { elts, .. })
            | ast::Expr::List(ast::ExprList { elts, .. }) => {
                let stars: Vec<usize> = elts
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| matches!(e, ast::Expr::Starred(_)))
                    .map(|(i, _)| i)
                    .collect();
                match stars[..] {
                    [] => {}
                    [star] => return self.starred_unpack(elts, star, value, span),
                    [_, second, ..] => {
                        self.error(
                            &elts[second],
                            "E0317",
                            "multiple starred expressions in assignment",
                            "second starred target",
                            None,
                        );
                        return;
                    }
                }
                let temps: Vec<Local> = elts.iter().map(|_| self.temp("unpack")).collect();
                self.emit(
                    StmtKind::Unpack {
                        targets: temps.clone(),
                        value,
                    },
                    span,
                );
                for (t, e) in temps.into_iter().zip(elts.iter()) {
                    self.assign(e, Expr::Local(t), span);
                }
            }
            other => self.error(
                other,
                "E0314",
                "unsupported assignment target",
                "cannot assign to this",
                None,
            ),
        }
    }

    /// `first, *middle, last = value`: the items as a list, a length check with CPython's
    /// message, then each target from its index or slice.
    fn starred_unpack(&mut self, elts: &'a [ast::Expr], star: usize, value: Expr, span: Span) {
        let items = self.temp("unpack");
        self.emit(
            StmtKind::Assign {
                target: items,
                value: Expr::Builtin {
                    func: "$unpack".into(),
                    args: vec![value],
                    kwargs: vec![],
                },
            },
            span,
        );
        let len = || Expr::Builtin {
            func: "len".into(),
            args: vec![Expr::Local(items)],
            kwargs: vec![],
        };
        let int = |i: usize| Expr::Const(Const::Int(i as i64));
        let fixed = elts.len() - 1;
        let (ok, short) = (self.new_block(), self.new_block());
        self.terminate(
            Terminator::Branch {
                cond: Expr::Compare(Box::new(len()), vec![(CmpOp::Lt, int(fixed))]),
                then: short,
                otherwise: ok,
            },
            span,
        );
        self.start(short);
        let message = Expr::Binary(
            BinOp::Add,
            Box::new(Expr::Binary(
                BinOp::Add,
                Box::new(Expr::Const(Const::Str(format!(
                    "not enough values to unpack (expected at least {fixed}, got "
                )))),
                Box::new(Expr::Builtin {
                    func: "str".into(),
                    args: vec![len()],
                    kwargs: vec![],
                }),
            )),
            Box::new(Expr::Const(Const::Str(")".into()))),
        );
        self.terminate(
            Terminator::Raise(Expr::NewException {
                class: "ValueError".into(),
                args: vec![message],
                attrs: vec![],
            }),
            span,
        );
        self.start(ok);
        let after = fixed - star;
        let from_end = |k: usize| Expr::Binary(BinOp::Sub, Box::new(len()), Box::new(int(k)));
        for (i, target) in elts.iter().enumerate() {
            let part = if i < star {
                int(i)
            } else if i == star {
                Expr::Slice(
                    Some(Box::new(int(star))),
                    Some(Box::new(from_end(after))),
                    None,
                )
            } else {
                from_end(elts.len() - i)
            };
            let v = Expr::Subscript(Box::new(Expr::Local(items)), Box::new(part));
            let target: &'a ast::Expr = match target {
                ast::Expr::Starred(s) => &s.value,
                other => other,
            };
            self.assign(target, v, span);
        }
    }

    fn aug_assign(&mut self, a: &'a ast::StmtAugAssign, span: Span) {
        let Some(op) = binop(a.op) else {
            self.error(
                a,
                "E0320",
                "the `@` operator is not supported",
                "matrix multiplication",
                None,
            );
            return;
        };
        let rhs_remote = self.has_remote(&a.value);
        match &*a.target {
            ast::Expr::Name(n) => {
                let Some(l) = self.lookup_local(n.id.as_str()) else {
                    self.error(
                        n,
                        "E0314",
                        format!("cannot assign to `{}`", n.id.as_str()),
                        "not assignable",
                        None,
                    );
                    return;
                };
                // The target is read first: a walrus or a call in the value runs after it.
                let current = self.pin_if(Expr::Local(l), rhs_remote);
                let rhs = self.expr(&a.value);
                self.emit(
                    StmtKind::Assign {
                        target: l,
                        value: Expr::InPlace(op, Box::new(current), Box::new(rhs)),
                    },
                    span,
                );
            }
            ast::Expr::Attribute(attr) if self.field_of_self(&a.target).is_some() => {
                let Some(field) = self.entity.field(attr.attr.as_str()) else {
                    self.error(
                        &attr.attr,
                        "E0315",
                        format!(
                            "`{}` is not a field of `{}`",
                            attr.attr.as_str(),
                            self.entity.name
                        ),
                        "new field outside `__init__`",
                        Some("declare every field by assigning it in `__init__`"),
                    );
                    return;
                };
                let current = self.pin_if(Expr::Field(field), rhs_remote);
                let rhs = self.expr(&a.value);
                self.emit(
                    StmtKind::SetField {
                        field,
                        value: Expr::InPlace(op, Box::new(current), Box::new(rhs)),
                    },
                    span,
                );
            }
            ast::Expr::Subscript(s) => {
                self.check_changeable(&s.value);
                let parts = self.lower_seq(&[&s.value, &s.slice]);
                let mut it = parts.into_iter();
                let object = self.pin(it.next().unwrap_or(Expr::Const(Const::None)));
                let index = self.pin(it.next().unwrap_or(Expr::Const(Const::None)));
                let current = self.pin_if(
                    Expr::Subscript(Box::new(object.clone()), Box::new(index.clone())),
                    rhs_remote,
                );
                let rhs = self.expr(&a.value);
                self.emit(
                    StmtKind::SetItem {
                        object,
                        index,
                        value: Expr::InPlace(op, Box::new(current), Box::new(rhs)),
                    },
                    span,
                );
            }
            ast::Expr::Attribute(_) => self.error(
                &*a.target,
                "E0316",
                "cannot assign a field of another entity",
                "assignment to another entity's state",
                Some("call a method of that entity that sets the field"),
            ),
            other => self.error(
                other,
                "E0314",
                "unsupported assignment target",
                "cannot assign to this",
                None,
            ),
        }
    }

    fn if_stmt(&mut self, s: &'a ast::StmtIf) {
        let after = self.new_block();
        let mut test: Option<&'a ast::Expr> = Some(&s.test);
        let mut body: &'a [ast::Stmt] = &s.body;
        let mut clauses = s.elif_else_clauses.iter();
        loop {
            match test {
                Some(t) => {
                    let span = self.span(t);
                    let cond = self.expr(t);
                    let then = self.new_block();
                    let otherwise = self.new_block();
                    self.terminate(
                        Terminator::Branch {
                            cond,
                            then,
                            otherwise,
                        },
                        span,
                    );
                    self.start(then);
                    self.stmts(body);
                    self.terminate(Terminator::Jump(after), span);
                    self.start(otherwise);
                }
                None => {
                    self.stmts(body);
                    break;
                }
            }
            match clauses.next() {
                Some(clause) => {
                    test = clause.test.as_ref();
                    body = &clause.body;
                }
                None => break,
            }
        }
        let span = self.span(s);
        self.terminate(Terminator::Jump(after), span);
        self.start(after);
    }

    fn while_stmt(&mut self, w: &'a ast::StmtWhile) {
        let span = self.span(&*w.test);
        let header = self.new_block();
        self.terminate(Terminator::Jump(header), span);
        self.start(header);
        let cond = self.expr(&w.test);
        let body = self.new_block();
        let orelse = self.new_block();
        let after = self.new_block();
        self.terminate(
            Terminator::Branch {
                cond,
                then: body,
                otherwise: orelse,
            },
            span,
        );
        self.start(body);
        self.loop_body(&w.body, after, header);
        self.terminate(Terminator::Jump(header), span);
        self.start(orelse);
        self.stmts(&w.orelse);
        self.terminate(Terminator::Jump(after), span);
        self.start(after);
    }

    /// The body of a loop: `break` leaves for `break_to`, `continue` goes on at `continue_to`.
    fn loop_body(&mut self, body: &'a [ast::Stmt], break_to: BlockId, continue_to: BlockId) {
        self.loops.push(LoopCtx {
            break_to,
            continue_to,
            finally_depth: self.finally.len(),
        });
        self.stmts(body);
        self.loops.pop();
    }

    /// Emits the loop header over `iterable`; returns (header, exit-to-else block, element).
    fn loop_begin(&mut self, iterable: Expr, span: Span) -> (BlockId, BlockId, Expr) {
        let seq = self.temp("iter");
        let idx = self.temp("idx");
        self.emit(
            StmtKind::Assign {
                target: seq,
                value: Expr::Builtin {
                    func: "$iterable".into(),
                    args: vec![iterable],
                    kwargs: vec![],
                },
            },
            span,
        );
        self.emit(
            StmtKind::Assign {
                target: idx,
                value: Expr::Const(Const::Int(0)),
            },
            span,
        );
        let header = self.new_block();
        self.terminate(Terminator::Jump(header), span);
        self.start(header);
        let body = self.new_block();
        let exit = self.new_block();
        let cond = Expr::Compare(
            Box::new(Expr::Local(idx)),
            vec![(
                CmpOp::Lt,
                Expr::Builtin {
                    func: "len".into(),
                    args: vec![Expr::Local(seq)],
                    kwargs: vec![],
                },
            )],
        );
        self.terminate(
            Terminator::Branch {
                cond,
                then: body,
                otherwise: exit,
            },
            span,
        );
        self.start(body);
        let item = self.temp("item");
        self.emit(
            StmtKind::Assign {
                target: item,
                value: Expr::Subscript(Box::new(Expr::Local(seq)), Box::new(Expr::Local(idx))),
            },
            span,
        );
        self.emit(
            StmtKind::Assign {
                target: idx,
                value: Expr::Binary(
                    BinOp::Add,
                    Box::new(Expr::Local(idx)),
                    Box::new(Expr::Const(Const::Int(1))),
                ),
            },
            span,
        );
        (header, exit, Expr::Local(item))
    }

    fn for_stmt(&mut self, f: &'a ast::StmtFor) {
        let span = self.span(&*f.iter);
        if f.is_async {
            self.error(
                f,
                "E0321",
                "`async for` is not supported",
                "async",
                Some("remote calls are plain calls: drop `async`"),
            );
            return;
        }
        self.refine_loop_target(&f.target, &f.iter);
        if let Some((call, func)) = self.lazy_map_filter(&f.iter) {
            return self.for_over_map_filter(f, call, &func, span);
        }
        let iterable = constant_set_iterable(&f.iter, self.expr(&f.iter));
        let (header, exit, item) = self.loop_begin(iterable, span);
        let after = self.new_block();
        self.assign(&f.target, item, span);
        self.loop_body(&f.body, after, header);
        self.terminate(Terminator::Jump(header), span);
        self.start(exit);
        self.stmts(&f.orelse);
        self.terminate(Terminator::Jump(after), span);
        self.start(after);
    }

    /// `e` as the `map(...)` or `filter(...)` call it is, with the builtin's name, when it is
    /// one: a consumer that reads it item by item (a `for` loop, a comprehension, `any`, `all`,
    /// `next`) then applies the function lazily, as CPython's iterators do.
    fn lazy_map_filter(&self, e: &'a ast::Expr) -> Option<(&'a ast::ExprCall, String)> {
        let ast::Expr::Call(call) = e else {
            return None;
        };
        match self.classify_call(call) {
            CallKind::Builtin(name) if LOWERED_BUILTINS.contains(&name.as_str()) => {
                Some((call, name))
            }
            _ => None,
        }
    }

    /// `for target in map(f, xs): ...` (or `filter`): the function runs for an item just before
    /// the body does; `break` stops it, and a `StopIteration` it raises ends the loop normally
    /// (the `else` clause runs).
    fn for_over_map_filter(
        &mut self,
        f: &'a ast::StmtFor,
        call: &'a ast::ExprCall,
        func: &str,
        span: Span,
    ) {
        let after = self.new_block();
        let next = self.new_block();
        let mut body = |this: &mut Self, item: Expr| {
            this.assign(&f.target, item, span);
            this.loop_body(&f.body, after, next);
            // On to the next item (the loop's jump back to its header follows).
            this.terminate(Terminator::Jump(next), span);
            this.start(next);
        };
        if self.map_filter_loop(call, func, span, &mut body).is_none() {
            // The call was refused (before any item); the body is still checked.
            self.dead_block();
            body(self, Expr::Const(Const::None));
            self.terminate(Terminator::Jump(after), span);
            self.start(after);
            return;
        }
        self.stmts(&f.orelse);
        self.terminate(Terminator::Jump(after), span);
        self.start(after);
    }

    fn refine_loop_target(&mut self, target: &ast::Expr, iter: &ast::Expr) {
        let element = self.element_type(iter);
        match (target, &element) {
            (ast::Expr::Name(n), _) => {
                if let Some(l) = self.lookup_local(n.id.as_str()) {
                    if self.locals[l.0 as usize].ty == Type::Any {
                        self.locals[l.0 as usize].ty =
                            element.first().cloned().unwrap_or(Type::Any);
                    }
                }
            }
            (ast::Expr::Tuple(t), types) if types.len() == t.elts.len() => {
                for (e, ty) in t.elts.iter().zip(types) {
                    if let ast::Expr::Name(n) = e {
                        if let Some(l) = self.lookup_local(n.id.as_str()) {
                            if self.locals[l.0 as usize].ty == Type::Any {
                                self.locals[l.0 as usize].ty = ty.clone();
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// The element type(s) of iterating `iter`: one type, or one per tuple position.
    fn element_type(&self, iter: &ast::Expr) -> Vec<Type> {
        if let ast::Expr::Call(c) = iter {
            if let ast::Expr::Name(n) = &*c.func {
                let args = &c.arguments.args;
                match (n.id.as_str(), &args[..]) {
                    ("enumerate", [x, ..]) => {
                        return vec![
                            Type::Builtin("int".into()),
                            self.element_type(x).first().cloned().unwrap_or(Type::Any),
                        ]
                    }
                    ("zip", xs) => {
                        return xs
                            .iter()
                            .map(|x| self.element_type(x).first().cloned().unwrap_or(Type::Any))
                            .collect()
                    }
                    ("reversed" | "sorted" | "list", [x]) => return self.element_type(x),
                    _ => {}
                }
            }
            if let ast::Expr::Attribute(a) = &*c.func {
                if let Type::Dict(k, v) = self.type_of(&a.value) {
                    match a.attr.as_str() {
                        "items" => return vec![*k, *v],
                        "values" => return vec![*v],
                        "keys" => return vec![*k],
                        _ => {}
                    }
                }
            }
        }
        match self.type_of(iter) {
            Type::List(t) => vec![*t],
            Type::Dict(k, _) => vec![*k],
            _ => vec![Type::Any],
        }
    }

    fn jump_out(&mut self, is_break: bool, stmt: &ast::Stmt) {
        let span = self.span(stmt);
        let Some(ctx) = self.loops.last() else {
            self.error(
                stmt,
                "E0322",
                if is_break {
                    "`break` outside a loop"
                } else {
                    "`continue` outside a loop"
                },
                "not inside a loop",
                None,
            );
            return;
        };
        let (target, depth) = (
            if is_break {
                ctx.break_to
            } else {
                ctx.continue_to
            },
            ctx.finally_depth,
        );
        self.run_finally_blocks(depth, span);
        self.terminate(Terminator::Jump(target), span);
        self.dead_block();
    }

    /// Inlines the `finally` bodies above `depth`, innermost first (for return/break/continue).
    /// Each body is lowered where its `try` statement stands: the `finally` blocks and loops
    /// around it are those enclosing that statement, so a jump inside it (which replaces the
    /// pending one, as in Python) still runs the outer `finally` blocks.
    fn run_finally_blocks(&mut self, depth: usize, span: Span) {
        let saved_finally = std::mem::take(&mut self.finally);
        let saved_loops = std::mem::take(&mut self.loops);
        let saved_handler = self.handler;
        let saved_exc = self.active_exceptions.clone();
        for i in (depth..saved_finally.len()).rev() {
            self.finally = saved_finally[..i].to_vec();
            self.loops = saved_loops
                .iter()
                .take_while(|l| l.finally_depth <= i)
                .cloned()
                .collect();
            self.with_handler(saved_finally[i].outer_handler, span);
            self.finally_body(saved_finally[i].body);
        }
        self.finally = saved_finally;
        self.loops = saved_loops;
        self.active_exceptions = saved_exc;
        self.handler = saved_handler;
    }

    /// Lowers one copy of a `finally` body.
    fn finally_body(&mut self, body: &'a [ast::Stmt]) {
        self.finally_bodies += 1;
        self.stmts(body);
        self.finally_bodies -= 1;
    }

    fn raise(&mut self, r: &'a ast::StmtRaise, span: Span) {
        let exc = match &r.exc {
            None => match self.active_exceptions.last() {
                Some(l) => Expr::Local(*l),
                // A `finally` body also runs on paths where nothing propagates: there, as in
                // Python, re-raising fails at run time.
                None if self.finally_bodies > 0 => Expr::NewException {
                    class: "RuntimeError".into(),
                    args: vec![Expr::Const(Const::Str(
                        "No active exception to reraise".into(),
                    ))],
                    attrs: vec![],
                },
                None => {
                    self.error(
                        r,
                        "E0323",
                        "bare `raise` outside an `except` block",
                        "no active exception to re-raise",
                        Some("raise an exception here (`raise ValueError(...)`), or re-raise in the caller's own `except`"),
                    );
                    return;
                }
            },
            Some(e) => match &**e {
                ast::Expr::Name(n)
                    if self.info.exception_init(n.id.as_str()).is_some()
                        && self.lookup_local(n.id.as_str()).is_none() =>
                {
                    self.new_exception_with_init(None, n.id.as_str().to_string(), n.range())
                }
                ast::Expr::Name(n)
                    if self.info.is_exception(n.id.as_str())
                        && self.lookup_local(n.id.as_str()).is_none() =>
                {
                    Expr::NewException {
                        class: n.id.as_str().to_string(),
                        args: vec![],
                        attrs: self.exception_constant_attrs(n.id.as_str()),
                    }
                }
                other => self.expr(other),
            },
        };
        if let Some(cause) = &r.cause {
            self.check_exception_cause(cause, span);
        }
        self.terminate(Terminator::Raise(exc), span);
        self.dead_block();
    }

    /// The cause of `raise ... from cause`: evaluated for its effects and checked as CPython
    /// checks it (an exception, an exception class or `None`; anything else is a `TypeError`).
    fn check_exception_cause(&mut self, cause: &'a ast::Expr, span: Span) {
        match cause {
            ast::Expr::NoneLiteral(_) => return,
            ast::Expr::Name(n)
                if self.lookup_local(n.id.as_str()).is_none()
                    && self.info.is_exception(n.id.as_str()) =>
            {
                return
            }
            _ => {}
        }
        let value = self.expr(cause);
        let value = self.pin(value);
        let ok = self.new_block();
        let not_exception = self.new_block();
        let refused = self.new_block();
        self.terminate(
            Terminator::Branch {
                cond: Expr::IsInstance(Box::new(value.clone()), vec!["BaseException".into()]),
                then: ok,
                otherwise: not_exception,
            },
            span,
        );
        self.start(not_exception);
        self.terminate(
            Terminator::Branch {
                cond: Expr::Compare(Box::new(value), vec![(CmpOp::Is, Expr::Const(Const::None))]),
                then: ok,
                otherwise: refused,
            },
            span,
        );
        self.start(refused);
        self.terminate(
            Terminator::Raise(Expr::NewException {
                class: "TypeError".into(),
                args: vec![Expr::Const(Const::Str(
                    "exception causes must derive from BaseException".into(),
                ))],
                attrs: vec![],
            }),
            span,
        );
        self.start(ok);
    }

    fn except_types(&mut self, h: &ast::ExceptHandlerExceptHandler) -> Vec<String> {
        let Some(t) = &h.type_ else {
            return vec!["BaseException".into()];
        };
        let items: Vec<&ast::Expr> = match &**t {
            ast::Expr::Tuple(tuple) => tuple.elts.iter().collect(),
            other => vec![other],
        };
        let mut out = Vec::new();
        for item in items {
            match item {
                ast::Expr::Name(n) if self.info.is_exception(n.id.as_str()) => {
                    out.push(n.id.as_str().to_string())
                }
                ast::Expr::Name(_) => self.error(
                    item,
                    "E0324",
                    "unknown exception class",
                    "not a builtin or user exception class",
                    Some("define it at module level, e.g. `class OutOfStock(ValueError): pass`"),
                ),
                ast::Expr::BoolOp(op) => {
                    let names: Vec<String> = op
                        .values
                        .iter()
                        .map(|v| match v {
                            ast::Expr::Name(n) => n.id.to_string(),
                            _ => "...".to_string(),
                        })
                        .collect();
                    let hint = format!(
                        "to catch several, write a tuple: `except ({}):`",
                        names.join(", ")
                    );
                    self.error(
                        item,
                        "E0324",
                        "an `or`/`and` of exception classes catches only one of them",
                        "evaluates to a single class",
                        Some(&hint),
                    )
                }
                other => self.error(
                    other,
                    "E0324",
                    "unsupported exception expression",
                    "not the name of an exception class",
                    Some("name a builtin or module-level exception class, or a tuple of them"),
                ),
            }
        }
        out
    }

    fn try_stmt(&mut self, t: &'a ast::StmtTry, span: Span) {
        if t.is_star {
            self.error(
                t,
                "E0325",
                "`except*` is not supported",
                "exception groups",
                None,
            );
            return;
        }
        let outer = self.handler;
        let has_finally = !t.finalbody.is_empty();
        let after = self.new_block();
        // Where exceptions from handlers/else go: the finally-on-exception block, or outside.
        let fin_exc = if has_finally {
            let exc = self.temp("finexc");
            self.handler = outer;
            let block = self.new_block();
            Some(Handler {
                block,
                exception: exc,
            })
        } else {
            None
        };
        let region_handler = fin_exc.or(outer);
        if has_finally {
            self.finally.push(FinallyCtx {
                body: &t.finalbody,
                outer_handler: outer,
            });
        }
        // Dispatch block: receives exceptions of the try body.
        let exc = self.temp("exc");
        self.handler = region_handler;
        let dispatch = self.new_block();
        let body_handler = if t.handlers.is_empty() {
            region_handler
        } else {
            Some(Handler {
                block: dispatch,
                exception: exc,
            })
        };
        // Body.
        self.with_handler(body_handler, span);
        self.stmts(&t.body);
        // Else runs outside the except clauses' protection.
        self.with_handler(region_handler, span);
        self.stmts(&t.orelse);
        let normal_exit = self.new_block();
        self.terminate(Terminator::Jump(normal_exit), span);
        // Except clauses.
        if !t.handlers.is_empty() {
            self.start(dispatch);
            for ast::ExceptHandler::ExceptHandler(h) in &t.handlers {
                let hspan = self.span(h);
                let types = self.except_types(h);
                let matched = self.new_block();
                let next = self.new_block();
                let cond = Expr::IsInstance(Box::new(Expr::Local(exc)), types);
                self.terminate(
                    Terminator::Branch {
                        cond,
                        then: matched,
                        otherwise: next,
                    },
                    hspan,
                );
                self.start(matched);
                let bound = h.name.as_ref().and_then(|n| self.lookup_local(n.as_str()));
                if let Some(b) = bound {
                    self.emit(
                        StmtKind::Assign {
                            target: b,
                            value: Expr::Local(exc),
                        },
                        hspan,
                    );
                }
                self.active_exceptions.push(exc);
                self.stmts(&h.body);
                self.active_exceptions.pop();
                if let Some(b) = bound {
                    // As CPython does (`e = None; del e`): the name goes away even when the
                    // handler unbound it already (`del e`, a nested handler of the same name).
                    self.emit(
                        StmtKind::Assign {
                            target: b,
                            value: Expr::Const(Const::None),
                        },
                        hspan,
                    );
                    self.emit(StmtKind::DelLocal(b), hspan);
                }
                self.terminate(Terminator::Jump(normal_exit), hspan);
                self.start(next);
            }
            self.terminate(Terminator::Raise(Expr::Local(exc)), span);
        }
        // Normal exit: run finally, continue after.
        if has_finally {
            self.finally.pop();
        }
        self.handler = outer;
        self.start(normal_exit);
        self.blocks[normal_exit.0 as usize].handler = outer;
        if has_finally {
            self.finally_body(&t.finalbody);
        }
        self.terminate(Terminator::Jump(after), span);
        // Exceptional exit through finally: run it, re-raise.
        if let Some(h) = fin_exc {
            self.start(h.block);
            // A bare `raise` here re-raises what is propagating.
            self.active_exceptions.push(h.exception);
            self.finally_body(&t.finalbody);
            self.active_exceptions.pop();
            self.terminate(Terminator::Raise(Expr::Local(h.exception)), span);
        }
        self.handler = outer;
        self.start(after);
        self.blocks[after.0 as usize].handler = outer;
    }

    // ----- expressions ------------------------------------------------------------------

    /// Evaluates `e` now into a temporary (an expression before a remote call keeps its place
    /// in Python's left-to-right order). A local is read now too: it may be unbound, and the
    /// `UnboundLocalError` must come before the call's effects.
    fn pin(&mut self, e: Expr) -> Expr {
        match e {
            Expr::Const(_) | Expr::SelfRef => e,
            // A temporary is assigned before it is read.
            Expr::Local(l) if self.locals[l.0 as usize].name.starts_with('$') => e,
            other => {
                let t = self.temp("t");
                self.emit(
                    StmtKind::Assign {
                        target: t,
                        value: other,
                    },
                    self.stmt_span,
                );
                Expr::Local(t)
            }
        }
    }

    fn pin_if(&mut self, e: Expr, cond: bool) -> Expr {
        if cond {
            self.pin(e)
        } else {
            e
        }
    }

    /// Lowers expressions left to right, pinning each one that precedes a remote call.
    fn lower_seq(&mut self, exprs: &[&'a ast::Expr]) -> Vec<Expr> {
        let plain: Vec<(&'a ast::Expr, Option<&str>)> = exprs.iter().map(|e| (*e, None)).collect();
        self.lower_seq_wrapped(&plain)
    }

    /// [`Self::lower_seq`], each expression first passed to the internal builtin paired with it
    /// (if any), so that the builtin's work happens where the expression stands.
    fn lower_seq_wrapped(&mut self, exprs: &[(&'a ast::Expr, Option<&str>)]) -> Vec<Expr> {
        let last_remote = exprs.iter().rposition(|(e, _)| self.has_remote(e));
        let mut out = Vec::with_capacity(exprs.len());
        for (i, (e, wrap)) in exprs.iter().enumerate() {
            let v = self.expr(e);
            let v = match wrap {
                Some(func) => builtin_call(func, v),
                None => v,
            };
            out.push(if last_remote.is_some_and(|l| i < l) {
                self.pin(v)
            } else {
                v
            });
        }
        out
    }

    /// A list display with `*` elements (`[a, *b, c]`): the elements in order, each starred
    /// one taken as a new list where it stands, joined by `+` (`[a] + list(b) + [c]`).
    fn unpacking_display(&mut self, elts: &'a [ast::Expr]) -> Expr {
        let items: Vec<(&'a ast::Expr, Option<&str>)> = elts
            .iter()
            .map(|e| match e {
                ast::Expr::Starred(s) => (&*s.value, Some("$star_items")),
                other => (other, None),
            })
            .collect();
        // `[*(x.f() for x in xs)]`: the generator is consumed where it stands, as an argument is.
        for (value, star) in &items {
            if let (ast::Expr::Generator(g), Some(_)) = (value, star) {
                self.generator_args.push(g as *const ast::ExprGenerator);
            }
        }
        let values = self.lower_seq_wrapped(&items);
        let mut parts: Vec<Expr> = Vec::new();
        let mut run: Vec<Expr> = Vec::new();
        for ((_, star), v) in items.iter().zip(values) {
            if star.is_some() {
                if !run.is_empty() {
                    parts.push(Expr::List(std::mem::take(&mut run)));
                }
                parts.push(v);
            } else {
                run.push(v);
            }
        }
        if !run.is_empty() {
            parts.push(Expr::List(run));
        }
        join_with(BinOp::Add, parts)
    }

    /// A set display with `*` elements (`{a, *b, c}`), built as CPython builds it: the elements
    /// before the first `*` added one by one, each starred one merged as `set.update` merges it
    /// (taken where it stands), the later plain ones added (`$set_display`, whose first argument
    /// says which elements are starred).
    fn unpacking_set_display(&mut self, elts: &'a [ast::Expr]) -> Expr {
        let items: Vec<(&'a ast::Expr, Option<&str>)> = elts
            .iter()
            .map(|e| match e {
                ast::Expr::Starred(s) => (&*s.value, Some("$star_set_part")),
                other => (other, None),
            })
            .collect();
        for (value, star) in &items {
            if let (ast::Expr::Generator(g), Some(_)) = (value, star) {
                self.generator_args.push(g as *const ast::ExprGenerator);
            }
        }
        let starred = Const::Tuple(
            items
                .iter()
                .map(|(_, star)| Const::Bool(star.is_some()))
                .collect(),
        );
        let values = self.lower_seq_wrapped(&items);
        Expr::Builtin {
            func: "$set_display".into(),
            args: std::iter::once(Expr::Const(starred))
                .chain(values)
                .collect(),
            kwargs: vec![],
        }
    }

    /// A dict display with `**` entries (`{"a": 1, **b}`): the entries in order, each unpacked
    /// mapping copied where it stands, merged by `|` (later keys win, as in Python).
    fn unpacking_dict(&mut self, d: &'a ast::ExprDict) -> Expr {
        let mut flat: Vec<(&'a ast::Expr, Option<&str>)> = Vec::new();
        for item in &d.items {
            match &item.key {
                Some(k) => {
                    flat.push((k, None));
                    flat.push((&item.value, None));
                }
                None => flat.push((&item.value, Some("$star_mapping"))),
            }
        }
        let mut values = self.lower_seq_wrapped(&flat).into_iter();
        let mut parts: Vec<Expr> = Vec::new();
        let mut run: Vec<(Expr, Expr)> = Vec::new();
        for item in &d.items {
            let (Some(first), second) =
                (values.next(), item.key.as_ref().and_then(|_| values.next()))
            else {
                break;
            };
            match second {
                Some(value) => run.push((first, value)),
                None => {
                    if !run.is_empty() {
                        parts.push(Expr::Dict(std::mem::take(&mut run)));
                    }
                    parts.push(first);
                }
            }
        }
        if !run.is_empty() {
            parts.push(Expr::Dict(run));
        }
        join_with(BinOp::BitOr, parts)
    }

    fn type_of(&self, e: &ast::Expr) -> Type {
        match e {
            ast::Expr::Name(n)
                if n.id.as_str() == "self" && self.lookup_local("self").is_none() =>
            {
                Type::Ref(self.entity.name.clone())
            }
            ast::Expr::Name(n) => {
                let peeked = self
                    .peeked_targets
                    .borrow()
                    .iter()
                    .rev()
                    .find(|(name, _)| name == n.id.as_str())
                    .map(|(_, ty)| ty.clone());
                peeked
                    .or_else(|| {
                        self.lookup_local(n.id.as_str())
                            .map(|l| self.locals[l.0 as usize].ty.clone())
                    })
                    .or_else(|| {
                        self.info
                            .container_constants
                            .get(n.id.as_str())
                            .map(|display| self.type_of(display))
                    })
                    .unwrap_or(Type::Any)
            }
            ast::Expr::Attribute(a) => match self.type_of(&a.value) {
                Type::Ref(t) => self
                    .info
                    .entity(&t)
                    .and_then(|ent| {
                        ent.field(a.attr.as_str())
                            .map(|f| ent.fields[f as usize].ty.clone())
                    })
                    .unwrap_or(Type::Any),
                _ => Type::Any,
            },
            ast::Expr::Subscript(s) => match self.type_of(&s.value) {
                Type::List(t) if !matches!(&*s.slice, ast::Expr::Slice(_)) => *t,
                Type::List(t) => Type::List(t),
                Type::Dict(_, v) => *v,
                _ => Type::Any,
            },
            ast::Expr::List(l) => Type::List(Box::new(
                l.elts.first().map(|x| self.type_of(x)).unwrap_or(Type::Any),
            )),
            ast::Expr::Dict(_) => Type::Dict(Box::new(Type::Any), Box::new(Type::Any)),
            ast::Expr::Set(_) => Type::Builtin("set".into()),
            ast::Expr::Call(c) => {
                // Names a comprehension binds change meaning inside it: no memo there.
                let memo = self.peeked_targets.borrow().is_empty();
                let key: *const ast::ExprCall = c;
                if memo {
                    if let Some(known) = self.call_types.borrow().as_ref().and_then(|m| m.get(&key))
                    {
                        return known.clone();
                    }
                }
                let ty = self.call_type(c);
                if memo {
                    if let Some(m) = self.call_types.borrow_mut().as_mut() {
                        m.insert(key, ty.clone());
                    }
                }
                ty
            }
            _ => Type::Any,
        }
    }

    /// The type a call returns, as far as it is known.
    fn call_type(&self, c: &ast::ExprCall) -> Type {
        match self.classify_call(c) {
            CallKind::Remote {
                entity: Some(t),
                method,
                ..
            } => self
                .info
                .entity(&t)
                .and_then(|ent| ent.method(&method).map(|m| m.returns.clone()))
                .unwrap_or(Type::Any),
            CallKind::Function(method) => self
                .entity
                .method(&method)
                .map_or(Type::Any, |m| m.returns.clone()),
            CallKind::Builtin(name) if matches!(name.as_str(), "list" | "sorted" | "reversed") => c
                .arguments
                .args
                .first()
                .map(|x| {
                    Type::List(Box::new(
                        self.element_type(x).first().cloned().unwrap_or(Type::Any),
                    ))
                })
                .unwrap_or(Type::Any),
            CallKind::ValueMethod { receiver, method } if method == "get" || method == "pop" => {
                match self.type_of(receiver) {
                    Type::Dict(_, v) => *v,
                    Type::List(t) => *t,
                    _ => Type::Any,
                }
            }
            _ => Type::Any,
        }
    }

    /// How a call of method `method` on `receiver` is classified.
    fn classify_method<'e>(&self, receiver: &'e ast::Expr, method: String) -> CallKind<'e> {
        match self.type_of(receiver) {
            Type::Ref(t) => {
                let Some(target) = self.info.entity(&t) else {
                    return CallKind::Invalid {
                        code: "E0333",
                        message: format!("unknown entity type `{t}`"),
                        label: "unknown type".into(),
                        hint: None,
                    };
                };
                let is_self = matches!(receiver, ast::Expr::Name(n) if n.id.as_str() == "self");
                if method == "__init__" || method == "__key__" {
                    return CallKind::Invalid {
                        code: "E0362",
                        message: format!("`{method}` cannot be called"),
                        label: "special method".into(),
                        hint: Some(
                            "an entity is initialised once, when it is created, and its \
                                 key never changes",
                        ),
                    };
                }
                let own = !self.sig.is_function && (is_self || t == self.entity.name);
                if target.method(&method).is_some() && (own || !method.starts_with('_')) {
                    CallKind::Remote {
                        receiver,
                        entity: Some(t),
                        method,
                    }
                } else if target.method(&method).is_some() {
                    CallKind::Invalid {
                        code: "E0334",
                        message: format!("`{t}.{method}` is private"),
                        label: "private method of another entity type".into(),
                        hint: Some(if self.sig.is_function {
                            "a module-level function or static method runs as part of every \
                             entity that calls it, so it uses public names only: call a public \
                             method"
                        } else {
                            "names starting with `_` are for entities of their own type \
                                 alone: call a public method"
                        }),
                    }
                } else {
                    CallKind::Invalid {
                        code: "E0335",
                        message: format!("`{t}` has no method `{method}`"),
                        label: "unknown method".into(),
                        hint: Some(
                            "call a method the class defines (check the spelling), or add it",
                        ),
                    }
                }
            }
            Type::Any => {
                let builtin = ir::is_builtin_method(&method);
                // A private method only of the caller's own type (on another entity
                // of that type).
                let remote = if is_private(&method) {
                    self.info
                        .entity(&self.entity.name)
                        .is_some_and(|e| e.method(&method).is_some())
                } else {
                    self.info.any_entity_has_method(&method)
                };
                match (builtin, remote) {
                    (true, true) if self.plainly_builtin(receiver) => {
                        CallKind::ValueMethod { receiver, method }
                    }
                    // Decided at run time: a call on an entity reference goes to the
                    // entity, on a builtin value to its builtin method.
                    (true, true) => CallKind::Remote {
                        receiver,
                        entity: None,
                        method,
                    },
                    (true, false) => CallKind::ValueMethod { receiver, method },
                    (false, true) => CallKind::Remote {
                        receiver,
                        entity: None,
                        method,
                    },
                    (false, false) if self.info.any_entity_has_method(&method) => {
                        CallKind::Invalid {
                            code: "E0334",
                            message: format!("`{method}` is private"),
                            label: "private method of another entity type".into(),
                            hint: Some(
                                "names starting with `_` are for entities of their own \
                                     type alone: call a public method",
                            ),
                        }
                    }
                    (false, false) => CallKind::Invalid {
                        code: "E0335",
                        message: format!("unknown method `{method}`"),
                        label: "no entity or builtin type has this method".into(),
                        hint: Some("annotate the receiver with its type (`x: Item`, `xs: list[str]`) if it is known, or check the spelling"),
                    },
                }
            }
            _ => {
                // A local's inferred type comes from one of its assignments: unless
                // the receiver is plainly builtin, a name an entity method shares is
                // decided at run time.
                if ir::is_builtin_method(&method)
                    && self.info.any_entity_has_method(&method)
                    && !method.starts_with('_')
                    && !self.plainly_builtin(receiver)
                {
                    CallKind::Remote {
                        receiver,
                        entity: None,
                        method,
                    }
                } else if ir::is_builtin_method(&method) {
                    CallKind::ValueMethod { receiver, method }
                } else {
                    CallKind::Invalid {
                        code: "E0335",
                        message: format!("unknown method `{method}`"),
                        label: "not a supported method of a builtin value".into(),
                        hint: Some(
                            "README.md lists the supported methods of str, list, dict and set",
                        ),
                    }
                }
            }
        }
    }

    fn classify_call<'e>(&self, call: &'e ast::ExprCall) -> CallKind<'e> {
        match &*call.func {
            ast::Expr::Name(n) => {
                let name = n.id.as_str();
                if self.lookup_local(name).is_some() {
                    return CallKind::Invalid {
                        code: "E0330",
                        message: format!("`{name}` is not callable"),
                        label: "calling a local variable".into(),
                        hint: None,
                    };
                }
                if self.info.constants.contains_key(name)
                    || self.info.container_constants.contains_key(name)
                {
                    return CallKind::Invalid {
                        code: "E0330",
                        message: format!("`{name}` is not callable"),
                        label: "calling a module constant".into(),
                        hint: Some("a module constant hides the builtin of its name: rename it"),
                    };
                }
                if self.info.functions.iter().any(|f| f == name) {
                    return CallKind::Function(function_method_name(name));
                }
                if self.info.rejected_functions.iter().any(|f| f == name) {
                    return CallKind::Refused;
                }
                let on_entity = call
                    .arguments
                    .args
                    .first()
                    .is_some_and(|a| matches!(self.type_of(a), Type::Ref(_)));
                if matches!(name, "getattr" | "hasattr") && on_entity {
                    return CallKind::Invalid {
                        code: "E0336",
                        message: format!("`{name}()` of an entity"),
                        label: "an entity's attribute by name".into(),
                        hint: Some("read the field directly (`item.price`), or call a method of the entity that answers"),
                    };
                }
                if is_builtin_function(name) {
                    CallKind::Builtin(name.to_string())
                } else if self.info.is_exception(name) {
                    CallKind::Exception(name.to_string())
                } else if self.info.entity(name).is_some() {
                    CallKind::Invalid {
                        code: "E0331",
                        message: format!(
                            "entities cannot be created inside methods (`{name}(...)`)"
                        ),
                        label: "entity constructor".into(),
                        hint: Some(
                            "create entities with a client `create` invocation and pass references",
                        ),
                    }
                } else {
                    let hint = match name {
                        "print" | "open" | "eval" | "exec" | "input" | "getattr" | "setattr"
                        | "hasattr" | "id" | "hash" | "iter" | "next" | "map" | "filter" => {
                            Some("this builtin is not available in entity methods")
                        }
                        "type" => Some("`type(x)` is for `type(x).__name__` and exact checks against builtin or exception classes (`type(x) is int`); for an entity, compare `type(x).__name__ == \"Item\"` or use `isinstance`"),
                        _ => None,
                    };
                    CallKind::Invalid {
                        code: "E0332",
                        message: format!("unknown function `{name}`"),
                        label: "not a supported builtin".into(),
                        hint,
                    }
                }
            }
            ast::Expr::Attribute(a) => match &*a.value {
                // `Account.fee(x)`: a static method through its class.
                ast::Expr::Name(class)
                    if self.lookup_local(class.id.as_str()).is_none()
                        && self
                            .info
                            .statics
                            .iter()
                            .any(|(c, m)| c == class.id.as_str() && m == a.attr.as_str()) =>
                {
                    let (class, method) = (class.id.as_str(), a.attr.as_str());
                    if is_private(method) && (class != self.entity.name || self.sig.is_function) {
                        return CallKind::Invalid {
                            code: "E0334",
                            message: format!("`{class}.{method}` is private"),
                            label: "private method of another entity type".into(),
                            hint: Some(if self.sig.is_function {
                                "a module-level function or static method runs as part of \
                                 every entity that calls it, so it uses public names only"
                            } else {
                                "names starting with `_` are for entities of their own type \
                                 alone: call a public method"
                            }),
                        };
                    }
                    CallKind::Function(static_method_name(class, method))
                }
                // `Account.deposit(acc, 5)`: an ordinary method through its class.
                ast::Expr::Name(class)
                    if self.lookup_local(class.id.as_str()).is_none()
                        && self
                            .info
                            .entity(class.id.as_str())
                            .is_some_and(|e| e.method(a.attr.as_str()).is_some()) =>
                {
                    CallKind::Invalid {
                        code: "E0330",
                        message: format!(
                            "`{}.{}` is called through its class",
                            class.id.as_str(),
                            a.attr.as_str()
                        ),
                        label: "method of an entity class".into(),
                        hint: Some("call it on an entity: `entity.method(x)`, `self.method(x)` (only a `@staticmethod` is called through its class)"),
                    }
                }
                _ => self.classify_method(&a.value, a.attr.as_str().to_string()),
            },
            other => {
                let _ = other;
                CallKind::Invalid {
                    code: "E0330",
                    message: "unsupported call".into(),
                    label: "only functions, methods and exception classes can be called".into(),
                    hint: None,
                }
            }
        }
    }

    /// Whether `attr` (a non-call attribute load) reads another entity's field.
    fn is_remote_field(&self, attr: &ast::ExprAttribute) -> bool {
        if self
            .field_of_self(&ast::Expr::Attribute(attr.clone()))
            .is_some()
            || self.class_constant_read(attr).is_some()
        {
            return false;
        }
        match self.type_of(&attr.value) {
            Type::Ref(_) => true,
            Type::Any => self.info.any_entity_has_field(attr.attr.as_str()),
            _ => false,
        }
    }

    /// Whether evaluating `e` involves a remote call, or anything else lowered to statements
    /// (an `any`/`all` over a generator), so that enclosing expressions keep their order.
    fn has_remote(&self, e: &ast::Expr) -> bool {
        let mut found = false;
        let outermost = self.call_types.borrow().is_none();
        if outermost {
            *self.call_types.borrow_mut() = Some(HashMap::new());
        }
        self.walk_remote(e, &mut found);
        if outermost {
            *self.call_types.borrow_mut() = None;
        }
        found
    }

    fn walk_remote(&self, e: &ast::Expr, found: &mut bool) {
        if *found {
            return;
        }
        match e {
            ast::Expr::Call(c) => {
                match self.classify_call(c) {
                    CallKind::Remote { .. } | CallKind::Function(_) => {
                        *found = true;
                        return;
                    }
                    // A key function is applied in a loop (`keyed`): it needs statements.
                    CallKind::ValueMethod { .. } | CallKind::Builtin(_)
                        if key_function(c).is_some() =>
                    {
                        *found = true;
                        return;
                    }
                    // So is the function of map and filter (`map_filter_loop`).
                    CallKind::Builtin(name) if LOWERED_BUILTINS.contains(&name.as_str()) => {
                        *found = true;
                        return;
                    }
                    CallKind::ValueMethod { receiver, .. } => self.walk_remote(receiver, found),
                    // Lowered to a loop that stops early (`any_all_loop`): like a remote call,
                    // it needs statements, so what encloses it must be split into blocks too.
                    CallKind::Builtin(name)
                        if (name == "any" || name == "all")
                            && matches!(&c.arguments.args[..], [ast::Expr::Generator(_)]) =>
                    {
                        *found = true;
                        return;
                    }
                    CallKind::Builtin(name)
                        if name == "next"
                            && matches!(
                                c.arguments.args.first(),
                                Some(ast::Expr::Generator(_))
                            ) =>
                    {
                        *found = true;
                        return;
                    }
                    _ => {}
                }
                for a in c.arguments.args.iter() {
                    self.walk_remote(a, found);
                }
                for k in c.arguments.keywords.iter() {
                    self.walk_remote(&k.value, found);
                }
            }
            ast::Expr::Attribute(a) => {
                if self.is_remote_field(a) {
                    *found = true;
                } else {
                    self.walk_remote(&a.value, found);
                }
            }
            // An assignment expression is a statement inside the expression.
            ast::Expr::Named(_) => *found = true,
            ast::Expr::BoolOp(b) => b.values.iter().for_each(|v| self.walk_remote(v, found)),
            ast::Expr::BinOp(b) => {
                self.walk_remote(&b.left, found);
                self.walk_remote(&b.right, found);
            }
            ast::Expr::UnaryOp(u) => self.walk_remote(&u.operand, found),
            ast::Expr::If(i) => {
                self.walk_remote(&i.test, found);
                self.walk_remote(&i.body, found);
                self.walk_remote(&i.orelse, found);
            }
            ast::Expr::Dict(d) => d.items.iter().for_each(|item| {
                if let Some(k) = &item.key {
                    self.walk_remote(k, found);
                }
                self.walk_remote(&item.value, found);
            }),
            ast::Expr::Set(s) => s.elts.iter().for_each(|x| self.walk_remote(x, found)),
            ast::Expr::List(s) => s.elts.iter().for_each(|x| self.walk_remote(x, found)),
            ast::Expr::Tuple(s) => s.elts.iter().for_each(|x| self.walk_remote(x, found)),
            ast::Expr::ListComp(c) => self.walk_comp(Some(&c.elt), None, &c.generators, found),
            ast::Expr::SetComp(c) => self.walk_comp(Some(&c.elt), None, &c.generators, found),
            ast::Expr::Generator(c) => self.walk_comp(Some(&c.elt), None, &c.generators, found),
            ast::Expr::DictComp(c) => {
                self.walk_comp(c.key.as_deref(), Some(&c.value), &c.generators, found)
            }
            ast::Expr::Compare(c) => {
                self.walk_remote(&c.left, found);
                c.comparators
                    .iter()
                    .for_each(|x| self.walk_remote(x, found));
            }
            ast::Expr::FString(f) => {
                for part in f.value.as_slice() {
                    if let ast::FStringPart::FString(fs) = part {
                        self.walk_fstring(&fs.elements, found);
                    }
                }
            }
            ast::Expr::Subscript(s) => {
                self.walk_remote(&s.value, found);
                self.walk_remote(&s.slice, found);
            }
            ast::Expr::Slice(s) => {
                for x in [&s.lower, &s.upper, &s.step].into_iter().flatten() {
                    self.walk_remote(x, found);
                }
            }
            ast::Expr::Starred(s) => self.walk_remote(&s.value, found),
            _ => {}
        }
    }

    fn walk_fstring(&self, elements: &ast::InterpolatedStringElements, found: &mut bool) {
        for el in elements.iter() {
            if let ast::InterpolatedStringElement::Interpolation(i) = el {
                self.walk_remote(&i.expression, found);
                if let Some(spec) = &i.format_spec {
                    self.walk_fstring(&spec.elements, found);
                }
            }
        }
    }

    fn walk_comp(
        &self,
        elt: Option<&ast::Expr>,
        value: Option<&ast::Expr>,
        gens: &[ast::Comprehension],
        found: &mut bool,
    ) {
        let peeked = self.peeked_targets.borrow().len();
        for g in gens {
            self.walk_remote(&g.iter, found);
            let element = self.element_type(&g.iter);
            self.peek_target(&g.target, &element);
            g.ifs.iter().for_each(|x| self.walk_remote(x, found));
        }
        if let Some(e) = elt {
            self.walk_remote(e, found);
        }
        if let Some(v) = value {
            self.walk_remote(v, found);
        }
        self.peeked_targets.borrow_mut().truncate(peeked);
    }

    /// Makes a comprehension target's names known to [`Self::type_of`] while looking into it,
    /// typed as [`Self::comp_target`] will declare them.
    fn peek_target(&self, target: &ast::Expr, element: &[Type]) {
        match target {
            ast::Expr::Name(n) => {
                let ty = match element {
                    [one] => one.clone(),
                    _ => Type::Any,
                };
                self.peeked_targets
                    .borrow_mut()
                    .push((n.id.as_str().to_string(), ty));
            }
            ast::Expr::Tuple(ast::ExprTuple { elts, .. })
            | ast::Expr::List(ast::ExprList { elts, .. }) => {
                for (i, x) in elts.iter().enumerate() {
                    let ty = if element.len() == elts.len() {
                        element[i].clone()
                    } else {
                        Type::Any
                    };
                    self.peek_target(x, std::slice::from_ref(&ty));
                }
            }
            _ => {}
        }
    }

    fn invalid(
        &mut self,
        node: &impl Ranged,
        code: &'static str,
        message: &str,
        label: &str,
        hint: Option<&str>,
    ) -> Expr {
        self.error(node, code, message.to_string(), label.to_string(), hint);
        Expr::Const(Const::None)
    }

    /// Lowers an expression; remote calls inside it end the current block.
    fn expr(&mut self, e: &'a ast::Expr) -> Expr {
        match e {
            ast::Expr::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => match i.as_i64() {
                    Some(v) => Expr::Const(Const::Int(v)),
                    None => self.invalid(
                        n,
                        "E0340",
                        "integer literal does not fit in 64 bits",
                        "too large",
                        Some("entiflow integers are 64-bit"),
                    ),
                },
                ast::Number::Float(f) => Expr::Const(Const::Float(*f)),
                ast::Number::Complex { .. } => self.invalid(
                    n,
                    "E0341",
                    "complex numbers are not supported",
                    "complex literal",
                    None,
                ),
            },
            ast::Expr::StringLiteral(s) => Expr::Const(Const::Str(s.value.to_str().to_string())),
            ast::Expr::BooleanLiteral(b) => Expr::Const(Const::Bool(b.value)),
            ast::Expr::NoneLiteral(_) => Expr::Const(Const::None),
            ast::Expr::BytesLiteral(b) => self.invalid(
                b,
                "E0341",
                "bytes literals are not supported",
                "bytes",
                Some("use str"),
            ),
            ast::Expr::EllipsisLiteral(b) => self.invalid(
                b,
                "E0341",
                "`...` is not supported",
                "ellipsis",
                Some("use `pass`"),
            ),
            ast::Expr::Name(n) => self.name(n),
            ast::Expr::Attribute(a) => self.attribute(a),
            ast::Expr::Call(c) => self.call(c),
            ast::Expr::BinOp(b) => {
                let Some(op) = binop(b.op) else {
                    return self.invalid(
                        b,
                        "E0320",
                        "the `@` operator is not supported",
                        "matrix multiplication",
                        None,
                    );
                };
                let parts = self.lower_seq(&[&b.left, &b.right]);
                let mut it = parts.into_iter();
                Expr::Binary(
                    op,
                    Box::new(it.next().unwrap_or(Expr::Const(Const::None))),
                    Box::new(it.next().unwrap_or(Expr::Const(Const::None))),
                )
            }
            ast::Expr::UnaryOp(u) => {
                let op = match u.op {
                    ast::UnaryOp::Not => UnaryOp::Not,
                    ast::UnaryOp::USub => UnaryOp::Neg,
                    ast::UnaryOp::UAdd => UnaryOp::Pos,
                    ast::UnaryOp::Invert => UnaryOp::Invert,
                };
                if let (UnaryOp::Neg, ast::Expr::NumberLiteral(n)) = (op, &*u.operand) {
                    if let ast::Number::Int(i) = &n.value {
                        if i.as_u64() == Some(1u64 << 63) {
                            return Expr::Const(Const::Int(i64::MIN));
                        }
                    }
                }
                let operand = self.expr(&u.operand);
                Expr::Unary(op, Box::new(operand))
            }
            ast::Expr::BoolOp(b) => {
                let op = match b.op {
                    ast::BoolOp::And => BoolOp::And,
                    ast::BoolOp::Or => BoolOp::Or,
                };
                if !self.has_remote(e) {
                    let values = b.values.iter().map(|v| self.expr(v)).collect();
                    return Expr::Bool(op, values);
                }
                let span = self.span(b);
                let result = self.temp("bool");
                let after = self.new_block();
                for (i, v) in b.values.iter().enumerate() {
                    let value = self.expr(v);
                    self.emit(
                        StmtKind::Assign {
                            target: result,
                            value,
                        },
                        span,
                    );
                    if i + 1 == b.values.len() {
                        self.terminate(Terminator::Jump(after), span);
                    } else {
                        let next = self.new_block();
                        let (then, otherwise) = match op {
                            BoolOp::And => (next, after),
                            BoolOp::Or => (after, next),
                        };
                        self.terminate(
                            Terminator::Branch {
                                cond: Expr::Local(result),
                                then,
                                otherwise,
                            },
                            span,
                        );
                        self.start(next);
                    }
                }
                self.start(after);
                Expr::Local(result)
            }
            ast::Expr::If(i) => {
                if !self.has_remote(e) {
                    let test = self.expr(&i.test);
                    let body = self.expr(&i.body);
                    let orelse = self.expr(&i.orelse);
                    return Expr::IfElse {
                        test: Box::new(test),
                        body: Box::new(body),
                        orelse: Box::new(orelse),
                    };
                }
                let span = self.span(i);
                let result = self.temp("ifexp");
                let cond = self.expr(&i.test);
                let (then, otherwise, after) =
                    (self.new_block(), self.new_block(), self.new_block());
                self.terminate(
                    Terminator::Branch {
                        cond,
                        then,
                        otherwise,
                    },
                    span,
                );
                self.start(then);
                let v = self.expr(&i.body);
                self.emit(
                    StmtKind::Assign {
                        target: result,
                        value: v,
                    },
                    span,
                );
                self.terminate(Terminator::Jump(after), span);
                self.start(otherwise);
                let v = self.expr(&i.orelse);
                self.emit(
                    StmtKind::Assign {
                        target: result,
                        value: v,
                    },
                    span,
                );
                self.terminate(Terminator::Jump(after), span);
                self.start(after);
                Expr::Local(result)
            }
            ast::Expr::Compare(c) => {
                if let Some(check) = self.exact_type_check(c) {
                    return check;
                }
                let ops: Vec<CmpOp> = c.ops.iter().map(|o| cmpop(*o)).collect();
                if !self.has_remote(e) {
                    let left = self.expr(&c.left);
                    let rest = ops
                        .iter()
                        .zip(c.comparators.iter())
                        .map(|(op, x)| (*op, self.expr(x)))
                        .collect();
                    return Expr::Compare(Box::new(left), rest);
                }
                let span = self.span(c);
                let result = self.temp("cmp");
                let after = self.new_block();
                let mut left = self.expr(&c.left);
                left = self.pin(left);
                for (i, (op, comparator)) in ops.iter().zip(c.comparators.iter()).enumerate() {
                    let mut right = self.expr(comparator);
                    let last = i + 1 == ops.len();
                    if !last {
                        right = self.pin(right);
                    }
                    self.emit(
                        StmtKind::Assign {
                            target: result,
                            value: Expr::Compare(
                                Box::new(left.clone()),
                                vec![(*op, right.clone())],
                            ),
                        },
                        span,
                    );
                    if last {
                        self.terminate(Terminator::Jump(after), span);
                    } else {
                        let next = self.new_block();
                        self.terminate(
                            Terminator::Branch {
                                cond: Expr::Local(result),
                                then: next,
                                otherwise: after,
                            },
                            span,
                        );
                        self.start(next);
                        left = right;
                    }
                }
                self.start(after);
                Expr::Local(result)
            }
            ast::Expr::List(l) if has_starred(&l.elts) => self.unpacking_display(&l.elts),
            ast::Expr::Tuple(l) if has_starred(&l.elts) => {
                let items = self.unpacking_display(&l.elts);
                builtin_call("tuple", items)
            }
            ast::Expr::Set(l) if has_starred(&l.elts) => self.unpacking_set_display(&l.elts),
            ast::Expr::List(l) => Expr::List(self.lower_seq(&l.elts.iter().collect::<Vec<_>>())),
            ast::Expr::Tuple(l) => Expr::Tuple(self.lower_seq(&l.elts.iter().collect::<Vec<_>>())),
            ast::Expr::Set(l) => Expr::Set(self.lower_seq(&l.elts.iter().collect::<Vec<_>>())),
            ast::Expr::Dict(d) if d.items.iter().any(|item| item.key.is_none()) => {
                self.unpacking_dict(d)
            }
            ast::Expr::Dict(d) => {
                let mut flat: Vec<&'a ast::Expr> = Vec::new();
                for item in &d.items {
                    if let Some(k) = &item.key {
                        flat.push(k);
                        flat.push(&item.value);
                    }
                }
                let values = self.lower_seq(&flat);
                let mut pairs = Vec::new();
                let mut it = values.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    pairs.push((k, v));
                }
                Expr::Dict(pairs)
            }
            ast::Expr::Subscript(s) => {
                let parts = self.lower_seq(&[&s.value, &s.slice]);
                let mut it = parts.into_iter();
                Expr::Subscript(
                    Box::new(it.next().unwrap_or(Expr::Const(Const::None))),
                    Box::new(it.next().unwrap_or(Expr::Const(Const::None))),
                )
            }
            ast::Expr::Slice(s) => {
                let present: Vec<&'a ast::Expr> = [&s.lower, &s.upper, &s.step]
                    .into_iter()
                    .flatten()
                    .map(|b| &**b)
                    .collect();
                let mut lowered = self.lower_seq(&present).into_iter();
                let mut take = |x: &Option<Box<ast::Expr>>| {
                    x.as_ref()
                        .map(|_| Box::new(lowered.next().unwrap_or(Expr::Const(Const::None))))
                };
                let lower = take(&s.lower);
                let upper = take(&s.upper);
                let step = take(&s.step);
                Expr::Slice(lower, upper, step)
            }
            ast::Expr::FString(f) => {
                // With a remote call among its fields, the fields before it are evaluated first
                // (pinned); without one the f-string stays one expression (it may stand inside a
                // comprehension, whose names exist only there).
                let all = f.value.as_slice();
                let mut parts = Vec::new();
                for (j, part) in all.iter().enumerate() {
                    match part {
                        ast::FStringPart::Literal(l) => {
                            parts.push(FStringPart::Literal(l.as_str().to_string()))
                        }
                        ast::FStringPart::FString(fs) => {
                            let later_remote = all[j + 1..].iter().any(|p| match p {
                                ast::FStringPart::FString(later) => {
                                    self.elements_have_remote(&later.elements)
                                }
                                ast::FStringPart::Literal(_) => false,
                            });
                            let lowered = self.fstring(&fs.elements, later_remote);
                            parts.extend(lowered);
                        }
                    }
                }
                Expr::FString(parts)
            }
            ast::Expr::ListComp(c) => {
                self.comprehension(e, ComprehensionKind::List, &c.elt, None, &c.generators)
            }
            ast::Expr::SetComp(c) => {
                self.comprehension(e, ComprehensionKind::Set, &c.elt, None, &c.generators)
            }
            ast::Expr::DictComp(c) => match &c.key {
                Some(k) => {
                    self.comprehension(e, ComprehensionKind::Dict, k, Some(&c.value), &c.generators)
                }
                None => self.invalid(
                    c,
                    "E0342",
                    "`**` unpacking is not supported",
                    "dict unpacking",
                    None,
                ),
            },
            ast::Expr::Generator(g)
                if self
                    .generator_args
                    .contains(&(g as *const ast::ExprGenerator)) =>
            {
                self.comprehension(e, ComprehensionKind::List, &g.elt, None, &g.generators)
            }
            ast::Expr::Generator(g) => self.invalid(
                g,
                "E0343",
                "generator expressions are supported only as call arguments",
                "generator expression",
                Some("use a list comprehension"),
            ),
            ast::Expr::Lambda(l) => self.invalid(
                l,
                "E0344",
                "lambda is not supported here",
                "lambda",
                Some("a lambda may be the `key=` of sorted, min, max or list.sort, or the function of map or filter; elsewhere write a `_helper` method"),
            ),
            ast::Expr::Yield(y) => self.invalid(
                y,
                "E0345",
                "`yield` is not supported",
                "generators are not supported",
                Some("return a list instead"),
            ),
            ast::Expr::YieldFrom(y) => self.invalid(
                y,
                "E0345",
                "`yield from` is not supported",
                "generators are not supported",
                Some("return a list instead"),
            ),
            ast::Expr::Await(a) => self.invalid(
                a,
                "E0346",
                "`await` is not supported",
                "await",
                Some("remote calls are plain calls; drop `await`"),
            ),
            ast::Expr::Named(n) => {
                // The value, then the binding, then the name's new value as the result; an
                // enclosing expression pins what it read before (see `walk_remote`).
                let span = self.span(n);
                let value = self.expr(&n.value);
                self.assign(&n.target, value, span);
                self.expr(&n.target)
            }
            ast::Expr::Starred(s) => self.invalid(
                s,
                "E0348",
                "star-args are not supported",
                "starred expression",
                None,
            ),
            other => self.invalid(
                other,
                "E0349",
                "unsupported expression",
                "not in the supported language",
                None,
            ),
        }
    }

    /// Whether a field of an f-string (or of a format spec inside one) calls another entity.
    fn elements_have_remote(&self, elements: &ast::InterpolatedStringElements) -> bool {
        elements.iter().any(|el| self.element_has_remote(el))
    }

    fn element_has_remote(&self, element: &ast::InterpolatedStringElement) -> bool {
        match element {
            ast::InterpolatedStringElement::Literal(_) => false,
            ast::InterpolatedStringElement::Interpolation(i) => {
                self.has_remote(&i.expression)
                    || i.format_spec
                        .as_ref()
                        .is_some_and(|spec| self.elements_have_remote(&spec.elements))
            }
        }
    }

    /// The parts of an f-string; `later_remote`: a field after these calls another entity.
    fn fstring(
        &mut self,
        elements: &'a ast::InterpolatedStringElements,
        later_remote: bool,
    ) -> Vec<FStringPart> {
        let mut parts = Vec::new();
        let last_remote = elements.iter().rposition(|el| self.element_has_remote(el));
        for (n, el) in elements.iter().enumerate() {
            let pin = later_remote || last_remote.is_some_and(|last| n < last);
            match el {
                ast::InterpolatedStringElement::Literal(l) => {
                    parts.push(FStringPart::Literal(l.value.to_string()))
                }
                ast::InterpolatedStringElement::Interpolation(i) => {
                    // `{x=}` writes its own text, then the value (by default its repr, or
                    // formatted when it has a format spec).
                    if let Some(debug) = &i.debug_text {
                        parts.push(FStringPart::Literal(debug.as_str().to_string()));
                    }
                    let value = self.expr(&i.expression);
                    let conversion = match i.conversion {
                        ast::ConversionFlag::None
                            if i.debug_text.is_some() && i.format_spec.is_none() =>
                        {
                            Some('r')
                        }
                        ast::ConversionFlag::None => None,
                        ast::ConversionFlag::Str => Some('s'),
                        ast::ConversionFlag::Repr => Some('r'),
                        ast::ConversionFlag::Ascii => Some('a'),
                    };
                    let spec = match &i.format_spec {
                        Some(spec) => self.fstring(&spec.elements, pin),
                        None => Vec::new(),
                    };
                    let field = FStringPart::Field {
                        value,
                        conversion,
                        spec,
                    };
                    if pin {
                        // A remote call in a later field runs after this one is formatted (it
                        // may change what this one shows): the text is what waits for it.
                        let text = self.pin(Expr::FString(vec![field]));
                        parts.push(FStringPart::Field {
                            value: text,
                            conversion: None,
                            spec: Vec::new(),
                        });
                    } else {
                        parts.push(field);
                    }
                }
            }
        }
        parts
    }

    /// Lowers one target of `del`.
    fn lower_del(&mut self, target: &'a ast::Expr, span: Span) {
        match target {
            // `del a, b` and `del (a, b)` delete each target in turn, left to right.
            ast::Expr::Tuple(t) => t.elts.iter().for_each(|e| self.lower_del(e, span)),
            ast::Expr::List(l) => l.elts.iter().for_each(|e| self.lower_del(e, span)),
            ast::Expr::Name(n) => match self.lookup_local(n.id.as_str()) {
                Some(l) => self.emit(StmtKind::DelLocal(l), span),
                None => self.error(
                    n,
                    "E0310",
                    format!("cannot delete `{}`", n.id.as_str()),
                    "not a local variable",
                    None,
                ),
            },
            ast::Expr::Subscript(s) => {
                self.check_changeable(&s.value);
                let parts = self.lower_seq(&[&s.value, &s.slice]);
                let mut it = parts.into_iter();
                let (object, index) = (
                    it.next().unwrap_or(Expr::Const(Const::None)),
                    it.next().unwrap_or(Expr::Const(Const::None)),
                );
                self.emit(StmtKind::DelItem { object, index }, span);
            }
            other => self.error(
                other,
                "E0310",
                "unsupported `del` target",
                "only local names and subscripts can be deleted",
                matches!(other, ast::Expr::Attribute(_))
                    .then_some("entity fields cannot be removed; assign None instead"),
            ),
        }
    }

    /// Whether `object` (a container about to be changed in place) may be changed: not a
    /// module-level container, which is a constant (each use is a fresh copy), nor a field of
    /// another entity, which is read as a copy (also below subscripts: `item.meta["k"]`). Either
    /// change would vanish.
    fn check_changeable(&mut self, object: &'a ast::Expr) {
        let mut root = object;
        while let ast::Expr::Subscript(s) = root {
            root = &s.value;
        }
        match root {
            ast::Expr::Name(n) => {
                let name = n.id.as_str();
                if self.lookup_local(name).is_none()
                    && self.info.container_constants.contains_key(name)
                {
                    self.error(
                        n,
                        "E0360",
                        format!("module constant `{name}` cannot be changed"),
                        "module constant",
                        Some("module-level lists, dicts and sets are constants; copy it into a local or a field to change it"),
                    );
                }
            }
            ast::Expr::Attribute(a) if self.class_constant_read(a).is_some() => self.error(
                a,
                "E0360",
                format!("class constant `{}` cannot be changed", a.attr.as_str()),
                "class constant",
                Some("class-level lists, dicts and sets are constants (each use is a fresh copy); keep what changes in a field"),
            ),
            ast::Expr::Attribute(a) if self.is_remote_field(a) => self.error(
                a,
                "E0363",
                format!(
                    "cannot change field `{}` of another entity in place",
                    a.attr.as_str()
                ),
                "a copy of another entity's field",
                Some("reading another entity's field gives a copy; call a method of that entity to change its state"),
            ),
            _ => {}
        }
    }

    fn name(&mut self, n: &'a ast::ExprName) -> Expr {
        let name = n.id.as_str();
        if !self.module_scope {
            if let Some(l) = self.lookup_local(name) {
                return Expr::Local(l);
            }
            if name == "self" && self.init_scope.is_some() {
                return self.invalid(
                    n,
                    "E0364",
                    "an exception's `__init__` may use `self` only as `self.name`",
                    "the exception under construction",
                    None,
                );
            }
            if name == "self" {
                return Expr::SelfRef;
            }
        }
        if let Some(c) = self.info.constants.get(name) {
            return Expr::Const(c.clone());
        }
        if let Some(display) = self.info.container_constants.get(name) {
            let outer = std::mem::replace(&mut self.module_scope, true);
            let value = self.expr(display);
            self.module_scope = outer;
            return value;
        }
        let hint = if is_builtin_function(name)
            || self.info.functions.iter().any(|f| f == name)
            || self.info.entity(name).is_some()
            || self.info.is_exception(name)
        {
            Some("functions, entity classes and exception classes can only be called or used in `isinstance`/`except`")
        } else {
            None
        };
        self.invalid(
            n,
            "E0351",
            &format!("unknown name `{name}`"),
            "not a local variable, parameter or module constant",
            hint,
        )
    }

    fn attribute(&mut self, a: &'a ast::ExprAttribute) -> Expr {
        // `x.__class__.__name__`, another spelling of `type(x).__name__`.
        if let ast::Expr::Attribute(inner) = &*a.value {
            if a.attr.as_str() == "__name__" && inner.attr.as_str() == "__class__" {
                return Expr::Builtin {
                    func: "$type_name".into(),
                    args: vec![self.expr(&inner.value)],
                    kwargs: vec![],
                };
            }
        }
        // `type(x).__name__`, the one use of `type` the language has.
        if let ast::Expr::Call(c) = &*a.value {
            if a.attr.as_str() == "__name__"
                && matches!(&*c.func, ast::Expr::Name(n) if n.id.as_str() == "type" && self.lookup_local("type").is_none())
                && c.arguments.args.len() == 1
                && c.arguments.keywords.is_empty()
            {
                return Expr::Builtin {
                    func: "$type_name".into(),
                    args: vec![self.expr(&c.arguments.args[0])],
                    kwargs: vec![],
                };
            }
        }
        if self.init_scope.is_some()
            && matches!(&*a.value, ast::Expr::Name(n) if n.id.as_str() == "self")
        {
            let set = self.init_scope.as_ref().and_then(|s| {
                s.attrs
                    .iter()
                    .rev()
                    .find(|(n, _)| n == a.attr.as_str())
                    .map(|(_, l)| *l)
            });
            return match set {
                Some(l) => Expr::Local(l),
                None => self.invalid(
                    a,
                    "E0364",
                    &format!(
                        "`self.{}` is read before `__init__` sets it",
                        a.attr.as_str()
                    ),
                    "not set yet",
                    None,
                ),
            };
        }
        if let Some(constant) = self.class_constant_read(a) {
            // Nothing of the entity is read.
            return self.lower_class_constant(constant);
        }
        // `Declined.code`: a constant of a user exception class (or of its ancestors).
        if let ast::Expr::Name(n) = &*a.value {
            let info = self.info;
            let class = n.id.as_str();
            if self.lookup_local(class).is_none()
                && !info.constants.contains_key(class)
                && info.exceptions.iter().any(|e| e.name == class)
            {
                let found = info
                    .exception_class_constants(class)
                    .into_iter()
                    .find(|(name, _)| name == a.attr.as_str());
                return match found {
                    Some((_, constant)) => self.lower_class_constant(constant),
                    None => self.invalid(
                        &a.attr,
                        "E0353",
                        &format!("`{class}` has no class constant `{}`", a.attr.as_str()),
                        "unknown class attribute",
                        None,
                    ),
                };
            }
        }
        if self
            .field_of_self(&ast::Expr::Attribute(a.clone()))
            .is_some()
        {
            return match self.entity.field(a.attr.as_str()) {
                Some(f) => Expr::Field(f),
                None => {
                    let hint = if self.entity.method(a.attr.as_str()).is_some() {
                        Some("methods cannot be used as values; call it")
                    } else {
                        Some("fields are what `__init__` assigns to `self`")
                    };
                    self.invalid(
                        &a.attr,
                        "E0352",
                        &format!("`{}` has no field `{}`", self.entity.name, a.attr.as_str()),
                        "unknown field",
                        hint,
                    )
                }
            };
        }
        let field = a.attr.as_str().to_string();
        if let Some(class) = self.entity_class_name(&a.value) {
            if self
                .info
                .entity(&class)
                .is_some_and(|e| e.method(&field).is_some())
            {
                return self.invalid(
                    &a.attr,
                    "E0353",
                    &format!("`{class}.{field}` is a method, not a value"),
                    "method read through its class",
                    Some("methods are called: `Class.static_method(x)`, `entity.method(x)`; a key function may be `key=Class.static_method`"),
                );
            }
            return self.invalid(
                &a.attr,
                "E0353",
                &format!("`{class}` has no class constant `{field}`"),
                "unknown class attribute",
                Some("an entity class offers the constants assigned in its body; fields belong to each entity"),
            );
        }
        let ty = self.type_of(&a.value);
        let entity = match &ty {
            Type::Ref(t) => {
                match self.info.entity(t) {
                    Some(ent) if ent.field(&field).is_some() => {
                        if is_private(&field) && (*t != self.entity.name || self.sig.is_function)
                        {
                            let hint = if self.sig.is_function {
                                format!(
                                    "a module-level function or static method runs as part of \
                                     every entity that calls it, so it uses public names only: \
                                     add a public method to `{t}` that returns what is needed"
                                )
                            } else {
                                format!(
                                    "names starting with `_` are for `{t}` entities alone: add \
                                     a public method to `{t}` that returns what is needed"
                                )
                            };
                            return self.invalid(
                                &a.attr,
                                "E0334",
                                &format!("`{t}.{field}` is private"),
                                "private field of another entity type",
                                Some(&hint),
                            );
                        }
                    }
                    _ => {
                        return self.invalid(
                            &a.attr,
                            "E0352",
                            &format!("`{t}` has no field `{field}`"),
                            "unknown field",
                            None,
                        )
                    }
                }
                Some(t.clone())
            }
            // `exc.needed`: an attribute an exception's `__init__` sets (AttributeError at run
            // time on anything else). A handler's name is an exception even where an entity
            // has a field of that name.
            _ if self.info.any_exception_has_attr(&field)
                && (matches!(&*a.value, ast::Expr::Name(n) if self.handler_names.contains(n.id.as_str()))
                    || !self.info.any_entity_has_field(&field)) =>
            {
                return Expr::Builtin {
                    func: "$exception_attr".into(),
                    args: vec![self.expr(&a.value), Expr::Const(Const::Str(field))],
                    kwargs: vec![],
                };
            }
            Type::Any if self.info.any_entity_has_field(&field) => None,
            _ if field == "args" => {
                // `exc.args`; any other value raises AttributeError at run time.
                return Expr::Builtin {
                    func: "$exception_args".into(),
                    args: vec![self.expr(&a.value)],
                    kwargs: vec![],
                };
            }
            _ => {
                return self.invalid(
                    &a.attr,
                    "E0353",
                    &format!("unsupported attribute `.{field}`"),
                    "no entity has this field and builtin values have no attributes here",
                    self.info
                        .entities
                        .iter()
                        .any(|e| e.constant(&field).is_some())
                        .then_some("to read an entity class's constant through a reference, annotate it with the class (`other: Account`), or write `Account.NAME`"),
                )
            }
        };
        let target = self.expr(&a.value);
        self.remote(target, entity, RemoteOp::GetField { field }, a.range())
    }

    fn remote(
        &mut self,
        target: Expr,
        entity: Option<String>,
        op: RemoteOp,
        node: TextRange,
    ) -> Expr {
        let span = self.rep.map.span(node);
        // Before the entity exists, only its own methods can run (`self._normalize(email)`).
        if matches!(self.sig.name.as_str(), "__init__" | "__key__")
            && !matches!(target, Expr::SelfRef)
        {
            let message = format!("`{}` cannot call other entities", self.sig.name);
            self.error(
                &node,
                "E0354",
                message,
                "call to another entity",
                Some("only methods of `self` run before the entity exists; call other entities from a method"),
            );
            return Expr::Const(Const::None);
        }
        let result = self.temp("ret");
        let resume = self.new_block();
        self.terminate(
            Terminator::Call {
                target,
                entity,
                op,
                result,
                resume,
                live: Vec::new(),
            },
            span,
        );
        self.start(resume);
        Expr::Local(result)
    }

    fn call_args(
        &mut self,
        call: &'a ast::ExprCall,
        receiver: Option<&'a ast::Expr>,
    ) -> Option<LoweredArgs> {
        let mut exprs: Vec<&'a ast::Expr> = Vec::new();
        if let Some(r) = receiver {
            exprs.push(r);
        }
        for a in call.arguments.args.iter() {
            if let ast::Expr::Starred(s) = a {
                self.error(
                    s,
                    "E0348",
                    "star-args are not supported",
                    "`*` argument",
                    Some("pass the list itself"),
                );
                return None;
            }
            if let ast::Expr::Generator(g) = a {
                self.generator_args.push(g as *const ast::ExprGenerator);
            }
            exprs.push(a);
        }
        let mut names = Vec::new();
        for k in call.arguments.keywords.iter() {
            match &k.arg {
                Some(name) => names.push(name.as_str().to_string()),
                None => {
                    let calls_format = matches!(
                        &*call.func,
                        ast::Expr::Attribute(a) if a.attr.as_str() == "format"
                    );
                    let hint = if calls_format {
                        "use `template.format_map(d)`, or name each field: `.format(name=d[\"name\"])`"
                    } else {
                        "pass the dict itself"
                    };
                    self.error(
                        k,
                        "E0348",
                        "star-args are not supported",
                        "`**` argument",
                        Some(hint),
                    );
                    return None;
                }
            }
            exprs.push(&k.value);
        }
        let mut values = self.lower_seq(&exprs).into_iter();
        let receiver = receiver.map(|_| values.next().unwrap_or(Expr::Const(Const::None)));
        let args: Vec<Expr> = values.by_ref().take(call.arguments.args.len()).collect();
        let kwargs = names.into_iter().zip(values).collect();
        Some((receiver, args, kwargs))
    }

    /// `type(x) is int`, `type(x) == str`, `type(e) is not KeyError`, `type(x) in (int, float)`:
    /// a comparison of `x`'s exact type name with builtin types or exception classes (types are
    /// no values here). `None` for any other comparison.
    fn exact_type_check(&mut self, c: &'a ast::ExprCompare) -> Option<Expr> {
        let ast::Expr::Call(call) = &*c.left else {
            return None;
        };
        let is_type_call = matches!(&*call.func, ast::Expr::Name(n) if n.id.as_str() == "type")
            && self.lookup_local("type").is_none()
            && !self.info.constants.contains_key("type")
            && call.arguments.args.len() == 1
            && call.arguments.keywords.is_empty();
        let ([op], [comparator]) = (&c.ops[..], &c.comparators[..]) else {
            return None;
        };
        if !is_type_call {
            return None;
        }
        let type_name = |this: &Self, e: &ast::Expr| match e {
            ast::Expr::Name(n)
                if this.lookup_local(n.id.as_str()).is_none()
                    && (ir::BUILTIN_TYPES.contains(&n.id.as_str())
                        || this.info.is_exception(n.id.as_str())) =>
            {
                Some(n.id.as_str().to_string())
            }
            _ => None,
        };
        let (cmp, names) = match (op, comparator) {
            (ast::CmpOp::Is | ast::CmpOp::Eq | ast::CmpOp::IsNot | ast::CmpOp::NotEq, t) => {
                let eq = matches!(op, ast::CmpOp::Is | ast::CmpOp::Eq);
                (
                    if eq { CmpOp::Eq } else { CmpOp::NotEq },
                    vec![type_name(self, t)?],
                )
            }
            (ast::CmpOp::In | ast::CmpOp::NotIn, ast::Expr::Tuple(t)) => {
                let names: Option<Vec<String>> =
                    t.elts.iter().map(|x| type_name(self, x)).collect();
                (
                    if matches!(op, ast::CmpOp::In) {
                        CmpOp::In
                    } else {
                        CmpOp::NotIn
                    },
                    names?,
                )
            }
            _ => return None,
        };
        let value = self.expr(&call.arguments.args[0]);
        let name = Expr::Builtin {
            func: "$type_name".into(),
            args: vec![value],
            kwargs: vec![],
        };
        let right = match cmp {
            CmpOp::In | CmpOp::NotIn => {
                Expr::Const(Const::Tuple(names.into_iter().map(Const::Str).collect()))
            }
            _ => Expr::Const(Const::Str(names.into_iter().next().unwrap_or_default())),
        };
        Some(Expr::Compare(Box::new(name), vec![(cmp, right)]))
    }

    /// The class-level constants of an exception of `class` (and its user ancestors), as the
    /// attributes every exception of it starts with (`e.code`).
    fn exception_constant_attrs(&mut self, class: &str) -> Vec<(String, Expr)> {
        let info = self.info;
        info.exception_class_constants(class)
            .into_iter()
            .map(|(name, constant)| (name.clone(), self.lower_class_constant(constant)))
            .collect()
    }

    /// `E(args)` (or `raise E`) for an exception class with an `__init__`: the arguments are
    /// evaluated in order and bound to its parameters (defaults for the rest), then its steps
    /// run inline in order: attribute values, and the `args` its base class's `__init__` gets
    /// (without that call, the positional arguments, as `BaseException.__new__` keeps them).
    fn new_exception_with_init(
        &mut self,
        call: Option<&'a ast::ExprCall>,
        class: String,
        range: TextRange,
    ) -> Expr {
        let info = self.info;
        let Some((definer, init)) = info.exception_init_of(&class) else {
            return Expr::Const(Const::None);
        };
        let span = self.rep.map.span(range);
        let (positional, keywords): (&'a [ast::Expr], &'a [ast::Keyword]) = match call {
            Some(c) => (&c.arguments.args, &c.arguments.keywords),
            None => (&[], &[]),
        };
        if positional
            .iter()
            .any(|a| matches!(a, ast::Expr::Starred(_)))
        {
            return self.invalid(
                &range,
                "E0348",
                "star-args are not supported",
                "`*` argument",
                None,
            );
        }
        if let Some(k) = keywords.iter().find(|k| k.arg.is_none()) {
            return self.invalid(
                k,
                "E0348",
                "`**` arguments are not supported",
                "`**` argument",
                None,
            );
        }
        // Every argument in source order, each pinned: the steps read them later.
        let sources: Vec<&'a ast::Expr> = positional
            .iter()
            .chain(keywords.iter().map(|k| &k.value))
            .collect();
        let mut values: Vec<Local> = self
            .lower_seq(&sources)
            .into_iter()
            .map(|value| {
                let t = self.temp("arg");
                self.emit(StmtKind::Assign { target: t, value }, span);
                t
            })
            .collect();
        let named: Vec<(&str, Local, TextRange)> = keywords
            .iter()
            .zip(values.split_off(positional.len()))
            .filter_map(|(k, l)| Some((k.arg.as_ref()?.as_str(), l, k.range())))
            .collect();
        let Some(params) = self.bind_init_params(definer, init, &values, &named, range) else {
            return Expr::Const(Const::None);
        };
        // `BaseException.__new__` keeps the positional arguments as `args` until an `__init__`
        // up the chain passes others to `BaseException.__init__`.
        let mut args: Vec<Expr> = values.iter().map(|l| Expr::Local(*l)).collect();
        let mut set = Vec::new();
        self.run_exception_init(definer, init, params, &mut args, &mut set, range);
        // Class constants first: an attribute `__init__` sets is found before them.
        let mut attrs = self.exception_constant_attrs(&class);
        let constants = attrs.len();
        // Then the latest value of each attribute, in first-assignment order.
        for (name, local) in set {
            match attrs[constants..].iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = Expr::Local(local),
                None => attrs.push((name, Expr::Local(local))),
            }
        }
        Expr::NewException { class, args, attrs }
    }

    /// Runs the steps of `definer`'s exception `__init__` inline, its parameters bound to
    /// `params`: attributes go to `attrs`; `super().__init__(...)` runs the base class's own
    /// `__init__` the same way when it has one, and otherwise sets `args`.
    fn run_exception_init(
        &mut self,
        definer: &str,
        init: &crate::analyze::ExceptionInit<'a>,
        params: Vec<(String, Local)>,
        args: &mut Vec<Expr>,
        attrs: &mut Vec<(String, Local)>,
        range: TextRange,
    ) {
        let info = self.info;
        let span = self.rep.map.span(range);
        let outer = self.init_scope.replace(InitScope {
            params,
            attrs: attrs.clone(),
        });
        for step in &init.steps {
            match step {
                InitStep::Args(xs, keywords) => {
                    let sources: Vec<&'a ast::Expr> = xs
                        .iter()
                        .copied()
                        .chain(keywords.iter().map(|(_, v)| *v))
                        .collect();
                    let mut values: Vec<Local> = self
                        .lower_seq(&sources)
                        .into_iter()
                        .map(|value| {
                            let t = self.temp("exc_arg");
                            self.emit(StmtKind::Assign { target: t, value }, span);
                            t
                        })
                        .collect();
                    let named: Vec<(&str, Local, TextRange)> = keywords
                        .iter()
                        .zip(values.split_off(xs.len()))
                        .map(|((n, v), l)| (*n, l, v.range()))
                        .collect();
                    let parent = info
                        .exception_base(definer)
                        .and_then(|base| info.exception_init_of(base));
                    match parent {
                        Some((parent, parent_init)) => {
                            let Some(bound) =
                                self.bind_init_params(parent, parent_init, &values, &named, range)
                            else {
                                break;
                            };
                            self.run_exception_init(parent, parent_init, bound, args, attrs, range);
                            if let Some(scope) = &mut self.init_scope {
                                scope.attrs = attrs.clone();
                            }
                        }
                        None if !named.is_empty() => {
                            self.error(
                                &range,
                                "E0355",
                                "BaseException.__init__() takes no keyword arguments",
                                "keyword argument",
                                None,
                            );
                            break;
                        }
                        None => *args = values.into_iter().map(Expr::Local).collect(),
                    }
                }
                InitStep::Attr(name, value) => {
                    let value = self.expr(value);
                    let t = self.temp("exc_attr");
                    self.emit(StmtKind::Assign { target: t, value }, span);
                    attrs.push((name.to_string(), t));
                    if let Some(scope) = &mut self.init_scope {
                        scope.attrs.push((name.to_string(), t));
                    }
                }
            }
        }
        self.init_scope = outer;
    }

    /// Binds the `values` and `named` arguments of a `super().__init__(...)` call to the
    /// parameters of the base class's `__init__` (defaults for the rest); `None` after reporting
    /// an arity error.
    fn bind_init_params(
        &mut self,
        class: &str,
        init: &crate::analyze::ExceptionInit<'a>,
        values: &[Local],
        named: &[(&str, Local, TextRange)],
        range: TextRange,
    ) -> Option<Vec<(String, Local)>> {
        let span = self.rep.map.span(range);
        let qual = format!("{class}.__init__()");
        if values.len() > init.params.len() {
            let takes = init.params.len() + 1;
            self.error(
                &range,
                "E0355",
                format!(
                    "{qual} takes {takes} positional argument{} but {} were given",
                    plural(takes),
                    values.len() + 1
                ),
                "wrong number of arguments",
                None,
            );
            return None;
        }
        for (name, _, at) in named {
            let known = init.params.iter().position(|(p, _)| p == name);
            let problem = match known {
                None => Some(("got an unexpected keyword argument", "unknown parameter")),
                Some(i) if i < values.len() => {
                    Some(("got multiple values for argument", "given twice"))
                }
                Some(_) => None,
            };
            if let Some((problem, label)) = problem {
                self.error(
                    at,
                    "E0355",
                    format!("{qual} {problem} '{name}'"),
                    label,
                    None,
                );
                return None;
            }
        }
        let mut bound = Vec::new();
        for (i, (name, default)) in init.params.iter().enumerate() {
            let given = values
                .get(i)
                .or_else(|| named.iter().find(|(n, _, _)| n == name).map(|(_, l, _)| l));
            let local = match (given, default) {
                (Some(v), _) => *v,
                (None, Some(d)) => {
                    // Defaults are the module's values, not the caller's names.
                    let outer_scope = self.init_scope.take();
                    let outer = std::mem::replace(&mut self.module_scope, true);
                    let value = self.expr(d);
                    self.module_scope = outer;
                    self.init_scope = outer_scope;
                    let t = self.temp("arg");
                    self.emit(StmtKind::Assign { target: t, value }, span);
                    t
                }
                (None, None) => {
                    self.error(
                        &range,
                        "E0355",
                        format!("{qual} missing 1 required positional argument: '{name}'"),
                        "wrong number of arguments",
                        None,
                    );
                    return None;
                }
            };
            bound.push((name.to_string(), local));
        }
        Some(bound)
    }

    fn check_arity(&mut self, call: &ast::ExprCall, entity: &str, method: &str) {
        let Some(sig) = self.info.entity(entity).and_then(|e| e.method(method)) else {
            return;
        };
        let starred = call.arguments.args.iter().any(ast::Expr::is_starred_expr)
            || call.arguments.keywords.iter().any(|k| k.arg.is_none());
        if starred {
            return; // refused on its own (E0348): the count would mislead
        }
        let nargs = call.arguments.args.len();
        let params = &sig.params;
        // As CPython counts: a method's `self` is one of its positional arguments.
        let (qual, with_self) = match &*call.func {
            _ if !sig.is_function => (format!("{entity}.{method}()"), 1),
            ast::Expr::Name(n) => (format!("{}()", n.id.as_str()), 0),
            ast::Expr::Attribute(a) => match &*a.value {
                ast::Expr::Name(c) if self.info.entity(c.id.as_str()).is_some() => {
                    (format!("{}.{}()", c.id.as_str(), a.attr.as_str()), 0)
                }
                _ => (format!("{entity}.{}()", sig.def.name.as_str()), 0),
            },
            _ => (format!("{entity}.{method}()"), 0),
        };
        let shown: Vec<String> = params
            .iter()
            .map(|p| match &p.default {
                Some(_) => format!("{}=...", p.name),
                None => p.name.clone(),
            })
            .collect();
        let hint = format!(
            "the signature is `{}({})`",
            qual.trim_end_matches("()"),
            shown.join(", ")
        );
        if nargs > params.len() {
            let takes = params.len() + with_self;
            self.error(
                call,
                "E0355",
                format!(
                    "{qual} takes {takes} positional argument{} but {} {} given",
                    if takes == 1 { "" } else { "s" },
                    nargs + with_self,
                    if nargs + with_self == 1 {
                        "was"
                    } else {
                        "were"
                    }
                ),
                "wrong number of arguments",
                Some(&hint),
            );
            return;
        }
        let mut bound: HashSet<&str> = params[..nargs].iter().map(|p| p.name.as_str()).collect();
        for k in call.arguments.keywords.iter() {
            let Some(name) = &k.arg else { continue };
            if !params.iter().any(|p| p.name == name.as_str()) {
                self.error(
                    k,
                    "E0355",
                    format!(
                        "{qual} got an unexpected keyword argument '{}'",
                        name.as_str()
                    ),
                    "unknown parameter",
                    Some(&hint),
                );
            } else if !bound.insert(name.as_str()) {
                self.error(
                    k,
                    "E0355",
                    format!(
                        "{qual} got multiple values for argument '{}'",
                        name.as_str()
                    ),
                    "duplicate argument",
                    Some(&hint),
                );
            }
        }
        let missing: Vec<&str> = params
            .iter()
            .filter(|p| p.default.is_none() && !bound.contains(p.name.as_str()))
            .map(|p| p.name.as_str())
            .collect();
        if !missing.is_empty() {
            self.error(
                call,
                "E0355",
                format!(
                    "{qual} missing {} required positional argument{}: {}",
                    missing.len(),
                    plural(missing.len()),
                    quoted_list(&missing)
                ),
                "wrong number of arguments",
                Some(&hint),
            );
        }
    }

    fn call(&mut self, call: &'a ast::ExprCall) -> Expr {
        let span = self.span(call);
        if let Some(lowered) = self.type_qualified_call(call) {
            return lowered;
        }
        if self.is_dict_fromkeys(call) {
            // A class method: called on an empty dict, which only names the type.
            let Some((_, args, kwargs)) = self.call_args(call, None) else {
                return Expr::Const(Const::None);
            };
            return Expr::Method {
                receiver: Box::new(Expr::Dict(vec![])),
                method: "fromkeys".into(),
                args,
                kwargs,
            };
        }
        match self.classify_call(call) {
            CallKind::Invalid {
                code,
                message,
                label,
                hint,
            } => {
                self.error(&*call.func, code, message, label, hint);
                Expr::Const(Const::None)
            }
            CallKind::Refused => Expr::Const(Const::None),
            CallKind::Remote {
                receiver,
                entity,
                method,
            } => {
                if let Some(t) = &entity {
                    self.check_arity(call, t, &method);
                }
                let Some((target, args, kwargs)) = self.call_args(call, Some(receiver)) else {
                    return Expr::Const(Const::None);
                };
                let target = target.unwrap_or(Expr::SelfRef);
                self.remote(
                    target,
                    entity,
                    RemoteOp::Invoke {
                        method,
                        args,
                        kwargs,
                    },
                    call.range(),
                )
            }
            CallKind::Function(method) => {
                let entity = self.entity.name.clone();
                self.check_arity(call, &entity, &method);
                let Some((_, args, kwargs)) = self.call_args(call, None) else {
                    return Expr::Const(Const::None);
                };
                self.remote(
                    Expr::SelfRef,
                    Some(entity),
                    RemoteOp::Invoke {
                        method,
                        args,
                        kwargs,
                    },
                    call.range(),
                )
            }
            CallKind::ValueMethod { receiver, method }
                if method == "sort" && key_function(call).is_some() =>
            {
                self.keyed_sort(call, receiver)
            }
            CallKind::ValueMethod { receiver, method } => {
                if MUTATING_METHODS.contains(&method.as_str()) {
                    self.check_changeable(receiver);
                }
                let Some((recv, args, kwargs)) = self.call_args(call, Some(receiver)) else {
                    return Expr::Const(Const::None);
                };
                Expr::Method {
                    receiver: Box::new(recv.unwrap_or(Expr::Const(Const::None))),
                    method,
                    args,
                    kwargs,
                }
            }
            CallKind::Exception(class) if self.info.exception_init(&class).is_some() => {
                self.new_exception_with_init(Some(call), class, call.range())
            }
            CallKind::Exception(class) => {
                if !call.arguments.keywords.is_empty() {
                    return self.invalid(
                        call,
                        "E0356",
                        "exception classes take positional arguments only",
                        "keyword argument",
                        None,
                    );
                }
                let Some((_, args, _)) = self.call_args(call, None) else {
                    return Expr::Const(Const::None);
                };
                let attrs = self.exception_constant_attrs(&class);
                Expr::NewException { class, args, attrs }
            }
            CallKind::Builtin(func) => self.builtin(call, func, span),
        }
    }

    fn builtin(&mut self, call: &'a ast::ExprCall, func: String, span: Span) -> Expr {
        if LOWERED_BUILTINS.contains(&func.as_str()) {
            return self.map_filter(call, &func, span);
        }
        if func == "isinstance" {
            let args = &call.arguments.args;
            if args.len() != 2 || !call.arguments.keywords.is_empty() {
                return self.invalid(
                    call,
                    "E0357",
                    "isinstance() takes 2 arguments",
                    "wrong arguments",
                    None,
                );
            }
            let names: Vec<&ast::Expr> = match &args[1] {
                ast::Expr::Tuple(t) => t.elts.iter().collect(),
                other => vec![other],
            };
            let mut types = Vec::new();
            for n in names {
                match n {
                    ast::Expr::Name(n)
                        if ir::BUILTIN_TYPES.contains(&n.id.as_str())
                            || self.info.is_exception(n.id.as_str())
                            || self.info.entity(n.id.as_str()).is_some() =>
                    {
                        types.push(n.id.as_str().to_string())
                    }
                    ast::Expr::NoneLiteral(_) => types.push("NoneType".into()),
                    other => return self.invalid(
                        other,
                        "E0357",
                        "isinstance() needs a builtin type, an exception class or an entity class",
                        "unknown type",
                        None,
                    ),
                }
            }
            let value = self.expr(&args[0]);
            return Expr::IsInstance(Box::new(value), types);
        }
        if matches!(func.as_str(), "sorted" | "min" | "max") {
            if let Some(key) = key_function(call) {
                return self.keyed_builtin(call, &func, key, span);
            }
        }
        if func == "next" {
            if let Some(first) = self.next_of_generator(call, span) {
                return first;
            }
        }
        if (func == "any" || func == "all") && call.arguments.keywords.is_empty() {
            if let [arg] = &call.arguments.args[..] {
                if let Some((inner, lowered)) = self.lazy_map_filter(arg) {
                    return self.map_filter_any_all(&func, inner, &lowered, span);
                }
            }
        }
        // A generator argument of a consumer: keep it pure, or lower it to a loop if it calls out.
        if let [ast::Expr::Generator(g)] = &call.arguments.args[..] {
            if GENERATOR_CONSUMERS.contains(&func.as_str()) {
                let gen_expr: &'a ast::Expr = &call.arguments.args[0];
                if func == "any" || func == "all" {
                    // A loop that stops at the first decisive element, as CPython does (the
                    // rest may raise or have effects).
                    return self.any_all_loop(&func, g, span);
                }
                let lowered = if self.has_remote(gen_expr) {
                    self.comprehension(
                        gen_expr,
                        ComprehensionKind::List,
                        &g.elt,
                        None,
                        &g.generators,
                    )
                } else {
                    self.comprehension(
                        gen_expr,
                        ComprehensionKind::Generator,
                        &g.elt,
                        None,
                        &g.generators,
                    )
                };
                let mut kwargs = Vec::new();
                for k in call.arguments.keywords.iter() {
                    if let Some(name) = &k.arg {
                        let v = self.expr(&k.value);
                        kwargs.push((name.as_str().to_string(), v));
                    }
                }
                return Expr::Builtin {
                    func,
                    args: vec![lowered],
                    kwargs,
                };
            }
        }
        let Some((_, args, kwargs)) = self.call_args(call, None) else {
            return Expr::Const(Const::None);
        };
        Expr::Builtin { func, args, kwargs }
    }

    /// `sorted(xs, key=f, reverse=r)`, `min(..., key=f, default=d)`, `max(...)`: the items as a
    /// list, then the keys computed in a loop (`keyed`), then an internal builtin that orders the
    /// items by their keys as CPython's does.
    fn keyed_builtin(
        &mut self,
        call: &'a ast::ExprCall,
        func: &str,
        key: &'a ast::Expr,
        span: Span,
    ) -> Expr {
        let positional = &call.arguments.args;
        let (other, hint) = if func == "sorted" {
            ("reverse", "sorted() takes `key` and `reverse`")
        } else {
            ("default", "min() and max() take `key` and `default`")
        };
        if let Some(error) = self.unsupported_keyword(call, func, other, hint) {
            return error;
        }
        if positional.is_empty()
            || positional
                .iter()
                .any(|a| matches!(a, ast::Expr::Starred(_)))
            || (func == "sorted" && positional.len() != 1)
        {
            return self.invalid(
                call,
                "E0361",
                &format!("{func}() with a key function takes one iterable (or, for min and max, several values)"),
                "arguments",
                None,
            );
        }
        if positional.len() > 1
            && call
                .arguments
                .keywords
                .iter()
                .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "default"))
        {
            return self.invalid(
                call,
                "E0361",
                &format!(
                    "cannot specify a default for {func}() with multiple positional arguments"
                ),
                "arguments",
                None,
            );
        }
        // Arguments in source order: the items, then the others; the key runs after them all.
        let items = self.temp("items");
        let value = if positional.len() == 1 {
            // A generator argument is built as a list, as for any other callee.
            let x = match &positional[0] {
                ast::Expr::Generator(g) => self.comprehension(
                    &positional[0],
                    ComprehensionKind::List,
                    &g.elt,
                    None,
                    &g.generators,
                ),
                other => self.expr(other),
            };
            Expr::Builtin {
                func: "list".into(),
                args: vec![x],
                kwargs: vec![],
            }
        } else {
            let refs: Vec<&'a ast::Expr> = positional.iter().collect();
            Expr::List(self.lower_seq(&refs))
        };
        self.emit(
            StmtKind::Assign {
                target: items,
                value,
            },
            span,
        );
        let kwargs = self.keywords_but_key(call);
        let element = match &positional[..] {
            [one] => self.element_type(one).first().cloned().unwrap_or(Type::Any),
            many => {
                let types: Vec<Type> = many.iter().map(|x| self.type_of(x)).collect();
                if types.windows(2).all(|w| w[0] == w[1]) {
                    types.into_iter().next().unwrap_or(Type::Any)
                } else {
                    Type::Any
                }
            }
        };
        let Some(keys) = self.keyed(items, element, key, span) else {
            return Expr::Const(Const::None);
        };
        Expr::Builtin {
            func: format!("${func}_by_keys"),
            args: vec![Expr::Local(items), keys],
            kwargs,
        }
    }

    /// The diagnostic for a keyword argument other than `key` and `other` of a call with a key
    /// function (None when there is none).
    fn unsupported_keyword(
        &mut self,
        call: &'a ast::ExprCall,
        func: &str,
        other: &str,
        hint: &'static str,
    ) -> Option<Expr> {
        let bad = call.arguments.keywords.iter().find(|k| {
            k.arg
                .as_ref()
                .is_none_or(|a| a.as_str() != "key" && a.as_str() != other)
        })?;
        Some(self.invalid(
            bad,
            "E0361",
            &format!("unsupported keyword argument of {func}()"),
            "keyword argument",
            Some(hint),
        ))
    }

    /// The keyword arguments of a call other than `key`, lowered in source order and pinned
    /// (the key function runs after all of them).
    fn keywords_but_key(&mut self, call: &'a ast::ExprCall) -> Vec<(String, Expr)> {
        let mut kwargs = Vec::new();
        for k in call.arguments.keywords.iter() {
            if let Some(name) = k.arg.as_ref().filter(|a| a.as_str() != "key") {
                let v = self.expr(&k.value);
                let v = self.pin(v);
                kwargs.push((name.as_str().to_string(), v));
            }
        }
        kwargs
    }

    /// `xs.sort(key=f, reverse=r)`: the keys of the list's items, then an in-place sort by them.
    fn keyed_sort(&mut self, call: &'a ast::ExprCall, receiver: &'a ast::Expr) -> Expr {
        let span = self.span(call);
        if !call.arguments.args.is_empty() {
            return self.invalid(
                call,
                "E0361",
                "sort() takes no positional arguments",
                "positional argument",
                None,
            );
        }
        if let Some(error) =
            self.unsupported_keyword(call, "sort", "reverse", "sort() takes `key` and `reverse`")
        {
            return error;
        }
        self.check_changeable(receiver);
        let element = self
            .element_type(receiver)
            .first()
            .cloned()
            .unwrap_or(Type::Any);
        let list = self.expr(receiver);
        let list = self.pin(list);
        // The keys are computed over a copy: a key function that changes the list cannot make
        // the loop run for ever, and the sort reports the change as CPython does.
        let items = self.temp("items");
        self.emit(
            StmtKind::Assign {
                target: items,
                value: Expr::Builtin {
                    func: "list".into(),
                    args: vec![list.clone()],
                    kwargs: vec![],
                },
            },
            span,
        );
        let kwargs = self.keywords_but_key(call);
        let Some(key) = key_function(call) else {
            return Expr::Const(Const::None);
        };
        let Some(keys) = self.keyed(items, element, key, span) else {
            return Expr::Const(Const::None);
        };
        Expr::Builtin {
            func: "$sort_by_keys".into(),
            args: vec![Expr::Local(items), keys, list],
            kwargs,
        }
    }

    /// Emits a loop that applies the key function `key` to every item of the list `items` and
    /// returns the list of keys (see [`Self::function_arg`] for what a key function may be).
    fn keyed(
        &mut self,
        items: Local,
        element: Type,
        key: &'a ast::Expr,
        span: Span,
    ) -> Option<Expr> {
        let function = self.function_arg(key, 1, FunctionRole::Key)?;
        let keys = self.temp("keys");
        self.emit(
            StmtKind::Assign {
                target: keys,
                value: Expr::List(vec![]),
            },
            span,
        );
        let (header, exit, item) = self.loop_begin(Expr::Local(items), span);
        let x = self.temp("item");
        self.locals[x.0 as usize].ty = element;
        self.emit(
            StmtKind::Assign {
                target: x,
                value: item,
            },
            span,
        );
        let key_value = self.apply_function(&function, &[x], key.range());
        self.emit(
            StmtKind::Expr(Expr::Method {
                receiver: Box::new(Expr::Local(keys)),
                method: "append".into(),
                args: vec![key_value],
                kwargs: vec![],
            }),
            span,
        );
        self.terminate(Terminator::Jump(header), span);
        self.start(exit);
        Some(Expr::Local(keys))
    }

    /// Classifies a function passed as a value (a key function, the function of `map` or
    /// `filter`), called later with `arity` arguments: a `lambda` of that many parameters (its
    /// body may call other entities), a builtin function (`len`, `str`, ...), a builtin type's
    /// method (`str.lower`), a builtin value's bound method (`counts.get`) or an entity's bound
    /// method (`self._rank`, `scorer.score`: a call each time). A receiver is evaluated now, as
    /// CPython evaluates the bound method before the iterables. `None` after reporting an error.
    fn function_arg(
        &mut self,
        function: &'a ast::Expr,
        arity: usize,
        role: FunctionRole,
    ) -> Option<FunctionArg<'a>> {
        Some(match function {
            ast::Expr::Lambda(l) => {
                let params = l.parameters.as_deref();
                let plain = params.and_then(|p| {
                    let plain = p.posonlyargs.is_empty()
                        && p.vararg.is_none()
                        && p.kwarg.is_none()
                        && p.kwonlyargs.is_empty()
                        && p.args.len() == arity
                        && p.args.iter().all(|a| a.default.is_none());
                    plain.then(|| p.args.iter().map(|a| &a.parameter).collect::<Vec<_>>())
                });
                match plain {
                    Some(params) => FunctionArg::Lambda(params, &l.body),
                    None => {
                        let message = match role {
                            FunctionRole::Key => {
                                "a key function lambda takes exactly one parameter".to_string()
                            }
                            FunctionRole::Map | FunctionRole::Filter => format!(
                                "this lambda is called with {}: give it exactly {arity} parameter{} without defaults",
                                arguments(arity),
                                plural(arity)
                            ),
                        };
                        self.invalid(l, "E0344", &message, "lambda", None);
                        return None;
                    }
                }
            }
            ast::Expr::Name(n)
                if self.lookup_local(n.id.as_str()).is_none()
                    && self.info.functions.iter().any(|f| f == n.id.as_str()) =>
            {
                let name = n.id.as_str();
                self.shared_function_arg(n, name, function_method_name(name), arity, role)?
            }
            ast::Expr::Attribute(a)
                if matches!(&*a.value, ast::Expr::Name(c)
                    if self.lookup_local(c.id.as_str()).is_none()
                        && self.info.statics.iter().any(|(class, m)| class == c.id.as_str() && m == a.attr.as_str())) =>
            {
                // `key=Account.fee`: a static method through its class.
                let ast::Expr::Name(class) = &*a.value else {
                    return None;
                };
                let shown = format!("{}.{}", class.id.as_str(), a.attr.as_str());
                let method = static_method_name(class.id.as_str(), a.attr.as_str());
                self.shared_function_arg(a, &shown, method, arity, role)?
            }
            ast::Expr::Name(n)
                if self.lookup_local(n.id.as_str()).is_none()
                    && ir::BUILTIN_FUNCTIONS.contains(&n.id.as_str())
                    && !matches!(n.id.as_str(), "isinstance" | "print") =>
            {
                FunctionArg::Function(n.id.as_str().to_string())
            }
            ast::Expr::Attribute(a)
                if matches!(&*a.value, ast::Expr::Name(t) if ir::BUILTIN_TYPES.contains(&t.id.as_str()) && self.lookup_local(t.id.as_str()).is_none())
                    && ir::is_builtin_method(a.attr.as_str()) =>
            {
                FunctionArg::TypeMethod(a.attr.as_str().to_string())
            }
            ast::Expr::Attribute(a)
                if ir::is_builtin_method(a.attr.as_str())
                    && !self.has_remote(&a.value)
                    && !matches!(self.type_of(&a.value), Type::Ref(_))
                    && self.field_of_self(function).is_none() =>
            {
                // A name an entity method shares, on a receiver not plainly builtin, is decided
                // at run time (see `classify_call`).
                let dynamic = self.info.any_entity_has_method(a.attr.as_str())
                    && !a.attr.as_str().starts_with('_')
                    && !self.plainly_builtin(&a.value);
                let receiver = self.expr(&a.value);
                let receiver = self.pin(receiver);
                if dynamic {
                    FunctionArg::Dynamic(receiver, a.attr.as_str().to_string())
                } else {
                    FunctionArg::Bound(receiver, a.attr.as_str().to_string())
                }
            }
            ast::Expr::Attribute(a) => {
                let (entity, method) = self.entity_method_arg(a, arity, role)?;
                let receiver = self.expr(&a.value);
                FunctionArg::Entity(self.pin(receiver), entity, method)
            }
            other => {
                let (message, hint) = match role {
                    FunctionRole::Key => ("unsupported key function", "use a lambda (`key=lambda x: self._rank(x)`), a builtin such as `len`, a bound method such as `counts.get`, or a module-level function or static method defined in this file"),
                    FunctionRole::Map => ("unsupported function for map()", "use a lambda (`lambda x: x * 2`), a builtin such as `str`, a method such as `str.strip`, a bound method such as `self._price`, or a module-level function or static method defined in this file"),
                    FunctionRole::Filter => ("unsupported function for filter()", "use `None`, a lambda (`lambda x: x > 0`), a builtin such as `bool`, a bound method such as `self._valid`, or a module-level function or static method defined in this file"),
                };
                self.invalid(other, "E0359", message, role.label(), Some(hint));
                return None;
            }
        })
    }

    /// A module-level function or a static method (`shown` is how the user wrote it) as a key
    /// function or the function of `map`/`filter`: the private method `method` of the running
    /// entity, called with `arity` arguments each time; `None` after reporting a wrong arity.
    fn shared_function_arg(
        &mut self,
        node: &impl Ranged,
        shown: &str,
        method: String,
        arity: usize,
        role: FunctionRole,
    ) -> Option<FunctionArg<'a>> {
        let params = self.entity.method(&method)?.params.clone();
        if !self.takes_arity(node, shown, &params, 0, arity, role) {
            return None;
        }
        Some(FunctionArg::Entity(
            Expr::SelfRef,
            Some(self.entity.name.clone()),
            method,
        ))
    }

    /// The call of a function classified by [`Self::function_arg`] on `args`.
    fn apply_function(
        &mut self,
        function: &FunctionArg<'a>,
        args: &[Local],
        range: ruff_text_size::TextRange,
    ) -> Expr {
        let values: Vec<Expr> = args.iter().map(|a| Expr::Local(*a)).collect();
        match function {
            FunctionArg::Lambda(params, body) => {
                let scope_len = self.comp_scope.len();
                for (param, arg) in params.iter().zip(args) {
                    self.comp_scope
                        .push((param.name.as_str().to_string(), *arg));
                }
                // An assignment expression in a lambda binds a name of the lambda's own.
                let mut walrus = WalrusFinder(Vec::new());
                ruff_python_ast::visitor::Visitor::visit_expr(&mut walrus, body);
                for (name, _) in walrus.0 {
                    let local = self.temp("lambda_local");
                    self.comp_scope.push((name.to_string(), local));
                }
                let value = self.expr(body);
                self.comp_scope.truncate(scope_len);
                value
            }
            FunctionArg::Function(func) => Expr::Builtin {
                func: func.clone(),
                args: values,
                kwargs: vec![],
            },
            FunctionArg::TypeMethod(method) => {
                let mut values = values.into_iter();
                Expr::Method {
                    receiver: Box::new(values.next().unwrap_or(Expr::Const(Const::None))),
                    method: method.clone(),
                    args: values.collect(),
                    kwargs: vec![],
                }
            }
            FunctionArg::Bound(receiver, method) => Expr::Method {
                receiver: Box::new(receiver.clone()),
                method: method.clone(),
                args: values,
                kwargs: vec![],
            },
            FunctionArg::Dynamic(receiver, method)
            | FunctionArg::Entity(receiver, None, method) => self.remote(
                receiver.clone(),
                None,
                RemoteOp::Invoke {
                    method: method.clone(),
                    args: values,
                    kwargs: vec![],
                },
                range,
            ),
            FunctionArg::Entity(receiver, entity, method) => self.remote(
                receiver.clone(),
                entity.clone(),
                RemoteOp::Invoke {
                    method: method.clone(),
                    args: values,
                    kwargs: vec![],
                },
                range,
            ),
        }
    }

    /// `map(f, xs, ...)` and `filter(f, xs)`: a loop over the iterables (several are zipped, as
    /// `map` stops at the shortest) that hands `each` every value the call yields, in order.
    /// `each` may stop the loop early (any/all) by jumping out of it. `None` after an error.
    fn map_filter_loop(
        &mut self,
        call: &'a ast::ExprCall,
        func: &str,
        span: Span,
        each: &mut dyn FnMut(&mut Self, Expr),
    ) -> Option<()> {
        let role = if func == "map" {
            FunctionRole::Map
        } else {
            FunctionRole::Filter
        };
        if !call.arguments.keywords.is_empty() {
            self.invalid(
                call,
                "E0361",
                &format!("{func}() takes no keyword arguments"),
                "keyword argument",
                None,
            );
            return None;
        }
        let args = &call.arguments.args;
        let ok = match role {
            FunctionRole::Filter => args.len() == 2,
            _ => args.len() >= 2,
        };
        if !ok || args.iter().any(|a| matches!(a, ast::Expr::Starred(_))) {
            let message = match role {
                FunctionRole::Filter => format!("filter expected 2 arguments, got {}", args.len()),
                _ => "map() must have at least two arguments.".to_string(),
            };
            self.invalid(call, "E0361", &message, "arguments", None);
            return None;
        }
        let iterables = &args[1..];
        let function = match (&args[0], role) {
            (ast::Expr::NoneLiteral(_), FunctionRole::Filter) => None,
            (f, _) => Some(self.function_arg(f, iterables.len(), role)?),
        };
        let element = match iterables {
            [one] => self.element_type(one).first().cloned().unwrap_or(Type::Any),
            _ => Type::Any,
        };
        let refs: Vec<&'a ast::Expr> = iterables.iter().collect();
        let mut lowered = self.lower_seq(&refs);
        let source = match lowered.len() {
            1 => lowered.pop().unwrap_or(Expr::Const(Const::None)),
            _ => Expr::Builtin {
                func: "zip".into(),
                args: lowered,
                kwargs: vec![],
            },
        };
        let (header, exit, item) = self.loop_begin(source, span);
        let items: Vec<Local> = (0..iterables.len()).map(|_| self.temp("item")).collect();
        match &items[..] {
            [x] => {
                self.locals[x.0 as usize].ty = element;
                self.emit(
                    StmtKind::Assign {
                        target: *x,
                        value: item,
                    },
                    span,
                );
            }
            _ => self.emit(
                StmtKind::Unpack {
                    targets: items.clone(),
                    value: item,
                },
                span,
            ),
        }
        match role {
            FunctionRole::Filter => {
                let x = items[0];
                let cond = match &function {
                    Some(f) => {
                        self.apply_ending_at_stop_iteration(f, &items, args[0].range(), exit, span)
                    }
                    None => Expr::Local(x),
                };
                let keep = self.new_block();
                self.terminate(
                    Terminator::Branch {
                        cond,
                        then: keep,
                        otherwise: header,
                    },
                    span,
                );
                self.start(keep);
                each(self, Expr::Local(x));
            }
            _ => {
                let f = function.as_ref()?;
                let value =
                    self.apply_ending_at_stop_iteration(f, &items, args[0].range(), exit, span);
                each(self, value);
            }
        }
        self.terminate(Terminator::Jump(header), span);
        self.start(exit);
        Some(())
    }

    /// The function of a `map` or `filter` applied to one item, its value in a temporary. A
    /// `StopIteration` it raises ends the iteration (jumps to `exit`), as it ends CPython's
    /// `map` and `filter` iterators; any other exception goes on as before.
    fn apply_ending_at_stop_iteration(
        &mut self,
        function: &FunctionArg<'a>,
        items: &[Local],
        range: ruff_text_size::TextRange,
        exit: BlockId,
        span: Span,
    ) -> Expr {
        let mut result = None;
        self.catching_stop_iteration(
            "stop",
            span,
            &mut |this: &mut Self| {
                let value = this.apply_function(function, items, range);
                let applied = this.temp("applied");
                this.emit(
                    StmtKind::Assign {
                        target: applied,
                        value,
                    },
                    span,
                );
                result = Some(applied);
            },
            &mut |_: &mut Self| exit,
        );
        result.map_or(Expr::Const(Const::None), Expr::Local)
    }

    /// Lowers `code` under a handler that sends a `StopIteration` to the block `stopped` makes
    /// (or names) and raises any other exception on; lowering goes on after `code`.
    fn catching_stop_iteration(
        &mut self,
        name: &str,
        span: Span,
        code: &mut dyn FnMut(&mut Self),
        stopped: &mut dyn FnMut(&mut Self) -> BlockId,
    ) {
        let outer = self.handler;
        let exc = self.temp(name);
        let dispatch = self.new_block();
        self.with_handler(
            Some(Handler {
                block: dispatch,
                exception: exc,
            }),
            span,
        );
        code(self);
        self.with_handler(outer, span);
        let after = self.current;
        let target = stopped(self);
        let reraise = self.new_block();
        self.start(dispatch);
        self.terminate(
            Terminator::Branch {
                cond: Expr::IsInstance(Box::new(Expr::Local(exc)), vec!["StopIteration".into()]),
                then: target,
                otherwise: reraise,
            },
            span,
        );
        self.start(reraise);
        self.terminate(Terminator::Raise(Expr::Local(exc)), span);
        self.start(after);
    }

    /// `map(...)` or `filter(...)` as a value: the list of what it yields. CPython gives a lazy
    /// iterator; every consumer the language has reads it whole, except `any` and `all`, which
    /// stop early (`map_filter_any_all`).
    fn map_filter(&mut self, call: &'a ast::ExprCall, func: &str, span: Span) -> Expr {
        let result = self.temp(func);
        self.emit(
            StmtKind::Assign {
                target: result,
                value: Expr::List(vec![]),
            },
            span,
        );
        let appended = self.map_filter_loop(call, func, span, &mut |this: &mut Self, value| {
            this.emit(
                StmtKind::Expr(Expr::Method {
                    receiver: Box::new(Expr::Local(result)),
                    method: "append".into(),
                    args: vec![value],
                    kwargs: vec![],
                }),
                span,
            );
        });
        match appended {
            Some(()) => Expr::Builtin {
                func: "$iterator".into(),
                args: vec![Expr::Local(result), Expr::Const(Const::Str(func.into()))],
                kwargs: vec![],
            },
            None => Expr::Const(Const::None),
        }
    }

    /// The value of a class constant (a display is lowered afresh, its names read as module
    /// constants).
    fn lower_class_constant(&mut self, constant: &ClassConstant<'a>) -> Expr {
        match constant {
            ClassConstant::Value(c) => Expr::Const(c.clone()),
            ClassConstant::Display(display) => {
                let outer = std::mem::replace(&mut self.module_scope, true);
                let value = self.expr(display);
                self.module_scope = outer;
                value
            }
        }
    }

    /// The entity class `e` names (`Account` in `Account.FEE`), unless a local hides it.
    fn entity_class_name(&self, e: &ast::Expr) -> Option<String> {
        match e {
            ast::Expr::Name(n)
                if self.lookup_local(n.id.as_str()).is_none()
                    && self.info.entity(n.id.as_str()).is_some() =>
            {
                Some(n.id.as_str().to_string())
            }
            _ => None,
        }
    }

    /// The class constant `a` reads, if it reads one: `Account.FEE`, or `self.FEE` /
    /// `account.FEE` when the entity has no field of that name (a field hides it, as an instance
    /// attribute hides a class attribute).
    fn class_constant_read(&self, a: &ast::ExprAttribute) -> Option<&'m ClassConstant<'a>> {
        let name = a.attr.as_str();
        let info = self.info;
        if let Some(class) = self.entity_class_name(&a.value) {
            return info.entity(&class)?.constant(name);
        }
        let Type::Ref(t) = self.type_of(&a.value) else {
            return None;
        };
        let entity = info.entity(&t)?;
        if entity.field(name).is_some() {
            return None;
        }
        entity.constant(name)
    }

    /// `str.upper(s)`, `list.append(xs, x)`, `str.maketrans("ab", "xy")`: a builtin type's
    /// method called through the type, its receiver the first argument (checked to be of that
    /// type, as CPython's method descriptors do); `maketrans` needs none. `None` for other calls.
    fn type_qualified_call(&mut self, call: &'a ast::ExprCall) -> Option<Expr> {
        let ast::Expr::Attribute(a) = &*call.func else {
            return None;
        };
        let ast::Expr::Name(t) = &*a.value else {
            return None;
        };
        let (type_name, method) = (t.id.as_str(), a.attr.as_str());
        if !ir::methods_of(type_name).contains(&method)
            || self.lookup_local(type_name).is_some()
            || self.info.constants.contains_key(type_name)
            || self.info.container_constants.contains_key(type_name)
            || (type_name == "dict" && method == "fromkeys")
        {
            return None;
        }
        if method == "maketrans" {
            let (_, args, kwargs) = self.call_args(call, None)?;
            return Some(Expr::Method {
                receiver: Box::new(Expr::Const(Const::Str(String::new()))),
                method: method.into(),
                args,
                kwargs,
            });
        }
        if call.arguments.args.is_empty() {
            return Some(self.invalid(
                call,
                "E0355",
                &format!("unbound method {type_name}.{method}() needs an argument"),
                "no receiver",
                None,
            ));
        }
        if MUTATING_METHODS.contains(&method) {
            self.check_changeable(&call.arguments.args[0]);
        }
        let (_, args, kwargs) = self.call_args(call, None)?;
        let mut args = args.into_iter();
        let receiver = Expr::Builtin {
            func: "$check_receiver".into(),
            args: vec![
                args.next()?,
                Expr::Const(Const::Str(type_name.into())),
                Expr::Const(Const::Str(method.into())),
            ],
            kwargs: vec![],
        };
        Some(Expr::Method {
            receiver: Box::new(receiver),
            method: method.into(),
            args: args.collect(),
            kwargs,
        })
    }

    /// Whether `call` is `dict.fromkeys(...)` on the builtin type (not a shadowing name).
    fn is_dict_fromkeys(&self, call: &ast::ExprCall) -> bool {
        matches!(&*call.func, ast::Expr::Attribute(a)
            if a.attr.as_str() == "fromkeys"
                && matches!(&*a.value, ast::Expr::Name(n) if n.id.as_str() == "dict"
                    && self.lookup_local("dict").is_none()
                    && !self.info.constants.contains_key("dict")
                    && !self.info.container_constants.contains_key("dict")))
    }

    /// The entity type (when known) and method of a function argument that is an entity's bound
    /// method (`key=self._rank`, `map(scorer.score, xs)`), called with `arity` arguments each
    /// time; `None` after reporting why `a` is not one.
    fn entity_method_arg(
        &mut self,
        a: &ast::ExprAttribute,
        arity: usize,
        role: FunctionRole,
    ) -> Option<(Option<String>, String)> {
        let (entity, method) = match self.classify_method(&a.value, a.attr.as_str().to_string()) {
            CallKind::Remote { entity, method, .. } => (entity, method),
            CallKind::Invalid {
                code,
                message,
                label,
                hint,
            } => {
                self.error(a, code, message, label, hint);
                return None;
            }
            _ => {
                self.invalid(
                    a,
                    "E0359",
                    &format!("unsupported {}", role.label()),
                    role.label(),
                    Some("use a lambda, a builtin such as `len`, or a bound method such as `counts.get`"),
                );
                return None;
            }
        };
        let sig = entity
            .as_deref()
            .and_then(|t| self.info.entity(t))
            .and_then(|e| e.method(&method));
        if let Some(sig) = sig {
            // A method's `self` counts as an argument, as CPython counts; a static method has
            // none.
            let with_self = usize::from(!sig.is_function);
            let params = sig.params.clone();
            let shown = format!("{}.{method}", entity.as_deref().unwrap_or_default());
            if !self.takes_arity(a, &shown, &params, with_self, arity, role) {
                return None;
            }
        }
        Some((entity, method))
    }

    /// Whether a function `shown` with `params` (and a `self`, when `with_self` is 1) can be
    /// called with `arity` positional arguments each time it serves as a `role`; if not,
    /// reports it at `node` as CPython words it when the call happens.
    fn takes_arity(
        &mut self,
        node: &impl Ranged,
        shown: &str,
        params: &[ir::Param],
        with_self: usize,
        arity: usize,
        role: FunctionRole,
    ) -> bool {
        let required = params.iter().filter(|p| p.default.is_none()).count();
        if params.len() >= arity && required <= arity {
            return true;
        }
        self.error(
            node,
            "E0355",
            arity_message(shown, params, arity, with_self),
            format!("a {} is called with {}", role.label(), arguments(arity)),
            Some("wrap it in a lambda that passes what it needs"),
        );
        false
    }

    fn any_all_loop(&mut self, func: &str, g: &'a ast::ExprGenerator, span: Span) -> Expr {
        let is_any = func == "any";
        let result = self.any_all_start(is_any, span);
        let done = self.new_block();
        self.comp_loops(&g.generators, 0, true, span, &mut |this: &mut Self| {
            let v = this.expr(&g.elt);
            this.any_all_step(is_any, v, result, done, span);
        });
        self.terminate(Terminator::Jump(done), span);
        self.start(done);
        Expr::Local(result)
    }

    /// `any(map(...))`, `all(filter(...))`: stops at the first decisive value, as CPython's
    /// lazy `map` and `filter` do (the rest may raise or call out).
    fn map_filter_any_all(
        &mut self,
        func: &str,
        inner: &'a ast::ExprCall,
        lowered: &str,
        span: Span,
    ) -> Expr {
        let is_any = func == "any";
        let result = self.any_all_start(is_any, span);
        let done = self.new_block();
        let looped = self.map_filter_loop(inner, lowered, span, &mut |this: &mut Self, v| {
            this.any_all_step(is_any, v, result, done, span);
        });
        if looped.is_none() {
            return Expr::Const(Const::None);
        }
        self.terminate(Terminator::Jump(done), span);
        self.start(done);
        Expr::Local(result)
    }

    /// `next(x for x in xs if ...)`, `next(map(f, xs), default)`: a loop that stops at the first
    /// item, as CPython's lazy generator does (the rest may raise or call out); without one, the
    /// default or `StopIteration`. `None` when the argument is neither (an iterator value, which
    /// the `next` builtin advances).
    fn next_of_generator(&mut self, call: &'a ast::ExprCall, span: Span) -> Option<Expr> {
        let args = &call.arguments.args;
        let lowered = match args.first() {
            Some(ast::Expr::Generator(_)) => None,
            Some(arg) => Some(self.lazy_map_filter(arg)?),
            None => return None,
        };
        if args.len() > 2
            || !call.arguments.keywords.is_empty()
            || args.iter().any(|a| matches!(a, ast::Expr::Starred(_)))
        {
            return Some(self.invalid(
                call,
                "E0361",
                "next() takes an iterator and an optional default",
                "arguments",
                None,
            ));
        }
        let result = self.temp("next");
        let default = args.get(1).map(|d| {
            let d = self.expr(d);
            self.pin(d)
        });
        let done = self.new_block();
        let mut take = |this: &mut Self, v: Expr| {
            this.emit(
                StmtKind::Assign {
                    target: result,
                    value: v,
                },
                span,
            );
            this.terminate(Terminator::Jump(done), span);
            // The loop's own jump back follows in a block nothing reaches.
            this.dead_block();
        };
        match (&args[0], lowered) {
            (ast::Expr::Generator(g), _) => {
                self.comp_loops(&g.generators, 0, true, span, &mut |this: &mut Self| {
                    let v = this.expr(&g.elt);
                    take(this, v);
                });
            }
            (_, Some((inner, name))) => {
                self.map_filter_loop(inner, &name, span, &mut take)?;
            }
            _ => return None,
        }
        match default {
            Some(d) => {
                self.emit(
                    StmtKind::Assign {
                        target: result,
                        value: d,
                    },
                    span,
                );
                self.terminate(Terminator::Jump(done), span);
            }
            None => self.terminate(
                Terminator::Raise(Expr::NewException {
                    class: "StopIteration".into(),
                    args: vec![],
                    attrs: vec![],
                }),
                span,
            ),
        }
        self.start(done);
        Some(Expr::Local(result))
    }

    /// The result local of an any/all loop, set to what an empty iterable gives.
    fn any_all_start(&mut self, is_any: bool, span: Span) -> Local {
        let result = self.temp(if is_any { "any" } else { "all" });
        self.emit(
            StmtKind::Assign {
                target: result,
                value: Expr::Const(Const::Bool(!is_any)),
            },
            span,
        );
        result
    }

    /// One value of an any/all loop: a decisive one sets the result and leaves for `done`;
    /// otherwise the loop goes on from the block this leaves current.
    fn any_all_step(&mut self, is_any: bool, v: Expr, result: Local, done: BlockId, span: Span) {
        let hit = self.new_block();
        let miss = self.new_block();
        let (then, otherwise) = if is_any { (hit, miss) } else { (miss, hit) };
        self.terminate(
            Terminator::Branch {
                cond: v,
                then,
                otherwise,
            },
            span,
        );
        self.start(hit);
        self.emit(
            StmtKind::Assign {
                target: result,
                value: Expr::Const(Const::Bool(is_any)),
            },
            span,
        );
        self.terminate(Terminator::Jump(done), span);
        self.start(miss);
    }

    /// Lowers nested comprehension loops, calling `body` innermost. Targets go into `comp_scope`.
    ///
    /// For a generator expression (`generator`), everything after its first iterable runs in
    /// the generator, where a `StopIteration` becomes `RuntimeError: generator raised
    /// StopIteration` (PEP 479).
    fn comp_loops(
        &mut self,
        gens: &'a [ast::Comprehension],
        i: usize,
        generator: bool,
        span: Span,
        body: &mut dyn FnMut(&mut Self),
    ) {
        let Some(g) = gens.get(i) else {
            body(self);
            return;
        };
        let element = self.element_type(&g.iter);
        if let Some((call, func)) = self.lazy_map_filter(&g.iter) {
            // Lazily, as in a `for` statement: the function runs for an item just before the
            // rest of the comprehension does.
            let next = self.new_block();
            let scope_len = self.comp_scope.len();
            self.map_filter_loop(call, &func, span, &mut |this: &mut Self, item| {
                let target = this.comp_target(&g.target, &element);
                this.bind_target(&target, item, span);
                this.in_generator(i == 0 && generator, span, &mut |this: &mut Self| {
                    this.comp_conditions(&g.ifs, next, span);
                    this.comp_loops(gens, i + 1, false, span, body);
                });
                this.comp_scope.truncate(scope_len);
                this.terminate(Terminator::Jump(next), span);
                this.start(next);
            });
            return;
        }
        let iterable = self.expr(&g.iter);
        let (header, exit, item) = self.loop_begin(iterable, span);
        let scope_len = self.comp_scope.len();
        let target = self.comp_target(&g.target, &element);
        self.bind_target(&target, item, span);
        self.in_generator(i == 0 && generator, span, &mut |this: &mut Self| {
            this.comp_conditions(&g.ifs, header, span);
            this.comp_loops(gens, i + 1, false, span, body);
        });
        self.comp_scope.truncate(scope_len);
        self.terminate(Terminator::Jump(header), span);
        self.start(exit);
    }

    /// Lowers `code` as a generator's body when `generator` (otherwise as it is): a
    /// `StopIteration` raised in it becomes `RuntimeError: generator raised StopIteration`, as
    /// PEP 479 has it; any other exception goes on as before.
    fn in_generator(&mut self, generator: bool, span: Span, code: &mut dyn FnMut(&mut Self)) {
        if !generator {
            code(self);
            return;
        }
        self.catching_stop_iteration("genexc", span, code, &mut |this: &mut Self| {
            let converted = this.new_block();
            this.start(converted);
            this.terminate(
                Terminator::Raise(Expr::NewException {
                    class: "RuntimeError".into(),
                    args: vec![Expr::Const(Const::Str(
                        "generator raised StopIteration".into(),
                    ))],
                    attrs: vec![],
                }),
                span,
            );
            converted
        });
    }

    /// The `if` clauses of one comprehension loop: the first false one goes on to `next_item`.
    fn comp_conditions(&mut self, ifs: &'a [ast::Expr], next_item: BlockId, span: Span) {
        for cond in ifs {
            let c = self.expr(cond);
            let pass = self.new_block();
            self.terminate(
                Terminator::Branch {
                    cond: c,
                    then: pass,
                    otherwise: next_item,
                },
                span,
            );
            self.start(pass);
        }
    }

    fn bind_target(&mut self, target: &Target, value: Expr, span: Span) {
        match target {
            Target::Local(l) => self.emit(StmtKind::Assign { target: *l, value }, span),
            Target::Tuple(ts) => {
                let temps: Vec<Local> = ts.iter().map(|_| self.temp("unpack")).collect();
                self.emit(
                    StmtKind::Unpack {
                        targets: temps.clone(),
                        value,
                    },
                    span,
                );
                for (t, sub) in temps.iter().zip(ts) {
                    self.bind_target(sub, Expr::Local(*t), span);
                }
            }
        }
    }

    /// Allocates fresh locals for a comprehension target and brings them into scope.
    /// Declares a comprehension's target; `element` is what iterating its iterable gives (see
    /// [`Self::element_type`]), so `p.get()` over a list of entity refs is a remote call.
    fn comp_target(&mut self, e: &ast::Expr, element: &[Type]) -> Target {
        match e {
            ast::Expr::Name(n) => {
                let local = Local(self.locals.len() as u32);
                let ty = match element {
                    [one] => one.clone(),
                    _ => Type::Any,
                };
                self.locals.push(LocalDecl {
                    name: format!("{}$comp", n.id.as_str()),
                    ty,
                });
                self.comp_scope.push((n.id.as_str().to_string(), local));
                Target::Local(local)
            }
            ast::Expr::Tuple(ast::ExprTuple { elts, .. })
            | ast::Expr::List(ast::ExprList { elts, .. }) => {
                let types: Vec<Type> = if element.len() == elts.len() {
                    element.to_vec()
                } else {
                    vec![Type::Any; elts.len()]
                };
                Target::Tuple(
                    elts.iter()
                        .zip(types)
                        .map(|(x, ty)| self.comp_target(x, std::slice::from_ref(&ty)))
                        .collect(),
                )
            }
            other => {
                self.error(
                    other,
                    "E0358",
                    "unsupported comprehension target",
                    "use names or tuples of names",
                    None,
                );
                Target::Local(self.temp("bad"))
            }
        }
    }

    fn comprehension(
        &mut self,
        whole: &'a ast::Expr,
        kind: ComprehensionKind,
        elt: &'a ast::Expr,
        value: Option<&'a ast::Expr>,
        gens: &'a [ast::Comprehension],
    ) -> Expr {
        if gens.iter().any(|g| g.is_async) {
            return self.invalid(
                whole,
                "E0321",
                "async comprehensions are not supported",
                "async",
                Some("remote calls are plain calls: drop `async`"),
            );
        }
        if !self.has_remote(whole) {
            let scope_len = self.comp_scope.len();
            let mut generators = Vec::new();
            for g in gens {
                let element = self.element_type(&g.iter);
                let iter = constant_set_iterable(&g.iter, self.expr(&g.iter));
                let target = self.comp_target(&g.target, &element);
                let ifs = g.ifs.iter().map(|c| self.expr(c)).collect();
                generators.push(Generator { target, iter, ifs });
            }
            let elt = self.expr(elt);
            let value = value.map(|v| Box::new(self.expr(v)));
            self.comp_scope.truncate(scope_len);
            return Expr::Comprehension {
                kind,
                elt: Box::new(elt),
                value,
                generators,
            };
        }
        // With remote calls: an explicit loop building the container.
        let span = self.span(whole);
        let result = self.temp("comp");
        let init = match kind {
            ComprehensionKind::Dict => Expr::Dict(vec![]),
            ComprehensionKind::Set => Expr::Set(vec![]),
            _ => Expr::List(vec![]),
        };
        self.emit(
            StmtKind::Assign {
                target: result,
                value: init,
            },
            span,
        );
        let generator = matches!(whole, ast::Expr::Generator(_));
        self.comp_loops(
            gens,
            0,
            generator,
            span,
            &mut |this: &mut Self| match value {
                Some(v) => {
                    let parts = this.lower_seq(&[elt, v]);
                    let mut it = parts.into_iter();
                    let (k, v) = (
                        it.next().unwrap_or(Expr::Const(Const::None)),
                        it.next().unwrap_or(Expr::Const(Const::None)),
                    );
                    this.emit(
                        StmtKind::SetItem {
                            object: Expr::Local(result),
                            index: k,
                            value: v,
                        },
                        span,
                    );
                }
                None => {
                    let x = this.expr(elt);
                    let method = if kind == ComprehensionKind::Set {
                        "add"
                    } else {
                        "append"
                    };
                    this.emit(
                        StmtKind::Expr(Expr::Method {
                            receiver: Box::new(Expr::Local(result)),
                            method: method.into(),
                            args: vec![x],
                            kwargs: vec![],
                        }),
                        span,
                    );
                }
            },
        );
        Expr::Local(result)
    }
}

/// A private name (`_x`), for entities of its own type alone; dunders are not private.
fn is_private(name: &str) -> bool {
    name.starts_with('_') && !(name.starts_with("__") && name.ends_with("__"))
}

/// What a `for` loop or a comprehension iterates: a set display of constants is the frozenset
/// constant CPython's optimizer makes of it, iterated as it is (not copied into a new set).
fn constant_set_iterable(iter: &ast::Expr, lowered: Expr) -> Expr {
    match (iter, lowered) {
        (ast::Expr::Set(_), Expr::Set(items)) if items.iter().all(Expr::is_folded_constant) => {
            Expr::Builtin {
                func: "$constant_frozenset".into(),
                args: items,
                kwargs: vec![],
            }
        }
        (_, lowered) => lowered,
    }
}
