"""The ``@entity`` class decorator."""

from __future__ import annotations

from typing import TypeVar

__all__ = ["entity", "is_entity_class"]

_C = TypeVar("_C", bound=type)

#: Name of the class attribute that marks an entity class.
ENTITY_MARKER = "__entiflow_entity__"


def entity(cls: _C) -> _C:
    """Mark ``cls`` as a stateful entity and return it unchanged.

    The class keeps working as a plain Python class; the marker only tells the
    entiflow compiler and :class:`entiflow.testing.LocalApp` which classes are
    entities.  An entity class defines ``__init__`` (which assigns all of its
    fields) and ``__key__`` (which returns the entity's key, a ``str`` or an
    ``int``).

    >>> @entity
    ... class Counter:
    ...     def __init__(self, name: str):
    ...         self.name = name
    ...         self.value = 0
    ...     def __key__(self):
    ...         return self.name
    >>> Counter.__entiflow_entity__
    True
    """
    if not isinstance(cls, type):
        raise TypeError(f"@entity can only decorate a class, not {type(cls).__name__}")
    setattr(cls, ENTITY_MARKER, True)
    return cls


def is_entity_class(obj: object) -> bool:
    """Return True if ``obj`` is a class decorated with :func:`entity` itself.

    Subclasses of an entity class are not entities unless they are decorated
    too.
    """
    return isinstance(obj, type) and obj.__dict__.get(ENTITY_MARKER) is True
