//! The JSON contract every backend speaks: invocations in, results and state dumps out.
//!
//! ```json
//! {"id": 1, "create": "Item", "args": ["apple", 5]}
//! {"id": 2, "entity": "User", "key": "alice", "method": "buy_item", "args": [2, {"$entity": "Item", "key": "apple"}]}
//! {"id": 2, "seq": 7, "result": true}
//! {"id": 3, "seq": 8, "error": {"type": "ValueError", "message": "insufficient balance"}}
//! ```

use std::ops::ControlFlow;
use std::rc::Rc;

use ir::Program;
use serde_json::{json, Map, Value as Json};

use crate::format::{float_repr, to_str};
use crate::ops;
use crate::value::{key_text, DictMap, EntityRef, Value};

/// What an invocation asks for. Arguments stay JSON so invocations can cross threads.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Create an entity by running `__init__`.
    Create {
        /// The entity type.
        entity: String,
        /// Positional arguments.
        args: Vec<Json>,
        /// Keyword arguments.
        kwargs: Vec<(String, Json)>,
    },
    /// Call a public method of an existing entity.
    Call {
        /// The entity type.
        entity: String,
        /// The key (a string or an integer).
        key: Json,
        /// The method.
        method: String,
        /// Positional arguments.
        args: Vec<Json>,
        /// Keyword arguments.
        kwargs: Vec<(String, Json)>,
    },
}

/// A well-formed invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// The client's id (any JSON value; `null` when absent).
    pub id: Json,
    /// What is asked.
    pub request: Request,
}

impl Invocation {
    /// The invocation in its contract JSON form.
    pub fn to_json(&self) -> Json {
        let mut m = Map::new();
        m.insert("id".into(), self.id.clone());
        let (args, kwargs) = match &self.request {
            Request::Create {
                entity,
                args,
                kwargs,
            } => {
                m.insert("create".into(), json!(entity));
                (args, kwargs)
            }
            Request::Call {
                entity,
                key,
                method,
                args,
                kwargs,
            } => {
                m.insert("entity".into(), json!(entity));
                m.insert("key".into(), key.clone());
                m.insert("method".into(), json!(method));
                (args, kwargs)
            }
        };
        m.insert("args".into(), Json::Array(args.clone()));
        if !kwargs.is_empty() {
            m.insert(
                "kwargs".into(),
                Json::Object(kwargs.iter().cloned().collect()),
            );
        }
        Json::Object(m)
    }
}

/// A failed invocation's error, as reported to the client.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorReport {
    /// The Python exception class name, or `InvalidRequest`, `EntityNotFound`, `EntityExists`.
    pub kind: String,
    /// `str(exc)`.
    pub message: String,
}

impl ErrorReport {
    /// A new report.
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        ErrorReport {
            kind: kind.to_string(),
            message: message.into(),
        }
    }
}

/// The outcome of one invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct InvocationResult {
    /// The invocation's id.
    pub id: Json,
    /// The position of the invocation in the serial order (`None` for invalid requests).
    pub seq: Option<u64>,
    /// The returned value or the error.
    pub outcome: Result<Json, ErrorReport>,
}

impl InvocationResult {
    /// The result as JSON, fields in contract order: id, seq, result/error.
    pub fn to_json(&self) -> Json {
        let mut m = Map::new();
        m.insert("id".into(), self.id.clone());
        if let Some(seq) = self.seq {
            m.insert("seq".into(), json!(seq));
        }
        match &self.outcome {
            Ok(v) => {
                m.insert("result".into(), v.clone());
            }
            Err(e) => {
                m.insert(
                    "error".into(),
                    json!({"type": e.kind, "message": e.message}),
                );
            }
        }
        Json::Object(m)
    }

    /// Writes the result as compact JSON (the same text as serializing [`Self::to_json`]).
    pub fn write_json(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        out.write_all(b"{\"id\":")?;
        serde_json::to_writer(&mut *out, &self.id)?;
        if let Some(seq) = self.seq {
            write!(out, ",\"seq\":{seq}")?;
        }
        match &self.outcome {
            Ok(v) => {
                out.write_all(b",\"result\":")?;
                serde_json::to_writer(&mut *out, v)?;
            }
            Err(e) => {
                out.write_all(b",\"error\":{\"type\":")?;
                serde_json::to_writer(&mut *out, &e.kind)?;
                out.write_all(b",\"message\":")?;
                serde_json::to_writer(&mut *out, &e.message)?;
                out.write_all(b"}")?;
            }
        }
        out.write_all(b"}")
    }

    /// Reads a result back from its JSON form.
    pub fn from_json(json: &Json) -> Option<InvocationResult> {
        let obj = json.as_object()?;
        let id = obj.get("id").cloned().unwrap_or(Json::Null);
        let seq = obj.get("seq").and_then(Json::as_u64);
        let outcome = match (obj.get("result"), obj.get("error")) {
            (Some(v), None) => Ok(v.clone()),
            (None, Some(e)) => Err(ErrorReport::new(
                e.get("type")?.as_str()?,
                e.get("message")?.as_str()?,
            )),
            _ => return None,
        };
        Some(InvocationResult { id, seq, outcome })
    }
}

/// An invalid invocation: the id if one could be read, and why.
pub type Invalid = (Json, String);

/// Positional and keyword arguments, still as JSON.
type JsonArgs = (Vec<Json>, Vec<(String, Json)>);

fn args_of(obj: &Map<String, Json>) -> Result<JsonArgs, String> {
    let args = match obj.get("args") {
        None => Vec::new(),
        Some(Json::Array(a)) => a.clone(),
        Some(_) => return Err("\"args\" must be an array".into()),
    };
    let kwargs = match obj.get("kwargs") {
        None => Vec::new(),
        Some(Json::Object(k)) => k.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Some(_) => return Err("\"kwargs\" must be an object".into()),
    };
    Ok((args, kwargs))
}

