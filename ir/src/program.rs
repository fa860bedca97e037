//! The IR data types: programs, entities, methods as control-flow graphs.

use serde::{Deserialize, Serialize};

/// The IR version this crate writes; readers accept any version with the same major number
/// (and, while the major is 0, the same minor) that is not newer than this one.
pub const IR_VERSION: &str = "0.1.7";

/// A source location: 1-based line and column of the start and end (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Span {
    /// Line of the first character.
    pub line: u32,
    /// Column of the first character.
    pub col: u32,
    /// Line of the last character.
    pub end_line: u32,
    /// Column just past the last character.
    pub end_col: u32,
}

/// A whole compiled application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Program {
    /// The IR version the program was written with (semver).
    pub ir_version: String,
    /// The application name (the source file's stem).
    pub name: String,
    /// The source file the program was compiled from, as given to the compiler.
    pub source_file: String,
    /// User-defined exception classes, in definition order.
    pub exceptions: Vec<ExceptionClass>,
    /// The entity types, in definition order.
    pub entities: Vec<Entity>,
}

/// A user exception class such as `class OutOfStock(ValueError): pass`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionClass {
    /// The class name.
    pub name: String,
    /// The base class name (a builtin exception or another user class).
    pub base: String,
}

/// A stateful entity type: keyed state plus methods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Entity {
    /// The class name.
    pub name: String,
    /// The state schema: every field assigned in `__init__`, in assignment order.
    pub fields: Vec<Field>,
    /// Methods, `__init__` and `__key__` included.
    pub methods: Vec<Method>,
    /// Where the class is defined.
    pub span: Span,
}

/// A field of an entity's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// The field name.
    pub name: String,
    /// The declared or inferred type.
    pub ty: Type,
}

/// Static types the compiler tracks: enough to know where entity references flow.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "of")]
#[non_exhaustive]
pub enum Type {
    /// Anything; checked at run time.
    Any,
    /// A reference to an entity of the named type.
    Ref(String),
    /// A list whose elements have the given type.
    List(Box<Type>),
    /// A dict with the given key and value types.
    Dict(Box<Type>, Box<Type>),
    /// A builtin scalar or container named by its Python type (`int`, `str`, `tuple`, ...).
    Builtin(String),
}

/// A method lowered to a control-flow graph whose remote calls are block terminators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Method {
    /// The method name.
    pub name: String,
    /// Parameters after `self`, in order; each is also local `i` (parameter `i` is `Local(i)`).
    pub params: Vec<Param>,
    /// The declared return type.
    pub returns: Type,
    /// Every local slot of the frame: parameters first, then user variables and temporaries.
    pub locals: Vec<LocalDecl>,
    /// The blocks; `blocks[0]` is the entry.
    pub blocks: Vec<Block>,
    /// Where the method is defined.
    pub span: Span,
    /// A static method or a module-level function compiled as a method: it takes no `self`
    /// (argument counts in messages do not include one). Since IR 0.1.7.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_static: bool,
}

/// A method parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    /// The parameter name.
    pub name: String,
    /// The annotated type.
    pub ty: Type,
    /// The default value, if any.
    pub default: Option<Const>,
}

/// A local variable slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalDecl {
    /// The Python name, or a `$`-prefixed name for compiler temporaries.
    pub name: String,
    /// The static type.
    pub ty: Type,
}

/// A local slot index into [`Method::locals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Local(pub u32);

/// A block index into [`Method::blocks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BlockId(pub u32);

/// A straight-line sequence of statements that never leaves the entity, ended by a terminator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// The statements, run in order.
    pub stmts: Vec<Stmt>,
    /// How the block ends.
    pub terminator: Terminator,
    /// Where the terminator comes from in the source.
    pub span: Span,
    /// Where an exception raised in this block (by a statement, the terminator, or a remote call's
    /// reply) goes; `None` propagates it out of the method.
    pub handler: Option<Handler>,
}

/// An exception handler: the block to jump to and the local that receives the exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handler {
    /// The handler's entry block.
    pub block: BlockId,
    /// The local the exception is stored in.
    pub exception: Local,
}

/// A statement with its source span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stmt {
    /// What the statement does.
    pub kind: StmtKind,
    /// Where it comes from.
    pub span: Span,
}

