"""Client logic that needs no server: error mapping, encoding, decoding."""

from __future__ import annotations

import types
from typing import Any

import pytest

from entiflow import Client, Ref, errors
from entiflow.client import exception_from_error, new_request_id


def make(type_name: str, message: str, **kwargs: Any) -> BaseException:
    return exception_from_error({"type": type_name, "message": message}, **kwargs)


@pytest.mark.parametrize(
    "name, cls",
    [
        ("ValueError", ValueError),
        ("TypeError", TypeError),
        ("ZeroDivisionError", ZeroDivisionError),
        ("PermissionError", PermissionError),
        ("RecursionError", RecursionError),
        ("AttributeError", AttributeError),
        ("LookupError", LookupError),
    ],
)
def test_builtin_exceptions(name: str, cls: type) -> None:
    exc = make(name, "something went wrong")
    assert type(exc) is cls
    assert str(exc) == "something went wrong"


@pytest.mark.parametrize("message", ["'apple'", "3", "('a', 1)", "no quotes", "", "'unbalanced"])
def test_key_error_keeps_the_message(message: str) -> None:
    exc = make("KeyError", message)
    assert isinstance(exc, KeyError)
    assert type(exc).__name__ == "KeyError"
    assert str(exc) == message


def test_key_error_from_a_repr_is_a_real_key_error() -> None:
    exc = make("KeyError", "'apple'")
    assert type(exc) is KeyError and exc.args == ("apple",)


def test_builtins_whose_constructor_differs() -> None:
    exc = make("UnicodeDecodeError", "bad byte")
    assert isinstance(exc, UnicodeDecodeError) and str(exc) == "bad byte"
    assert type(exc).__name__ == "UnicodeDecodeError"


def test_entiflow_errors() -> None:
    for name, cls in [
        ("EntityNotFound", errors.EntityNotFound),
        ("EntityExists", errors.EntityExists),
        ("InvalidRequest", errors.InvalidRequest),
    ]:
        exc = make(name, "msg")
        assert type(exc) is cls and str(exc) == "msg"


def test_unknown_names_get_cached_remote_error_classes() -> None:
    first = make("InsufficientFunds", "broke")
    second = make("InsufficientFunds", "still broke")
    other = make("AccountFrozen", "cold")
    assert type(first) is type(second)
    assert type(first).__name__ == "InsufficientFunds"
    assert isinstance(first, errors.RemoteError) and str(first) == "broke"
    assert type(other) is not type(first)
    with pytest.raises(type(first)):
        raise second


def test_base_exceptions_are_not_mapped_to_builtins() -> None:
    for name in ("SystemExit", "KeyboardInterrupt", "GeneratorExit"):
        exc = make(name, "x")
        assert isinstance(exc, errors.RemoteError) and type(exc).__name__ == name


def test_user_exception_types() -> None:
    class InsufficientFunds(ValueError):
        pass

    exc = make("InsufficientFunds", "broke", exception_types={"InsufficientFunds": InsufficientFunds})
    assert type(exc) is InsufficientFunds and str(exc) == "broke"


def test_client_collects_exceptions_from_a_module() -> None:
    module = types.ModuleType("fake_app")

    class Broke(ValueError):
        pass

    Broke.__module__ = "fake_app"
    module.Broke = Broke  # type: ignore[attr-defined]
    module.ValueError = ValueError  # type: ignore[attr-defined]  # imported names are ignored
    client = Client("http://127.0.0.1:9", exception_types=module)
    assert client.exception_types == {"Broke": Broke}
    with pytest.raises(Broke, match="no money"):
        client.unwrap({"id": "1", "seq": 1, "error": {"type": "Broke", "message": "no money"}})


class Recorder(Client):
    """A client whose invoke() records invocations instead of sending them."""

    def __init__(self, reply: dict[str, Any]) -> None:
        super().__init__("http://127.0.0.1:9")
        self.sent: list[dict[str, Any]] = []
        self.reply = reply

    def invoke(self, invocation: Any) -> dict[str, Any]:
        self.sent.append(dict(invocation))
        return dict(self.reply, id=invocation["id"])


def test_call_encodes_arguments_and_decodes_refs() -> None:
    client = Recorder({"seq": 1, "result": {"list": [{"$entity": "Item", "key": "apple"}]}})
    user = client.ref("User", "alice")
    result = user.buy_item(2, client.ref("Item", "apple"), note={"tags": {"b", "a"}, "t": (1, 2)})
    (sent,) = client.sent
    assert sent["entity"] == "User" and sent["key"] == "alice" and sent["method"] == "buy_item"
    assert sent["args"] == [2, {"$entity": "Item", "key": "apple"}]
    assert sent["kwargs"] == {"note": {"tags": ["a", "b"], "t": [1, 2]}}
    assert isinstance(sent["id"], str) and len(sent["id"]) == 32
    ref = result["list"][0]
    assert ref == Ref("Item", "apple") and ref._ef_backend is client


def test_call_without_kwargs_has_no_kwargs_field() -> None:
    client = Recorder({"seq": 1, "result": None})
    client.call("Item", "apple", "update_stock", 3)
    assert "kwargs" not in client.sent[0]


def test_create_returns_a_ref_and_raises_errors() -> None:
    client = Recorder({"seq": 1, "result": {"$entity": "Item", "key": "apple"}})
    ref = client.create("Item", "apple", price=5)
    assert ref == Ref("Item", "apple")
    assert client.sent[0]["create"] == "Item" and client.sent[0]["kwargs"] == {"price": 5}
    failing = Recorder({"seq": 2, "error": {"type": "EntityExists", "message": "Item 'apple' already exists"}})
    with pytest.raises(errors.EntityExists, match="already exists"):
        failing.create("Item", "apple", 5)


def test_errors_are_raised_from_calls() -> None:
    client = Recorder({"seq": 3, "error": {"type": "ValueError", "message": "insufficient balance"}})
    with pytest.raises(ValueError, match="insufficient balance"):
        client.ref("User", "alice").buy_item(1, client.ref("Item", "apple"))


def test_client_refs_do_not_expose_private_names() -> None:
    client = Client("http://127.0.0.1:9")
    with pytest.raises(AttributeError):
        client.ref("Item", "x")._secret
    assert not isinstance(client.ref("Item", "x"), str)


def test_request_ids_are_unique_hex() -> None:
    ids = {new_request_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def test_unreachable_server_raises_transport_error() -> None:
    client = Client("http://127.0.0.1:9", retries=1, backoff=0.01, timeout=2)
    with pytest.raises(errors.TransportError, match="2 attempts"):
        client.invoke({"id": "x", "create": "Item", "args": []})
    assert client.healthy() is False
    with pytest.raises(errors.TransportError):
        client.wait_healthy(timeout=0.1, interval=0.02)
