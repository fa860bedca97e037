//! `str()`, `repr()` and the format mini-language, matching CPython's output.

use crate::ops::{check_text_size, raise, OpResult};
use crate::value::Value;
use rustc_hash::FxHashSet;
use std::rc::Rc;

/// The shortest digits that read back as `f`, in Rust's `1.25e-7` notation. Among shortest
/// strings, CPython's repr takes the one nearest to the exact value, ties to even (Rust's
/// shortest can round an exact tie up: 999648102547562.25 gives ...562.3, CPython ...562.2).
fn shortest_sci(f: f64) -> String {
    let sci = format!("{f:e}");
    let digits = sci
        .split_once('e')
        .map_or(&sci[..], |(m, _)| m)
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    // A tie needs the two candidates within half a binary ulp of each other: 16 or more digits.
    if digits < 15 {
        return sci;
    }
    let nearest = format!("{f:.*e}", digits - 1);
    if nearest != sci && nearest.parse::<f64>() == Ok(f) {
        nearest
    } else {
        sci
    }
}

/// Python's `repr` of a float (shortest round-trip digits; scientific outside 1e-4..1e16).
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let sci = shortest_sci(f);
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
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        format!("{sign}{body}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits.clone()
        };
        format!(
            "{sign}{m}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    }
}

/// Python's `repr` of a string (single quotes unless the text has them and no double quotes).
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
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
            c if !crate::unicode_text::is_printable(c) => {
                let n = c as u32;
                out.push_str(&if n < 0x100 {
                    format!("\\x{n:02x}")
                } else if n < 0x10000 {
                    format!("\\u{n:04x}")
                } else {
                    format!("\\U{n:08x}")
                });
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn join_repr<'a>(
    items: impl Iterator<Item = &'a Value>,
    active: &mut FxHashSet<usize>,
    out: &mut String,
) {
    for (i, v) in items.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        repr_into(v, active, out);
    }
}

/// Python's `repr(v)`.
pub fn repr(v: &Value) -> String {
    let mut out = String::new();
    repr_into(v, &mut FxHashSet::default(), &mut out);
    out
}

/// Writes the repr of `v` to `out`: one string for the whole value, so a deeply nested one
/// costs its size, not its size times its depth. `active` holds the containers being written,
/// to write one met again inside itself as `[...]`, `{...}` or `(...)` (a tuple can hold itself
/// through a list, and CPython guards its repr too).
fn repr_into(v: &Value, active: &mut FxHashSet<usize>, out: &mut String) {
    crate::value::deeper(|| {
        let id = match v {
            Value::Tuple(t) => Some(Rc::as_ptr(t) as usize),
            _ => v.container_id(),
        };
        if let Some(id) = id {
            if !active.insert(id) {
                out.push_str(match v {
                    Value::Dict(_) => "{...}",
                    Value::Tuple(_) => "(...)",
                    _ => "[...]",
                });
                return;
            }
            repr_inner(v, active, out);
            active.remove(&id);
            return;
        }
        repr_inner(v, active, out);
    })
}

fn repr_inner(v: &Value, active: &mut FxHashSet<usize>, out: &mut String) {
    use std::fmt::Write;
    match v {
        Value::None => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&float_repr(*f)),
        Value::Str(s) => out.push_str(&str_repr(s)),
        Value::List(l) => {
            out.push('[');
            join_repr(l.borrow().iter(), active, out);
            out.push(']');
        }
        Value::Tuple(t) if t.len() == 1 => {
            out.push('(');
            repr_into(&t[0], active, out);
            out.push_str(",)");
        }
        Value::Tuple(t) => {
            out.push('(');
            join_repr(t.iter(), active, out);
            out.push(')');
        }
        Value::Dict(d) => {
            out.push('{');
            for (i, (k, v)) in d.borrow().iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                repr_into(k, active, out);
                out.push_str(": ");
                repr_into(v, active, out);
            }
            out.push('}');
        }
        Value::Set(s) if s.borrow().is_empty() => out.push_str("set()"),
        Value::Set(s) => {
            out.push('{');
            join_repr(crate::set_order::members(&s.borrow()).iter(), active, out);
            out.push('}');
        }
        Value::Range(a, b, 1) => {
            let _ = write!(out, "range({a}, {b})");
        }
        Value::Range(a, b, c) => {
            let _ = write!(out, "range({a}, {b}, {c})");
        }
        Value::Ref(r) => {
            let _ = write!(out, "Ref({}, ", str_repr(&r.entity));
            repr_into(&r.key, active, out);
            out.push(')');
        }
        Value::Exception(e) => {
            out.push_str(&e.class);
            out.push('(');
            join_repr(e.visible_args().iter(), active, out);
            out.push(')');
        }
        Value::Internal(i) => match &**i {
            crate::value::Internal::Slice(a, b, c) => {
                out.push_str("slice(");
                repr_into(a, active, out);
                out.push_str(", ");
                repr_into(b, active, out);
                out.push_str(", ");
                repr_into(c, active, out);
                out.push(')');
            }
            crate::value::Internal::LiveIter { container, .. } => {
                let _ = write!(out, "<{}_iterator object>", container.type_name());
            }
            crate::value::Internal::Iterator { name, .. } => {
                let _ = write!(out, "<{name} object>");
            }
            crate::value::Internal::Draining { .. } => out.push_str("<iterator object>"),
            crate::value::Internal::Unset => out.push_str("<unset>"),
            crate::value::Internal::DictView { .. } => {
                let members = i.view_members().unwrap_or_default();
                out.push_str(v.type_name());
                out.push_str("([");
                join_repr(members.iter(), active, out);
                out.push_str("])");
            }
        },
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

