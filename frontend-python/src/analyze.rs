//! Resolution and analysis of a parsed module: which classes are entities, their fields, field
//! and parameter types, method signatures, user exceptions and module constants.

use std::collections::HashMap;

use ir::{Const, ExceptionClass, Field, Param, Type};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::diagnostics::Diagnostic;
use crate::source::SourceMap;

/// What the lowering needs to know about a module.
pub struct ModuleInfo<'a> {
    /// The entity types, in definition order.
    pub entities: Vec<EntityInfo<'a>>,
    /// User exception classes, in definition order.
    pub exceptions: Vec<ExceptionClass>,
    /// Module-level literal constants.
    pub constants: HashMap<String, Const>,
    /// Module-level list, dict and set displays of literals (`PRICES = {"basic": 10}`): every
    /// use is a fresh copy of the display.
    pub container_constants: HashMap<String, &'a Expr>,
    /// Names of the module-level functions whose signatures are valid. Each is compiled into
    /// every entity as a private method ([`function_method_name`]) that runs on the calling
    /// entity, so a call `f(x)` is a call of the caller on itself.
    pub functions: Vec<String>,
    /// Module-level functions refused for their definition (their calls are not reported
    /// again).
    pub rejected_functions: Vec<String>,
    /// Static methods, as (class, method): each is a method of its class and also, for calls
    /// through the class, a private method of every entity ([`static_method_name`]).
    pub statics: Vec<(String, String)>,
    /// The `__init__` of each user exception class that defines one.
    pub exception_inits: HashMap<String, ExceptionInit<'a>>,
    /// Class-level constants of user exception classes (`code = 402`), by class.
    pub exception_constants: HashMap<String, Vec<(String, ClassConstant<'a>)>>,
}

/// A user exception class's `__init__`, in the form the language supports: parameters, then
/// steps that set attributes or call the base class's `__init__`.
pub struct ExceptionInit<'a> {
    /// Parameters after `self`, with their defaults.
    pub params: Vec<(&'a str, Option<&'a Expr>)>,
    /// The body, in order.
    pub steps: Vec<InitStep<'a>>,
}

/// One statement of an exception's `__init__`.
pub enum InitStep<'a> {
    /// `super().__init__(args)` or `Base.__init__(self, args)`: the base class's `__init__`
    /// (the exception's `args` when that is `BaseException`'s), with its keyword arguments.
    Args(Vec<&'a Expr>, Vec<(&'a str, &'a Expr)>),
    /// `self.name = value`.
    Attr(&'a str, &'a Expr),
}

/// An entity class: its state schema and method signatures.
pub struct EntityInfo<'a> {
    /// The class name.
    pub name: String,
    /// The class definition.
    pub class: &'a ast::StmtClassDef,
    /// Fields in first-assignment order.
    pub fields: Vec<Field>,
    /// Methods in definition order.
    pub methods: Vec<MethodSig<'a>>,
    /// Class-level constants (`FEE = 2` in the class body) in definition order.
    pub constants: Vec<(String, ClassConstant<'a>)>,
}

/// The value of a class-level constant, read as `self.FEE`, `Account.FEE` or `account.FEE`.
pub enum ClassConstant<'a> {
    /// A scalar or tuple folded at compile time.
    Value(Const),
    /// A list, dict or set display of literals and module constants: each use is a fresh copy.
    Display(&'a Expr),
}

/// The name of the private method a module-level function `name` becomes in every entity (a
/// name no Python method can have, so it never clashes, and private, so clients cannot call it).
pub fn function_method_name(name: &str) -> String {
    format!("_module.{name}")
}

/// The name of the private method a static method `class.name` becomes in every entity, for
/// calls through the class (`Account.fee(x)`); through an instance it is the method `name`.
pub fn static_method_name(class: &str, name: &str) -> String {
    format!("_static.{class}.{name}")
}

/// What a `def` is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DefKind {
    /// An entity method, `self` first.
    Method,
    /// A module-level function.
    Function,
    /// An entity's `@staticmethod`.
    Static,
}

/// A method's signature.
#[derive(Clone)]
pub struct MethodSig<'a> {
    /// The method name.
    pub name: String,
    /// The definition.
    pub def: &'a ast::StmtFunctionDef,
    /// Parameters after `self`.
    pub params: Vec<Param>,
    /// The annotated return type.
    pub returns: Type,
    /// A module-level function or a static method compiled as a method: it has no `self`.
    pub is_function: bool,
}

impl<'a> ModuleInfo<'a> {
    /// Looks up an entity by name.
    pub fn entity(&self, name: &str) -> Option<&EntityInfo<'a>> {
        self.entities.iter().find(|e| e.name == name)
    }

    /// Whether `name` is a builtin or user exception class.
    pub fn is_exception(&self, name: &str) -> bool {
        ir::is_builtin_exception(name) || self.exceptions.iter().any(|e| e.name == name)
    }

    /// The `__init__` an exception class runs: its own or its nearest user ancestor's.
    pub fn exception_init(&self, class: &str) -> Option<&ExceptionInit<'a>> {
        self.exception_init_of(class).map(|(_, init)| init)
    }

    /// The `__init__` an exception class runs, with the class that defines it (its own, or the
    /// nearest user ancestor's), whose base its `super().__init__(...)` reaches.
    pub fn exception_init_of(&self, class: &str) -> Option<(&str, &ExceptionInit<'a>)> {
        let mut class = class;
        for _ in 0..=self.exceptions.len() {
            if let Some((name, init)) = self.exception_inits.get_key_value(class) {
                return Some((name.as_str(), init));
            }
            class = &self.exceptions.iter().find(|e| e.name == class)?.base;
        }
        None
    }

    /// The base class of a user exception class.
    pub fn exception_base(&self, class: &str) -> Option<&str> {
        self.exceptions
            .iter()
            .find(|e| e.name == class)
            .map(|e| e.base.as_str())
    }

    /// Whether some user exception's `__init__` sets the attribute `name`, or some user
    /// exception class has a constant of that name.
    pub fn any_exception_has_attr(&self, name: &str) -> bool {
        self.exception_inits.values().any(|init| {
            init.steps
                .iter()
                .any(|s| matches!(s, InitStep::Attr(a, _) if *a == name))
        }) || self
            .exception_constants
            .values()
            .any(|cs| cs.iter().any(|(n, _)| n == name))
    }

    /// The class-level constants an exception of `class` has: its own and its user ancestors',
    /// the nearest class's value for each name, in the order of the classes from the root down.
    pub fn exception_class_constants(&self, class: &str) -> Vec<&(String, ClassConstant<'a>)> {
        let mut chain = Vec::new();
        let mut current = class;
        for _ in 0..=self.exceptions.len() {
            chain.push(current);
            match self.exceptions.iter().find(|e| e.name == current) {
                Some(e) => current = &e.base,
                None => break,
            }
        }
        let mut out: Vec<&(String, ClassConstant<'a>)> = Vec::new();
        for class in chain.iter().rev() {
            for c in self.exception_constants.get(*class).into_iter().flatten() {
                out.retain(|(n, _)| *n != c.0);
                out.push(c);
            }
        }
        out
    }

    /// Whether any entity has a method called `name`.
    pub fn any_entity_has_method(&self, name: &str) -> bool {
        self.entities.iter().any(|e| e.method(name).is_some())
    }

    /// Whether any entity has a field called `name`.
    pub fn any_entity_has_field(&self, name: &str) -> bool {
        self.entities.iter().any(|e| e.field(name).is_some())
    }
}

