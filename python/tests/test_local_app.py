"""LocalApp: transactions, sequence numbers, references and value semantics."""

from __future__ import annotations

import itertools
import json
import types
from pathlib import Path
from typing import Any

import pytest

from entiflow import Ref
from entiflow.errors import EntityExists, EntityNotFound, InvalidRequest
from entiflow.testing import LocalApp, load_module

from conftest import APPS


# Every invocation gets its own id unless a test passes one (a repeated id is answered from
# the recorded results).
_ids = itertools.count(1)


def call(app: LocalApp, entity: str, key: Any, method: str, *args: Any, id: Any = None, **kwargs: Any) -> dict:
    if id is None:
        id = f"r{next(_ids)}"
    invocation: dict[str, Any] = {"id": id, "entity": entity, "key": key, "method": method, "args": list(args)}
    if kwargs:
        invocation["kwargs"] = kwargs
    return app.invoke(invocation)


def create(app: LocalApp, entity: str, *args: Any, id: Any = None, **kwargs: Any) -> dict:
    if id is None:
        id = f"c{next(_ids)}"
    invocation: dict[str, Any] = {"id": id, "create": entity, "args": list(args)}
    if kwargs:
        invocation["kwargs"] = kwargs
    return app.invoke(invocation)


def node(key: str) -> dict:
    return {"$entity": "Node", "key": key}


# ------------------------------------------------------------------ loading


def test_finds_entities_in_definition_order_and_exceptions(edge: LocalApp) -> None:
    assert list(edge.entity_types) == ["Node", "Store", "Counter", "BadKey", "Empty"]
    assert list(edge.exception_types) == ["Boom"]
    assert edge.dump_state() == {"Node": {}, "Store": {}, "Counter": {}, "BadKey": {}, "Empty": {}}


def test_accepts_module_objects_and_paths() -> None:
    module = load_module(APPS / "edge_app.py")
    assert isinstance(module, types.ModuleType)
    app1 = LocalApp(module)
    app2 = LocalApp(str(APPS / "edge_app.py"))
    app1.create("Empty", "x")
    assert app2.dump_state()["Empty"] == {}
    # Two loads of one file are independent modules.
    assert app2.module is not module
    assert app2.entity_types["Node"] is not app1.entity_types["Node"]


def test_missing_file() -> None:
    with pytest.raises(FileNotFoundError):
        LocalApp(APPS / "nope.py")


def test_entity_without_key_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "nokey.py"
    path.write_text("from entiflow import entity\n\n@entity\nclass A:\n    pass\n")
    with pytest.raises(TypeError, match="__key__"):
        LocalApp(path)


def test_a_static_method_is_called_like_a_method(tmp_path: Path) -> None:
    path = tmp_path / "static.py"
    path.write_text(
        "from entiflow import entity\n\n@entity\nclass A:\n"
        "    def __init__(self, k: str):\n        self.k = k\n"
        "    def __key__(self):\n        return self.k\n"
        "    @staticmethod\n    def fee(x: int) -> int:\n        return x // 10\n"
        "    def twice(self, x: int) -> int:\n        return self.fee(x) + A.fee(x)\n"
    )
    app = LocalApp(path)
    a = app.create("A", "a")
    assert a.fee(50) == 5
    assert a.twice(50) == 10
    assert call(app, "A", "a", "fee", 70)["result"] == 7


# ------------------------------------------------------------ sequence numbers


def test_result_shape_and_seq_numbering(edge: LocalApp) -> None:
    first = create(edge, "Node", "a", id=1)
    assert first == {"id": 1, "seq": 1, "result": {"$entity": "Node", "key": "a"}}
    assert list(first) == ["id", "seq", "result"]
    invalid = call(edge, "Node", "a", "nope", id=2)
    assert "seq" not in invalid and list(invalid) == ["id", "error"]
    failed = call(edge, "Node", "a", "fail_after_write", id=3)
    assert failed == {"id": 3, "seq": 2, "error": {"type": "Boom", "message": "after write"}}
    assert list(failed) == ["id", "seq", "error"]
    missing = call(edge, "Node", "zz", "record", "x", id=4)
    assert missing["seq"] == 3
    exists = create(edge, "Node", "a", id=5)
    assert exists["seq"] == 4
    assert edge.invoke_json("{bad")["error"]["type"] == "InvalidRequest"
    assert call(edge, "Node", "a", "record", "ok", id=6) == {"id": 6, "seq": 5, "result": 1}
    assert edge.seq == 5


