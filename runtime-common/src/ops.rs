//! Python's operators on [`Value`]s: arithmetic (64-bit ints that raise OverflowError instead of
//! growing), comparisons, containment, indexing and slicing.

use std::cmp::Ordering;
use std::rc::Rc;

use ir::{BinOp, CmpOp};

use crate::journal;
use crate::value::{deeper, Value};

/// An operation's outcome: a value, or an exception value to raise.
pub type OpResult = Result<Value, Value>;

/// Raises `class(message)`.
pub fn raise<T>(class: &str, message: impl Into<String>) -> Result<T, Value> {
    Err(Value::exception(class, message))
}

/// `MemoryError()`: raised without arguments, as CPython raises it when an allocation fails.
pub fn no_memory<T>() -> Result<T, Value> {
    Err(Value::Exception(Rc::new(crate::value::Exception::new(
        "MemoryError",
        vec![],
    ))))
}

fn overflow<T>() -> Result<T, Value> {
    raise(
        "OverflowError",
        "integer overflow (entiflow integers are 64-bit)",
    )
}

/// The number of elements of a `range` value.
pub fn range_len(v: &Value) -> i128 {
    let Value::Range(start, stop, step) = *v else {
        return 0;
    };
    let (start, stop, step) = (start as i128, stop as i128, step as i128);
    if step > 0 && start < stop {
        (stop - start - 1) / step + 1
    } else if step < 0 && start > stop {
        (start - stop - 1) / -step + 1
    } else {
        0
    }
}

/// Whether an integral float converts to a 64-bit integer (-2**63 does; 2**63 does not).
pub fn float_fits_int(f: f64) -> bool {
    const TWO_TO_63: f64 = 9_223_372_036_854_775_808_u64 as f64;
    (-TWO_TO_63..TWO_TO_63).contains(&f)
}

/// A length as CPython's `len()` gives it: one beyond `ssize_t` is an OverflowError.
fn ssize(len: i128) -> Result<usize, Value> {
    if len > i64::MAX as i128 {
        return raise(
            "OverflowError",
            "Python int too large to convert to C ssize_t",
        );
    }
    Ok(len as usize)
}

/// Python `==`.
pub fn py_eq(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (None, None) => true,
        (Bool(_) | Int(_), Bool(_) | Int(_)) => a.as_int() == b.as_int(),
        (Float(x), Float(y)) => x == y,
        (Float(x), Bool(_) | Int(_)) | (Bool(_) | Int(_), Float(x)) => {
            let i = a.as_int().or(b.as_int()).unwrap_or(0);
            *x == i as f64 && (x.fract() != 0.0 || (*x as i128) == i as i128)
        }
        (Str(x), Str(y)) => x == y,
        // Containers compare their items (each an identical object or an equal one, as
        // CPython's `PyObject_RichCompareBool`), one level deeper: see `nested_comparison`.
        (List(x), List(y)) => {
            Rc::ptr_eq(x, y) || nested_comparison(false, || *x.borrow() == *y.borrow())
        }
        (Tuple(x), Tuple(y)) => Rc::ptr_eq(x, y) || nested_comparison(false, || x == y),
        (Dict(x), Dict(y)) => nested_comparison(false, || {
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| v == w))
        }),
        (Set(x), Set(y)) => nested_comparison(false, || {
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len() && x.iter().all(|k| y.contains(k))
        }),
        (Range(..), Range(..)) => {
            let (la, lb) = (range_len(a), range_len(b));
            la == lb
                && (la == 0
                    || (index_range(a, 0) == index_range(b, 0)
                        && (la == 1 || step_of(a) == step_of(b))))
        }
        (Ref(x), Ref(y)) => x.entity == y.entity && x.key_text() == y.key_text(),
        (Exception(x), Exception(y)) => Rc::ptr_eq(x, y),
        (Internal(_), _) | (_, Internal(_)) => match (set_like(a), set_like(b)) {
            // Keys and items views compare as sets; a values view only to itself.
            (Some(x), Some(y)) => x.len() == y.len() && x.iter().all(|k| y.contains(k)),
            _ => matches!((a, b), (Internal(p), Internal(q)) if Rc::ptr_eq(p, q)),
        },
        _ => false,
    }
}

/// A set operator with a dict's keys or items view on either side, as CPython's `dictviews_*`
/// functions do it: the left operand made a set (a keys view: the set of its dict, sized for it
/// ahead; also when a reflected operator puts a set there), then updated with the right one;
/// `&` goes through the smaller side.
fn view_set_operation(op: BinOp, a: &Value, b: &Value) -> OpResult {
    let view_dict = |v: &Value| match v {
        Value::Internal(i) => match &**i {
            crate::value::Internal::DictView {
                dict,
                kind: crate::value::ViewKind::Keys,
            } => Some(dict.clone()),
            _ => None,
        },
        _ => None,
    };
    let to_set = |v: &Value| -> Result<Rc<std::cell::RefCell<crate::value::SetMap>>, Value> {
        let set = Rc::new(std::cell::RefCell::new(crate::value::SetMap::default()));
        let source = view_dict(v).unwrap_or_else(|| v.clone());
        crate::builtins::set_method(&set, "update", std::slice::from_ref(&source))?;
        Ok(set)
    };
    if op == BinOp::BitAnd {
        let (view, other) = if matches!(a, Value::Internal(_)) {
            (a, b)
        } else {
            (b, a)
        };
        let view_len = len(view)?;
        if let Value::Set(set) = other {
            if view_len <= set.borrow().len() {
                return crate::builtins::set_method(
                    set,
                    "intersection",
                    std::slice::from_ref(view),
                );
            }
        }
        let (probed, iterated) = match other {
            Value::Internal(_) if len(other)? > view_len => (other, view),
            _ => (view, other),
        };
        let mut out = crate::value::SetMap::default();
        for x in iterate(iterated)? {
            if contains(probed, &x)? {
                out.insert(x);
            }
        }
        return Ok(Value::Set(Rc::new(std::cell::RefCell::new(out))));
    }
    let left = to_set(a)?;
    let method = match op {
        BinOp::BitOr => "update",
        BinOp::Sub => "difference_update",
        _ => "symmetric_difference_update",
    };
    crate::builtins::set_method(&left, method, std::slice::from_ref(b))?;
    Ok(Value::Set(left))
}

