//! Builtin functions and the methods of builtin values.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use crate::format::{repr, str_format, str_format_map, to_str};
use crate::journal;
use crate::ops::{self, check_hashable, iterate, py_cmp, raise, OpResult};
use crate::set_order;
use crate::unicode_text as text;
use crate::value::{DictMap, Internal, SetMap, Value, ViewKind};

fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Result<(), Value> {
    let given = args.len();
    if given < min || given > max {
        // CPython words the error by how the builtin parses its arguments.
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        match name {
            "ord" | "chr" | "bin" | "oct" | "hex" => {
                return raise(
                    "TypeError",
                    format!("{name}() takes exactly one argument ({given} given)"),
                )
            }
            "pow" if given < 2 => {
                let missing = ["base", "exp"][given];
                return raise(
                    "TypeError",
                    format!(
                        "pow() missing required argument '{missing}' (pos {})",
                        given + 1
                    ),
                );
            }
            "format" | "iter" | "next" | "getattr" | "hasattr" => {
                let (bound, n) = if min == max {
                    (String::new(), min)
                } else if given < min {
                    ("at least ".to_string(), min)
                } else {
                    ("at most ".to_string(), max)
                };
                return raise(
                    "TypeError",
                    format!(
                        "{name} expected {bound}{n} argument{}, got {given}",
                        plural(n)
                    ),
                );
            }
            _ => {}
        }
        let expected = if min == max {
            format!("exactly {min} argument{}", if min == 1 { "" } else { "s" })
        } else if args.len() < min {
            format!("at least {min} argument{}", if min == 1 { "" } else { "s" })
        } else {
            format!("at most {max} arguments")
        };
        return raise(
            "TypeError",
            format!("{name}() takes {expected} ({} given)", args.len()),
        );
    }
    Ok(())
}

fn kwarg<'a>(kwargs: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn no_kwargs(name: &str, kwargs: &[(String, Value)], allowed: &[&str]) -> Result<(), Value> {
    for (k, _) in kwargs {
        if !allowed.contains(&k.as_str()) {
            return raise(
                "TypeError",
                format!("{name}() got an unexpected keyword argument '{k}'"),
            );
        }
    }
    Ok(())
}

/// Why `int(text, base)` failed.
enum IntParse {
    Invalid,
    Overflow,
    /// More digits than CPython converts in a base that is not a power of two.
    TooManyDigits(usize),
}

/// CPython's default `sys.get_int_max_str_digits()`.
const MAX_INT_STR_DIGITS: usize = 4300;

/// Underscores are allowed only between two digits (`digit` tells which bytes are digits).
fn underscores_ok(text: &str, digit: fn(&u8) -> bool) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().all(|(i, c)| {
        *c != b'_' || (i > 0 && i + 1 < b.len() && digit(&b[i - 1]) && digit(&b[i + 1]))
    })
}

/// CPython's `TypeError` for `reversed()` of a value with no order to reverse.
fn not_reversible(v: &Value) -> OpResult {
    raise(
        "TypeError",
        format!("'{}' object is not reversible", v.type_name()),
    )
}

/// `int(text, base)` as CPython parses it: surrounding whitespace, a sign, a `0x`/`0o`/`0b`
/// prefix matching the base (any of them with base 0), and single underscores between digits.
fn parse_int(text: &str, base: u32) -> Result<i64, IntParse> {
    // Digits of other scripts count as their ASCII values (`int("١٢")` is 12).
    let ascii = crate::unicode_digits::ascii_digits(text);
    let text = ascii.as_deref().unwrap_or(text);
    // Unlike `str.strip()`, CPython's `int()` does not skip the separators `\x1c`..`\x1f`.
    let t = text.trim_matches(char::is_whitespace);
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = body.to_ascii_lowercase();
    let prefixed = |p: &str| lower.starts_with(p);
    let (base, digits, had_prefix) = match base {
        0 if prefixed("0x") => (16, &body[2..], true),
        0 if prefixed("0o") => (8, &body[2..], true),
        0 if prefixed("0b") => (2, &body[2..], true),
        16 if prefixed("0x") => (16, &body[2..], true),
        8 if prefixed("0o") => (8, &body[2..], true),
        2 if prefixed("0b") => (2, &body[2..], true),
        0 => {
            // Base 0 with no prefix is decimal, and forbids leading zeros (except for zero).
            if body.len() > 1 && body.starts_with('0') && body.chars().any(|c| c != '0' && c != '_')
            {
                return Err(IntParse::Invalid);
            }
            (10, body, false)
        }
        b => (b, body, false),
    };
    let digits = if had_prefix {
        digits.strip_prefix('_').unwrap_or(digits)
    } else {
        digits
    };
    if digits.is_empty()
        || !underscores_ok(digits, u8::is_ascii_alphanumeric)
        || !digits.chars().all(|c| c == '_' || c.is_digit(base))
    {
        return Err(IntParse::Invalid);
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if !base.is_power_of_two() && clean.len() > MAX_INT_STR_DIGITS {
        return Err(IntParse::TooManyDigits(clean.len()));
    }
    let magnitude = u64::from_str_radix(&clean, base).map_err(|_| IntParse::Overflow)?;
    if neg {
        0i64.checked_sub_unsigned(magnitude)
            .ok_or(IntParse::Overflow)
    } else {
        i64::try_from(magnitude).map_err(|_| IntParse::Overflow)
    }
}

fn to_float(v: &Value) -> OpResult {
    Ok(Value::Float(match v {
        Value::Float(f) => *f,
        Value::Int(_) | Value::Bool(_) => v.as_int().unwrap_or(0) as f64,
        Value::Str(s) => {
            let ascii = crate::unicode_digits::ascii_digits(s);
            let t = ascii.as_deref().unwrap_or(s).trim().to_ascii_lowercase();
            match t.as_str() {
                "inf" | "+inf" | "infinity" => f64::INFINITY,
                "-inf" | "-infinity" => f64::NEG_INFINITY,
                "nan" | "+nan" | "-nan" => f64::NAN,
                _ if !underscores_ok(&t, u8::is_ascii_digit) => {
                    return raise(
                        "ValueError",
                        format!("could not convert string to float: {}", repr(v)),
                    )
                }
                _ => t.replace('_', "").parse::<f64>().or_else(|_| {
                    raise(
                        "ValueError",
                        format!("could not convert string to float: {}", repr(v)),
                    )
                })?,
            }
        }
        other => {
            return raise(
                "TypeError",
                format!(
                    "float() argument must be a string or a real number, not '{}'",
                    other.type_name()
                ),
            )
        }
    }))
}

/// `round(x, ndigits)` for a float: the exact binary value rounded half-to-even at the decimal
/// position, as CPython's correctly rounded algorithm gives.
fn round_float(x: f64, ndigits: i64) -> f64 {
    if !x.is_finite() || x == 0.0 || ndigits > 323 {
        return x;
    }
    if ndigits >= 0 {
        // Rust's fixed-precision formatting rounds the exact value half-to-even.
        return format!("{x:.*}", ndigits as usize).parse().unwrap_or(x);
    }
    let k = ndigits.unsigned_abs();
    let int_digits = if x.abs() < 1.0 {
        0
    } else {
        format!("{:.0}", x.abs().trunc()).len() as u64
    };
    let zero = 0.0f64.copysign(x);
    if int_digits < k {
        return zero;
    }
    if int_digits == k {
        // Either 0 or 10**k: a tie goes to the even 0.
        let half = 5.0 * 10f64.powi(k as i32 - 1);
        return if x.abs() > half {
            10f64.powi(k as i32).copysign(x)
        } else {
            zero
        };
    }
    let significant = (int_digits - k) as usize;
    format!("{x:.*e}", significant - 1).parse().unwrap_or(x)
}

fn round_half_even(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 {
        2.0 * (x / 2.0).round()
    } else {
        r
    }
}

fn min_max(
    name: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
    want: std::cmp::Ordering,
) -> OpResult {
    no_kwargs(name, kwargs, &["default"])?;
    let items = match args {
        [] => {
            return raise(
                "TypeError",
                format!("{name} expected at least 1 argument, got 0"),
            )
        }
        [one] => iterate(one)?,
        many => many.to_vec(),
    };
    let pairs = items.into_iter().map(|x| (x.clone(), x)).collect();
    min_max_by_key(name, pairs, kwargs, want)
}

/// The first item whose key is smallest (`want` Less) or largest (Greater), comparing keys
/// as CPython's `min`/`max` do; `default` (or ValueError) for no items.
fn min_max_by_key(
    name: &str,
    pairs: Vec<(Value, Value)>,
    kwargs: &[(String, Value)],
    want: std::cmp::Ordering,
) -> OpResult {
    let op = if want == std::cmp::Ordering::Less {
        "<"
    } else {
        ">"
    };
    let mut best: Option<(Value, Value)> = None;
    for (key, item) in pairs {
        best = Some(match best {
            None => (key, item),
            Some(b) => {
                if py_cmp(&key, &b.0, op)? == Some(want) {
                    (key, item)
                } else {
                    b
                }
            }
        });
    }
    match best.map(|(_, item)| item) {
        Some(b) => Ok(b),
        None => match kwarg(kwargs, "default") {
            Some(d) => Ok(d.clone()),
            None => raise("ValueError", format!("{name}() arg is an empty sequence")),
        },
    }
}

/// `sorted`, `list.sort`, `min` and `max` with a key function, whose keys the caller computed:
/// `args` are the items (a list) and their keys (a list of the same length); for `list.sort`
/// the items are a copy of the list, which comes third.
fn by_keys(kind: &str, args: &[Value], kwargs: &[(String, Value)]) -> OpResult {
    let (Some(Value::List(items)), Some(Value::List(keys))) = (args.first(), args.get(1)) else {
        return raise("TypeError", "key function arguments must be lists");
    };
    let mut pairs: Vec<(Value, Value)> = keys
        .borrow()
        .iter()
        .cloned()
        .zip(items.borrow().iter().cloned())
        .collect();
    let reverse = reverse_flag(kwargs)?;
    match kind {
        "$sorted" => {
            ops::py_sort_keyed(&mut pairs, reverse)?;
            Ok(Value::list(pairs.into_iter().map(|(_, x)| x).collect()))
        }
        "$sort" => {
            let list = match args.get(2) {
                Some(Value::List(l)) => l,
                Some(other) => {
                    return raise(
                        "AttributeError",
                        format!("'{}' object has no attribute 'sort'", other.type_name()),
                    )
                }
                None => return raise("TypeError", "sort needs its list"),
            };
            let modified = {
                let (now, before) = (list.borrow(), items.borrow());
                now.len() != before.len()
                    || now
                        .iter()
                        .zip(before.iter())
                        .any(|(x, y)| !ops::py_eq(x, y))
            };
            // As `list.sort`: on an error the list is left partially sorted.
            let result = ops::py_sort_keyed(&mut pairs, reverse);
            let old = std::mem::replace(
                &mut *list.borrow_mut(),
                pairs.into_iter().map(|(_, x)| x).collect(),
            );
            journal::list_contents(list, old);
            result?;
            if modified {
                return raise("ValueError", "list modified during sort");
            }
            Ok(Value::None)
        }
        "$min" => min_max_by_key("min", pairs, kwargs, std::cmp::Ordering::Less),
        "$max" => min_max_by_key("max", pairs, kwargs, std::cmp::Ordering::Greater),
        other => raise(
            "RuntimeError",
            format!("unknown internal builtin {other}_by_keys"),
        ),
    }
}

/// Calls a builtin function.
pub fn call_builtin(func: &str, args: &[Value], kwargs: &[(String, Value)]) -> OpResult {
    if func == "$iterable" {
        return ops::iterable(&args[0]);
    }
    if func == "$unpack" {
        return match iterate(&args[0]) {
            Ok(items) => Ok(Value::list(items)),
            Err(_) => raise(
                "TypeError",
                format!("cannot unpack non-iterable {} object", args[0].type_name()),
            ),
        };
    }
    if func == "$iterator" {
        // `map` and `filter`: their items, built when called, as a single-pass iterator.
        let name = match args.get(1) {
            Some(Value::Str(s)) if &**s == "filter" => "filter",
            _ => "map",
        };
        return Ok(Internal::iterator(name, iterate(&args[0])?));
    }
    if func == "$star_set_part" {
        // A `*` element of a set display, taken where it stands: a set keeps its table, a dict
        // its keys (and size); other iterables give their items.
        return Ok(match &args[0] {
            Value::Set(s) => new_set(s.borrow().clone()),
            Value::Dict(d) => Value::dict(d.borrow().clone()),
            other => Value::list(iterate(other)?),
        });
    }
    if func == "$set_display" {
        let set = Rc::new(RefCell::new(SetMap::default()));
        let starred = match args.first() {
            Some(Value::Tuple(flags)) => flags.to_vec(),
            _ => return raise("TypeError", "$set_display needs the starred elements"),
        };
        for (star, part) in starred.iter().zip(&args[1..]) {
            if star.truthy() {
                set_method(&set, "update", std::slice::from_ref(part))?;
            } else {
                check_hashable(part)?;
                set_order::adding(&set.borrow(), part);
                set.borrow_mut().insert(part.clone());
            }
        }
        return Ok(Value::Set(set));
    }
    if func == "$constant_frozenset" {
        return Ok(new_set(set_order::frozenset_constant(args.to_vec())));
    }
    if func == "$star_items" {
        return match iterate(&args[0]) {
            Ok(items) => Ok(Value::list(items)),
            Err(_) => raise(
                "TypeError",
                format!(
                    "Value after * must be an iterable, not {}",
                    args[0].type_name()
                ),
            ),
        };
    }
    if func == "$star_mapping" {
        return match &args[0] {
            Value::Dict(_) => call_builtin("dict", args, &[]),
            other => raise(
                "TypeError",
                format!("'{}' object is not a mapping", other.type_name()),
            ),
        };
    }
    if let Some(kind) = func.strip_suffix("_by_keys") {
        return by_keys(kind, args, kwargs);
    }
    if func == "$type_name" {
        return Ok(Value::str(args[0].type_name()));
    }
    if func == "$check_receiver" {
        // `str.upper(x)`: the method of a builtin type called through the type.
        let (Some(Value::Str(type_name)), Some(Value::Str(method))) = (args.get(1), args.get(2))
        else {
            return raise("RuntimeError", "bad $check_receiver");
        };
        let actual = args[0].type_name();
        let fits = actual == &**type_name || (&**type_name == "int" && actual == "bool");
        return if fits {
            Ok(args[0].clone())
        } else {
            raise(
                "TypeError",
                format!(
                    "descriptor '{method}' for '{type_name}' objects doesn't apply to a '{actual}' object"
                ),
            )
        };
    }
    if func == "$exception_attr" {
        // `exc.needed`: an attribute its class's `__init__` set.
        let name = match args.get(1) {
            Some(Value::Str(s)) => s.to_string(),
            _ => String::new(),
        };
        let found = match &args[0] {
            Value::Exception(e) => e.attrs.iter().rev().find(|(n, _)| **n == *name),
            _ => None,
        };
        return match found {
            Some((_, v)) => Ok(v.clone()),
            None => raise(
                "AttributeError",
                format!("'{}' object has no attribute '{name}'", args[0].type_name()),
            ),
        };
    }
    if func == "$exception_args" {
        return match &args[0] {
            Value::Exception(e) => Ok(Value::tuple(e.visible_args().to_vec())),
            other => raise(
                "AttributeError",
                format!("'{}' object has no attribute 'args'", other.type_name()),
            ),
        };
    }
    let (args, kwargs) = builtin_arguments(func, args, kwargs)?;
    builtin(func, &args, &kwargs)
}

type Args<'a> = Cow<'a, [Value]>;
type Kwargs<'a> = Cow<'a, [(String, Value)]>;

/// `key=None` is the same as no key (other keys are functions, which are not values here).
fn drop_none_key(kwargs: &mut Kwargs) {
    if kwargs
        .iter()
        .any(|(k, v)| k == "key" && matches!(v, Value::None))
    {
        kwargs
            .to_mut()
            .retain(|(k, v)| k != "key" || !matches!(v, Value::None));
    }
}

fn invalid_keyword<T>(
    func: &str,
    kwargs: &[(String, Value)],
    allowed: &[&str],
) -> Result<Option<T>, Value> {
    match kwargs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        Some((k, _)) => raise(
            "TypeError",
            format!("'{k}' is an invalid keyword argument for {func}()"),
        ),
        None => Ok(None),
    }
}

