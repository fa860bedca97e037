"""Conversion between Python values and their JSON form.

This is the value encoding shared by results, state dumps and the HTTP client:

* ``None``, ``bool``, ``int``, ``str`` stay as they are; a ``float`` stays a
  float and must be finite;
* ``list`` and ``tuple`` become arrays;
* ``dict`` becomes an object whose keys are converted like :func:`json.dumps`
  does (``1`` -> ``"1"``, ``True`` -> ``"true"``, ``None`` -> ``"null"``,
  ``1.5`` -> ``"1.5"``);
* ``set`` and ``frozenset`` become sorted arrays (see :func:`sort_encoded`);
* a :class:`~entiflow.Ref` becomes ``{"$entity": T, "key": K}``.

Anything else raises :class:`TypeError`; a container that contains itself
raises :class:`ValueError`.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any, Callable, Optional

from ._ref import Ref, ref_json

__all__ = [
    "ENTITY_TAG",
    "MAX_JSON_DEPTH",
    "decode_value",
    "dumps_compact",
    "encode_dump",
    "encode_key",
    "encode_value",
    "room_for_depth",
    "sort_encoded",
]

#: The member that marks a JSON object as an entity reference.
ENTITY_TAG = "$entity"

#: Returns the reference for an object that stands for an entity, or None.
EntityHook = Callable[[object], Optional[Ref]]

_RANKS = {type(None): 0, bool: 1, int: 2, float: 2, str: 3, list: 4, dict: 5}


def dumps_compact(value: Any) -> str:
    """Serialize an already encoded value as compact JSON (one line)."""
    return json.dumps(value, separators=(",", ":"))


def encode_key(key: object) -> str:
    """Convert a dict key to a JSON object member name, as :func:`json.dumps` does."""
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        if math.isnan(key):
            return "NaN"
        if math.isinf(key):
            return "Infinity" if key > 0 else "-Infinity"
        return float.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _canonical(value: Any) -> tuple[int, str]:
    return (_RANKS.get(type(value), 6), json.dumps(value, sort_keys=True, separators=(",", ":")))


def sort_encoded(items: list[Any]) -> list[Any]:
    """Sort the encoded elements of a set deterministically.

    Elements are sorted with Python's ordering when they are mutually
    comparable (numbers, strings, arrays of those).  Otherwise (mixed types,
    objects such as references) they are sorted by ``(rank, text)`` where rank
    orders null < bool < number < string < array < object and text is the
    compact JSON with sorted keys.
    """
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=_canonical)


def encode_value(value: Any, entity_hook: EntityHook | None = None) -> Any:
    """Return the JSON form of ``value`` (see the module docstring).

    ``entity_hook`` maps objects that are not plain data (such as entity
    objects) to a :class:`Ref`; objects it maps to None are not encodable.
    """
    with room_for_depth():
        return _encode(value, entity_hook, set(), 0)


#: How deep a value's JSON may nest, as entiflow (and CPython's ``json``, about) allow.
MAX_JSON_DEPTH = 1000


class room_for_depth:
    """Let the code inside recurse through a value :data:`MAX_JSON_DEPTH` levels deep.

    Walking a value takes a few Python frames per level, more than CPython's default
    recursion limit leaves for a value entiflow accepts; the limit is raised for the walk
    alone (by a fixed margin above the current limit, which the caller's own depth is
    within), so a method's own recursion keeps CPython's. Cheap enough to wrap every copy.
    """

    __slots__ = ("_limit",)

    def __enter__(self) -> None:
        self._limit = sys.getrecursionlimit()
        sys.setrecursionlimit(self._limit + 4 * MAX_JSON_DEPTH + 100)

    def __exit__(self, *exc: object) -> None:
        sys.setrecursionlimit(self._limit)


def _encode(value: Any, hook: EntityHook | None, active: set[int], depth: int) -> Any:
    if depth > MAX_JSON_DEPTH:
        raise RecursionError("maximum recursion depth exceeded while encoding a JSON object")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"cannot encode the non-finite float {value!r}")
        return float(value)
    if isinstance(value, Ref):
        return ref_json(value)
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        marker = id(value)
        if marker in active:
            raise ValueError("Circular reference detected")
        active.add(marker)
        try:
            if isinstance(value, dict):
                return {encode_key(k): _encode(v, hook, active, depth + 1) for k, v in value.items()}
            if isinstance(value, (set, frozenset)):
                return sort_encoded([_encode(v, hook, active, depth + 1) for v in value])
            return [_encode(v, hook, active, depth + 1) for v in value]
        finally:
            active.discard(marker)
    if hook is not None:
        ref = hook(value)
        if ref is not None:
            return ref_json(ref)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def encode_dump(value: Any, entity_hook: EntityHook | None = None) -> Any:
    """Return the state-dump form of ``value``: :func:`encode_value`'s where it has one.

    What JSON cannot hold appears as its ``repr``, as in entiflow's dumps: a
    non-finite float (``"inf"``), a tuple or reference used as a dict key
    (``"(1, 'a')"``), a container that contains itself (``"[[...]]"``).
    """
    with room_for_depth():
        return _encode_dump(value, entity_hook)


def _encode_dump(value: Any, entity_hook: EntityHook | None) -> Any:
    try:
        return encode_value(value, entity_hook)
    except RecursionError:
        # Deeper than JSON may nest: the repr, as for a value that contains itself.
        return repr(value)
    except (TypeError, ValueError):
        pass
    if _is_cyclic(value, set()):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return [_encode_dump(v, entity_hook) for v in value]
    if isinstance(value, dict):
        return {_dump_key(k, entity_hook): _encode_dump(v, entity_hook) for k, v in value.items()}
    # An iterator's repr without its address (``<zip object>``), as entiflow writes it.
    return _ADDRESS.sub(">", repr(value))


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>$")


def _dump_key(key: object, hook: EntityHook | None) -> str:
    try:
        return encode_key(key)
    except TypeError:
        ref = key if isinstance(key, Ref) else (hook(key) if hook is not None else None)
        return repr(ref if ref is not None else key)


def _is_cyclic(value: Any, active: set[int]) -> bool:
    if not isinstance(value, (list, tuple, dict, set, frozenset)):
        return False
    if id(value) in active:
        return True
    active.add(id(value))
    try:
        items = list(value.keys()) + list(value.values()) if isinstance(value, dict) else value
        return any(_is_cyclic(v, active) for v in items)
    finally:
        active.discard(id(value))


def decode_value(value: Any, make_ref: Callable[[Any, Any], Ref]) -> Any:
    """Turn a JSON value into Python, building references with ``make_ref``.

    Every object with a ``"$entity"`` member, at any depth, is passed to
    ``make_ref(entity_type, key)`` with its members (``make_ref`` validates
    them; a missing ``key`` is passed as ``None``).  An object with other
    members besides ``"$entity"`` and ``"key"`` raises :class:`ValueError`.
    """
    with room_for_depth():
        return _decode(value, make_ref)


def _decode(value: Any, make_ref: Callable[[Any, Any], Ref]) -> Any:
    if isinstance(value, list):
        return [_decode(v, make_ref) for v in value]
    if isinstance(value, dict):
        if ENTITY_TAG in value:
            extra = set(value) - {ENTITY_TAG, "key"}
            if extra:
                raise ValueError(f"entity reference has unexpected members: {', '.join(sorted(extra))}")
            return make_ref(value[ENTITY_TAG], value.get("key"))
        return {k: _decode(v, make_ref) for k, v in value.items()}
    return value