impl<'a> EntityInfo<'a> {
    /// Looks up a class-level constant by name.
    pub fn constant(&self, name: &str) -> Option<&ClassConstant<'a>> {
        self.constants
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c)
    }

    /// Looks up a method by name.
    pub fn method(&self, name: &str) -> Option<&MethodSig<'_>> {
        self.methods.iter().find(|m| m.name == name)
    }

    /// The index of a field by name.
    pub fn field(&self, name: &str) -> Option<u32> {
        self.fields
            .iter()
            .position(|f| f.name == name)
            .map(|i| i as u32)
    }
}

/// Builds diagnostics with source positions.
pub struct Reporter<'a> {
    /// The source map.
    pub map: &'a SourceMap<'a>,
    /// The diagnostics found so far.
    pub diagnostics: Vec<Diagnostic>,
}

impl Reporter<'_> {
    /// Records an error at a node.
    pub fn error(
        &mut self,
        node: &impl Ranged,
        code: &'static str,
        message: impl Into<String>,
        label: impl Into<String>,
        hint: Option<&str>,
    ) {
        let range = node.range();
        self.diagnostics.push(Diagnostic {
            code,
            message: message.into(),
            label: label.into(),
            hint: hint.map(str::to_string),
            span: self.map.span(range),
            range: (range.start().to_usize(), range.end().to_usize()),
        });
    }

    /// [`Reporter::error`] at a span of the IR.
    pub fn error_at(
        &mut self,
        span: ir::Span,
        code: &'static str,
        message: impl Into<String>,
        label: impl Into<String>,
        hint: Option<&str>,
    ) {
        let range = self.map.range(span);
        self.error(&range, code, message, label, hint);
    }
}

fn is_entity_decorator(d: &ast::Decorator) -> bool {
    match &d.expression {
        Expr::Name(n) => n.id.as_str() == "entity",
        Expr::Attribute(a) => {
            a.attr.as_str() == "entity"
                && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "entiflow")
        }
        _ => false,
    }
}

/// Evaluates a literal constant expression (numbers, strings, booleans, None, tuples, unary minus).
pub fn literal(expr: &Expr) -> Option<Const> {
    match expr {
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_i64().map(Const::Int),
            ast::Number::Float(f) => Some(Const::Float(*f)),
            ast::Number::Complex { .. } => None,
        },
        Expr::StringLiteral(s) => Some(Const::Str(s.value.to_str().to_string())),
        Expr::BooleanLiteral(b) => Some(Const::Bool(b.value)),
        Expr::NoneLiteral(_) => Some(Const::None),
        Expr::Tuple(t) => t
            .elts
            .iter()
            .map(literal)
            .collect::<Option<Vec<_>>>()
            .map(Const::Tuple),
        // The smallest integer is written as the negation of one that does not fit.
        Expr::UnaryOp(u) if u.op == ast::UnaryOp::USub => match &*u.operand {
            Expr::NumberLiteral(n) if matches!(&n.value, ast::Number::Int(i) if i.as_u64() == Some(1 << 63)) => {
                Some(Const::Int(i64::MIN))
            }
            operand => match literal(operand)? {
                Const::Int(i) => i.checked_neg().map(Const::Int),
                Const::Float(f) => Some(Const::Float(-f)),
                _ => None,
            },
        },
        _ => None,
    }
}

/// A module-level constant: a literal, or arithmetic on literals and earlier constants
/// (`SECONDS_PER_DAY = 24 * 60 * 60`, `LIMIT = 2 ** 31 - 1`), folded with Python's semantics.
/// `None` when the value is not such an expression or its folding would raise (overflow beyond
/// 64 bits, division by zero): the program is then rejected.
pub fn constant_expr(expr: &Expr, constants: &HashMap<String, Const>) -> Option<Const> {
    match expr {
        Expr::Name(n) => constants.get(n.id.as_str()).cloned(),
        Expr::BinOp(b) => fold(
            b.op,
            constant_expr(&b.left, constants)?,
            constant_expr(&b.right, constants)?,
        ),
        Expr::UnaryOp(u) if u.op == ast::UnaryOp::USub => match literal(expr) {
            Some(c) => Some(c),
            None => match constant_expr(&u.operand, constants)? {
                Const::Int(i) => i.checked_neg().map(Const::Int),
                Const::Float(f) => Some(Const::Float(-f)),
                _ => None,
            },
        },
        Expr::Tuple(t) => t
            .elts
            .iter()
            .map(|e| constant_expr(e, constants))
            .collect::<Option<Vec<_>>>()
            .map(Const::Tuple),
        other => literal(other),
    }
}

/// `a op b` on two constants, as CPython computes it (ints are 64-bit here).
fn fold(op: ast::Operator, a: Const, b: Const) -> Option<Const> {
    use ast::Operator::*;
    Some(match (a, b) {
        (Const::Int(x), Const::Int(y)) => match op {
            Add => Const::Int(x.checked_add(y)?),
            Sub => Const::Int(x.checked_sub(y)?),
            Mult => Const::Int(x.checked_mul(y)?),
            FloorDiv if y != 0 => Const::Int(x.checked_div_euclid(y).map(|q| {
                if y < 0 && x.rem_euclid(y) != 0 {
                    q - 1
                } else {
                    q
                }
            })?),
            Mod if y != 0 => {
                let r = x.checked_rem(y)?;
                Const::Int(if r != 0 && (r < 0) != (y < 0) {
                    r + y
                } else {
                    r
                })
            }
            Pow if y >= 0 => Const::Int(x.checked_pow(u32::try_from(y).ok()?)?),
            LShift if (0..64).contains(&y) => {
                let shifted = x.checked_shl(y as u32)?;
                (shifted >> y == x).then_some(Const::Int(shifted))?
            }
            RShift if y >= 0 => Const::Int(x >> y.min(63)),
            BitAnd => Const::Int(x & y),
            BitOr => Const::Int(x | y),
            BitXor => Const::Int(x ^ y),
            Div if y != 0 => Const::Float(x as f64 / y as f64),
            _ => return None,
        },
        (Const::Float(x), Const::Float(y)) => float_op(op, x, y)?,
        (Const::Int(x), Const::Float(y)) => float_op(op, x as f64, y)?,
        (Const::Float(x), Const::Int(y)) => float_op(op, x, y as f64)?,
        (Const::Str(x), Const::Str(y)) if op == Add => Const::Str(x + &y),
        (Const::Str(x), Const::Int(n))
            if op == Mult && x.len() * (n.max(0) as usize) <= 1 << 20 =>
        {
            Const::Str(x.repeat(n.max(0) as usize))
        }
        _ => return None,
    })
}

