//! Formatting, arithmetic and builtin behaviors checked against CPython 3.11's outputs.

use ir::BinOp;
use runtime_common::builtins::{call_builtin, call_method};
use runtime_common::format::{format_value, percent_format, str_format};
use runtime_common::ops::{binary, contains};
use runtime_common::Value;

fn fmt(v: Value, spec: &str) -> String {
    format_value(&v, spec).unwrap_or_else(|e| panic!("format({spec:?}) raised {}", exc_text(&e)))
}

fn exc_text(e: &Value) -> String {
    match e {
        Value::Exception(x) => format!("{}: {}", x.class, x.message()),
        other => format!("{other:?}"),
    }
}

/// The class and message of the exception a call raised.
fn exc<T: std::fmt::Debug>(r: Result<T, Value>) -> (String, String) {
    match r {
        Ok(v) => panic!("expected an exception, got {v:?}"),
        Err(Value::Exception(e)) => (e.class.to_string(), e.message()),
        Err(other) => panic!("raised a non-exception {other:?}"),
    }
}

fn fmt_err(v: Value, spec: &str) -> (String, String) {
    exc(format_value(&v, spec))
}

fn pct(f: &str, args: Vec<Value>) -> String {
    match percent_format(f, &Value::tuple(args)) {
        Ok(Value::Str(s)) => s.to_string(),
        other => panic!("{f:?} % ... gave {other:?}"),
    }
}

fn pct_err(f: &str, args: Vec<Value>) -> (String, String) {
    exc(percent_format(f, &Value::tuple(args)))
}

fn s(text: &str) -> Value {
    Value::str(text)
}

fn list(items: Vec<Value>) -> Value {
    Value::list(items)
}

fn text(v: &Value) -> String {
    runtime_common::format::repr(v)
}

fn builtin(name: &str, args: Vec<Value>) -> Result<Value, Value> {
    call_builtin(name, &args, &[])
}

fn method(receiver: &Value, name: &str, args: Vec<Value>) -> Result<Value, Value> {
    call_method(receiver, name, &args, &[])
}

fn pair(class: &str, message: &str) -> (String, String) {
    (class.to_string(), message.to_string())
}

#[test]
fn format_spec_matches_cpython() {
    assert_eq!(fmt(Value::Int(1234567), ","), "1,234,567");
    assert_eq!(fmt(Value::Int(1), "08,d"), "0,000,001");
    assert_eq!(fmt(Value::Int(-42), "+06d"), "-00042");
    assert_eq!(fmt(Value::Int(255), "#010b"), "0b11111111");
    assert_eq!(fmt(Value::Int(255), "_x"), "ff");
    assert_eq!(fmt(Value::Int(-65535), "#_x"), "-0xffff");
    assert_eq!(fmt(Value::Int(65), "^5c"), "  A  ");
    assert_eq!(fmt(Value::Bool(true), ">5"), "    1");
    assert_eq!(fmt(Value::Bool(true), ""), "True");
    assert_eq!(fmt(Value::Float(3.14259_f64), ">8.2f"), "    3.14");
    assert_eq!(fmt(Value::Float(-1234.5_f64), ",.2f"), "-1,234.50");
    assert_eq!(fmt(Value::Float(0.256_f64), ".1%"), "25.6%");
    assert_eq!(fmt(Value::Float(2.5_f64), ".0f"), "2");
    assert_eq!(fmt(Value::Float(0.125_f64), ".2f"), "0.12");
    assert_eq!(fmt(Value::Float(1e+16_f64), ""), "1e+16");
    assert_eq!(fmt(Value::Float(1.0_f64), ".2"), "1.0");
    assert_eq!(fmt(Value::Float(9.9995_f64), ".2"), "1e+01");
    assert_eq!(fmt(Value::Float(100.0_f64), ".3"), "1e+02");
    assert_eq!(fmt(Value::Float(1e-05_f64), "#"), "1.e-05");
    assert_eq!(fmt(Value::Float(1.0_f64), "#.3"), "1.00");
    assert_eq!(fmt(Value::Float(255.0_f64), "#.3g"), "255.");
    assert_eq!(fmt(Value::Float(0.0_f64), "#g"), "0.00000");
    assert_eq!(fmt(Value::Float(1e+100_f64), ","), "1e+100");
    assert_eq!(fmt(Value::Float(123456789.0_f64), "G"), "1.23457E+08");
    assert_eq!(fmt(Value::Float(-0.0_f64), "z.1f"), "0.0");
    assert_eq!(fmt(Value::Float(-0.0001_f64), "z.2f"), "0.00");
    assert_eq!(fmt(Value::Float(f64::INFINITY), "010.2f"), "0000000inf");
    assert_eq!(fmt(Value::Float(f64::NEG_INFINITY), "=+10"), "-      inf");
    assert_eq!(fmt(Value::Float(f64::NAN), "F"), "NAN");
    assert_eq!(fmt(Value::Float(1e+22_f64), "e"), "1.000000e+22");
    assert_eq!(fmt(Value::Float(0.5_f64), "#.0e"), "5.e-01");
    assert_eq!(fmt(Value::Float(2.0_f64), "#.0f"), "2.");
    assert_eq!(fmt(Value::Float(1.0_f64), "015,.2f"), "0,000,000,001.00");
    assert_eq!(fmt(Value::str("abc"), "010"), "abc0000000");
    assert_eq!(fmt(Value::str("abc"), "^9"), "   abc   ");
    assert_eq!(fmt(Value::str("héllo"), ".2"), "hé");
    assert_eq!(fmt(Value::str("x"), "*>4"), "***x");
}