/// The members of a set, or of a keys or items view of a dict, as a set (None for anything else).
fn set_like(v: &Value) -> Option<crate::value::SetMap> {
    match v {
        Value::Set(s) => Some(s.borrow().clone()),
        Value::Internal(i) => match &**i {
            crate::value::Internal::DictView { kind, .. }
                if *kind != crate::value::ViewKind::Values =>
            {
                i.view_members()
                    .map(|m| m.into_iter().filter(Value::is_hashable).collect())
            }
            _ => None,
        },
        _ => None,
    }
}

fn step_of(v: &Value) -> i64 {
    match v {
        Value::Range(_, _, s) => *s,
        _ => 1,
    }
}

/// Item `i` (within the length) of a range.
fn index_range(v: &Value, i: i128) -> i64 {
    match v {
        Value::Range(start, _, step) => (*start as i128 + i * *step as i128) as i64,
        _ => 0,
    }
}

fn order_error<T>(op: &str, a: &Value, b: &Value) -> Result<T, Value> {
    raise(
        "TypeError",
        format!(
            "'{op}' not supported between instances of '{}' and '{}'",
            a.type_name(),
            b.type_name()
        ),
    )
}

/// Python ordering for `<`, `<=`, `>`, `>=` (`None` when unordered, e.g. NaN).
pub fn py_cmp(a: &Value, b: &Value, op: &str) -> Result<Option<Ordering>, Value> {
    use Value::*;
    Ok(match (a, b) {
        (Bool(_) | Int(_), Bool(_) | Int(_)) => a.as_int().partial_cmp(&b.as_int()),
        (Float(x), Float(y)) => x.partial_cmp(y),
        (Float(x), Bool(_) | Int(_)) => {
            cmp_int_float(b.as_int().unwrap_or(0), *x).map(Ordering::reverse)
        }
        (Bool(_) | Int(_), Float(y)) => cmp_int_float(a.as_int().unwrap_or(0), *y),
        (Str(x), Str(y)) => Some(x.cmp(y)),
        (List(x), List(y)) => seq_cmp(&x.borrow(), &y.borrow(), op)?,
        (Tuple(x), Tuple(y)) => seq_cmp(x, y, op)?,
        // Keys and items views compare as sets too.
        (Set(_) | Internal(_), Set(_) | Internal(_))
            if matches!(op, "<=" | ">=" | "<" | ">")
                && set_like(a).is_some()
                && set_like(b).is_some() =>
        {
            let (x, y) = (
                set_like(a).unwrap_or_default(),
                set_like(b).unwrap_or_default(),
            );
            let sub = x.iter().all(|k| y.contains(k));
            let sup = y.iter().all(|k| x.contains(k));
            match (sub, sup) {
                (true, true) => Some(Ordering::Equal),
                (true, false) => Some(Ordering::Less),
                (false, true) => Some(Ordering::Greater),
                _ => Option::None,
            }
        }
        _ => return order_error(op, a, b),
    })
}

