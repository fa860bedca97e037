"""The @entity decorator and the Ref class."""

from __future__ import annotations

import copy
import pickle

import pytest

import entiflow
from entiflow import Ref, entity, ref_json, ref_key, ref_type


def test_entity_returns_the_class_with_a_marker() -> None:
    class Thing:
        def __key__(self) -> str:
            return "t"

    result = entity(Thing)
    assert result is Thing
    assert Thing.__entiflow_entity__ is True
    assert entiflow.is_entity_class(Thing)


def test_subclass_of_entity_is_not_an_entity() -> None:
    @entity
    class Base:
        pass

    class Child(Base):
        pass

    assert entiflow.is_entity_class(Base)
    assert not entiflow.is_entity_class(Child)
    assert not entiflow.is_entity_class(Base())


def test_entity_rejects_non_classes() -> None:
    with pytest.raises(TypeError):
        entity(lambda: None)  # type: ignore[type-var]


def test_ref_identity_and_hash() -> None:
    a, b = Ref("Item", 5), Ref("Item", "5")
    assert a == b and hash(a) == hash(b)
    assert a != Ref("User", 5)
    assert a != Ref("Item", "6")
    assert len({a, b, Ref("Item", "x")}) == 2
    assert ref_type(a) == "Item" and ref_key(a) == 5 and ref_key(b) == "5"
    assert ref_json(a) == {"$entity": "Item", "key": 5}
    assert (a == "Item") is False


def test_ref_repr() -> None:
    assert repr(Ref("Item", "apple")) == "Ref('Item', 'apple')"
    assert repr(Ref("Item", 7)) == "Ref('Item', 7)"


@pytest.mark.parametrize("key", [True, 1.5, None, ("a",)])
def test_ref_rejects_bad_keys(key: object) -> None:
    with pytest.raises(TypeError):
        Ref("Item", key)  # type: ignore[arg-type]


def test_ref_is_immutable_and_copies_to_itself() -> None:
    ref = Ref("Item", "apple")
    with pytest.raises(AttributeError):
        ref.price = 3
    with pytest.raises(AttributeError):
        del ref.price
    assert copy.copy(ref) is ref
    data = {"refs": [ref, ref]}
    assert copy.deepcopy(data)["refs"][0] is ref
    assert pickle.loads(pickle.dumps(ref)) == ref


def test_unbound_ref_cannot_be_used() -> None:
    ref = Ref("Item", "apple")
    with pytest.raises(AttributeError, match="not bound"):
        ref.price
    assert not hasattr(ref, "__html__")
    assert isinstance(ref, Ref)
