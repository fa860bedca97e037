"""The JSON value encoding shared by results, state dumps and the client."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from entiflow import Ref
from entiflow._codec import decode_value, encode_dump, encode_key, encode_value, sort_encoded


@pytest.mark.parametrize(
    "key",
    ["s", "", 1, -7, 10**20, True, False, None, 1.5, 0.1, 1e100, -0.0, math.inf, -math.inf],
)
def test_encode_key_matches_json_dumps(key: Any) -> None:
    expected = next(iter(json.loads(json.dumps({key: 0}))))
    assert encode_key(key) == expected


def test_encode_key_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="keys must be"):
        encode_key((1, 2))
    with pytest.raises(TypeError):
        encode_key(Ref("Item", "x"))


def test_scalars_and_containers() -> None:
    assert encode_value(None) is None
    assert encode_value(True) is True
    assert encode_value(3) == 3
    assert encode_value(2.5) == 2.5
    assert encode_value("é") == "é"
    assert encode_value((1, [2, (3,)])) == [1, [2, [3]]]
    assert encode_value({"a": {1: [True]}}) == {"a": {"1": [True]}}
    assert encode_value(Ref("Item", 5)) == {"$entity": "Item", "key": 5}


def test_dict_key_conversion_keeps_order_and_collisions_like_json() -> None:
    value = {2: "a", "x": "b", None: "c"}
    assert list(encode_value(value)) == ["2", "x", "null"]
    assert encode_value({1: "int", "1": "str"}) == json.loads(json.dumps({1: "int", "1": "str"}))


def test_sets_are_sorted() -> None:
    assert encode_value({"pear", "apple", "fig"}) == ["apple", "fig", "pear"]
    assert encode_value(frozenset({3, -1, 2.5})) == [-1, 2.5, 3]
    assert encode_value({(2, 1), (1, 2)}) == [[1, 2], [2, 1]]


def test_mixed_sets_use_rank_then_json_text() -> None:
    assert encode_value({"a", 1, None, False, (1,)}) == [None, False, 1, "a", [1]]
    refs = {Ref("User", "b"), Ref("Item", "z"), Ref("User", "a")}
    assert encode_value(refs) == [
        {"$entity": "Item", "key": "z"},
        {"$entity": "User", "key": "a"},
        {"$entity": "User", "key": "b"},
    ]
    assert sort_encoded([{"b": 1}, {"a": 2}]) == [{"a": 2}, {"b": 1}]


@pytest.mark.parametrize("value", [math.nan, math.inf, [1, -math.inf]])
def test_non_finite_floats_are_rejected(value: Any) -> None:
    with pytest.raises(TypeError, match="non-finite"):
        encode_value(value)


def test_unencodable_values() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        encode_value(object())
    with pytest.raises(TypeError):
        encode_value(b"bytes")


def test_cycles_are_detected_but_sharing_is_fine() -> None:
    shared = [1]
    assert encode_value([shared, shared]) == [[1], [1]]
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular"):
        encode_value(loop)


def test_entity_hook() -> None:
    class Thing:
        pass

    thing = Thing()
    encoded = encode_value([thing], lambda v: Ref("Thing", "t") if v is thing else None)
    assert encoded == [{"$entity": "Thing", "key": "t"}]
    with pytest.raises(TypeError):
        encode_value([Thing()], lambda v: None)


def test_decode_value() -> None:
    def make(t: Any, k: Any) -> Ref:
        return Ref(t, k)

    decoded = decode_value({"a": [{"$entity": "Item", "key": 1}], "b": {"c": None}}, make)
    assert decoded == {"a": [Ref("Item", 1)], "b": {"c": None}}
    with pytest.raises(ValueError, match="unexpected members"):
        decode_value([{"$entity": "Item", "key": 1, "x": 0}], make)


def test_encode_dump_shows_what_json_cannot_hold_by_its_repr() -> None:
    loop: list[object] = []
    loop.append(loop)
    ref = Ref("Node", "a")
    assert encode_dump({"best": 1.5, "tags": ["x"]}) == {"best": 1.5, "tags": ["x"]}
    assert encode_dump(float("inf")) == "inf"
    assert encode_dump([1, float("nan"), (2, "x")]) == [1, "nan", [2, "x"]]
    assert encode_dump({(1, "a"): 2, ref: "r"}) == {"(1, 'a')": 2, "Ref('Node', 'a')": "r"}
    assert encode_dump(loop) == "[[...]]"
    assert encode_dump({"ok": 1, "bad": loop}) == "{'ok': 1, 'bad': [[...]]}"
