//! Builtin functions and the methods of builtin values.

use std::cell::RefCell;
use std::rc::Rc;

use crate::format::{repr, str_format, to_str};
use crate::ops::{self, check_hashable, iterate, py_cmp, py_eq, raise, sort_values, OpResult};
use crate::value::{DictMap, SetMap, Value};

fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Result<(), Value> {
    if args.len() < min || args.len() > max {
        let expected = if min == max { format!("exactly {min} argument{}", if min == 1 { "" } else { "s" }) } else if args.len() < min { format!("at least {min} argument{}", if min == 1 { "" } else { "s" }) } else { format!("at most {max} arguments") };
        return raise("TypeError", format!("{name}() takes {expected} ({} given)", args.len()));
    }
    Ok(())
}

fn kwarg<'a>(kwargs: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn no_kwargs(name: &str, kwargs: &[(String, Value)], allowed: &[&str]) -> Result<(), Value> {
    for (k, _) in kwargs {
        if !allowed.contains(&k.as_str()) {
            return raise("TypeError", format!("{name}() got an unexpected keyword argument '{k}'"));
        }
    }
    Ok(())
}

fn parse_int(text: &str, base: u32) -> Option<i64> {
    let t = text.trim().replace('_', "");
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d.to_string()),
        None => (false, t.strip_prefix('+').unwrap_or(&t).to_string()),
    };
    if digits.is_empty() {
        return None;
    }
    let v = i64::from_str_radix(&digits, base).ok()?;
    Some(if neg { -v } else { v })
}

fn to_float(v: &Value) -> OpResult {
    Ok(Value::Float(match v {
        Value::Float(f) => *f,
        Value::Int(_) | Value::Bool(_) => v.as_int().unwrap_or(0) as f64,
        Value::Str(s) => {
            let t = s.trim().to_ascii_lowercase();
            match t.as_str() {
                "inf" | "+inf" | "infinity" => f64::INFINITY,
                "-inf" | "-infinity" => f64::NEG_INFINITY,
                "nan" | "+nan" | "-nan" => f64::NAN,
                _ => t.replace('_', "").parse::<f64>().or_else(|_| raise("ValueError", format!("could not convert string to float: {}", repr(v))))?,
            }
        }
        other => return raise("TypeError", format!("float() argument must be a string or a real number, not '{}'", other.type_name())),
    }))
}

fn round_half_even(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 {
        2.0 * (x / 2.0).round()
    } else {
        r
    }
}

fn min_max(name: &str, args: &[Value], kwargs: &[(String, Value)], want: std::cmp::Ordering) -> OpResult {
    no_kwargs(name, kwargs, &["default"])?;
    let items = match args {
        [] => return raise("TypeError", format!("{name} expected at least 1 argument, got 0")),
        [one] => iterate(one)?,
        many => many.to_vec(),
    };
    let mut best: Option<Value> = None;
    for item in items {
        best = Some(match best {
            None => item,
            Some(b) => {
                if py_cmp(&item, &b, if want == std::cmp::Ordering::Less { "<" } else { ">" })? == Some(want) {
                    item
                } else {
                    b
                }
            }
        });
    }
    match best {
        Some(b) => Ok(b),
        None => match kwarg(kwargs, "default") {
            Some(d) => Ok(d.clone()),
            None => raise("ValueError", format!("{name}() iterable argument is empty")),
        },
    }
}

