#!/usr/bin/env python3
"""Kafka and Flink backend figures beside the native backend, measured in the same run.

`entiflow run tests/apps/transfer.py` serves HTTP on the native engine, on the Kafka backend (a
local broker from scripts/services.sh, one embedded worker, 4 partitions) and on the Flink backend
(a job on the local Flink cluster from scripts/services.sh, same broker, 4 partitions); the Rust
load generator drives transfers between 1000 accounts in a closed loop and reports throughput and
p50/p99/p99.9 latency. Run `cargo build --release -p entiflow -p entiflow-loadgen -p entiflow-kafka
-p entiflow-flink` first (cargo xtask bench does).
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from bench_e2e import serve

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "entiflow"
LOADGEN = ROOT / "target" / "release" / "entiflow-loadgen"


def services(*args: str) -> str:
    """The last line scripts/services.sh prints (an address or a directory)."""
    out = subprocess.run(["bash", str(ROOT / "scripts/services.sh"), *args], check=True,
                         capture_output=True, text=True)
    lines = out.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def fresh_broker() -> str:
    """Restarts the local broker empty; its address."""
    services("down", "kafka")
    return services("up", "kafka")


def serve_and_load(label: str, extra: list[str], connections: list[int], env: dict | None = None) -> list[str]:
    # A Flink job takes seconds to build and start before the server listens.
    server, port = serve(extra, env, wait_s=120)
    try:
        lines = []
        for c in connections:
            out = subprocess.run([str(LOADGEN), "--url", f"http://127.0.0.1:{port}", "--duration", "10", "--warmup", "3",
                                  "--accounts", "1000", "--connections", str(c), "--label", f"{label} c={c}"],
                                 capture_output=True, text=True)
            if out.returncode == 0:
                lines.append(out.stdout.strip())
            else:
                errors = [l for l in out.stderr.splitlines() if l.startswith("Error")] or [out.stderr.strip()[-300:]]
                lines.append(f"{label} c={c}: failed: {errors[0]}")
        return lines
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    jobmanager = services("up", "flink")
    flink_env = {"FLINK_HOME": services("flink-home"), "ENTIFLOW_FLINK_CONNECTOR": services("flink-connector")}
    results = serve_and_load("native", [], [1, 16, 64])
    # Each distributed backend gets a freshly started broker: tansu's memory engine slows down as
    # the topics and transactions of a run accumulate.
    address = fresh_broker()
    print(f"broker: {address}, Flink JobManager: {jobmanager}")
    results += serve_and_load("kafka", ["--backend", "kafka", "--brokers", address,
                                        "--backend-opt", "fresh_state=true", "--backend-opt", "session_timeout_ms=2000"],
                              [1, 16, 64])
    address = fresh_broker()
    results += serve_and_load("flink", ["--backend", "flink", "--brokers", address, "--jobmanager", jobmanager,
                                        "--backend-opt", "fresh_state=true"],
                              [1, 16, 64], flink_env)
    for line in results:
        print(line)


if __name__ == "__main__":
    main()
