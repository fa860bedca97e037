"""The ``python -m entiflow.testing`` command line."""

from __future__ import annotations

import argparse
import io
import json
import sys
import traceback
from typing import Any, Iterable, Sequence, TextIO

from .._codec import dumps_compact, room_for_depth
from ._local import LocalApp

__all__ = ["main", "run_lines"]


def run_lines(app: LocalApp, lines: Iterable[str], out: TextIO) -> int:
    """Invoke every non-blank line and write one compact JSON result per line.

    Returns the number of results written.  A line always yields exactly one
    result, even if running it fails in an unexpected way (then the result is
    an error of type ``InternalError``).
    """
    count = 0
    for line in lines:
        if not line.strip():
            continue
        result: dict[str, Any]
        try:
            result = app.invoke_json(line)
            # A result holds a value as deep as MAX_JSON_DEPTH inside its own object.
            with room_for_depth():
                text = dumps_compact(result)
        except Exception as exc:  # defensive: keep the one-line-per-input promise
            result = {"id": _read_id(line), "error": {"type": "InternalError", "message": repr(exc)}}
            text = dumps_compact(result)
        out.write(text + "\n")
        out.flush()
        count += 1
    return count


def _read_id(line: str) -> Any:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    request_id = value.get("id") if isinstance(value, dict) else None
    return request_id if isinstance(request_id, (str, int)) and not isinstance(request_id, bool) else None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m entiflow.testing",
        description="Run JSONL invocations against an entiflow app in plain CPython "
        "and print one JSON result per non-blank input line.",
    )
    parser.add_argument("app", help="path of the app's Python file")
    parser.add_argument(
        "--input",
        default="-",
        metavar="FILE",
        help="JSONL file with one invocation per line ('-' for standard input, the default)",
    )
    parser.add_argument(
        "--dump-state",
        metavar="FILE",
        help="write the state of all entities as JSON to FILE after the last invocation",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status.

    0 on success (failed transactions included), 1 if the state dump cannot be
    written, 2 if the app or the input cannot be loaded.
    """
    args = _parser().parse_args(argv)
    # Results own standard output; what the app prints goes to standard error, as with entiflow.
    results = sys.stdout
    sys.stdout = sys.stderr
    try:
        return _run(args, results)
    finally:
        sys.stdout = results


def _run(args: argparse.Namespace, results: TextIO) -> int:
    try:
        app = LocalApp(args.app)
    except Exception:
        print(f"error: cannot load app {args.app}:", file=sys.stderr)
        traceback.print_exc()
        return 2
    try:
        if args.input == "-":
            stdin: TextIO = sys.stdin
            if hasattr(stdin, "buffer"):
                stdin = io.TextIOWrapper(stdin.buffer, encoding="utf-8-sig")
            run_lines(app, stdin, results)
        else:
            with open(args.input, encoding="utf-8-sig") as fh:
                run_lines(app, fh, results)
    except OSError as exc:
        print(f"error: cannot read input: {exc}", file=sys.stderr)
        return 2
    if args.dump_state:
        try:
            state = app.dump_state()
            with room_for_depth():
                text = json.dumps(state, indent=2)
            with open(args.dump_state, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        except (OSError, TypeError, ValueError) as exc:
            print(f"error: cannot write the state dump: {exc}", file=sys.stderr)
            return 1
    return 0