fn float_op(op: ast::Operator, x: f64, y: f64) -> Option<Const> {
    use ast::Operator::*;
    Some(Const::Float(match op {
        Add => x + y,
        Sub => x - y,
        Mult => x * y,
        Div if y != 0.0 => x / y,
        _ => return None,
    }))
}

/// Whether `expr` is a list, dict, set or tuple display whose members are constants (literals,
/// earlier constants, arithmetic on them) or such displays.
pub fn container_literal(expr: &Expr, constants: &HashMap<String, Const>) -> bool {
    let member =
        |e: &Expr| constant_expr(e, constants).is_some() || container_literal(e, constants);
    match expr {
        Expr::List(l) => l.elts.iter().all(member),
        Expr::Set(s) => s.elts.iter().all(member),
        Expr::Dict(d) => d
            .items
            .iter()
            .all(|item| item.key.as_ref().is_some_and(member) && member(&item.value)),
        Expr::Tuple(t) => t.elts.iter().all(member),
        _ => false,
    }
}

/// Resolves a type annotation. Entity names (also quoted) become [`Type::Ref`].
pub fn annotation_type(expr: &Expr, entity_names: &[String]) -> Type {
    match expr {
        Expr::Name(n) => name_type(n.id.as_str(), entity_names),
        Expr::StringLiteral(s) => {
            let text = s.value.to_str();
            match ruff_python_parser::parse_expression(text) {
                Ok(parsed) => annotation_type(parsed.expr(), entity_names),
                Err(_) => Type::Any,
            }
        }
        Expr::Attribute(a) => name_type(a.attr.as_str(), entity_names),
        Expr::Subscript(s) => {
            let base = match &*s.value {
                Expr::Name(n) => n.id.as_str().to_string(),
                Expr::Attribute(a) => a.attr.as_str().to_string(),
                _ => return Type::Any,
            };
            let args: Vec<&Expr> = match &*s.slice {
                Expr::Tuple(t) => t.elts.iter().collect(),
                other => vec![other],
            };
            match (base.as_str(), args.as_slice()) {
                ("list" | "List" | "Sequence", [t]) => {
                    Type::List(Box::new(annotation_type(t, entity_names)))
                }
                ("set" | "Set" | "frozenset", [_]) => Type::Builtin("set".into()),
                ("dict" | "Dict" | "Mapping", [k, v]) => Type::Dict(
                    Box::new(annotation_type(k, entity_names)),
                    Box::new(annotation_type(v, entity_names)),
                ),
                ("Optional", [t]) => annotation_type(t, entity_names),
                ("tuple" | "Tuple", _) => Type::Builtin("tuple".into()),
                _ => Type::Any,
            }
        }
        Expr::BinOp(b) if b.op == ast::Operator::BitOr => {
            let left = annotation_type(&b.left, entity_names);
            let right = annotation_type(&b.right, entity_names);
            match (&left, &right) {
                (_, Type::Builtin(n)) if n == "None" => left,
                (Type::Builtin(n), _) if n == "None" => right,
                _ => Type::Any,
            }
        }
        Expr::NoneLiteral(_) => Type::Builtin("None".into()),
        _ => Type::Any,
    }
}

fn name_type(name: &str, entity_names: &[String]) -> Type {
    if entity_names.iter().any(|e| e == name) {
        Type::Ref(name.to_string())
    } else if ir::BUILTIN_TYPES.contains(&name) {
        match name {
            "list" => Type::List(Box::new(Type::Any)),
            "dict" => Type::Dict(Box::new(Type::Any), Box::new(Type::Any)),
            "object" => Type::Any,
            _ => Type::Builtin(name.to_string()),
        }
    } else {
        Type::Any
    }
}

const ALLOWED_MODULES: &[&str] = &["entiflow", "typing", "__future__", "typing_extensions"];

