//! `str()`, `repr()` and the format mini-language, matching CPython's output.

use crate::ops::raise;
use crate::value::Value;

/// Python's `repr` of a float (shortest round-trip digits; scientific outside 1e-4..1e16).
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
        };
        format!("{sign}{body}")
    } else {
        let m = if digits.len() > 1 { format!("{}.{}", &digits[..1], &digits[1..]) } else { digits.clone() };
        format!("{sign}{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    }
}

/// Python's `repr` of a string (single quotes unless the text has them and no double quotes).
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn join_repr<'a>(items: impl Iterator<Item = &'a Value>, active: &mut Vec<usize>) -> String {
    items.map(|v| repr_in(v, active)).collect::<Vec<_>>().join(", ")
}

/// Python's `repr(v)`.
pub fn repr(v: &Value) -> String {
    repr_in(v, &mut Vec::new())
}

fn repr_in(v: &Value, active: &mut Vec<usize>) -> String {
    if let Some(id) = v.container_id() {
        if active.contains(&id) {
            return match v {
                Value::Dict(_) => "{...}".into(),
                _ => "[...]".into(),
            };
        }
        active.push(id);
        let text = repr_inner(v, active);
        active.pop();
        return text;
    }
    repr_inner(v, active)
}

fn repr_inner(v: &Value, active: &mut Vec<usize>) -> String {
    let repr = |x: &Value, active: &mut Vec<usize>| repr_in(x, active);
    match v {
        Value::None => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_repr(*f),
        Value::Str(s) => str_repr(s),
        Value::List(l) => format!("[{}]", join_repr(l.borrow().iter(), active)),
        Value::Tuple(t) if t.len() == 1 => format!("({},)", repr(&t[0], active)),
        Value::Tuple(t) => format!("({})", join_repr(t.iter(), active)),
        Value::Dict(d) => format!(
            "{{{}}}",
            d.borrow().iter().map(|(k, v)| format!("{}: {}", repr(k, active), repr(v, active))).collect::<Vec<_>>().join(", ")
        ),
        Value::Set(s) if s.borrow().is_empty() => "set()".into(),
        Value::Set(s) => format!("{{{}}}", join_repr(s.borrow().iter(), active)),
        Value::Range(a, b, 1) => format!("range({a}, {b})"),
        Value::Range(a, b, c) => format!("range({a}, {b}, {c})"),
        Value::Ref(r) => format!("Ref({}, {})", str_repr(&r.entity), repr(&r.key, active)),
        Value::Exception(e) => format!("{}({})", e.class, join_repr(e.args.iter(), active)),
    }
}

/// Python's `str(v)`.
pub fn to_str(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        Value::Exception(e) => e.message(),
        other => repr(other),
    }
}