/// Calls a builtin function.
pub fn call_builtin(func: &str, args: &[Value], kwargs: &[(String, Value)]) -> OpResult {
    match func {
        "$iterable" => ops::iterable(&args[0]),
        "len" => {
            arity("len", args, 1, 1)?;
            Ok(Value::Int(ops::len(&args[0])? as i64))
        }
        "abs" => {
            arity("abs", args, 1, 1)?;
            match &args[0] {
                Value::Float(f) => Ok(Value::Float(f.abs())),
                v => match v.as_int() {
                    Some(i) => i.checked_abs().map(Value::Int).ok_or_else(|| Value::exception("OverflowError", "integer overflow (entiflow integers are 64-bit)")),
                    None => raise("TypeError", format!("bad operand type for abs(): '{}'", v.type_name())),
                },
            }
        }
        "all" | "any" => {
            arity(func, args, 1, 1)?;
            let want = func == "any";
            Ok(Value::Bool(if want { iterate(&args[0])?.iter().any(Value::truthy) } else { iterate(&args[0])?.iter().all(Value::truthy) }))
        }
        "bool" => {
            arity("bool", args, 0, 1)?;
            Ok(Value::Bool(args.first().is_some_and(Value::truthy)))
        }
        "str" => {
            arity("str", args, 0, 1)?;
            Ok(Value::str(&args.first().map(to_str).unwrap_or_default()))
        }
        "repr" => {
            arity("repr", args, 1, 1)?;
            Ok(Value::str(&repr(&args[0])))
        }
        "int" => {
            arity("int", args, 0, 2)?;
            no_kwargs("int", kwargs, &["base"])?;
            let base = args.get(1).or(kwarg(kwargs, "base")).and_then(Value::as_int);
            match (args.first(), base) {
                (None, _) => Ok(Value::Int(0)),
                (Some(Value::Str(s)), b) => {
                    let b = b.unwrap_or(10) as u32;
                    parse_int(s, b).map(Value::Int).ok_or_else(|| Value::exception("ValueError", format!("invalid literal for int() with base {b}: {}", repr(&args[0]))))
                }
                (Some(Value::Float(f)), None) => {
                    if f.is_nan() {
                        raise("ValueError", "cannot convert float NaN to integer")
                    } else if f.is_infinite() {
                        raise("OverflowError", "cannot convert float infinity to integer")
                    } else if f.abs() >= 9.223372036854776e18 {
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
            let mut s = SetMap::default();
            if let Some(v) = args.first() {
                for x in iterate(v)? {
                    check_hashable(&x)?;
                    s.insert(x);
                }
            }
            Ok(Value::Set(Rc::new(RefCell::new(s))))
        }
        "dict" => {
            arity("dict", args, 0, 1)?;
            let mut m = DictMap::default();
            if let Some(v) = args.first() {
                match v {
                    Value::Dict(d) => m = d.borrow().clone(),
                    other => {
                        for (i, pair) in iterate(other)?.into_iter().enumerate() {
                            let kv = iterate(&pair)?;
                            if kv.len() != 2 {
                                return raise("ValueError", format!("dictionary update sequence element #{i} has length {}; 2 is required", kv.len()));
                            }
                            check_hashable(&kv[0])?;
                            m.insert(kv[0].clone(), kv[1].clone());
                        }
                    }
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
                .map(|a| a.as_int().ok_or_else(|| Value::exception("TypeError", format!("'{}' object cannot be interpreted as an integer", a.type_name()))))
                .collect::<Result<_, _>>()?;
            match ints.as_slice() {
                [stop] => Ok(Value::Range(0, *stop, 1)),
                [start, stop] => Ok(Value::Range(*start, *stop, 1)),
                [_, _, 0] => raise("ValueError", "range() arg 3 must not be zero"),
                [start, stop, step] => Ok(Value::Range(*start, *stop, *step)),
                [] => raise("TypeError", "range expected at least 1 argument, got 0"),
                _ => raise("TypeError", format!("range expected at most 3 arguments, got {}", ints.len())),
            }
        }
        "min" => min_max("min", args, kwargs, std::cmp::Ordering::Less),
        "max" => min_max("max", args, kwargs, std::cmp::Ordering::Greater),
        "sum" => {
            arity("sum", args, 1, 2)?;
            let mut acc = args.get(1).or(kwarg(kwargs, "start")).cloned().unwrap_or(Value::Int(0));
            for x in iterate(&args[0])? {
                acc = ops::binary(ir::BinOp::Add, &acc, &x)?;
            }
            Ok(acc)
        }
        "sorted" => {
            arity("sorted", args, 1, 1)?;
            no_kwargs("sorted", kwargs, &["reverse"])?;
            let mut items = iterate(&args[0])?;
            sort_values(&mut items)?;
            if kwarg(kwargs, "reverse").is_some_and(Value::truthy) {
                items.reverse();
            }
            Ok(Value::list(items))
        }
        "reversed" => {
            arity("reversed", args, 1, 1)?;
            if matches!(&args[0], Value::Dict(_) | Value::Set(_)) {
                return raise("TypeError", format!("'{}' object is not reversible", args[0].type_name()));
            }
            let mut items = iterate(&args[0])?;
            items.reverse();
            Ok(Value::list(items))
        }
        "enumerate" => {
            arity("enumerate", args, 1, 2)?;
            let start = args.get(1).or(kwarg(kwargs, "start")).and_then(Value::as_int).unwrap_or(0);
            Ok(Value::list(iterate(&args[0])?.into_iter().enumerate().map(|(i, x)| Value::tuple(vec![Value::Int(start + i as i64), x])).collect()))
        }
        "zip" => {
            let lists: Vec<Vec<Value>> = args.iter().map(iterate).collect::<Result<_, _>>()?;
            let n = lists.iter().map(Vec::len).min().unwrap_or(0);
            Ok(Value::list((0..n).map(|i| Value::tuple(lists.iter().map(|l| l[i].clone()).collect())).collect()))
        }
        "divmod" => {
            arity("divmod", args, 2, 2)?;
            let q = ops::binary(ir::BinOp::FloorDiv, &args[0], &args[1])?;
            let r = ops::binary(ir::BinOp::Mod, &args[0], &args[1])?;
            Ok(Value::tuple(vec![q, r]))
        }
        "round" => {
            arity("round", args, 1, 2)?;
            let digits = args.get(1).or(kwarg(kwargs, "ndigits")).filter(|v| !matches!(v, Value::None));
            match (&args[0], digits) {
                (Value::Float(f), None) => {
                    if !f.is_finite() {
                        return raise(if f.is_nan() { "ValueError" } else { "OverflowError" }, if f.is_nan() { "cannot convert float NaN to integer" } else { "cannot convert float infinity to integer" });
                    }
                    Ok(Value::Int(round_half_even(*f) as i64))
                }
                (Value::Float(f), Some(d)) => {
                    let d = d.as_int().unwrap_or(0);
                    let text = format!("{:.*}", d.clamp(0, 300) as usize, f);
                    if d >= 0 {
                        Ok(Value::Float(text.parse().unwrap_or(*f)))
                    } else {
                        let p = 10f64.powi((-d) as i32);
                        Ok(Value::Float(round_half_even(f / p) * p))
                    }
                }
                (v, None) if v.as_int().is_some() => Ok(Value::Int(v.as_int().unwrap_or(0))),
                (v, Some(d)) if v.as_int().is_some() => {
                    let d = d.as_int().unwrap_or(0);
                    if d >= 0 {
                        return Ok(Value::Int(v.as_int().unwrap_or(0)));
                    }
                    let p = 10i64.checked_pow((-d) as u32).unwrap_or(i64::MAX);
                    let x = v.as_int().unwrap_or(0);
                    let q = ops::int_floordiv(x, p)?;
                    let r = x - q * p;
                    let q = if 2 * r > p || (2 * r == p && q % 2 != 0) { q + 1 } else { q };
                    Ok(Value::Int(q * p))
                }
                (v, _) => raise("TypeError", format!("type {} doesn't define __round__ method", v.type_name())),
            }
        }
        other => raise("NameError", format!("name '{other}' is not defined")),
    }
}

fn expect_args(type_name: &str, method: &str, args: &[Value], min: usize, max: usize) -> Result<(), Value> {
    if args.len() < min || args.len() > max {
        if min == max && min == 0 {
            return raise("TypeError", format!("{type_name}.{method}() takes no arguments ({} given)", args.len()));
        }
        if min == max {
            return raise("TypeError", format!("{type_name}.{method}() takes exactly one argument ({} given)", args.len()));
        }
        return raise("TypeError", format!("{method} expected at most {max} arguments, got {}", args.len()));
    }
    Ok(())
}

fn str_arg<'a>(v: &'a Value, what: &str) -> Result<&'a str, Value> {
    match v {
        Value::Str(s) => Ok(s),
        other => raise("TypeError", format!("{what} must be str, not {}", other.type_name())),
    }
}

/// Calls a method of a builtin value (`receiver.method(*args, **kwargs)`).
pub fn call_method(receiver: &Value, method: &str, args: &[Value], kwargs: &[(String, Value)]) -> OpResult {
    match receiver {
        Value::Str(s) => str_method(s, method, args, kwargs),
        Value::List(l) => list_method(l, method, args, kwargs),
        Value::Dict(d) => dict_method(d, method, args),
        Value::Set(s) => set_method(s, method, args),
        other => raise("AttributeError", format!("'{}' object has no attribute '{method}'", other.type_name())),
    }
}

fn str_method(s: &Rc<str>, method: &str, args: &[Value], kwargs: &[(String, Value)]) -> OpResult {
    let strip_chars = |args: &[Value]| -> Result<Option<Vec<char>>, Value> {
        match args.first() {
            None | Some(Value::None) => Ok(None),
            Some(v) => Ok(Some(str_arg(v, "strip arg")?.chars().collect())),
        }
    };
    Ok(match method {
        "upper" => Value::str(&s.to_uppercase()),
        "lower" => Value::str(&s.to_lowercase()),
        "strip" | "lstrip" | "rstrip" => {
            expect_args("str", method, args, 0, 1)?;
            let chars = strip_chars(args)?;
            let pred = |c: char| match &chars {
                None => c.is_whitespace(),
                Some(cs) => cs.contains(&c),
            };
            Value::str(match method {
                "strip" => s.trim_matches(pred),
                "lstrip" => s.trim_start_matches(pred),
                _ => s.trim_end_matches(pred),
            })
        }
        "split" => {
            let sep = args.first().or(kwarg(kwargs, "sep")).filter(|v| !matches!(v, Value::None));
            let maxsplit = args.get(1).or(kwarg(kwargs, "maxsplit")).and_then(Value::as_int).unwrap_or(-1);
            let parts: Vec<Value> = match sep {
                None => {
                    if maxsplit < 0 {
                        s.split_whitespace().map(Value::str).collect()
                    } else {
                        let mut out = Vec::new();
                        let mut rest = s.trim_start();
                        while !rest.is_empty() && (out.len() as i64) < maxsplit {
                            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                            out.push(Value::str(&rest[..end]));
                            rest = rest[end..].trim_start();
                        }
                        if !rest.is_empty() {
                            out.push(Value::str(rest));
                        }
                        out
                    }
                }
                Some(sep) => {
                    let sep = str_arg(sep, "sep")?;
                    if sep.is_empty() {
                        return raise("ValueError", "empty separator");
                    }
                    if maxsplit < 0 {
                        s.split(sep).map(Value::str).collect()
                    } else {
                        s.splitn(maxsplit as usize + 1, sep).map(Value::str).collect()
                    }
                }
            };
            Value::list(parts)
        }
        "join" => {
            expect_args("str", "join", args, 1, 1)?;
            let items = iterate(&args[0])?;
            let mut out = String::new();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(s);
                }
                match item {
                    Value::Str(x) => out.push_str(x),
                    other => return raise("TypeError", format!("sequence item {i}: expected str instance, {} found", other.type_name())),
                }
            }
            Value::str(&out)
        }
        "replace" => {
            expect_args("str", "replace", args, 2, 3)?;
            let (from, to) = (str_arg(&args[0], "replace() argument 1")?, str_arg(&args[1], "replace() argument 2")?);
            match args.get(2).and_then(Value::as_int) {
                Some(n) if n >= 0 => Value::str(&s.replacen(from, to, n as usize)),
                _ => Value::str(&s.replace(from, to)),
            }
        }
        "startswith" | "endswith" => {
            expect_args("str", method, args, 1, 1)?;
            let options: Vec<Value> = match &args[0] {
                Value::Tuple(t) => t.to_vec(),
                other => vec![other.clone()],
            };
            let mut hit = false;
            for o in &options {
                let o = str_arg(o, &format!("{method} first arg"))?;
                hit |= if method == "startswith" { s.starts_with(o) } else { s.ends_with(o) };
            }
            Value::Bool(hit)
        }
        "find" | "index" | "count" => {
            expect_args("str", method, args, 1, 1)?;
            let sub = str_arg(&args[0], "must be str")?;
            if method == "count" {
                return Ok(Value::Int(if sub.is_empty() { s.chars().count() as i64 + 1 } else { s.matches(sub).count() as i64 }));
            }
            match s.find(sub) {
                Some(byte) => Value::Int(s[..byte].chars().count() as i64),
                None if method == "find" => Value::Int(-1),
                None => return raise("ValueError", "substring not found"),
            }
        }
        "format" => Value::str(&str_format(s, args, kwargs)?),
        "title" => {
            let mut out = String::new();
            let mut prev_alpha = false;
            for c in s.chars() {
                out.extend(if prev_alpha { c.to_lowercase().collect::<Vec<_>>() } else { c.to_uppercase().collect() });
                prev_alpha = c.is_alphabetic();
            }
            Value::str(&out)
        }
        "capitalize" => {
            let mut chars = s.chars();
            Value::str(&match chars.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &chars.as_str().to_lowercase(),
                None => String::new(),
            })
        }
        "isdigit" => Value::Bool(!s.is_empty() && s.chars().all(|c| c.is_ascii_digit())),
        "isalpha" => Value::Bool(!s.is_empty() && s.chars().all(char::is_alphabetic)),
        "isalnum" => Value::Bool(!s.is_empty() && s.chars().all(char::is_alphanumeric)),
        "zfill" => {
            expect_args("str", "zfill", args, 1, 1)?;
            let width = args[0].as_int().unwrap_or(0).max(0) as usize;
            let n = s.chars().count();
            if n >= width {
                Value::Str(s.clone())
            } else {
                let (sign, rest) = if s.starts_with(['-', '+']) { s.split_at(1) } else { ("", &s[..]) };
                Value::str(&format!("{sign}{}{rest}", "0".repeat(width - n)))
            }
        }
        _ => return raise("AttributeError", format!("'str' object has no attribute '{method}'")),
    })
}