/// Analyses the module's top level and every class; reports what falls outside the language.
pub fn analyze<'a>(module: &'a [Stmt], reporter: &mut Reporter<'_>) -> ModuleInfo<'a> {
    let mut info = ModuleInfo {
        entities: Vec::new(),
        exceptions: Vec::new(),
        constants: HashMap::new(),
        container_constants: HashMap::new(),
        functions: Vec::new(),
        statics: Vec::new(),
        rejected_functions: Vec::new(),
        exception_inits: HashMap::new(),
        exception_constants: HashMap::new(),
    };
    let entity_names: Vec<String> = module
        .iter()
        .filter_map(|s| match s {
            Stmt::ClassDef(c) if c.decorator_list.iter().any(is_entity_decorator) => {
                Some(c.name.as_str().to_string())
            }
            _ => None,
        })
        .collect();
    // Each function with the module constants defined before it (its defaults see only those).
    let mut function_defs: Vec<(&ast::StmtFunctionDef, HashMap<String, Const>)> = Vec::new();
    for (i, stmt) in module.iter().enumerate() {
        match stmt {
            Stmt::ImportFrom(imp) => {
                let module_name = imp.module.as_ref().map(|m| m.as_str()).unwrap_or("");
                let root = module_name.split('.').next().unwrap_or("");
                if imp.level > 0 || !ALLOWED_MODULES.contains(&root) {
                    reporter.error(
                        imp,
                        "E0101",
                        format!("import from `{module_name}` is not supported"),
                        "unsupported import",
                        Some("entity programs may import only `entity` from `entiflow`, and `typing` or `__future__` names"),
                    );
                } else if root == "entiflow" {
                    for alias in &imp.names {
                        if alias.name.as_str() != "entity" {
                            reporter.error(
                                alias,
                                "E0101",
                                format!(
                                    "`entiflow` has no `{}` for entity programs",
                                    alias.name.as_str()
                                ),
                                "unknown name",
                                Some("import `entity` only"),
                            );
                        }
                    }
                }
            }
            Stmt::Import(imp) => {
                for alias in &imp.names {
                    let root = alias.name.as_str().split('.').next().unwrap_or("");
                    if !ALLOWED_MODULES.contains(&root) {
                        reporter.error(
                            alias,
                            "E0101",
                            format!("import of `{}` is not supported", alias.name.as_str()),
                            "unsupported import",
                            Some("entity programs may import only `entity` from `entiflow`, and `typing` or `__future__` names"),
                        );
                    }
                }
            }
            Stmt::Expr(e) if i == 0 && matches!(&*e.value, Expr::StringLiteral(_)) => {}
            Stmt::Assign(a) => {
                let value = constant_expr(&a.value, &info.constants);
                for target in &a.targets {
                    if let Expr::Name(n) = target {
                        constant_names_class(&info, n, reporter);
                    }
                    match (target, &value) {
                        (Expr::Name(n), Some(v)) => {
                            info.constants.insert(n.id.as_str().to_string(), v.clone());
                        }
                        (Expr::Name(n), None) if container_literal(&a.value, &info.constants) => {
                            info.container_constants
                                .insert(n.id.as_str().to_string(), &a.value);
                        }
                        (Expr::Name(_), None) => reporter.error(
                            &*a.value,
                            "E0102",
                            "module-level values must be literal constants",
                            "not a literal constant",
                            Some("use a number, string, boolean, None, arithmetic on those and earlier constants, or a tuple, list, dict or set of those"),
                        ),
                        _ => reporter.error(
                            target,
                            "E0102",
                            "unsupported module-level assignment",
                            "assign a single name",
                            None,
                        ),
                    }
                }
            }
            Stmt::AnnAssign(a) => match (&*a.target, a.value.as_deref()) {
                (Expr::Name(n), Some(_)) if constant_names_class(&info, n, reporter) => {}
                (Expr::Name(n), Some(value))
                    if constant_expr(value, &info.constants).is_some() =>
                {
                    if let Some(v) = constant_expr(value, &info.constants) {
                        info.constants.insert(n.id.as_str().to_string(), v);
                    }
                }
                (Expr::Name(n), Some(value)) if container_literal(value, &info.constants) => {
                    info.container_constants
                        .insert(n.id.as_str().to_string(), value);
                }
                _ => reporter.error(
                    a,
                    "E0102",
                    "module-level values must be literal constants",
                    "not a literal constant",
                    Some("use a number, string, boolean, None, arithmetic on those and earlier constants, or a tuple, list, dict or set of those"),
                ),
            },
            Stmt::ClassDef(class) => {
                let name = class.name.as_str();
                let taken = info.entities.iter().any(|e| e.name == name)
                    || info.exceptions.iter().any(|e| e.name == name);
                let constant = info.constants.contains_key(name)
                    || info.container_constants.contains_key(name);
                if constant {
                    reporter.error(
                        &class.name,
                        "E0108",
                        format!("`{name}` is both a module constant and a class"),
                        "the class rebinds the constant's name",
                        Some("give the constant and the class different names"),
                    );
                } else if taken {
                    reporter.error(
                        &class.name,
                        "E0108",
                        format!("class `{name}` is defined twice"),
                        "second definition",
                        Some("give each entity and exception class its own name"),
                    );
                } else if class.decorator_list.iter().any(is_entity_decorator) {
                    if let Some(entity) =
                        analyze_entity(class, &entity_names, &info.constants, reporter)
                    {
                        info.entities.push(entity);
                    }
                } else {
                    let defined_later = |n: &str| {
                        module[i + 1..]
                            .iter()
                            .any(|s| matches!(s, Stmt::ClassDef(c) if c.name.as_str() == n))
                    };
                    analyze_exception(class, &mut info, &entity_names, &defined_later, reporter);
                }
            }
            Stmt::FunctionDef(f) => function_defs.push((f, info.constants.clone())),
            other => reporter.error(
                other,
                "E0104",
                "unsupported statement at module level",
                "only imports, classes and constants may appear here",
                None,
            ),
        }
    }
    analyze_functions(&function_defs, &mut info, &entity_names, reporter);
    share_static_methods(&mut info);
    if info.entities.is_empty() && reporter.diagnostics.is_empty() {
        reporter.error(
            &ruff_text_size::TextRange::default(),
            "E0105",
            "the program defines no entities",
            "no `@entity` class in this file",
            Some("decorate a class with `@entity` (from entiflow import entity)"),
        );
    }
    info
}

fn analyze_exception<'a>(
    class: &'a ast::StmtClassDef,
    info: &mut ModuleInfo<'a>,
    entity_names: &[String],
    defined_later: &dyn Fn(&str) -> bool,
    reporter: &mut Reporter<'_>,
) {
    let name = class.name.as_str().to_string();
    let bases: Vec<&Expr> = class
        .arguments
        .as_ref()
        .map(|a| a.args.iter().collect())
        .unwrap_or_default();
    if ir::is_builtin_exception(&name) {
        reporter.error(
            &class.name,
            "E0109",
            format!("class `{name}` shadows the builtin exception `{name}`"),
            "a builtin exception's name",
            Some("give it a name of its own: errors the runtime raises keep the builtin class"),
        );
    }
    let base = match bases.as_slice() {
        [Expr::Name(n)] if info.is_exception(n.id.as_str()) => n.id.as_str().to_string(),
        [] => {
            reporter.error(
                &class.name,
                "E0106",
                format!("class `{name}` is neither an entity nor an exception class"),
                "plain classes are not supported",
                Some("decorate it with `@entity`, or derive it from one exception class (e.g. `class OutOfStock(ValueError): pass`)"),
            );
            return;
        }
        [Expr::Name(n)] => {
            let base = n.id.as_str();
            let (label, hint) = if entity_names.iter().any(|e| e == base) {
                (
                    "an entity class",
                    "derive it from an exception class (e.g. `ValueError`)".to_string(),
                )
            } else if defined_later(base) {
                (
                    "defined further down",
                    format!("define `{base}` above `{name}`: Python runs the module from the top, so this base is not defined yet (NameError)"),
                )
            } else {
                (
                    "not an exception class",
                    "derive it from a builtin exception (`Exception`, `ValueError`, `KeyError`, ...) or from one defined above".to_string(),
                )
            };
            reporter.error(
                n,
                "E0106",
                format!("exception class `{name}` derives from `{base}`, which is not a known exception class"),
                label,
                Some(&hint),
            );
            // Known from here on, so its uses do not report again.
            info.exceptions.push(ExceptionClass {
                name,
                base: "Exception".into(),
            });
            return;
        }
        _ => {
            reporter.error(
                &class.name,
                "E0106",
                format!("exception class `{name}` has more than one base class"),
                "multiple inheritance is not supported",
                Some("derive it from one exception class"),
            );
            info.exceptions.push(ExceptionClass {
                name,
                base: "Exception".into(),
            });
            return;
        }
    };
    for (i, stmt) in class.body.iter().enumerate() {
        let ok = matches!(stmt, Stmt::Pass(_))
            || (i == 0
                && matches!(stmt, Stmt::Expr(e) if matches!(&*e.value, Expr::StringLiteral(_))));
        if ok {
            continue;
        }
        if let Stmt::FunctionDef(def) = stmt {
            if def.name.as_str() == "__init__" && !info.exception_inits.contains_key(&name) {
                if let Some(init) = exception_init(def, &base, reporter) {
                    info.exception_inits.insert(name.clone(), init);
                }
                continue;
            }
        }
        if matches!(stmt, Stmt::Assign(_) | Stmt::AnnAssign(_)) {
            let earlier = info.exception_constants.remove(&name).unwrap_or_default();
            let found = class_constant(stmt, &info.constants, &earlier);
            let mut constants = earlier;
            if let Some((target, value)) = found {
                constants.retain(|(n, _)| *n != target);
                constants.push((target, value));
                info.exception_constants.insert(name.clone(), constants);
                continue;
            }
            info.exception_constants.insert(name.clone(), constants);
        }
        reporter.error(
            stmt,
            "E0107",
            format!(
                "exception class `{name}` may only contain a docstring, `pass`, constants and an `__init__`"
            ),
            "unsupported in an exception class",
            None,
        );
    }
    if !class.decorator_list.is_empty() {
        reporter.error(
            &class.decorator_list[0],
            "E0106",
            "unsupported class decorator",
            "only `@entity` is known",
            None,
        );
    }
    info.exceptions.push(ExceptionClass { name, base });
}