/// The statement kinds; none of them leaves the entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum StmtKind {
    /// `local = value`.
    Assign {
        /// The target slot.
        target: Local,
        /// The value.
        value: Expr,
    },
    /// `self.field = value`.
    SetField {
        /// Index into the entity's fields.
        field: u32,
        /// The value.
        value: Expr,
    },
    /// `object[index] = value`.
    SetItem {
        /// The container.
        object: Expr,
        /// The index or key.
        index: Expr,
        /// The value.
        value: Expr,
    },
    /// `del object[index]`.
    DelItem {
        /// The container.
        object: Expr,
        /// The index or key.
        index: Expr,
    },
    /// `del local`: unbinds the slot.
    DelLocal(Local),
    /// Unpacks an iterable into exactly `targets.len()` slots (Python's `a, b = value`).
    Unpack {
        /// The target slots, in order.
        targets: Vec<Local>,
        /// The iterable.
        value: Expr,
    },
    /// Evaluates an expression for its effect (e.g. `xs.append(1)`).
    Expr(Expr),
}

/// How a block ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Terminator {
    /// Returns a value from the method.
    Return(Expr),
    /// Continues at another block.
    Jump(BlockId),
    /// Continues at `then` if the condition is truthy, else at `otherwise`.
    Branch {
        /// The condition.
        cond: Expr,
        /// Target when truthy.
        then: BlockId,
        /// Target when falsy.
        otherwise: BlockId,
    },
    /// Raises an exception (an exception value built by [`Expr::NewException`] or held in a local).
    Raise(Expr),
    /// A call that leaves the running frame: a method of another entity (or of `self`, which may
    /// itself call out) or a field read of another entity. The frame suspends here; the reply is
    /// stored in `result` and execution continues at `resume`. An exception reply goes to the
    /// block's handler.
    Call {
        /// The entity reference (or `self`) the call goes to.
        target: Expr,
        /// The target's entity type when known statically.
        entity: Option<String>,
        /// What is asked of the target.
        op: RemoteOp,
        /// The slot receiving the reply.
        result: Local,
        /// The continuation block.
        resume: BlockId,
        /// The slots live across the call: the continuation frame.
        live: Vec<Local>,
    },
}

/// What a remote call asks of its target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RemoteOp {
    /// Invoke a method.
    Invoke {
        /// The method name.
        method: String,
        /// Positional arguments.
        args: Vec<Expr>,
        /// Keyword arguments.
        kwargs: Vec<(String, Expr)>,
    },
    /// Read a field.
    GetField {
        /// The field name.
        field: String,
    },
}

/// A literal constant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value")]
pub enum Const {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A float (non-finite values serialize as the strings `"inf"`, `"-inf"`, `"nan"`).
    Float(#[serde(with = "float_json")] f64),
    /// A string.
    Str(String),
    /// A tuple of constants.
    Tuple(Vec<Const>),
}

/// JSON has no infinities or NaN (`1e999` is a valid Python literal): those travel as strings.
mod float_json {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Number(f64),
        Text(String),
    }

    pub fn serialize<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
        if value.is_finite() {
            Repr::Number(*value).serialize(s)
        } else if value.is_nan() {
            Repr::Text("nan".into()).serialize(s)
        } else if *value > 0.0 {
            Repr::Text("inf".into()).serialize(s)
        } else {
            Repr::Text("-inf".into()).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match Repr::deserialize(d)? {
            Repr::Number(n) => Ok(n),
            Repr::Text(t) => match t.as_str() {
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                "nan" => Ok(f64::NAN),
                other => Err(serde::de::Error::custom(format!("not a float: {other}"))),
            },
        }
    }
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnaryOp {
    /// `not x`.
    Not,
    /// `-x`.
    Neg,
    /// `+x`.
    Pos,
    /// `~x`.
    Invert,
}

/// Binary arithmetic and bitwise operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `//`.
    FloorDiv,
    /// `%`.
    Mod,
    /// `**`.
    Pow,
    /// `<<`.
    LShift,
    /// `>>`.
    RShift,
    /// `|`.
    BitOr,
    /// `^`.
    BitXor,
    /// `&`.
    BitAnd,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CmpOp {
    /// `==`.
    Eq,
    /// `!=`.
    NotEq,
    /// `<`.
    Lt,
    /// `<=`.
    LtE,
    /// `>`.
    Gt,
    /// `>=`.
    GtE,
    /// `is`.
    Is,
    /// `is not`.
    IsNot,
    /// `in`.
    In,
    /// `not in`.
    NotIn,
}

/// Short-circuit boolean operators (returning an operand, as Python does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BoolOp {
    /// `and`.
    And,
    /// `or`.
    Or,
}

/// The kind of a comprehension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ComprehensionKind {
    /// `[x for ...]`.
    List,
    /// `{x for ...}`.
    Set,
    /// `{k: v for ...}`.
    Dict,
    /// `(x for ...)`, consumed eagerly by its enclosing builtin.
    Generator,
}

/// One `for target in iter if cond...` clause of a comprehension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generator {
    /// The loop target (a single slot or nested unpacking).
    pub target: Target,
    /// The iterable.
    pub iter: Expr,
    /// The filters.
    pub ifs: Vec<Expr>,
}

