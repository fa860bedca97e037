//! The order in which CPython iterates a set.
//!
//! A CPython set is an open-addressing hash table and iterates in slot order. For members whose
//! hash CPython computes the same in every process (ints, bools, floats and tuples of them), that
//! order is part of what a program observes: `list({3, 1, 2})` is `[1, 2, 3]`. Strings, `None` and
//! objects hash differently in every CPython process, so for sets holding them any order is one
//! CPython could have produced, and the runtime keeps insertion order.
//!
//! The runtime stores sets in insertion order ([`SetMap`]) and derives CPython's order when a set
//! is iterated: the members are placed, in insertion order, into a table that grows as CPython's
//! does (`Objects/setobject.c` of CPython 3.11: eight slots, linear probes of nine, the perturbed
//! probe sequence, growth to four times the members when three fifths are filled), starting from
//! the size the set's table keeps at least ([`SetHasher::table_room`]). The table is then kept
//! beside the set ([`SetHasher::layout`]) and changed as CPython changes it by every operation
//! that changes the set ([`adding`], [`discard`], [`pop`], [`merge`], [`growing_by`],
//! [`after_removals`]): a member that leaves makes a dummy slot, which later members may take,
//! copies are sized ahead ([`copy`]), and `difference_update` drops the dummies past a quarter.
//!
//! Snapshots keep the table ([`saved_table`], [`restored`]), so that recovery replays exactly.
//! Where the order can still differ from CPython's: after a rolled-back transaction changed the
//! set (the undo restores the members but not the table, which is then taken again from the
//! members in insertion order).

use crate::value::{SetHasher, SetMap, Value};

/// A set value (shared: what `Value::Set` holds).
pub type SetCell = std::rc::Rc<std::cell::RefCell<SetMap>>;

/// CPython's `_PyHASH_BITS` on 64-bit platforms.
const HASH_BITS: u32 = 61;
/// CPython's `_PyHASH_MODULUS`: the prime 2**61 - 1.
const HASH_MODULUS: u64 = (1 << HASH_BITS) - 1;
/// CPython's hash of `float("inf")`.
const HASH_INF: u64 = 314_159;
/// Consecutive slots a probe looks at before it jumps.
const LINEAR_PROBES: usize = 9;
/// How far the perturbation shifts on every jump.
const PERTURB_SHIFT: u32 = 5;
/// The slots of an empty set.
const MIN_SIZE: usize = 8;

/// `hash(v)` as CPython computes it, for values whose hash is the same in every CPython process
/// (None for strings, `None`, references and anything unhashable).
fn python_hash(v: &Value) -> Option<u64> {
    match v {
        Value::Bool(b) => Some(u64::from(*b)),
        Value::Int(i) => Some(int_hash(*i)),
        Value::Float(f) => float_hash(*f),
        Value::Tuple(items) => tuple_hash(items),
        _ => None,
    }
}

/// CPython's hash of an int: its value modulo 2**61 - 1, with the sign, and -1 made -2.
fn int_hash(i: i64) -> u64 {
    let magnitude = i.unsigned_abs() % HASH_MODULUS;
    let hash = if i < 0 {
        magnitude.wrapping_neg()
    } else {
        magnitude
    };
    minus_one_to_minus_two(hash)
}

/// CPython's `_Py_HashDouble`: equal to the int's hash for integral floats (None for NaN, which
/// CPython hashes by identity).
fn float_hash(f: f64) -> Option<u64> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            HASH_INF
        } else {
            HASH_INF.wrapping_neg()
        });
    }
    let (mut mantissa, mut exponent) = frexp(f.abs());
    let mut x: u64 = 0;
    while mantissa != 0.0 {
        x = ((x << 28) & HASH_MODULUS) | (x >> (HASH_BITS - 28));
        mantissa *= 268_435_456.0;
        exponent -= 28;
        let digit = mantissa as u64;
        mantissa -= digit as f64;
        x += digit;
        if x >= HASH_MODULUS {
            x -= HASH_MODULUS;
        }
    }
    let bits = HASH_BITS as i32;
    let shift = if exponent >= 0 {
        exponent % bits
    } else {
        bits - 1 - ((-1 - exponent) % bits)
    } as u32;
    x = ((x << shift) & HASH_MODULUS) | (x >> (HASH_BITS - shift));
    let hash = if f < 0.0 { x.wrapping_neg() } else { x };
    Some(minus_one_to_minus_two(hash))
}