/// Reads an exception class's `__init__`: plain parameters after `self`; a body that calls the
/// base class's `__init__` and sets attributes of `self`. `None` after reporting what else it has.
fn exception_init<'a>(
    def: &'a ast::StmtFunctionDef,
    base: &str,
    reporter: &mut Reporter<'_>,
) -> Option<ExceptionInit<'a>> {
    const HINT: &str = "an exception's `__init__` may call `super().__init__(...)` and set attributes (`self.needed = needed`); compute anything else where the exception is raised";
    let p = &def.parameters;
    let plain = p.posonlyargs.is_empty()
        && p.vararg.is_none()
        && p.kwarg.is_none()
        && p.kwonlyargs.is_empty()
        && p.args
            .first()
            .is_some_and(|a| a.parameter.name.as_str() == "self" && a.default.is_none());
    if !plain || def.is_async || !def.decorator_list.is_empty() {
        reporter.error(
            &def.name,
            "E0107",
            "an exception's `__init__` takes `self` and plain parameters",
            "unsupported signature",
            Some("no `*args`, `**kwargs`, keyword-only or positional-only parameters, decorators or `async`"),
        );
        return None;
    }
    let params = p.args[1..]
        .iter()
        .map(|a| (a.parameter.name.as_str(), a.default.as_deref()))
        .collect();
    let mut steps = Vec::new();
    let mut ok = true;
    for (i, stmt) in def.body.iter().enumerate() {
        let is_self = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "self");
        match stmt {
            Stmt::Pass(_) => {}
            Stmt::Expr(e) if i == 0 && matches!(&*e.value, Expr::StringLiteral(_)) => {}
            Stmt::Expr(e) => match &*e.value {
                Expr::Call(c)
                    if c.arguments.keywords.iter().all(|k| k.arg.is_some())
                        && !c
                            .arguments
                            .args
                            .iter()
                            .any(|a| matches!(a, Expr::Starred(_))) =>
                {
                    let args: Vec<&Expr> = c.arguments.args.iter().collect();
                    let keywords: Vec<(&str, &Expr)> = c
                        .arguments
                        .keywords
                        .iter()
                        .filter_map(|k| Some((k.arg.as_ref()?.as_str(), &k.value)))
                        .collect();
                    match &*c.func {
                        // super().__init__(args)
                        Expr::Attribute(a)
                            if a.attr.as_str() == "__init__"
                                && matches!(&*a.value, Expr::Call(s)
                                    if matches!(&*s.func, Expr::Name(n) if n.id.as_str() == "super")
                                        && s.arguments.args.is_empty()
                                        && s.arguments.keywords.is_empty()) =>
                        {
                            steps.push(InitStep::Args(args, keywords));
                        }
                        // Base.__init__(self, args)
                        Expr::Attribute(a)
                            if a.attr.as_str() == "__init__"
                                && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == base)
                                && args.first().is_some_and(|x| is_self(x)) =>
                        {
                            steps.push(InitStep::Args(args[1..].to_vec(), keywords));
                        }
                        _ => ok = false,
                    }
                }
                _ => ok = false,
            },
            Stmt::Assign(a) => match a.targets.as_slice() {
                [Expr::Attribute(t)] if is_self(&t.value) => {
                    steps.push(InitStep::Attr(t.attr.as_str(), &a.value))
                }
                _ => ok = false,
            },
            Stmt::AnnAssign(a) => match (&*a.target, &a.value) {
                (Expr::Attribute(t), Some(v)) if is_self(&t.value) => {
                    steps.push(InitStep::Attr(t.attr.as_str(), v))
                }
                _ => ok = false,
            },
            _ => ok = false,
        }
        if !ok {
            reporter.error(
                stmt,
                "E0107",
                "unsupported statement in an exception's `__init__`",
                "unsupported here",
                Some(HINT),
            );
            return None;
        }
    }
    Some(ExceptionInit { params, steps })
}

/// Reports a module constant that rebinds the name of a class defined above it (E0108);
/// `true` when it does.
fn constant_names_class(
    info: &ModuleInfo<'_>,
    name: &ast::ExprName,
    reporter: &mut Reporter<'_>,
) -> bool {
    let text = name.id.as_str();
    let class = info.entities.iter().any(|e| e.name == text)
        || info.exceptions.iter().any(|e| e.name == text);
    if class {
        reporter.error(
            name,
            "E0108",
            format!("`{text}` is both a class and a module constant"),
            "the constant rebinds the class's name",
            Some("give the constant and the class different names"),
        );
    } else if is_builtin_name(text) {
        // Python would let it hide the builtin everywhere (`key=len`, `isinstance(x, int)`).
        reporter.error(
            name,
            "E0108",
            if text == "entity" {
                "constant `entity` hides the `entity` decorator".to_string()
            } else {
                format!("constant `{text}` hides the builtin of that name")
            },
            "builtin name",
            Some("give the constant another name"),
        );
        return true;
    }
    class
}