fn list_method(l: &Rc<RefCell<Vec<Value>>>, method: &str, args: &[Value], kwargs: &[(String, Value)]) -> OpResult {
    Ok(match method {
        "append" => {
            expect_args("list", "append", args, 1, 1)?;
            l.borrow_mut().push(args[0].clone());
            Value::None
        }
        "extend" => {
            expect_args("list", "extend", args, 1, 1)?;
            let items = iterate(&args[0])?;
            l.borrow_mut().extend(items);
            Value::None
        }
        "insert" => {
            if args.len() != 2 {
                return raise("TypeError", format!("insert expected 2 arguments, got {}", args.len()));
            }
            let mut v = l.borrow_mut();
            let len = v.len() as i64;
            let i = args[0].as_int().ok_or_else(|| Value::exception("TypeError", "'str' object cannot be interpreted as an integer"))?;
            let i = if i < 0 { (i + len).max(0) } else { i.min(len) };
            v.insert(i as usize, args[1].clone());
            Value::None
        }
        "pop" => {
            expect_args("list", "pop", args, 0, 1)?;
            let mut v = l.borrow_mut();
            if v.is_empty() {
                return raise("IndexError", "pop from empty list");
            }
            let i = args.first().and_then(Value::as_int).unwrap_or(-1);
            match ops::norm_index(i, v.len()) {
                Some(i) => v.remove(i),
                None => return raise("IndexError", "pop index out of range"),
            }
        }
        "remove" => {
            expect_args("list", "remove", args, 1, 1)?;
            let mut v = l.borrow_mut();
            match v.iter().position(|x| py_eq(x, &args[0])) {
                Some(i) => {
                    v.remove(i);
                    Value::None
                }
                None => return raise("ValueError", "list.remove(x): x not in list"),
            }
        }
        "index" => {
            expect_args("list", "index", args, 1, 1)?;
            match l.borrow().iter().position(|x| py_eq(x, &args[0])) {
                Some(i) => Value::Int(i as i64),
                None => return raise("ValueError", format!("{} is not in list", repr(&args[0]))),
            }
        }
        "count" => {
            expect_args("list", "count", args, 1, 1)?;
            Value::Int(l.borrow().iter().filter(|x| py_eq(x, &args[0])).count() as i64)
        }
        "sort" => {
            no_kwargs("sort", kwargs, &["reverse"])?;
            if !args.is_empty() {
                return raise("TypeError", "sort() takes no positional arguments");
            }
            let mut items = l.borrow().clone();
            sort_values(&mut items)?;
            if kwarg(kwargs, "reverse").is_some_and(Value::truthy) {
                items.reverse();
            }
            *l.borrow_mut() = items;
            Value::None
        }
        "reverse" => {
            l.borrow_mut().reverse();
            Value::None
        }
        "clear" => {
            l.borrow_mut().clear();
            Value::None
        }
        "copy" => Value::list(l.borrow().clone()),
        _ => return raise("AttributeError", format!("'list' object has no attribute '{method}'")),
    })
}

