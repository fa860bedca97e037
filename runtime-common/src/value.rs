//! Run-time values with Python's semantics: shared mutable containers (aliasing as in CPython),
//! immutable strings and tuples, entity references and exception objects.

use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use indexmap::{IndexMap, IndexSet};

/// The hasher of every map in the runtime: fast and deterministic.
pub type FastHash = std::hash::BuildHasherDefault<rustc_hash::FxHasher>;
/// A dict: insertion-ordered, keyed by hashable values.
pub type DictMap = IndexMap<Value, Value, FastHash>;
/// A set: stored in insertion order; iterated in CPython's order (see [`crate::set_order`]).
pub type SetMap = IndexSet<Value, SetHasher>;

/// The hasher of sets: Fx, carrying what [`crate::set_order`] needs to give the set CPython's
/// iteration order: the model of CPython's table for it, and how many slots a table taken again
/// from its members starts from (a set CPython sized ahead).
#[derive(Clone, Default, Debug)]
pub struct SetHasher {
    table_room: std::cell::Cell<usize>,
    layout: RefCell<Option<Box<crate::set_order::Layout>>>,
}

impl SetHasher {
    /// A hasher for a set whose table has at least `slots` slots.
    pub fn with_room(slots: usize) -> SetHasher {
        SetHasher {
            table_room: std::cell::Cell::new(slots),
            layout: RefCell::default(),
        }
    }

    /// CPython's table for the set, as far as it is known (see [`crate::set_order`]).
    pub fn layout(&self) -> &RefCell<Option<Box<crate::set_order::Layout>>> {
        &self.layout
    }

    /// The slots CPython's table keeps at least (0: as for a set built member by member).
    pub fn table_room(&self) -> usize {
        self.table_room.get()
    }
}

impl std::hash::BuildHasher for SetHasher {
    type Hasher = rustc_hash::FxHasher;

    fn build_hasher(&self) -> rustc_hash::FxHasher {
        rustc_hash::FxHasher::default()
    }
}

/// What a deep copy remembers: the copies made so far (by container identity), and whether sets
/// are built again as `copy.deepcopy` builds them (member by member in iteration order).
struct CopyMemo {
    copies: rustc_hash::FxHashMap<usize, Value>,
    rebuild_sets: bool,
}

/// A Python value.
#[derive(Clone, Debug)]
pub enum Value {
    /// `None`.
    None,
    /// A bool.
    Bool(bool),
    /// A 64-bit int.
    Int(i64),
    /// A float.
    Float(f64),
    /// An immutable string.
    Str(Rc<str>),
    /// A mutable list, shared by reference.
    List(Rc<RefCell<Vec<Value>>>),
    /// An immutable tuple.
    Tuple(Rc<Vec<Value>>),
    /// A mutable dict, shared by reference.
    Dict(Rc<RefCell<DictMap>>),
    /// A mutable set, shared by reference.
    Set(Rc<RefCell<SetMap>>),
    /// A `range(start, stop, step)`.
    Range(i64, i64, i64),
    /// A reference to an entity.
    Ref(Rc<EntityRef>),
    /// An exception object.
    Exception(Rc<Exception>),
    /// Interpreter-internal values that user code can see but never build: a slice used as an
    /// index, and the iteration state of a `for` loop over a dict or set.
    Internal(Rc<Internal>),
}

/// Which view of a dict `keys()`, `values()` or `items()` made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKind {
    /// `dict.keys()`.
    Keys,
    /// `dict.values()`.
    Values,
    /// `dict.items()`.
    Items,
}

impl ViewKind {
    /// The kind the dict method `method` makes (None for other methods).
    pub fn of_method(method: &str) -> Option<ViewKind> {
        match method {
            "keys" => Some(ViewKind::Keys),
            "values" => Some(ViewKind::Values),
            "items" => Some(ViewKind::Items),
            _ => None,
        }
    }