#[test]
fn format_spec_errors_match_cpython() {
    assert_eq!(
        fmt_err(Value::str("abc"), "+"),
        (
            "ValueError".to_string(),
            "Sign not allowed in string format specifier".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::str("abc"), "="),
        (
            "ValueError".to_string(),
            "'=' alignment not allowed in string format specifier".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::str("abc"), "#"),
        (
            "ValueError".to_string(),
            "Alternate form (#) not allowed in string format specifier".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::str("abc"), ","),
        (
            "ValueError".to_string(),
            "Cannot specify ',' with 's'.".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::Int(1), ".2"),
        (
            "ValueError".to_string(),
            "Precision not allowed in integer format specifier".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::Int(1), "z"),
        (
            "ValueError".to_string(),
            "Negative zero coercion (z) not allowed in integer format specifier".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::Float(1.5_f64), "d"),
        (
            "ValueError".to_string(),
            "Unknown format code 'd' for object of type 'float'".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::Int(1), ",,"),
        (
            "ValueError".to_string(),
            "Cannot specify ',' with ','.".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::Int(1), ",_"),
        (
            "ValueError".to_string(),
            "Cannot specify both ',' and '_'.".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::Int(1), "xx"),
        (
            "ValueError".to_string(),
            "Invalid format specifier 'xx' for object of type 'int'".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::Int(1), "."),
        (
            "ValueError".to_string(),
            "Format specifier missing precision".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::Int(65), "+c"),
        (
            "ValueError".to_string(),
            "Sign not allowed with integer format specifier 'c'".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::str("a"), "d"),
        (
            "ValueError".to_string(),
            "Unknown format code 'd' for object of type 'str'".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::None, ">5"),
        (
            "TypeError".to_string(),
            "unsupported format string passed to NoneType.__format__".to_string()
        )
    );
    assert_eq!(
        fmt_err(Value::Int(1 << 40), "c"),
        (
            "OverflowError".to_string(),
            "%c arg not in range(0x110000)".to_string()
        )
    );
}

#[test]
fn percent_format_matches_cpython() {
    assert_eq!(
        pct("%5d|%-5d|", vec![Value::Int(3), Value::Int(4)]),
        "    3|4    |"
    );
    assert_eq!(pct("%.2f", vec![Value::Float(2.345_f64)]), "2.35");
    assert_eq!(
        pct(
            "%x %X %#o",
            vec![Value::Int(255), Value::Int(255), Value::Int(8)]
        ),
        "ff FF 0o10"
    );
    assert_eq!(pct("%+05d", vec![Value::Int(3)]), "+0003");
    assert_eq!(pct("%.3d", vec![Value::Int(5)]), "005");
    assert_eq!(
        pct("%s|%r", vec![Value::str("x"), Value::str("y")]),
        "x|'y'"
    );
    assert_eq!(pct("%05.1f", vec![Value::Float(-2.25_f64)]), "-02.2");
    assert_eq!(
        pct("%010f", vec![Value::Float(f64::INFINITY)]),
        "0000000inf"
    );
    assert_eq!(pct("%c%c", vec![Value::Int(65), Value::str("b")]), "Ab");
    assert_eq!(pct("%e", vec![Value::Float(12345.678_f64)]), "1.234568e+04");
    assert_eq!(pct("%g", vec![Value::Float(1e-05_f64)]), "1e-05");
    assert_eq!(pct("%#.0f", vec![Value::Float(2.0_f64)]), "2.");
    assert_eq!(pct("%i", vec![Value::Float(2.9_f64)]), "2");
    assert_eq!(pct("100%% %s", vec![Value::str("a")]), "100% a");
    assert_eq!(
        pct("%-+8.2e|", vec![Value::Float(1234.5_f64)]),
        "+1.23e+03|"
    );
    assert_eq!(pct("%*d", vec![Value::Int(5), Value::Int(1)]), "    1");
    assert_eq!(pct("%a", vec![Value::str("é")]), "'\\xe9'");
}