fn dict_method(d: &Rc<RefCell<DictMap>>, method: &str, args: &[Value]) -> OpResult {
    Ok(match method {
        "get" => {
            expect_args("dict", "get", args, 1, 2)?;
            check_hashable(&args[0])?;
            d.borrow().get(&args[0]).cloned().unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::None))
        }
        "keys" => Value::list(d.borrow().keys().cloned().collect()),
        "values" => Value::list(d.borrow().values().cloned().collect()),
        "items" => Value::list(d.borrow().iter().map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()])).collect()),
        "pop" => {
            expect_args("dict", "pop", args, 1, 2)?;
            check_hashable(&args[0])?;
            match d.borrow_mut().shift_remove(&args[0]) {
                Some(v) => v,
                None => match args.get(1) {
                    Some(default) => default.clone(),
                    None => return Err(Value::Exception(Rc::new(crate::value::Exception { class: "KeyError".into(), args: vec![args[0].clone()] }))),
                },
            }
        }
        "setdefault" => {
            expect_args("dict", "setdefault", args, 1, 2)?;
            check_hashable(&args[0])?;
            let mut m = d.borrow_mut();
            m.entry(args[0].clone()).or_insert_with(|| args.get(1).cloned().unwrap_or(Value::None)).clone()
        }
        "update" => {
            expect_args("dict", "update", args, 0, 1)?;
            if let Some(other) = args.first() {
                let pairs: Vec<(Value, Value)> = match other {
                    Value::Dict(o) => o.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                    other => {
                        let mut out = Vec::new();
                        for pair in iterate(other)? {
                            let kv = iterate(&pair)?;
                            if kv.len() != 2 {
                                return raise("ValueError", "dictionary update sequence element has wrong length");
                            }
                            check_hashable(&kv[0])?;
                            out.push((kv[0].clone(), kv[1].clone()));
                        }
                        out
                    }
                };
                let mut m = d.borrow_mut();
                for (k, v) in pairs {
                    m.insert(k, v);
                }
            }
            Value::None
        }
        "clear" => {
            d.borrow_mut().clear();
            Value::None
        }
        "copy" => Value::dict(d.borrow().clone()),
        _ => return raise("AttributeError", format!("'dict' object has no attribute '{method}'")),
    })
}