/// `ascii(v)`: the repr with every non-ASCII character escaped (`\xhh`, `\uhhhh`, `\Uhhhhhhhh`).
pub fn ascii(v: &Value) -> String {
    let mut out = String::new();
    for c in repr(v).chars() {
        match c as u32 {
            0..=0x7f => out.push(c),
            n @ 0x80..=0xff => out.push_str(&format!("\\x{n:02x}")),
            n @ 0x100..=0xffff => out.push_str(&format!("\\u{n:04x}")),
            n => out.push_str(&format!("\\U{n:08x}")),
        }
    }
    out
}

/// A parsed format spec: `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`.
struct Spec {
    fill: char,
    align: Option<char>,
    sign: Option<char>,
    no_neg_zero: bool,
    alternate: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

/// A format code in an error message: the character, or `\xNN` when it is not printable ASCII.
fn code_text(c: char) -> String {
    if (c as u32) > 32 && (c as u32) < 128 {
        c.to_string()
    } else {
        format!("\\x{:x}", c as u32)
    }
}

fn unknown_code<T>(kind: char, type_name: &str) -> Result<T, Value> {
    raise(
        "ValueError",
        format!(
            "Unknown format code '{}' for object of type '{type_name}'",
            code_text(kind)
        ),
    )
}

/// Parses a spec as CPython does for `type_name`, whose default presentation type is
/// `default_kind` (`s` for str, `d` for int, none for float).
fn parse_spec(spec: &str, type_name: &str, default_kind: Option<char>) -> Result<Spec, Value> {
    let chars: Vec<char> = spec.chars().collect();
    let n = chars.len();
    let mut i = 0;
    let mut s = Spec {
        fill: ' ',
        align: None,
        sign: None,
        no_neg_zero: false,
        alternate: false,
        width: 0,
        grouping: None,
        precision: None,
        kind: None,
    };
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    let mut fill_given = false;
    if n >= 2 && is_align(chars[1]) {
        s.fill = chars[0];
        s.align = Some(chars[1]);
        fill_given = true;
        i = 2;
    } else if n >= 1 && is_align(chars[0]) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if i < n && matches!(chars[i], '+' | '-' | ' ') {
        s.sign = Some(chars[i]);
        i += 1;
    }
    if i < n && chars[i] == 'z' {
        s.no_neg_zero = true;
        i += 1;
    }
    if i < n && chars[i] == '#' {
        s.alternate = true;
        i += 1;
    }
    // A leading '0' means zero padding (for numbers: after the sign) unless a fill is given.
    if !fill_given && i < n && chars[i] == '0' {
        s.fill = '0';
        if s.align.is_none() && default_kind != Some('s') {
            s.align = Some('=');
        }
        i += 1;
    }
    let digits = |i: &mut usize| -> Option<usize> {
        let start = *i;
        while *i < n && chars[*i].is_ascii_digit() {
            *i += 1;
        }
        (start != *i).then(|| {
            chars[start..*i]
                .iter()
                .collect::<String>()
                .parse()
                .unwrap_or(usize::MAX)
        })
    };
    s.width = digits(&mut i).unwrap_or(0);
    if s.width == usize::MAX {
        return raise("ValueError", "Too many decimal digits in format string");
    }
    check_text_size(s.width)?;
    if i < n && chars[i] == ',' {
        s.grouping = Some(',');
        i += 1;
    }
    if i < n && chars[i] == '_' {
        if s.grouping.is_some() {
            return raise("ValueError", "Cannot specify both ',' and '_'.");
        }
        s.grouping = Some('_');
        i += 1;
    }
    if i < n && chars[i] == ',' && s.grouping == Some('_') {
        return raise("ValueError", "Cannot specify both ',' and '_'.");
    }
    if i < n && chars[i] == '.' {
        i += 1;
        match digits(&mut i) {
            Some(p) if p > i32::MAX as usize => return raise("ValueError", "precision too big"),
            Some(p) => s.precision = Some(p),
            None => return raise("ValueError", "Format specifier missing precision"),
        }
        check_text_size(s.precision.unwrap_or(0))?;
    }
    if n - i > 1 {
        return raise(
            "ValueError",
            format!("Invalid format specifier '{spec}' for object of type '{type_name}'"),
        );
    }
    if i < n {
        s.kind = Some(chars[i]);
    }
    if let Some(sep) = s.grouping {
        match s.kind.or(default_kind) {
            None | Some('d' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F') => {}
            Some('b' | 'o' | 'x' | 'X') if sep == '_' => {}
            Some(k) => {
                return raise(
                    "ValueError",
                    format!("Cannot specify '{sep}' with '{}'.", code_text(k)),
                )
            }
        }
    }
    Ok(s)
}

/// Inserts `sep` every `interval` digits from the right, padding with leading zeros until the
/// result is at least `min_width` characters long (CPython's zero padding with grouping).
fn group_digits(digits: &str, min_width: i64, grouping: Option<(char, usize)>) -> String {
    let d: Vec<char> = digits.chars().collect();
    if d.is_empty() {
        return String::new();
    }
    let Some((sep, interval)) = grouping else {
        let zeros = (min_width - d.len() as i64).max(0) as usize;
        return "0".repeat(zeros) + digits;
    };
    let mut chunks: Vec<String> = Vec::new();
    let mut remaining = d.len() as i64;
    let mut min_width = min_width;
    loop {
        let len = (interval as i64).min(remaining.max(min_width).max(1));
        let zeros = (len - remaining).max(0);
        let take = remaining.min(len).max(0);
        let end = remaining as usize;
        let start = end - take as usize;
        chunks.push("0".repeat(zeros as usize) + &d[start..end].iter().collect::<String>());
        remaining -= take;
        min_width -= len;
        if remaining <= 0 && min_width <= 0 {
            break;
        }
        min_width -= 1;
    }
    chunks.reverse();
    chunks.join(&sep.to_string())
}

/// Lays out a number: `[padding][sign][prefix][padding][grouped digits][rest][padding]`, where
/// `rest` is what follows the leading digits (decimal point, fraction, exponent, `%`).
fn layout_number(
    negative: bool,
    prefix: &str,
    digits: &str,
    rest: &str,
    s: &Spec,
    interval: usize,
) -> String {
    let sign = match (negative, s.sign) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    };
    let align = s.align.unwrap_or('>');
    let fixed = sign.len() + prefix.chars().count() + rest.chars().count();
    let min_width = if s.fill == '0' && align == '=' {
        s.width as i64 - fixed as i64
    } else {
        0
    };
    let grouped = group_digits(digits, min_width, s.grouping.map(|g| (g, interval)));
    let used = fixed + grouped.chars().count();
    let pad = s.width.saturating_sub(used);
    let fill = |k: usize| s.fill.to_string().repeat(k);
    match align {
        '<' => format!("{sign}{prefix}{grouped}{rest}{}", fill(pad)),
        '^' => format!(
            "{}{sign}{prefix}{grouped}{rest}{}",
            fill(pad / 2),
            fill(pad - pad / 2)
        ),
        '=' => format!("{sign}{prefix}{}{grouped}{rest}", fill(pad)),
        _ => format!("{}{sign}{prefix}{grouped}{rest}", fill(pad)),
    }
}

/// Pads `text` to the spec's width (`<` by default, as for strings).
fn pad_text(text: &str, s: &Spec) -> String {
    let len = text.chars().count();
    let pad = s.width.saturating_sub(len);
    let fill = |k: usize| s.fill.to_string().repeat(k);
    match s.align.unwrap_or('<') {
        '>' => format!("{}{text}", fill(pad)),
        '^' => format!("{}{text}{}", fill(pad / 2), fill(pad - pad / 2)),
        _ => format!("{text}{}", fill(pad)),
    }
}

/// Splits a mantissa/exponent rendering of Rust (`1.25e-7`) into its digits and exponent.
fn sci_parts(text: &str) -> (String, i32) {
    let (m, e) = text.split_once('e').unwrap_or((text, "0"));
    (
        m.chars().filter(char::is_ascii_digit).collect(),
        e.parse().unwrap_or(0),
    )
}

fn exponent_text(e: i32) -> String {
    format!("e{}{:02}", if e < 0 { '-' } else { '+' }, e.unsigned_abs())
}

/// Places the decimal point in significant `digits` whose decimal point is `decpt` digits from
/// the left, in fixed or exponent notation, as CPython's `format_float_short` does.
fn place_point(
    digits: &str,
    decpt: i32,
    use_exp: bool,
    alternate: bool,
    add_dot_0: bool,
) -> String {
    if use_exp {
        let (first, tail) = digits.split_at(1);
        let point = if !tail.is_empty() || alternate {
            "."
        } else {
            ""
        };
        return format!("{first}{point}{tail}{}", exponent_text(decpt - 1));
    }
    let n = digits.len() as i32;
    if decpt <= 0 {
        format!("0.{}{digits}", "0".repeat((-decpt) as usize))
    } else if decpt >= n {
        let zeros = "0".repeat((decpt - n) as usize);
        let tail = if add_dot_0 {
            ".0"
        } else if alternate {
            "."
        } else {
            ""
        };
        format!("{digits}{zeros}{tail}")
    } else {
        format!(
            "{}.{}",
            &digits[..decpt as usize],
            &digits[decpt as usize..]
        )
    }
}

/// More digits than any double's exact decimal expansion needs (see [`float_body`]).
const EXACT_DIGITS: usize = 1100;

/// The text of a non-negative finite float in presentation `kind` (`e`, `f`, `g`, or `r` for
/// repr), like CPython's `PyOS_double_to_string` without the sign.
///
/// A double's exact decimal expansion has at most 1074 digits after the point and 767
/// significant digits, so digits asked for beyond [`EXACT_DIGITS`] are zeros: they are appended
/// rather than computed (Rust's formatter refuses precisions above 65535).
fn float_body(a: f64, kind: char, precision: usize, alternate: bool, add_dot_0: bool) -> String {
    let computed = precision.min(EXACT_DIGITS);
    let zeros = "0".repeat(precision - computed);
    match kind {
        'f' => {
            let t = format!("{a:.computed$}") + &zeros;
            if alternate && precision == 0 {
                t + "."
            } else {
                t
            }
        }
        'e' => {
            let t = format!("{a:.computed$e}");
            let (m, e) = t.split_once('e').unwrap_or((&t, "0"));
            let point = if alternate && precision == 0 { "." } else { "" };
            format!("{m}{zeros}{point}{}", exponent_text(e.parse().unwrap_or(0)))
        }
        'g' => {
            let p = precision.max(1);
            let (mut digits, exp) = sci_parts(&format!("{a:.*e}", computed.max(1) - 1));
            digits.push_str(&zeros);
            if !alternate {
                let kept = digits.trim_end_matches('0').len().max(1);
                digits.truncate(kept);
            }
            let decpt = exp + 1;
            let limit = if add_dot_0 { p as i32 - 1 } else { p as i32 };
            place_point(
                &digits,
                decpt,
                decpt <= -4 || decpt > limit,
                alternate,
                add_dot_0,
            )
        }
        _ => {
            let (digits, exp) = sci_parts(&shortest_sci(a));
            let decpt = exp + 1;
            place_point(&digits, decpt, decpt <= -4 || decpt > 16, alternate, true)
        }
    }
}

/// Formats a float for the format mini-language and `%`-formatting: the sign (or `None`) and
/// the body. `kind` is the presentation type (`None` for the default).
fn float_text(
    x: f64,
    kind: Option<char>,
    precision: Option<usize>,
    alternate: bool,
) -> (bool, String) {
    let upper = matches!(kind, Some('E' | 'F' | 'G'));
    let (mut x, mut suffix) = (x, "");
    let (base, add_dot_0) = match kind {
        None => ('r', true),
        Some('%') => {
            x *= 100.0;
            suffix = "%";
            ('f', false)
        }
        Some('n') => ('g', false),
        Some(k) => (k.to_ascii_lowercase(), false),
    };
    let negative = x.is_sign_negative() && !x.is_nan();
    let body = if x.is_nan() {
        "nan".to_string()
    } else if x.is_infinite() {
        "inf".to_string()
    } else {
        match (base, precision) {
            ('r', None) => float_body(x.abs(), 'r', 0, alternate, true),
            ('r', Some(p)) => float_body(x.abs(), 'g', p, alternate, add_dot_0),
            (b, p) => float_body(x.abs(), b, p.unwrap_or(6), alternate, false),
        }
    };
    let body = if upper { body.to_uppercase() } else { body };
    (negative, body + suffix)
}

fn format_str(text: &str, s: &Spec) -> Result<String, Value> {
    match s.kind {
        None | Some('s') => {}
        Some(k) => return unknown_code(k, "str"),
    }
    match s.sign {
        Some(' ') => return raise("ValueError", "Space not allowed in string format specifier"),
        Some(_) => return raise("ValueError", "Sign not allowed in string format specifier"),
        None => {}
    }
    if s.no_neg_zero {
        return raise(
            "ValueError",
            "Negative zero coercion (z) not allowed in string format specifier",
        );
    }
    if s.alternate {
        return raise(
            "ValueError",
            "Alternate form (#) not allowed in string format specifier",
        );
    }
    if s.align == Some('=') {
        return raise(
            "ValueError",
            "'=' alignment not allowed in string format specifier",
        );
    }
    let text: String = match s.precision {
        Some(p) => text.chars().take(p).collect(),
        None => text.to_string(),
    };
    Ok(pad_text(&text, s))
}

fn format_int(i: i64, type_name: &str, s: &Spec) -> Result<String, Value> {
    let kind = s.kind.unwrap_or('d');
    match kind {
        'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => {}
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => return Ok(format_float(i as f64, s)),
        k => return unknown_code(k, type_name),
    }
    if s.precision.is_some() {
        return raise(
            "ValueError",
            "Precision not allowed in integer format specifier",
        );
    }
    if s.no_neg_zero {
        return raise(
            "ValueError",
            "Negative zero coercion (z) not allowed in integer format specifier",
        );
    }
    if kind == 'c' {
        if s.sign.is_some() {
            return raise(
                "ValueError",
                "Sign not allowed with integer format specifier 'c'",
            );
        }
        if s.alternate {
            return raise(
                "ValueError",
                "Alternate form (#) not allowed with integer format specifier 'c'",
            );
        }
        let c = u32::try_from(i)
            .ok()
            .filter(|c| *c <= 0x10ffff)
            .ok_or_else(|| Value::exception("OverflowError", "%c arg not in range(0x110000)"))?;
        let c = char::from_u32(c).unwrap_or('\u{fffd}');
        return Ok(layout_number(false, "", &c.to_string(), "", s, 3));
    }
    let m = i.unsigned_abs();
    let (digits, prefix, interval) = match kind {
        'x' => (format!("{m:x}"), "0x", 4),
        'X' => (format!("{m:X}"), "0X", 4),
        'o' => (format!("{m:o}"), "0o", 4),
        'b' => (format!("{m:b}"), "0b", 4),
        _ => (m.to_string(), "", 3),
    };
    Ok(layout_number(
        i < 0,
        if s.alternate { prefix } else { "" },
        &digits,
        "",
        s,
        interval,
    ))
}

fn format_float(x: f64, s: &Spec) -> String {
    let (mut negative, body) = float_text(x, s.kind, s.precision, s.alternate);
    if s.no_neg_zero && x.is_finite() && !body.chars().any(|c| c.is_ascii_digit() && c != '0') {
        negative = false;
    }
    let split = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    let (digits, rest) = body.split_at(split);
    layout_number(negative, "", digits, rest, s, 3)
}

/// Formats `v` with a format spec (`format(v, spec)`, and f-string `{v:spec}`).
pub fn format_value(v: &Value, spec: &str) -> Result<String, Value> {
    if spec.is_empty() {
        return Ok(to_str(v));
    }
    match v {
        Value::Str(text) => format_str(text, &parse_spec(spec, "str", Some('s'))?),
        Value::Int(_) | Value::Bool(_) => {
            let s = parse_spec(spec, v.type_name(), Some('d'))?;
            format_int(v.as_int().unwrap_or(0), v.type_name(), &s)
        }
        Value::Float(f) => {
            let s = parse_spec(spec, "float", None)?;
            match s.kind {
                None | Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%') => {
                    Ok(format_float(*f, &s))
                }
                Some(k) => unknown_code(k, "float"),
            }
        }
        other => raise(
            "TypeError",
            format!(
                "unsupported format string passed to {}.__format__",
                other.type_name()
            ),
        ),
    }
}