fn analyze_entity<'a>(
    class: &'a ast::StmtClassDef,
    entity_names: &[String],
    constants: &HashMap<String, Const>,
    reporter: &mut Reporter<'_>,
) -> Option<EntityInfo<'a>> {
    let name = class.name.as_str().to_string();
    // With base classes, `__init__` and `__key__` may be meant to come from them: their absence
    // is not reported as well.
    let mut has_bases = false;
    if let Some(args) = &class.arguments {
        if !args.args.is_empty() || !args.keywords.is_empty() {
            has_bases = true;
            reporter.error(
                &**args,
                "E0201",
                "entity classes cannot have base classes",
                "base classes here",
                Some("remove the base classes; entities compose by calling each other"),
            );
        }
    }
    if class.decorator_list.len() > 1 {
        reporter.error(
            &class.decorator_list[1],
            "E0201",
            "unsupported class decorator",
            "only `@entity` is known",
            None,
        );
    }
    let mut methods = Vec::new();
    let mut class_constants: Vec<(String, ClassConstant<'a>)> = Vec::new();
    // `balance: int` in the class body (dataclass style): declares a field's type, no value.
    let mut declared: Vec<(&'a str, Type)> = Vec::new();
    for (i, stmt) in class.body.iter().enumerate() {
        match stmt {
            Stmt::AnnAssign(a) if a.value.is_none() && matches!(&*a.target, Expr::Name(_)) => {
                if let Expr::Name(n) = &*a.target {
                    declared.push((n.id.as_str(), annotation_type(&a.annotation, entity_names)));
                }
            }
            Stmt::FunctionDef(def) => {
                // Defaults are evaluated in the class body: its earlier constants are visible.
                let scope = scalar_scope(constants, &class_constants);
                let kind = if is_staticmethod(def) {
                    DefKind::Static
                } else {
                    DefKind::Method
                };
                if kind == DefKind::Static {
                    // Reported, but the method stays known: its calls are not reported again.
                    has_no_self(def, "static method", reporter);
                }
                if let Some(sig) = method_signature(def, entity_names, &scope, reporter, kind) {
                    if methods.iter().any(|m: &MethodSig<'_>| m.name == sig.name) {
                        reporter.error(
                            &def.name,
                            "E0202",
                            format!("method `{}` is defined twice", sig.name),
                            "second definition",
                            None,
                        );
                    } else {
                        methods.push(sig);
                    }
                }
            }
            Stmt::Pass(_) => {}
            Stmt::Expr(e) if i == 0 && matches!(&*e.value, Expr::StringLiteral(_)) => {}
            other @ (Stmt::Assign(_) | Stmt::AnnAssign(_)) => {
                if let Some((target, value)) = class_constant(other, constants, &class_constants) {
                    // A later assignment rebinds the name, as in Python.
                    class_constants.retain(|(n, _)| *n != target);
                    class_constants.push((target, value));
                } else {
                    reporter.error(
                        other,
                        "E0203",
                        "class attributes must be constants",
                        "not a class-level constant",
                        Some("a class attribute is one name assigned a literal, arithmetic on literals and constants, or a list, dict or set of those; state is what `__init__` assigns to `self.<field>`"),
                    )
                }
            }
            other => reporter.error(
                other,
                "E0203",
                "entity class bodies may only contain methods",
                "unsupported in an entity class",
                Some("declare state by assigning `self.<field>` in `__init__`"),
            ),
        }
    }
    let mut ok = !has_bases;
    for required in ["__init__", "__key__"] {
        if !has_bases && !methods.iter().any(|m| m.name == required) {
            reporter.error(
                &class.name,
                "E0204",
                format!("entity `{name}` has no `{required}` method"),
                format!("`{required}` is required"),
                Some(if required == "__key__" {
                    "add `def __key__(self): return self.<id field>`"
                } else {
                    "add `def __init__(self, ...)` assigning every field"
                }),
            );
            ok = false;
        }
    }
    if let Some(key) = methods.iter().find(|m| m.name == "__key__") {
        if !key.params.is_empty() {
            reporter.error(
                &key.def.name,
                "E0205",
                "`__key__` takes no parameters besides `self`",
                "extra parameters",
                None,
            );
        }
    }
    let mut fields: Vec<Field> = Vec::new();
    if let Some(init) = methods.iter().find(|m| m.name == "__init__") {
        collect_fields(&init.def.body, &init.params, entity_names, &mut fields);
        for value in returned_values(&init.def.body) {
            reporter.error(
                value,
                "E0213",
                "`__init__` returns a value",
                "returned here",
                Some("`__init__` must return None (CPython raises TypeError at every creation): drop the value, or keep it in a field"),
            );
        }
    }
    // A class-level annotation types the field `__init__` assigns; a field is still only what
    // `__init__` assigns (an annotation alone makes no attribute in Python).
    for (name, ty) in declared {
        if let Some(f) = fields.iter_mut().find(|f| f.name == name) {
            if f.ty == Type::Any {
                f.ty = ty;
            }
        }
    }
    for m in &methods {
        if fields.iter().any(|f| f.name == m.name) {
            // In Python the instance attribute hides the method: calling it fails.
            reporter.error(
                &m.def.name,
                "E0212",
                format!("method `{}` has the name of a field", m.name),
                "hidden by the field of that name",
                Some("rename the method or the field: an instance attribute hides a method of its class"),
            );
        }
    }
    ok.then_some(EntityInfo {
        name,
        class,
        fields,
        methods,
        constants: class_constants,
    })
}

/// The scalar constants a class body sees: the module's and its own so far (which hide them).
fn scalar_scope(
    module: &HashMap<String, Const>,
    class: &[(String, ClassConstant<'_>)],
) -> HashMap<String, Const> {
    let mut scope = module.clone();
    for (n, c) in class {
        if let ClassConstant::Value(v) = c {
            scope.insert(n.clone(), v.clone());
        }
    }
    scope
}

/// A class-body assignment of a constant (`FEE = 2`, `TIERS: dict = {"gold": 3}`): its name and
/// value. Names in the value are module constants or earlier class constants (a display may use
/// module constants only). `None` for anything else.
fn class_constant<'a>(
    stmt: &'a Stmt,
    module: &HashMap<String, Const>,
    earlier: &[(String, ClassConstant<'a>)],
) -> Option<(String, ClassConstant<'a>)> {
    let (target, value) = match stmt {
        Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], &*a.value),
        Stmt::AnnAssign(a) => (&*a.target, a.value.as_deref()?),
        _ => return None,
    };
    let Expr::Name(name) = target else {
        return None;
    };
    let constant = match constant_expr(value, &scalar_scope(module, earlier)) {
        Some(v) => ClassConstant::Value(v),
        None if container_literal(value, module) => ClassConstant::Display(value),
        None => return None,
    };
    Some((name.id.as_str().to_string(), constant))
}

fn collect_fields(
    body: &[Stmt],
    params: &[Param],
    entity_names: &[String],
    fields: &mut Vec<Field>,
) {
    fn add(fields: &mut Vec<Field>, target: &Expr, ty: Type) {
        // `self.p, self.q = ...` (also nested or starred) declares each of them.
        if let Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) =
            target
        {
            for e in elts {
                add(fields, e, Type::Any);
            }
            return;
        }
        if let Expr::Starred(s) = target {
            add(fields, &s.value, Type::Any);
            return;
        }
        if let Expr::Attribute(a) = target {
            if matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "self") {
                let name = a.attr.as_str();
                match fields.iter_mut().find(|f| f.name == name) {
                    Some(f) if f.ty == Type::Any => f.ty = ty,
                    Some(_) => {}
                    None => fields.push(Field {
                        name: name.to_string(),
                        ty,
                    }),
                }
            }
        }
    }
    let value_type = |value: &Expr| match value {
        Expr::Name(n) => params
            .iter()
            .find(|p| p.name == n.id.as_str())
            .map(|p| p.ty.clone())
            .unwrap_or(Type::Any),
        Expr::List(_) | Expr::ListComp(_) => Type::List(Box::new(Type::Any)),
        Expr::Dict(_) | Expr::DictComp(_) => Type::Dict(Box::new(Type::Any), Box::new(Type::Any)),
        Expr::Set(_) | Expr::SetComp(_) => Type::Builtin("set".into()),
        Expr::Tuple(_) => Type::Builtin("tuple".into()),
        Expr::StringLiteral(_) | Expr::FString(_) => Type::Builtin("str".into()),
        Expr::NumberLiteral(_) | Expr::BooleanLiteral(_) | Expr::NoneLiteral(_) => Type::Any,
        // An empty or converted container: `set()`, `dict(pairs)`, `list(xs)`.
        Expr::Call(c) => match &*c.func {
            Expr::Name(f) if params.iter().all(|p| p.name != f.id.as_str()) => {
                match f.id.as_str() {
                    "list" | "sorted" => Type::List(Box::new(Type::Any)),
                    "dict" => Type::Dict(Box::new(Type::Any), Box::new(Type::Any)),
                    "set" => Type::Builtin("set".into()),
                    "tuple" => Type::Builtin("tuple".into()),
                    "str" => Type::Builtin("str".into()),
                    _ => Type::Any,
                }
            }
            _ => Type::Any,
        },
        _ => Type::Any,
    };
    for stmt in body {
        match stmt {
            Stmt::Assign(a) => {
                for t in &a.targets {
                    add(fields, t, value_type(&a.value));
                }
            }
            Stmt::AnnAssign(a) => add(
                fields,
                &a.target,
                annotation_type(&a.annotation, entity_names),
            ),
            Stmt::AugAssign(a) => add(fields, &a.target, Type::Any),
            Stmt::If(s) => {
                collect_fields(&s.body, params, entity_names, fields);
                for clause in &s.elif_else_clauses {
                    collect_fields(&clause.body, params, entity_names, fields);
                }
            }
            Stmt::For(s) => {
                collect_fields(&s.body, params, entity_names, fields);
                collect_fields(&s.orelse, params, entity_names, fields);
            }
            Stmt::While(s) => {
                collect_fields(&s.body, params, entity_names, fields);
                collect_fields(&s.orelse, params, entity_names, fields);
            }
            Stmt::Try(s) => {
                collect_fields(&s.body, params, entity_names, fields);
                for ast::ExceptHandler::ExceptHandler(h) in &s.handlers {
                    collect_fields(&h.body, params, entity_names, fields);
                }
                collect_fields(&s.orelse, params, entity_names, fields);
                collect_fields(&s.finalbody, params, entity_names, fields);
            }
            _ => {}
        }
    }
}

