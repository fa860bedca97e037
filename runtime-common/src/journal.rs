//! The undo journal of a transaction that changes committed state in place.
//!
//! An engine can let a transaction work on the committed entities directly instead of copying
//! every entity it touches (a copy costs the entity's whole size on every call, so an entity
//! whose list keeps growing would make a long run quadratic). While a journal is open on a
//! thread, every change to a list, dict, set or iterator records its inverse; [`rollback`] applies
//! them newest first, which gives every container back exactly the contents and order it had
//! when the journal opened. Field assignments are not containers: the engine keeps the fields of
//! each entity it touched and puts them back itself.
//!
//! An engine that interleaves transactions over disjoint entities (each holds the locks of the
//! entities it touches) leaves one's changes in place while another runs: [`detach`] closes the
//! journal and hands back its entries as an [`Undo`], [`attach`] opens the journal with them
//! again when the transaction goes on, and [`undo`] takes a detached transaction's changes back
//! if it fails. Engines that give transactions private copies never open a journal; recording
//! then costs one flag check.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::value::{DictMap, SetMap, Value};

type ListCell = Rc<RefCell<Vec<Value>>>;
type DictCell = Rc<RefCell<DictMap>>;
type SetCell = Rc<RefCell<SetMap>>;

thread_local! {
    static OPEN: Cell<bool> = const { Cell::new(false) };
    static ENTRIES: RefCell<Vec<Change>> = const { RefCell::new(Vec::new()) };
}

/// One change to one container; applying it returns the change that takes it back.
enum Change {
    /// Keep the first `len` items.
    ListTruncate(ListCell, usize),
    /// Append these items.
    ListExtend(ListCell, Vec<Value>),
    /// Put this value at the index.
    ListSet(ListCell, usize, Value),
    /// Remove the item at the index.
    ListRemoveAt(ListCell, usize),
    /// Insert this value at the index.
    ListInsertAt(ListCell, usize, Value),
    /// Reverse the order.
    ListReverse(ListCell),
    /// Replace the whole contents.
    ListReplace(ListCell, Vec<Value>),
    /// Put this value at the index (the key stays).
    DictSetAt(DictCell, usize, Value),
    /// Remove the last key.
    DictPop(DictCell),
    /// Add this key (absent) at the end.
    DictPush(DictCell, Value, Value),
    /// Insert this key (absent) at the index.
    DictInsertAt(DictCell, usize, Value, Value),
    /// Remove the key at the index.
    DictRemoveAt(DictCell, usize),
    /// Replace the whole contents.
    DictReplace(DictCell, DictMap),
    /// Remove the last member.
    SetPop(SetCell),
    /// Add this member (absent) at the end.
    SetPush(SetCell, Value),
    /// Insert this member (absent) at the index.
    SetInsertAt(SetCell, usize, Value),
    /// Remove the member at the index.
    SetRemoveAt(SetCell, usize),
    /// Put this member (absent) back at the index, whose member goes back to the end (undoes a
    /// `swap_remove` at the index).
    SetSwapInsert(SetCell, usize, Value),
    /// `swap_remove` the member at the index.
    SetSwapRemove(SetCell, usize),
    /// Keep the first `len` members.
    SetTruncate(SetCell, usize),
    /// Add these members (absent) at the end.
    SetExtend(SetCell, Vec<Value>),
    /// Replace the whole contents.
    SetReplace(SetCell, SetMap),
    /// Set an iterator's consumed count.
    Consumed(Rc<Cell<usize>>, usize),
}

