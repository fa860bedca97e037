"""End-to-end tests of the Client against a real ``entiflow run`` server.

Set ``ENTIFLOW_BIN`` to the entiflow binary (for example
``target/debug/entiflow``) to run them; they are skipped otherwise.  Each test
starts its own server on a free local port with the shop example.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from entiflow import Client, Ref, errors
from entiflow.testing import LocalApp

from conftest import EXAMPLES

ENTIFLOW_BIN = os.environ.get("ENTIFLOW_BIN")
SHOP = EXAMPLES / "shop" / "app.py"

pytestmark = pytest.mark.skipif(
    not ENTIFLOW_BIN, reason="ENTIFLOW_BIN is not set (path of the entiflow binary, e.g. target/debug/entiflow)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """Start ``entiflow run`` with the shop app; yield its base URL."""
    assert ENTIFLOW_BIN
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [ENTIFLOW_BIN, "run", str(SHOP), "--listen", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    client = Client(url)
    deadline = time.monotonic() + 30
    try:
        while not client.healthy():
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"entiflow run did not become healthy:\n{(tmp_path / 'server.log').read_text()}")
            time.sleep(0.05)
        yield url
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


@pytest.fixture
def client(server: str) -> Client:
    return Client(server, timeout=10)


def test_create_and_call(client: Client) -> None:
    apple = client.create("Item", "apple", 5)
    assert apple == Ref("Item", "apple")
    assert client.ref("Item", "apple").update_stock(10) is True
    alice = client.create("User", "alice")
    assert alice.buy_item(2, apple) is True
    assert client.state("User", "alice") == {"username": "alice", "balance": 90}
    assert client.state("Item", "apple") == {"item_id": "apple", "price": 5, "stock": 8}
    assert client.state("Item", "pear") is None
    with pytest.raises(errors.InvalidRequest, match="unknown entity type"):
        client.state("Pear", "pear")


def test_errors_are_raised(client: Client) -> None:
    apple = client.create("Item", "apple", 5)
    alice = client.create("User", "alice")
    with pytest.raises(ValueError, match="insufficient balance"):
        alice.buy_item(100, apple)
    with pytest.raises(errors.EntityNotFound, match="Item 'pear' does not exist"):
        alice.buy_item(1, client.ref("Item", "pear"))
    with pytest.raises(errors.EntityNotFound, match="User 'bob' does not exist"):
        client.ref("User", "bob").buy_item(1, apple)
    with pytest.raises(errors.EntityExists, match="Item 'apple' already exists"):
        client.create("Item", "apple", 1)
    with pytest.raises(errors.InvalidRequest):
        alice.refund()
    # Nothing of the failed calls was applied.
    assert client.state("User", "alice") == {"username": "alice", "balance": 100}


def test_invalid_request_is_http_400_with_a_result(client: Client) -> None:
    reply = client.invoke({"id": "bad", "entity": "User", "key": "alice"})
    assert reply["id"] == "bad"
    assert reply["error"]["type"] == "InvalidRequest"
    assert "seq" not in reply


def test_same_id_is_applied_once(client: Client) -> None:
    client.create("Item", "apple", 5)
    invocation = {"id": "dup-1", "entity": "Item", "key": "apple", "method": "update_stock", "args": [3]}
    first = client.invoke(invocation)
    second = client.invoke(invocation)
    assert first["result"] is True
    assert second == first
    assert client.state("Item", "apple")["stock"] == 3


def test_batch_in_input_order(client: Client) -> None:
    results = client.batch(
        [
            {"id": "1", "create": "Item", "args": ["apple", 5]},
            {"id": "2", "entity": "Item", "key": "apple", "method": "update_stock", "args": [4]},
            {"id": "3", "create": "User", "args": ["alice"]},
            {"id": "4", "entity": "User", "key": "alice", "method": "buy_item",
             "args": [1, {"$entity": "Item", "key": "apple"}]},
            {"id": "5", "entity": "User", "key": "alice", "method": "buy_item",
             "args": [9, {"$entity": "Item", "key": "apple"}]},
        ]
    )
    assert [r["id"] for r in results] == ["1", "2", "3", "4", "5"]
    assert results[1]["result"] is True
    assert results[3]["result"] is True
    assert results[4]["result"] is False
    seqs = [r["seq"] for r in results]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    assert client.state("Item", "apple")["stock"] == 3


def test_matches_local_app_on_the_shop_invocations(client: Client) -> None:
    """The server's results equal LocalApp's for every well-formed line."""
    invocations = []
    for line in (EXAMPLES / "shop" / "invocations.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        try:
            invocations.append(json.loads(line))
        except ValueError:
            continue
    invocations = [inv for inv in invocations if isinstance(inv, dict) and "id" in inv]
    local = LocalApp(SHOP)
    expected = [local.invoke(inv) for inv in invocations]
    got = client.batch(invocations)
    for want, have in zip(expected, got):
        assert have.get("id") == want["id"]
        assert have.get("seq") == want.get("seq"), want
        if "result" in want:
            assert have.get("result") == want["result"], want
        else:
            assert have["error"]["type"] == want["error"]["type"], want
            if want["error"]["type"] not in ("InvalidRequest", "TypeError"):
                assert have["error"]["message"] == want["error"]["message"], want
    assert all(client.state("Item", key) == value for key, value in local.dump_state()["Item"].items())