#[test]
fn percent_format_errors_match_cpython() {
    assert_eq!(
        pct_err("%d", vec![Value::str("x")]),
        (
            "TypeError".to_string(),
            "%d format: a real number is required, not str".to_string()
        )
    );
    assert_eq!(
        pct_err("%x", vec![Value::Float(1.5_f64)]),
        (
            "TypeError".to_string(),
            "%x format: an integer is required, not float".to_string()
        )
    );
    assert_eq!(
        pct_err("%f", vec![Value::str("x")]),
        (
            "TypeError".to_string(),
            "must be real number, not str".to_string()
        )
    );
    assert_eq!(
        pct_err("%c", vec![Value::str("ab")]),
        (
            "TypeError".to_string(),
            "%c requires int or char".to_string()
        )
    );
    assert_eq!(
        pct_err("%q", vec![Value::Int(1)]),
        (
            "ValueError".to_string(),
            "unsupported format character 'q' (0x71) at index 1".to_string()
        )
    );
    assert_eq!(
        pct_err("%", vec![]),
        ("ValueError".to_string(), "incomplete format".to_string())
    );
    assert_eq!(
        pct_err("%s %s", vec![Value::Int(1)]),
        (
            "TypeError".to_string(),
            "not enough arguments for format string".to_string()
        )
    );
    assert_eq!(
        pct_err("%s", vec![Value::Int(1), Value::Int(2)]),
        (
            "TypeError".to_string(),
            "not all arguments converted during string formatting".to_string()
        )
    );
    assert_eq!(
        pct_err("%5%", vec![Value::Int(1)]),
        (
            "ValueError".to_string(),
            "unsupported format character '%' (0x25) at index 2".to_string()
        )
    );
    assert_eq!(
        pct_err("%5%", vec![]),
        (
            "TypeError".to_string(),
            "not enough arguments for format string".to_string()
        )
    );
}

#[test]
fn str_format_matches_cpython() {
    assert_eq!(
        str_format("{} and {}", &[Value::Int(1), Value::Float(2.5_f64)], &[]).unwrap(),
        "1 and 2.5"
    );
    assert_eq!(
        str_format("{1}-{0}", &[Value::str("a"), Value::str("b")], &[]).unwrap(),
        "b-a"
    );
    assert_eq!(
        str_format("{0!r:>10}", &[Value::str("x")], &[]).unwrap(),
        "       'x'"
    );
    assert_eq!(
        str_format(
            "{:{}}",
            &[Value::Float(2.71628_f64), Value::str(".2f")],
            &[]
        )
        .unwrap(),
        "2.72"
    );
    assert_eq!(
        str_format("{{}}{}", &[Value::str("z")], &[]).unwrap(),
        "{}z"
    );
    assert_eq!(
        str_format("{0:,}", &[Value::Int(1234567)], &[]).unwrap(),
        "1,234,567"
    );
    assert_eq!(
        exc(str_format("{}{0}", &[Value::Int(1)], &[])),
        (
            "ValueError".to_string(),
            "cannot switch from automatic field numbering to manual field specification"
                .to_string()
        )
    );
    assert_eq!(
        exc(str_format("{0}{}", &[Value::Int(1)], &[])),
        (
            "ValueError".to_string(),
            "cannot switch from manual field specification to automatic field numbering"
                .to_string()
        )
    );
    assert_eq!(
        exc(str_format("{", &[], &[])),
        (
            "ValueError".to_string(),
            "Single '{' encountered in format string".to_string()
        )
    );
    assert_eq!(
        exc(str_format("}", &[], &[])),
        (
            "ValueError".to_string(),
            "Single '}' encountered in format string".to_string()
        )
    );
    assert_eq!(
        exc(str_format("{1}", &[Value::Int(1)], &[])),
        (
            "IndexError".to_string(),
            "Replacement index 1 out of range for positional args tuple".to_string()
        )
    );
    assert_eq!(
        exc(str_format("{0!z}", &[Value::Int(1)], &[])),
        (
            "ValueError".to_string(),
            "Unknown conversion specifier z".to_string()
        )
    );
}

#[test]
fn float_division_and_modulo_follow_cpython() {
    let inf = Value::Float(f64::INFINITY);
    assert_eq!(
        text(&binary(BinOp::FloorDiv, &Value::Float(-1.0), &inf).unwrap()),
        "-1.0"
    );
    assert_eq!(
        text(&binary(BinOp::Mod, &Value::Float(-1.0), &inf).unwrap()),
        "inf"
    );
    assert_eq!(
        text(&binary(BinOp::FloorDiv, &Value::Float(7.5), &Value::Int(-2)).unwrap()),
        "-4.0"
    );
    assert_eq!(
        text(&binary(BinOp::FloorDiv, &Value::Float(0.0), &Value::Int(-3)).unwrap()),
        "-0.0"
    );
    assert_eq!(
        text(&binary(BinOp::FloorDiv, &Value::Int(-7), &Value::Int(2)).unwrap()),
        "-4"
    );
    assert_eq!(
        text(&binary(BinOp::Mod, &Value::Int(7), &Value::Int(-2)).unwrap()),
        "-1"
    );
    assert_eq!(
        exc(binary(BinOp::Mod, &Value::Float(1.5), &Value::Float(0.0))),
        pair("ZeroDivisionError", "float modulo")
    );
    assert_eq!(
        exc(builtin("divmod", vec![Value::Float(1.5), Value::Int(0)])),
        pair("ZeroDivisionError", "float divmod()")
    );
    assert_eq!(
        exc(builtin("divmod", vec![Value::Int(1), Value::Int(0)])),
        pair("ZeroDivisionError", "integer division or modulo by zero")
    );
    assert_eq!(
        exc(builtin("divmod", vec![Value::Int(1), s("a")])),
        pair(
            "TypeError",
            "unsupported operand type(s) for divmod(): 'int' and 'str'"
        )
    );
}

