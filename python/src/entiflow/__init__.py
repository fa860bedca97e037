"""entiflow: stateful entities in Python, compiled to dataflows.

Decorate classes with :func:`entity`; run the module in plain CPython, locally
with transactions through :class:`entiflow.testing.LocalApp`, or on a server
through :class:`Client`.
"""

from __future__ import annotations

from . import errors
from ._entity import entity, is_entity_class
from ._ref import Key, Ref, normalize_key, ref_json, ref_key, ref_type
from .client import Client

__version__ = "0.1.0"

__all__ = [
    "Client",
    "Key",
    "Ref",
    "entity",
    "errors",
    "is_entity_class",
    "normalize_key",
    "ref_json",
    "ref_key",
    "ref_type",
]