/// Moves the keyword forms of positional parameters (`round(number=...)`) into place.
fn keywords_to_positions(
    func: &str,
    args: &mut Args,
    kwargs: &mut Kwargs,
    names: &[&str],
) -> Result<(), Value> {
    if kwargs.is_empty() {
        return Ok(());
    }
    let (args, kwargs) = (args.to_mut(), kwargs.to_mut());
    let mut slots: Vec<Option<Value>> = names
        .iter()
        .enumerate()
        .map(|(i, _)| args.get(i).cloned())
        .collect();
    let mut rest = Vec::new();
    for (k, v) in kwargs.drain(..) {
        match names.iter().position(|n| *n == k) {
            Some(i) if i < args.len() => {
                return raise(
                    "TypeError",
                    format!(
                        "argument for {func}() given by name ('{k}') and position ({})",
                        i + 1
                    ),
                )
            }
            Some(i) => slots[i] = Some(v),
            None => rest.push((k, v)),
        }
    }
    *kwargs = rest;
    if args.len() < names.len() {
        args.clear();
        for v in slots {
            match v {
                Some(v) => args.push(v),
                None => break,
            }
        }
    }
    Ok(())
}

/// Checks a builtin call's arguments the way CPython does (each builtin has its own calling
/// convention and error texts) and returns them with keyword forms of positional parameters
/// moved into place.
fn builtin_arguments<'a>(
    func: &str,
    args: &'a [Value],
    kwargs: &'a [(String, Value)],
) -> Result<(Args<'a>, Kwargs<'a>), Value> {
    let mut args = Cow::Borrowed(args);
    let mut kwargs = Cow::Borrowed(kwargs);
    let n = args.len();
    let no_keywords = |kwargs: &[(String, Value)]| -> Result<(), Value> {
        if kwargs.is_empty() {
            Ok(())
        } else {
            raise("TypeError", format!("{func}() takes no keyword arguments"))
        }
    };
    match func {
        "format" | "ord" | "chr" => no_keywords(&kwargs)?,
        "len" | "abs" | "repr" | "any" | "all" => {
            no_keywords(&kwargs)?;
            if n != 1 {
                return raise(
                    "TypeError",
                    format!("{func}() takes exactly one argument ({n} given)"),
                );
            }
        }
        "bool" | "float" | "list" | "tuple" | "set" | "dict" => {
            if func != "dict" {
                no_keywords(&kwargs)?;
            }
            if n > 1 {
                return raise(
                    "TypeError",
                    format!("{func} expected at most 1 argument, got {n}"),
                );
            }
        }
        "sorted" | "reversed" | "divmod" => {
            // `sorted` counts its positional arguments before `list.sort` reads the keywords.
            if func != "sorted" {
                no_keywords(&kwargs)?;
            }
            let want = if func == "divmod" { 2 } else { 1 };
            if n != want {
                return raise(
                    "TypeError",
                    format!(
                        "{func} expected {want} argument{}, got {n}",
                        if want == 1 { "" } else { "s" }
                    ),
                );
            }
            if func == "sorted" {
                invalid_keyword::<()>("sort", &kwargs, &["key", "reverse"])?;
                drop_none_key(&mut kwargs);
            }
        }
        "range" => {
            no_keywords(&kwargs)?;
            if n == 0 {
                return raise("TypeError", "range expected at least 1 argument, got 0");
            }
            if n > 3 {
                return raise(
                    "TypeError",
                    format!("range expected at most 3 arguments, got {n}"),
                );
            }
        }
        "min" | "max" => {
            if n == 0 {
                return raise(
                    "TypeError",
                    format!("{func} expected at least 1 argument, got 0"),
                );
            }
            invalid_keyword::<()>(func, &kwargs, &["key", "default"])?;
            drop_none_key(&mut kwargs);
            if n > 1 && kwarg(&kwargs, "default").is_some() {
                return raise(
                    "TypeError",
                    format!(
                        "Cannot specify a default for {func}() with multiple positional arguments"
                    ),
                );
            }
        }
        "sum" => {
            invalid_keyword::<()>(func, &kwargs, &["start"])?;
            if n == 0 {
                return raise(
                    "TypeError",
                    "sum() takes at least 1 positional argument (0 given)",
                );
            }
            if n + kwargs.len() > 2 {
                return raise(
                    "TypeError",
                    format!(
                        "sum() takes at most 2 arguments ({} given)",
                        n + kwargs.len()
                    ),
                );
            }
            keywords_to_positions(func, &mut args, &mut kwargs, &["iterable", "start"])?;
        }
        "zip" => {
            invalid_keyword::<()>(func, &kwargs, &["strict"])?;
        }
        "print" => {
            invalid_keyword::<()>(func, &kwargs, &["sep", "end", "file", "flush"])?;
        }
        "iter" | "next" | "bin" | "oct" | "hex" | "getattr" | "hasattr" => no_keywords(&kwargs)?,
        "pow" => {
            if n + kwargs.len() > 3 {
                return raise(
                    "TypeError",
                    format!(
                        "pow() takes at most 3 arguments ({} given)",
                        n + kwargs.len()
                    ),
                );
            }
            invalid_keyword::<()>(func, &kwargs, &["base", "exp", "mod"])?;
            keywords_to_positions(func, &mut args, &mut kwargs, &["base", "exp", "mod"])?;
        }
        "int" => {
            invalid_keyword::<()>(func, &kwargs, &["base"])?;
            if n + kwargs.len() > 2 {
                return raise(
                    "TypeError",
                    format!(
                        "int() takes at most 2 arguments ({} given)",
                        n + kwargs.len()
                    ),
                );
            }
            if n == 0 && !kwargs.is_empty() {
                return raise("TypeError", "int() missing string argument");
            }
            keywords_to_positions(func, &mut args, &mut kwargs, &["x", "base"])?;
        }
        "round" | "enumerate" => {
            let names: &[&str] = if func == "round" {
                &["number", "ndigits"]
            } else {
                &["iterable", "start"]
            };
            if n + kwargs.len() > 2 {
                return raise(
                    "TypeError",
                    format!(
                        "{func}() takes at most 2 arguments ({} given)",
                        n + kwargs.len()
                    ),
                );
            }
            // enumerate() checks keyword names first, round() the missing number first.
            if func == "enumerate" {
                invalid_keyword::<()>(func, &kwargs, names)?;
            }
            if n == 0 && kwarg(&kwargs, names[0]).is_none() {
                return raise(
                    "TypeError",
                    if func == "round" {
                        "round() missing required argument 'number' (pos 1)"
                    } else {
                        "enumerate() missing required argument 'iterable'"
                    },
                );
            }
            invalid_keyword::<()>(func, &kwargs, names)?;
            keywords_to_positions(func, &mut args, &mut kwargs, names)?;
        }
        "str" => {
            if n + kwargs.len() > 3 {
                return raise(
                    "TypeError",
                    format!(
                        "str() takes at most 3 arguments ({} given)",
                        n + kwargs.len()
                    ),
                );
            }
            invalid_keyword::<()>(func, &kwargs, &["object", "encoding", "errors"])?;
            let decoding =
                n > 1 || kwarg(&kwargs, "encoding").is_some() || kwarg(&kwargs, "errors").is_some();
            keywords_to_positions(
                func,
                &mut args,
                &mut kwargs,
                &["object", "encoding", "errors"],
            )?;
            if decoding {
                for (i, name) in [(1, "encoding"), (2, "errors")] {
                    if let Some(v) = args.get(i).filter(|v| !matches!(v, Value::Str(_))) {
                        return raise(
                            "TypeError",
                            format!("str() argument '{name}' must be str, not {}", v.type_name()),
                        );
                    }
                }
                return match args.first() {
                    None => Ok((Cow::Borrowed(&[]), Cow::Borrowed(&[]))),
                    Some(Value::Str(_)) => raise("TypeError", "decoding str is not supported"),
                    Some(v) => raise(
                        "TypeError",
                        format!(
                            "decoding to str: need a bytes-like object, {} found",
                            v.type_name()
                        ),
                    ),
                };
            }
        }
        _ => {}
    }
    Ok((args, kwargs))
}