fn set_method(s: &Rc<RefCell<SetMap>>, method: &str, args: &[Value]) -> OpResult {
    let other = |args: &[Value]| -> Result<SetMap, Value> {
        let mut out = SetMap::default();
        for a in args {
            for x in iterate(a)? {
                check_hashable(&x)?;
                out.insert(x);
            }
        }
        Ok(out)
    };
    let new_set = |m: SetMap| Value::Set(Rc::new(RefCell::new(m)));
    Ok(match method {
        "add" => {
            expect_args("set", "add", args, 1, 1)?;
            check_hashable(&args[0])?;
            s.borrow_mut().insert(args[0].clone());
            Value::None
        }
        "discard" => {
            expect_args("set", "discard", args, 1, 1)?;
            s.borrow_mut().shift_remove(&args[0]);
            Value::None
        }
        "remove" => {
            expect_args("set", "remove", args, 1, 1)?;
            if !s.borrow_mut().shift_remove(&args[0]) {
                return Err(Value::Exception(Rc::new(crate::value::Exception { class: "KeyError".into(), args: vec![args[0].clone()] })));
            }
            Value::None
        }
        "union" => {
            let o = other(args)?;
            new_set(s.borrow().iter().cloned().chain(o).collect())
        }
        "intersection" => {
            let o = other(args)?;
            new_set(s.borrow().iter().filter(|x| o.contains(*x)).cloned().collect())
        }
        "difference" => {
            let o = other(args)?;
            new_set(s.borrow().iter().filter(|x| !o.contains(*x)).cloned().collect())
        }
        "clear" => {
            s.borrow_mut().clear();
            Value::None
        }
        "copy" => new_set(s.borrow().clone()),
        "pop" => match s.borrow_mut().shift_remove_index(0) {
            Some(v) => v,
            None => return raise("KeyError", "'pop from an empty set'"),
        },
        _ => return raise("AttributeError", format!("'set' object has no attribute '{method}'")),
    })
}