#[test]
fn power_special_cases_follow_cpython() {
    let pow = |a: Value, b: Value| binary(BinOp::Pow, &a, &b);
    assert_eq!(
        text(&pow(Value::Float(0.0), Value::Float(f64::NEG_INFINITY)).unwrap()),
        "inf"
    );
    assert_eq!(
        text(&pow(Value::Float(f64::NEG_INFINITY), Value::Int(-3)).unwrap()),
        "-0.0"
    );
    assert_eq!(
        text(&pow(Value::Float(-8.0), Value::Float(3.0)).unwrap()),
        "-512.0"
    );
    assert_eq!(
        text(&pow(Value::Float(f64::NAN), Value::Int(0)).unwrap()),
        "1.0"
    );
    assert_eq!(
        text(&pow(Value::Float(1.0), Value::Float(f64::NAN)).unwrap()),
        "1.0"
    );
    assert_eq!(text(&pow(Value::Int(2), Value::Int(-1)).unwrap()), "0.5");
    assert_eq!(
        text(&pow(Value::Int(-2), Value::Int(-3)).unwrap()),
        "-0.125"
    );
    assert_eq!(
        exc(pow(Value::Int(0), Value::Int(-1))),
        pair(
            "ZeroDivisionError",
            "0.0 cannot be raised to a negative power"
        )
    );
    let overflow = pow(Value::Float(10.0), Value::Int(400)).unwrap_err();
    assert_eq!(
        text(&overflow),
        "OverflowError(34, 'Numerical result out of range')"
    );
    assert_eq!(
        exc(Err::<(), _>(overflow)).1,
        "(34, 'Numerical result out of range')"
    );
}

#[test]
fn operand_type_errors_use_cpython_messages() {
    assert_eq!(
        exc(binary(BinOp::Add, &s("a"), &Value::Int(1))),
        pair("TypeError", "can only concatenate str (not \"int\") to str")
    );
    assert_eq!(
        exc(binary(BinOp::Add, &list(vec![]), &s("a"))),
        pair(
            "TypeError",
            "can only concatenate list (not \"str\") to list"
        )
    );
    assert_eq!(
        exc(binary(BinOp::Add, &Value::tuple(vec![]), &Value::Int(1))),
        pair(
            "TypeError",
            "can only concatenate tuple (not \"int\") to tuple"
        )
    );
    assert_eq!(
        exc(binary(BinOp::Add, &Value::Int(1), &s("a"))),
        pair(
            "TypeError",
            "unsupported operand type(s) for +: 'int' and 'str'"
        )
    );
    assert_eq!(
        exc(binary(BinOp::Mul, &s("ab"), &Value::Float(2.5))),
        pair(
            "TypeError",
            "can't multiply sequence by non-int of type 'float'"
        )
    );
    assert_eq!(
        exc(binary(BinOp::Mul, &Value::None, &list(vec![]))),
        pair(
            "TypeError",
            "can't multiply sequence by non-int of type 'NoneType'"
        )
    );
    assert_eq!(
        exc(binary(BinOp::Mul, &s("a"), &s("b"))),
        pair(
            "TypeError",
            "can't multiply sequence by non-int of type 'str'"
        )
    );
    let one_set = Value::Set(std::rc::Rc::new(std::cell::RefCell::new(
        [Value::Int(1)].into_iter().collect(),
    )));
    assert_eq!(contains(&one_set, &one_set), Ok(false));
}

#[test]
fn round_matches_cpython() {
    let round =
        |x: f64, d: i64| text(&builtin("round", vec![Value::Float(x), Value::Int(d)]).unwrap());
    assert_eq!(round(2.675, 2), "2.67");
    assert_eq!(round(0.285, 2), "0.28");
    assert_eq!(round(1349.5, -2), "1300.0");
    assert_eq!(round(1250.0, -2), "1200.0");
    assert_eq!(round(-0.3, -1), "-0.0");
    assert_eq!(round(5.0, -400), "0.0");
    assert_eq!(round(1e22, -21), "1e+22");
    assert_eq!(
        text(&builtin("round", vec![Value::Float(2.5)]).unwrap()),
        "2"
    );
    assert_eq!(
        text(&builtin("round", vec![Value::Float(-1.5)]).unwrap()),
        "-2"
    );
    assert_eq!(
        text(&builtin("round", vec![Value::Int(1350), Value::Int(-2)]).unwrap()),
        "1400"
    );
    assert_eq!(
        exc(builtin("round", vec![Value::Float(2.5), Value::Float(1.0)])),
        pair(
            "TypeError",
            "'float' object cannot be interpreted as an integer"
        )
    );
    assert_eq!(
        exc(builtin("round", vec![s("a"), Value::Float(1.0)])),
        pair("TypeError", "type str doesn't define __round__ method")
    );
}