/// Parses JSON that entiflow itself wrote (snapshots, logs, messages between partitions,
/// recorded results): entity state may nest deeper than serde_json's default limit of 128
/// levels, which stays in force for what clients send, and as deep as memory allows (the
/// parser grows its stack onto the heap as it goes down).
pub fn from_slice_unbounded<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.disable_recursion_limit();
    let value = T::deserialize(serde_stacker::Deserializer::new(&mut de))?;
    de.end()?;
    Ok(value)
}

/// Parses a document whose nesting was checked to be at most [`MAX_DOCUMENT_DEPTH`] levels,
/// which an ordinary stack holds.
fn from_slice_checked_depth(bytes: &[u8]) -> serde_json::Result<Json> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.disable_recursion_limit();
    let value = <Json as serde::Deserialize>::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// The stack of every thread that runs the interpreter or encodes and decodes values: deeply
/// nested values (a trie, a list built as `x = [x]`) recurse in proportion to their depth, and
/// a stack overflow would abort the process (address space only; pages are committed as used).
pub const DEEP_STACK_BYTES: usize = 1 << 30;

/// Whether a line of JSON lines input holds no invocation: nothing but whitespace as Python's
/// `str.strip` sees it (Unicode White_Space and the separators U+001C to U+001F), so a line a
/// Python client would skip is skipped. A line that is not UTF-8 is not blank.
pub fn is_blank_line(line: &[u8]) -> bool {
    let python_space = |c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
    // An invocation's line ends the scan at its first byte (`{`): only a line that starts with
    // non-ASCII text is decoded.
    match line
        .iter()
        .position(|b| !python_space(char::from(*b)) || !b.is_ascii())
    {
        None => true,
        Some(i) if line[i].is_ascii() => false,
        Some(i) => std::str::from_utf8(&line[i..]).is_ok_and(|text| text.chars().all(python_space)),
    }
}

/// Parses one invocation from JSON text and checks it against the program (entity types and
/// public methods exist). Errors carry the id when it could be read.
pub fn parse_invocation(text: &str, program: &Program) -> Result<Invocation, Invalid> {
    // Without its line break, so that an error's position is within the line.
    let line = text.trim_end_matches(['\n', '\r']);
    invocation_from_json(client_json(line.as_bytes())?, program)
}

/// Parses JSON a client sent. serde_json reads an integer literal beyond 64 bits as a float,
/// which would change the value silently; such a document is refused (with its id, when it has
/// one).
pub fn client_json(bytes: &[u8]) -> Result<Json, Invalid> {
    // A UTF-8 byte order mark is no part of the document.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // An argument may be as deep as a result (serde_json's own limit, 128, would refuse values
    // entiflow returns), inside the invocation object and its `args` list; deeper is refused
    // before parsing, so no document can exhaust the stack.
    if nesting_exceeds(bytes, MAX_DOCUMENT_DEPTH) {
        return Err((
            Json::Null,
            format!("malformed JSON: nested more than {MAX_DOCUMENT_DEPTH} levels deep"),
        ));
    }
    let json: Json = from_slice_checked_depth(bytes)
        .map_err(|e| (id_of_unreadable(bytes), format!("malformed JSON: {e}")))?;
    if !holds_float(&json) {
        return Ok(json);
    }
    let literals = integer_literals(bytes);
    if let Some(literal) = literals.wide {
        let id = json.get("id").and_then(valid_id).unwrap_or(Json::Null);
        return Err((id, format!("integer {literal} does not fit in 64 bits")));
    }
    if literals.negative_zeros.is_empty() {
        return Ok(json);
    }
    // `-0` is the integer 0 (as Python's json reads it), not the float -0.0.
    let mut patched = bytes.to_vec();
    for at in literals.negative_zeros {
        patched[at] = b' ';
    }
    from_slice_checked_depth(&patched).map_err(|e| (Json::Null, format!("malformed JSON: {e}")))
}

/// How deeply a client's JSON document may nest: a value as deep as a result may be inside an
/// invocation object and its argument list. A result holds containers down to depth
/// [`MAX_JSON_DEPTH`] counted from 0 (`MAX_JSON_DEPTH + 1` of them inside one another, as
/// CPython's `json` allows), so any result can be sent back as an argument.
pub const MAX_DOCUMENT_DEPTH: usize = MAX_JSON_DEPTH + 3;

/// Whether JSON text opens more than `max` arrays and objects inside one another (brackets
/// inside strings do not count): a check cheap enough to run before parsing without a
/// recursion limit.
pub fn nesting_exceeds(bytes: &[u8], max: usize) -> bool {
    let mut depth = 0usize;
    scan_outside_strings(bytes, |_, b| {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return ControlFlow::Break(());
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        ControlFlow::Continue(())
    })
    .is_break()
}

/// Calls `f` with each byte of JSON text outside its strings (quotes, contents and escapes
/// skipped) and its position, until `f` breaks: what a scan for brackets and commas looks at. A
/// plain loop, as the nesting check runs over every client document.
#[inline]
fn scan_outside_strings<B>(
    bytes: &[u8],
    mut f: impl FnMut(usize, u8) -> ControlFlow<B>,
) -> ControlFlow<B> {
    let (mut in_string, mut escaped) = (false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else {
            f(i, b)?;
        }
    }
    ControlFlow::Continue(())
}