/// `a / b` for ints, correctly rounded as CPython computes it: plain float division when both
/// are exactly representable, else the exact quotient rounded once (`b` is nonzero).
fn int_true_div(a: i64, b: i64) -> f64 {
    const EXACT: u64 = 1 << 53;
    if a.unsigned_abs() <= EXACT && b.unsigned_abs() <= EXACT {
        return a as f64 / b as f64;
    }
    let negative = (a < 0) != (b < 0);
    let (n, d) = (a.unsigned_abs() as u128, b.unsigned_abs() as u128);
    let bits = |v: u128| 128 - v.leading_zeros() as i32;
    // Scale so that the quotient has at least 56 bits: its lowest bit can then carry the
    // "inexact" flag without disturbing the rounding to 53 bits.
    let shift = (56 + bits(d) - bits(n)).max(0);
    let (q, r) = ((n << shift) / d, (n << shift) % d);
    let magnitude = ((q | u128::from(r != 0)) as f64) * 2f64.powi(-shift);
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// Compares an int with a float exactly, as CPython does (`2**53 + 1 > 2.0**53`); `None` for NaN.
fn cmp_int_float(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    let two_63 = 2f64.powi(63);
    if f >= two_63 {
        return Some(Ordering::Less);
    }
    if f < -two_63 {
        return Some(Ordering::Greater);
    }
    // |trunc(f)| <= 2**63 here, so it converts to i64 exactly.
    let t = f.trunc();
    Some(i.cmp(&(t as i64)).then(if f > t {
        Ordering::Less
    } else if f < t {
        Ordering::Greater
    } else {
        Ordering::Equal
    }))
}

fn seq_cmp(x: &[Value], y: &[Value], op: &str) -> Result<Option<Ordering>, Value> {
    let outcome = nested_comparison(Ok(None), || {
        for (a, b) in x.iter().zip(y.iter()) {
            if a != b {
                return py_cmp(a, b, op);
            }
        }
        Ok(Some(x.len().cmp(&y.len())))
    });
    comparison_overflow()?;
    outcome
}

/// How many containers deep a comparison may go before it raises `RecursionError` (CPython's
/// recursion limit): two containers that hold themselves would otherwise compare forever.
pub const MAX_COMPARISON_DEPTH: usize = 1000;

thread_local! {
    /// How deep the running comparison is, and whether it went too deep (equality answers a
    /// `bool`, so the `RecursionError` is raised where a comparison's result is used).
    static COMPARISON: std::cell::Cell<(usize, bool)> = const { std::cell::Cell::new((0, false)) };
}

/// Runs one level of a comparison of containers' items; past [`MAX_COMPARISON_DEPTH`] it
/// answers `too_deep` and marks the comparison for [`comparison_overflow`].
fn nested_comparison<R>(too_deep: R, f: impl FnOnce() -> R) -> R {
    let (depth, overflowed) = COMPARISON.get();
    if depth >= MAX_COMPARISON_DEPTH || overflowed {
        COMPARISON.set((depth, true));
        return too_deep;
    }
    COMPARISON.set((depth + 1, overflowed));
    let result = deeper(f);
    let (_, overflowed) = COMPARISON.get();
    COMPARISON.set((depth, overflowed));
    result
}

/// `RecursionError` if a comparison since the last check went deeper than
/// [`MAX_COMPARISON_DEPTH`] (its answer was not used; the interpreter checks after every
/// statement, and the operators that compare before they answer).
pub fn comparison_overflow() -> Result<(), Value> {
    let (depth, overflowed) = COMPARISON.get();
    if overflowed && depth == 0 {
        COMPARISON.set((0, false));
        return raise(
            "RecursionError",
            "maximum recursion depth exceeded in comparison",
        );
    }
    Ok(())
}

/// Python `x in container`.
pub fn contains(container: &Value, x: &Value) -> Result<bool, Value> {
    Ok(match container {
        Value::Str(s) => match x {
            Value::Str(sub) => s.contains(&**sub),
            other => {
                return raise(
                    "TypeError",
                    format!(
                        "'in <string>' requires string as left operand, not {}",
                        other.type_name()
                    ),
                )
            }
        },
        Value::List(l) => l.borrow().iter().any(|v| v == x),
        Value::Tuple(t) => t.iter().any(|v| v == x),
        Value::Dict(d) => {
            check_hashable(x)?;
            d.borrow().contains_key(x)
        }
        Value::Internal(i) => match &**i {
            crate::value::Internal::Iterator { .. } => {
                while let Some(item) = i.next_item() {
                    if py_eq(&item, x) {
                        return Ok(true);
                    }
                }
                false
            }
            crate::value::Internal::DictView {
                dict: Value::Dict(d),
                kind,
            } => match kind {
                crate::value::ViewKind::Keys => {
                    check_hashable(x)?;
                    d.borrow().contains_key(x)
                }
                crate::value::ViewKind::Values => d.borrow().values().any(|v| v == x),
                crate::value::ViewKind::Items => match x {
                    Value::Tuple(kv) if kv.len() == 2 => {
                        check_hashable(&kv[0])?;
                        d.borrow().get(&kv[0]).is_some_and(|v| *v == kv[1])
                    }
                    _ => false,
                },
            },
            _ => {
                return raise(
                    "TypeError",
                    format!(
                        "argument of type '{}' is not iterable",
                        container.type_name()
                    ),
                )
            }
        },
        Value::Set(s) => {
            // CPython looks a set up as the equal frozenset; no member of ours is a set.
            if matches!(x, Value::Set(_)) {
                return Ok(false);
            }
            check_hashable(x)?;
            s.borrow().contains(x)
        }
        Value::Range(..) => match x.as_int() {
            Some(i) => {
                let Value::Range(start, stop, step) = *container else {
                    unreachable!()
                };
                let (i, start, stop, step) = (i as i128, start as i128, stop as i128, step as i128);
                if step > 0 {
                    i >= start && i < stop && (i - start) % step == 0
                } else {
                    i <= start && i > stop && (start - i) % -step == 0
                }
            }
            None => {
                (0..range_len(container)).any(|k| py_eq(&Value::Int(index_range(container, k)), x))
            }
        },
        other => {
            return raise(
                "TypeError",
                format!("argument of type '{}' is not iterable", other.type_name()),
            )
        }
    })
}

/// Raises TypeError if `x` cannot be a dict key.
pub fn check_hashable(x: &Value) -> Result<(), Value> {
    if x.is_hashable() {
        return Ok(());
    }
    // A tuple is unhashable because of a member: CPython names the member's type.
    if let Value::Tuple(items) = x {
        if let Some(inner) = items.iter().find(|i| !i.is_hashable()) {
            return deeper(|| check_hashable(inner));
        }
    }
    raise("TypeError", format!("unhashable type: '{}'", x.type_name()))
}

/// Evaluates a comparison operator.
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> Result<bool, Value> {
    let answer = compare_unchecked(op, a, b);
    comparison_overflow()?;
    answer
}

fn compare_unchecked(op: CmpOp, a: &Value, b: &Value) -> Result<bool, Value> {
    Ok(match op {
        CmpOp::Eq => py_eq(a, b),
        CmpOp::NotEq => !py_eq(a, b),
        CmpOp::Lt => py_cmp(a, b, "<")? == Some(Ordering::Less),
        CmpOp::LtE => matches!(py_cmp(a, b, "<=")?, Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Gt => py_cmp(a, b, ">")? == Some(Ordering::Greater),
        CmpOp::GtE => matches!(
            py_cmp(a, b, ">=")?,
            Some(Ordering::Greater | Ordering::Equal)
        ),
        CmpOp::Is => is(a, b),
        CmpOp::IsNot => !is(a, b),
        CmpOp::In => contains(b, a)?,
        CmpOp::NotIn => !contains(b, a)?,
    })
}

fn is(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (None, None) => true,
        (Bool(x), Bool(y)) => x == y,
        (Int(x), Int(y)) => x == y,
        (Str(x), Str(y)) => Rc::ptr_eq(x, y) || x == y,
        (List(x), List(y)) => Rc::ptr_eq(x, y),
        (Dict(x), Dict(y)) => Rc::ptr_eq(x, y),
        (Set(x), Set(y)) => Rc::ptr_eq(x, y),
        (Tuple(x), Tuple(y)) => Rc::ptr_eq(x, y),
        (Ref(x), Ref(y)) => Rc::ptr_eq(x, y) || py_eq(a, b),
        (Exception(x), Exception(y)) => Rc::ptr_eq(x, y),
        (Internal(x), Internal(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

fn binop_error<T>(op: BinOp, a: &Value, b: &Value) -> Result<T, Value> {
    raise(
        "TypeError",
        format!(
            "unsupported operand type(s) for {}: '{}' and '{}'",
            ir_symbol(op),
            a.type_name(),
            b.type_name()
        ),
    )
}

fn ir_symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::FloorDiv => "//",
        BinOp::Mod => "%",
        BinOp::Pow => "** or pow()",
        BinOp::LShift => "<<",
        BinOp::RShift => ">>",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::BitAnd => "&",
    }
}

fn float_of(v: &Value) -> Option<f64> {
    match v {
        Value::Float(f) => Some(*f),
        Value::Int(i) => Some(*i as f64),
        Value::Bool(b) => Some(*b as i64 as f64),
        _ => None,
    }
}

/// The most items a sequence built at run time may hold; more raises `MemoryError` (where
/// CPython would try to allocate it and, on most machines, fail the same way).
pub const MAX_ITEMS: usize = 100_000_000;

/// The most bytes a string built at run time may hold; more raises `MemoryError`.
pub const MAX_TEXT: usize = 1_000_000_000;

/// `MemoryError` when `n` items are more than a sequence may hold.
pub fn check_items(n: usize) -> Result<(), Value> {
    if n > MAX_ITEMS {
        return no_memory();
    }
    Ok(())
}

/// `MemoryError` when `n` text bytes are more than a string may hold.
pub fn check_text_size(n: usize) -> Result<(), Value> {
    if n > MAX_TEXT {
        return no_memory();
    }
    Ok(())
}

fn repeat(items: &[Value], n: i64) -> Result<Vec<Value>, Value> {
    let n = n.max(0) as usize;
    check_items(items.len().saturating_mul(n))?;
    let mut out = Vec::with_capacity(items.len() * n);
    for _ in 0..n {
        out.extend(items.iter().cloned());
    }
    Ok(out)
}

/// Python floor division of ints.
pub fn int_floordiv(a: i64, b: i64) -> Result<i64, Value> {
    if b == 0 {
        return raise("ZeroDivisionError", "integer division or modulo by zero");
    }
    let q = a.checked_div(b).ok_or_else(|| {
        Value::exception(
            "OverflowError",
            "integer overflow (entiflow integers are 64-bit)",
        )
    })?;
    Ok(if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    })
}

/// Python modulo of ints (the sign follows the divisor).
pub fn int_mod(a: i64, b: i64) -> Result<i64, Value> {
    if b == 0 {
        return raise("ZeroDivisionError", "integer modulo by zero");
    }
    let r = a.checked_rem(b).unwrap_or(0);
    Ok(if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    })
}

fn float_mod(a: f64, b: f64) -> Result<f64, Value> {
    if b == 0.0 {
        return raise("ZeroDivisionError", "float modulo");
    }
    let r = a % b;
    Ok(if r != 0.0 && ((r < 0.0) != (b < 0.0)) {
        r + b
    } else if r == 0.0 {
        0.0f64.copysign(b)
    } else {
        r
    })
}

/// Python floor division of floats (`y` nonzero), as CPython's `float_floor_div` computes it:
/// from `fmod`, so that `x == (x // y) * y + x % y` as closely as floats allow.
fn float_floordiv(x: f64, y: f64) -> f64 {
    let m = x % y;
    let mut div = (x - m) / y;
    if m != 0.0 && ((y < 0.0) != (m < 0.0)) {
        div -= 1.0;
    }
    if div != 0.0 {
        let floor = div.floor();
        if div - floor > 0.5 {
            floor + 1.0
        } else {
            floor
        }
    } else {
        0.0f64.copysign(x / y)
    }
}

/// Whether a float is an odd integer.
fn is_odd_integer(f: f64) -> bool {
    f.is_finite() && f.fract() == 0.0 && (f / 2.0).fract() != 0.0
}

/// Python `x ** y` for floats, with CPython's special cases (`float_pow`): infinities and NaNs,
/// `0.0 ** negative` (ZeroDivisionError), negative bases with fractional exponents (complex in
/// CPython, unsupported here) and overflow (OverflowError; underflow gives 0.0).
fn float_pow(x: f64, y: f64) -> OpResult {
    if y == 0.0 {
        return Ok(Value::Float(1.0));
    }
    if x.is_nan() {
        return Ok(Value::Float(x));
    }
    if y.is_nan() {
        return Ok(Value::Float(if x == 1.0 { 1.0 } else { y }));
    }
    if y.is_infinite() {
        let a = x.abs();
        return Ok(Value::Float(if a == 1.0 {
            1.0
        } else if (y > 0.0) == (a > 1.0) {
            f64::INFINITY
        } else {
            0.0
        }));
    }
    if x.is_infinite() {
        let odd = is_odd_integer(y);
        return Ok(Value::Float(if y > 0.0 {
            if odd {
                x
            } else {
                x.abs()
            }
        } else if odd {
            0.0f64.copysign(x)
        } else {
            0.0
        }));
    }
    if x == 0.0 {
        if y < 0.0 {
            return raise(
                "ZeroDivisionError",
                "0.0 cannot be raised to a negative power",
            );
        }
        return Ok(Value::Float(if is_odd_integer(y) { x } else { 0.0 }));
    }
    let (mut base, mut negate) = (x, false);
    if x < 0.0 {
        if y != y.floor() {
            return raise("ValueError", "complex results are not supported");
        }
        base = -x;
        negate = is_odd_integer(y);
    }
    if base == 1.0 {
        return Ok(Value::Float(if negate { -1.0 } else { 1.0 }));
    }
    let r = base.powf(y);
    if r.is_infinite() {
        // CPython raises OverflowError(errno.ERANGE, strerror) here.
        return Err(Value::Exception(Rc::new(crate::value::Exception::new(
            "OverflowError",
            vec![Value::Int(34), Value::str("Numerical result out of range")],
        ))));
    }
    Ok(Value::Float(if negate { -r } else { r }))
}

/// Evaluates a binary operator.
pub fn binary(op: BinOp, a: &Value, b: &Value) -> OpResult {
    use Value::*;
    if let (Some(x), Some(y)) = (a.as_int(), b.as_int()) {
        return int_binary(op, x, y, a, b);
    }
    if let (Some(x), Some(y)) = (float_of(a), float_of(b)) {
        return float_binary(op, x, y, a, b);
    }
    match (op, a, b) {
        (BinOp::Add, Str(x), Str(y)) => {
            check_text_size(x.len() + y.len())?;
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            Ok(Value::str(&s))
        }
        (BinOp::Mul, Str(s), n) | (BinOp::Mul, n, Str(s)) if n.as_int().is_some() => {
            let n = n.as_int().unwrap_or(0).max(0) as usize;
            // CPython: a length past the largest index is an OverflowError, an allocation
            // that fails a MemoryError.
            if (s.len() as u128) * (n as u128) > i64::MAX as u128 {
                return raise("OverflowError", "repeated string is too long");
            }
            check_text_size(s.len().saturating_mul(n))?;
            Ok(Value::str(&s.repeat(n)))
        }
        (BinOp::Add, List(x), List(y)) => {
            check_items(x.borrow().len() + y.borrow().len())?;
            let mut v = x.borrow().clone();
            v.extend(y.borrow().iter().cloned());
            Ok(Value::list(v))
        }
        (BinOp::Add, Tuple(x), Tuple(y)) => {
            check_items(x.len() + y.len())?;
            let mut v: Vec<Value> = x.to_vec();
            v.extend(y.iter().cloned());
            Ok(Value::tuple(v))
        }
        (BinOp::Mul, List(x), n) | (BinOp::Mul, n, List(x)) if n.as_int().is_some() => {
            Ok(Value::list(repeat(&x.borrow(), n.as_int().unwrap_or(0))?))
        }
        (BinOp::Mul, Tuple(x), n) | (BinOp::Mul, n, Tuple(x)) if n.as_int().is_some() => {
            Ok(Value::tuple(repeat(x, n.as_int().unwrap_or(0))?))
        }
        (BinOp::BitOr, Dict(x), Dict(y)) => {
            let mut m = x.borrow().clone();
            for (k, v) in y.borrow().iter() {
                m.insert(k.clone(), v.clone());
            }
            Ok(Value::dict(m))
        }
        // As the methods: `|` is `union`, `&` `intersection`, `-` `difference`, `^`
        // `symmetric_difference` (built as CPython builds them, so that they iterate in its order).
        (BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor, Set(x), Set(_)) => {
            let method = match op {
                BinOp::BitOr => "union",
                BinOp::BitAnd => "intersection",
                BinOp::Sub => "difference",
                _ => "symmetric_difference",
            };
            crate::builtins::set_method(x, method, std::slice::from_ref(b))
        }
        // Keys and items views take part in set operations with any iterable; the result is a set.
        // (A values view is not set-like: with it these raise TypeError.)
        (BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor, _, _)
            if (matches!(a, Internal(_)) || matches!(b, Internal(_)))
                && [a, b]
                    .iter()
                    .all(|v| !matches!(v, Internal(_)) || set_like(v).is_some()) =>
        {
            view_set_operation(op, a, b)
        }
        (BinOp::Mod, Str(fmt), args) => crate::format::percent_format(fmt, args),
        // A sequence on the left concatenates (and complains about the right operand).
        (BinOp::Add, Str(_) | List(_) | Tuple(_), other) => {
            let t = a.type_name();
            raise(
                "TypeError",
                format!(
                    "can only concatenate {t} (not \"{}\") to {t}",
                    other.type_name()
                ),
            )
        }
        // A sequence on either side repeats by an int.
        (BinOp::Mul, Str(_) | List(_) | Tuple(_), other)
        | (BinOp::Mul, other, Str(_) | List(_) | Tuple(_)) => raise(
            "TypeError",
            format!(
                "can't multiply sequence by non-int of type '{}'",
                other.type_name()
            ),
        ),
        _ => binop_error(op, a, b),
    }
}

fn int_binary(op: BinOp, x: i64, y: i64, a: &Value, b: &Value) -> OpResult {
    let r = match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        BinOp::Div => {
            if y == 0 {
                return raise("ZeroDivisionError", "division by zero");
            }
            return Ok(Value::Float(int_true_div(x, y)));
        }
        BinOp::FloorDiv => Some(int_floordiv(x, y)?),
        BinOp::Mod => Some(int_mod(x, y)?),
        BinOp::Pow => {
            if y < 0 {
                if x == 0 {
                    return raise(
                        "ZeroDivisionError",
                        "0.0 cannot be raised to a negative power",
                    );
                }
                return float_pow(x as f64, y as f64);
            }
            u32::try_from(y)
                .ok()
                .and_then(|e| x.checked_pow(e))
                .or(match x {
                    0 | 1 => Some(x),
                    -1 => Some(if y % 2 == 0 { 1 } else { -1 }),
                    _ => None,
                })
        }
        BinOp::LShift => {
            if y < 0 {
                return raise("ValueError", "negative shift count");
            }
            if x == 0 {
                Some(0)
            } else if y >= 64 {
                None
            } else {
                let r = x << y;
                (r >> y == x).then_some(r)
            }
        }
        BinOp::RShift => {
            if y < 0 {
                return raise("ValueError", "negative shift count");
            }
            Some(if y >= 64 {
                if x < 0 {
                    -1
                } else {
                    0
                }
            } else {
                x >> y
            })
        }
        BinOp::BitOr | BinOp::BitAnd | BinOp::BitXor => {
            let r = match op {
                BinOp::BitOr => x | y,
                BinOp::BitAnd => x & y,
                _ => x ^ y,
            };
            if let (Value::Bool(_), Value::Bool(_)) = (a, b) {
                return Ok(Value::Bool(r != 0));
            }
            Some(r)
        }
    };
    match r {
        Some(v) => Ok(Value::Int(v)),
        None => overflow(),
    }
}

