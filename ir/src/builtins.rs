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
    ("OSError", "Exception"),
    ("BlockingIOError", "OSError"),
    ("ChildProcessError", "OSError"),
    ("ConnectionError", "OSError"),
    ("BrokenPipeError", "ConnectionError"),
    ("ConnectionAbortedError", "ConnectionError"),
    ("ConnectionRefusedError", "ConnectionError"),
    ("ConnectionResetError", "ConnectionError"),
    ("FileExistsError", "OSError"),
    ("FileNotFoundError", "OSError"),
    ("InterruptedError", "OSError"),
    ("IsADirectoryError", "OSError"),
    ("NotADirectoryError", "OSError"),
    ("PermissionError", "OSError"),
    ("ProcessLookupError", "OSError"),
    ("TimeoutError", "OSError"),
    ("EOFError", "Exception"),
    ("MemoryError", "Exception"),
    ("StopIteration", "Exception"),
    ("UnicodeError", "ValueError"),
    ("Warning", "Exception"),
    ("UserWarning", "Warning"),
    ("DeprecationWarning", "Warning"),
    ("RuntimeWarning", "Warning"),
];

/// Builtin functions a method may call.
pub const BUILTIN_FUNCTIONS: &[&str] = &[
    "abs",
    "all",
    "any",
    "bin",
    "bool",
    "chr",
    "dict",
    "divmod",
    "enumerate",
    "float",
    "format",
    "getattr",
    "hasattr",
    "hex",
    "int",
    "isinstance",
    "iter",
    "len",
    "list",
    "max",
    "min",
    "next",
    "oct",
    "ord",
    "pow",
    "print",
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

/// Methods of `str` a method may call.
pub const STR_METHODS: &[&str] = &[
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
    "index",
    "count",
    "format",
    "format_map",
    "title",
    "capitalize",
    "isdigit",
    "isalpha",
    "isalnum",
    "zfill",
    "rsplit",
    "partition",
    "rpartition",
    "center",
    "ljust",
    "rjust",
    "rfind",
    "rindex",
    "isupper",
    "islower",
    "isspace",
    "swapcase",
    "maketrans",
    "translate",
    "removeprefix",
    "removesuffix",
    "splitlines",
    "casefold",
    "isnumeric",
    "isdecimal",
    "isascii",
    "istitle",
    "isprintable",
    "isidentifier",
    "expandtabs",
];

/// Methods of `list` a method may call.
pub const LIST_METHODS: &[&str] = &[
    "append", "extend", "insert", "pop", "remove", "index", "count", "sort", "reverse", "clear",
    "copy",
];

/// Methods of `dict` a method may call.
pub const DICT_METHODS: &[&str] = &[
    "get",
    "keys",
    "values",
    "items",
    "pop",
    "setdefault",
    "update",
    "clear",
    "copy",
    "popitem",
    "fromkeys",
];

/// Methods of `set` a method may call.
pub const SET_METHODS: &[&str] = &[
    "add",
    "discard",
    "remove",
    "union",
    "intersection",
    "difference",
    "clear",
    "copy",
    "pop",
    "update",
    "issubset",
    "issuperset",
    "isdisjoint",
    "symmetric_difference",
    "intersection_update",
    "difference_update",
    "symmetric_difference_update",
];

/// Methods of `tuple` a method may call.
pub const TUPLE_METHODS: &[&str] = &["index", "count"];

/// Methods of `int` (and `bool`) a method may call.
pub const INT_METHODS: &[&str] = &["bit_length"];

/// Methods of `float` a method may call.
pub const FLOAT_METHODS: &[&str] = &["is_integer"];

/// The methods of the builtin type `type_name` (none for other names).
pub fn methods_of(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "str" => STR_METHODS,
        "list" => LIST_METHODS,
        "dict" => DICT_METHODS,
        "set" => SET_METHODS,
        "tuple" => TUPLE_METHODS,
        "int" | "bool" => INT_METHODS,
        "float" => FLOAT_METHODS,
        _ => &[],
    }
}

/// Whether `name` is a method of some builtin value (`str`, `list`, `dict`, `set`, `tuple`,
/// `int`, `float`).
pub fn is_builtin_method(name: &str) -> bool {
    [
        STR_METHODS,
        LIST_METHODS,
        DICT_METHODS,
        SET_METHODS,
        TUPLE_METHODS,
        INT_METHODS,
        FLOAT_METHODS,
    ]
    .iter()
    .any(|methods| methods.contains(&name))
}

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
