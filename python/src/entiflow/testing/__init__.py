"""Run entiflow apps in plain CPython: :class:`LocalApp` and its command line.

``python -m entiflow.testing APP.py [--input FILE|-] [--dump-state FILE]``
runs JSONL invocations against ``APP.py`` and prints one compact JSON result
per non-blank input line.
"""

from __future__ import annotations

from ._local import LocalApp, load_module

__all__ = ["LocalApp", "load_module"]