#[test]
fn int_and_float_parsing_match_cpython() {
    let int = |args: Vec<Value>| builtin("int", args);
    assert_eq!(text(&int(vec![s("0x1A"), Value::Int(16)]).unwrap()), "26");
    assert_eq!(text(&int(vec![s("0b101"), Value::Int(0)]).unwrap()), "5");
    assert_eq!(text(&int(vec![s(" -1_000 ")]).unwrap()), "-1000");
    assert_eq!(text(&int(vec![s("z"), Value::Int(36)]).unwrap()), "35");
    assert_eq!(text(&int(vec![s("0x_f"), Value::Int(16)]).unwrap()), "15");
    for bad in ["--5", "1__0", "_1", "1_", "0x", ""] {
        assert_eq!(
            exc(int(vec![s(bad)])),
            pair(
                "ValueError",
                &format!("invalid literal for int() with base 10: {}", text(&s(bad)))
            )
        );
    }
    assert_eq!(
        exc(int(vec![s("010"), Value::Int(0)])),
        pair("ValueError", "invalid literal for int() with base 0: '010'")
    );
    assert_eq!(
        exc(int(vec![s("1"), Value::Int(1)])),
        pair("ValueError", "int() base must be >= 2 and <= 36, or 0")
    );
    assert_eq!(
        exc(int(vec![Value::Int(5), Value::Int(10)])),
        pair(
            "TypeError",
            "int() can't convert non-string with explicit base"
        )
    );
    assert_eq!(text(&builtin("float", vec![s("1_0.5")]).unwrap()), "10.5");
    assert_eq!(
        exc(builtin("float", vec![s("1__0")])),
        pair("ValueError", "could not convert string to float: '1__0'")
    );
    assert_eq!(
        exc(builtin("float", vec![s("1_.5")])),
        pair("ValueError", "could not convert string to float: '1_.5'")
    );
}

#[test]
fn builtin_functions_match_cpython() {
    assert_eq!(
        exc(builtin("min", vec![list(vec![])])),
        pair("ValueError", "min() arg is an empty sequence")
    );
    let d = builtin(
        "dict",
        vec![list(vec![
            list(vec![s("a"), Value::Int(1)]),
            list(vec![s("b"), Value::Int(2)]),
        ])],
    )
    .unwrap();
    assert_eq!(
        text(&builtin("list", vec![builtin("reversed", vec![d]).unwrap()]).unwrap()),
        "['b', 'a']"
    );
    assert_eq!(
        exc(builtin("dict", vec![list(vec![Value::Int(1)])])),
        pair(
            "TypeError",
            "cannot convert dictionary update sequence element #0 to a sequence"
        )
    );
    let nan = Value::Float(f64::NAN);
    let sorted = |items: Vec<Value>| text(&builtin("sorted", vec![list(items)]).unwrap());
    assert_eq!(
        sorted(vec![
            Value::Int(3),
            nan.clone(),
            Value::Int(1),
            Value::Int(2)
        ]),
        "[3, nan, 1, 2]"
    );
    assert_eq!(
        sorted(vec![
            Value::Int(2),
            Value::Int(1),
            nan,
            Value::Int(0),
            Value::Int(-1)
        ]),
        "[-1, 0, 1, 2, nan]"
    );
    let equal = list(vec![Value::Int(1), Value::Float(1.0), Value::Bool(true)]);
    let reversed = call_builtin(
        "sorted",
        &[equal],
        &[("reverse".to_string(), Value::Bool(true))],
    )
    .unwrap();
    assert_eq!(text(&reversed), "[1, 1.0, True]");
}

#[test]
fn failed_sort_leaves_cpython_partial_order() {
    for (items, left) in [
        (vec![Value::Int(3), s("a"), Value::Int(1)], "[3, 'a', 1]"),
        (
            vec![Value::Int(5), Value::Int(4), s("x"), Value::Int(1)],
            "[5, 4, 'x', 1]",
        ),
    ] {
        let l = list(items);
        assert_eq!(
            exc(method(&l, "sort", vec![])),
            pair(
                "TypeError",
                "'<' not supported between instances of 'str' and 'int'"
            )
        );
        assert_eq!(text(&l), left);
    }
}

