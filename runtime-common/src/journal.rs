//! The undo journal of a transaction that changes committed state in place.
//!
//! An engine that runs one transaction at a time can let it work on the committed entities
//! directly instead of copying every entity it touches (a copy costs the entity's whole size on
//! every call, so an entity whose list keeps growing would make a long run quadratic). While a
//! journal is open on a thread, every change to a list, dict, set or iterator records how to undo
//! it; [`rollback`] undoes them newest first, which gives every container back exactly the
//! contents and order it had when the journal opened. Field assignments are not containers: the
//! engine keeps the fields of each entity it touched and puts them back itself.
//!
//! Engines that give transactions private copies never open a journal; recording then costs one
//! flag check.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::value::{DictMap, SetMap, Value};

type ListCell = Rc<RefCell<Vec<Value>>>;
type DictCell = Rc<RefCell<DictMap>>;
type SetCell = Rc<RefCell<SetMap>>;

thread_local! {
    static OPEN: Cell<bool> = const { Cell::new(false) };
    static ENTRIES: RefCell<Vec<Undo>> = const { RefCell::new(Vec::new()) };
}

/// How to undo one change, given that every later change was undone already.
enum Undo {
    /// Items were appended: keep the first `len`.
    ListTruncate(ListCell, usize),
    /// An item was replaced: put the old one back at the index.
    ListSet(ListCell, usize, Value),
    /// An item was inserted at the index: remove it.
    ListInserted(ListCell, usize),
    /// An item was removed from the index: insert it again.
    ListRemoved(ListCell, usize, Value),
    /// The order was reversed: reverse it again.
    ListReversed(ListCell),
    /// Anything else: the whole former contents.
    ListContents(ListCell, Vec<Value>),
    /// The value at the index was replaced: put the old one back.
    DictSet(DictCell, usize, Value),
    /// A key was added (at the end): remove it.
    DictAdded(DictCell),
    /// A key was removed from the index: insert it there again.
    DictRemoved(DictCell, usize, Value, Value),
    /// Anything else: the whole former contents.
    DictContents(DictCell, DictMap),
    /// A member was added (at the end): remove it.
    SetAdded(SetCell),
    /// A member was removed from the index: insert it there again.
    SetRemoved(SetCell, usize, Value),
    /// Members were added at the end: keep the first `len`.
    SetTruncate(SetCell, usize),
    /// Anything else: the whole former contents.
    SetContents(SetCell, SetMap),
    /// An iterator consumed items: the former count.
    Consumed(Rc<Cell<usize>>, usize),
}

impl Undo {
    fn undo(self) {
        match self {
            Undo::ListTruncate(l, len) => l.borrow_mut().truncate(len),
            Undo::ListSet(l, i, old) => {
                if let Some(slot) = l.borrow_mut().get_mut(i) {
                    *slot = old;
                }
            }
            Undo::ListInserted(l, i) => {
                let mut v = l.borrow_mut();
                if i < v.len() {
                    v.remove(i);
                }
            }
            Undo::ListRemoved(l, i, old) => {
                let mut v = l.borrow_mut();
                let i = i.min(v.len());
                v.insert(i, old);
            }
            Undo::ListReversed(l) => l.borrow_mut().reverse(),
            Undo::ListContents(l, old) => *l.borrow_mut() = old,
            Undo::DictSet(d, i, old) => {
                if let Some((_, slot)) = d.borrow_mut().get_index_mut(i) {
                    *slot = old;
                }
            }
            Undo::DictAdded(d) => {
                d.borrow_mut().pop();
            }
            Undo::DictRemoved(d, i, key, value) => {
                let mut m = d.borrow_mut();
                let i = i.min(m.len());
                m.shift_insert(i, key, value);
            }
            Undo::DictContents(d, old) => *d.borrow_mut() = old,
            Undo::SetAdded(s) => {
                s.borrow_mut().pop();
            }
            Undo::SetRemoved(s, i, old) => {
                let mut m = s.borrow_mut();
                let i = i.min(m.len());
                m.shift_insert(i, old);
            }
            Undo::SetTruncate(s, len) => s.borrow_mut().truncate(len),
            Undo::SetContents(s, old) => *s.borrow_mut() = old,
            Undo::Consumed(cell, old) => cell.set(old),
        }
    }
}