fn float_binary(op: BinOp, x: f64, y: f64, a: &Value, b: &Value) -> OpResult {
    let r = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return raise("ZeroDivisionError", "float division by zero");
            }
            x / y
        }
        BinOp::FloorDiv => {
            if y == 0.0 {
                return raise("ZeroDivisionError", "float floor division by zero");
            }
            float_floordiv(x, y)
        }
        BinOp::Mod => float_mod(x, y)?,
        BinOp::Pow => return float_pow(x, y),
        _ => return binop_error(op, a, b),
    };
    Ok(Value::Float(r))
}

/// Normalizes a possibly negative index against `len`; `None` when out of range.
pub fn norm_index(i: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let i = if i < 0 { i + len } else { i };
    (0..len).contains(&i).then_some(i as usize)
}

/// The indices a slice selects from a sequence of length `len`.
pub fn slice_indices(
    lower: &Value,
    upper: &Value,
    step: &Value,
    len: usize,
) -> Result<Vec<usize>, Value> {
    let (start, stop, step) = slice_bounds(lower, upper, step, len as i128)?;
    Ok(bounded_indices(start, stop, step).collect())
}

/// The indices a slice with these bounds (from [`slice_bounds`]) selects, in order.
fn bounded_indices(start: i128, stop: i128, step: i128) -> impl Iterator<Item = usize> {
    std::iter::successors(Some(start), move |i| Some(i + step))
        .take_while(move |&i| (step > 0 && i < stop) || (step < 0 && i > stop))
        .map(|i| i as usize)
}