/// The items of a JSON array, each as its own text (surrounding whitespace removed), found by
/// scanning brackets and strings without parsing the items: one item that is malformed or too
/// deep is that item's error alone ([`client_json`] reads each). `Err` when the text is not an
/// array of items separated by commas (unbalanced brackets, an empty item, text after it).
pub fn json_array_items(text: &[u8]) -> Result<Vec<&[u8]>, String> {
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .filter(|i| text[*i] == b'[')
        .ok_or("expected a JSON array")?;
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut item_start = start + 1;
    // Breaks with the position of the closing bracket, or with an error.
    let scan = scan_outside_strings(&text[start + 1..], |i, b| {
        let i = start + 1 + i;
        match b {
            b'[' | b'{' => depth += 1,
            b']' | b'}' if depth > 0 => depth -= 1,
            b',' | b']' if depth == 0 => {
                let item = text[item_start..i].trim_ascii();
                if item.is_empty() && !(b == b']' && items.is_empty()) {
                    return ControlFlow::Break(Err(format!("an empty item before byte {i}")));
                }
                if !item.is_empty() {
                    items.push(item);
                }
                if b == b']' {
                    return ControlFlow::Break(Ok(i));
                }
                item_start = i + 1;
            }
            b'}' => return ControlFlow::Break(Err(format!("unbalanced '}}' at byte {i}"))),
            _ => {}
        }
        ControlFlow::Continue(())
    });
    let end = match scan {
        ControlFlow::Break(end) => end?,
        ControlFlow::Continue(()) => return Err("the array is not closed".into()),
    };
    if !text[end + 1..].trim_ascii().is_empty() {
        return Err(format!("text after the array at byte {}", end + 1));
    }
    Ok(items)
}

/// The id of a document that is well-formed JSON but not readable as a value (a number out of
/// range, such as `1e400`), so that its error names it; `null` when there is none.
fn id_of_unreadable(bytes: &[u8]) -> Json {
    serde_json::from_slice::<std::collections::BTreeMap<String, Box<serde_json::value::RawValue>>>(
        bytes,
    )
    .ok()
    .and_then(|fields| serde_json::from_str::<Json>(fields.get("id")?.get()).ok())
    .and_then(|id| valid_id(&id))
    .unwrap_or(Json::Null)
}

/// What [`integer_literals`] finds.
struct IntegerLiterals<'a> {
    /// The first integer literal that fits neither `i64` nor `u64`.
    wide: Option<&'a str>,
    /// Where each `-0` integer literal starts.
    negative_zeros: Vec<usize>,
}

/// An invocation id as the contract allows it: a string or a 64-bit integer.
fn valid_id(id: &Json) -> Option<Json> {
    (id.is_string() || id.is_i64() || id.is_u64()).then(|| id.clone())
}

fn holds_float(json: &Json) -> bool {
    match json {
        Json::Number(n) => n.is_f64(),
        Json::Array(items) => items.iter().any(holds_float),
        Json::Object(map) => map.values().any(holds_float),
        _ => false,
    }
}

/// The integer literals (no fraction, no exponent) of JSON text that serde_json reads as
/// floats.
fn integer_literals(bytes: &[u8]) -> IntegerLiterals<'_> {
    let mut found = IntegerLiterals {
        wide: None,
        negative_zeros: Vec::new(),
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_digit()
                        || matches!(bytes[i], b'.' | b'e' | b'E' | b'+' | b'-'))
                {
                    i += 1;
                }
                let token = &bytes[start..i];
                if token.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
                    continue;
                }
                if token == b"-0" {
                    found.negative_zeros.push(start);
                } else if let Ok(text) = std::str::from_utf8(token) {
                    if text.parse::<i64>().is_err() && text.parse::<u64>().is_err() {
                        found.wide = Some(text);
                        return found;
                    }
                }
            }
            _ => i += 1,
        }
    }
    found
}

/// Decoded arguments: positional, then keyword.
pub type Args = (Vec<Value>, Vec<(String, Value)>);

/// Decodes an invocation's JSON arguments (the contract's form, references included).
pub fn request_args(request: &Request, program: &Program) -> Result<Args, String> {
    match request {
        Request::Create { args, kwargs, .. } | Request::Call { args, kwargs, .. } => {
            json_args(args, kwargs, program)
        }
    }
}

/// Decodes JSON positional and keyword arguments.
pub fn json_args(
    args: &[Json],
    kwargs: &[(String, Json)],
    program: &Program,
) -> Result<Args, String> {
    let a = args
        .iter()
        .map(|j| json_to_value(j, program))
        .collect::<Result<_, _>>()?;
    let k = kwargs
        .iter()
        .map(|(n, j)| Ok((n.clone(), json_to_value(j, program)?)))
        .collect::<Result<_, String>>()?;
    Ok((a, k))
}

/// Checks an already parsed JSON invocation against the program.
pub fn invocation_from_json(json: Json, program: &Program) -> Result<Invocation, Invalid> {
    let Json::Object(obj) = json else {
        return Err((Json::Null, "an invocation must be a JSON object".into()));
    };
    let id = match obj.get("id") {
        Some(id) if valid_id(id).is_some() => id.clone(),
        Some(_) => {
            return Err((
                Json::Null,
                "field 'id' must be a string or an integer".into(),
            ))
        }
        None => return Err((Json::Null, "missing field 'id'".into())),
    };
    let fail = |msg: String| Err((id.clone(), msg));
    let allowed: &[&str] = if obj.contains_key("create") {
        &["id", "create", "args", "kwargs"]
    } else {
        &["id", "entity", "key", "method", "args", "kwargs"]
    };
    if let Some(extra) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return fail(format!("unknown field '{extra}'"));
    }
    let (args, kwargs) = match args_of(&obj) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    if let Some(create) = obj.get("create") {
        let Some(entity) = create.as_str() else {
            return fail("\"create\" must be a string naming an entity type".into());
        };
        if program.entity(entity).is_none() {
            return fail(format!("unknown entity type '{entity}'"));
        }
        return Ok(Invocation {
            id,
            request: Request::Create {
                entity: entity.to_string(),
                args,
                kwargs,
            },
        });
    }
    let Some(entity) = obj.get("entity").and_then(Json::as_str) else {
        return fail(
            "an invocation needs \"create\", or \"entity\", \"key\" and \"method\"".into(),
        );
    };
    let Some(ent) = program.entity(entity) else {
        return fail(format!("unknown entity type '{entity}'"));
    };
    let key = match obj.get("key") {
        Some(k @ (Json::String(_) | Json::Number(_)))
            if k.as_f64().is_none_or(|_| k.is_i64() || k.is_string()) =>
        {
            k.clone()
        }
        Some(_) => return fail("\"key\" must be a string or an integer".into()),
        None => return fail("missing \"key\"".into()),
    };
    let Some(method) = obj.get("method").and_then(Json::as_str) else {
        return fail("missing \"method\" (a string)".into());
    };
    match ent.method(method) {
        Some(m) if m.is_public() => {}
        _ => {
            return fail(format!(
                "entity type '{entity}' has no public method '{method}'"
            ))
        }
    }
    Ok(Invocation {
        id,
        request: Request::Call {
            entity: entity.to_string(),
            key,
            method: method.to_string(),
            args,
            kwargs,
        },
    })
}