/// The arguments of a `%` format: a tuple's items, or one value; a dict for `%(key)s`.
struct PercentArgs<'a> {
    items: Vec<Value>,
    next: usize,
    mapping: Option<&'a Value>,
    used_key: bool,
}

impl PercentArgs<'_> {
    fn next(&mut self) -> OpResult {
        if self.used_key || self.next >= self.items.len() {
            return raise("TypeError", "not enough arguments for format string");
        }
        self.next += 1;
        Ok(self.items[self.next - 1].clone())
    }
}

fn real_number(v: &Value) -> Option<f64> {
    match v {
        Value::Float(f) => Some(*f),
        other => other.as_int().map(|i| i as f64),
    }
}

/// `format % args`, as CPython's `str.__mod__`: flags `-+ #0`, width and precision (also `*`),
/// `%(key)` with a dict, and the conversions `s r a c d i u o x X e E f F g G %`.
pub fn percent_format(fmt: &str, args: &Value) -> Result<Value, Value> {
    let mapping = matches!(args, Value::Dict(_) | Value::List(_)).then_some(args);
    let mut a = PercentArgs {
        items: match args {
            Value::Tuple(t) => t.to_vec(),
            other => vec![other.clone()],
        },
        next: 0,
        mapping,
        used_key: false,
    };
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.get(i) == Some(&'%') {
            out.push('%');
            i += 1;
            continue;
        }
        let mut keyed: Option<Value> = None;
        if chars.get(i) == Some(&'(') {
            let Some(map) = a.mapping else {
                return raise("TypeError", "format requires a mapping");
            };
            let mut depth = 1;
            let start = i + 1;
            i += 1;
            while i < chars.len() && depth > 0 {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            if depth > 0 {
                return raise("ValueError", "incomplete format key");
            }
            let key: String = chars[start..i - 1].iter().collect();
            keyed = Some(crate::ops::subscript(map, &Value::str(&key))?);
            a.used_key = true;
        }
        let (mut left, mut plus, mut space, mut alt, mut zero) =
            (false, false, false, false, false);
        while let Some(&f) = chars.get(i) {
            match f {
                '-' => left = true,
                '+' => plus = true,
                ' ' => space = true,
                '#' => alt = true,
                '0' => zero = true,
                _ => break,
            }
            i += 1;
        }
        let number = |i: &mut usize, a: &mut PercentArgs| -> Result<Option<i64>, Value> {
            if chars.get(*i) == Some(&'*') {
                *i += 1;
                return match a.next()?.as_int() {
                    Some(n) => Ok(Some(n)),
                    None => raise("TypeError", "* wants int"),
                };
            }
            let start = *i;
            while *i < chars.len() && chars[*i].is_ascii_digit() {
                *i += 1;
            }
            Ok((start != *i).then(|| {
                chars[start..*i]
                    .iter()
                    .collect::<String>()
                    .parse()
                    .unwrap_or(i64::MAX)
            }))
        };
        let mut width = number(&mut i, &mut a)?.unwrap_or(0);
        if width < 0 {
            left = true;
            width = -width;
        }
        let width = width as usize;
        check_text_size(width)?;
        let precision = if chars.get(i) == Some(&'.') {
            i += 1;
            Some(number(&mut i, &mut a)?.unwrap_or(0).max(0) as usize)
        } else {
            None
        };
        check_text_size(precision.unwrap_or(0))?;
        while matches!(chars.get(i), Some('h' | 'l' | 'L')) {
            i += 1;
        }
        let Some(&kind) = chars.get(i) else {
            return raise("ValueError", "incomplete format");
        };
        i += 1;
        let arg = match keyed.take() {
            Some(v) => v,
            None => a.next()?,
        };
        let sign_of = |negative: bool| {
            if negative {
                "-"
            } else if plus {
                "+"
            } else if space {
                " "
            } else {
                ""
            }
        };
        // (sign, prefix, body) for numbers; None for text.
        let (text, numeric): (String, Option<(&str, &str)>) = match kind {
            's' | 'r' | 'a' => {
                let t = match kind {
                    's' => to_str(&arg),
                    'r' => repr(&arg),
                    _ => ascii(&arg),
                };
                (
                    match precision {
                        Some(p) => t.chars().take(p).collect(),
                        None => t,
                    },
                    None,
                )
            }
            'c' => {
                let ch = match &arg {
                    Value::Str(s) if s.chars().count() == 1 => s.to_string(),
                    other => match other.as_int() {
                        Some(n) => match u32::try_from(n).ok().filter(|c| *c <= 0x10ffff) {
                            Some(c) => char::from_u32(c).unwrap_or('\u{fffd}').to_string(),
                            None => return raise("OverflowError", "%c arg not in range(0x110000)"),
                        },
                        None => return raise("TypeError", "%c requires int or char"),
                    },
                };
                (ch, None)
            }
            'd' | 'i' | 'u' | 'o' | 'x' | 'X' => {
                let n = match (&arg, kind) {
                    (Value::Float(f), 'd' | 'i' | 'u') => {
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
                        if !crate::ops::float_fits_int(f.trunc()) {
                            return raise(
                                "OverflowError",
                                "integer overflow (entiflow integers are 64-bit)",
                            );
                        }
                        f.trunc() as i64
                    }
                    (other, 'd' | 'i' | 'u') => match other.as_int() {
                        Some(n) => n,
                        None => {
                            return raise(
                                "TypeError",
                                format!(
                                    "%{kind} format: a real number is required, not {}",
                                    other.type_name()
                                ),
                            )
                        }
                    },
                    (other, _) => match other.as_int() {
                        Some(n) => n,
                        None => {
                            return raise(
                                "TypeError",
                                format!(
                                    "%{kind} format: an integer is required, not {}",
                                    other.type_name()
                                ),
                            )
                        }
                    },
                };
                let m = n.unsigned_abs();
                let (digits, prefix) = match kind {
                    'x' => (format!("{m:x}"), "0x"),
                    'X' => (format!("{m:X}"), "0X"),
                    'o' => (format!("{m:o}"), "0o"),
                    _ => (m.to_string(), ""),
                };
                let digits = match precision {
                    Some(p) if p > digits.len() => "0".repeat(p - digits.len()) + &digits,
                    _ => digits,
                };
                (
                    digits,
                    Some((sign_of(n < 0), if alt { prefix } else { "" })),
                )
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let Some(x) = real_number(&arg) else {
                    return raise(
                        "TypeError",
                        format!("must be real number, not {}", arg.type_name()),
                    );
                };
                let (negative, body) = float_text(x, Some(kind), Some(precision.unwrap_or(6)), alt);
                (body, Some((sign_of(negative), "")))
            }
            other => {
                return raise(
                    "ValueError",
                    format!(
                        "unsupported format character '{other}' (0x{:x}) at index {}",
                        other as u32,
                        i - 1
                    ),
                );
            }
        };
        let len = text.chars().count() + numeric.map_or(0, |(s, p)| s.len() + p.len());
        let pad = width.saturating_sub(len);
        let (sign, prefix) = numeric.unwrap_or(("", ""));
        if left {
            out.push_str(&format!("{sign}{prefix}{text}{}", " ".repeat(pad)));
        } else if zero && numeric.is_some() {
            out.push_str(&format!("{sign}{prefix}{}{text}", "0".repeat(pad)));
        } else {
            out.push_str(&format!("{}{sign}{prefix}{text}", " ".repeat(pad)));
        }
    }
    if a.mapping.is_none() && a.next < a.items.len() {
        return raise(
            "TypeError",
            "not all arguments converted during string formatting",
        );
    }
    Ok(Value::str(&out))
}