def test_pythonic_calls_share_the_sequence(edge: LocalApp) -> None:
    edge.create("Node", "a")
    edge.ref("Node", "a").record("x")
    with pytest.raises(InvalidRequest):
        edge.ref("Node", "a").nope()
    assert call(edge, "Node", "a", "record", "y")["seq"] == 3


# ------------------------------------------------------------ create / exists


def test_create_with_kwargs_and_int_keys(edge: LocalApp) -> None:
    assert create(edge, "Counter", number=5)["result"] == {"$entity": "Counter", "key": 5}
    assert call(edge, "Counter", "5", "bump")["result"] == 1
    assert call(edge, "Counter", 5, "bump", by=4)["result"] == 5
    assert create(edge, "Counter", "5")["error"] == {
        "type": "EntityExists",
        "message": "Counter '5' already exists",
    }
    assert create(edge, "Counter", 5)["error"]["message"] == "Counter 5 already exists"
    assert edge.dump_state()["Counter"] == {"5": {"number": 5, "count": 5}}
    assert edge.state("Counter", "5") == edge.state("Counter", 5)


def test_entity_exists_rolls_back_constructor_side_effects(edge: LocalApp) -> None:
    create(edge, "Node", "log")
    assert create(edge, "Node", "a", None, node("log"))["seq"] == 2
    assert edge.state("Node", "log")["log"] == ["created a"]
    result = create(edge, "Node", "a", None, node("log"))
    assert result["error"]["type"] == "EntityExists"
    assert edge.state("Node", "log")["log"] == ["created a"]
    with pytest.raises(EntityExists, match="Node 'a' already exists"):
        edge.create("Node", "a")


def test_constructor_calling_a_missing_entity(edge: LocalApp) -> None:
    result = create(edge, "Node", "a", None, node("ghost"))
    assert result["error"] == {"type": "EntityNotFound", "message": "Node 'ghost' does not exist"}
    assert edge.dump_state()["Node"] == {}


def test_bad_key_type_fails_the_create(edge: LocalApp) -> None:
    result = create(edge, "BadKey", 1.5)
    assert result["seq"] == 1 and result["error"]["type"] == "TypeError"
    assert create(edge, "BadKey", True)["error"]["type"] == "TypeError"
    assert create(edge, "BadKey", [1])["error"]["type"] == "TypeError"
    assert edge.dump_state()["BadKey"] == {}


def test_constructor_error(edge: LocalApp) -> None:
    result = create(edge, "Node")
    assert result["error"]["type"] == "TypeError"
    assert "missing 1 required positional argument: 'name'" in result["error"]["message"]
    assert result["seq"] == 1


# ----------------------------------------------------------------- rollback


def test_rollback_across_a_chain_with_a_cycle(edge: LocalApp) -> None:
    for name in "abc":
        edge.create("Node", name)
    a, b, c = (edge.ref("Node", n) for n in "abc")
    a.set_next(b)
    b.set_next(c)
    c.set_next(a)
    before = edge.dump_state()
    # a -> b -> c -> a -> b, failing at depth 4 (b, the second time)
    result = call(edge, "Node", "a", "visit", 0, 4)
    assert result["error"] == {"type": "Boom", "message": "failed at b depth 4"}
    assert edge.dump_state() == before
    # Without failure, the re-entered entities saw their own earlier writes.
    assert a.visit(0, -1, 4) == ["a", "b", "c", "a", "b"]
    state = edge.dump_state()["Node"]
    assert state["a"]["visits"] == 2 and state["a"]["log"] == [0, 3]
    assert state["b"]["log"] == [1, 4]
    assert state["c"]["log"] == [2]


def test_exception_caught_in_user_code_keeps_writes(edge: LocalApp) -> None:
    edge.create("Node", "a")
    edge.create("Node", "b")
    edge.ref("Node", "a").set_next(edge.ref("Node", "b"))
    assert call(edge, "Node", "a", "visit_catching", 0)["result"] == "caught"
    state = edge.dump_state()["Node"]
    assert state["a"]["log"] == ["before", "failed at b depth 0"]
    assert state["b"]["visits"] == 1 and state["b"]["log"] == [0]
    assert call(edge, "Node", "b", "catch_own_error")["result"] == 2
    assert edge.state("Node", "b")["log"] == [0, "written"]