#[test]
fn builtin_methods_match_cpython() {
    let abc = s("abcabc");
    assert_eq!(
        text(&method(&abc, "find", vec![s("b"), Value::Int(2)]).unwrap()),
        "4"
    );
    assert_eq!(
        text(&method(&abc, "find", vec![s("b"), Value::Int(-2)]).unwrap()),
        "4"
    );
    assert_eq!(
        text(&method(&abc, "count", vec![s(""), Value::Int(1)]).unwrap()),
        "6"
    );
    assert_eq!(
        text(&method(&abc, "count", vec![s("b"), Value::Int(0), Value::Int(3)]).unwrap()),
        "1"
    );
    assert_eq!(
        text(&method(&s("abc"), "startswith", vec![s(""), Value::Int(4)]).unwrap()),
        "False"
    );
    assert_eq!(
        text(&method(&s("abc"), "startswith", vec![s(""), Value::Int(3)]).unwrap()),
        "True"
    );
    assert_eq!(
        text(&method(&s("ß straße"), "title", vec![]).unwrap()),
        "'Ss Straße'"
    );
    assert_eq!(
        text(&method(&s("\u{1c} a\t"), "strip", vec![]).unwrap()),
        "'a'"
    );
    assert_eq!(
        text(
            &method(
                &Value::tuple(vec![Value::Int(1), Value::Int(2)]),
                "index",
                vec![Value::Int(2)]
            )
            .unwrap()
        ),
        "1"
    );
    assert_eq!(
        exc(method(&list(vec![]), "index", vec![])),
        pair("TypeError", "index expected at least 1 argument, got 0")
    );
    assert_eq!(
        exc(method(&s("a"), "find", vec![])),
        pair("TypeError", "find() takes at least 1 argument (0 given)")
    );
    assert_eq!(
        exc(method(&s("a"), "upper", vec![Value::Int(1)])),
        pair("TypeError", "str.upper() takes no arguments (1 given)")
    );
    assert_eq!(
        exc(method(&list(vec![]), "insert", vec![Value::Int(1)])),
        pair("TypeError", "insert expected 2 arguments, got 1")
    );
    assert_eq!(
        exc(method(
            &list(vec![Value::Int(1)]),
            "index",
            vec![Value::Int(1), Value::None]
        )),
        pair(
            "TypeError",
            "slice indices must be integers or have an __index__ method"
        )
    );
    assert_eq!(
        exc(call_method(
            &list(vec![]),
            "append",
            &[],
            &[("x".to_string(), Value::Int(1))]
        )),
        pair("TypeError", "list.append() takes no keyword arguments")
    );
    assert_eq!(
        exc(method(
            &Value::dict(Default::default()),
            "pop",
            vec![list(vec![Value::Int(1)])]
        )),
        pair("KeyError", "[1]")
    );
}

#[test]
fn loop_over_dict_or_set_detects_size_changes() {
    use runtime_common::ops::{iterable, len, subscript};
    let d = builtin("dict", vec![list(vec![list(vec![s("a"), Value::Int(1)])])]).unwrap();
    let it = iterable(&d).unwrap();
    assert_eq!(len(&it).unwrap(), 1);
    assert_eq!(text(&subscript(&it, &Value::Int(0)).unwrap()), "'a'");
    method(&d, "setdefault", vec![s("b")]).unwrap();
    assert_eq!(
        exc(len(&it)),
        pair("RuntimeError", "dictionary changed size during iteration")
    );
    let set = builtin("set", vec![list(vec![Value::Int(1)])]).unwrap();
    let it = iterable(&set).unwrap();
    method(&set, "add", vec![Value::Int(2)]).unwrap();
    assert_eq!(
        exc(subscript(&it, &Value::Int(0))),
        pair("RuntimeError", "Set changed size during iteration")
    );
}

#[test]
fn float_repr_breaks_ties_to_even_like_cpython() {
    // The exact value is 999648102547562.25: both ...562.2 and ...562.3 read back as it.
    assert_eq!(text(&Value::Float(999648102547562.2)), "999648102547562.2");
    assert_eq!(text(&Value::Float(864632218441066.2)), "864632218441066.2");
    assert_eq!(
        fmt(Value::Float(999648102547562.2), ">18"),
        " 999648102547562.2"
    );
    assert_eq!(text(&Value::Float(0.1 + 0.2)), "0.30000000000000004");
    assert_eq!(text(&Value::Float(1e16)), "1e+16");
    assert_eq!(
        text(&Value::Float(123456789012345678.0)),
        "1.2345678901234568e+17"
    );
}

#[test]
fn int_float_comparisons_are_exact() {
    use ir::CmpOp;
    use runtime_common::ops::compare;
    let big = Value::Int((1 << 53) + 1);
    let f = Value::Float(9007199254740992.0);
    assert_eq!(compare(CmpOp::Gt, &big, &f), Ok(true));
    assert_eq!(compare(CmpOp::Lt, &f, &big), Ok(true));
    assert_eq!(compare(CmpOp::Eq, &big, &f), Ok(false));
    assert_eq!(
        compare(
            CmpOp::Lt,
            &Value::Int(i64::MAX),
            &Value::Float(2f64.powi(63))
        ),
        Ok(true)
    );
    assert_eq!(
        compare(CmpOp::Gt, &Value::Int(-3), &Value::Float(-3.5)),
        Ok(true)
    );
    assert_eq!(
        compare(CmpOp::Lt, &Value::Int(3), &Value::Float(f64::NAN)),
        Ok(false)
    );
    assert_eq!(
        compare(CmpOp::GtE, &Value::Int(3), &Value::Float(f64::NAN)),
        Ok(false)
    );
}

#[test]
fn int_true_division_is_correctly_rounded() {
    let div = |a: i64, b: i64| text(&binary(BinOp::Div, &Value::Int(a), &Value::Int(b)).unwrap());
    // float(a) / float(b) would round twice and give ...532e-13, ...724 and ...35183662.
    assert_eq!(div(205065, -247927163988870446), "-8.271179192337531e-13");
    assert_eq!(
        div(2195478789292805002, -395768353997),
        "-5547383.379999723"
    );
    assert_eq!(div(1269345928335221944, -7733804852), "-164129552.3518366");
    assert_eq!(div(0, -(1 << 60)), "-0.0");
    assert_eq!(div(7, 2), "3.5");
    assert_eq!(
        exc(binary(BinOp::Div, &Value::Int(1), &Value::Int(0))),
        pair("ZeroDivisionError", "division by zero")
    );
}