impl Change {
    /// Makes the change; returns its inverse (`None` if the container no longer has the shape
    /// the change was recorded for, which a journal applied in order never meets).
    fn apply(self) -> Option<Change> {
        // A set's kept table does not follow these changes: it is taken again from the members.
        if let Change::SetPop(s)
        | Change::SetPush(s, _)
        | Change::SetInsertAt(s, ..)
        | Change::SetRemoveAt(s, _)
        | Change::SetSwapInsert(s, ..)
        | Change::SetSwapRemove(s, _)
        | Change::SetTruncate(s, _)
        | Change::SetExtend(s, _) = &self
        {
            s.borrow().hasher().layout().borrow_mut().take();
        }
        Some(match self {
            Change::ListTruncate(l, len) => {
                let tail = {
                    let mut v = l.borrow_mut();
                    if len > v.len() {
                        return None;
                    }
                    v.split_off(len)
                };
                Change::ListExtend(l, tail)
            }
            Change::ListExtend(l, items) => {
                let len = l.borrow().len();
                l.borrow_mut().extend(items);
                Change::ListTruncate(l, len)
            }
            Change::ListSet(l, i, value) => {
                let old = std::mem::replace(l.borrow_mut().get_mut(i)?, value);
                Change::ListSet(l, i, old)
            }
            Change::ListRemoveAt(l, i) => {
                let old = {
                    let mut v = l.borrow_mut();
                    if i >= v.len() {
                        return None;
                    }
                    v.remove(i)
                };
                Change::ListInsertAt(l, i, old)
            }
            Change::ListInsertAt(l, i, value) => {
                {
                    let mut v = l.borrow_mut();
                    if i > v.len() {
                        return None;
                    }
                    v.insert(i, value);
                }
                Change::ListRemoveAt(l, i)
            }
            Change::ListReverse(l) => {
                l.borrow_mut().reverse();
                Change::ListReverse(l)
            }
            Change::ListReplace(l, items) => {
                let old = std::mem::replace(&mut *l.borrow_mut(), items);
                Change::ListReplace(l, old)
            }
            Change::DictSetAt(d, i, value) => {
                let old = std::mem::replace(d.borrow_mut().get_index_mut(i)?.1, value);
                Change::DictSetAt(d, i, old)
            }
            Change::DictPop(d) => {
                let (key, value) = d.borrow_mut().pop()?;
                Change::DictPush(d, key, value)
            }
            Change::DictPush(d, key, value) => {
                d.borrow_mut().insert(key, value);
                Change::DictPop(d)
            }
            Change::DictInsertAt(d, i, key, value) => {
                {
                    let mut m = d.borrow_mut();
                    if i > m.len() {
                        return None;
                    }
                    m.shift_insert(i, key, value);
                }
                Change::DictRemoveAt(d, i)
            }
            Change::DictRemoveAt(d, i) => {
                let (key, value) = d.borrow_mut().shift_remove_index(i)?;
                Change::DictInsertAt(d, i, key, value)
            }
            Change::DictReplace(d, map) => {
                let old = std::mem::replace(&mut *d.borrow_mut(), map);
                Change::DictReplace(d, old)
            }
            Change::SetPop(s) => {
                let value = s.borrow_mut().pop()?;
                Change::SetPush(s, value)
            }
            Change::SetPush(s, value) => {
                s.borrow_mut().insert(value);
                Change::SetPop(s)
            }
            Change::SetInsertAt(s, i, value) => {
                {
                    let mut m = s.borrow_mut();
                    if i > m.len() {
                        return None;
                    }
                    m.shift_insert(i, value);
                }
                Change::SetRemoveAt(s, i)
            }
            Change::SetRemoveAt(s, i) => {
                let value = s.borrow_mut().shift_remove_index(i)?;
                Change::SetInsertAt(s, i, value)
            }
            Change::SetSwapInsert(s, i, value) => {
                {
                    let mut m = s.borrow_mut();
                    if i > m.len() {
                        return None;
                    }
                    let (last, _) = m.insert_full(value);
                    m.swap_indices(i, last);
                }
                Change::SetSwapRemove(s, i)
            }
            Change::SetSwapRemove(s, i) => {
                let value = s.borrow_mut().swap_remove_index(i)?;
                Change::SetSwapInsert(s, i, value)
            }
            Change::SetTruncate(s, len) => {
                let tail: Vec<Value> = {
                    let mut m = s.borrow_mut();
                    if len > m.len() {
                        return None;
                    }
                    m.drain(len..).collect()
                };
                Change::SetExtend(s, tail)
            }
            Change::SetExtend(s, items) => {
                let len = s.borrow().len();
                s.borrow_mut().extend(items);
                Change::SetTruncate(s, len)
            }
            Change::SetReplace(s, set) => {
                let old = std::mem::replace(&mut *s.borrow_mut(), set);
                Change::SetReplace(s, old)
            }
            Change::Consumed(cell, n) => {
                let old = cell.replace(n);
                Change::Consumed(cell, old)
            }
        })
    }
}