    /// The dict method that makes this kind.
    pub fn method(self) -> &'static str {
        match self {
            ViewKind::Keys => "keys",
            ViewKind::Values => "values",
            ViewKind::Items => "items",
        }
    }
}

/// Values of the builtin types the language has no literal for (see [`Value::Internal`]).
#[derive(Debug, Clone)]
pub enum Internal {
    /// `lower:upper:step` in a subscript.
    Slice(Value, Value, Value),
    /// A `for` loop over a dict or set: the container and the snapshot of its members, so every
    /// step can check that the size did not change (CPython raises `RuntimeError` then).
    LiveIter {
        /// The dict or set iterated over.
        container: Value,
        /// Its members when the loop started (a list).
        members: Value,
    },
    /// A single-pass iterator (`zip`, `enumerate`, `reversed`): its items, taken when it was
    /// made, and how many have been consumed.
    Iterator {
        /// The Python type name (`zip`, `enumerate`, `list_reverseiterator`, ...).
        name: &'static str,
        /// Every item.
        items: Vec<Value>,
        /// How many of them were consumed (shared with the journal that can undo a step).
        consumed: Rc<std::cell::Cell<usize>>,
    },
    /// A `for` loop over an iterator: indexing it consumes the iterator's next item, and its
    /// length is what the loop took plus what is left (so a loop stops when something else
    /// drained the iterator).
    Draining {
        /// The iterator (a [`Internal::Iterator`]).
        iterator: Value,
        /// How many items this loop took.
        taken: std::cell::Cell<usize>,
    },
    /// The value of a field that was never assigned (an `__init__` that skipped it): reading
    /// it raises `AttributeError`, and the state dump leaves it out, as `vars(obj)` would.
    Unset,
    /// A live view of a dict's keys, values or items (`d.keys()`): it follows the dict's changes.
    DictView {
        /// The dict.
        dict: Value,
        /// Which view.
        kind: ViewKind,
    },
}

impl Value {
    /// The value of a field never assigned (see [`Internal::Unset`]).
    pub fn unset() -> Value {
        Value::Internal(Rc::new(Internal::Unset))
    }

    /// Whether this is the value of a field never assigned.
    pub fn is_unset(&self) -> bool {
        matches!(self, Value::Internal(i) if matches!(**i, Internal::Unset))
    }
}

impl Internal {
    /// A new single-pass iterator over `items`.
    pub fn iterator(name: &'static str, items: Vec<Value>) -> Value {
        Value::Internal(Rc::new(Internal::Iterator {
            name,
            items,
            consumed: Rc::new(std::cell::Cell::new(0)),
        }))
    }

    /// An iterator's next item, consuming it (None when exhausted, or for other values).
    pub fn next_item(&self) -> Option<Value> {
        let Internal::Iterator {
            items, consumed, ..
        } = self
        else {
            return None;
        };
        let item = items.get(consumed.get())?.clone();
        crate::journal::consumed(consumed, consumed.get());
        consumed.set(consumed.get() + 1);
        Some(item)
    }

    /// The items of an iterator not consumed yet, consuming them (None for other values).
    pub fn drain(&self) -> Option<Vec<Value>> {
        let Internal::Iterator {
            items, consumed, ..
        } = self
        else {
            return None;
        };
        let rest = items[consumed.get().min(items.len())..].to_vec();
        crate::journal::consumed(consumed, consumed.get());
        consumed.set(items.len());
        Some(rest)
    }

    /// The number of members of a dict view now, or None for other internal values.
    pub fn view_len(&self) -> Option<usize> {
        match self {
            Internal::DictView {
                dict: Value::Dict(d),
                ..
            } => Some(d.borrow().len()),
            _ => None,
        }
    }

    /// The members of a dict view now, or None for other internal values.
    pub fn view_members(&self) -> Option<Vec<Value>> {
        let Internal::DictView {
            dict: Value::Dict(d),
            kind,
        } = self
        else {
            return None;
        };
        let d = d.borrow();
        Some(match kind {
            ViewKind::Keys => d.keys().cloned().collect(),
            ViewKind::Values => d.values().cloned().collect(),
            ViewKind::Items => d
                .iter()
                .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()]))
                .collect(),
        })
    }
}