/// `frexp` of a finite, non-negative float: a mantissa in [0.5, 1) (0 for 0) and the exponent.
fn frexp(f: f64) -> (f64, i32) {
    if f == 0.0 {
        return (0.0, 0);
    }
    let (f, bias) = if f < f64::MIN_POSITIVE {
        (f * 2f64.powi(64), -64)
    } else {
        (f, 0)
    };
    let bits = f.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32 - 1022;
    let mantissa = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (mantissa, exponent + bias)
}

/// CPython's tuple hash (xxHash-based, CPython 3.8 and later).
fn tuple_hash(items: &[Value]) -> Option<u64> {
    const PRIME_1: u64 = 11_400_714_785_074_694_791;
    const PRIME_2: u64 = 14_029_467_366_897_019_727;
    const PRIME_5: u64 = 2_870_177_450_012_600_261;
    let mut acc = PRIME_5;
    for item in items {
        let lane = python_hash(item)?;
        acc = acc.wrapping_add(lane.wrapping_mul(PRIME_2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(PRIME_1);
    }
    acc = acc.wrapping_add(items.len() as u64 ^ (PRIME_5 ^ 3_527_539));
    Some(if acc == u64::MAX { 1_546_275_796 } else { acc })
}

/// CPython never returns -1 from a hash function (it signals an error): -1 becomes -2.
fn minus_one_to_minus_two(hash: u64) -> u64 {
    if hash == u64::MAX {
        u64::MAX - 1
    } else {
        hash
    }
}

/// The positions (in insertion order) of a set's members in the order CPython iterates them, or
/// None when that is insertion order or CPython's order differs from process to process.
fn python_order(set: &SetMap) -> Option<Vec<usize>> {
    if set.len() < 2 {
        return None;
    }
    let cell = set.hasher().layout();
    let kept = cell
        .borrow()
        .as_ref()
        .filter(|layout| layout.used == set.len())
        .and_then(|layout| positions(layout, set));
    let order = match kept {
        Some(order) => order,
        None => {
            // No table kept (or one that missed a change): the one of the members added in order.
            let layout = Layout::of(set)?;
            let order = positions(&layout, set)?;
            *cell.borrow_mut() = Some(Box::new(layout));
            order
        }
    };
    if order.iter().enumerate().all(|(i, &p)| i == p) {
        None
    } else {
        Some(order)
    }
}

/// Where each member of the table is in the set (None when they are not the same members).
fn positions(layout: &Layout, set: &SetMap) -> Option<Vec<usize>> {
    layout.members().map(|v| set.get_index_of(v)).collect()
}

/// A set's members, cloned, in the order CPython iterates them.
pub fn members(set: &SetMap) -> Vec<Value> {
    match python_order(set) {
        Some(order) => order
            .into_iter()
            .filter_map(|p| set.get_index(p).cloned())
            .collect(),
        None => set.iter().cloned().collect(),
    }
}

/// Runs `change` on the table of `set` (taken from its members in insertion order when none is
/// kept); nothing for a set whose order is insertion order (hashes that differ between processes).
fn with_layout(set: &SetMap, change: impl FnOnce(&mut Layout)) {
    let cell = set.hasher().layout();
    let mut kept = cell.borrow_mut();
    if kept.as_ref().is_none_or(|layout| layout.used != set.len()) {
        *kept = Layout::of(set).map(Box::new);
    }
    if let Some(layout) = kept.as_mut() {
        change(layout);
    }
}

/// Before `value` is added to `set` (also when it is a member already).
pub fn adding(set: &SetMap, value: &Value) {
    match python_hash(value) {
        Some(hash) => with_layout(set, |layout| layout.add(hash, value)),
        None => *set.hasher().layout().borrow_mut() = None,
    }
}

/// Before `value` leaves `set` (also when it is not a member): its slot becomes a dummy.
fn removing(set: &SetMap, value: &Value) {
    if let Some(hash) = python_hash(value) {
        with_layout(set, |layout| {
            layout.discard(hash, value);
        });
    }
}

/// Removes `value` from a set being built (not yet seen by anything else) as CPython's
/// `set_discard_key` does; whether it was a member.
pub fn discard_new(set: &mut SetMap, value: &Value) -> bool {
    removing(set, value);
    if has_table_after_removal(set) {
        set.swap_remove(value)
    } else {
        set.shift_remove(value)
    }
}

/// Whether a set whose table just lost a member (not yet taken from the set) keeps its table.
fn has_table_after_removal(set: &SetMap) -> bool {
    set.hasher()
        .layout()
        .borrow()
        .as_ref()
        .is_some_and(|l| l.used + 1 == set.len())
}

/// Removes `value` from the set value `s` as CPython's `set_discard_key` does, journaled;
/// whether it was a member. A set whose order a kept table gives loses it in constant time.
pub fn discard(s: &SetCell, value: &Value) -> bool {
    if !s.borrow().contains(value) {
        return false;
    }
    let index = s.borrow().get_index_of(value);
    removing(&s.borrow(), value);
    if let Some(i) = index {
        remove_at(s, i);
    }
    true
}

/// Takes the member at position `i` out of the set value `s` whose table already lost it,
/// journaled: in constant time when the table gives the order, else keeping insertion order.
fn remove_at(s: &SetCell, i: usize) -> Option<Value> {
    if has_table_after_removal(&s.borrow()) {
        let v = s.borrow_mut().swap_remove_index(i)?;
        crate::journal::set_swap_removed(s, i, &v);
        Some(v)
    } else {
        let v = s.borrow_mut().shift_remove_index(i)?;
        crate::journal::set_removed(s, i, &v);
        Some(v)
    }
}

/// `set.pop()` on the set value `s`, journaled: the member in CPython's first occupied slot
/// from where the last pop stopped (None when empty).
pub fn pop(s: &SetCell) -> Option<Value> {
    if s.borrow().is_empty() {
        return None;
    }
    let mut popped = None;
    with_layout(&s.borrow(), |layout| popped = layout.pop());
    let index = popped.and_then(|v| s.borrow().get_index_of(&v));
    remove_at(s, index.unwrap_or(0))
}

/// Replaces the members of the set value `s` with `members` (a new table, as `clear` and
/// `intersection_update` make), journaled. Where `pop` looks first belongs to the set, not to
/// its table: it is kept.
pub fn replace(s: &SetCell, members: SetMap) {
    let finger = s
        .borrow()
        .hasher()
        .layout()
        .borrow()
        .as_ref()
        .map(|l| l.finger);
    if let Some(finger) = finger {
        with_layout(&members, |layout| layout.finger = finger);
    }
    let old = std::mem::replace(&mut *s.borrow_mut(), members);
    crate::journal::set_contents(s, old);
}

/// After members left `set` by `difference_update` or `-=`: CPython rebuilds the table when
/// dummies fill more than a quarter of it.
pub fn after_removals(set: &SetMap) {
    with_layout(set, |layout| {
        if layout.fill - layout.used > layout.mask() / 4 {
            layout.rebuild();
        }
    });
}

/// Before `more` members (some perhaps already in it) are added to `set` by `update` or `|=`:
/// CPython sizes the table ahead for both when they would fill it.
pub fn growing_by(set: &SetMap, more: usize) {
    with_layout(set, |layout| {
        if (layout.fill + more) * 5 >= layout.mask() * 3 {
            layout.resize((layout.used + more) * 2);
        }
    });
}

/// A new set with the members of `set`, as CPython copies a set (`set(s)`, `s.copy()`, the
/// first step of `s | t`): merged into an empty set.
pub fn copy(set: &SetMap) -> SetMap {
    let mut out = SetMap::default();
    merge(&mut out, set);
    out
}

/// An empty set whose table CPython sizes ahead for `n` members (before copying a set or the
/// keys of a dict into it).
pub fn presized(n: usize) -> SetMap {
    let room = if n * 5 >= (MIN_SIZE - 1) * 3 {
        size_above(n * 2)
    } else {
        0
    };
    SetMap::with_hasher(SetHasher::with_room(room))
}

/// `set_merge`: adds the members of `other` (another set) to `into`. The table first grows to
/// twice both sizes if they would fill it; an empty table of the same size as `other`'s (with
/// no dummies in `other`) becomes a copy of it, another empty one takes `other`'s members in
/// its slot order into their first free slots, and a table with members adds them one by one.
pub fn merge(into: &mut SetMap, other: &SetMap) {
    if other.is_empty() {
        return;
    }
    let order = members(other);
    let kept = other.hasher().layout().borrow();
    let built;
    let source = match kept.as_deref().filter(|l| l.used == other.len()) {
        Some(layout) => Some(layout),
        None => {
            built = Layout::of(other);
            built.as_ref()
        }
    };
    match source {
        Some(source) => with_layout(into, |layout| {
            if (layout.fill + source.used) * 5 >= layout.mask() * 3 {
                layout.resize((layout.used + source.used) * 2);
            }
            if layout.fill == 0 {
                if layout.slots.len() == source.slots.len() && source.fill == source.used {
                    *layout = Layout {
                        finger: layout.finger,
                        ..source.clone()
                    };
                } else {
                    for (hash, value) in source.entries() {
                        layout.insert_clean(hash, value.clone());
                    }
                    layout.fill = source.used;
                    layout.used = source.used;
                }
            } else {
                for (hash, value) in source.entries() {
                    layout.add(hash, value);
                }
            }
        }),
        // Members whose hashes differ between processes: the set's order is insertion order.
        None => *into.hasher().layout().borrow_mut() = None,
    }
    into.extend(order);
}

/// A display of three or more constants, `{1, 2, 3}`: CPython compiles it to a frozenset
/// constant (built member by member, then built again from its own members when the compiler
/// merges constants) that is copied into a new set.
pub fn from_constants(items: Vec<Value>) -> SetMap {
    let frozen = frozenset_constant(items);
    if frozen.len() < 3 {
        return frozen;
    }
    copy(&frozen)
}

/// The frozenset constant CPython's compiler makes of a display of constants: built member by
/// member, then again from its own members when the compiler merges constants.
pub fn frozenset_constant(items: Vec<Value>) -> SetMap {
    let built: SetMap = items.into_iter().collect();
    members(&built).into_iter().collect()
}

/// A set's table as a snapshot keeps it, so that a restored set iterates (and changes) exactly
/// as the original: the table's size (or the room a set without a kept table has), the slot
/// of each member (by its position in insertion order), the dummy slots, and `pop`'s finger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedTable {
    /// Slots of the table (for a set without a kept table: its room, 0 for none).
    pub size: usize,
    /// The slot of each member, in insertion order (empty when no table is kept).
    pub member_slots: Vec<usize>,
    /// The dummy slots.
    pub dummies: Vec<usize>,
    /// Where `pop` looks first.
    pub finger: usize,
    /// The slots the set's table keeps at least when it is taken again from the members (see
    /// [`SetHasher::table_room`]): what the original would use, so that a restored set behaves
    /// as the original also after a change its table missed.
    pub room: usize,
}

/// What a snapshot keeps of `set`'s table; None when nothing beyond its members (a set built
/// member by member, whose table is taken again from them).
pub fn saved_table(set: &SetMap) -> Option<SavedTable> {
    let room = set.hasher().table_room();
    let kept = set.hasher().layout().borrow();
    let table = kept
        .as_ref()
        .filter(|l| l.used == set.len())
        .and_then(|layout| {
            let mut member_slots = vec![usize::MAX; set.len()];
            let mut dummies = Vec::new();
            for (slot, entry) in layout.slots.iter().enumerate() {
                match entry {
                    Slot::Member(_, v) => member_slots[set.get_index_of(v)?] = slot,
                    Slot::Dummy => dummies.push(slot),
                    Slot::Empty => {}
                }
            }
            (!member_slots.contains(&usize::MAX)).then_some(SavedTable {
                size: layout.slots.len(),
                member_slots,
                dummies,
                finger: layout.finger,
                room,
            })
        });
    // Without a table (or with one that missed a change), the room is what decides.
    table.or((room > 0).then(|| SavedTable {
        size: room,
        member_slots: Vec::new(),
        dummies: Vec::new(),
        finger: 0,
        room,
    }))
}

/// A set with `members` (in insertion order) and the table [`saved_table`] kept of it.
pub fn restored(members: Vec<Value>, saved: SavedTable) -> Result<SetMap, String> {
    let bad = || "bad set table".to_string();
    // CPython's table is under eight slots per member or dummy (a larger one is no table of it).
    let most = 16 * (members.len() + saved.dummies.len() + 1);
    if saved.size > most || saved.room > most {
        return Err(bad());
    }
    let mut set = SetMap::with_hasher(SetHasher::with_room(saved.room));
    set.extend(members);
    if saved.member_slots.is_empty() && saved.dummies.is_empty() {
        return Ok(set);
    }
    // CPython's table is never more than three fifths filled (probes end at an empty slot).
    let fill = set.len() + saved.dummies.len();
    if !saved.size.is_power_of_two()
        || saved.size < MIN_SIZE
        || saved.member_slots.len() != set.len()
        || fill * 5 >= (saved.size - 1) * 3
    {
        return Err(bad());
    }
    let mut layout = Layout::new(saved.size);
    for (value, &slot) in set.iter().zip(&saved.member_slots) {
        let hash = python_hash(value).ok_or_else(bad)?;
        match layout.slots.get_mut(slot) {
            Some(entry @ Slot::Empty) => *entry = Slot::Member(hash, value.clone()),
            _ => return Err(bad()),
        }
    }
    for &slot in &saved.dummies {
        match layout.slots.get_mut(slot) {
            Some(entry @ Slot::Empty) => *entry = Slot::Dummy,
            _ => return Err(bad()),
        }
    }
    layout.used = set.len();
    layout.fill = set.len() + saved.dummies.len();
    layout.finger = saved.finger;
    *set.hasher().layout().borrow_mut() = Some(Box::new(layout));
    Ok(set)
}

/// The smallest table size (a power of two, at least eight) above `n`.
fn size_above(n: usize) -> usize {
    let mut size = MIN_SIZE;
    while size <= n {
        size <<= 1;
    }
    size
}

/// One slot of CPython's set table.
#[derive(Clone, Debug)]
enum Slot {
    /// Never used since the table was made.
    Empty,
    /// A member left it (probes go on past it; an insertion may take it).
    Dummy,
    /// A member and its hash.
    Member(u64, Value),
}

/// CPython's table of one set (`Objects/setobject.c`): its slots, `fill` (members and dummies),
/// `used` (members) and the `finger` where `pop` looks first. A set keeps it in its hasher
/// ([`SetHasher::layout`]) while its changes go through this module.
#[derive(Clone, Debug)]
pub struct Layout {
    slots: Vec<Slot>,
    fill: usize,
    used: usize,
    finger: usize,
}

impl Layout {
    fn new(size: usize) -> Layout {
        Layout {
            slots: vec![Slot::Empty; size.max(MIN_SIZE)],
            fill: 0,
            used: 0,
            finger: 0,
        }
    }

    /// The table of `set`'s members added one by one in insertion order to a table of its room;
    /// None when a member's hash differs between CPython processes.
    fn of(set: &SetMap) -> Option<Layout> {
        let mut layout = Layout::new(set.hasher().table_room());
        for v in set {
            layout.add(python_hash(v)?, v);
        }
        Some(layout)
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The members and their hashes in slot order.
    fn entries(&self) -> impl Iterator<Item = (u64, &Value)> {
        self.slots.iter().filter_map(|slot| match slot {
            Slot::Member(hash, v) => Some((*hash, v)),
            _ => None,
        })
    }

    /// The members in slot order.
    fn members(&self) -> impl Iterator<Item = &Value> {
        self.slots.iter().filter_map(|slot| match slot {
            Slot::Member(_, v) => Some(v),
            _ => None,
        })
    }

    /// The slots `set_add_entry` and `set_lookkey` look at, in order, until `stop` says so.
    fn probe(&self, hash: u64, mut stop: impl FnMut(usize, &Slot) -> bool) {
        let mask = self.mask();
        let mut perturb = hash;
        let mut i = (hash as usize) & mask;
        loop {
            let probes = if i + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            for j in i..=i + probes {
                if stop(j, &self.slots[j]) {
                    return;
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
    }

    /// `set_add_entry`: nothing for a member; else the last dummy passed or the empty slot that
    /// ended the probe, and a larger table when three fifths are filled.
    fn add(&mut self, hash: u64, value: &Value) {
        let mut found = None;
        let mut dummy = None;
        self.probe(hash, |j, slot| match slot {
            Slot::Empty => {
                found = Some(j);
                true
            }
            Slot::Member(h, v) => {
                if *h == hash && v == value {
                    found = None;
                    dummy = None;
                    return true;
                }
                false
            }
            Slot::Dummy => {
                dummy = Some(j);
                false
            }
        });
        if let Some(j) = dummy {
            self.slots[j] = Slot::Member(hash, value.clone());
            self.used += 1;
        } else if let Some(j) = found {
            self.slots[j] = Slot::Member(hash, value.clone());
            self.fill += 1;
            self.used += 1;
            if self.fill * 5 >= self.mask() * 3 {
                self.rebuild();
            }
        }
    }

    /// `set_discard_entry`: the member's slot becomes a dummy.
    fn discard(&mut self, hash: u64, value: &Value) -> bool {
        let mut found = None;
        self.probe(hash, |j, slot| match slot {
            Slot::Empty => true,
            Slot::Member(h, v) if *h == hash && v == value => {
                found = Some(j);
                true
            }
            _ => false,
        });
        let Some(j) = found else { return false };
        self.slots[j] = Slot::Dummy;
        self.used -= 1;
        true
    }

    /// `set_pop`: the first member at or after the finger (wrapping around).
    fn pop(&mut self) -> Option<Value> {
        if self.used == 0 {
            return None;
        }
        let mask = self.mask();
        let start = self.finger & mask;
        let i = (0..self.slots.len())
            .map(|k| (start + k) & mask)
            .find(|&j| matches!(self.slots[j], Slot::Member(..)))?;
        let Slot::Member(_, value) = std::mem::replace(&mut self.slots[i], Slot::Dummy) else {
            return None;
        };
        self.used -= 1;
        self.finger = i + 1;
        Some(value)
    }

    /// `set_insert_clean`: the first empty slot of the member's probe sequence (for a member
    /// known to be absent, into a table with room for it).
    fn insert_clean(&mut self, hash: u64, value: Value) {
        let mut free = None;
        self.probe(hash, |j, slot| {
            let empty = matches!(slot, Slot::Empty);
            if empty {
                free = Some(j);
            }
            empty
        });
        if let Some(j) = free {
            self.slots[j] = Slot::Member(hash, value);
        }
    }

    /// The resize CPython makes when the table is filled or holds too many dummies: room for four
    /// times the members (twice, past 50,000).
    fn rebuild(&mut self) {
        let wanted = if self.used > 50_000 {
            self.used * 2
        } else {
            self.used * 4
        };
        self.resize(wanted);
    }

    /// `set_table_resize`: the smallest power of two above `min_used`, members placed in slot
    /// order, dummies dropped.
    fn resize(&mut self, min_used: usize) {
        let old = std::mem::replace(&mut self.slots, vec![Slot::Empty; size_above(min_used)]);
        for slot in old {
            if let Slot::Member(hash, value) = slot {
                self.insert_clean(hash, value);
            }
        }
        self.fill = self.used;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_of(items: &[Value]) -> SetMap {
        items.iter().cloned().collect()
    }

    fn ints(items: &[i64]) -> Vec<Value> {
        items.iter().map(|&i| Value::Int(i)).collect()
    }

    fn as_ints(items: &[Value]) -> Vec<i64> {
        items
            .iter()
            .map(|v| match v {
                Value::Int(i) => *i,
                other => panic!("not an int: {other:?}"),
            })
            .collect()
    }

    // Expected values: `hash(x)` in CPython 3.11, as unsigned 64-bit.
    #[test]
    fn hashes_are_cpythons() {
        assert_eq!(python_hash(&Value::Int(-1)), Some(-2i64 as u64));
        assert_eq!(python_hash(&Value::Int(-2)), Some(-2i64 as u64));
        assert_eq!(python_hash(&Value::Int(1 << 61)), Some(1));
        assert_eq!(python_hash(&Value::Int(i64::MIN)), Some(-4i64 as u64));
        assert_eq!(python_hash(&Value::Float(2.0)), Some(2));
        assert_eq!(
            python_hash(&Value::Float(0.5)),
            Some(1_152_921_504_606_846_976)
        );
        assert_eq!(
            python_hash(&Value::Float(-1.5)),
            Some(-1_152_921_504_606_846_977i64 as u64)
        );
        assert_eq!(python_hash(&Value::Float(f64::INFINITY)), Some(314_159));
        assert_eq!(
            python_hash(&Value::Float(1e-310)),
            Some(615_709_907_932_414_099)
        );
        assert_eq!(python_hash(&Value::Float(f64::NAN)), None);
        assert_eq!(
            python_hash(&Value::tuple(ints(&[1, 2]))),
            Some(-3_550_055_125_485_641_917i64 as u64)
        );
        assert_eq!(
            python_hash(&Value::tuple(vec![])),
            Some(5_740_354_900_026_072_187)
        );
        assert_eq!(python_hash(&Value::str("a")), None);
        assert_eq!(python_hash(&Value::None), None);
    }

    // Expected orders: `list(s)` in CPython 3.11 for `s` built by `add` in the given order.
    #[test]
    fn sets_built_member_by_member_iterate_as_in_cpython() {
        let cases: &[(&[i64], &[i64])] = &[
            (&[3, 1, 2], &[1, 2, 3]),
            (&[10, 3], &[10, 3]),
            (&[16, 1, 2, 3, 4], &[1, 2, 3, 4, 16]),
            (&[-1, -2, 7, 8], &[8, 7, -1, -2]),
            (&[100, 37, 5, 64, 1, 9, 33], &[64, 1, 33, 100, 5, 37, 9]),
        ];
        for (added, expected) in cases {
            let set = set_of(&ints(added));
            assert_eq!(as_ints(&members(&set)), *expected, "adding {added:?}");
        }
    }

    // Expected: CPython 3.11, `s = set(range(12)); s.discard(1); s.discard(9); s.add(33);
    // s.add(41); s.pop(); list(s)` is [2, 3, 4, 5, 6, 7, 8, 33, 10, 11, 41] (0 popped): the new
    // members take the dummy slots.
    #[test]
    fn a_table_with_dummies_survives_a_snapshot() {
        let cell: SetCell = std::rc::Rc::new(std::cell::RefCell::new(SetMap::default()));
        let add = |x: i64| {
            adding(&cell.borrow(), &Value::Int(x));
            cell.borrow_mut().insert(Value::Int(x));
        };
        (0..12).for_each(add);
        for gone in [1, 9] {
            assert!(discard(&cell, &Value::Int(gone)));
        }
        [33, 41].into_iter().for_each(add);
        assert_eq!(pop(&cell), Some(Value::Int(0)));
        let expected = [2, 3, 4, 5, 6, 7, 8, 33, 10, 11, 41];
        assert_eq!(as_ints(&members(&cell.borrow())), expected);
        let saved = saved_table(&cell.borrow()).expect("a kept table");
        let members_stored: Vec<Value> = cell.borrow().iter().cloned().collect();
        let restored = std::rc::Rc::new(std::cell::RefCell::new(
            restored(members_stored, saved).expect("restores"),
        ));
        assert_eq!(as_ints(&members(&restored.borrow())), expected);
        // The restored table goes on as the original: the next pop takes the same member.
        assert_eq!(pop(&restored), pop(&cell));
    }

    #[test]
    fn a_saved_table_too_full_to_probe_is_refused() {
        let saved = SavedTable {
            size: 8,
            member_slots: vec![0, 1],
            dummies: vec![2, 3, 4, 5, 6, 7],
            finger: 0,
            room: 0,
        };
        assert!(restored(vec![Value::Int(8), Value::Int(1)], saved).is_err());
    }

    #[test]
    fn a_saved_table_too_large_for_its_members_is_refused() {
        let saved = SavedTable {
            size: 1 << 40,
            member_slots: Vec::new(),
            dummies: Vec::new(),
            finger: 0,
            room: 1 << 40,
        };
        assert!(restored(vec![Value::Int(1)], saved).is_err());
    }

    #[test]
    fn sets_of_strings_keep_insertion_order() {
        let set = set_of(&[Value::str("b"), Value::str("a"), Value::Int(0)]);
        assert_eq!(python_order(&set), None);
        assert_eq!(members(&set).len(), 3);
    }
}