/// CPython's `slice(lower, upper, step).indices(len)`: start, stop and step, clamped to a
/// sequence of length `len` (wide enough for any range).
fn slice_bounds(
    lower: &Value,
    upper: &Value,
    step: &Value,
    len: i128,
) -> Result<(i128, i128, i128), Value> {
    let get = |v: &Value| -> Result<Option<i128>, Value> {
        match v {
            Value::None => Ok(None),
            other => other.as_int().map(|i| Some(i as i128)).ok_or_else(|| {
                Value::exception(
                    "TypeError",
                    "slice indices must be integers or None or have an __index__ method",
                )
            }),
        }
    };
    let step = get(step)?.unwrap_or(1);
    if step == 0 {
        return raise("ValueError", "slice step cannot be zero");
    }
    let clamp = |v: Option<i128>, default: i128, lo: i128, hi: i128| -> i128 {
        match v {
            None => default,
            Some(i) => {
                let i = if i < 0 { i + len } else { i };
                i.clamp(lo, hi)
            }
        }
    };
    Ok(if step > 0 {
        (
            clamp(get(lower)?, 0, 0, len),
            clamp(get(upper)?, len, 0, len),
            step,
        )
    } else {
        (
            clamp(get(lower)?, len - 1, -1, len - 1),
            clamp(get(upper)?, -1, -1, len - 1),
            step,
        )
    })
}