#[test]
fn tagged_json_keeps_shared_and_cyclic_containers() {
    use runtime_common::contract::{value_from_tagged, value_to_tagged};
    use runtime_common::format::repr;
    use runtime_common::Value;
    let inner = Value::list(vec![Value::Int(0)]);
    let outer = Value::list(vec![inner.clone(), inner]);
    let back = value_from_tagged(&value_to_tagged(&outer)).unwrap();
    let Value::List(items) = &back else {
        panic!("a list")
    };
    let items = items.borrow();
    match (&items[0], &items[1]) {
        (Value::List(a), Value::List(b)) => assert!(std::rc::Rc::ptr_eq(a, b), "sharing survives"),
        _ => panic!("lists"),
    }
    let cyclic = Value::list(vec![Value::Int(1)]);
    if let Value::List(l) = &cyclic {
        l.borrow_mut().push(cyclic.clone());
    }
    let again = value_from_tagged(&value_to_tagged(&cyclic)).unwrap();
    assert_eq!(repr(&again), "[1, [...]]");
}

#[test]
fn tagged_json_and_deep_copies_keep_shared_sets_and_iterators() {
    use runtime_common::contract::{values_from_tagged, values_to_tagged};
    use runtime_common::value::Internal;
    use runtime_common::Value;
    let set = Value::Set(Default::default());
    let iterator = Internal::iterator("zip", vec![Value::Int(1), Value::Int(2)]);
    let inner = Value::list(vec![Value::Int(0)]);
    // Fields sharing a set, an iterator and a list, as an entity's state may.
    let fields = vec![
        set.clone(),
        iterator.clone(),
        set,
        inner.clone(),
        iterator,
        inner,
    ];
    let same = |values: &[Value]| {
        let ptr = |v: &Value| match v {
            Value::Set(s) => std::rc::Rc::as_ptr(s) as *const u8 as usize,
            Value::List(l) => std::rc::Rc::as_ptr(l) as *const u8 as usize,
            Value::Internal(i) => std::rc::Rc::as_ptr(i) as *const u8 as usize,
            other => panic!("not shared: {other:?}"),
        };
        ptr(&values[0]) == ptr(&values[2])
            && ptr(&values[1]) == ptr(&values[4])
            && ptr(&values[3]) == ptr(&values[5])
            && ptr(&values[0]) != ptr(&values[1])
    };
    assert!(same(&fields));
    let back = values_from_tagged(&values_to_tagged(&fields)).unwrap();
    assert!(same(&back), "tagged JSON keeps the sharing");
    assert!(same(&Value::deep_copy_all(&fields)), "so does a deep copy");
    // Written before sets were numbered: `$same` counts lists and dicts only.
    let old = serde_json::json!([{"$s": [1]}, [2], {"$same": 0}]);
    let read = values_from_tagged(old.as_array().unwrap()).unwrap();
    match (&read[1], &read[2]) {
        (Value::List(a), Value::List(b)) => assert!(std::rc::Rc::ptr_eq(a, b)),
        other => panic!("lists expected: {other:?}"),
    }
}

#[test]
fn a_user_tuple_is_never_mistaken_for_a_slice() {
    use runtime_common::ops::subscript;
    use runtime_common::Value;
    let xs = Value::list(vec![Value::Int(1), Value::Int(2), Value::Int(3)]);
    let forged = Value::tuple(vec![
        Value::str("$slice"),
        Value::Int(0),
        Value::Int(2),
        Value::None,
    ]);
    match subscript(&xs, &forged) {
        Err(Value::Exception(e)) => {
            assert_eq!(&*e.class, "TypeError");
            assert_eq!(
                e.message(),
                "list indices must be integers or slices, not tuple"
            );
        }
        other => panic!("expected TypeError, got {other:?}"),
    }
}

