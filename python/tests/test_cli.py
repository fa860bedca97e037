"""``python -m entiflow.testing``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import APPS, EXAMPLES

SHOP = EXAMPLES / "shop" / "app.py"


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "entiflow.testing", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


LINES = [
    '{"id": 1, "create": "Item", "args": ["apple", 5]}',
    "",
    "   ",
    '{"id": 2, "entity": "Item", "key": "apple", "method": "update_stock", "args": [3]}',
    "{oops",
    '{"id": "x", "create": "User", "args": ["alice"]}',
    '{"id": 4, "entity": "User", "key": "alice", "method": "buy_item", '
    '"args": [1, {"$entity": "Item", "key": "pear"}]}',
    '{"id": 5, "entity": "User", "key": "alice", "method": "buy_item", '
    '"args": [2, {"$entity": "Item", "key": "apple"}]}',
    '{"id": 6, "entity": "User", "key": "alice", "method": "fly"}',
]

EXPECTED = [
    '{"id":1,"seq":1,"result":{"$entity":"Item","key":"apple"}}',
    '{"id":2,"seq":2,"result":true}',
    None,  # malformed line: only the shape is checked
    '{"id":"x","seq":3,"result":{"$entity":"User","key":"alice"}}',
    '{"id":4,"seq":4,"error":{"type":"EntityNotFound","message":"Item \'pear\' does not exist"}}',
    '{"id":5,"seq":5,"result":true}',
    None,
]


def check_output(stdout: str) -> None:
    out = stdout.splitlines()
    assert len(out) == len(EXPECTED)
    for got, want in zip(out, EXPECTED):
        if want is not None:
            assert got == want
        else:
            parsed = json.loads(got)
            assert parsed["error"]["type"] == "InvalidRequest"
            assert list(parsed) == ["id", "error"]


def test_stdin_to_stdout() -> None:
    proc = run(str(SHOP), stdin="\n".join(LINES) + "\n")
    assert proc.returncode == 0, proc.stderr
    check_output(proc.stdout)


def test_input_file_and_state_dump(tmp_path: Path) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text("\r\n".join(LINES))  # CRLF and no final newline
    dump = tmp_path / "state.json"
    proc = run(str(SHOP), "--input", str(inp), "--dump-state", str(dump))
    assert proc.returncode == 0, proc.stderr
    check_output(proc.stdout)
    assert json.loads(dump.read_text()) == {
        "Item": {"apple": {"item_id": "apple", "price": 5, "stock": 1}},
        "User": {"alice": {"username": "alice", "balance": 90}},
    }


def test_explicit_stdin_dash_and_empty_input(tmp_path: Path) -> None:
    dump = tmp_path / "state.json"
    proc = run(str(SHOP), "--input", "-", "--dump-state", str(dump), stdin="\n\n")
    assert proc.returncode == 0 and proc.stdout == ""
    assert json.loads(dump.read_text()) == {"Item": {}, "User": {}}


def test_missing_app_or_input(tmp_path: Path) -> None:
    assert run(str(tmp_path / "missing.py")).returncode == 2
    proc = run(str(SHOP), "--input", str(tmp_path / "missing.jsonl"))
    assert proc.returncode == 2 and "cannot read input" in proc.stderr


def test_broken_app_reports_and_exits(tmp_path: Path) -> None:
    app = tmp_path / "broken.py"
    app.write_text("raise RuntimeError('no')\n")
    proc = run(str(app))
    assert proc.returncode == 2
    assert "RuntimeError" in proc.stderr


def test_state_dump_shows_tuple_keys_by_repr(tmp_path: Path) -> None:
    dump = tmp_path / "state.json"
    lines = [
        '{"id": 1, "create": "Store", "args": ["s"]}',
        '{"id": 2, "entity": "Store", "key": "s", "method": "poison"}',
    ]
    proc = run(str(APPS / "edge_app.py"), "--dump-state", str(dump), stdin="\n".join(lines))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1] == '{"id":2,"seq":2,"result":true}'
    meta = json.loads(dump.read_text())["Store"]["s"]["meta"]
    assert meta["(1, 2)"] == "tuple keys cannot be encoded"


def test_unwritable_state_dump_fails_after_results(tmp_path: Path) -> None:
    proc = run(str(SHOP), "--dump-state", str(tmp_path), stdin=LINES[0])
    assert proc.returncode == 1
    assert "state dump" in proc.stderr
    assert proc.stdout.splitlines() == [EXPECTED[0]]


def test_what_the_app_prints_goes_to_stderr(tmp_path: Path) -> None:
    app = tmp_path / "chatty.py"
    app.write_text(
        "from entiflow import entity\n"
        "print('loading')\n"
        "@entity\n"
        "class Log:\n"
        "    def __init__(self, name: str):\n"
        "        self.name = name\n"
        "    def __key__(self):\n"
        "        return self.name\n"
        "    def hello(self) -> int:\n"
        "        print('hello', self.name, sep='|')\n"
        "        return 1\n"
    )
    lines = [
        '{"id": 1, "create": "Log", "args": ["a"]}',
        '{"id": 2, "entity": "Log", "key": "a", "method": "hello"}',
    ]
    proc = run(str(app), stdin="\n".join(lines))
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == [
        '{"id":1,"seq":1,"result":{"$entity":"Log","key":"a"}}',
        '{"id":2,"seq":2,"result":1}',
    ]
    assert proc.stderr.splitlines() == ["loading", "hello|a"]