/// Python `container[index]` (the index may be a slice).
pub fn subscript(container: &Value, index: &Value) -> OpResult {
    if let Some(members) = live_iter(container) {
        return subscript(&members?, index);
    }
    // A `for` loop's next item from an iterator: the iterator's next unconsumed one.
    if let Some((iterator, taken)) = draining(container) {
        return match iterator.next_item() {
            Some(item) => {
                taken.set(taken.get() + 1);
                Ok(item)
            }
            None => raise("IndexError", "iterator exhausted"),
        };
    }
    if let Value::Internal(i) = index {
        if let crate::value::Internal::Slice(a, b, c) = &**i {
            return slice(container, a, b, c);
        }
    }
    match container {
        Value::List(l) => {
            let l = l.borrow();
            let i = seq_index(index, "list")?;
            norm_index(i, l.len())
                .map(|i| l[i].clone())
                .ok_or_else(|| Value::exception("IndexError", "list index out of range"))
        }
        Value::Tuple(t) => {
            let i = seq_index(index, "tuple")?;
            norm_index(i, t.len())
                .map(|i| t[i].clone())
                .ok_or_else(|| Value::exception("IndexError", "tuple index out of range"))
        }
        Value::Str(s) => {
            // CPython 3.11 words this one differently from the other sequences.
            let i = index.as_int().ok_or_else(|| {
                Value::exception(
                    "TypeError",
                    format!(
                        "string indices must be integers, not '{}'",
                        index.type_name()
                    ),
                )
            })?;
            if s.is_ascii() {
                return norm_index(i, s.len())
                    .map(|i| Value::str(&s[i..i + 1]))
                    .ok_or_else(|| Value::exception("IndexError", "string index out of range"));
            }
            let chars: Vec<char> = s.chars().collect();
            norm_index(i, chars.len())
                .map(|i| Value::str(&chars[i].to_string()))
                .ok_or_else(|| Value::exception("IndexError", "string index out of range"))
        }
        Value::Range(..) => {
            let i = seq_index(index, "range object")? as i128;
            let len = range_len(container);
            let i = if i < 0 { i + len } else { i };
            if i < 0 || i >= len {
                return raise("IndexError", "range object index out of range");
            }
            Ok(Value::Int(index_range(container, i)))
        }
        Value::Dict(d) => {
            check_hashable(index)?;
            d.borrow().get(index).cloned().ok_or_else(|| {
                Value::Exception(Rc::new(crate::value::Exception::new(
                    "KeyError",
                    vec![index.clone()],
                )))
            })
        }
        other => raise(
            "TypeError",
            format!("'{}' object is not subscriptable", other.type_name()),
        ),
    }
}

fn seq_index(index: &Value, what: &str) -> Result<i64, Value> {
    index.as_int().ok_or_else(|| {
        Value::exception(
            "TypeError",
            format!(
                "{what} indices must be integers or slices, not {}",
                index.type_name()
            ),
        )
    })
}

/// Python `container[lower:upper:step]`.
pub fn slice(container: &Value, lower: &Value, upper: &Value, step: &Value) -> OpResult {
    match container {
        Value::List(l) => {
            let l = l.borrow();
            let idx = slice_indices(lower, upper, step, l.len())?;
            Ok(Value::list(idx.into_iter().map(|i| l[i].clone()).collect()))
        }
        Value::Tuple(t) => {
            let idx = slice_indices(lower, upper, step, t.len())?;
            Ok(Value::tuple(
                idx.into_iter().map(|i| t[i].clone()).collect(),
            ))
        }
        // ASCII text slices by bytes, without collecting its characters.
        Value::Str(s) if s.is_ascii() => {
            let (start, stop, step) = slice_bounds(lower, upper, step, s.len() as i128)?;
            if step == 1 {
                let (start, stop) = (start as usize, stop.max(start) as usize);
                return Ok(Value::str(&s[start..stop]));
            }
            let bytes = s.as_bytes();
            Ok(Value::str(
                &bounded_indices(start, stop, step)
                    .map(|i| bytes[i] as char)
                    .collect::<String>(),
            ))
        }
        Value::Str(s) => {
            let chars: Vec<char> = s.chars().collect();
            let idx = slice_indices(lower, upper, step, chars.len())?;
            Ok(Value::str(
                &idx.into_iter().map(|i| chars[i]).collect::<String>(),
            ))
        }
        // A range's slice is a range, as in CPython.
        Value::Range(start, _, range_step) => {
            let (i, j, k) = slice_bounds(lower, upper, step, range_len(container))?;
            let (start, range_step) = (*start as i128, *range_step as i128);
            let fit = |x: i128| {
                i64::try_from(x).map_err(|_| {
                    Value::exception(
                        "OverflowError",
                        "Python int too large to convert to C ssize_t",
                    )
                })
            };
            Ok(Value::Range(
                fit(start + i * range_step)?,
                fit(start + j * range_step)?,
                fit(range_step * k)?,
            ))
        }
        // A slice is a key like any other to a dict, and an unhashable one.
        Value::Dict(_) => raise("TypeError", "unhashable type: 'slice'"),
        other => raise(
            "TypeError",
            format!("'{}' object is not subscriptable", other.type_name()),
        ),
    }
}

/// Python `len(x)`.
pub fn len(v: &Value) -> Result<usize, Value> {
    if let Some(members) = live_iter(v) {
        return len(&members?);
    }
    if let Some((iterator, taken)) = draining(v) {
        return Ok(match &**iterator {
            crate::value::Internal::Iterator {
                items, consumed, ..
            } => taken.get() + items.len().saturating_sub(consumed.get()),
            _ => 0,
        });
    }
    Ok(match v {
        Value::Str(s) => {
            if s.is_ascii() {
                s.len()
            } else {
                s.chars().count()
            }
        }
        Value::List(l) => l.borrow().len(),
        Value::Tuple(t) => t.len(),
        Value::Dict(d) => d.borrow().len(),
        Value::Set(s) => s.borrow().len(),
        Value::Range(..) => ssize(range_len(v))?,
        Value::Internal(i) if i.view_len().is_some() => i.view_len().unwrap_or(0),
        other => {
            return raise(
                "TypeError",
                format!("object of type '{}' has no len()", other.type_name()),
            )
        }
    })
}