struct Spec {
    fill: char,
    align: Option<char>,
    sign: char,
    alternate: bool,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

fn parse_spec(spec: &str) -> Result<Spec, Value> {
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut s = Spec { fill: ' ', align: None, sign: '-', alternate: false, zero: false, width: 0, grouping: None, precision: None, kind: None };
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = chars[0];
        s.align = Some(chars[1]);
        i = 2;
    } else if !chars.is_empty() && is_align(chars[0]) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if i < chars.len() && matches!(chars[i], '+' | '-' | ' ') {
        s.sign = chars[i];
        i += 1;
    }
    if i < chars.len() && chars[i] == '#' {
        s.alternate = true;
        i += 1;
    }
    if i < chars.len() && chars[i] == '0' {
        s.zero = true;
        i += 1;
    }
    let start = i;
    while i < chars.len() && chars[i].is_ascii_digit() {
        i += 1;
    }
    s.width = chars[start..i].iter().collect::<String>().parse().unwrap_or(0);
    if i < chars.len() && matches!(chars[i], ',' | '_') {
        s.grouping = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() && chars[i] == '.' {
        i += 1;
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if start == i {
            return raise("ValueError", "Format specifier missing precision");
        }
        s.precision = chars[start..i].iter().collect::<String>().parse().ok();
    }
    if i < chars.len() {
        s.kind = Some(chars[i]);
        i += 1;
    }
    if i != chars.len() {
        return raise("ValueError", "Invalid format specifier");
    }
    Ok(s)
}

fn group(digits: &str, sep: char) -> String {
    let (int_part, rest) = match digits.find('.') {
        Some(p) => (&digits[..p], &digits[p..]),
        None => (digits, ""),
    };
    let mut out = String::new();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out + rest
}

/// Formats `v` with a format spec (`format(v, spec)`, and f-string `{v:spec}`).
pub fn format_value(v: &Value, spec: &str) -> Result<String, Value> {
    if spec.is_empty() {
        return Ok(to_str(v));
    }
    let s = parse_spec(spec)?;
    let numeric = matches!(v, Value::Int(_) | Value::Float(_) | Value::Bool(_));
    let (negative, body) = match (v, s.kind) {
        (Value::Str(text), None | Some('s')) => {
            let text: String = match s.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text.to_string(),
            };
            (false, text)
        }
        (_, Some('s')) | (Value::Str(_), _) => {
            return raise("ValueError", format!("Unknown format code '{}' for object of type '{}'", s.kind.unwrap_or('s'), v.type_name()));
        }
        (Value::Int(_) | Value::Bool(_), None | Some('d' | 'n')) if s.precision.is_none() || s.kind.is_none() => {
            let i = v.as_int().unwrap_or(0);
            if s.precision.is_some() {
                return raise("ValueError", "Precision not allowed in integer format specifier");
            }
            (i < 0, i.unsigned_abs().to_string())
        }
        (Value::Int(_) | Value::Bool(_), Some(k @ ('x' | 'X' | 'o' | 'b'))) => {
            let i = v.as_int().unwrap_or(0);
            let m = i.unsigned_abs();
            let digits = match k {
                'x' => format!("{m:x}"),
                'X' => format!("{m:X}"),
                'o' => format!("{m:o}"),
                _ => format!("{m:b}"),
            };
            let prefix = if s.alternate {
                match k {
                    'x' => "0x",
                    'X' => "0X",
                    'o' => "0o",
                    _ => "0b",
                }
            } else {
                ""
            };
            (i < 0, format!("{prefix}{digits}"))
        }
        (Value::Int(_) | Value::Float(_) | Value::Bool(_), kind) => {
            let f = match v {
                Value::Float(f) => *f,
                other => other.as_int().unwrap_or(0) as f64,
            };
            let neg = f.is_sign_negative() && f != 0.0 || (f == 0.0 && f.is_sign_negative() && matches!(v, Value::Float(_)));
            let a = f.abs();
            let body = match kind {
                Some('f' | 'F') => format!("{:.*}", s.precision.unwrap_or(6), a),
                Some('%') => format!("{:.*}%", s.precision.unwrap_or(6), a * 100.0),
                Some('e' | 'E') => {
                    let t = format!("{:.*e}", s.precision.unwrap_or(6), a);
                    let (m, e) = t.split_once('e').unwrap_or((&t, "0"));
                    let e: i32 = e.parse().unwrap_or(0);
                    let r = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
                    if kind == Some('E') {
                        r.to_uppercase()
                    } else {
                        r
                    }
                }
                Some('g' | 'G') | None => {
                    if kind.is_none() && s.precision.is_none() {
                        float_repr(a)
                    } else {
                        let p = s.precision.unwrap_or(6).max(1);
                        let exp = if a == 0.0 { 0 } else { a.log10().floor() as i32 };
                        if exp < -4 || exp >= p as i32 {
                            let t = format!("{:.*e}", p - 1, a);
                            let (m, e) = t.split_once('e').unwrap_or((&t, "0"));
                            let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
                            let e: i32 = e.parse().unwrap_or(0);
                            format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
                        } else {
                            let t = format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, a);
                            if t.contains('.') {
                                t.trim_end_matches('0').trim_end_matches('.').to_string()
                            } else {
                                t
                            }
                        }
                    }
                }
                Some(k) => return raise("ValueError", format!("Unknown format code '{k}' for object of type '{}'", v.type_name())),
            };
            (neg, body)
        }
        (_, _) => {
            if s.kind.is_some() {
                return raise("TypeError", format!("unsupported format string passed to {}.__format__", v.type_name()));
            }
            (false, to_str(v))
        }
    };
    let body = match s.grouping {
        Some(sep) if numeric => group(&body, sep),
        _ => body,
    };
    let sign = if numeric {
        match (negative, s.sign) {
            (true, _) => "-",
            (false, '+') => "+",
            (false, ' ') => " ",
            _ => "",
        }
    } else {
        ""
    };
    let len = sign.chars().count() + body.chars().count();
    if len >= s.width {
        return Ok(format!("{sign}{body}"));
    }
    let pad = s.width - len;
    let (fill, align) = if s.zero && s.align.is_none() && numeric { ('0', '=') } else { (s.fill, s.align.unwrap_or(if numeric { '>' } else { '<' })) };
    let fill_str = |n: usize| fill.to_string().repeat(n);
    Ok(match align {
        '<' => format!("{sign}{body}{}", fill_str(pad)),
        '^' => format!("{}{sign}{body}{}", fill_str(pad / 2), fill_str(pad - pad / 2)),
        '=' => format!("{sign}{}{body}", fill_str(pad)),
        _ => format!("{}{sign}{body}", fill_str(pad)),
    })
}