def test_failed_call_restores_field_order_and_values(edge: LocalApp) -> None:
    edge.create("Store", "s")
    edge.ref("Store", "s").add([1, 2])
    before = json.dumps(edge.dump_state())
    assert call(edge, "Store", "s", "nan")["error"]["type"] == "TypeError"
    assert json.dumps(edge.dump_state()) == before


def test_unencodable_results_abort(edge: LocalApp) -> None:
    edge.create("Store", "s")
    before = edge.dump_state()
    for method in ("nan", "unencodable", "tuple_key"):
        result = call(edge, "Store", "s", method)
        assert result["error"]["type"] == "TypeError", method
    assert edge.dump_state() == before


def test_recursion_error_is_a_normal_failure(edge: LocalApp) -> None:
    edge.create("Node", "a")
    edge.ref("Node", "a").set_next(edge.ref("Node", "a"))
    result = call(edge, "Node", "a", "recurse", 0)
    assert result["error"]["type"] == "RecursionError"
    assert edge.state("Node", "a")["visits"] == 0
    assert call(edge, "Node", "a", "record", "still works")["result"] == 1


# --------------------------------------------------------- EntityNotFound


def test_top_level_call_on_missing_key(edge: LocalApp) -> None:
    result = call(edge, "Node", "pear", "record", "x", id="x")
    assert result == {
        "id": "x",
        "seq": 1,
        "error": {"type": "EntityNotFound", "message": "Node 'pear' does not exist"},
    }
    assert call(edge, "Counter", 7, "bump")["error"]["message"] == "Counter 7 does not exist"


@pytest.mark.parametrize("method", ["swallow_bare", "swallow_exception"])
def test_entity_not_found_cannot_be_caught(edge: LocalApp, method: str) -> None:
    edge.create("Node", "a")
    result = call(edge, "Node", "a", method, node("ghost"))
    assert result["error"] == {"type": "EntityNotFound", "message": "Node 'ghost' does not exist"}
    assert edge.state("Node", "a")["visits"] == 0


def test_entity_not_found_runs_finally_and_aborts(edge: LocalApp) -> None:
    edge.create("Node", "a")
    result = call(edge, "Node", "a", "finally_runs", node("ghost"))
    assert result["error"]["type"] == "EntityNotFound"
    assert edge.state("Node", "a")["log"] == []


def test_field_read_on_missing_entity(edge: LocalApp) -> None:
    edge.create("Node", "a")
    result = call(edge, "Node", "a", "read_missing_field", {"$entity": "Store", "key": "nope"})
    assert result["error"] == {"type": "EntityNotFound", "message": "Store 'nope' does not exist"}


def test_pythonic_entity_not_found(edge: LocalApp) -> None:
    with pytest.raises(EntityNotFound, match="Node 'x' does not exist"):
        edge.ref("Node", "x").record("y")
    with pytest.raises(EntityNotFound):
        edge.ref("Node", "x").name
    with pytest.raises(EntityNotFound):
        edge.state("Node", "x")
    edge.create("Node", "a")
    with pytest.raises(EntityNotFound, match="Node 'ghost'"):
        edge.ref("Node", "a").swallow_bare(edge.ref("Node", "ghost"))
    assert edge.state("Node", "a")["visits"] == 0


# ------------------------------------------------------------- references


def test_refs_in_state_and_results(edge: LocalApp) -> None:
    edge.create("Node", "a")
    edge.create("Node", "b")
    assert call(edge, "Node", "a", "set_next", node("b"))["result"] == node("b")
    assert edge.state("Node", "a")["next"] == node("b")
    assert call(edge, "Node", "a", "me")["result"] == node("a")
    # Passing ``self`` to another entity passes a reference.
    call(edge, "Node", "a", "register_with", node("b"))
    assert edge.state("Node", "b")["log"] == [node("a")]
    stored = edge.ref("Node", "b").log[0]
    assert isinstance(stored, Ref) and stored == Ref("Node", "a")