/// A replacement field after its `{`, read as CPython's `parse_field` reads it (with its
/// errors): the name (an index in brackets taken whole: `{0[a:b}]}` names the key `a:b}`), the
/// character after a `!`, and the format spec up to the matching `}` (nested fields kept).
fn field_text(
    chars: &mut std::iter::Peekable<std::str::Chars>,
) -> Result<(String, Option<char>, String), Value> {
    let mut name = String::new();
    let mut end = None;
    while let Some(c) = chars.next() {
        match c {
            '{' => return raise("ValueError", "unexpected '{' in field name"),
            '[' => {
                name.push('[');
                while let Some(&n) = chars.peek() {
                    if n == ']' {
                        break;
                    }
                    name.push(n);
                    chars.next();
                }
            }
            '}' | ':' | '!' => {
                end = Some(c);
                break;
            }
            other => name.push(other),
        }
    }
    match end {
        Some('}') => Ok((name, None, String::new())),
        Some(c) => {
            let mut conversion = None;
            if c == '!' {
                let Some(k) = chars.next() else {
                    return raise(
                        "ValueError",
                        "end of string while looking for conversion specifier",
                    );
                };
                conversion = Some(k);
                match chars.next() {
                    Some('}') => return Ok((name, conversion, String::new())),
                    Some(':') | None => {}
                    Some(_) => {
                        return raise("ValueError", "expected ':' after conversion specifier")
                    }
                }
            }
            let mut spec = String::new();
            let mut open = 1;
            for c in chars.by_ref() {
                match c {
                    '{' => open += 1,
                    '}' => {
                        open -= 1;
                        if open == 0 {
                            return Ok((name, conversion, spec));
                        }
                    }
                    _ => {}
                }
                spec.push(c);
            }
            raise("ValueError", "unmatched '{' in format spec")
        }
        None => raise("ValueError", "expected '}' before end of string"),
    }
}