/// `format % args` for the common conversions `%s %r %d %i %f %x %%` (with width/precision).
pub fn percent_format(fmt: &str, args: &Value) -> Result<Value, Value> {
    let items: Vec<Value> = match args {
        Value::Tuple(t) => t.to_vec(),
        other => vec![other.clone()],
    };
    let mut out = String::new();
    let mut next = items.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit() || matches!(d, '.' | '-' | '+' | ' ' | '0') {
                spec.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let Some(kind) = chars.next() else {
            return raise("ValueError", "incomplete format");
        };
        if kind == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = next.next() else {
            return raise("TypeError", "not enough arguments for format string");
        };
        let (align, rest) = match spec.strip_prefix('-') {
            Some(r) => ("<", r.to_string()),
            None => ("", spec.clone()),
        };
        let text = match kind {
            's' => format_value(&Value::str(&to_str(arg)), &format!("{align}{rest}"))?,
            'r' => format_value(&Value::str(&repr(arg)), &format!("{align}{rest}"))?,
            'd' | 'i' => {
                let i = match arg {
                    Value::Float(f) => Value::Int(f.trunc() as i64),
                    other => other.clone(),
                };
                format_value(&i, &format!("{align}{rest}d"))?
            }
            'f' | 'x' | 'X' | 'e' | 'g' => format_value(arg, &format!("{align}{rest}{kind}"))?,
            other => return raise("ValueError", format!("unsupported format character '{other}'")),
        };
        out.push_str(&text);
    }
    if next.next().is_some() {
        return raise("TypeError", "not all arguments converted during string formatting");
    }
    Ok(Value::str(&out))
}

/// `template.format(*args, **kwargs)` for `{}`, `{0}`, `{name}` fields with optional conversion
/// and format spec.
pub fn str_format(template: &str, args: &[Value], kwargs: &[(String, Value)]) -> Result<String, Value> {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    let mut auto = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut field = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(ch) => field.push(ch),
                        None => return raise("ValueError", "expected '}' before end of string"),
                    }
                }
                let (name, spec) = match field.split_once(':') {
                    Some((n, s)) => (n.to_string(), s.to_string()),
                    None => (field.clone(), String::new()),
                };
                let (name, conversion) = match name.split_once('!') {
                    Some((n, c)) => (n.to_string(), c.chars().next()),
                    None => (name, None),
                };
                let value = if name.is_empty() {
                    auto += 1;
                    args.get(auto - 1).cloned().ok_or_else(|| Value::exception("IndexError", format!("Replacement index {} out of range for positional args tuple", auto - 1)))?
                } else if let Ok(i) = name.parse::<usize>() {
                    args.get(i).cloned().ok_or_else(|| Value::exception("IndexError", format!("Replacement index {i} out of range for positional args tuple")))?
                } else {
                    kwargs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()).ok_or_else(|| Value::Exception(std::rc::Rc::new(crate::value::Exception { class: "KeyError".into(), args: vec![Value::str(&name)] })))?
                };
                let value = match conversion {
                    Some('r') => Value::str(&repr(&value)),
                    Some('s') => Value::str(&to_str(&value)),
                    _ => value,
                };
                out.push_str(&format_value(&value, &spec)?);
            }
            '}' => return raise("ValueError", "Single '}' encountered in format string"),
            c => out.push(c),
        }
    }
    Ok(out)
}