/// Opens the journal on this thread: from now on every change to a container is recorded.
pub fn open() {
    let stale = ENTRIES.with_borrow_mut(std::mem::take);
    drop(stale);
    OPEN.set(true);
}

/// Closes the journal, keeping every change.
pub fn commit() {
    OPEN.set(false);
    let entries = ENTRIES.with_borrow_mut(std::mem::take);
    drop(entries);
}

/// Closes the journal and undoes every change recorded since [`open`], newest first.
pub fn rollback() {
    OPEN.set(false);
    let entries = ENTRIES.with_borrow_mut(std::mem::take);
    for undo in entries.into_iter().rev() {
        undo.undo();
    }
}

fn record(undo: impl FnOnce() -> Undo) {
    if OPEN.get() {
        ENTRIES.with_borrow_mut(|entries| entries.push(undo()));
    }
}

/// Before items are appended to `l` (`append`, `extend`, `+=`).
pub(crate) fn list_grows(l: &ListCell) {
    if !OPEN.get() {
        return;
    }
    ENTRIES.with_borrow_mut(|entries| {
        // Appends since the last change recorded only grew the same list: one entry undoes all.
        if let Some(Undo::ListTruncate(last, _)) = entries.last() {
            if Rc::ptr_eq(last, l) {
                return;
            }
        }
        entries.push(Undo::ListTruncate(l.clone(), l.borrow().len()));
    });
}

/// After `l[i]` was replaced; `old` is what it held.
pub(crate) fn list_set(l: &ListCell, i: usize, old: Value) {
    record(|| Undo::ListSet(l.clone(), i, old));
}

/// After an item was inserted into `l` at `i`.
pub(crate) fn list_inserted(l: &ListCell, i: usize) {
    record(|| Undo::ListInserted(l.clone(), i));
}

/// After `old` was removed from `l` at `i`.
pub(crate) fn list_removed(l: &ListCell, i: usize, old: &Value) {
    record(|| Undo::ListRemoved(l.clone(), i, old.clone()));
}

/// After `l` was reversed.
pub(crate) fn list_reversed(l: &ListCell) {
    record(|| Undo::ListReversed(l.clone()));
}

/// After the contents of `l` were replaced; `old` is what it held.
pub(crate) fn list_contents(l: &ListCell, old: Vec<Value>) {
    record(|| Undo::ListContents(l.clone(), old));
}

/// Before a change to `l` that no finer entry describes: keeps a copy of its contents.
pub(crate) fn list_before(l: &ListCell) {
    record(|| Undo::ListContents(l.clone(), l.borrow().clone()));
}

/// After `d.insert_full` put a value at index `i`; `old` is the value it replaced, if any.
pub(crate) fn dict_inserted(d: &DictCell, i: usize, old: Option<Value>) {
    record(|| match old {
        Some(old) => Undo::DictSet(d.clone(), i, old),
        None => Undo::DictAdded(d.clone()),
    });
}

/// After `key: value` was removed from `d` at index `i`.
pub(crate) fn dict_removed(d: &DictCell, i: usize, key: &Value, value: &Value) {
    record(|| Undo::DictRemoved(d.clone(), i, key.clone(), value.clone()));
}

/// After the contents of `d` were replaced; `old` is what it held.
pub(crate) fn dict_contents(d: &DictCell, old: DictMap) {
    record(|| Undo::DictContents(d.clone(), old));
}

/// After `s.insert_full` answered `added`.
pub(crate) fn set_inserted(s: &SetCell, added: bool) {
    if added {
        record(|| Undo::SetAdded(s.clone()));
    }
}

