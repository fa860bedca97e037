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
//! the size the set's table keeps at least ([`SetHasher::table_room`]): CPython sizes a copy
//! ahead, and a table never shrinks when members leave. The operations that build sets tell this
//! module what CPython would do ([`copy`], [`merge`], [`losing_members`], [`growing_by`]).
//!
//! This is CPython's order for sets that never lost a member: built member by member (displays,
//! comprehensions, `set(list)`, `add`), copies, unions, intersections. After members left a set,
//! members that collided in its table may come in another order than in CPython: the emptied
//! slots, which CPython keeps and counts, are not modelled (nor is a table that a rolled-back
//! transaction had grown).

use crate::value::{SetHasher, SetMap, Value};

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
pub fn python_hash(v: &Value) -> Option<u64> {
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
pub fn python_order(set: &SetMap) -> Option<Vec<usize>> {
    if set.len() < 2 {
        return None;
    }
    let hashes: Vec<u64> = set.iter().map(python_hash).collect::<Option<_>>()?;
    let mut table = Table::new(set.hasher().table_room());
    for (position, hash) in hashes.iter().enumerate() {
        table.add(*hash, position);
    }
    let order: Vec<usize> = table.slots.iter().flatten().map(|&(_, p)| p).collect();
    if order.iter().enumerate().all(|(i, &p)| i == p) {
        None
    } else {
        Some(order)
    }
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

/// A new set with the members of `set` as CPython copies a set (`set(s)`, `s.copy()`, the
/// first step of `s | t`): into a table sized ahead for twice the members, in iteration order.
pub fn copy(set: &SetMap) -> SetMap {
    let out = presized(set.len());
    // A table of the same size is copied slot by slot: the copy keeps the layout.
    if table_size(0, out.hasher().table_room()) == table_size(set.len(), set.hasher().table_room())
    {
        return set.clone();
    }
    let mut out = out;
    out.extend(members(set));
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

/// `so - other` as CPython builds it: a copy that loses the common members when `so` is much
/// larger than `other` (or `other` is not a set), else the members of `so` not in `other` added
/// one by one to a new set.
pub fn difference(so: &SetMap, other: &SetMap, other_is_set: bool) -> SetMap {
    if !other_is_set || so.len() / 4 > other.len() {
        let mut out = copy(so);
        if out.iter().any(|x| other.contains(x)) {
            losing_members(&out);
            out.retain(|x| !other.contains(x));
        }
        out
    } else {
        members(so)
            .into_iter()
            .filter(|x| !other.contains(x))
            .collect()
    }
}

/// `so ^ other` as CPython builds it: a copy of `other` (`other_set`: a set, sized ahead; else
/// built member by member) that loses the members of `so` it has and gains the others.
pub fn symmetric_difference(so: &SetMap, other: &SetMap, other_is_set: bool) -> SetMap {
    let mut out = if other_is_set {
        copy(other)
    } else {
        other.clone()
    };
    for x in members(so) {
        if out.contains(&x) {
            losing_members(&out);
            out.shift_remove(&x);
        } else {
            out.insert(x);
        }
    }
    out
}

/// Adds the members of `other` to a set being built (not yet seen by anything else) as CPython's
/// `set_merge` does: the table first grows to twice both sizes if they would fill it.
pub fn merge(into: &mut SetMap, other: &SetMap) {
    let size = table_size(into.len(), into.hasher().table_room());
    if (into.len() + other.len()) * 5 >= (size - 1) * 3 {
        let room = size_above((into.len() + other.len()) * 2);
        let mut grown = SetMap::with_hasher(SetHasher::with_room(room));
        grown.extend(members(into));
        *into = grown;
    }
    into.extend(members(other));
}

/// Before members leave `set`: its table keeps the size it has (CPython leaves emptied slots).
pub fn losing_members(set: &SetMap) {
    let hasher = set.hasher();
    hasher.keep_room(table_size(set.len(), hasher.table_room()));
}

/// Before `more` members (some perhaps already in it) are added to `set` in place by `update` or
/// `|=`: CPython sizes the table ahead for both when they would fill it.
pub fn growing_by(set: &SetMap, more: usize) {
    let hasher = set.hasher();
    let size = table_size(set.len(), hasher.table_room());
    if (set.len() + more) * 5 >= (size - 1) * 3 {
        hasher.keep_room(size_above((set.len() + more) * 2));
    }
}

/// A display of three or more constants, `{1, 2, 3}`: CPython compiles it to a frozenset
/// constant (built member by member, then built again from its own members when the compiler
/// merges constants) that is copied into a new set.
pub fn from_constants(items: Vec<Value>) -> SetMap {
    let built: SetMap = items.into_iter().collect();
    if built.len() < 3 {
        return built;
    }
    let frozen: SetMap = members(&built).into_iter().collect();
    copy(&frozen)
}

/// The smallest table size (a power of two, at least eight) above `n`.
fn size_above(n: usize) -> usize {
    let mut size = MIN_SIZE;
    while size <= n {
        size <<= 1;
    }
    size
}

/// The size of CPython's table after `len` members were added one by one to a table of at least
/// `room` slots.
fn table_size(len: usize, room: usize) -> usize {
    let mut size = room.max(MIN_SIZE);
    loop {
        // The table grows when the member that fills three fifths of it goes in.
        let filling = ((size - 1) * 3).div_ceil(5);
        if len < filling {
            return size;
        }
        size = size_above(if filling > 50_000 {
            filling * 2
        } else {
            filling * 4
        });
    }
}

/// CPython's set table, holding (hash, position) pairs of distinct members.
struct Table {
    slots: Vec<Option<(u64, usize)>>,
    filled: usize,
}

impl Table {
    fn new(room: usize) -> Table {
        Table {
            slots: vec![None; room.max(MIN_SIZE)],
            filled: 0,
        }
    }

    /// `set_add_entry` for a member not yet in the table.
    fn add(&mut self, hash: u64, position: usize) {
        place(&mut self.slots, hash, position);
        self.filled += 1;
        let mask = self.slots.len() - 1;
        if self.filled * 5 >= mask * 3 {
            let wanted = if self.filled > 50_000 {
                self.filled * 2
            } else {
                self.filled * 4
            };
            self.resize(wanted);
        }
    }

    /// `set_table_resize`: the smallest power of two above `min_used`, filled in slot order.
    fn resize(&mut self, min_used: usize) {
        let old = std::mem::replace(&mut self.slots, vec![None; size_above(min_used)]);
        for (hash, position) in old.into_iter().flatten() {
            place(&mut self.slots, hash, position);
        }
    }
}

/// `set_insert_clean`: the first free slot of the member's probe sequence.
fn place(slots: &mut [Option<(u64, usize)>], hash: u64, position: usize) {
    let mask = slots.len() - 1;
    let mut perturb = hash;
    let mut i = (hash as usize) & mask;
    loop {
        let probes = if i + LINEAR_PROBES <= mask {
            LINEAR_PROBES
        } else {
            0
        };
        if let Some(free) = (i..=i + probes).find(|&j| slots[j].is_none()) {
            slots[free] = Some((hash, position));
            return;
        }
        perturb >>= PERTURB_SHIFT;
        i = (i
            .wrapping_mul(5)
            .wrapping_add(1)
            .wrapping_add(perturb as usize))
            & mask;
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

    #[test]
    fn sets_of_strings_keep_insertion_order() {
        let set = set_of(&[Value::str("b"), Value::str("a"), Value::Int(0)]);
        assert_eq!(python_order(&set), None);
        assert_eq!(members(&set).len(), 3);
    }
}