/// A reference to an entity: its type and its key (as `__key__` returned it).
#[derive(Debug, Clone)]
pub struct EntityRef {
    /// The entity type name.
    pub entity: Rc<str>,
    /// The key value (a str or an int).
    pub key: Value,
}

impl EntityRef {
    /// The key's canonical text: entities are identified by (type, canonical key).
    pub fn key_text(&self) -> String {
        key_text(&self.key)
    }
}

/// The canonical text of a key: the str itself, or `str(key)` for other values.
pub fn key_text(key: &Value) -> String {
    match key {
        Value::Str(s) => s.to_string(),
        other => crate::format::to_str(other),
    }
}

/// An exception object: its class name and constructor arguments.
#[derive(Debug, Clone)]
pub struct Exception {
    /// The class name (builtin or user-defined).
    pub class: Rc<str>,
    /// The constructor arguments.
    pub args: Vec<Value>,
    /// How `str()` renders the arguments (set by the class's builtin ancestor).
    pub style: ExceptionStyle,
    /// Attributes its class's `__init__` set (`exc.needed`), in order.
    pub attrs: Vec<(Rc<str>, Value)>,
}

/// The builtin ancestors whose `str()` differs from `BaseException`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExceptionStyle {
    /// `BaseException`'s: nothing, the one argument, or the tuple of them.
    Plain,
    /// `KeyError` and its subclasses: one argument is shown by its repr.
    Key,
    /// `OSError` and its subclasses: `(errno, strerror[, filename[, _, filename2]])` is shown
    /// as `[Errno 2] strerror: 'filename' -> 'filename2'`.
    Os,
}

impl ExceptionStyle {
    /// The style of builtin class `class` (for a user class: of its builtin ancestor).
    pub fn of_builtin(class: &str) -> ExceptionStyle {
        let mut current = class;
        for _ in 0..16 {
            match current {
                "KeyError" => return ExceptionStyle::Key,
                "OSError" => return ExceptionStyle::Os,
                _ => match ir::builtin_exception_base(current) {
                    Some(base) if !base.is_empty() => current = base,
                    _ => break,
                },
            }
        }
        ExceptionStyle::Plain
    }
}

impl Exception {
    /// An exception of a builtin class (or of a user class whose builtin ancestor renders its
    /// arguments as `BaseException` does).
    pub fn new(class: &str, args: Vec<Value>) -> Exception {
        Exception {
            class: Rc::from(class),
            args,
            style: ExceptionStyle::of_builtin(class),
            attrs: Vec::new(),
        }
    }

    /// `exc.args`: all the constructor arguments, except that an `OSError` given a file name
    /// keeps only `(errno, strerror)` there (the file names show in `str()` only).
    pub fn visible_args(&self) -> &[Value] {
        match (self.style, self.args.as_slice()) {
            (ExceptionStyle::Os, [_, _, filename, ..])
                if self.args.len() <= 5 && !matches!(filename, Value::None) =>
            {
                &self.args[..2]
            }
            _ => &self.args,
        }
    }

