#!/usr/bin/env python3
"""Kafka backend figures beside the native backend, measured in the same run.

`entiflow run tests/apps/transfer.py` serves HTTP on the native engine and on the Kafka backend
(a local broker from scripts/services.sh, one embedded worker, 4 partitions); the Rust load
generator drives transfers between 1000 accounts in a closed loop and reports throughput and
p50/p99/p99.9 latency. Run `cargo build --release -p entiflow -p entiflow-loadgen -p entiflow-kafka`
first (cargo xtask bench does).
"""
from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from bench_e2e import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "entiflow"
LOADGEN = ROOT / "target" / "release" / "entiflow-loadgen"


def brokers() -> str:
    out = subprocess.run(["bash", str(ROOT / "scripts/services.sh"), "up", "kafka"], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def serve_and_load(label: str, extra: list[str], connections: list[int]) -> list[str]:
    port = free_port()
    server = subprocess.Popen([str(BIN), "run", str(ROOT / "tests/apps/transfer.py"), "--listen", f"127.0.0.1:{port}", *extra],
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        lines = []
        for c in connections:
            out = subprocess.run([str(LOADGEN), "--url", f"http://127.0.0.1:{port}", "--duration", "10", "--warmup", "3",
                                  "--accounts", "1000", "--connections", str(c), "--label", f"{label} c={c}"],
                                 capture_output=True, text=True)
            lines.append(out.stdout.strip() if out.returncode == 0 else f"{label} c={c}: failed: {out.stderr.strip()[-300:]}")
        return lines
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    address = brokers()
    print(f"broker: {address}")
    results = serve_and_load("native", [], [1, 16, 64])
    results += serve_and_load("kafka", ["--backend", "kafka", "--brokers", address,
                                        "--backend-opt", "fresh_state=true", "--backend-opt", "session_timeout_ms=2000"],
                              [1, 16, 64])
    for line in results:
        print(line)


if __name__ == "__main__":
    main()