/// Converts a JSON argument into a value; `{"$entity": T, "key": K}` becomes a reference.
pub fn json_to_value(json: &Json, program: &Program) -> Result<Value, String> {
    crate::value::deeper(|| {
        Ok(match json {
            Json::Null => Value::None,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match json_int(n)? {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => Value::str(s),
            Json::Array(items) => Value::list(
                items
                    .iter()
                    .map(|x| json_to_value(x, program))
                    .collect::<Result<_, _>>()?,
            ),
            Json::Object(obj) => {
                if let Some((entity, key)) = json_ref(obj, json, program)? {
                    let key = match key {
                        RefKey::Str(s) => Value::str(s),
                        RefKey::Int(i) => Value::Int(i),
                    };
                    return Ok(Value::Ref(Rc::new(EntityRef {
                        entity: Rc::from(entity),
                        key,
                    })));
                }
                let mut m = DictMap::default();
                for (k, v) in obj {
                    m.insert(Value::str(k), json_to_value(v, program)?);
                }
                Value::dict(m)
            }
        })
    })
}

/// The key of an entity reference in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKey<'a> {
    /// A str key.
    Str(&'a str),
    /// An integer key.
    Int(i64),
}

/// A JSON number as an integer (`None`: a float); integers beyond 64 bits are refused.
fn json_int(n: &serde_json::Number) -> Result<Option<i64>, String> {
    match n.as_i64() {
        Some(i) => Ok(Some(i)),
        None if n.is_u64() => Err(format!("integer {n} does not fit in 64 bits")),
        None => Ok(None),
    }
}

/// The entity type and key of a JSON object that is an entity reference (`None`: a plain
/// object), checked against the program.
fn json_ref<'a>(
    obj: &'a serde_json::Map<String, Json>,
    json: &Json,
    program: &Program,
) -> Result<Option<(&'a str, RefKey<'a>)>, String> {
    let Some(entity) = obj.get("$entity") else {
        return Ok(None);
    };
    if let Some(extra) = obj.keys().find(|k| *k != "$entity" && *k != "key") {
        return Err(format!("entity reference has unexpected members: {extra}"));
    }
    let Some(entity) = entity.as_str().filter(|e| program.entity(e).is_some()) else {
        return Err(format!("unknown entity type in reference {json}"));
    };
    let key = match obj.get("key") {
        Some(Json::String(s)) => RefKey::Str(s),
        Some(k) if k.is_i64() => RefKey::Int(k.as_i64().unwrap_or(0)),
        _ => {
            return Err(format!(
                "an entity reference needs a string or integer \"key\": {json}"
            ))
        }
    };
    Ok(Some((entity, key)))
}

/// Checks JSON arguments as [`json_args`] would decode them, without building values, and
/// hands every entity reference they hold to `on_ref`.
pub fn check_json_args<'a>(
    args: &'a [Json],
    kwargs: &'a [(String, Json)],
    program: &Program,
    on_ref: &mut dyn FnMut(&'a str, RefKey<'a>),
) -> Result<(), String> {
    fn check<'a>(
        json: &'a Json,
        program: &Program,
        on_ref: &mut dyn FnMut(&'a str, RefKey<'a>),
    ) -> Result<(), String> {
        crate::value::deeper(|| match json {
            Json::Number(n) => json_int(n).map(|_| ()),
            Json::Array(items) => items.iter().try_for_each(|x| check(x, program, on_ref)),
            Json::Object(obj) => match json_ref(obj, json, program)? {
                Some((entity, key)) => {
                    on_ref(entity, key);
                    Ok(())
                }
                None => obj.values().try_for_each(|v| check(v, program, on_ref)),
            },
            Json::Null | Json::Bool(_) | Json::String(_) => Ok(()),
        })
    }
    args.iter()
        .chain(kwargs.iter().map(|(_, v)| v))
        .try_for_each(|j| check(j, program, on_ref))
}

/// Encodes a reference as JSON.
pub fn ref_json(r: &EntityRef) -> Json {
    let key = match &r.key {
        Value::Int(i) => json!(i),
        other => Json::String(key_text(other)),
    };
    json!({"$entity": &*r.entity, "key": key})
}

