"""Exceptions raised by entiflow itself (as opposed to exceptions of user code).

The names of these classes are part of the wire contract: an error result
``{"error": {"type": "EntityNotFound", ...}}`` is raised in Python as
:class:`EntityNotFound`, and so on.
"""

from __future__ import annotations

__all__ = [
    "EntiflowError",
    "EntityExists",
    "EntityNotFound",
    "InvalidRequest",
    "RemoteError",
    "TransportError",
    "UnknownAttribute",
]


class EntiflowError(Exception):
    """Base class of every exception defined by entiflow."""


class InvalidRequest(EntiflowError):
    """An invocation is malformed or names an unknown entity type or method.

    Invalid requests are rejected before they run: they are not transactions
    and consume no sequence number.
    """


class UnknownAttribute(InvalidRequest, AttributeError):
    """A reference, outside of a transaction, read an attribute its entity type does not offer.

    It is an :class:`InvalidRequest` (nothing ran) and, as plain Python would raise, an
    :class:`AttributeError`, so ``hasattr(ref, name)`` and ``getattr(ref, name, default)`` work.
    """


class EntityNotFound(EntiflowError):
    """An invocation or a reference names an entity that does not exist.

    The message has the form ``Item 'pear' does not exist``.
    """


class EntityExists(EntiflowError):
    """A create invocation produced a key that is already taken.

    The message has the form ``Item 'apple' already exists``.
    """


class RemoteError(EntiflowError):
    """Base class of exceptions that a server reported under an unknown name.

    :class:`entiflow.Client` creates one subclass per reported type name, so
    ``type(exc).__name__`` is the name the server sent.
    """


class TransportError(EntiflowError):
    """The server could not be reached, or replied with something unexpected."""