fn method_signature<'a>(
    def: &'a ast::StmtFunctionDef,
    entity_names: &[String],
    constants: &HashMap<String, Const>,
    reporter: &mut Reporter<'_>,
    kind: DefKind,
) -> Option<MethodSig<'a>> {
    let is_function = kind != DefKind::Method;
    let name = def.name.as_str().to_string();
    let mut ok = true;
    if kind == DefKind::Static && matches!(name.as_str(), "__init__" | "__key__") {
        reporter.error(
            &def.name,
            "E0211",
            format!("`{name}` cannot be a static method"),
            "static special method",
            Some("drop `@staticmethod`: it takes `self`"),
        );
        ok = false;
    }
    if kind != DefKind::Function
        && name.len() > 4
        && name.starts_with("__")
        && name.ends_with("__")
        && !matches!(name.as_str(), "__init__" | "__key__")
    {
        // Python would call these implicitly (`str(x)`, `==`, `len(x)`); entities are
        // references everywhere, so those implicit calls could not happen as written.
        reporter.error(
            &def.name,
            "E0211",
            format!("special method `{name}` is not supported on entities"),
            "special method",
            Some("entities support `__init__` and `__key__`; give it an ordinary name and call it"),
        );
        ok = false;
    }
    if def.is_async {
        reporter.error(
            &def.name,
            "E0206",
            "async methods are not supported",
            "async def",
            Some("remote calls are plain calls; drop `async`"),
        );
    }
    let decorators = match kind {
        DefKind::Static => &def.decorator_list[1..],
        _ => &def.decorator_list[..],
    };
    if let Some(d) = decorators.first() {
        reporter.error(
            d,
            "E0207",
            if kind == DefKind::Function {
                "function decorators are not supported"
            } else {
                "method decorators are not supported"
            },
            "decorator",
            (kind == DefKind::Method)
                .then_some("`@staticmethod` is the one method decorator supported"),
        );
    }
    let p = &def.parameters;
    if let Some(v) = &p.vararg {
        reporter.error(
            &**v,
            "E0208",
            "star-args are not supported",
            "`*args`",
            Some("take a list parameter instead"),
        );
        ok = false;
    }
    if let Some(v) = &p.kwarg {
        reporter.error(
            &**v,
            "E0208",
            "star-args are not supported",
            "`**kwargs`",
            Some("take a dict parameter instead"),
        );
        ok = false;
    }
    if let Some(k) = p.posonlyargs.first() {
        reporter.error(
            k,
            "E0208",
            "positional-only parameters are not supported",
            "positional-only parameter",
            Some("drop the `/`"),
        );
        ok = false;
    }
    if let Some(k) = p.kwonlyargs.first() {
        reporter.error(
            k,
            "E0208",
            "keyword-only parameters are not supported",
            "keyword-only parameter",
            Some("make it an ordinary parameter (callers may still pass it by keyword)"),
        );
        ok = false;
    }
    let all: Vec<&ast::ParameterWithDefault> = p.posonlyargs.iter().chain(p.args.iter()).collect();
    match all.first() {
        _ if is_function => {}
        Some(first) if first.parameter.name.as_str() == "self" => {}
        _ => {
            reporter.error(
                &def.name,
                "E0209",
                format!("method `{name}` must take `self` first"),
                "no `self` parameter",
                Some("a method without `self` is a `@staticmethod`"),
            );
            return None;
        }
    }
    let mut params = Vec::new();
    let after_self = if is_function { 0 } else { 1 };
    for param in &all[after_self..] {
        let ty = param
            .parameter
            .annotation
            .as_deref()
            .map(|a| annotation_type(a, entity_names))
            .unwrap_or(Type::Any);
        let default = match param.default.as_deref() {
            None => None,
            Some(d) => match constant_expr(d, constants) {
                Some(c) => Some(c),
                None => {
                    reporter.error(d, "E0210", "parameter defaults must be literal constants", "not a literal constant", Some("use a literal or a scalar module constant; for a list, dict or set, default to None and create it in the body"));
                    // The method stays known (no cascade of "no such method" errors).
                    Some(Const::None)
                }
            },
        };
        params.push(Param {
            name: param.parameter.name.as_str().to_string(),
            ty,
            default,
        });
    }
    let returns = def
        .returns
        .as_deref()
        .map(|r| annotation_type(r, entity_names))
        .unwrap_or(Type::Any);
    ok.then_some(MethodSig {
        name,
        def,
        params,
        returns,
        is_function,
    })
}