fn dict_key(k: &Value) -> Result<String, Value> {
    Ok(match k {
        Value::Str(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Bool(true) => "true".into(),
        Value::Bool(false) => "false".into(),
        Value::None => "null".into(),
        Value::Float(f) => float_repr(*f)
            .replace("inf", "Infinity")
            .replace("nan", "NaN"),
        other => {
            return ops::raise(
                "TypeError",
                format!(
                    "keys must be str, int, float, bool or None, not {}",
                    other.type_name()
                ),
            )
        }
    })
}

/// Encodes a value as contract JSON: tuples as arrays, dict keys as strings (as `json.dumps`),
/// sets as sorted arrays, references as `{"$entity", "key"}`. Non-finite floats raise TypeError
/// and self-containing values ValueError, as `json.dumps(allow_nan=False)` does.
pub fn value_to_json(v: &Value) -> Result<Json, Value> {
    if v.is_cyclic() {
        return ops::raise("ValueError", "Circular reference detected");
    }
    encode(v, 0)
}

/// How deep a value the contract's JSON may nest, as CPython's `json` module allows about as
/// many levels before it raises `RecursionError`: every thread that handles results (HTTP
/// workers too) can hold such a document on an ordinary stack.
pub const MAX_JSON_DEPTH: usize = 1000;

fn encode(v: &Value, depth: usize) -> Result<Json, Value> {
    if depth > MAX_JSON_DEPTH {
        return ops::raise(
            "RecursionError",
            "maximum recursion depth exceeded while encoding a JSON object",
        );
    }
    let value_to_json = |x: &Value| encode(x, depth + 1);
    Ok(match v {
        Value::None => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => json!(i),
        Value::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => Json::Number(n),
            None => {
                return ops::raise(
                    "TypeError",
                    format!("cannot encode the non-finite float {}", float_repr(*f)),
                )
            }
        },
        Value::Str(s) => Json::String(s.to_string()),
        Value::List(l) => Json::Array(
            l.borrow()
                .iter()
                .map(value_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Value::Tuple(t) => Json::Array(t.iter().map(value_to_json).collect::<Result<_, _>>()?),
        Value::Set(s) => {
            let mut items: Vec<Value> = s.borrow().iter().cloned().collect();
            if ops::sort_values(&mut items).is_ok() {
                Json::Array(items.iter().map(value_to_json).collect::<Result<_, _>>()?)
            } else {
                let mut encoded: Vec<Json> =
                    items.iter().map(value_to_json).collect::<Result<_, _>>()?;
                encoded.sort_by_cached_key(|j| (json_rank(j), canonical_json(j)));
                Json::Array(encoded)
            }
        }
        Value::Dict(d) => {
            let mut m = Map::new();
            for (k, v) in d.borrow().iter() {
                m.insert(dict_key(k)?, value_to_json(v)?);
            }
            Json::Object(m)
        }
        Value::Ref(r) => ref_json(r),
        Value::Range(..) | Value::Exception(_) | Value::Internal(_) => {
            return ops::raise(
                "TypeError",
                format!("Object of type {} is not JSON serializable", v.type_name()),
            )
        }
    })
}

fn json_rank(j: &Json) -> u8 {
    match j {
        Json::Null => 0,
        Json::Bool(_) => 1,
        Json::Number(_) => 2,
        Json::String(_) => 3,
        Json::Array(_) => 4,
        Json::Object(_) => 5,
    }
}

/// Compact JSON with object keys sorted: the tie-breaking order of unorderable set members.
fn canonical_json(j: &Json) -> String {
    crate::value::deeper(|| match j {
        Json::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(canonical_json)
                .collect::<Vec<_>>()
                .join(",")
        ),
        Json::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", Json::String((*k).clone()), canonical_json(&m[*k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        other => other.to_string(),
    })
}

/// An entity's fields as the state dump shows them, by name in declaration order; a field never
/// assigned is left out, as `vars(obj)` would leave it, and a value JSON cannot hold is `null`.
pub fn fields_json(entity: &ir::Entity, values: &[Value]) -> Json {
    Json::Object(
        entity
            .fields
            .iter()
            .zip(values)
            .filter(|(_, v)| !v.is_unset())
            .map(|(f, v)| (f.name.clone(), dump_json(v)))
            .collect(),
    )
}

/// A field's value in a state dump, which cannot fail: the contract's JSON where it has one;
/// otherwise, as far down as JSON can hold it, Python's `repr` of what it cannot (a dict key
/// that is a tuple or a reference, a non-finite float, a value that contains itself).
fn dump_json(v: &Value) -> Json {
    crate::value::deeper(|| {
        match value_to_json(v) {
            Ok(json) => json,
            Err(_) if v.is_cyclic() => Json::String(crate::format::repr(v)),
            // Deeper than JSON may nest: the repr, as for a value that contains itself.
            Err(Value::Exception(e)) if &*e.class == "RecursionError" => {
                Json::String(crate::format::repr(v))
            }
            Err(_) => match v {
                Value::List(l) => Json::Array(l.borrow().iter().map(dump_json).collect()),
                Value::Tuple(t) => Json::Array(t.iter().map(dump_json).collect()),
                Value::Dict(d) => Json::Object(
                    d.borrow()
                        .iter()
                        .map(|(k, v)| {
                            let key = dict_key(k).unwrap_or_else(|_| crate::format::repr(k));
                            (key, dump_json(v))
                        })
                        .collect(),
                ),
                other => Json::String(crate::format::repr(other)),
            },
        }
    })
}

/// The error report for a transaction that hit a bug of the engine (a panic): `SystemError`, as
/// CPython reports its own internal errors, with the panic's message.
pub fn internal_error(panic: &(dyn std::any::Any + Send)) -> ErrorReport {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    ErrorReport::new("SystemError", format!("internal error: {message}"))
}

/// The error report for an exception value.
pub fn exception_report(exc: &Value) -> ErrorReport {
    match exc {
        Value::Exception(e) => ErrorReport::new(&e.class, e.message()),
        other => ErrorReport::new(
            "TypeError",
            format!(
                "exceptions must derive from BaseException, not {}",
                to_str(other)
            ),
        ),
    }
}

/// Lossless JSON for values in snapshots and messages: unlike the contract encoding it keeps
/// tuples, sets, non-string dict keys and exceptions apart. Scalars and strings encode as
/// themselves; everything else as a one-key object tagged with `$`.
pub fn value_to_tagged(v: &Value) -> Json {
    tag(v, &mut Tagged::default())
}

/// Several values in tagged JSON, keeping containers shared between them (an entity's fields,
/// a call's arguments).
pub fn values_to_tagged(values: &[Value]) -> Vec<Json> {
    let mut seen = Tagged::default();
    values.iter().map(|v| tag(v, &mut seen)).collect()
}

/// Tagged JSON for a value crossing an entity boundary in a message: as [`value_to_tagged`],
/// but with each set written as the copy that crosses would be built (see
/// [`Value::crossing_copy`]): its members in iteration order, to be added one by one.
pub fn crossing_to_tagged(v: &Value) -> Json {
    tag(
        v,
        &mut Tagged {
            crossing: true,
            ..Tagged::default()
        },
    )
}

/// [`crossing_to_tagged`] of several values (containers shared between them stay shared).
pub fn crossing_values_to_tagged(values: &[Value]) -> Vec<Json> {
    let mut seen = Tagged {
        crossing: true,
        ..Tagged::default()
    };
    values.iter().map(|v| tag(v, &mut seen)).collect()
}

/// Reads values written by [`values_to_tagged`].
pub fn values_from_tagged(json: &[Json]) -> Result<Vec<Value>, String> {
    let mut seen = Untagged::default();
    json.iter().map(|j| untag(j, &mut seen)).collect()
}

/// The mutable objects already written, numbered in the order they were first met.
#[derive(Default)]
struct Tagged {
    /// Lists and dicts.
    containers: rustc_hash::FxHashMap<usize, usize>,
    /// Sets, tuples, exceptions and iterators (numbered apart, so that values written before
    /// they were tracked read the same).
    others: rustc_hash::FxHashMap<usize, usize>,
    /// Values crossing an entity boundary: sets are written as their copy is built.
    crossing: bool,
}

/// The objects read so far, as [`Tagged`] numbers them.
#[derive(Default)]
struct Untagged {
    containers: Vec<Value>,
    others: Vec<Value>,
}

/// Lists and dicts met a second time (shared inside the value, or cyclic) are written as
/// `{"$same": n}`, `n` counting the lists and dicts in the order they are first written; sets,
/// tuples, exceptions and iterators as `{"$alias": n}`, counted apart (a set numbered before its
/// members, the others after what they hold; a cycle always runs through a list or dict).
fn tag(v: &Value, seen: &mut Tagged) -> Json {
    crate::value::deeper(|| {
        if let (Value::List(_) | Value::Dict(_), Some(id)) = (v, v.container_id()) {
            if let Some(n) = seen.containers.get(&id) {
                return json!({"$same": n});
            }
            let n = seen.containers.len();
            seen.containers.insert(id, n);
        }
        let other = match v {
            Value::Set(s) => Some(Rc::as_ptr(s) as *const u8 as usize),
            Value::Tuple(t) => Some(Rc::as_ptr(t) as *const u8 as usize),
            Value::Exception(e) => Some(Rc::as_ptr(e) as *const u8 as usize),
            Value::Internal(i) if matches!(**i, crate::value::Internal::Iterator { .. }) => {
                Some(Rc::as_ptr(i) as *const u8 as usize)
            }
            _ => None,
        };
        if let Some(id) = other {
            if let Some(n) = seen.others.get(&id) {
                return json!({"$alias": n});
            }
            // A set is numbered before its members (it is filled in place when read); the others
            // after what they hold, which they are built from.
            if matches!(v, Value::Set(_)) {
                let n = seen.others.len();
                seen.others.insert(id, n);
            }
        }
        let json = tag_inner(v, seen);
        if let (Some(id), false) = (other, matches!(v, Value::Set(_))) {
            let n = seen.others.len();
            seen.others.insert(id, n);
        }
        json
    })
}

fn tag_inner(v: &Value, seen: &mut Tagged) -> Json {
    match v {
        Value::None => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => json!(i),
        Value::Float(f) => json!({"$f": float_repr(*f)}),
        Value::Str(s) => Json::String(s.to_string()),
        Value::List(l) => Json::Array(l.borrow().iter().map(|x| tag(x, seen)).collect()),
        Value::Tuple(t) => json!({"$t": t.iter().map(|x| tag(x, seen)).collect::<Vec<_>>()}),
        Value::Set(s) if seen.crossing => {
            let members = crate::set_order::members(&s.borrow());
            json!({ "$s": members.iter().map(|x| tag(x, seen)).collect::<Vec<_>>() })
        }
        Value::Set(s) => {
            let s = s.borrow();
            let members: Vec<Json> = s.iter().map(|x| tag(x, seen)).collect();
            // The table CPython would have decides the iteration order: it is kept.
            match crate::set_order::saved_table(&s) {
                None => json!({ "$s": members }),
                Some(t) => {
                    json!({ "$S": [t.size, members, t.member_slots, t.dummies, t.finger, t.room] })
                }
            }
        }
        Value::Dict(d) => {
            let pairs: Vec<Json> = d
                .borrow()
                .iter()
                .map(|(k, v)| json!([tag(k, seen), tag(v, seen)]))
                .collect();
            json!({ "$d": pairs })
        }
        Value::Range(a, b, c) => json!({"$r": [a, b, c]}),
        Value::Ref(r) => json!({"$ref": [&*r.entity, tag(&r.key, seen)]}),
        Value::Exception(e) => {
            let args: Vec<Json> = e.args.iter().map(|x| tag(x, seen)).collect();
            // A third element marks a user subclass of KeyError (`true`) or of OSError (`"os"`):
            // the class name does not say; a fourth holds the attributes `__init__` set.
            let builtin = crate::value::ExceptionStyle::of_builtin(&e.class);
            let style = match e.style {
                crate::value::ExceptionStyle::Key if builtin != e.style => json!(true),
                crate::value::ExceptionStyle::Os if builtin != e.style => json!("os"),
                _ => Json::Null,
            };
            let mut parts = vec![json!(&*e.class), Json::Array(args), style];
            if !e.attrs.is_empty() {
                parts.push(Json::Array(
                    e.attrs
                        .iter()
                        .map(|(n, v)| json!([&**n, tag(v, seen)]))
                        .collect(),
                ));
            }
            while parts.last() == Some(&Json::Null) {
                parts.pop();
            }
            json!({ "$e": parts })
        }
        Value::Internal(i) => match &**i {
            crate::value::Internal::Slice(a, b, c) => {
                json!({"$slice": [tag(a, seen), tag(b, seen), tag(c, seen)]})
            }
            crate::value::Internal::LiveIter { container, members } => {
                json!({"$iter": [tag(container, seen), tag(members, seen)]})
            }
            crate::value::Internal::Iterator {
                name,
                items,
                consumed,
            } => {
                let items: Vec<Json> = items.iter().map(|x| tag(x, seen)).collect();
                json!({"$it": [name, items, consumed.get()]})
            }
            crate::value::Internal::Draining { iterator, taken } => {
                json!({"$drain": [tag(iterator, seen), taken.get()]})
            }
            crate::value::Internal::Unset => json!({"$unset": 0}),
            crate::value::Internal::DictView { dict, kind } => {
                json!({"$view": [kind.method(), tag(dict, seen)]})
            }
        },
    }
}

/// Reads a value written by [`value_to_tagged`].
pub fn value_from_tagged(j: &Json) -> Result<Value, String> {
    untag(j, &mut Untagged::default())
}

/// The type names an iterator may have (see [`crate::value::Internal::Iterator`]).
pub const ITERATOR_NAMES: &[&str] = &[
    "zip",
    "enumerate",
    "map",
    "filter",
    "iterator",
    "reversed",
    "list_iterator",
    "list_reverseiterator",
    "tuple_iterator",
    "str_iterator",
    "str_ascii_iterator",
    "set_iterator",
    "range_iterator",
    "dict_keyiterator",
    "dict_valueiterator",
    "dict_itemiterator",
    "dict_reversekeyiterator",
    "dict_reversevalueiterator",
    "dict_reverseitemiterator",
];

fn untag(j: &Json, seen: &mut Untagged) -> Result<Value, String> {
    crate::value::deeper(|| {
        fn list(x: &Json, seen: &mut Untagged) -> Result<Vec<Value>, String> {
            x.as_array()
                .ok_or("expected an array")?
                .iter()
                .map(|y| untag(y, seen))
                .collect()
        }
        Ok(match j {
            Json::Null => Value::None,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Int(n.as_i64().ok_or("integer out of range")?),
            Json::String(s) => Value::str(s),
            Json::Array(_) => {
                let cell = Rc::new(std::cell::RefCell::new(Vec::new()));
                seen.containers.push(Value::List(cell.clone()));
                let items = list(j, seen)?;
                *cell.borrow_mut() = items;
                Value::List(cell)
            }
            Json::Object(o) => {
                let (tag, body) = o.iter().next().ok_or("empty tagged object")?;
                match tag.as_str() {
                    "$same" => {
                        let n = body.as_u64().ok_or("bad $same")? as usize;
                        seen.containers.get(n).cloned().ok_or("dangling $same")?
                    }
                    "$alias" => {
                        let n = body.as_u64().ok_or("bad $alias")? as usize;
                        seen.others.get(n).cloned().ok_or("dangling $alias")?
                    }
                    "$f" => {
                        let s = body.as_str().ok_or("bad float")?;
                        Value::Float(match s {
                            "inf" => f64::INFINITY,
                            "-inf" => f64::NEG_INFINITY,
                            "nan" => f64::NAN,
                            other => other.parse().map_err(|_| "bad float")?,
                        })
                    }
                    "$t" => {
                        let tuple = Value::tuple(list(body, seen)?);
                        seen.others.push(tuple.clone());
                        tuple
                    }
                    "$s" | "$S" => {
                        let cell =
                            Rc::new(std::cell::RefCell::new(crate::value::SetMap::default()));
                        seen.others.push(Value::Set(cell.clone()));
                        // `{"$S": [size, members, member slots, dummy slots, finger, room]}`
                        // keeps the set's table (written as `[room, members]` before it was).
                        let numbers = |j: Option<&Json>| -> Result<Vec<usize>, String> {
                            match j {
                                None => Ok(Vec::new()),
                                Some(j) => j
                                    .as_array()
                                    .ok_or("bad $S")?
                                    .iter()
                                    .map(|n| n.as_u64().map(|n| n as usize).ok_or("bad $S".into()))
                                    .collect(),
                            }
                        };
                        let (saved, body) = match (tag.as_str(), body.as_array()) {
                            ("$S", Some(parts)) if matches!(parts.len(), 2 | 6) => {
                                let size = parts[0].as_u64().ok_or("bad $S")? as usize;
                                let number = |i: usize| {
                                    parts.get(i).and_then(Json::as_u64).map(|n| n as usize)
                                };
                                (
                                    crate::set_order::SavedTable {
                                        size,
                                        member_slots: numbers(parts.get(2))?,
                                        dummies: numbers(parts.get(3))?,
                                        finger: number(4).unwrap_or(0),
                                        // `[room, members]`, as sets were kept before.
                                        room: number(5).unwrap_or(size),
                                    },
                                    &parts[1],
                                )
                            }
                            ("$S", _) => return Err("bad $S".into()),
                            _ => (
                                crate::set_order::SavedTable {
                                    size: 0,
                                    member_slots: Vec::new(),
                                    dummies: Vec::new(),
                                    finger: 0,
                                    room: 0,
                                },
                                body,
                            ),
                        };
                        let members = crate::set_order::restored(list(body, seen)?, saved)?;
                        *cell.borrow_mut() = members;
                        Value::Set(cell)
                    }
                    "$d" => {
                        let cell = Rc::new(std::cell::RefCell::new(DictMap::default()));
                        seen.containers.push(Value::Dict(cell.clone()));
                        let mut m = DictMap::default();
                        for pair in body.as_array().ok_or("bad dict")? {
                            let kv = list(pair, seen)?;
                            if kv.len() != 2 {
                                return Err("bad dict entry".into());
                            }
                            let mut it = kv.into_iter();
                            let (k, v) = (
                                it.next().unwrap_or(Value::None),
                                it.next().unwrap_or(Value::None),
                            );
                            m.insert(k, v);
                        }
                        *cell.borrow_mut() = m;
                        Value::Dict(cell)
                    }
                    "$r" => {
                        let r: Vec<i64> = body
                            .as_array()
                            .ok_or("bad range")?
                            .iter()
                            .filter_map(Json::as_i64)
                            .collect();
                        if r.len() != 3 {
                            return Err("bad range".into());
                        }
                        Value::Range(r[0], r[1], r[2])
                    }
                    "$ref" => {
                        let parts = body.as_array().ok_or("bad ref")?;
                        let entity = parts.first().and_then(Json::as_str).ok_or("bad ref")?;
                        let key = untag(parts.get(1).ok_or("bad ref")?, seen)?;
                        Value::Ref(Rc::new(EntityRef {
                            entity: Rc::from(entity),
                            key,
                        }))
                    }
                    "$e" => {
                        let parts = body.as_array().ok_or("bad exception")?;
                        let class = parts
                            .first()
                            .and_then(Json::as_str)
                            .ok_or("bad exception")?;
                        let args = list(parts.get(1).ok_or("bad exception")?, seen)?;
                        let mut attrs = Vec::new();
                        if let Some(Json::Array(pairs)) = parts.get(3) {
                            for pair in pairs {
                                let (Some(name), Some(value)) =
                                    (pair.get(0).and_then(Json::as_str), pair.get(1))
                                else {
                                    return Err("bad exception attribute".into());
                                };
                                attrs.push((Rc::from(name), untag(value, seen)?));
                            }
                        }
                        let exception = Value::Exception(Rc::new(crate::value::Exception {
                            class: Rc::from(class),
                            args,
                            style: match parts.get(2) {
                                Some(Json::Bool(true)) => crate::value::ExceptionStyle::Key,
                                Some(Json::String(s)) if s == "os" => {
                                    crate::value::ExceptionStyle::Os
                                }
                                _ => crate::value::ExceptionStyle::of_builtin(class),
                            },
                            attrs,
                        }));
                        seen.others.push(exception.clone());
                        exception
                    }
                    "$slice" | "$iter" => {
                        let parts = list(body, seen)?;
                        let mut it = parts.into_iter();
                        let mut next = || it.next().ok_or("bad internal value");
                        let internal = if tag == "$slice" {
                            crate::value::Internal::Slice(next()?, next()?, next()?)
                        } else {
                            crate::value::Internal::LiveIter {
                                container: next()?,
                                members: next()?,
                            }
                        };
                        Value::Internal(Rc::new(internal))
                    }
                    "$it" => {
                        let parts = body.as_array().ok_or("bad iterator")?;
                        let name = match parts.first().and_then(Json::as_str) {
                            Some(n) => ITERATOR_NAMES
                                .iter()
                                .find(|k| **k == n)
                                .copied()
                                .ok_or("bad iterator")?,
                            None => return Err("bad iterator".into()),
                        };
                        let items = list(parts.get(1).ok_or("bad iterator")?, seen)?;
                        let consumed = parts.get(2).and_then(Json::as_u64).ok_or("bad iterator")?;
                        let iterator = Value::Internal(Rc::new(crate::value::Internal::Iterator {
                            name,
                            items,
                            consumed: Rc::new(std::cell::Cell::new(consumed as usize)),
                        }));
                        seen.others.push(iterator.clone());
                        iterator
                    }
                    "$drain" => {
                        let parts = body.as_array().ok_or("bad loop iterator")?;
                        let iterator = untag(parts.first().ok_or("bad loop iterator")?, seen)?;
                        let taken = parts
                            .get(1)
                            .and_then(Json::as_u64)
                            .ok_or("bad loop iterator")?;
                        Value::Internal(Rc::new(crate::value::Internal::Draining {
                            iterator,
                            taken: std::cell::Cell::new(taken as usize),
                        }))
                    }
                    "$unset" => Value::unset(),
                    "$view" => {
                        let parts = body.as_array().ok_or("bad dict view")?;
                        let kind = parts
                            .first()
                            .and_then(Json::as_str)
                            .and_then(crate::value::ViewKind::of_method)
                            .ok_or("bad dict view")?;
                        let dict = untag(parts.get(1).ok_or("bad dict view")?, seen)?;
                        if !matches!(dict, Value::Dict(_)) {
                            return Err("bad dict view".into());
                        }
                        Value::Internal(Rc::new(crate::value::Internal::DictView { dict, kind }))
                    }
                    other => return Err(format!("unknown tag {other}")),
                }
            }
        })
    })
}

/// Serializes a JSON document entiflow wrote (tagged state may nest as deep as memory allows)
/// with room on the stack for every level: `serde_json::to_writer(w, &DeepJson(&json))`.
pub struct DeepJson<'a>(pub &'a Json);

impl serde::Serialize for DeepJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::value::deeper(|| match self.0 {
            Json::Array(items) => serializer.collect_seq(items.iter().map(DeepJson)),
            Json::Object(map) => serializer.collect_map(map.iter().map(|(k, v)| (k, DeepJson(v)))),
            other => other.serialize(serializer),
        })
    }
}

/// Drops a JSON document level by level instead of recursively (its own drop recurses once
/// per level of nesting).
pub fn drop_deep_json(json: Json) {
    let mut pending = vec![json];
    while let Some(mut item) = pending.pop() {
        match &mut item {
            Json::Array(items) => pending.append(items),
            Json::Object(map) => pending.extend(std::mem::take(map).into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}
