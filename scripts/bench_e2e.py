#!/usr/bin/env python3
"""End-to-end figures for the README, each beside its baseline measured in the same run:

1. `entiflow compile` of a generated ~12k-line program (whole process) vs CPython's `ast.parse`
   of the same text (parse only, start-up excluded).
2. `entiflow exec` throughput on generated workloads (transactions on) vs plain CPython running
   the same classes serially in memory (scripts/bench_cpython.py).
3. `entiflow run` over HTTP with the Rust load generator: closed loop and open loop at 25k/s,
   in memory and with --data-dir.

Run `cargo build --release -p entiflow -p entiflow-loadgen` first (cargo xtask bench does).
"""
from __future__ import annotations

import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "entiflow"
LOADGEN = ROOT / "target" / "release" / "entiflow-loadgen"


def wall(cmd: list[str], runs: int = 5, **kw) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def transfer_workload(path: Path, accounts: int, count: int) -> None:
    rng = random.Random(1)
    with path.open("w") as f:
        for a in range(accounts):
            f.write(json.dumps({"id": f"c{a}", "create": "Account", "args": [f"a{a}", 100]}) + "\n")
        for t in range(count):
            x = rng.randrange(accounts)
            y = (x + 1 + rng.randrange(accounts - 1)) % accounts
            f.write(json.dumps({"id": f"t{t}", "entity": "Account", "key": f"a{x}", "method": "transfer",
                                "args": [rng.randint(1, 60), {"$entity": "Account", "key": f"a{y}"}]}) + "\n")


def shop_workload(path: Path, items: int, users: int, count: int) -> None:
    rng = random.Random(2)
    with path.open("w") as f:
        for i in range(items):
            f.write(json.dumps({"id": f"i{i}", "create": "Item", "args": [f"item{i}", 1 + i % 7]}) + "\n")
            f.write(json.dumps({"id": f"s{i}", "entity": "Item", "key": f"item{i}", "method": "update_stock", "args": [1000]}) + "\n")
        for u in range(users):
            f.write(json.dumps({"id": f"u{u}", "create": "User", "args": [f"user{u}"]}) + "\n")
        for t in range(count):
            f.write(json.dumps({"id": f"b{t}", "entity": "User", "key": f"user{rng.randrange(users)}", "method": "buy_item",
                                "args": [1, {"$entity": "Item", "key": f"item{rng.randrange(items)}"}]}) + "\n")


def cpython_rate(app: Path, workload: Path) -> float:
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_cpython.py"), str(app), str(workload)],
                         check=True, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT / "python" / "src")))
    rates = [float(p.split("=")[1]) for p in out.stderr.split() if p.startswith("per_second=")]
    return rates[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(extra: list[str], env: dict | None = None, wait_s: float = 5) -> tuple[subprocess.Popen, int]:
    """Starts `entiflow run tests/apps/transfer.py` on a free port and waits up to `wait_s` for it to listen."""
    port = free_port()
    server = subprocess.Popen([str(BIN), "run", str(ROOT / "tests/apps/transfer.py"), "--listen", f"127.0.0.1:{port}", *extra],
                              stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return server, port


def http_runs(label: str, extra: list[str]) -> list[str]:
    server, port = serve(extra)
    try:
        lines = []
        for args in (["--connections", "64"], ["--connections", "128", "--rate", "25000"]):
            out = subprocess.run([str(LOADGEN), "--url", f"http://127.0.0.1:{port}", "--duration", "10", "--warmup", "2",
                                  "--accounts", "10000", "--label", label, *args], check=True, capture_output=True, text=True)
            lines.append(out.stdout.strip())
        return lines
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="entiflow-bench-"))
    try:
        big = tmp / "big.py"
        big.write_text(subprocess.run([sys.executable, str(ROOT / "scripts/gen_big_program.py")], check=True, capture_output=True, text=True).stdout)
        lines = len(big.read_text().splitlines())
        compile_s = wall([str(BIN), "compile", str(big), "-o", str(tmp / "out")])
        parse = subprocess.run([sys.executable, "-c", "import ast,sys,time,statistics\nsrc=open(sys.argv[1]).read()\nts=[]\nfor _ in range(5):\n    t=time.perf_counter(); ast.parse(src); ts.append(time.perf_counter()-t)\nprint(statistics.median(ts))", str(big)],
                               check=True, capture_output=True, text=True)
        parse_s = float(parse.stdout)
        print(f"compile {lines}-line program: entiflow compile (whole process) {compile_s * 1000:.0f} ms; CPython ast.parse alone {parse_s * 1000:.0f} ms; ratio {parse_s / compile_s:.1f}x")

        for name, app, make in (
            ("transfer", ROOT / "tests/apps/transfer.py", lambda p: transfer_workload(p, 1000, 200_000)),
            ("shop", ROOT / "examples/shop/app.py", lambda p: shop_workload(p, 200, 1000, 200_000)),
        ):
            workload = tmp / f"{name}.jsonl"
            make(workload)
            n = sum(1 for _ in workload.open())
            ours = wall([str(BIN), "exec", str(app), "--input", str(workload)], runs=3)
            theirs = cpython_rate(app, workload)
            print(f"exec {name} ({n} invocations): entiflow {n / ours:,.0f}/s (whole process, transactions on); plain CPython {theirs:,.0f}/s (in-loop); ratio {n / ours / theirs:.1f}x")

        for line in http_runs("memory", []):
            print("http " + line)
        data = tmp / "data"
        for line in http_runs("durable", ["--data-dir", str(data)]):
            print("http " + line)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