/// The data attribute `name` of a value, for `getattr`/`hasattr`: an exception's `args` and the
/// attributes its class set; builtin values have none here (methods are called, not fetched).
/// An entity's fields are read as `item.name`, which reaches the entity.
fn attribute(value: &Value, name: &str) -> Result<Option<Value>, Value> {
    match value {
        Value::Exception(e) if name == "args" => Ok(Some(Value::tuple(e.visible_args().to_vec()))),
        Value::Exception(e) => Ok(e
            .attrs
            .iter()
            .rev()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v.clone())),
        Value::Ref(r) => raise(
            "TypeError",
            format!(
                "getattr() and hasattr() do not reach entities: read `{}` fields as `ref.{name}`",
                r.entity
            ),
        ),
        _ => Ok(None),
    }
}

/// `str.maketrans(x[, y[, z]])`: the table `str.translate` reads, code points to code points,
/// strings or `None`.
fn maketrans(args: &[Value]) -> OpResult {
    let mut table = DictMap::default();
    match args {
        [Value::Dict(d)] => {
            for (k, v) in d.borrow().iter() {
                let key = match k {
                    Value::Str(s) if s.chars().count() == 1 => {
                        Value::Int(s.chars().next().map_or(0, |c| c as i64))
                    }
                    Value::Str(_) => {
                        return raise(
                            "ValueError",
                            "string keys in translate table must be of length 1",
                        )
                    }
                    Value::Int(_) => k.clone(),
                    _ => {
                        return raise(
                            "TypeError",
                            "keys in translate table must be strings or integers",
                        )
                    }
                };
                table.insert(key, v.clone());
            }
        }
        [_] => {
            return raise(
                "TypeError",
                "if you give only one argument to maketrans it must be a dict",
            )
        }
        [x, y, rest @ ..] => {
            let (Value::Str(x), Value::Str(y)) = (x, y) else {
                let bad = if matches!(x, Value::Str(_)) { y } else { x };
                return raise(
                    "TypeError",
                    format!(
                        "maketrans() argument {} must be str, not {}",
                        if matches!(x, Value::Str(_)) { 2 } else { 1 },
                        bad.type_name()
                    ),
                );
            };
            if x.chars().count() != y.chars().count() {
                return raise(
                    "ValueError",
                    "the first two maketrans arguments must have equal length",
                );
            }
            for (a, b) in x.chars().zip(y.chars()) {
                table.insert(Value::Int(a as i64), Value::Int(b as i64));
            }
            match rest.first() {
                None => {}
                Some(Value::Str(z)) => {
                    for c in z.chars() {
                        table.insert(Value::Int(c as i64), Value::None);
                    }
                }
                Some(other) => {
                    return raise(
                        "TypeError",
                        format!(
                            "maketrans() argument 3 must be str, not {}",
                            other.type_name()
                        ),
                    )
                }
            }
        }
        [] => {
            return raise(
                "TypeError",
                "maketrans() missing required argument 'x' (pos 1)",
            )
        }
    }
    Ok(Value::dict(table))
}

/// `s.translate(table)`: each character looked up by code point in the table (a dict): kept
/// when absent, deleted for `None`, replaced by a code point or a string.
fn translate(s: &str, table: &Value) -> Result<String, Value> {
    let Value::Dict(d) = table else {
        return raise(
            "TypeError",
            format!("'{}' object is not subscriptable", table.type_name()),
        );
    };
    let d = d.borrow();
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match d.get(&Value::Int(c as i64)) {
            None => out.push(c),
            Some(Value::None) => {}
            Some(Value::Str(r)) => out.push_str(r),
            Some(Value::Int(n)) => match u32::try_from(*n).ok().and_then(char::from_u32) {
                Some(r) => out.push(r),
                None => return raise("ValueError", "character mapping must be in range(0x110000)"),
            },
            Some(_) => {
                return raise(
                    "TypeError",
                    "character mapping must return integer, None or str",
                )
            }
        }
    }
    Ok(out)
}

/// `iter(x)`: a single-pass iterator over `x`'s items as they are now (an iterator itself is
/// returned as it is).
fn iter(x: &Value) -> OpResult {
    if let Value::Internal(i) = x {
        if matches!(**i, Internal::Iterator { .. }) {
            return Ok(x.clone());
        }
    }
    let name = match x {
        Value::List(_) => "list_iterator",
        Value::Tuple(_) => "tuple_iterator",
        Value::Str(s) if s.is_ascii() => "str_ascii_iterator",
        Value::Str(_) => "str_iterator",
        Value::Dict(_) => "dict_keyiterator",
        Value::Set(_) => "set_iterator",
        Value::Range(..) => "range_iterator",
        Value::Internal(i) => match &**i {
            Internal::DictView { kind, .. } => match kind {
                ViewKind::Keys => "dict_keyiterator",
                ViewKind::Values => "dict_valueiterator",
                ViewKind::Items => "dict_itemiterator",
            },
            _ => "iterator",
        },
        _ => "iterator",
    };
    Ok(Internal::iterator(name, iterate(x)?))
}

/// `pow(base, exp, mod)`: integers only; a negative exponent takes the modular inverse.
fn modular_pow(base: &Value, exp: &Value, modulus: &Value) -> OpResult {
    let (Some(b), Some(e), Some(m)) = (base.as_int(), exp.as_int(), modulus.as_int()) else {
        let number = |v: &Value| matches!(v, Value::Int(_) | Value::Bool(_) | Value::Float(_));
        if ![base, exp, modulus].into_iter().all(number) {
            return raise(
                "TypeError",
                format!(
                    "unsupported operand type(s) for ** or pow(): '{}', '{}', '{}'",
                    base.type_name(),
                    exp.type_name(),
                    modulus.type_name()
                ),
            );
        }
        return raise(
            "TypeError",
            "pow() 3rd argument not allowed unless all arguments are integers",
        );
    };
    if m == 0 {
        return raise("ValueError", "pow() 3rd argument cannot be 0");
    }
    let m = m as i128;
    // Into Python's range for the modulus: [0, m) for a positive one, (m, 0] for a negative one.
    let reduce = |x: i128| ((x % m) + m) % m;
    let mut base = reduce(b as i128);
    if e < 0 {
        base = match inverse(base, m) {
            Some(inv) => inv,
            None => return raise("ValueError", "base is not invertible for the given modulus"),
        };
    }
    let mut e = e.unsigned_abs();
    let mut result = reduce(1);
    while e > 0 {
        if e & 1 == 1 {
            result = reduce(result * base);
        }
        base = reduce(base * base);
        e >>= 1;
    }
    Ok(Value::Int(result as i64))
}

/// The inverse of `a` modulo `m` (extended Euclid), if they are coprime.
fn inverse(a: i128, m: i128) -> Option<i128> {
    let (mut old_r, mut r) = (a, m.abs());
    let (mut old_s, mut s) = (1i128, 0i128);
    while r != 0 {
        let q = old_r.div_euclid(r);
        (old_r, r) = (r, old_r - q * r);
        (old_s, s) = (s, old_s - q * s);
    }
    (old_r == 1).then(|| old_s.rem_euclid(m.abs()))
}

/// `print(*values, sep=" ", end="\n", flush=False)`: writes to standard error, since standard
/// output carries results. A transaction that runs again (after touching a key outside its
/// predicted footprint in parallel epochs, or replayed on recovery) prints again.
fn print(args: &[Value], kwargs: &[(String, Value)]) -> Result<(), Value> {
    let text_or_default = |name: &str, default: &str| -> Result<String, Value> {
        match kwarg(kwargs, name) {
            None | Some(Value::None) => Ok(default.to_string()),
            Some(Value::Str(s)) => Ok(s.to_string()),
            Some(other) => raise(
                "TypeError",
                format!("{name} must be None or a string, not {}", other.type_name()),
            ),
        }
    };
    // Standard error is the only stream here: `file=None` means the default one.
    if let Some(file) = kwarg(kwargs, "file").filter(|f| !matches!(f, Value::None)) {
        return raise(
            "AttributeError",
            format!("'{}' object has no attribute 'write'", file.type_name()),
        );
    }
    let sep = text_or_default("sep", " ")?;
    let end = text_or_default("end", "\n")?;
    let mut line = args.iter().map(to_str).collect::<Vec<_>>().join(&sep);
    line.push_str(&end);
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    Ok(())
}

