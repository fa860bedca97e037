"""The bank example, run as plain Python and through LocalApp."""

from __future__ import annotations

from pathlib import Path

import pytest

from entiflow import Ref
from entiflow.errors import EntityNotFound
from entiflow.testing import LocalApp

from . import app as bank

HERE = Path(__file__).parent
INVOCATIONS = HERE / "invocations.jsonl"


# ---------------------------------------------------------------- plain CPython


def test_plain_python_transfer_and_callback() -> None:
    a = bank.Account("a", "Ann", 100)
    b = bank.Account("b", "Bob")
    assert a.transfer(30, b) == 70
    assert b.balance() == 30
    assert a.counterparties == [b] and b.counterparties == [a]
    assert a.history == ["-30", "sent 30 to b"]
    with pytest.raises(bank.InsufficientFunds):
        a.transfer(1000, b)


def test_plain_python_has_no_rollback() -> None:
    # Without transactions, the withdrawal stays when the deposit fails.
    a = bank.Account("a", "Ann", 100)
    b = bank.Account("b", "Bob")
    b.freeze()
    with pytest.raises(bank.AccountFrozen):
        a.transfer(10, b)
    assert a.balance() == 90


def test_plain_python_loops() -> None:
    a = bank.Account("a", "Ann", 10)
    b, c = bank.Account("b", "Bob"), bank.Account("c", "Cid")
    assert a.split(5, [b, c]) == 5
    assert (b.balance(), c.balance()) == (3, 2)
    assert c.pay_until_broke(1, a) == 2
    assert a.total_of_counterparties() == 3


# ------------------------------------------------------------------- LocalApp


@pytest.fixture
def app() -> LocalApp:
    app = LocalApp(bank)
    app.create("Account", "a", "Ann", 100)
    app.create("Account", "b", "Bob")
    app.create("Account", "c", "Cid", funds=5)
    return app


def test_transfer_commits_a_b_a_chain(app: LocalApp) -> None:
    a, b = app.ref("Account", "a"), app.ref("Account", "b")
    assert a.transfer(30, b) == 70
    state_a, state_b = app.state("Account", "a"), app.state("Account", "b")
    assert state_a["funds"] == 70 and state_b["funds"] == 30
    # note_transfer ran on A while A's transfer was still running
    assert state_a["history"] == ["-30", "sent 30 to b"]
    assert state_a["counterparties"] == [{"$entity": "Account", "key": "b"}]
    assert state_b["counterparties"] == [{"$entity": "Account", "key": "a"}]
    assert b.counterparties == [a]


def test_failure_in_recipient_rolls_back_sender(app: LocalApp) -> None:
    a, b = app.ref("Account", "a"), app.ref("Account", "b")
    b.freeze()
    before = app.dump_state()
    with pytest.raises(bank.AccountFrozen, match="account b is frozen"):
        a.transfer(10, b)
    assert app.dump_state() == before


def test_split_rolls_back_every_transfer(app: LocalApp) -> None:
    a, b, c = (app.ref("Account", k) for k in "abc")
    c.freeze()
    before = app.dump_state()
    with pytest.raises(bank.AccountFrozen):
        a.split(10, [b, c])
    assert app.dump_state() == before
    c.unfreeze()
    assert a.split(11, [b, c]) == 89
    assert (b.funds, c.funds) == (6, 10)


def test_missing_recipient_aborts(app: LocalApp) -> None:
    before = app.dump_state()
    result = app.invoke(
        {"id": 1, "entity": "Account", "key": "a", "method": "transfer",
         "args": [10, {"$entity": "Account", "key": "nobody"}]}
    )
    assert result["error"] == {"type": "EntityNotFound", "message": "Account 'nobody' does not exist"}
    assert app.dump_state() == before
    with pytest.raises(EntityNotFound):
        app.ref("Account", "a").try_transfer(10, app.ref("Account", "nobody"))


def test_caught_exception_keeps_earlier_writes(app: LocalApp) -> None:
    a, c = app.ref("Account", "a"), app.ref("Account", "c")
    assert c.pay_until_broke(2, a) == 2
    assert app.state("Account", "c")["funds"] == 1
    assert app.state("Account", "a")["funds"] == 104


def test_invocations_file() -> None:
    app = LocalApp(HERE / "app.py")
    results = app.exec_jsonl(INVOCATIONS)
    lines = [line for line in INVOCATIONS.read_text().splitlines() if line.strip()]
    assert 30 <= len(lines) <= 200 and len(results) == len(lines)
    seqs = [r["seq"] for r in results if "seq" in r]
    assert seqs == list(range(1, len(seqs) + 1))
    by_id = {r["id"]: r for r in results if r["id"] is not None}
    assert by_id[10]["error"] == {"type": "InsufficientFunds", "message": "account c1 has 25, needs 30"}
    assert by_id[12]["result"] == 60
    assert by_id[16]["error"]["type"] == "EntityNotFound"
    assert by_id[17]["result"] == 60  # the failed transfer to a missing account left a1 alone
    assert by_id[20]["error"] == {"type": "AccountFrozen", "message": "account b1 is frozen"}
    assert by_id[21]["result"] is False
    assert by_id[34]["error"]["type"] == "InvalidRequest"
    assert by_id["final-a1"]["result"] == 30.5
    state = app.dump_state()
    assert list(state) == ["Account"]
    assert list(state["Account"]) == ["a1", "b1", "c1", "d1", "e1"]
    assert {k: v["funds"] for k, v in state["Account"].items()} == {
        "a1": 30.5, "b1": 102, "c1": 34, "d1": 20, "e1": 1,
    }
    # Money is only created by deposits and destroyed by withdrawals.
    initial, deposited, withdrawn = 100 + 50 + 0 + 10 + 5, 25 + 2.5, 5
    assert sum(v["funds"] for v in state["Account"].values()) == initial + deposited - withdrawn
    assert state["Account"]["b1"]["counterparties"] == [
        {"$entity": "Account", "key": "a1"},
        {"$entity": "Account", "key": "c1"},
    ]
    assert sum(r.get("error", {}).get("type") == "InvalidRequest" for r in results) == 7


def test_refs_in_state_are_refs(app: LocalApp) -> None:
    app.ref("Account", "a").transfer(1, app.ref("Account", "c"))
    (peer,) = app.ref("Account", "c").counterparties
    assert peer == Ref("Account", "a")
    assert isinstance(peer, bank.Account)
    assert peer.balance() == 99


def test_try_transfer_checks_the_recipient_first(app: LocalApp) -> None:
    a, b = app.ref("Account", "a"), app.ref("Account", "b")
    b.freeze()
    before = app.dump_state()
    assert a.try_transfer(10, b) is False
    assert a.try_transfer(1000, app.ref("Account", "c")) is False
    assert app.dump_state() == before
