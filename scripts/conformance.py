#!/usr/bin/env python3
"""Runs conformance cases through `entiflow exec` and through the CPython reference
(`python -m entiflow.testing`), and compares every result and the final state.

A case is a directory with `app.py` and `invocations.jsonl`. The reference replays the invocations
serially in the order of the `seq` entiflow reported (the contract: results and final state equal a
serial execution in ascending `seq` order). Results must agree exactly, except that
`InvalidRequest` errors compare by type only (their messages are free-form).

Usage: conformance.py [--bin PATH] [--backend NAME] [--workers N] [--brokers B] [--jobmanager J]
                      [--backend-opt KEY=VALUE]... CASE_DIR...
Exit status 0 when every case agrees.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Results and states hold values up to 1000 levels deep (the contract's limit), which Python's
# `json` reads and writes with a few frames per level.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))


def normalize(result: dict) -> dict:
    err = result.get("error")
    if isinstance(err, dict) and err.get("type") == "InvalidRequest":
        return {"id": result.get("id"), "error": {"type": "InvalidRequest"}}
    return result


def run_case(case: Path, binary: str, backend: str, workers: int, extra: list[str]) -> list[str]:
    app, inv = case / "app.py", case / "invocations.jsonl"
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        rust_state, py_state = Path(tmp) / "rust.json", Path(tmp) / "py.json"
        cmd = [binary, "exec", str(app), "--input", str(inv), "--dump-state", str(rust_state), "--backend", backend]
        if workers != 1:
            cmd += ["--workers", str(workers)]
        cmd += extra
        rust = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if rust.returncode != 0:
            return [f"entiflow exec failed ({rust.returncode}): {rust.stderr.strip()}"]
        lines = [l for l in inv.read_text().split("\n") if l.strip()]
        got_raw = [json.loads(l) for l in rust.stdout.split("\n") if l.strip()]
        order = sorted(range(min(len(lines), len(got_raw))), key=lambda i: got_raw[i].get("seq", 0))
        lines = [lines[i] for i in order]
        got_raw = [got_raw[i] for i in order]
        inv = Path(tmp) / "serial.jsonl"
        inv.write_text("\n".join(lines) + "\n")
        env = dict(os.environ, PYTHONPATH=str(ROOT / "python" / "src"))
        py = subprocess.run(
            [sys.executable, "-m", "entiflow.testing", str(app), "--input", str(inv), "--dump-state", str(py_state)],
            capture_output=True, text=True, env=env, timeout=600,
        )
        if py.returncode != 0:
            return [f"reference failed ({py.returncode}): {py.stderr.strip()}"]
        got = [normalize(r) for r in got_raw]
        want = [normalize(json.loads(l)) for l in py.stdout.split("\n") if l.strip()]
        if len(got) != len(want):
            problems.append(f"{len(got)} results from entiflow, {len(want)} from the reference")
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                problems.append(f"line {i + 1}: {lines[i] if i < len(lines) else ''}\n    entiflow:  {json.dumps(g)}\n    reference: {json.dumps(w)}")
        gs, ws = json.loads(rust_state.read_text()), json.loads(py_state.read_text())
        if gs != ws:
            problems.append(f"final state differs\n    entiflow:  {json.dumps(gs, sort_keys=True)}\n    reference: {json.dumps(ws, sort_keys=True)}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=str(ROOT / "target" / "debug" / "entiflow"))
    parser.add_argument("--backend", default="native")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--brokers", help="a distributed backend's Kafka bootstrap servers")
    parser.add_argument("--jobmanager", help="the Flink backend's JobManager REST address")
    parser.add_argument("--backend-opt", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("cases", nargs="+", type=Path)
    args = parser.parse_args()
    extra: list[str] = []
    if args.brokers:
        extra += ["--brokers", args.brokers]
    if args.jobmanager:
        extra += ["--jobmanager", args.jobmanager]
    for opt in args.backend_opt:
        extra += ["--backend-opt", opt]
    failed = 0
    for case in args.cases:
        problems = run_case(case, args.bin, args.backend, args.workers, extra)
        if problems:
            failed += 1
            print(f"FAIL {case}")
            for p in problems:
                print("  " + p)
        else:
            print(f"ok   {case}")
    print(f"{len(args.cases) - failed}/{len(args.cases)} cases agree")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