/// A detached transaction's changes, left in place: how to undo them, oldest first.
#[derive(Default)]
pub struct Undo(Vec<Change>);

impl Undo {
    /// Whether it holds no change.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Opens the journal on this thread: from now on every change to a container is recorded.
pub fn open() {
    ENTRIES.with_borrow_mut(Vec::clear);
    OPEN.set(true);
}

/// Closes the journal, keeping every change (and the journal's room for the next transaction).
pub fn commit() {
    OPEN.set(false);
    ENTRIES.with_borrow_mut(Vec::clear);
}

/// Closes the journal and undoes every change recorded since [`open`], newest first.
pub fn rollback() {
    undo(detach());
}

/// Closes the journal and returns its entries, leaving every change in place (the transaction
/// goes on later, after [`attach`], or ends: [`undo`] if it fails, nothing if it commits).
pub fn detach() -> Undo {
    OPEN.set(false);
    Undo(ENTRIES.with_borrow_mut(std::mem::take))
}

/// Opens the journal with a detached transaction's entries: it goes on where it was.
pub fn attach(undo: Undo) {
    ENTRIES.with_borrow_mut(|entries| *entries = undo.0);
    OPEN.set(true);
}

/// Takes a detached transaction's changes back, newest first.
pub fn undo(undo: Undo) {
    for change in undo.0.into_iter().rev() {
        change.apply();
    }
}

fn record(undo: impl FnOnce() -> Change) {
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
        if let Some(Change::ListTruncate(last, _)) = entries.last() {
            if Rc::ptr_eq(last, l) {
                return;
            }
        }
        entries.push(Change::ListTruncate(l.clone(), l.borrow().len()));
    });
}

/// After `l[i]` was replaced; `old` is what it held.
pub(crate) fn list_set(l: &ListCell, i: usize, old: Value) {
    record(|| Change::ListSet(l.clone(), i, old));
}

/// After an item was inserted into `l` at `i`.
pub(crate) fn list_inserted(l: &ListCell, i: usize) {
    record(|| Change::ListRemoveAt(l.clone(), i));
}

/// After `old` was removed from `l` at `i`.
pub(crate) fn list_removed(l: &ListCell, i: usize, old: &Value) {
    record(|| Change::ListInsertAt(l.clone(), i, old.clone()));
}

/// After `l` was reversed.
pub(crate) fn list_reversed(l: &ListCell) {
    record(|| Change::ListReverse(l.clone()));
}

/// After the contents of `l` were replaced; `old` is what it held.
pub(crate) fn list_contents(l: &ListCell, old: Vec<Value>) {
    record(|| Change::ListReplace(l.clone(), old));
}

/// Before a change to `l` that no finer entry describes: keeps a copy of its contents.
pub(crate) fn list_before(l: &ListCell) {
    record(|| Change::ListReplace(l.clone(), l.borrow().clone()));
}

/// After `d.insert_full` put a value at index `i`; `old` is the value it replaced, if any.
pub(crate) fn dict_inserted(d: &DictCell, i: usize, old: Option<Value>) {
    record(|| match old {
        Some(old) => Change::DictSetAt(d.clone(), i, old),
        None => Change::DictPop(d.clone()),
    });
}

/// After `key: value` was removed from `d` at index `i`.
pub(crate) fn dict_removed(d: &DictCell, i: usize, key: &Value, value: &Value) {
    record(|| Change::DictInsertAt(d.clone(), i, key.clone(), value.clone()));
}

/// After the contents of `d` were replaced; `old` is what it held.
pub(crate) fn dict_contents(d: &DictCell, old: DictMap) {
    record(|| Change::DictReplace(d.clone(), old));
}