fn builtin(func: &str, args: &[Value], kwargs: &[(String, Value)]) -> OpResult {
    match func {
        "len" => {
            arity("len", args, 1, 1)?;
            Ok(Value::Int(ops::len(&args[0])? as i64))
        }
        "abs" => {
            arity("abs", args, 1, 1)?;
            match &args[0] {
                Value::Float(f) => Ok(Value::Float(f.abs())),
                v => match v.as_int() {
                    Some(i) => i.checked_abs().map(Value::Int).ok_or_else(|| {
                        Value::exception(
                            "OverflowError",
                            "integer overflow (entiflow integers are 64-bit)",
                        )
                    }),
                    None => raise(
                        "TypeError",
                        format!("bad operand type for abs(): '{}'", v.type_name()),
                    ),
                },
            }
        }
        "all" | "any" => {
            arity(func, args, 1, 1)?;
            let want = func == "any";
            // A range answers from its bounds (every item but 0 is true), however long it is.
            if let Value::Range(..) = &args[0] {
                let has_zero = ops::contains(&args[0], &Value::Int(0))?;
                let len = ops::range_len(&args[0]);
                return Ok(Value::Bool(if want {
                    len > i128::from(has_zero)
                } else {
                    !has_zero
                }));
            }
            // An iterator is consumed only up to the first decisive item, as in CPython.
            if let Value::Internal(i) = &args[0] {
                if matches!(**i, Internal::Iterator { .. }) {
                    while let Some(item) = i.next_item() {
                        if item.truthy() == want {
                            return Ok(Value::Bool(want));
                        }
                    }
                    return Ok(Value::Bool(!want));
                }
            }
            Ok(Value::Bool(if want {
                iterate(&args[0])?.iter().any(Value::truthy)
            } else {
                iterate(&args[0])?.iter().all(Value::truthy)
            }))
        }
        "bool" => {
            arity("bool", args, 0, 1)?;
            Ok(Value::Bool(args.first().is_some_and(Value::truthy)))
        }
        "str" => {
            arity("str", args, 0, 1)?;
            Ok(Value::str(&args.first().map(to_str).unwrap_or_default()))
        }
        "print" => {
            print(args, kwargs)?;
            Ok(Value::None)
        }
        "iter" => {
            arity("iter", args, 1, 2)?;
            if args.len() == 2 {
                // `iter(callable, sentinel)`: no value of the language is callable.
                return raise("TypeError", "iter(v, w): v must be callable");
            }
            iter(&args[0])
        }
        "getattr" | "hasattr" => {
            if func == "getattr" {
                arity("getattr", args, 2, 3)?;
            } else {
                arity("hasattr", args, 2, 2)?;
            }
            let Value::Str(name) = &args[1] else {
                return raise(
                    "TypeError",
                    format!(
                        "attribute name must be string, not '{}'",
                        args[1].type_name()
                    ),
                );
            };
            let found = attribute(&args[0], name)?;
            match (func, found, args.get(2)) {
                ("hasattr", found, _) => Ok(Value::Bool(found.is_some())),
                (_, Some(v), _) => Ok(v),
                (_, None, Some(default)) => Ok(default.clone()),
                (_, None, None) => raise(
                    "AttributeError",
                    format!("'{}' object has no attribute '{name}'", args[0].type_name()),
                ),
            }
        }
        "next" => {
            arity("next", args, 1, 2)?;
            match &args[0] {
                Value::Internal(i) if matches!(**i, Internal::Iterator { .. }) => {
                    match (i.next_item(), args.get(1)) {
                        (Some(item), _) => Ok(item),
                        (None, Some(default)) => Ok(default.clone()),
                        (None, None) => Err(Value::Exception(Rc::new(
                            crate::value::Exception::new("StopIteration", vec![]),
                        ))),
                    }
                }
                other => raise(
                    "TypeError",
                    format!("'{}' object is not an iterator", other.type_name()),
                ),
            }
        }
        "pow" => {
            arity("pow", args, 2, 3)?;
            match args.get(2) {
                None | Some(Value::None) => ops::binary(ir::BinOp::Pow, &args[0], &args[1]),
                Some(m) => modular_pow(&args[0], &args[1], m),
            }
        }
        "bin" | "oct" | "hex" => {
            arity(func, args, 1, 1)?;
            let n = int_arg(&args[0])?;
            let (prefix, digits) = match func {
                "bin" => ("0b", format!("{:b}", n.unsigned_abs())),
                "oct" => ("0o", format!("{:o}", n.unsigned_abs())),
                _ => ("0x", format!("{:x}", n.unsigned_abs())),
            };
            let sign = if n < 0 { "-" } else { "" };
            Ok(Value::str(&format!("{sign}{prefix}{digits}")))
        }
        "repr" => {
            arity("repr", args, 1, 1)?;
            Ok(Value::str(&repr(&args[0])))
        }
        "format" => {
            arity("format", args, 1, 2)?;
            let spec = match args.get(1) {
                None => "",
                Some(v) => str_arg(v, "format() argument 2")?,
            };
            Ok(Value::str(&crate::format::format_value(&args[0], spec)?))
        }
        "ord" => {
            arity("ord", args, 1, 1)?;
            match &args[0] {
                Value::Str(s) => {
                    let mut chars = s.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => Ok(Value::Int(c as i64)),
                        _ => raise(
                            "TypeError",
                            format!(
                                "ord() expected a character, but string of length {} found",
                                s.chars().count()
                            ),
                        ),
                    }
                }
                other => raise(
                    "TypeError",
                    format!(
                        "ord() expected string of length 1, but {} found",
                        other.type_name()
                    ),
                ),
            }
        }
        "chr" => {
            arity("chr", args, 1, 1)?;
            let Some(i) = args[0].as_int() else {
                return raise(
                    "TypeError",
                    format!(
                        "'{}' object cannot be interpreted as an integer",
                        args[0].type_name()
                    ),
                );
            };
            if i32::try_from(i).is_err() {
                return raise("OverflowError", "Python int too large to convert to C int");
            }
            match u32::try_from(i).ok().filter(|&c| c < 0x110000) {
                // Lone surrogates are not Rust chars; they stay out of range here.
                Some(c) => match char::from_u32(c) {
                    Some(c) => Ok(Value::str(&c.to_string())),
                    None => raise("ValueError", "surrogates not allowed"),
                },
                None => raise("ValueError", "chr() arg not in range(0x110000)"),
            }
        }
        "int" => {
            arity("int", args, 0, 2)?;
            no_kwargs("int", kwargs, &["base"])?;
            let base = match args.get(1).or(kwarg(kwargs, "base")) {
                None => None,
                Some(b) => {
                    let b = b.as_int().ok_or_else(|| {
                        Value::exception(
                            "TypeError",
                            format!(
                                "'{}' object cannot be interpreted as an integer",
                                b.type_name()
                            ),
                        )
                    })?;
                    if b != 0 && !(2..=36).contains(&b) {
                        return raise("ValueError", "int() base must be >= 2 and <= 36, or 0");
                    }
                    Some(b as u32)
                }
            };
            match (args.first(), base) {
                (None, _) => Ok(Value::Int(0)),
                (Some(Value::Str(s)), b) => match parse_int(s, b.unwrap_or(10)) {
                    Ok(i) => Ok(Value::Int(i)),
                    Err(IntParse::Overflow) => raise("OverflowError", "integer overflow (entiflow integers are 64-bit)"),
                    // CPython shows at most 200 characters of the repr (`%.200R`).
                    Err(IntParse::Invalid) => raise("ValueError", format!("invalid literal for int() with base {}: {}", b.unwrap_or(10), repr(&args[0]).chars().take(200).collect::<String>())),
                    Err(IntParse::TooManyDigits(n)) => raise("ValueError", format!("Exceeds the limit ({MAX_INT_STR_DIGITS} digits) for integer string conversion: value has {n} digits; use sys.set_int_max_str_digits() to increase the limit")),
                },
                (Some(_), Some(_)) => raise("TypeError", "int() can't convert non-string with explicit base"),
                (Some(Value::Float(f)), None) => {
                    if f.is_nan() {
                        raise("ValueError", "cannot convert float NaN to integer")
                    } else if f.is_infinite() {
                        raise("OverflowError", "cannot convert float infinity to integer")
                    } else if !ops::float_fits_int(f.trunc()) {
                        raise("OverflowError", "integer overflow (entiflow integers are 64-bit)")
                    } else {
                        Ok(Value::Int(f.trunc() as i64))
                    }
                }
                (Some(v), None) if v.as_int().is_some() => Ok(Value::Int(v.as_int().unwrap_or(0))),
                (Some(v), _) => raise("TypeError", format!("int() argument must be a string, a bytes-like object or a real number, not '{}'", v.type_name())),
            }
        }
        "float" => {
            arity("float", args, 0, 1)?;
            match args.first() {
                None => Ok(Value::Float(0.0)),
                Some(v) => to_float(v),
            }
        }
        "list" => {
            arity("list", args, 0, 1)?;
            Ok(Value::list(match args.first() {
                None => vec![],
                Some(v) => iterate(v)?,
            }))
        }
        "tuple" => {
            arity("tuple", args, 0, 1)?;
            Ok(Value::tuple(match args.first() {
                None => vec![],
                Some(v) => iterate(v)?,
            }))
        }
        "set" => {
            arity("set", args, 0, 1)?;
            // CPython sizes the table ahead for a set's or a dict's members.
            let mut s = match args.first() {
                Some(Value::Set(other)) => return Ok(new_set(set_order::copy(&other.borrow()))),
                Some(Value::Dict(d)) => set_order::presized(d.borrow().len()),
                _ => SetMap::default(),
            };
            if let Some(v) = args.first() {
                for x in iterate(v)? {
                    check_hashable(&x)?;
                    s.insert(x);
                }
            }
            Ok(new_set(s))
        }
        "dict" => {
            arity("dict", args, 0, 1)?;
            let mut m = DictMap::default();
            if let Some(v) = args.first() {
                match v {
                    Value::Dict(d) => m = d.borrow().clone(),
                    other => m.extend(update_pairs(other)?),
                }
            }
            for (k, v) in kwargs {
                m.insert(Value::str(k), v.clone());
            }
            Ok(Value::dict(m))
        }
        "range" => {
            let ints: Vec<i64> = args
                .iter()
                .map(|a| {
                    a.as_int().ok_or_else(|| {
                        Value::exception(
                            "TypeError",
                            format!(
                                "'{}' object cannot be interpreted as an integer",
                                a.type_name()
                            ),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
            match ints.as_slice() {
                [stop] => Ok(Value::Range(0, *stop, 1)),
                [start, stop] => Ok(Value::Range(*start, *stop, 1)),
                [_, _, 0] => raise("ValueError", "range() arg 3 must not be zero"),
                [start, stop, step] => Ok(Value::Range(*start, *stop, *step)),
                [] => raise("TypeError", "range expected at least 1 argument, got 0"),
                _ => raise(
                    "TypeError",
                    format!("range expected at most 3 arguments, got {}", ints.len()),
                ),
            }
        }
        "min" => min_max("min", args, kwargs, std::cmp::Ordering::Less),
        "max" => min_max("max", args, kwargs, std::cmp::Ordering::Greater),
        "sum" => {
            arity("sum", args, 1, 2)?;
            let mut acc = args
                .get(1)
                .or(kwarg(kwargs, "start"))
                .cloned()
                .unwrap_or(Value::Int(0));
            if matches!(acc, Value::Str(_)) {
                return raise(
                    "TypeError",
                    "sum() can't sum strings [use ''.join(seq) instead]",
                );
            }
            for x in iterate(&args[0])? {
                acc = ops::binary(ir::BinOp::Add, &acc, &x)?;
            }
            Ok(acc)
        }
        "sorted" => {
            arity("sorted", args, 1, 1)?;
            no_kwargs("sorted", kwargs, &["reverse"])?;
            let mut items = iterate(&args[0])?;
            ops::py_sort(&mut items, reverse_flag(kwargs)?)?;
            Ok(Value::list(items))
        }
        "reversed" => {
            arity("reversed", args, 1, 1)?;
            // Sequences, dicts and their views are reversible; iterators, sets and scalars
            // are not (CPython has no `__reversed__` or sequence protocol for them).
            let name = match &args[0] {
                Value::List(_) => "list_reverseiterator",
                Value::Range(..) => "range_iterator",
                Value::Dict(_) => "dict_reversekeyiterator",
                Value::Tuple(_) | Value::Str(_) => "reversed",
                Value::Internal(internal) => match &**internal {
                    Internal::DictView { kind, .. } => match kind {
                        ViewKind::Keys => "dict_reversekeyiterator",
                        ViewKind::Values => "dict_reversevalueiterator",
                        ViewKind::Items => "dict_reverseitemiterator",
                    },
                    _ => return not_reversible(&args[0]),
                },
                _ => return not_reversible(&args[0]),
            };
            let mut items = iterate(&args[0])?;
            items.reverse();
            Ok(Internal::iterator(name, items))
        }
        "enumerate" => {
            arity("enumerate", args, 1, 2)?;
            let start = match args.get(1) {
                Some(v) => int_arg(v)?,
                None => 0,
            };
            Ok(Internal::iterator(
                "enumerate",
                iterate(&args[0])?
                    .into_iter()
                    .enumerate()
                    .map(|(i, x)| Value::tuple(vec![Value::Int(start + i as i64), x]))
                    .collect(),
            ))
        }
        // Single-pass iterators among the arguments are taken from in turn, one item of each
        // argument per row, so that `zip(it, it)` pairs consecutive items as in CPython.
        "zip"
            if !kwarg(kwargs, "strict").is_some_and(Value::truthy)
                && args.iter().any(is_single_pass) =>
        {
            let mut lists: Vec<Option<std::vec::IntoIter<Value>>> = args
                .iter()
                .map(|a| {
                    Ok(if is_single_pass(a) {
                        None
                    } else {
                        Some(iterate(a)?.into_iter())
                    })
                })
                .collect::<Result<_, Value>>()?;
            let mut rows = Vec::new();
            'rows: loop {
                let mut row = Vec::with_capacity(args.len());
                for (arg, list) in args.iter().zip(lists.iter_mut()) {
                    let item = match list {
                        Some(items) => items.next(),
                        None => match arg {
                            Value::Internal(i) => i.next_item(),
                            _ => None,
                        },
                    };
                    match item {
                        Some(x) => row.push(x),
                        None => break 'rows,
                    }
                }
                rows.push(Value::tuple(row));
            }
            Ok(Internal::iterator("zip", rows))
        }
        "zip" => {
            let lists: Vec<Vec<Value>> = args.iter().map(iterate).collect::<Result<_, _>>()?;
            let n = lists.iter().map(Vec::len).min().unwrap_or(0);
            if kwarg(kwargs, "strict").is_some_and(Value::truthy)
                && lists.iter().any(|l| l.len() != n)
            {
                // CPython reports the first argument found exhausted (or, when the first one
                // is, the first one left over), against all the arguments before it.
                let before = |i: usize| {
                    if i == 1 {
                        "argument 1".to_string()
                    } else {
                        format!("arguments 1-{i}")
                    }
                };
                return match lists.iter().position(|l| l.len() == n) {
                    Some(0) => {
                        let i = lists.iter().position(|l| l.len() > n).unwrap_or(1);
                        raise(
                            "ValueError",
                            format!("zip() argument {} is longer than {}", i + 1, before(i)),
                        )
                    }
                    Some(i) => raise(
                        "ValueError",
                        format!("zip() argument {} is shorter than {}", i + 1, before(i)),
                    ),
                    None => Ok(Value::None),
                };
            }
            Ok(Internal::iterator(
                "zip",
                (0..n)
                    .map(|i| Value::tuple(lists.iter().map(|l| l[i].clone()).collect()))
                    .collect(),
            ))
        }
        "divmod" => {
            arity("divmod", args, 2, 2)?;
            let number = |v: &Value| match v {
                Value::Float(f) => Some(*f),
                other => other.as_int().map(|i| i as f64),
            };
            let any_float =
                matches!(&args[0], Value::Float(_)) || matches!(&args[1], Value::Float(_));
            if any_float && number(&args[0]).is_some() && number(&args[1]) == Some(0.0) {
                return raise("ZeroDivisionError", "float divmod()");
            }
            if number(&args[0]).is_none() || number(&args[1]).is_none() {
                return raise(
                    "TypeError",
                    format!(
                        "unsupported operand type(s) for divmod(): '{}' and '{}'",
                        args[0].type_name(),
                        args[1].type_name()
                    ),
                );
            }
            let q = ops::binary(ir::BinOp::FloorDiv, &args[0], &args[1])?;
            let r = ops::binary(ir::BinOp::Mod, &args[0], &args[1])?;
            Ok(Value::tuple(vec![q, r]))
        }
        "round" => {
            arity("round", args, 1, 2)?;
            if !matches!(&args[0], Value::Int(_) | Value::Bool(_) | Value::Float(_)) {
                return raise(
                    "TypeError",
                    format!(
                        "type {} doesn't define __round__ method",
                        args[0].type_name()
                    ),
                );
            }
            let digits = match args.get(1).or(kwarg(kwargs, "ndigits")) {
                None | Some(Value::None) => None,
                Some(d) => Some(d.as_int().ok_or_else(|| {
                    Value::exception(
                        "TypeError",
                        format!(
                            "'{}' object cannot be interpreted as an integer",
                            d.type_name()
                        ),
                    )
                })?),
            };
            match (&args[0], digits) {
                (Value::Float(f), None) => {
                    if !f.is_finite() {
                        return raise(
                            if f.is_nan() {
                                "ValueError"
                            } else {
                                "OverflowError"
                            },
                            if f.is_nan() {
                                "cannot convert float NaN to integer"
                            } else {
                                "cannot convert float infinity to integer"
                            },
                        );
                    }
                    let r = round_half_even(*f);
                    if !ops::float_fits_int(r) {
                        return raise(
                            "OverflowError",
                            "integer overflow (entiflow integers are 64-bit)",
                        );
                    }
                    Ok(Value::Int(r as i64))
                }
                (Value::Float(f), Some(d)) => Ok(Value::Float(round_float(*f, d))),
                (v, None) if v.as_int().is_some() => Ok(Value::Int(v.as_int().unwrap_or(0))),
                (v, Some(d)) if v.as_int().is_some() => {
                    if d >= 0 {
                        return Ok(Value::Int(v.as_int().unwrap_or(0)));
                    }
                    // Wide enough for any 64-bit value and any power of ten that matters
                    // (10**30 rounds every one of them to 0).
                    let p = 10i128.pow(d.unsigned_abs().min(30) as u32);
                    let x = v.as_int().unwrap_or(0) as i128;
                    let q = x.div_euclid(p);
                    let r = x - q * p;
                    let q = if 2 * r > p || (2 * r == p && q % 2 != 0) {
                        q + 1
                    } else {
                        q
                    };
                    i64::try_from(q * p).map(Value::Int).or_else(|_| {
                        raise(
                            "OverflowError",
                            "integer overflow (entiflow integers are 64-bit)",
                        )
                    })
                }
                (v, _) => raise(
                    "TypeError",
                    format!("type {} doesn't define __round__ method", v.type_name()),
                ),
            }
        }
        other => raise("NameError", format!("name '{other}' is not defined")),
    }
}

/// How a builtin method takes its arguments; each convention has its own CPython error text.
#[derive(Clone, Copy)]
enum Arity {
    /// `METH_NOARGS`: `str.upper() takes no arguments (1 given)`.
    NoArgs,
    /// `METH_O`: `list.append() takes exactly one argument (0 given)`.
    One,
    /// Positional-only with a range: `index expected at least 1 argument, got 0`.
    Positional(usize, usize),
    /// Old-style parsing: `find() takes at least 1 argument (0 given)`.
    Legacy(usize, usize),
    /// Anything (checked by the method itself).
    Any,
}

/// The calling convention of a builtin method, and the keyword arguments it accepts (`None`:
/// none at all).
fn method_arity(type_name: &str, method: &str) -> (Arity, Option<&'static [&'static str]>) {
    use Arity::*;
    match (type_name, method) {
        (
            "str",
            "upper" | "lower" | "title" | "capitalize" | "isdigit" | "isalpha" | "isalnum"
            | "isupper" | "islower" | "isspace" | "swapcase" | "casefold" | "isnumeric"
            | "isdecimal" | "istitle" | "isprintable" | "isidentifier" | "isascii",
        ) => (NoArgs, None),
        ("str", "expandtabs") => (Legacy(0, 1), Some(&["tabsize"])),
        ("str", "maketrans") => (Positional(1, 3), None),
        ("str", "translate") => (One, None),
        ("str", "splitlines") => (Positional(0, 1), Some(&["keepends"])),
        ("str", "strip" | "lstrip" | "rstrip") => (Positional(0, 1), None),
        ("str", "split" | "rsplit") => (Legacy(0, 2), Some(&["sep", "maxsplit"])),
        (
            "str",
            "join" | "zfill" | "partition" | "rpartition" | "removeprefix" | "removesuffix",
        ) => (One, None),
        ("str", "center" | "ljust" | "rjust") => (Positional(1, 2), None),
        ("str", "replace") => (Positional(2, 3), None),
        ("str", "startswith" | "endswith" | "find" | "index" | "count" | "rfind" | "rindex") => {
            (Legacy(1, 3), None)
        }
        ("str", "format") => (Any, Some(&[])),
        ("str", "format_map") => (One, None),
        ("list", "append" | "extend" | "remove" | "count") => (One, None),
        ("list", "insert") => (Positional(2, 2), None),
        ("list", "pop") => (Positional(0, 1), None),
        ("list" | "tuple", "index") => (Positional(1, 3), None),
        ("tuple", "count") => (One, None),
        ("list", "sort") => (Any, Some(&["key", "reverse"])),
        ("dict", "get" | "pop" | "setdefault" | "fromkeys") => (Positional(1, 2), None),
        ("dict", "update") => (Positional(0, 1), Some(&[])),
        ("set", "add" | "discard" | "remove") => (One, None),
        (
            "set",
            "union"
            | "intersection"
            | "difference"
            | "update"
            | "intersection_update"
            | "difference_update",
        ) => (Any, None),
        ("set", "symmetric_difference_update") => (One, None),
        ("set", "issubset" | "issuperset" | "isdisjoint" | "symmetric_difference") => (One, None),
        _ => (NoArgs, None),
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn check_method_args(
    type_name: &str,
    method: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Result<(), Value> {
    let (arity, keywords) = method_arity(type_name, method);
    check_keywords(type_name, method, kwargs, keywords)?;
    let n = args.len();
    match arity {
        Arity::NoArgs if n != 0 => {
            return raise(
                "TypeError",
                format!("{type_name}.{method}() takes no arguments ({n} given)"),
            )
        }
        Arity::One if n != 1 => {
            return raise(
                "TypeError",
                format!("{type_name}.{method}() takes exactly one argument ({n} given)"),
            )
        }
        Arity::Positional(min, max) if n < min || n > max => {
            let (bound, which) = if n < min {
                (min, "at least ")
            } else {
                (max, "at most ")
            };
            let which = if min == max { "" } else { which };
            return raise(
                "TypeError",
                format!(
                    "{method} expected {which}{}, got {n}",
                    plural(bound, "argument")
                ),
            );
        }
        Arity::Legacy(min, _) if n < min => {
            return raise(
                "TypeError",
                format!(
                    "{method}() takes at least {} ({n} given)",
                    plural(min, "argument")
                ),
            )
        }
        Arity::Legacy(_, max) if n > max => {
            return raise(
                "TypeError",
                format!(
                    "{method}() takes at most {} ({n} given)",
                    plural(max, "argument")
                ),
            )
        }
        _ => {}
    }
    Ok(())
}

fn check_keywords(
    type_name: &str,
    method: &str,
    kwargs: &[(String, Value)],
    keywords: Option<&[&str]>,
) -> Result<(), Value> {
    match keywords {
        None if !kwargs.is_empty() => raise(
            "TypeError",
            format!("{type_name}.{method}() takes no keyword arguments"),
        ),
        Some(allowed) if !allowed.is_empty() => {
            for (k, _) in kwargs {
                if !allowed.contains(&k.as_str()) {
                    return raise(
                        "TypeError",
                        format!("'{k}' is an invalid keyword argument for {method}()"),
                    );
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn str_arg<'a>(v: &'a Value, what: &str) -> Result<&'a str, Value> {
    match v {
        Value::Str(s) => Ok(s),
        other => raise(
            "TypeError",
            format!("{what} must be str, not {}", argument_type(other)),
        ),
    }
}

/// How CPython's argument parser names the type of a bad argument: `None` for None.
fn argument_type(v: &Value) -> &str {
    match v {
        Value::None => "None",
        other => other.type_name(),
    }
}

/// An integer argument (`'str' object cannot be interpreted as an integer` otherwise).
fn int_arg(v: &Value) -> Result<i64, Value> {
    v.as_int().ok_or_else(|| {
        Value::exception(
            "TypeError",
            format!(
                "'{}' object cannot be interpreted as an integer",
                v.type_name()
            ),
        )
    })
}

/// Python's `str.isspace` for one character (also the ASCII separators `\x1c`..`\x1f`).
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The `start`/`end` arguments of `str.find` and friends, or of `list.index`, normalized as
/// slice bounds over a sequence of `len` items (`start` may stay past the end).
fn search_bounds(args: &[Value], len: usize) -> Result<(usize, usize), Value> {
    let len = len as i64;
    let get = |v: Option<&Value>, default: i64| -> Result<i64, Value> {
        match v {
            None | Some(Value::None) => Ok(default),
            Some(v) => {
                let i = v.as_int().ok_or_else(|| {
                    Value::exception(
                        "TypeError",
                        "slice indices must be integers or None or have an __index__ method",
                    )
                })?;
                Ok(if i < 0 { (i + len).max(0) } else { i })
            }
        }
    };
    let start = get(args.first(), 0)?;
    let end = get(args.get(1), len)?.min(len);
    Ok((start as usize, end as usize))
}

/// Calls a method of a builtin value (`receiver.method(*args, **kwargs)`).
pub fn call_method(
    receiver: &Value,
    method: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> OpResult {
    if let (Value::Range(start, stop, step), "index" | "count") = (receiver, method) {
        return range_index_count(*start, *stop, *step, method, args, kwargs);
    }
    if let (Value::Internal(view), "isdisjoint") = (receiver, method) {
        if let Internal::DictView {
            kind: crate::value::ViewKind::Keys | crate::value::ViewKind::Items,
            ..
        } = &**view
        {
            // The one method of the set-like views.
            if !kwargs.is_empty() {
                return raise(
                    "TypeError",
                    format!(
                        "{}.isdisjoint() takes no keyword arguments",
                        receiver.type_name()
                    ),
                );
            }
            let [other] = args else {
                return raise(
                    "TypeError",
                    format!(
                        "isdisjoint() takes exactly one argument ({} given)",
                        args.len()
                    ),
                );
            };
            for x in iterate(other)? {
                if ops::contains(receiver, &x)? {
                    return Ok(Value::Bool(false));
                }
            }
            return Ok(Value::Bool(true));
        }
    }
    let known = match receiver {
        Value::Str(_) => ir::STR_METHODS.contains(&method),
        Value::List(_) => ir::LIST_METHODS.contains(&method),
        Value::Dict(_) => ir::DICT_METHODS.contains(&method),
        Value::Set(_) => ir::SET_METHODS.contains(&method),
        Value::Tuple(_) => ir::TUPLE_METHODS.contains(&method),
        Value::Int(_) | Value::Bool(_) => ir::INT_METHODS.contains(&method),
        Value::Float(_) => ir::FLOAT_METHODS.contains(&method),
        _ => false,
    };
    if !known {
        return raise(
            "AttributeError",
            format!(
                "'{}' object has no attribute '{method}'",
                receiver.type_name()
            ),
        );
    }
    // `bool` inherits the methods of `int`, and its errors name them so.
    let owner = match receiver {
        Value::Bool(_) => "int",
        other => other.type_name(),
    };
    check_method_args(owner, method, args, kwargs)?;
    match receiver {
        Value::Str(s) => str_method(s, method, args, kwargs),
        Value::List(l) => list_method(l, method, args, kwargs),
        Value::Dict(d) => dict_method(d, method, args, kwargs),
        Value::Set(s) => set_method(s, method, args),
        Value::Tuple(t) => seq_index_count(t, "tuple", method, args),
        // `float.is_integer` and `int.bit_length`, their one method each.
        Value::Float(f) => Ok(Value::Bool(f.is_finite() && f.fract() == 0.0)),
        Value::Int(n) => Ok(Value::Int(bit_length(*n))),
        Value::Bool(b) => Ok(Value::Int(i64::from(*b))),
        _ => unreachable!("checked above"),
    }
}

/// `range.index(x)` and `range.count(x)`: arithmetic for an int (or bool), and for another
/// value what comparing it with every item would find (only an integral float equals one).
fn range_index_count(
    start: i64,
    stop: i64,
    step: i64,
    method: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> OpResult {
    if !kwargs.is_empty() {
        return raise(
            "TypeError",
            format!("range.{method}() takes no keyword arguments"),
        );
    }
    let [x] = args else {
        return raise(
            "TypeError",
            format!(
                "range.{method}() takes exactly one argument ({} given)",
                args.len()
            ),
        );
    };
    let wanted = match x {
        Value::Int(n) => Some(*n),
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
        _ => None,
    };
    let position = wanted.and_then(|n| {
        let inside = if step > 0 {
            start <= n && n < stop
        } else {
            stop < n && n <= start
        };
        let offset = i128::from(n) - i128::from(start);
        (inside && offset % i128::from(step) == 0).then(|| offset / i128::from(step))
    });
    match (method, position) {
        ("count", found) => Ok(Value::Int(i64::from(found.is_some()))),
        (_, Some(i)) => match i64::try_from(i) {
            Ok(i) => Ok(Value::Int(i)),
            Err(_) => raise(
                "OverflowError",
                "integer overflow (entiflow integers are 64-bit)",
            ),
        },
        (_, None) if matches!(x, Value::Int(_) | Value::Bool(_)) => {
            raise("ValueError", format!("{} is not in range", repr(x)))
        }
        (_, None) => raise("ValueError", "sequence.index(x): x not in sequence"),
    }
}

fn str_method(s: &Rc<str>, method: &str, args: &[Value], kwargs: &[(String, Value)]) -> OpResult {
    Ok(match method {
        "upper" => Value::str(&text::upper(s)),
        "lower" => Value::str(&text::lower(s)),
        "strip" | "lstrip" | "rstrip" => {
            let chars: Option<Vec<char>> = match args.first() {
                None | Some(Value::None) => None,
                Some(Value::Str(cs)) => Some(cs.chars().collect()),
                Some(_) => return raise("TypeError", "strip arg must be None or str"),
            };
            let pred = |c: char| match &chars {
                None => is_py_space(c),
                Some(cs) => cs.contains(&c),
            };
            Value::str(match method {
                "strip" => s.trim_matches(pred),
                "lstrip" => s.trim_start_matches(pred),
                _ => s.trim_end_matches(pred),
            })
        }
        "split" => split(s, args, kwargs, false)?,
        "join" => {
            let items = iterate(&args[0])
                .map_err(|_| Value::exception("TypeError", "can only join an iterable"))?;
            // The size first, as CPython does: a join too big to build fails before it starts.
            let mut size = s.len().saturating_mul(items.len().saturating_sub(1));
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Str(x) => size = size.saturating_add(x.len()),
                    other => {
                        return raise(
                            "TypeError",
                            format!(
                                "sequence item {i}: expected str instance, {} found",
                                other.type_name()
                            ),
                        )
                    }
                }
            }
            ops::check_text_size(size)?;
            let mut out = String::with_capacity(size);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(s);
                }
                if let Value::Str(x) = item {
                    out.push_str(x);
                }
            }
            Value::str(&out)
        }
        "replace" => {
            let (from, to) = (
                str_arg(&args[0], "replace() argument 1")?,
                str_arg(&args[1], "replace() argument 2")?,
            );
            let limit = match args.get(2).map(int_arg).transpose()? {
                Some(n) if n >= 0 => Some(n as usize),
                _ => None,
            };
            // The result's size, known before it is built: every match (an empty pattern
            // matches between characters and at both ends) trades `from` for `to`.
            if to.len() > from.len() {
                let matches = if from.is_empty() {
                    s.chars().count() + 1
                } else {
                    s.matches(from).count()
                };
                let matches = limit.map_or(matches, |n| matches.min(n));
                ops::check_text_size(
                    s.len()
                        .saturating_add(matches.saturating_mul(to.len() - from.len())),
                )?;
            }
            match limit {
                Some(n) => Value::str(&s.replacen(from, to, n)),
                None => Value::str(&s.replace(from, to)),
            }
        }
        "startswith" | "endswith" => {
            let options: Vec<Value> = match &args[0] {
                Value::Tuple(t) => t.to_vec(),
                Value::Str(_) => vec![args[0].clone()],
                other => {
                    return raise(
                        "TypeError",
                        format!(
                            "{method} first arg must be str or a tuple of str, not {}",
                            other.type_name()
                        ),
                    )
                }
            };
            // ASCII text is compared as bytes, without collecting its characters.
            if s.is_ascii() && options.iter().all(|o| matches!(o, Value::Str(_))) {
                let (start, end) = search_bounds(&args[1..], s.len())?;
                if start > s.len() || end < start {
                    return Ok(Value::Bool(false));
                }
                let window = &s[start..end];
                return Ok(Value::Bool(options.iter().any(|o| match o {
                    Value::Str(o) if method == "startswith" => window.starts_with(&**o),
                    Value::Str(o) => window.ends_with(&**o),
                    _ => false,
                })));
            }
            let chars: Vec<char> = s.chars().collect();
            let (start, end) = search_bounds(&args[1..], chars.len())?;
            let mut hit = false;
            for o in &options {
                let o: Vec<char> = match o {
                    Value::Str(o) => o.chars().collect(),
                    other => {
                        return raise(
                            "TypeError",
                            format!(
                                "tuple for {method} must only contain str, not {}",
                                other.type_name()
                            ),
                        )
                    }
                };
                if start > chars.len() || end < start || end - start < o.len() {
                    continue;
                }
                let window = &chars[start..end];
                hit |= if method == "startswith" {
                    window.starts_with(&o)
                } else {
                    window.ends_with(&o)
                };
            }
            Value::Bool(hit)
        }
        "find" | "index" | "count" | "rfind" | "rindex" => {
            let sub: Vec<char> = match &args[0] {
                Value::Str(sub) => sub.chars().collect(),
                other => {
                    return raise(
                        "TypeError",
                        format!("must be str, not {}", other.type_name()),
                    )
                }
            };
            // ASCII text is searched as bytes: no copy of its characters per call (a parser
            // calling `s.find(",", i)` in a loop would be quadratic).
            if let (true, Value::Str(needle)) = (s.is_ascii(), &args[0]) {
                if !needle.is_empty() && needle.is_ascii() {
                    let (start, end) = search_bounds(&args[1..], s.len())?;
                    let end = end.min(s.len());
                    let hay = if start <= end { &s[start..end] } else { "" };
                    let found = match method {
                        "count" => return Ok(Value::Int(hay.matches(&**needle).count() as i64)),
                        "rfind" | "rindex" => hay.rfind(&**needle),
                        _ => hay.find(&**needle),
                    };
                    return match (found, method) {
                        (Some(i), _) => Ok(Value::Int((start + i) as i64)),
                        (None, "find" | "rfind") => Ok(Value::Int(-1)),
                        (None, _) => raise("ValueError", "substring not found"),
                    };
                }
            }
            let chars: Vec<char> = s.chars().collect();
            let (start, end) = search_bounds(&args[1..], chars.len())?;
            if method == "count" {
                if start > chars.len() || end < start {
                    return Ok(Value::Int(0));
                }
                if sub.is_empty() {
                    return Ok(Value::Int((end - start) as i64 + 1));
                }
                let (mut i, mut n) = (start, 0);
                while i + sub.len() <= end {
                    if chars[i..i + sub.len()] == sub[..] {
                        n += 1;
                        i += sub.len();
                    } else {
                        i += 1;
                    }
                }
                return Ok(Value::Int(n));
            }
            let found = if start > chars.len() || end < start || end - start < sub.len() {
                None
            } else {
                let at = |i: &usize| chars[*i..*i + sub.len()] == sub[..];
                let mut candidates = start..=end - sub.len();
                if method.starts_with('r') {
                    candidates.rev().find(at)
                } else {
                    candidates.find(at)
                }
            };
            match found {
                Some(i) => Value::Int(i as i64),
                None if method.ends_with("find") => Value::Int(-1),
                None => return raise("ValueError", "substring not found"),
            }
        }
        "format" => Value::str(&str_format(s, args, kwargs)?),
        "format_map" => Value::str(&str_format_map(s, &args[0])?),
        "title" => Value::str(&text::title(s)),
        "capitalize" => Value::str(&text::capitalize(s)),
        "rsplit" => split(s, args, kwargs, true)?,
        "partition" | "rpartition" => {
            let sep = match &args[0] {
                Value::Str(sep) if sep.is_empty() => return raise("ValueError", "empty separator"),
                Value::Str(sep) => sep.clone(),
                other => {
                    return raise(
                        "TypeError",
                        format!("must be str, not {}", other.type_name()),
                    )
                }
            };
            let at = if method == "partition" {
                s.find(&*sep)
            } else {
                s.rfind(&*sep)
            };
            let parts = match at {
                Some(i) => [&s[..i], &sep[..], &s[i + sep.len()..]],
                None if method == "partition" => [&s[..], "", ""],
                None => ["", "", &s[..]],
            };
            Value::Tuple(Rc::from(parts.map(Value::str).to_vec()))
        }
        "center" | "ljust" | "rjust" => {
            let width = int_arg(&args[0])?;
            let fill = match args.get(1) {
                None => ' ',
                Some(Value::Str(f)) if f.chars().count() == 1 => f.chars().next().unwrap_or(' '),
                Some(Value::Str(_)) => {
                    return raise(
                        "TypeError",
                        "The fill character must be exactly one character long",
                    )
                }
                Some(other) => {
                    return raise(
                        "TypeError",
                        format!(
                            "The fill character must be a unicode character, not {}",
                            other.type_name()
                        ),
                    )
                }
            };
            let n = s.chars().count() as i64;
            if width <= n {
                return Ok(Value::Str(s.clone()));
            }
            let margin = width - n;
            crate::ops::check_text_size(margin as usize)?;
            let left = match method {
                // CPython's rounding: the odd character goes left when the width is odd.
                "center" => margin / 2 + (margin & width & 1),
                "ljust" => 0,
                _ => margin,
            };
            let pad = |k: i64| fill.to_string().repeat(k as usize);
            Value::str(&format!("{}{s}{}", pad(left), pad(margin - left)))
        }
        "isupper" => Value::Bool(text::is_upper_str(s)),
        "islower" => Value::Bool(text::is_lower_str(s)),
        "isspace" => Value::Bool(!s.is_empty() && s.chars().all(is_py_space)),
        "swapcase" => Value::str(&text::swapcase(s)),
        "removeprefix" | "removesuffix" => {
            let affix = str_arg(&args[0], &format!("{method}() argument"))?;
            Value::str(if method == "removeprefix" {
                s.strip_prefix(affix).unwrap_or(s)
            } else {
                s.strip_suffix(affix).unwrap_or(s)
            })
        }
        "isdecimal" => Value::Bool(
            !s.is_empty()
                && s.chars()
                    .all(|c| crate::unicode_digits::decimal_value(c).is_some()),
        ),
        "isdigit" => Value::Bool(!s.is_empty() && s.chars().all(crate::unicode_digits::is_digit)),
        "isnumeric" => Value::Bool(!s.is_empty() && s.chars().all(text::is_numeric)),
        "casefold" => Value::str(&text::casefold(s)),
        "istitle" => Value::Bool(text::is_title_str(s)),
        "isprintable" => Value::Bool(s.chars().all(text::is_printable)),
        "isidentifier" => Value::Bool(text::is_identifier(s)),
        "expandtabs" => Value::str(&expandtabs(s, args, kwargs)?),
        "maketrans" => maketrans(args)?,
        "translate" => Value::str(&translate(s, &args[0])?),
        "splitlines" => {
            let keepends = args
                .first()
                .or(kwarg(kwargs, "keepends"))
                .is_some_and(Value::truthy);
            let mut lines = Vec::new();
            let mut start = 0;
            let mut chars = s.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                let is_break = matches!(
                    c,
                    '\n' | '\r'
                        | '\x0b'
                        | '\x0c'
                        | '\x1c'
                        | '\x1d'
                        | '\x1e'
                        | '\u{85}'
                        | '\u{2028}'
                        | '\u{2029}'
                );
                if !is_break {
                    continue;
                }
                let mut end = i + c.len_utf8();
                if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
                    chars.next();
                    end += 1;
                }
                lines.push(Value::str(&s[start..if keepends { end } else { i }]));
                start = end;
            }
            if start < s.len() {
                lines.push(Value::str(&s[start..]));
            }
            Value::list(lines)
        }
        "isalpha" => Value::Bool(!s.is_empty() && s.chars().all(text::is_alpha)),
        "isalnum" => Value::Bool(!s.is_empty() && s.chars().all(text::is_alnum)),
        "isascii" => Value::Bool(s.is_ascii()),
        "zfill" => {
            let width = int_arg(&args[0])?.max(0) as usize;
            crate::ops::check_text_size(width)?;
            let n = s.chars().count();
            if n >= width {
                Value::Str(s.clone())
            } else {
                let (sign, rest) = if s.starts_with(['-', '+']) {
                    s.split_at(1)
                } else {
                    ("", &s[..])
                };
                Value::str(&format!("{sign}{}{rest}", "0".repeat(width - n)))
            }
        }
        _ => {
            return raise(
                "AttributeError",
                format!("'str' object has no attribute '{method}'"),
            )
        }
    })
}

/// `int.bit_length`: the bits of the magnitude, without sign and leading zeros.
fn bit_length(n: i64) -> i64 {
    i64::from(u64::BITS - n.unsigned_abs().leading_zeros())
}

/// `str.expandtabs(tabsize=8)`: each tab becomes the spaces up to the next multiple of
/// `tabsize` columns, counted from the last line break (none at all when `tabsize <= 0`).
fn expandtabs(s: &str, args: &[Value], kwargs: &[(String, Value)]) -> Result<String, Value> {
    let given = args.len() + kwargs.len();
    if given > 1 {
        return raise(
            "TypeError",
            format!("expandtabs() takes at most 1 argument ({given} given)"),
        );
    }
    let tabsize = match args.first().or(kwarg(kwargs, "tabsize")) {
        None => 8,
        Some(v) => tab_size_arg(v)?,
    };
    let mut out = String::with_capacity(s.len());
    let mut column = 0;
    for c in s.chars() {
        match c {
            '\t' if tabsize > 0 => {
                let pad = tabsize - column % tabsize;
                ops::check_text_size(out.len() + pad)?;
                out.extend(std::iter::repeat_n(' ', pad));
                column += pad;
            }
            '\t' => {}
            '\n' | '\r' => {
                out.push(c);
                column = 0;
            }
            _ => {
                out.push(c);
                column += 1;
            }
        }
    }
    Ok(out)
}

/// The `tabsize` of `str.expandtabs`, which CPython reads as a C `int` (0 for the negative
/// ones, which remove tabs just as 0 does).
fn tab_size_arg(v: &Value) -> Result<usize, Value> {
    let n = int_arg(v)?;
    if i32::try_from(n).is_err() {
        return raise("OverflowError", "Python int too large to convert to C int");
    }
    Ok(n.max(0) as usize)
}

/// `str.split` and, `from_right`, `str.rsplit` (whose `maxsplit` counts from the right).
fn split(s: &str, args: &[Value], kwargs: &[(String, Value)], from_right: bool) -> OpResult {
    let sep = args
        .first()
        .or(kwarg(kwargs, "sep"))
        .filter(|v| !matches!(v, Value::None));
    let maxsplit = match args.get(1).or(kwarg(kwargs, "maxsplit")) {
        Some(v) => int_arg(v)?,
        None => -1,
    };
    let limit = (maxsplit >= 0).then(|| maxsplit.saturating_add(1) as usize);
    let mut parts: Vec<Value> = match sep {
        None => {
            let mut out = Vec::new();
            let mut rest = if from_right {
                s.trim_end_matches(is_py_space)
            } else {
                s.trim_start_matches(is_py_space)
            };
            while !rest.is_empty() {
                if limit.is_some_and(|l| out.len() + 1 >= l) {
                    out.push(Value::str(rest));
                    break;
                }
                if from_right {
                    let start = rest.rfind(is_py_space).map_or(0, |i| {
                        i + rest[i..].chars().next().map_or(1, char::len_utf8)
                    });
                    out.push(Value::str(&rest[start..]));
                    rest = rest[..start].trim_end_matches(is_py_space);
                } else {
                    let end = rest.find(is_py_space).unwrap_or(rest.len());
                    out.push(Value::str(&rest[..end]));
                    rest = rest[end..].trim_start_matches(is_py_space);
                }
            }
            out
        }
        Some(Value::Str(sep)) => {
            if sep.is_empty() {
                return raise("ValueError", "empty separator");
            }
            match (from_right, limit) {
                (false, None) => s.split(&**sep).map(Value::str).collect(),
                (false, Some(l)) => s.splitn(l, &**sep).map(Value::str).collect(),
                (true, None) => s.rsplit(&**sep).map(Value::str).collect(),
                (true, Some(l)) => s.rsplitn(l, &**sep).map(Value::str).collect(),
            }
        }
        Some(other) => {
            return raise(
                "TypeError",
                format!("must be str or None, not {}", other.type_name()),
            )
        }
    };
    if from_right {
        parts.reverse();
    }
    Ok(Value::list(parts))
}

fn list_method(
    l: &Rc<RefCell<Vec<Value>>>,
    method: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> OpResult {
    Ok(match method {
        "append" => {
            journal::list_grows(l);
            l.borrow_mut().push(args[0].clone());
            Value::None
        }
        "extend" => {
            let items = iterate(&args[0])?;
            ops::check_items(l.borrow().len() + items.len())?;
            journal::list_grows(l);
            l.borrow_mut().extend(items);
            Value::None
        }
        "insert" => {
            let i = int_arg(&args[0])?;
            let mut v = l.borrow_mut();
            let len = v.len() as i64;
            let i = if i < 0 { (i + len).max(0) } else { i.min(len) };
            v.insert(i as usize, args[1].clone());
            drop(v);
            journal::list_inserted(l, i as usize);
            Value::None
        }
        "pop" => {
            let i = match args.first() {
                Some(v) => int_arg(v)?,
                None => -1,
            };
            let mut v = l.borrow_mut();
            if v.is_empty() {
                return raise("IndexError", "pop from empty list");
            }
            match ops::norm_index(i, v.len()) {
                Some(i) => {
                    let removed = v.remove(i);
                    journal::list_removed(l, i, &removed);
                    removed
                }
                None => return raise("IndexError", "pop index out of range"),
            }
        }
        "remove" => {
            // Searched without holding the list: an item may be the list itself, which the
            // comparison then reads.
            let found = l.borrow().iter().position(|x| *x == args[0]);
            match found {
                Some(i) => {
                    let removed = l.borrow_mut().remove(i);
                    journal::list_removed(l, i, &removed);
                    Value::None
                }
                None => return raise("ValueError", "list.remove(x): x not in list"),
            }
        }
        "index" | "count" => seq_index_count(&l.borrow(), "list", method, args)?,
        "sort" => {
            if !args.is_empty() {
                return raise("TypeError", "sort() takes no positional arguments");
            }
            // Key functions are not values in the language; `key=None` is no key.
            if let Some(key) = kwarg(kwargs, "key").filter(|k| !matches!(k, Value::None)) {
                return raise(
                    "TypeError",
                    format!("'{}' object is not callable", key.type_name()),
                );
            }
            // Sorted outside the list (comparisons cannot touch it here), then stored back,
            // partially sorted on an error as in CPython.
            let reverse = reverse_flag(kwargs)?;
            let mut items = l.borrow().clone();
            let result = ops::py_sort(&mut items, reverse);
            let old = std::mem::replace(&mut *l.borrow_mut(), items);
            journal::list_contents(l, old);
            result?;
            Value::None
        }
        "reverse" => {
            l.borrow_mut().reverse();
            journal::list_reversed(l);
            Value::None
        }
        "clear" => {
            let old = std::mem::take(&mut *l.borrow_mut());
            journal::list_contents(l, old);
            Value::None
        }
        "copy" => Value::list(l.borrow().clone()),
        _ => {
            return raise(
                "AttributeError",
                format!("'list' object has no attribute '{method}'"),
            )
        }
    })
}

/// The `reverse=` of `sorted` and `list.sort`: an integer (or bool), as CPython reads it.
fn reverse_flag(kwargs: &[(String, Value)]) -> Result<bool, Value> {
    match kwarg(kwargs, "reverse") {
        None => Ok(false),
        Some(v) => match v.as_int() {
            Some(i) => Ok(i != 0),
            None => raise(
                "TypeError",
                format!(
                    "'{}' object cannot be interpreted as an integer",
                    v.type_name()
                ),
            ),
        },
    }
}

/// `seq.index(x[, start[, stop]])` and `seq.count(x)` of a list or tuple.
fn seq_index_count(v: &[Value], type_name: &str, method: &str, args: &[Value]) -> OpResult {
    if method == "count" {
        return Ok(Value::Int(
            v.iter().filter(|x| **x == args[0]).count() as i64
        ));
    }
    // Unlike str.find, these do not accept None bounds.
    if args[1..].iter().any(|b| b.as_int().is_none()) {
        return raise(
            "TypeError",
            "slice indices must be integers or have an __index__ method",
        );
    }
    let (start, end) = search_bounds(&args[1..], v.len())?;
    match (start..end.max(start)).find(|&i| i < v.len() && v[i] == args[0]) {
        Some(i) => Ok(Value::Int(i as i64)),
        None if type_name == "tuple" => raise("ValueError", "tuple.index(x): x not in tuple"),
        None => raise("ValueError", format!("{} is not in list", repr(&args[0]))),
    }
}

fn key_error(key: &Value) -> Value {
    Value::Exception(Rc::new(crate::value::Exception::new(
        "KeyError",
        vec![key.clone()],
    )))
}

/// The (key, value) pairs of `dict(x)` / `d.update(x)`: a dict's items, or an iterable of pairs.
pub(crate) fn update_pairs(other: &Value) -> Result<Vec<(Value, Value)>, Value> {
    let (pairs, failure) = update_pairs_until_error(other);
    failure.map(|()| pairs)
}

/// The pairs of `dict.update(other)` up to the first bad one, and the error it raises: as in
/// CPython, the pairs before it are added all the same.
pub(crate) fn update_pairs_until_error(other: &Value) -> (Vec<(Value, Value)>, Result<(), Value>) {
    if let Value::Dict(o) = other {
        let pairs = o
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        return (pairs, Ok(()));
    }
    let items = match iterate(other) {
        Ok(items) => items,
        Err(e) => return (Vec::new(), Err(e)),
    };
    let mut out = Vec::new();
    for (i, pair) in items.into_iter().enumerate() {
        let kv = match iterate(&pair) {
            Ok(kv) => kv,
            Err(_) => {
                let message =
                    format!("cannot convert dictionary update sequence element #{i} to a sequence");
                return (out, Err(Value::exception("TypeError", message)));
            }
        };
        if kv.len() != 2 {
            let message = format!(
                "dictionary update sequence element #{i} has length {}; 2 is required",
                kv.len()
            );
            return (out, Err(Value::exception("ValueError", message)));
        }
        if let Err(e) = check_hashable(&kv[0]) {
            return (out, Err(e));
        }
        out.push((kv[0].clone(), kv[1].clone()));
    }
    (out, Ok(()))
}

fn dict_method(
    d: &Rc<RefCell<DictMap>>,
    method: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> OpResult {
    Ok(match method {
        "get" => {
            check_hashable(&args[0])?;
            d.borrow()
                .get(&args[0])
                .cloned()
                .unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::None))
        }
        "keys" | "values" | "items" => Value::Internal(Rc::new(Internal::DictView {
            dict: Value::Dict(d.clone()),
            kind: ViewKind::of_method(method).unwrap_or(ViewKind::Keys),
        })),
        "pop" => {
            // CPython answers for an empty dict before hashing the key.
            if !d.borrow().is_empty() {
                check_hashable(&args[0])?;
            }
            let removed = if d.borrow().is_empty() {
                None
            } else {
                d.borrow_mut().shift_remove_full(&args[0])
            };
            match removed {
                Some((i, k, v)) => {
                    journal::dict_removed(d, i, &k, &v);
                    v
                }
                None => match args.get(1) {
                    Some(default) => default.clone(),
                    None => return Err(key_error(&args[0])),
                },
            }
        }
        "setdefault" => {
            check_hashable(&args[0])?;
            let present = d.borrow().get(&args[0]).cloned();
            match present {
                Some(v) => v,
                None => {
                    let value = args.get(1).cloned().unwrap_or(Value::None);
                    let (i, old) = d.borrow_mut().insert_full(args[0].clone(), value.clone());
                    journal::dict_inserted(d, i, old);
                    value
                }
            }
        }
        "update" => {
            let (mut pairs, failure) = match args.first() {
                Some(other) => update_pairs_until_error(other),
                None => (Vec::new(), Ok(())),
            };
            if failure.is_ok() {
                pairs.extend(kwargs.iter().map(|(k, v)| (Value::str(k), v.clone())));
            }
            for (k, v) in pairs {
                let (i, old) = d.borrow_mut().insert_full(k, v);
                journal::dict_inserted(d, i, old);
            }
            failure?;
            Value::None
        }
        "clear" => {
            let old = std::mem::take(&mut *d.borrow_mut());
            journal::dict_contents(d, old);
            Value::None
        }
        "copy" => Value::dict(d.borrow().clone()),
        "fromkeys" => {
            // A class method: the receiver only names the type. Every key gets the same value
            // object, as in Python.
            let value = args.get(1).cloned().unwrap_or(Value::None);
            let mut m = DictMap::default();
            for key in ops::iterate(&args[0])? {
                check_hashable(&key)?;
                m.insert(key, value.clone());
            }
            Value::dict(m)
        }
        "popitem" => {
            let last = d.borrow_mut().pop();
            match last {
                Some((k, v)) => {
                    journal::dict_removed(d, d.borrow().len(), &k, &v);
                    Value::tuple(vec![k, v])
                }
                None => return raise("KeyError", "popitem(): dictionary is empty"),
            }
        }
        _ => {
            return raise(
                "AttributeError",
                format!("'dict' object has no attribute '{method}'"),
            )
        }
    })
}

/// A new set value.
fn new_set(members: SetMap) -> Value {
    Value::Set(Rc::new(RefCell::new(members)))
}

/// An argument of a set method as CPython treats it: another set (taken in its iteration
/// order), a dict (its keys in order, its size known ahead), or another iterable's items.
enum SetArg {
    Set(Rc<RefCell<SetMap>>),
    Dict(Vec<Value>),
    Items(Vec<Value>),
}

impl SetArg {
    fn of(arg: &Value) -> Result<SetArg, Value> {
        Ok(match arg {
            Value::Set(t) => SetArg::Set(t.clone()),
            Value::Dict(d) => SetArg::Dict(d.borrow().keys().cloned().collect()),
            other => SetArg::Items(iterate(other)?),
        })
    }

    /// Whether this is the set `s` itself.
    fn is(&self, s: &Rc<RefCell<SetMap>>) -> bool {
        matches!(self, SetArg::Set(t) if Rc::ptr_eq(t, s))
    }

    /// The members CPython goes through, in its order; an unhashable item raises when reached.
    fn members(&self) -> Vec<Value> {
        match self {
            SetArg::Set(t) => set_order::members(&t.borrow()),
            SetArg::Dict(keys) => keys.clone(),
            SetArg::Items(items) => items.clone(),
        }
    }

    /// The argument as a set (other iterables built member by member).
    fn as_set(&self) -> Result<SetMap, Value> {
        match self {
            SetArg::Set(t) => Ok(t.borrow().clone()),
            SetArg::Dict(keys) => Ok(keys.iter().cloned().collect()),
            SetArg::Items(items) => {
                let mut set = SetMap::default();
                for x in items {
                    check_hashable(x)?;
                    set.insert(x.clone());
                }
                Ok(set)
            }
        }
    }
}

/// `set_update_internal`: adds the members of `arg` to `target` (a set merged, a dict's keys
/// after sizing the table for them, other items one by one, up to an unhashable one).
fn update_set(target: &mut SetMap, arg: &SetArg) -> Result<(), Value> {
    match arg {
        SetArg::Set(t) => set_order::merge(target, &t.borrow()),
        SetArg::Dict(keys) => {
            set_order::growing_by(target, keys.len());
            for k in keys {
                set_order::adding(target, k);
                target.insert(k.clone());
            }
        }
        SetArg::Items(items) => {
            for x in items {
                check_hashable(x)?;
                set_order::adding(target, x);
                target.insert(x.clone());
            }
        }
    }
    Ok(())
}

/// `set_intersection`: a new set of the members of `so` found in `arg`, built in the order of
/// the smaller set (or of the other iterable's items).
fn intersect_set(so: &SetMap, arg: &SetArg) -> Result<SetMap, Value> {
    Ok(match arg {
        SetArg::Set(t) => ops::intersect(so, &t.borrow(), true),
        _ => {
            let mut out = SetMap::default();
            for x in arg.members() {
                check_hashable(&x)?;
                if so.contains(&x) {
                    out.insert(x);
                }
            }
            out
        }
    })
}

/// `set_difference_update_internal` on a set being built: removes the members of `arg`, then
/// drops the dummies when they fill more than a quarter of the table.
fn difference_update_new(target: &mut SetMap, arg: &SetArg) -> Result<(), Value> {
    for x in arg.members() {
        check_hashable(&x)?;
        set_order::discard_new(target, &x);
    }
    set_order::after_removals(target);
    Ok(())
}

/// `set_difference`: a copy that loses `arg`'s members when `so` is much larger than it (or it
/// is no set or dict), else the members of `so` not in `arg` added one by one to a new set.
fn difference_set(so: &SetMap, arg: &SetArg) -> Result<SetMap, Value> {
    let other_len = match arg {
        SetArg::Set(t) => t.borrow().len(),
        SetArg::Dict(keys) => keys.len(),
        SetArg::Items(_) => 0,
    };
    if matches!(arg, SetArg::Items(_)) || so.len() >> 2 > other_len {
        let mut out = set_order::copy(so);
        difference_update_new(&mut out, arg)?;
        return Ok(out);
    }
    let other = arg.as_set()?;
    Ok(set_order::members(so)
        .into_iter()
        .filter(|x| !other.contains(x))
        .collect())
}

/// `set_symmetric_difference_update` on a set being built: each member of `arg` (a set's or a
/// dict's in their order, other items as the set they make) leaves `target` or joins it.
fn symmetric_update_new(target: &mut SetMap, arg: &SetArg) -> Result<(), Value> {
    let members = match arg {
        SetArg::Items(_) => set_order::members(&arg.as_set()?),
        _ => arg.members(),
    };
    for x in members {
        if target.contains(&x) {
            set_order::discard_new(target, &x);
        } else {
            set_order::adding(target, &x);
            target.insert(x);
        }
    }
    Ok(())
}

/// Runs a method of a set value (also what the set operators do: `|` is `union`, `|=` is
/// `update`, ...), as CPython 3.11's `Objects/setobject.c` does, down to the order of the
/// members it adds and removes (which decides the set's iteration order).
pub(crate) fn set_method(s: &Rc<RefCell<SetMap>>, method: &str, args: &[Value]) -> OpResult {
    let set_args =
        |args: &[Value]| -> Result<Vec<SetArg>, Value> { args.iter().map(SetArg::of).collect() };
    Ok(match method {
        "add" => {
            check_hashable(&args[0])?;
            set_order::adding(&s.borrow(), &args[0]);
            let (_, added) = s.borrow_mut().insert_full(args[0].clone());
            journal::set_inserted(s, added);
            Value::None
        }
        // A set argument is looked up as the equal frozenset: never a member here.
        "discard" if matches!(&args[0], Value::Set(_)) => Value::None,
        "remove" if matches!(&args[0], Value::Set(_)) => return Err(key_error(&args[0])),
        "discard" => {
            check_hashable(&args[0])?;
            set_order::discard(s, &args[0]);
            Value::None
        }
        "remove" => {
            check_hashable(&args[0])?;
            if !set_order::discard(s, &args[0]) {
                return Err(key_error(&args[0]));
            }
            Value::None
        }
        "union" => {
            let mut out = set_order::copy(&s.borrow());
            for arg in set_args(args)? {
                if !arg.is(s) {
                    update_set(&mut out, &arg)?;
                }
            }
            new_set(out)
        }
        // Members are added one by one: an unhashable one raises after those before it went in,
        // as in CPython.
        "update" => {
            for arg in set_args(args)? {
                if arg.is(s) {
                    continue;
                }
                journal::set_grows(s);
                update_set(&mut s.borrow_mut(), &arg)?;
            }
            Value::None
        }
        "intersection" | "intersection_update" => {
            let args = set_args(args)?;
            let mut out = match args.first() {
                None => set_order::copy(&s.borrow()),
                Some(arg) if arg.is(s) => set_order::copy(&s.borrow()),
                Some(arg) => intersect_set(&s.borrow(), arg)?,
            };
            for arg in args.iter().skip(1) {
                out = intersect_set(&out, arg)?;
            }
            if method == "intersection" {
                new_set(out)
            } else {
                set_order::replace(s, out);
                Value::None
            }
        }
        "difference" => {
            let args = set_args(args)?;
            let mut out = match args.first() {
                None => set_order::copy(&s.borrow()),
                Some(arg) if arg.is(s) => SetMap::default(),
                Some(arg) => difference_set(&s.borrow(), arg)?,
            };
            for arg in args.iter().skip(1) {
                difference_update_new(&mut out, arg)?;
            }
            new_set(out)
        }
        // Members are removed one by one, also up to an unhashable one, as in CPython.
        "difference_update" => {
            for arg in set_args(args)? {
                if arg.is(s) {
                    set_order::replace(s, SetMap::default());
                    continue;
                }
                for x in arg.members() {
                    check_hashable(&x)?;
                    set_order::discard(s, &x);
                }
                set_order::after_removals(&s.borrow());
            }
            Value::None
        }
        "symmetric_difference_update" => {
            let arg = SetArg::of(&args[0])?;
            if arg.is(s) {
                set_order::replace(s, SetMap::default());
                return Ok(Value::None);
            }
            let members = match &arg {
                SetArg::Items(_) => set_order::members(&arg.as_set()?),
                _ => arg.members(),
            };
            for x in members {
                check_hashable(&x)?;
                if !set_order::discard(s, &x) {
                    set_order::adding(&s.borrow(), &x);
                    let (_, added) = s.borrow_mut().insert_full(x);
                    journal::set_inserted(s, added);
                }
            }
            Value::None
        }
        "symmetric_difference" => {
            let arg = SetArg::of(&args[0])?;
            let mut out = match &arg {
                SetArg::Set(t) => set_order::copy(&t.borrow()),
                SetArg::Dict(keys) => {
                    let mut out = set_order::presized(keys.len());
                    update_set(&mut out, &arg)?;
                    out
                }
                SetArg::Items(_) => arg.as_set()?,
            };
            let so = SetArg::Set(s.clone());
            symmetric_update_new(&mut out, &so)?;
            new_set(out)
        }
        "issubset" | "issuperset" | "isdisjoint" => {
            let other = SetArg::of(&args[0])?.as_set()?;
            let mine = s.borrow();
            Value::Bool(match method {
                "issubset" => mine.iter().all(|x| other.contains(x)),
                "issuperset" => other.iter().all(|x| mine.contains(x)),
                _ => !mine.iter().any(|x| other.contains(x)),
            })
        }
        "clear" => {
            set_order::replace(s, SetMap::default());
            Value::None
        }
        "copy" => new_set(set_order::copy(&s.borrow())),
        // CPython pops the member in its first occupied slot.
        "pop" => match set_order::pop(s) {
            Some(v) => v,
            None => return Err(key_error(&Value::str("pop from an empty set"))),
        },
        _ => {
            return raise(
                "AttributeError",
                format!("'set' object has no attribute '{method}'"),
            )
        }
    })
}

/// A single-pass iterator (`iter(...)`, `zip`, `enumerate`, ...): taking an item consumes it.
fn is_single_pass(v: &Value) -> bool {
    matches!(v, Value::Internal(i) if matches!(**i, Internal::Iterator { .. }))
}