def test_nested_refs_in_arguments(edge: LocalApp) -> None:
    edge.create("Store", "s")
    value = {"list": [node("a"), {"deep": [node("b")]}], "n": 1}
    assert call(edge, "Store", "s", "echo", value)["result"] == value
    call(edge, "Store", "s", "add", value)
    assert edge.state("Store", "s")["items"] == [value]
    item = edge.ref("Store", "s").items[0]
    assert item["list"][0] == Ref("Node", "a")
    assert item["list"][1]["deep"][0] == Ref("Node", "b")


def test_refs_compare_and_hash_inside_user_code(edge: LocalApp) -> None:
    edge.create("Node", "a")
    assert call(edge, "Node", "a", "compare", node("x"), node("x"))["result"] == [True, False, True, 1, 1]
    assert call(edge, "Node", "a", "compare", node("x"), node("y"))["result"] == [False, True, False, 2, 0]
    counter = {"$entity": "Counter", "key": 5}
    same = {"$entity": "Counter", "key": "5"}
    assert call(edge, "Node", "a", "compare", counter, same)["result"] == [True, False, True, 1, 1]


def test_isinstance_of_a_ref(edge: LocalApp) -> None:
    edge.create("Node", "a")
    assert call(edge, "Node", "a", "is_node", node("a"))["result"] is True
    assert call(edge, "Node", "a", "is_node", {"$entity": "Store", "key": "s"})["result"] is False
    assert call(edge, "Node", "a", "is_node", 3)["result"] is False


def test_private_methods_and_fields_are_for_entities_of_the_same_class(edge: LocalApp) -> None:
    edge.create("Node", "a")
    edge.create("Node", "b")
    edge.create("Store", "s")
    assert call(edge, "Node", "a", "secret_of", node("a"))["result"] == "secret of a"
    # As in Python, a class's methods may use `_names` on any instance of the class.
    assert call(edge, "Node", "a", "secret_of", node("b"))["result"] == "secret of b"
    assert call(edge, "Node", "a", "private_field_of", node("b"))["error"] == {
        "type": "AttributeError",
        "message": "'Node' object has no attribute '_hidden'",
    }
    assert call(edge, "Store", "s", "peek_secret", node("a"))["error"]["type"] == "AttributeError"
    assert call(edge, "Node", "a", "secret_of", node("ghost"))["error"]["type"] == "EntityNotFound"


def test_writes_through_a_ref_are_rejected(edge: LocalApp) -> None:
    edge.create("Node", "a")
    edge.create("Node", "b")
    result = call(edge, "Node", "a", "write_through_ref", node("b"))
    assert result["error"]["type"] == "AttributeError"
    assert edge.state("Node", "b")["visits"] == 0


def test_unknown_attribute_through_a_ref(edge: LocalApp) -> None:
    edge.create("Node", "a")
    result = call(edge, "Node", "a", "unknown_attr", node("a"))
    assert result["error"] == {"type": "AttributeError", "message": "'Node' object has no attribute 'does_not_exist'"}


# --------------------------------------------------------- value semantics


def test_values_are_copied_at_entity_boundaries(edge: LocalApp) -> None:
    edge.create("Store", "s")
    edge.create("Store", "t")
    result = call(edge, "Store", "s", "give_and_mutate", {"$entity": "Store", "key": "t"}, ["v"])
    assert result["result"] == [
        ["v", "mutated by caller"],
        [["v"], "mutated copy"],
        [["v"], "mutated field copy"],
    ]
    assert edge.state("Store", "t")["items"] == [["v"]]


def test_aliasing_within_an_entity_is_plain_python(edge: LocalApp) -> None:
    edge.create("Store", "s")
    assert call(edge, "Store", "s", "shared")["result"] == [1, 2, 3]
    assert edge.state("Store", "s")["meta"] == {"a": [1, 2, 3], "b": [1, 2, 3]}


def test_aliasing_survives_rollback(edge: LocalApp) -> None:
    edge.create("Store", "s")
    call(edge, "Store", "s", "shared")
    call(edge, "Store", "s", "nan")  # aborts
    store = edge.ref("Store", "s")
    assert store.meta == {"a": [1, 2, 3], "b": [1, 2, 3]}
    obj = edge._store["Store"]["s"]  # the aliasing is restored too
    assert obj.meta["a"] is obj.meta["b"]