/// After `s.insert_full` answered `added`.
pub(crate) fn set_inserted(s: &SetCell, added: bool) {
    if added {
        record(|| Change::SetPop(s.clone()));
    }
}

/// After `old` was removed from `s` at index `i`.
pub(crate) fn set_removed(s: &SetCell, i: usize, old: &Value) {
    record(|| Change::SetInsertAt(s.clone(), i, old.clone()));
}

/// After `old` was `swap_remove`d from `s` at index `i` (the last member took its place).
pub(crate) fn set_swap_removed(s: &SetCell, i: usize, old: &Value) {
    record(|| Change::SetSwapInsert(s.clone(), i, old.clone()));
}

/// Before members are added to the end of `s` (`update`, `|=`).
pub(crate) fn set_grows(s: &SetCell) {
    if !OPEN.get() {
        return;
    }
    ENTRIES.with_borrow_mut(|entries| {
        // Additions since the last change recorded only grew the same set: one entry undoes all.
        if let Some(Change::SetTruncate(last, _)) = entries.last() {
            if Rc::ptr_eq(last, s) {
                return;
            }
        }
        entries.push(Change::SetTruncate(s.clone(), s.borrow().len()));
    });
}

/// Whether the newest entry already restores the whole of `s` as it was before it: then a
/// change made since needs no entry of its own (a loop of `s &= t` keeps one copy, not one
/// per pass).
fn replaced_last(s: &SetCell) -> bool {
    ENTRIES.with_borrow(|entries| {
        matches!(entries.last(), Some(Change::SetReplace(last, _)) if Rc::ptr_eq(last, s))
    })
}

/// After the contents of `s` were replaced; `old` is what it held.
pub(crate) fn set_contents(s: &SetCell, old: SetMap) {
    if OPEN.get() && !replaced_last(s) {
        record(|| Change::SetReplace(s.clone(), old));
    }
}

/// After an iterator's consumed count changed from `old`.
pub(crate) fn consumed(cell: &Rc<Cell<usize>>, old: usize) {
    record(|| Change::Consumed(cell.clone(), old));
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
    fn repeated_whole_set_changes_keep_one_copy_and_still_roll_back() {
        let s: SetCell = Rc::new(RefCell::new((0..100).map(Value::Int).collect()));
        let members =
            |s: &SetCell| -> Vec<i64> { s.borrow().iter().filter_map(Value::as_int).collect() };
        open();
        // `s &= t` in a loop: one copy of the set, not one per pass.
        for i in 0..50 {
            let mut next = s.borrow().clone();
            next.shift_remove(&Value::Int(i));
            let old = std::mem::replace(&mut *s.borrow_mut(), next);
            set_contents(&s, old);
        }
        assert_eq!(ENTRIES.with_borrow(Vec::len), 1);
        // `s |= {x}` in a loop: one truncation.
        for i in 0..50 {
            set_grows(&s);
            s.borrow_mut().insert(Value::Int(1000 + i));
        }
        assert_eq!(ENTRIES.with_borrow(Vec::len), 2);
        assert_eq!(members(&s).len(), 100);
        rollback();
        assert_eq!(members(&s), (0..100).collect::<Vec<_>>());
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
    fn a_detached_transaction_goes_on_where_it_was_and_can_still_be_undone() {
        let l = list(&[1, 2]);
        let d: DictCell = Rc::new(RefCell::new(DictMap::default()));
        open();
        list_grows(&l);
        l.borrow_mut().push(Value::Int(3));
        let (i, old) = d.borrow_mut().insert_full(Value::str("k"), Value::Int(1));
        dict_inserted(&d, i, old);
        let detached = detach();
        // Left in place, and no longer recorded.
        assert_eq!(ints(&l), vec![1, 2, 3]);
        list_before(&l);
        attach(detached);
        let removed = l.borrow_mut().remove(0);
        list_removed(&l, 0, &removed);
        assert_eq!(ints(&l), vec![2, 3]);
        undo(detach());
        assert_eq!(ints(&l), vec![1, 2]);
        assert!(d.borrow().is_empty());
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