/// The elements of an iterable, materialized.
pub fn iterate(v: &Value) -> Result<Vec<Value>, Value> {
    Ok(match v {
        Value::List(l) => l.borrow().clone(),
        Value::Tuple(t) => t.to_vec(),
        Value::Str(s) => s.chars().map(|c| Value::str(&c.to_string())).collect(),
        Value::Dict(d) => d.borrow().keys().cloned().collect(),
        Value::Set(s) => crate::set_order::members(&s.borrow()),
        Value::Internal(i)
            if matches!(
                **i,
                crate::value::Internal::DictView { .. } | crate::value::Internal::Iterator { .. }
            ) =>
        {
            i.view_members().or_else(|| i.drain()).unwrap_or_default()
        }
        Value::Range(..) => {
            if range_len(v) > MAX_ITEMS as i128 {
                return no_memory();
            }
            (0..range_len(v))
                .map(|i| Value::Int(index_range(v, i)))
                .collect()
        }
        other => {
            return raise(
                "TypeError",
                format!("'{}' object is not iterable", other.type_name()),
            )
        }
    })
}

/// What a `for` loop indexes: lists and tuples as they are (a list stays live, as in CPython),
/// strings and ranges as they are, dicts and sets as a snapshot list of their members.
///
/// A dict or set is wrapped with its snapshot ([`crate::value::Internal::LiveIter`]) so that `len`
/// and indexing can check, at every step, that the container kept its size: CPython's iterators
/// raise `RuntimeError` when a dict or set changes size during iteration.
pub fn iterable(v: &Value) -> OpResult {
    match v {
        // A string is immutable: its characters, taken once, index in O(1) (a step of a loop
        // over the string itself would find its character from the start).
        Value::Str(s) if s.len() > 16 => Ok(Value::tuple(
            s.chars()
                .map(|c| Value::str(c.encode_utf8(&mut [0; 4])))
                .collect(),
        )),
        Value::List(_) | Value::Tuple(_) | Value::Str(_) | Value::Range(..) => Ok(v.clone()),
        Value::Dict(_) | Value::Set(_) => {
            Ok(Value::Internal(Rc::new(crate::value::Internal::LiveIter {
                container: v.clone(),
                members: Value::list(iterate(v)?),
            })))
        }
        // A view iterates like its dict: a change of size during the loop raises.
        Value::Internal(i) => match &**i {
            crate::value::Internal::DictView { dict, .. } => {
                Ok(Value::Internal(Rc::new(crate::value::Internal::LiveIter {
                    container: dict.clone(),
                    members: Value::list(iterate(v)?),
                })))
            }
            crate::value::Internal::Iterator { .. } => {
                Ok(Value::Internal(Rc::new(crate::value::Internal::Draining {
                    iterator: v.clone(),
                    taken: std::cell::Cell::new(0),
                })))
            }
            _ => raise(
                "TypeError",
                format!("'{}' object is not iterable", v.type_name()),
            ),
        },
        other => raise(
            "TypeError",
            format!("'{}' object is not iterable", other.type_name()),
        ),
    }
}

/// The members snapshot of a `for` loop over a dict or set, after checking that the container
/// still has as many members (`None` when `v` is not such a loop iterable).
fn live_iter(v: &Value) -> Option<Result<Value, Value>> {
    let Value::Internal(i) = v else { return None };
    let crate::value::Internal::LiveIter { container, members } = &**i else {
        return None;
    };
    let Value::List(snapshot) = members else {
        return None;
    };
    let expected = snapshot.borrow().len();
    Some(match container {
        Value::Dict(d) if d.borrow().len() != expected => {
            raise("RuntimeError", "dictionary changed size during iteration")
        }
        Value::Set(s) if s.borrow().len() != expected => {
            raise("RuntimeError", "Set changed size during iteration")
        }
        _ => Ok(members.clone()),
    })
}

/// The iterator and the loop's count of a `for` loop over an iterator (None for other values).
fn draining(v: &Value) -> Option<(&Rc<crate::value::Internal>, &std::cell::Cell<usize>)> {
    let Value::Internal(i) = v else { return None };
    let crate::value::Internal::Draining {
        iterator: Value::Internal(it),
        taken,
    } = &**i
    else {
        return None;
    };
    Some((it, taken))
}

/// `a < b` as `list.sort` asks it (`PyObject_RichCompareBool(a, b, Py_LT)`).
fn sort_lt(a: &Value, b: &Value) -> Result<bool, Value> {
    Ok(py_cmp(a, b, "<")? == Some(Ordering::Less))
}

/// What `timsort` orders: values by themselves, or (key, item) pairs by their key.
trait SortItem: Clone {
    fn sort_key(&self) -> &Value;
}

impl SortItem for Value {
    fn sort_key(&self) -> &Value {
        self
    }
}

impl SortItem for (Value, Value) {
    fn sort_key(&self) -> &Value {
        &self.0
    }
}

fn item_lt<T: SortItem>(a: &T, b: &T) -> Result<bool, Value> {
    sort_lt(a.sort_key(), b.sort_key())
}

/// The length of the run starting at `lo` (strictly descending runs are reversed in place).
fn count_run<T: SortItem>(v: &mut [T], lo: usize, hi: usize) -> Result<usize, Value> {
    if lo + 1 >= hi {
        return Ok(hi - lo);
    }
    let mut n = 2;
    if item_lt(&v[lo + 1], &v[lo])? {
        while lo + n < hi && item_lt(&v[lo + n], &v[lo + n - 1])? {
            n += 1;
        }
        v[lo..lo + n].reverse();
    } else {
        while lo + n < hi && !item_lt(&v[lo + n], &v[lo + n - 1])? {
            n += 1;
        }
    }
    Ok(n)
}

/// Binary insertion sort of `v[lo..hi]`, whose prefix `v[lo..start]` is already sorted.
fn binary_sort<T: SortItem>(v: &mut [T], lo: usize, hi: usize, start: usize) -> Result<(), Value> {
    for i in start.max(lo + 1)..hi {
        let (mut l, mut r) = (lo, i);
        while l < r {
            let p = l + (r - l) / 2;
            if item_lt(&v[i], &v[p])? {
                r = p;
            } else {
                l = p + 1;
            }
        }
        v[l..=i].rotate_right(1);
    }
    Ok(())
}