#[test]
fn client_json_refuses_integers_beyond_64_bits_instead_of_reading_floats() {
    use runtime_common::contract::client_json;
    use serde_json::json;
    let (id, message) =
        client_json(br#"{"id": 7, "args": [1.5, 1180591620717411303424]}"#).unwrap_err();
    assert_eq!(id, json!(7));
    assert_eq!(
        message,
        "integer 1180591620717411303424 does not fit in 64 bits"
    );
    assert!(client_json(br#"{"id": "x", "args": [-99999999999999999999.0]}"#).is_ok());
    // Inside a string it is text; exponents and fractions are floats.
    let ok = client_json(br#"{"id": 1, "args": ["1180591620717411303424 \" 1e400", 1e300, 2.5]}"#);
    assert!(ok.is_ok(), "{ok:?}");
    let (_, message) = client_json(br#"[{"a": -9223372036854775809}, 0.5]"#).unwrap_err();
    assert!(message.contains("-9223372036854775809"), "{message}");
    // `-0` is the integer 0, as Python's json reads it; `-0.0` stays a float.
    let json = client_json(br#"{"id": -0, "args": [-0, -0.0, "-0"]}"#).unwrap();
    assert_eq!(json, json!({"id": 0, "args": [0, -0.0, "-0"]}));
    assert!(json["id"].is_i64());
}

#[test]
fn client_json_names_the_id_of_a_document_with_a_number_out_of_range() {
    use runtime_common::contract::client_json;
    use serde_json::json;
    let (id, message) = client_json(br#"{"id": "t-2", "args": [1e400]}"#).unwrap_err();
    assert_eq!(id, json!("t-2"));
    assert!(message.contains("number out of range"), "{message}");
    // Broken syntax has no id to give.
    let (id, _) = client_json(br#"{"id": 3, "args": [1e400"#).unwrap_err();
    assert_eq!(id, json!(null));
}

#[test]
fn tagged_json_keeps_exception_attributes() {
    use runtime_common::contract::{value_from_tagged, value_to_tagged};
    use runtime_common::value::Exception;
    use std::rc::Rc;
    let mut exc = Exception::new("InsufficientFunds", vec![Value::str("need 5")]);
    exc.attrs = vec![
        (Rc::from("needed"), Value::Int(5)),
        (Rc::from("items"), Value::list(vec![Value::str("pen")])),
    ];
    let tagged = value_to_tagged(&Value::Exception(Rc::new(exc)));
    let Value::Exception(back) = value_from_tagged(&tagged).unwrap() else {
        panic!("not an exception: {tagged}");
    };
    assert_eq!(&*back.class, "InsufficientFunds");
    assert_eq!(back.args, vec![Value::str("need 5")]);
    let names: Vec<&str> = back.attrs.iter().map(|(n, _)| &**n).collect();
    assert_eq!(names, ["needed", "items"]);
    assert_eq!(back.attrs[0].1, Value::Int(5));
    assert_eq!(back.attrs[1].1, Value::list(vec![Value::str("pen")]));
    // Without attributes (and without a style mark) the form is the one older readers know.
    let plain = value_to_tagged(&Value::exception("ValueError", "x"));
    assert_eq!(plain, serde_json::json!({"$e": ["ValueError", ["x"]]}));
}

#[test]
fn client_json_skips_a_byte_order_mark() {
    use runtime_common::contract::client_json;
    let json = client_json(b"\xEF\xBB\xBF{\"id\": 1, \"create\": \"A\"}").unwrap();
    assert_eq!(json["id"], 1);
    // Only at the start: inside the document it is what JSON says it is (an error here).
    assert!(client_json(b"{\"id\": 1}\xEF\xBB\xBF").is_err());
}

#[test]
fn strings_too_big_to_build_raise_memory_error_before_they_are_built() {
    let big = s(&"x".repeat(2_000_000));
    let many = list(vec![big.clone(); 600]);
    assert_eq!(
        exc(method(&s(","), "join", vec![many])),
        pair("MemoryError", "")
    );
    assert_eq!(
        exc(method(
            &s(&"a".repeat(1000)),
            "replace",
            vec![s("a"), big.clone()]
        )),
        pair("MemoryError", "")
    );
    assert_eq!(
        exc(method(&s(&"é".repeat(500)), "replace", vec![s(""), big])),
        pair("MemoryError", ""),
        "an empty pattern matches at every gap"
    );
    // Within the limits they work as before.
    let joined = method(&s("-"), "join", vec![list(vec![s("a"), s("b")])]).unwrap();
    assert_eq!(text(&joined), "'a-b'");
    let replaced = method(&s("abc"), "replace", vec![s(""), s("x")]).unwrap();
    assert_eq!(text(&replaced), "'xaxbxcx'");
}

#[test]
fn every_kind_of_iterator_reads_back_from_tagged_json() {
    use runtime_common::contract::{value_from_tagged, value_to_tagged};
    let dict = builtin(
        "dict",
        vec![list(vec![Value::tuple(vec![s("k"), Value::Int(1)])])],
    )
    .unwrap();
    let sources = vec![
        list(vec![Value::Int(1)]),
        Value::tuple(vec![Value::Int(1)]),
        s("ab"),
        s("é"),
        dict.clone(),
        builtin("set", vec![list(vec![Value::Int(1)])]).unwrap(),
        Value::Range(0, 3, 1),
        method(&dict, "keys", vec![]).unwrap(),
        method(&dict, "values", vec![]).unwrap(),
        method(&dict, "items", vec![]).unwrap(),
    ];
    let mut iterators = Vec::new();
    for x in &sources {
        iterators.push(builtin("iter", vec![x.clone()]).unwrap());
        if let Ok(r) = builtin("reversed", vec![x.clone()]) {
            iterators.push(r);
        }
    }
    iterators.push(builtin("zip", vec![sources[0].clone(), sources[1].clone()]).unwrap());
    iterators.push(builtin("enumerate", vec![sources[0].clone()]).unwrap());
    for kind in ["map", "filter"] {
        iterators.push(builtin("$iterator", vec![sources[0].clone(), s(kind)]).unwrap());
    }
    for it in iterators {
        let back = value_from_tagged(&value_to_tagged(&it))
            .unwrap_or_else(|e| panic!("{} does not read back: {e}", text(&it)));
        assert_eq!(text(&back), text(&it));
    }
}
