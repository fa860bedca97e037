"""Retry logic of the Client, against a scripted fake HTTP server.

The fake server only replays canned replies; it has nothing to do with the
real ``entiflow run`` server, which is exercised in test_client_e2e.py.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

from entiflow import Client, errors


class FakeFlakyServer:
    """Answers requests with a scripted list of (status, body) replies.

    A reply body of ``"drop"`` closes the connection without answering.
    Every request is recorded as (method, path, parsed body).
    """

    def __init__(self) -> None:
        self.script: list[tuple[int, Any]] = []
        self.requests: list[tuple[str, str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                fake.requests.append((self.command, self.path, json.loads(raw) if raw else None))
                status, body = fake.script.pop(0) if fake.script else (500, {"error": "script exhausted"})
                if body == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeFlakyServer]:
    server = FakeFlakyServer()
    yield server
    server.close()


def client_for(fake: FakeFlakyServer, retries: int = 3) -> Client:
    return Client(fake.url, retries=retries, backoff=0.001, timeout=5)


def test_retries_5xx_with_the_same_id(fake: FakeFlakyServer) -> None:
    fake.script = [(503, {"busy": True}), (500, "oops"), (200, {"id": "?", "seq": 1, "result": True})]
    result = client_for(fake).ref("Item", "apple").update_stock(3)
    assert result is True
    assert len(fake.requests) == 3
    ids = {body["id"] for _, _, body in fake.requests}
    assert len(ids) == 1
    assert all(path == "/v1/invoke" and method == "POST" for method, path, _ in fake.requests)


def test_retries_dropped_connections_with_the_same_id(fake: FakeFlakyServer) -> None:
    fake.script = [(200, "drop"), (200, {"id": "x", "seq": 1, "result": 4})]
    assert client_for(fake).invoke({"id": "x", "entity": "Item", "key": "a", "method": "m"})["result"] == 4
    assert [body["id"] for _, _, body in fake.requests] == ["x", "x"]


def test_gives_up_after_the_retries(fake: FakeFlakyServer) -> None:
    fake.script = [(502, {})] * 3
    with pytest.raises(errors.TransportError, match="3 attempts"):
        client_for(fake, retries=2).invoke({"id": "x", "create": "Item", "args": []})
    assert len(fake.requests) == 3


def test_no_retry_on_4xx(fake: FakeFlakyServer) -> None:
    invalid = {"id": "x", "error": {"type": "InvalidRequest", "message": "bad"}}
    fake.script = [(400, invalid)]
    client = client_for(fake)
    assert client.invoke({"id": "x", "method": 1}) == invalid
    assert len(fake.requests) == 1
    fake.script = [(400, invalid)]
    with pytest.raises(errors.InvalidRequest, match="bad"):
        client.call("Item", "apple", "update_stock", 1)


def test_unexpected_status_without_json(fake: FakeFlakyServer) -> None:
    fake.script = [(403, "forbidden")]
    with pytest.raises(errors.TransportError, match="403"):
        client_for(fake).invoke({"id": "x", "create": "Item"})


def test_batch_retry_keeps_every_id(fake: FakeFlakyServer) -> None:
    replies = [{"id": "a", "seq": 1, "result": 1}, {"id": "?", "seq": 2, "result": 2}]
    fake.script = [(503, {}), (200, replies)]
    client = client_for(fake)
    assert client.batch([{"id": "a", "create": "X"}, {"create": "Y"}]) == replies
    first, second = (body for _, _, body in fake.requests)
    assert first == second
    assert first[0]["id"] == "a" and len(first[1]["id"]) == 32


def test_batch_reply_must_match(fake: FakeFlakyServer) -> None:
    fake.script = [(200, [{"id": "a", "seq": 1, "result": 1}])]
    with pytest.raises(errors.TransportError):
        client_for(fake).batch([{"id": "a", "create": "X"}, {"id": "b", "create": "Y"}])


def test_state_retries_and_404(fake: FakeFlakyServer) -> None:
    fake.script = [(503, {}), (200, {"item_id": "a b/c"}), (404, {"error": "not found"})]
    client = client_for(fake)
    assert client.state("Item", "a b/c") == {"item_id": "a b/c"}
    assert client.state("Item", 7) is None
    assert [path for _, path, _ in fake.requests] == [
        "/v1/entities/Item/a%20b%2Fc",
        "/v1/entities/Item/a%20b%2Fc",
        "/v1/entities/Item/7",
    ]


def test_healthz(fake: FakeFlakyServer) -> None:
    fake.script = [(200, "ok"), (503, {})]
    client = client_for(fake)
    assert client.healthy() is True
    assert client.healthy() is False
    fake.script = [(503, {}), (200, "ok")]
    client.wait_healthy(timeout=5, interval=0.001)