def test_pythonic_arguments_and_results_are_copies(edge: LocalApp) -> None:
    edge.create("Store", "s")
    value = ["x"]
    returned = edge.ref("Store", "s").add(value)
    value.append("caller")
    returned.append("result")
    assert edge.state("Store", "s")["items"] == [["x"]]
    field = edge.ref("Store", "s").items
    field.append("read")
    assert edge.state("Store", "s")["items"] == [["x"]]


def test_result_encoding(edge: LocalApp) -> None:
    edge.create("Store", "s")
    assert call(edge, "Store", "s", "encodings")["result"] == {
        "dict": {"1": "int", "2.5": "float", "null": "none", "false": "bool", "s": "str"},
        "set": ["a", "b", "c"],
        "frozenset": [1, 2, 3],
        "mixed": [None, 1, "x"],
        "tuple": [1, [2, 3]],
        "nested": [{"k": [7]}],
        "float": 0.1,
    }
    refs = call(edge, "Store", "s", "ref_set", node("b"), {"$entity": "Counter", "key": 2}, node("a"))
    assert refs["result"] == [{"$entity": "Counter", "key": 2}, node("a"), node("b")]


def test_kwargs_and_keyword_only(edge: LocalApp) -> None:
    edge.create("Store", "s")
    assert call(edge, "Store", "s", "kw", 1, c=9)["result"] == [1, 2, 9]
    assert call(edge, "Store", "s", "kw", a=1, b=5)["result"] == [1, 5, 3]
    assert edge.ref("Store", "s").kw(0, c=1) == [0, 2, 1]
    assert call(edge, "Store", "s", "kw", 1, d=2)["error"]["type"] == "TypeError"


# -------------------------------------------------------------- Pythonic API


def test_pythonic_user_exceptions_are_reraised(edge: LocalApp) -> None:
    edge.create("Node", "a")
    boom = edge.exception_types["Boom"]
    with pytest.raises(boom, match="after write"):
        edge.ref("Node", "a").fail_after_write()
    assert edge.state("Node", "a")["visits"] == 0


def test_pythonic_invalid_requests(edge: LocalApp) -> None:
    with pytest.raises(InvalidRequest):
        edge.create("Nope")
    with pytest.raises(InvalidRequest):
        edge.ref("Nope", "x")
    with pytest.raises(InvalidRequest):
        edge.state("Nope", "x")
    edge.create("Node", "a")
    with pytest.raises(InvalidRequest):
        edge.ref("Node", "a")._secret()
    with pytest.raises(InvalidRequest):
        edge.ref("Node", "a").missing
    assert edge.seq == 1


def test_pythonic_field_reads(edge: LocalApp) -> None:
    ref = edge.create("Node", "a")
    assert ref == Ref("Node", "a")
    assert ref.name == "a" and ref.visits == 0
    assert edge.exists("Node", "a") and not edge.exists("Node", "b")


def test_dump_state_orders(edge: LocalApp) -> None:
    for name in ["z", "a", "m"]:
        edge.create("Empty", name)
    edge.create("Counter", 10)
    edge.create("Counter", 2)
    state = edge.dump_state()
    assert list(state["Empty"]) == ["z", "a", "m"]
    assert list(state["Counter"]) == ["10", "2"]
    assert list(state["Node"]) == []
    edge.create("Node", "n")
    assert list(edge.dump_state()["Node"]["n"]) == ["name", "next", "visits", "log"]


def test_invoke_is_not_reentrant(edge: LocalApp) -> None:
    edge._tx = object()  # type: ignore[assignment]  # as if a transaction were running
    try:
        with pytest.raises(RuntimeError):
            edge.invoke({"id": 1, "create": "Empty", "args": ["x"]})
    finally:
        edge._tx = None
    assert edge.invoke({"id": 1, "create": "Empty", "args": ["x"]})["seq"] == 1


def test_a_repeated_id_gets_its_recorded_result_and_runs_nothing(edge: LocalApp) -> None:
    create(edge, "Counter", number=9)
    first = call(edge, "Counter", 9, "bump", id=77)
    assert first["result"] == 1
    # The same id again: the recorded result, same seq, no second bump.
    assert call(edge, "Counter", 9, "bump", id=77) == first
    # "77" is another id than 77.
    assert call(edge, "Counter", 9, "bump", id="77")["result"] == 2
    assert edge.dump_state()["Counter"]["9"]["count"] == 2