    /// The class `OSError(errno, strerror, ...)` really makes: CPython picks the subclass
    /// that matches a known `errno` (Linux numbers), e.g. `FileNotFoundError` for 2.
    pub fn os_error_class(args: &[Value]) -> &'static str {
        match args {
            [Value::Int(errno), _, ..] => match errno {
                1 | 13 => "PermissionError",
                2 => "FileNotFoundError",
                3 => "ProcessLookupError",
                4 => "InterruptedError",
                10 => "ChildProcessError",
                11 | 114 | 115 => "BlockingIOError",
                17 => "FileExistsError",
                20 => "NotADirectoryError",
                21 => "IsADirectoryError",
                32 | 108 => "BrokenPipeError",
                103 => "ConnectionAbortedError",
                104 => "ConnectionResetError",
                110 => "TimeoutError",
                111 => "ConnectionRefusedError",
                _ => "OSError",
            },
            _ => "OSError",
        }
    }

    /// `str(exc)`, as CPython computes it.
    pub fn message(&self) -> String {
        use crate::format::{repr, to_str};
        match (self.style, self.args.as_slice()) {
            (_, []) => String::new(),
            (ExceptionStyle::Key, [one]) => repr(one),
            (_, [one]) => to_str(one),
            (ExceptionStyle::Os, [errno, strerror, rest @ ..]) if rest.len() <= 3 => {
                let mut text = format!("[Errno {}] {}", to_str(errno), to_str(strerror));
                match rest {
                    [] | [Value::None, ..] => {}
                    [filename, _, filename2] if !matches!(filename2, Value::None) => {
                        text += &format!(": {} -> {}", repr(filename), repr(filename2));
                    }
                    [filename, ..] => text += &format!(": {}", repr(filename)),
                }
                text
            }
            (_, many) => repr(&Value::Tuple(Rc::new(many.to_vec()))),
        }
    }
}

