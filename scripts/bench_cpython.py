#!/usr/bin/env python3
"""Baseline for `entiflow exec` throughput: plain CPython running the same entity classes
serially in memory (objects in a dict, no transactions, no rollback, no copies), reading the
same JSONL invocations and writing one JSON result per line.

Usage: bench_cpython.py APP.py INVOCATIONS.jsonl
Prints `invocations=N seconds=S per_second=R` on stderr; results go to /dev/null.
"""
import importlib.util
import json
import sys
import time


def main() -> None:
    app, path = sys.argv[1], sys.argv[2]
    spec = importlib.util.spec_from_file_location("bench_app", app)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_app"] = module
    spec.loader.exec_module(module)
    classes = {n: c for n, c in vars(module).items() if getattr(c, "__entiflow_entity__", False)}
    entities: dict = {}

    def decode(v):
        if isinstance(v, dict):
            if "$entity" in v:
                return entities[(v["$entity"], str(v["key"]))]
            return {k: decode(x) for k, x in v.items()}
        if isinstance(v, list):
            return [decode(x) for x in v]
        return v

    def encode(v):
        if type(v).__name__ in classes:
            return {"$entity": type(v).__name__, "key": v.__key__()}
        if isinstance(v, (list, tuple)):
            return [encode(x) for x in v]
        if isinstance(v, dict):
            return {k: encode(x) for k, x in v.items()}
        return v

    lines = open(path).read().splitlines()
    out = open("/dev/null", "w")
    start = time.perf_counter()
    for seq, line in enumerate(lines, 1):
        inv = json.loads(line)
        args = [decode(a) for a in inv.get("args", [])]
        try:
            if "create" in inv:
                obj = classes[inv["create"]](*args)
                entities[(inv["create"], str(obj.__key__()))] = obj
                result = {"id": inv["id"], "seq": seq, "result": encode(obj)}
            else:
                obj = entities[(inv["entity"], str(inv["key"]))]
                value = getattr(obj, inv["method"])(*args)
                result = {"id": inv["id"], "seq": seq, "result": encode(value)}
        except Exception as e:  # noqa: BLE001 - report like the contract does
            result = {"id": inv["id"], "seq": seq, "error": {"type": type(e).__name__, "message": str(e)}}
        out.write(json.dumps(result, separators=(",", ":")) + "\n")
    elapsed = time.perf_counter() - start
    print(f"invocations={len(lines)} seconds={elapsed:.3f} per_second={len(lines) / elapsed:.0f}", file=sys.stderr)


if __name__ == "__main__":
    main()
