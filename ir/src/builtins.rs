//! The names every front end and engine agree on: builtin functions, methods and exceptions.

/// Builtin exception classes with their base class, as in CPython.
pub const BUILTIN_EXCEPTIONS: &[(&str, &str)] = &[
    ("BaseException", ""),
    ("Exception", "BaseException"),
    ("ArithmeticError", "Exception"),
    ("ZeroDivisionError", "ArithmeticError"),
    ("OverflowError", "ArithmeticError"),
    ("AssertionError", "Exception"),
    ("AttributeError", "Exception"),
    ("LookupError", "Exception"),
    ("KeyError", "LookupError"),
    ("IndexError", "LookupError"),
    ("NameError", "Exception"),
    ("UnboundLocalError", "NameError"),
    ("RuntimeError", "Exception"),
    ("NotImplementedError", "RuntimeError"),
    ("RecursionError", "RuntimeError"),
    ("TypeError", "Exception"),
    ("ValueError", "Exception"),
    ("PermissionError", "Exception"),
    ("TimeoutError", "Exception"),
];

/// Builtin functions a method may call.
pub const BUILTIN_FUNCTIONS: &[&str] = &[
    "abs",
    "all",
    "any",
    "bool",
    "dict",
    "divmod",
    "enumerate",
    "float",
    "int",
    "isinstance",
    "len",
    "list",
    "max",
    "min",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "sorted",
    "str",
    "sum",
    "tuple",
    "zip",
];

/// Methods of builtin values (`str`, `list`, `dict`, `set`) a method may call.
pub const BUILTIN_METHODS: &[&str] = &[
    // str
    "upper",
    "lower",
    "strip",
    "lstrip",
    "rstrip",
    "split",
    "join",
    "replace",
    "startswith",
    "endswith",
    "find",
    "format",
    "title",
    "capitalize",
    "isdigit",
    "isalpha",
    "isalnum",
    "zfill",
    // list
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "index",
    "count",
    "sort",
    "reverse",
    "clear",
    "copy",
    // dict
    "get",
    "keys",
    "values",
    "items",
    "setdefault",
    "update",
    // set
    "add",
    "discard",
    "union",
    "intersection",
    "difference",
];

/// Python type names usable in `isinstance` and annotations.
pub const BUILTIN_TYPES: &[&str] = &[
    "int", "float", "str", "bool", "list", "dict", "tuple", "set", "object",
];

/// Whether `name` is a builtin exception class.
pub fn is_builtin_exception(name: &str) -> bool {
    BUILTIN_EXCEPTIONS.iter().any(|(n, _)| *n == name)
}

/// The base of a builtin exception class (`None` for `BaseException` and unknown names).
pub fn builtin_exception_base(name: &str) -> Option<&'static str> {
    BUILTIN_EXCEPTIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
        .filter(|b| !b.is_empty())
}