/// `template.format(*args, **kwargs)` for `{}`, `{0}`, `{name}` fields (with `[index]` lookups),
/// an optional conversion `!r`/`!s`/`!a` and a format spec that may contain nested fields.
pub fn str_format(
    template: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Result<String, Value> {
    let mut fields = Fields {
        args,
        kwargs,
        from_mapping: false,
        auto: None,
        manual: false,
    };
    render_template(template, &mut fields, 2)
}

/// `template.format_map(mapping)`: named fields from a dict's str keys; a positional field is a
/// `ValueError`, a missing key a `KeyError`, as in CPython.
pub fn str_format_map(template: &str, mapping: &Value) -> Result<String, Value> {
    let Value::Dict(d) = mapping else {
        return raise(
            "TypeError",
            format!(
                "format_map() argument must be a dict, not {}",
                mapping.type_name()
            ),
        );
    };
    let kwargs: Vec<(String, Value)> = d
        .borrow()
        .iter()
        .filter_map(|(k, v)| match k {
            Value::Str(k) => Some((k.to_string(), v.clone())),
            _ => None,
        })
        .collect();
    let mut fields = Fields {
        args: &[],
        kwargs: &kwargs,
        from_mapping: true,
        auto: None,
        manual: false,
    };
    render_template(template, &mut fields, 2)
}

/// Where the replacement fields of a format template come from, and how they were numbered.
struct Fields<'a> {
    args: &'a [Value],
    kwargs: &'a [(String, Value)],
    /// `format_map`: no positional fields at all.
    from_mapping: bool,
    auto: Option<usize>,
    manual: bool,
}