/// An assignment target inside comprehensions: a slot or a (nested) tuple of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Target {
    /// A single slot.
    Local(Local),
    /// Unpacking into several targets.
    Tuple(Vec<Target>),
}

/// A part of an f-string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FStringPart {
    /// Literal text.
    Literal(String),
    /// A replacement field.
    Field {
        /// The value.
        value: Expr,
        /// `!r`, `!s` or `!a`.
        conversion: Option<char>,
        /// The format spec, itself possibly holding replacement fields.
        spec: Vec<FStringPart>,
    },
}

/// A pure expression: evaluating it never leaves the entity (remote calls are terminators).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Expr {
    /// A constant.
    Const(Const),
    /// A local slot.
    Local(Local),
    /// The running entity's reference (`self` used as a value).
    SelfRef,
    /// A field of the running entity (`self.field`), by index.
    Field(u32),
    /// A list display.
    List(Vec<Expr>),
    /// A tuple display.
    Tuple(Vec<Expr>),
    /// A set display.
    Set(Vec<Expr>),
    /// A dict display.
    Dict(Vec<(Expr, Expr)>),
    /// A unary operation.
    Unary(UnaryOp, Box<Expr>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// The value of an augmented assignment `target op= value`: mutable containers are updated
    /// in place and returned (`list +=`, `list *=`, `set |= &= -= ^=`, `dict |=`), everything
    /// else computes `target op value`.
    InPlace(BinOp, Box<Expr>, Box<Expr>),
    /// A (chained) comparison: `first op1 e1 op2 e2 ...`, each operand evaluated at most once.
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    /// `a and b and ...` / `a or b or ...`.
    Bool(BoolOp, Vec<Expr>),
    /// `body if test else orelse`.
    IfElse {
        /// The condition.
        test: Box<Expr>,
        /// Value when truthy.
        body: Box<Expr>,
        /// Value when falsy.
        orelse: Box<Expr>,
    },
    /// `value[index]`.
    Subscript(Box<Expr>, Box<Expr>),
    /// A slice `lower:upper:step` (only as a subscript index).
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// A call of a builtin function.
    Builtin {
        /// The builtin's name (`len`, `range`, ...), or an internal one: `$iterable` (what a
        /// `for` loop iterates, as a sequence), `$unpack` (the items of a starred
        /// assignment's value as a list; a non-iterable raises CPython's unpacking error),
        /// `$star_items` and `$star_mapping` (a `*` element of a display as a new list, a `**`
        /// entry as a new dict, with CPython's errors), `$iterator` (the items `map` or
        /// `filter` yielded, as a single-pass iterator of that name),
        /// `$exception_args` (`exc.args`: an exception's constructor arguments as a tuple),
        /// `$exception_attr` (`exc.needed`: an attribute its class's `__init__` set),
        /// `$check_receiver` (`str.upper(x)`: `x` if it is a `str`, else CPython's TypeError),
        /// `$type_name` (`type(x).__name__`) and `$sorted_by_keys`, `$sort_by_keys`,
        /// `$min_by_keys`, `$max_by_keys` (items and their precomputed keys: key functions),
        /// `$constant_frozenset` (the constant a set display of constants is where a `for` loop
        /// or a comprehension iterates it: CPython iterates that frozenset itself),
        /// `$set_display` (a set display with `*` elements: a tuple saying which elements are
        /// starred, then the elements, each starred one taken by `$star_set_part` where it
        /// stands).
        func: String,
        /// Positional arguments.
        args: Vec<Expr>,
        /// Keyword arguments.
        kwargs: Vec<(String, Expr)>,
    },
    /// A method of a builtin value (`s.upper()`, `xs.append(x)`).
    Method {
        /// The receiver.
        receiver: Box<Expr>,
        /// The method name.
        method: String,
        /// Positional arguments.
        args: Vec<Expr>,
        /// Keyword arguments.
        kwargs: Vec<(String, Expr)>,
    },
    /// `isinstance(value, T)` or `isinstance(value, (T1, T2))`, and `except` clause matching.
    IsInstance(Box<Expr>, Vec<String>),
    /// A new exception object of a builtin or user exception class.
    NewException {
        /// The class name.
        class: String,
        /// Its `args` (what `str()` shows).
        args: Vec<Expr>,
        /// Attributes its class's `__init__` sets (`self.needed = needed`), in order.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attrs: Vec<(String, Expr)>,
    },
    /// A comprehension (or generator expression consumed eagerly).
    Comprehension {
        /// The kind.
        kind: ComprehensionKind,
        /// The element (the key for dict comprehensions).
        elt: Box<Expr>,
        /// The value for dict comprehensions.
        value: Option<Box<Expr>>,
        /// The `for` clauses.
        generators: Vec<Generator>,
    },
    /// An f-string.
    FString(Vec<FStringPart>),
}