/// Module-level functions: each valid one becomes a private method of every entity
/// ([`function_method_name`]). A function may not use `self` (it has none) and may not share
/// its name with a class or a constant.
fn analyze_functions<'a>(
    defs: &[(&'a ast::StmtFunctionDef, HashMap<String, Const>)],
    info: &mut ModuleInfo<'a>,
    entity_names: &[String],
    reporter: &mut Reporter<'_>,
) {
    for (i, (def, constants)) in defs.iter().enumerate() {
        let def = *def;
        let name = def.name.as_str();
        let class_named = info.exceptions.iter().any(|e| e.name == name)
            || entity_names.iter().any(|e| e == name);
        if is_builtin_name(name) {
            // Python would let the function hide the builtin everywhere (`key=len`,
            // `isinstance(x, int)`, `except KeyError`); here builtins are resolved statically.
            reporter.error(
                &def.name,
                "E0108",
                if name == "entity" {
                    "function `entity` hides the `entity` decorator".to_string()
                } else {
                    format!("function `{name}` hides the builtin of that name")
                },
                "builtin name",
                Some("give the function another name"),
            );
            info.rejected_functions.push(name.to_string());
            continue;
        }
        if class_named
            || info.constants.contains_key(name)
            || info.container_constants.contains_key(name)
        {
            reporter.error(
                &def.name,
                "E0108",
                format!("`{name}` is both a module-level function and a class or constant"),
                "the function's name is taken",
                Some("give the function and the other definition different names"),
            );
            continue;
        }
        if defs[..i].iter().any(|(d, _)| d.name.as_str() == name) {
            reporter.error(
                &def.name,
                "E0108",
                format!("function `{name}` is defined twice"),
                "second definition",
                Some("give each function its own name"),
            );
            continue;
        }
        if !has_no_self(def, "module-level function", reporter) {
            info.rejected_functions.push(name.to_string());
            continue;
        }
        let sig = method_signature(def, entity_names, constants, reporter, DefKind::Function);
        let Some(mut sig) = sig else {
            info.rejected_functions.push(name.to_string());
            continue;
        };
        info.functions.push(name.to_string());
        sig.name = function_method_name(name);
        for entity in &mut info.entities {
            entity.methods.push(sig.clone());
        }
    }
}

/// Whether `name` is a builtin the language resolves by name (a function, a type, an exception
/// class) or the `entity` decorator.
fn is_builtin_name(name: &str) -> bool {
    name == "entity"
        || ir::BUILTIN_FUNCTIONS.contains(&name)
        || ir::BUILTIN_TYPES.contains(&name)
        || ir::is_builtin_exception(name)
}

/// Makes every static method also a private method of every entity ([`static_method_name`]),
/// for calls through its class from anywhere.
fn share_static_methods(info: &mut ModuleInfo<'_>) {
    let mut shared = Vec::new();
    for entity in &info.entities {
        for m in &entity.methods {
            if m.is_function && !m.name.starts_with("_module.") {
                let mut copy = m.clone();
                copy.name = static_method_name(&entity.name, &m.name);
                shared.push(copy);
                info.statics.push((entity.name.clone(), m.name.clone()));
            }
        }
    }
    for entity in &mut info.entities {
        entity.methods.extend(shared.iter().cloned());
    }
}

/// Whether `def` (a function or a static method, `what`) neither takes nor reads `self`;
/// reports why not.
fn has_no_self(def: &ast::StmtFunctionDef, what: &str, reporter: &mut Reporter<'_>) -> bool {
    let self_param = def
        .parameters
        .args
        .iter()
        .chain(def.parameters.posonlyargs.iter())
        .find(|p| p.parameter.name.as_str() == "self");
    if let Some(p) = self_param {
        reporter.error(
            &p.parameter,
            "E0103",
            format!("a {what} cannot take `self`"),
            "`self` parameter",
            Some("make it an ordinary method, or give the parameter another name"),
        );
        return false;
    }
    let mut uses_self = SelfUses(Vec::new());
    for stmt in &def.body {
        ruff_python_ast::visitor::Visitor::visit_stmt(&mut uses_self, stmt);
    }
    if let Some(range) = uses_self.0.first() {
        reporter.error(
            range,
            "E0103",
            format!("{what} `{}` has no `self`", def.name.as_str()),
            "`self` outside a method",
            Some("pass what it needs as arguments, or make it an ordinary method"),
        );
        return false;
    }
    true
}

/// Whether a method is decorated `@staticmethod` (first).
fn is_staticmethod(def: &ast::StmtFunctionDef) -> bool {
    def.decorator_list
        .first()
        .is_some_and(|d| matches!(&d.expression, Expr::Name(n) if n.id.as_str() == "staticmethod"))
}

/// Where a function body reads the name `self`.
struct SelfUses(Vec<ruff_text_size::TextRange>);

impl<'a> ruff_python_ast::visitor::Visitor<'a> for SelfUses {
    fn visit_expr(&mut self, e: &'a Expr) {
        if let Expr::Name(n) = e {
            if n.id.as_str() == "self" {
                self.0.push(n.range);
            }
        }
        ruff_python_ast::visitor::walk_expr(self, e);
    }
}

/// The values of `return` statements in a function body that are not the literal `None`.
fn returned_values(body: &[Stmt]) -> Vec<&Expr> {
    use ruff_python_ast::visitor::{walk_stmt, Visitor};
    struct Returns<'a>(Vec<&'a Expr>);
    impl<'a> Visitor<'a> for Returns<'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Return(r) => {
                    if let Some(value) = r.value.as_deref() {
                        if !value.is_none_literal_expr() {
                            self.0.push(value);
                        }
                    }
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                _ => walk_stmt(self, stmt),
            }
        }
    }
    let mut returns = Returns(Vec::new());
    for stmt in body {
        returns.visit_stmt(stmt);
    }
    returns.0
}