fn render_template(template: &str, fields: &mut Fields<'_>, depth: u32) -> Result<String, Value> {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
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
                if chars.peek().is_none() {
                    return raise("ValueError", "Single '{' encountered in format string");
                }
                if depth == 0 {
                    return raise("ValueError", "Max string recursion exceeded");
                }
                let (name, conversion, spec) = field_text(&mut chars)?;
                let (name, spec) = (name.as_str(), spec.as_str());
                let conversion = match conversion {
                    None => None,
                    Some(k @ ('r' | 's' | 'a')) => Some(k),
                    Some(k) => {
                        return raise("ValueError", format!("Unknown conversion specifier {k}"))
                    }
                };
                let first_end = name.find(['[', '.']).unwrap_or(name.len());
                let (first, mut lookups) = name.split_at(first_end);
                let positional = first.is_empty() || first.parse::<usize>().is_ok();
                if positional && fields.from_mapping {
                    return raise("ValueError", "Format string contains positional fields");
                }
                let mut value = if first.is_empty() {
                    if fields.manual {
                        return raise("ValueError", "cannot switch from manual field specification to automatic field numbering");
                    }
                    let i = fields.auto.map_or(0, |i| i + 1);
                    fields.auto = Some(i);
                    fields.args.get(i).cloned().ok_or_else(|| {
                        Value::exception(
                            "IndexError",
                            format!("Replacement index {i} out of range for positional args tuple"),
                        )
                    })?
                } else if let Ok(i) = first.parse::<usize>() {
                    if fields.auto.is_some() {
                        return raise("ValueError", "cannot switch from automatic field numbering to manual field specification");
                    }
                    fields.manual = true;
                    fields.args.get(i).cloned().ok_or_else(|| {
                        Value::exception(
                            "IndexError",
                            format!("Replacement index {i} out of range for positional args tuple"),
                        )
                    })?
                } else {
                    fields
                        .kwargs
                        .iter()
                        .find(|(k, _)| k == first)
                        .map(|(_, v)| v.clone())
                        .ok_or_else(|| key_error(Value::str(first)))?
                };
                while !lookups.is_empty() {
                    let Some(rest) = lookups.strip_prefix('[') else {
                        return raise(
                            "ValueError",
                            match lookups.strip_prefix('.') {
                                Some(attr) if attr.is_empty() || attr.starts_with(['.', '[']) => {
                                    "Empty attribute in format string"
                                }
                                Some(_) => "attribute lookups are not supported in format fields",
                                None => "Only '.' or '[' may follow ']' in format field specifier",
                            },
                        );
                    };
                    let Some(close) = rest.find(']') else {
                        return raise("ValueError", "Missing ']' in format string");
                    };
                    let key = &rest[..close];
                    if key.is_empty() {
                        return raise("ValueError", "Empty attribute in format string");
                    }
                    let index = match key.parse::<i64>() {
                        Ok(i) if !key.starts_with(['-', '+']) => Value::Int(i),
                        _ => Value::str(key),
                    };
                    value = crate::ops::subscript(&value, &index)?;
                    lookups = &rest[close + 1..];
                }
                let value = match conversion {
                    Some('r') => Value::str(&repr(&value)),
                    Some('a') => Value::str(&ascii(&value)),
                    Some(_) => Value::str(&to_str(&value)),
                    None => value,
                };
                let spec = if spec.contains('{') {
                    render_template(spec, fields, depth - 1)?
                } else {
                    spec.to_string()
                };
                out.push_str(&format_value(&value, &spec)?);
            }
            '}' => return raise("ValueError", "Single '}' encountered in format string"),
            c => out.push(c),
        }
    }
    Ok(out)
}

fn key_error(key: Value) -> Value {
    Value::Exception(std::rc::Rc::new(crate::value::Exception::new(
        "KeyError",
        vec![key],
    )))
}