impl Value {
    /// A str value.
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    /// A new list.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(items)))
    }

    /// A new tuple.
    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(items))
    }

    /// A new dict.
    pub fn dict(map: DictMap) -> Value {
        Value::Dict(Rc::new(RefCell::new(map)))
    }

    /// A new exception of `class` with one message argument.
    pub fn exception(class: &str, message: impl Into<String>) -> Value {
        Value::Exception(Rc::new(Exception::new(
            class,
            vec![Value::str(&message.into())],
        )))
    }

    /// Python's type name (`type(x).__name__`).
    pub fn type_name(&self) -> &str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::Range(..) => "range",
            Value::Ref(r) => &r.entity,
            Value::Exception(e) => &e.class,
            Value::Internal(i) => match **i {
                Internal::Slice(..) => "slice",
                Internal::LiveIter { .. } | Internal::Draining { .. } => "iterator",
                Internal::Unset => "unset",
                Internal::Iterator { name, .. } => name,
                Internal::DictView { kind, .. } => match kind {
                    ViewKind::Keys => "dict_keys",
                    ViewKind::Values => "dict_values",
                    ViewKind::Items => "dict_items",
                },
            },
        }
    }

    /// Python truthiness.
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.borrow().is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            Value::Dict(d) => !d.borrow().is_empty(),
            Value::Set(s) => !s.borrow().is_empty(),
            Value::Range(..) => crate::ops::range_len(self) > 0,
            Value::Internal(i) => i.view_len() != Some(0),
            Value::Ref(_) | Value::Exception(_) => true,
        }
    }

    /// Whether the value can be a dict key or set member.
    pub fn is_hashable(&self) -> bool {
        match self {
            Value::List(_) | Value::Dict(_) | Value::Set(_) => false,
            Value::Tuple(t) => deeper(|| t.iter().all(Value::is_hashable)),
            // Slices are unhashable until CPython 3.12.
            Value::Internal(i) => !matches!(**i, Internal::DictView { .. } | Internal::Slice(..)),
            _ => true,
        }
    }

    /// A copy with no containers shared with `self` (entity references stay references). Like
    /// `copy.deepcopy`, containers shared inside the value stay shared in the copy and cycles are
    /// preserved; sets stay exactly as they are stored (an engine's copies of state must not
    /// change it). What crosses an entity boundary is a [`Value::crossing_copy`].
    pub fn deep_copy(&self) -> Value {
        self.copy_one(false)
    }

    /// Deep copies of several values made together: containers shared between them stay shared
    /// between the copies, as one `copy.deepcopy` of them all would do.
    pub fn deep_copy_all(values: &[Value]) -> Vec<Value> {
        Value::copy_all(values, false)
    }

    /// The copy of a value crossing an entity boundary: a [`Value::deep_copy`] that builds sets
    /// again as CPython's `copy.deepcopy` does (member by member, in iteration order).
    pub fn crossing_copy(&self) -> Value {
        self.copy_one(true)
    }

    /// [`Value::crossing_copy`] of several values made together (sharing kept between them).
    pub fn crossing_copy_all(values: &[Value]) -> Vec<Value> {
        Value::copy_all(values, true)
    }

    fn copy_all(values: &[Value], rebuild_sets: bool) -> Vec<Value> {
        let mut memo = CopyMemo {
            copies: rustc_hash::FxHashMap::default(),
            rebuild_sets,
        };
        values.iter().map(|v| v.copy_with(&mut memo)).collect()
    }

    fn copy_one(&self, rebuild_sets: bool) -> Value {
        self.copy_with(&mut CopyMemo {
            copies: rustc_hash::FxHashMap::default(),
            rebuild_sets,
        })
    }

    /// Scalars and strings are shared; containers, tuples, exceptions and iterators copied.
    fn copy_with(&self, memo: &mut CopyMemo) -> Value {
        match self {
            Value::List(_)
            | Value::Tuple(_)
            | Value::Dict(_)
            | Value::Set(_)
            | Value::Exception(_)
            | Value::Internal(_) => self.deep_copy_memo(memo),
            other => other.clone(),
        }
    }

    /// The identity of a mutable container (`None` for other values).
    pub fn container_id(&self) -> Option<usize> {
        match self {
            Value::List(l) => Some(Rc::as_ptr(l) as *const u8 as usize),
            Value::Dict(d) => Some(Rc::as_ptr(d) as *const u8 as usize),
            Value::Set(s) => Some(Rc::as_ptr(s) as *const u8 as usize),
            _ => None,
        }
    }

    /// The identities of every mutable container reachable from `values` (lists, dicts, sets,
    /// and the count cells of iterators, which the [`crate::journal`] names the same way).
    pub fn reachable_containers(values: &[Value]) -> rustc_hash::FxHashSet<usize> {
        fn walk(v: &Value, seen: &mut rustc_hash::FxHashSet<usize>) {
            deeper(|| {
                if let Some(id) = v.container_id() {
                    if !seen.insert(id) {
                        return;
                    }
                }
                match v {
                    Value::List(l) => l.borrow().iter().for_each(|x| walk(x, seen)),
                    Value::Dict(d) => d.borrow().iter().for_each(|(k, x)| {
                        walk(k, seen);
                        walk(x, seen)
                    }),
                    Value::Set(s) => s.borrow().iter().for_each(|x| walk(x, seen)),
                    Value::Tuple(t) => t.iter().for_each(|x| walk(x, seen)),
                    Value::Exception(e) => {
                        e.args.iter().for_each(|x| walk(x, seen));
                        e.attrs.iter().for_each(|(_, x)| walk(x, seen));
                    }
                    Value::Internal(i) => match &**i {
                        Internal::Iterator {
                            items, consumed, ..
                        } => {
                            seen.insert(Rc::as_ptr(consumed) as *const u8 as usize);
                            items.iter().for_each(|x| walk(x, seen));
                        }
                        Internal::DictView { dict, .. } => walk(dict, seen),
                        Internal::LiveIter { container, members } => {
                            walk(container, seen);
                            walk(members, seen);
                        }
                        Internal::Draining { iterator, .. } => walk(iterator, seen),
                        Internal::Slice(a, b, c) => {
                            [a, b, c].into_iter().for_each(|x| walk(x, seen))
                        }
                        Internal::Unset => {}
                    },
                    _ => {}
                }
            })
        }
        let mut seen = rustc_hash::FxHashSet::default();
        values.iter().for_each(|v| walk(v, &mut seen));
        seen
    }

    /// Whether `self` and `other` are the same mutable container, tuple, exception or internal
    /// value: an item compares equal to itself before `==` is asked (as in CPython, where a
    /// list that holds itself equals itself).
    pub fn is_same_container(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::List(a), Value::List(b)) => Rc::ptr_eq(a, b),
            (Value::Dict(a), Value::Dict(b)) => Rc::ptr_eq(a, b),
            (Value::Set(a), Value::Set(b)) => Rc::ptr_eq(a, b),
            (Value::Tuple(a), Value::Tuple(b)) => Rc::ptr_eq(a, b),
            (Value::Exception(a), Value::Exception(b)) => Rc::ptr_eq(a, b),
            (Value::Internal(a), Value::Internal(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Whether `self` is the very object `other` is: the same container, exception or internal
    /// value, or an equal immutable value of the same type (`1`, `1.0` and `True` differ).
    pub fn is_same_object(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => Rc::ptr_eq(a, b),
            (Value::Dict(a), Value::Dict(b)) => Rc::ptr_eq(a, b),
            (Value::Set(a), Value::Set(b)) => Rc::ptr_eq(a, b),
            (Value::Tuple(a), Value::Tuple(b)) => {
                Rc::ptr_eq(a, b)
                    || (a.len() == b.len()
                        && a.iter().zip(b.iter()).all(|(x, y)| x.is_same_object(y)))
            }
            (Value::Range(a, b, c), Value::Range(x, y, z)) => (a, b, c) == (x, y, z),
            (Value::Ref(a), Value::Ref(b)) => {
                Rc::ptr_eq(a, b) || (a.entity == b.entity && a.key.is_same_object(&b.key))
            }
            (Value::Exception(a), Value::Exception(b)) => Rc::ptr_eq(a, b),
            (Value::Internal(a), Value::Internal(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }

    fn deep_copy_memo(&self, memo: &mut CopyMemo) -> Value {
        deeper(|| {
            if let Some(id) = self.container_id() {
                if let Some(done) = memo.copies.get(&id) {
                    return done.clone();
                }
            }
            match self {
                Value::List(l) => {
                    let copy = Rc::new(RefCell::new(Vec::new()));
                    memo.copies
                        .insert(self.container_id().unwrap_or(0), Value::List(copy.clone()));
                    let items: Vec<Value> =
                        l.borrow().iter().map(|v| v.deep_copy_memo(memo)).collect();
                    *copy.borrow_mut() = items;
                    Value::List(copy)
                }
                Value::Dict(d) => {
                    let copy = Rc::new(RefCell::new(DictMap::default()));
                    memo.copies
                        .insert(self.container_id().unwrap_or(0), Value::Dict(copy.clone()));
                    let items: DictMap = d
                        .borrow()
                        .iter()
                        .map(|(k, v)| (k.deep_copy_memo(memo), v.deep_copy_memo(memo)))
                        .collect();
                    *copy.borrow_mut() = items;
                    Value::Dict(copy)
                }
                Value::Set(s) => {
                    let copy = if memo.rebuild_sets {
                        crate::set_order::members(&s.borrow())
                            .iter()
                            .map(|v| v.deep_copy_memo(memo))
                            .collect()
                    } else {
                        let s = s.borrow();
                        let mut copy = SetMap::with_hasher(s.hasher().clone());
                        copy.extend(s.iter().map(|v| v.deep_copy_memo(memo)));
                        copy
                    };
                    let copy = Value::Set(Rc::new(RefCell::new(copy)));
                    memo.copies
                        .insert(self.container_id().unwrap_or(0), copy.clone());
                    copy
                }
                // Tuples and exceptions are copied once too, so that what shares one still does
                // (remembered once copied: a cycle always runs through a list or dict, which are
                // remembered first).
                Value::Tuple(t) => {
                    let id = Rc::as_ptr(t) as *const u8 as usize;
                    if let Some(done) = memo.copies.get(&id) {
                        return done.clone();
                    }
                    let copy = Value::tuple(t.iter().map(|v| v.deep_copy_memo(memo)).collect());
                    memo.copies.insert(id, copy.clone());
                    copy
                }
                Value::Exception(e) => {
                    let id = Rc::as_ptr(e) as *const u8 as usize;
                    if let Some(done) = memo.copies.get(&id) {
                        return done.clone();
                    }
                    let copy = Value::Exception(Rc::new(Exception {
                        class: e.class.clone(),
                        args: e.args.iter().map(|v| v.deep_copy_memo(memo)).collect(),
                        style: e.style,
                        attrs: e
                            .attrs
                            .iter()
                            .map(|(n, v)| (n.clone(), v.deep_copy_memo(memo)))
                            .collect(),
                    }));
                    memo.copies.insert(id, copy.clone());
                    copy
                }
                // A view crossing an entity boundary views a copy of its dict.
                Value::Internal(i) => match &**i {
                    Internal::Iterator {
                        name,
                        items,
                        consumed,
                    } => {
                        // An iterator shared inside the value stays shared in the copy.
                        let id = Rc::as_ptr(i) as *const u8 as usize;
                        if let Some(done) = memo.copies.get(&id) {
                            return done.clone();
                        }
                        let copy = Value::Internal(Rc::new(Internal::Iterator {
                            name,
                            items: items.iter().map(|v| v.deep_copy_memo(memo)).collect(),
                            consumed: Rc::new(std::cell::Cell::new(consumed.get())),
                        }));
                        memo.copies.insert(id, copy.clone());
                        copy
                    }
                    Internal::DictView { dict, kind } => {
                        Value::Internal(Rc::new(Internal::DictView {
                            dict: dict.deep_copy_memo(memo),
                            kind: *kind,
                        }))
                    }
                    _ => self.clone(),
                },
                other => other.clone(),
            }
        })
    }

    /// Whether the value contains itself (a list appended to itself, ...).
    pub fn is_cyclic(&self) -> bool {
        fn walk(v: &Value, active: &mut rustc_hash::FxHashSet<usize>) -> bool {
            deeper(|| {
                if let Some(id) = v.container_id() {
                    if !active.insert(id) {
                        return true;
                    }
                }
                let found = match v {
                    Value::List(l) => l.borrow().iter().any(|x| walk(x, active)),
                    Value::Dict(d) => d.borrow().values().any(|x| walk(x, active)),
                    Value::Tuple(t) => t.iter().any(|x| walk(x, active)),
                    _ => false,
                };
                if let Some(id) = v.container_id() {
                    active.remove(&id);
                }
                found
            })
        }
        walk(self, &mut rustc_hash::FxHashSet::default())
    }

    /// As an i64 if it is an int or a bool.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }
}

impl PartialEq for Value {
    /// Python `==`.
    fn eq(&self, other: &Value) -> bool {
        self.is_same_container(other) || crate::ops::py_eq(self, other)
    }
}

impl Eq for Value {}

impl Hash for Value {
    /// Consistent with Python equality: equal numbers of any kind hash alike.
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::None => 0u8.hash(state),
            Value::Bool(b) => (*b as i64).hash(state),
            Value::Int(i) => i.hash(state),
            Value::Float(f) => {
                if f.fract() == 0.0 && f.is_finite() && f.abs() < 9.2e18 {
                    (*f as i64).hash(state)
                } else {
                    f.to_bits().hash(state)
                }
            }
            Value::Str(s) => s.hash(state),
            Value::Tuple(t) => {
                7u8.hash(state);
                deeper(|| t.iter().for_each(|x| x.hash(state)));
            }
            Value::Range(a, b, c) => (a, b, c).hash(state),
            Value::Ref(r) => {
                r.entity.hash(state);
                r.key_text().hash(state);
            }
            Value::Exception(e) => Rc::as_ptr(e).hash(state),
            Value::Internal(i) => Rc::as_ptr(i).hash(state),
            Value::List(_) | Value::Dict(_) | Value::Set(_) => 9u8.hash(state),
        }
    }
}

/// Runs one level of a walk over a value with room on the stack for it. Values nest as deep as
/// memory allows (`x = [x]` in a loop, or one level per call over many transactions), so the
/// walks that recurse over them (equality, ordering, hashing, `repr`, copies, snapshots) grow
/// the stack onto the heap when it runs low instead of overflowing it.
#[inline]
pub fn deeper<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, f)
}
