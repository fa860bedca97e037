"""Invocations that are rejected as InvalidRequest, without a sequence number."""

from __future__ import annotations

from typing import Any

import pytest

from entiflow.testing import LocalApp

ITEM = {"$entity": "Item", "key": "apple"}


@pytest.fixture
def app(shop: LocalApp) -> LocalApp:
    shop.create("Item", "apple", 5)
    shop.create("User", "alice")
    return shop


def call(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": 9, "entity": "User", "key": "alice", "method": "buy_item", "args": [1, ITEM]}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not _DROP}


_DROP = object()


@pytest.mark.parametrize(
    "invocation",
    [
        pytest.param(call(method="sell"), id="unknown method"),
        pytest.param(call(method="__init__"), id="__init__"),
        pytest.param(call(method="__key__"), id="__key__"),
        pytest.param(call(method="balance"), id="field is not a method"),
        pytest.param(call(method=3), id="method not a string"),
        pytest.param(call(method=_DROP), id="missing method"),
        pytest.param(call(entity=_DROP), id="missing entity"),
        pytest.param(call(key=_DROP), id="missing key"),
        pytest.param(call(entity="Shop"), id="unknown entity type"),
        pytest.param(call(entity=["User"]), id="entity not a string"),
        pytest.param(call(key=True), id="bool key"),
        pytest.param(call(key=1.5), id="float key"),
        pytest.param(call(key=None), id="null key"),
        pytest.param(call(args={"a": 1}), id="args not a list"),
        pytest.param(call(args=None), id="args null"),
        pytest.param(call(kwargs=[1]), id="kwargs not an object"),
        pytest.param(call(extra=1), id="unknown field"),
        pytest.param(call(args=[1, {"$entity": "Shop", "key": "x"}]), id="ref to unknown type"),
        pytest.param(call(args=[1, {"$entity": "Item"}]), id="ref without key"),
        pytest.param(call(args=[1, {"$entity": "Item", "key": [1]}]), id="ref with bad key"),
        pytest.param(call(args=[1, {"$entity": 5, "key": "x"}]), id="ref with bad type"),
        pytest.param(call(args=[1, {"$entity": "Item", "key": "a", "b": 2}]), id="ref with extra member"),
        pytest.param(call(args=[[{"x": [{"$entity": "Nope", "key": 1}]}], ITEM]), id="deeply nested bad ref"),
        pytest.param(call(kwargs={"item": {"$entity": "Nope", "key": 1}}), id="bad ref in kwargs"),
        pytest.param({"id": 9, "create": 5, "args": []}, id="create not a string"),
        pytest.param({"id": 9, "create": "Shop", "args": []}, id="create unknown type"),
        pytest.param({"id": 9, "create": "Item", "args": "apple"}, id="create args not a list"),
        pytest.param({"id": 9, "create": "Item", "args": [], "kwargs": 1}, id="create kwargs not object"),
        pytest.param({"id": 9, "create": "Item", "method": "x"}, id="create with call fields"),
        pytest.param({"id": 9}, id="neither create nor call"),
    ],
)
def test_invalid_requests_keep_the_id(app: LocalApp, invocation: dict[str, Any]) -> None:
    before = app.dump_state()
    result = app.invoke(invocation)
    assert list(result) == ["id", "error"]
    assert result["id"] == 9
    assert result["error"]["type"] == "InvalidRequest"
    assert isinstance(result["error"]["message"], str) and result["error"]["message"]
    assert app.dump_state() == before
    assert app.seq == 2  # only the two creates of the fixture


@pytest.mark.parametrize(
    "invocation",
    [
        pytest.param([1, 2], id="array"),
        pytest.param("call", id="string"),
        pytest.param(None, id="null"),
        pytest.param({"entity": "User", "key": "alice", "method": "buy_item"}, id="missing id"),
        pytest.param({"id": None, "create": "Item", "args": ["x", 1]}, id="null id"),
        pytest.param({"id": True, "create": "Item", "args": ["x", 1]}, id="bool id"),
        pytest.param({"id": 1.5, "create": "Item", "args": ["x", 1]}, id="float id"),
        pytest.param({"id": [1], "create": "Item", "args": ["x", 1]}, id="array id"),
    ],
)
def test_invalid_requests_without_a_readable_id(app: LocalApp, invocation: Any) -> None:
    result = app.invoke(invocation)
    assert result == {"id": None, "error": {"type": "InvalidRequest", "message": result["error"]["message"]}}


@pytest.mark.parametrize(
    "line",
    [
        '{"id": 1, "create": "Item", "args": ["x", 1]',
        "not json",
        '{"id": 1, "create": "Item", "args": ["x", NaN]}',
        '{"id": 1, "create": "Item", "args": ["x", Infinity]}',
        "[" * 100000 + "]" * 100000,
        "",
    ],
    ids=["truncated", "text", "NaN", "Infinity", "too deep", "empty"],
)
def test_malformed_json_lines(app: LocalApp, line: str) -> None:
    result = app.invoke_json(line)
    assert result["id"] is None
    assert result["error"]["type"] == "InvalidRequest"
    assert app.seq == 2


def test_valid_json_line(app: LocalApp) -> None:
    line = '{"id": "q", "entity": "Item", "key": "apple", "method": "update_stock", "args": [2]}\n'
    assert app.invoke_json(line) == {"id": "q", "seq": 3, "result": True}


def test_invalid_requests_do_not_consume_seq(app: LocalApp) -> None:
    app.invoke(call(method="nope"))
    app.invoke_json("{")
    result = app.invoke({"id": 1, "entity": "Item", "key": "apple", "method": "update_stock", "args": [1]})
    assert result["seq"] == 3


def test_unknown_method_wins_over_missing_key(app: LocalApp) -> None:
    result = app.invoke(call(key="nobody", method="nope"))
    assert result["error"]["type"] == "InvalidRequest"


def test_arity_errors_are_transactions(app: LocalApp) -> None:
    result = app.invoke(call(args=[1]))
    assert result["seq"] == 3
    assert result["error"]["type"] == "TypeError"
