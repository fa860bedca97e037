"""The shop example, run as plain Python and through LocalApp.

The shop program is kept exactly as in the project README, so it has no
references in state and no A -> B -> A chain; the bank and hotel examples
cover those.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from entiflow import Ref
from entiflow.errors import EntityExists, EntityNotFound, InvalidRequest
from entiflow.testing import LocalApp

from . import app as shop

HERE = Path(__file__).parent
INVOCATIONS = HERE / "invocations.jsonl"


# ---------------------------------------------------------------- plain CPython


def test_plain_python_objects() -> None:
    apple = shop.Item("apple", 5)
    assert apple.update_stock(3) is True
    assert apple.update_stock(-4) is False
    alice = shop.User("alice")
    assert alice.buy_item(2, apple) is True
    assert (alice.balance, apple.stock) == (90, 1)
    assert alice.buy_item(2, apple) is False
    assert (alice.balance, apple.stock) == (90, 1)
    with pytest.raises(ValueError, match="insufficient balance"):
        alice.buy_item(100, apple)


# ------------------------------------------------------------------- LocalApp


@pytest.fixture
def app() -> LocalApp:
    app = LocalApp(shop)
    app.create("Item", "apple", 5)
    app.ref("Item", "apple").update_stock(10)
    app.create("User", "alice")
    return app


def test_commit_through_pythonic_api(app: LocalApp) -> None:
    apple = app.ref("Item", "apple")
    assert app.ref("User", "alice").buy_item(2, apple) is True
    assert app.state("User", "alice") == {"username": "alice", "balance": 90}
    assert app.state("Item", "apple") == {"item_id": "apple", "price": 5, "stock": 8}
    assert apple.stock == 8


def test_user_exception_aborts_and_is_reraised(app: LocalApp) -> None:
    before = app.dump_state()
    with pytest.raises(ValueError, match="insufficient balance"):
        app.ref("User", "alice").buy_item(50, app.ref("Item", "apple"))
    assert app.dump_state() == before


def test_missing_item_aborts_the_whole_purchase(app: LocalApp) -> None:
    before = app.dump_state()
    with pytest.raises(EntityNotFound, match="Item 'pear' does not exist"):
        app.ref("User", "alice").buy_item(1, app.ref("Item", "pear"))
    assert app.dump_state() == before


def test_json_invocations(app: LocalApp) -> None:
    ok = app.invoke(
        {"id": "a", "entity": "User", "key": "alice", "method": "buy_item",
         "args": [3, {"$entity": "Item", "key": "apple"}]}
    )
    assert ok == {"id": "a", "seq": 4, "result": True}
    assert list(ok) == ["id", "seq", "result"]
    out_of_stock = app.invoke(
        {"id": "b", "entity": "User", "key": "alice", "method": "buy_item",
         "args": [8, {"$entity": "Item", "key": "apple"}]}
    )
    assert out_of_stock == {"id": "b", "seq": 5, "result": False}
    assert app.state("User", "alice")["balance"] == 85
    invalid = app.invoke({"id": "c", "entity": "User", "key": "alice", "method": "refund"})
    assert invalid == {"id": "c", "error": {"type": "InvalidRequest", "message": invalid["error"]["message"]}}
    exists = app.invoke({"id": "d", "create": "User", "args": ["alice"]})
    assert exists == {
        "id": "d", "seq": 6, "error": {"type": "EntityExists", "message": "User 'alice' already exists"}
    }
    with pytest.raises(EntityExists):
        app.create("User", "alice")
    with pytest.raises(InvalidRequest):
        app.ref("User", "alice").refund()


def test_invocations_file() -> None:
    app = LocalApp(HERE / "app.py")
    results = app.exec_jsonl(INVOCATIONS)
    lines = [line for line in INVOCATIONS.read_text().splitlines() if line.strip()]
    assert 30 <= len(lines) <= 200
    assert len(results) == len(lines)
    seqs = [r["seq"] for r in results if "seq" in r]
    assert seqs == list(range(1, len(seqs) + 1))
    by_id = {r["id"]: r for r in results if r["id"] is not None}
    assert by_id[6]["error"]["type"] == "EntityExists"
    assert by_id[12]["error"] == {"type": "ValueError", "message": "insufficient balance"}
    assert by_id[15]["error"] == {"type": "EntityNotFound", "message": "Item 'pear' does not exist"}
    assert by_id[16]["error"] == {"type": "EntityNotFound", "message": "User 'carol' does not exist"}
    assert by_id[18]["error"]["type"] == "InvalidRequest"
    assert by_id[26]["result"] == {"$entity": "User", "key": 42}
    assert by_id[29]["error"] == {"type": "EntityExists", "message": "User '42' already exists"}
    errors = [r["error"]["type"] for r in results if "error" in r]
    assert errors.count("InvalidRequest") == 7
    assert app.dump_state() == {
        "Item": {
            "apple": {"item_id": "apple", "price": 5, "stock": 2},
            "banana": {"item_id": "banana", "price": 2, "stock": 0},
            "cherry": {"item_id": "cherry", "price": 10, "stock": 3},
            "durian": {"item_id": "durian", "price": 30, "stock": 1},
        },
        "User": {
            "alice": {"username": "alice", "balance": 0},
            "bob": {"username": "bob", "balance": 94},
            "42": {"username": 42, "balance": 75},
        },
    }


def test_cli_matches_exec_jsonl(tmp_path: Path) -> None:
    dump = tmp_path / "state.json"
    proc = subprocess.run(
        [sys.executable, "-m", "entiflow.testing", str(HERE / "app.py"),
         "--input", str(INVOCATIONS), "--dump-state", str(dump)],
        capture_output=True, text=True, check=True,
    )
    app = LocalApp(HERE / "app.py")
    expected = [json.dumps(r, separators=(",", ":")) for r in app.exec_jsonl(INVOCATIONS)]
    assert proc.stdout.splitlines() == expected
    assert json.loads(dump.read_text()) == app.dump_state()


def test_refs_returned_by_create(app: LocalApp) -> None:
    ref = app.create("Item", "kiwi", 1)
    assert ref == Ref("Item", "kiwi")
    assert isinstance(ref, shop.Item)
    assert ref.price == 1