/// Stable merge of the adjacent sorted runs `v[lo..mid]` and `v[mid..hi]`.
fn merge_runs<T: SortItem>(v: &mut [T], lo: usize, mid: usize, hi: usize) -> Result<(), Value> {
    let left: Vec<T> = v[lo..mid].to_vec();
    let (mut i, mut j, mut k) = (0, mid, lo);
    let result = (|| {
        while i < left.len() && j < hi {
            if item_lt(&v[j], &left[i])? {
                v[k] = v[j].clone();
                j += 1;
            } else {
                v[k] = left[i].clone();
                i += 1;
            }
            k += 1;
        }
        Ok(())
    })();
    // Whatever happened, every element is kept: the rest of the left run fills the gap.
    for x in &left[i..] {
        v[k] = x.clone();
        k += 1;
    }
    result
}

/// Python's `list.sort()` / `sorted()`: stable, and making the comparisons CPython's timsort
/// makes for lists of fewer than 64 items (a first run, then binary insertion), so that errors
/// and inconsistent orders (NaN) come out alike. Longer lists are cut into runs the same way and
/// merged without galloping. With `reverse`, the list is reversed before and after, which keeps
/// equal items in their original order as CPython does. On an error, the items are left
/// partially sorted, as in CPython.
pub fn py_sort(v: &mut [Value], reverse: bool) -> Result<(), Value> {
    sort_items(v, reverse)
}

/// [`py_sort`] of (key, item) pairs by their keys: `sorted(items, key=f)` with the keys
/// computed beforehand.
pub fn py_sort_keyed(v: &mut [(Value, Value)], reverse: bool) -> Result<(), Value> {
    sort_items(v, reverse)
}

fn sort_items<T: SortItem>(v: &mut [T], reverse: bool) -> Result<(), Value> {
    if reverse {
        v.reverse();
    }
    let result = timsort(v);
    if reverse {
        v.reverse();
    }
    result
}

fn timsort<T: SortItem>(v: &mut [T]) -> Result<(), Value> {
    let n = v.len();
    if n < 2 {
        return Ok(());
    }
    let mut minrun = n;
    let mut odd = 0;
    while minrun >= 64 {
        odd |= minrun & 1;
        minrun >>= 1;
    }
    minrun += odd;
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut lo = 0;
    while lo < n {
        let mut len = count_run(v, lo, n)?;
        if len < minrun {
            let force = (n - lo).min(minrun);
            binary_sort(v, lo, lo + force, lo + len)?;
            len = force;
        }
        runs.push((lo, lo + len));
        lo += len;
    }
    while runs.len() > 1 {
        let mut merged = Vec::with_capacity(runs.len() / 2 + 1);
        for pair in runs.chunks(2) {
            match pair {
                [(a, m), (_, b)] => {
                    merge_runs(v, *a, *m, *b)?;
                    merged.push((*a, *b));
                }
                [one] => merged.push(*one),
                _ => {}
            }
        }
        runs = merged;
    }
    Ok(())
}

/// Python ordering for `sorted`, `min` and `max`.
pub fn sort_values(items: &mut [Value]) -> Result<(), Value> {
    py_sort(items, false)
}

/// Augmented assignment `a op= b`: lists, sets and dicts are updated in place (and returned,
/// so every alias sees the change, as in CPython); other values compute `a op b`.
pub fn inplace(op: BinOp, a: &Value, b: &Value) -> OpResult {
    match (op, a) {
        (BinOp::Add, Value::List(l)) => {
            let items = match b {
                Value::List(other) if Rc::ptr_eq(l, other) => l.borrow().clone(),
                other => iterate(other)?,
            };
            check_items(l.borrow().len() + items.len())?;
            journal::list_grows(l);
            l.borrow_mut().extend(items);
            Ok(a.clone())
        }
        (BinOp::Mul, Value::List(l)) => match b.as_int() {
            Some(n) => {
                let items = repeat(&l.borrow(), n)?;
                let old = std::mem::replace(&mut *l.borrow_mut(), items);
                journal::list_contents(l, old);
                Ok(a.clone())
            }
            None => binary(op, a, b),
        },
        // `s |= t` is `s.update(t)`, `-=` `difference_update`, `&=` `intersection_update`, `^=`
        // `symmetric_difference_update`: in place, member by member, as CPython does.
        (BinOp::BitOr | BinOp::Sub | BinOp::BitAnd | BinOp::BitXor, Value::Set(s))
            if matches!(b, Value::Set(_)) =>
        {
            let method = match op {
                BinOp::BitOr => "update",
                BinOp::Sub => "difference_update",
                BinOp::BitAnd => "intersection_update",
                _ => "symmetric_difference_update",
            };
            crate::builtins::set_method(s, method, std::slice::from_ref(b))?;
            Ok(a.clone())
        }
        // `d |= x` is `d.update(x)`: any iterable of pairs, not only a dict.
        (BinOp::BitOr, Value::Dict(d)) => {
            let (pairs, failure) = crate::builtins::update_pairs_until_error(b);
            for (k, v) in pairs {
                let (i, old) = d.borrow_mut().insert_full(k, v);
                journal::dict_inserted(d, i, old);
            }
            failure.map(|()| a.clone())
        }
        _ => binary(op, a, b).map_err(|e| inplace_error(op, e)),
    }
}

/// `so & other` as CPython builds it: the members come from the smaller set (the right one on a
/// tie, and always from `other` when it is not a set), in its order. Which one counts when
/// members are equal but not alike (`{2} & {2.0}` is `{2.0}`).
pub fn intersect(
    so: &crate::value::SetMap,
    other: &crate::value::SetMap,
    other_is_set: bool,
) -> crate::value::SetMap {
    let (iterated, probed) = if other_is_set && other.len() > so.len() {
        (so, other)
    } else {
        (other, so)
    };
    crate::set_order::members(iterated)
        .into_iter()
        .filter(|k| probed.contains(k))
        .collect()
}

/// CPython names the augmented operator (`+=`) when neither operand supports it.
fn inplace_error(op: BinOp, e: Value) -> Value {
    let Value::Exception(exc) = &e else {
        return e;
    };
    let message = exc.message();
    let plain = format!("unsupported operand type(s) for {}:", ir_symbol(op));
    match message.strip_prefix(&plain) {
        Some(rest) if &*exc.class == "TypeError" => {
            let symbol = match op {
                BinOp::Pow => "**",
                _ => ir_symbol(op),
            };
            Value::exception(
                "TypeError",
                format!("unsupported operand type(s) for {symbol}=:{rest}"),
            )
        }
        _ => e,
    }
}