/// After `old` was removed from `s` at index `i`.
pub(crate) fn set_removed(s: &SetCell, i: usize, old: &Value) {
    record(|| Undo::SetRemoved(s.clone(), i, old.clone()));
}

/// Before members are added to the end of `s` (`update`).
pub(crate) fn set_grows(s: &SetCell) {
    record(|| Undo::SetTruncate(s.clone(), s.borrow().len()));
}

/// After the contents of `s` were replaced; `old` is what it held.
pub(crate) fn set_contents(s: &SetCell, old: SetMap) {
    record(|| Undo::SetContents(s.clone(), old));
}

/// Before a change to `s` that no finer entry describes: keeps a copy of its contents.
pub(crate) fn set_before(s: &SetCell) {
    record(|| Undo::SetContents(s.clone(), s.borrow().clone()));
}

/// After an iterator's consumed count changed from `old`.
pub(crate) fn consumed(cell: &Rc<Cell<usize>>, old: usize) {
    record(|| Undo::Consumed(cell.clone(), old));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[i64]) -> ListCell {
        Rc::new(RefCell::new(items.iter().map(|&i| Value::Int(i)).collect()))
    }

    fn ints(l: &ListCell) -> Vec<i64> {
        l.borrow().iter().filter_map(Value::as_int).collect()
    }

    #[test]
    fn rollback_undoes_changes_newest_first_and_commit_keeps_them() {
        let l = list(&[1, 2, 3]);
        open();
        list_grows(&l);
        l.borrow_mut().push(Value::Int(4));
        let old = std::mem::replace(&mut l.borrow_mut()[0], Value::Int(9));
        list_set(&l, 0, old);
        let removed = l.borrow_mut().remove(1);
        list_removed(&l, 1, &removed);
        list_grows(&l);
        l.borrow_mut().push(Value::Int(5));
        assert_eq!(ints(&l), vec![9, 3, 4, 5]);
        rollback();
        assert_eq!(ints(&l), vec![1, 2, 3]);

        open();
        l.borrow_mut().reverse();
        list_reversed(&l);
        commit();
        assert_eq!(ints(&l), vec![3, 2, 1]);
        // A closed journal records nothing.
        l.borrow_mut().clear();
        list_before(&l);
        rollback();
        assert!(ints(&l).is_empty());
    }

    #[test]
    fn dicts_and_sets_get_their_order_back() {
        let d: DictCell = Rc::new(RefCell::new(DictMap::default()));
        for k in ["a", "b", "c"] {
            d.borrow_mut().insert(Value::str(k), Value::Int(1));
        }
        let s: SetCell = Rc::new(RefCell::new((1..=3).map(Value::Int).collect()));
        let before_d: Vec<String> = d.borrow().keys().map(|k| format!("{k:?}")).collect();
        let before_s: Vec<Value> = s.borrow().iter().cloned().collect();
        open();
        let (i, k, v) = d.borrow_mut().shift_remove_full(&Value::str("a")).unwrap();
        dict_removed(&d, i, &k, &v);
        let (i, old) = d.borrow_mut().insert_full(Value::str("a"), Value::Int(2));
        dict_inserted(&d, i, old);
        let (i, old) = d.borrow_mut().insert_full(Value::str("b"), Value::Int(3));
        dict_inserted(&d, i, old);
        let (i, v) = s.borrow_mut().shift_remove_full(&Value::Int(1)).unwrap();
        set_removed(&s, i, &v);
        let (_, added) = s.borrow_mut().insert_full(Value::Int(1));
        set_inserted(&s, added);
        rollback();
        let after_d: Vec<String> = d.borrow().keys().map(|k| format!("{k:?}")).collect();
        assert_eq!(after_d, before_d);
        assert!(d.borrow().values().all(|v| v.as_int() == Some(1)));
        let after_s: Vec<i64> = s.borrow().iter().filter_map(Value::as_int).collect();
        let before_s: Vec<i64> = before_s.iter().filter_map(Value::as_int).collect();
        assert_eq!(after_s, before_s);
    }
}
