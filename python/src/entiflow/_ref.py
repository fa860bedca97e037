"""Entity references.

A :class:`Ref` names one entity by its type name and key.  Attribute access
on a reference is forwarded to the *backend* the reference is bound to (a
:class:`entiflow.testing.LocalApp` or an :class:`entiflow.Client`), which turns
it into a field read or a method call on the entity.
"""

from __future__ import annotations

from typing import Any, Protocol, Union

__all__ = ["Key", "Ref", "RefBackend", "normalize_key", "ref_json", "ref_key", "ref_type"]

#: The type of entity keys: what ``__key__`` returns.
Key = Union[str, int]


def normalize_key(key: object) -> str:
    """Return the canonical form of an entity key.

    Keys are ``str`` or ``int``; ``5`` and ``"5"`` name the same entity, so the
    canonical form is ``str(key)``.  Raises :class:`TypeError` for anything
    else (``bool`` included).
    """
    if isinstance(key, str):
        return key
    if isinstance(key, int) and not isinstance(key, bool):
        return str(int(key))
    raise TypeError(f"entity keys must be str or int, not {type(key).__name__}")


class RefBackend(Protocol):
    """What a :class:`Ref` needs from the object it is bound to."""

    def _ref_getattr(self, ref: Ref, name: str) -> Any:
        """Return the value of attribute ``name`` read through ``ref``."""

    def _ref_class(self, ref: Ref) -> type | None:
        """Return the entity class of ``ref`` if the backend knows it."""

    def _entity_ref(self, value: object) -> Ref | None:
        """Return the reference standing for an entity object, or None for other values."""


class Ref:
    """A reference to the entity ``(entity_type, key)``.

    References are immutable and hashable; two references are equal when they
    name the same entity (same type name, same key after
    :func:`normalize_key`), whatever they are bound to.  Copying a reference
    (also with :func:`copy.deepcopy`) returns the reference itself.

    Attribute access is forwarded to the backend: ``ref.price`` reads a field,
    ``ref.buy_item(2, other)`` calls a method.  Use :func:`ref_type` and
    :func:`ref_key` to get the type name and key, so that no attribute of the
    reference can shadow a field or method of the entity.

    >>> Ref("Item", "apple")
    Ref('Item', 'apple')
    >>> Ref("Item", 5) == Ref("Item", "5")
    True
    """

    __slots__ = ("_ef_type", "_ef_key", "_ef_norm", "_ef_backend")

    _ef_type: str
    _ef_key: Key
    _ef_norm: str
    _ef_backend: RefBackend | None

    def __init__(self, entity_type: str, key: Key, backend: RefBackend | None = None) -> None:
        """Create a reference; ``backend`` resolves attribute access (optional).

        A reference is immutable: calling ``__init__`` on an existing one (``ref.__init__(...)``,
        which would re-aim every holder of the shared reference) raises :class:`AttributeError`.
        """
        try:
            entity = object.__getattribute__(self, "_ef_type")
        except AttributeError:
            pass
        else:
            raise AttributeError(f"{entity}.__init__ cannot be used through a reference")
        if not isinstance(entity_type, str):
            raise TypeError(f"entity type must be a str, not {type(entity_type).__name__}")
        norm = normalize_key(key)
        object.__setattr__(self, "_ef_type", entity_type)
        object.__setattr__(self, "_ef_key", key)
        object.__setattr__(self, "_ef_norm", norm)
        object.__setattr__(self, "_ef_backend", backend)

    def __getattr__(self, name: str) -> Any:
        """Forward a field read or method lookup to the bound backend."""
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        backend = object.__getattribute__(self, "_ef_backend")
        if backend is None:
            raise AttributeError(f"{self!r} is not bound to an app or client, cannot access {name!r}")
        return backend._ref_getattr(self, name)

    def __setattr__(self, name: str, value: object) -> None:
        """References are read-only: entities change only through their methods."""
        raise AttributeError(
            f"cannot assign {name!r} through {self!r}: an entity's fields can only be changed by its own methods"
        )

    def __delattr__(self, name: str) -> None:
        """References are read-only."""
        raise AttributeError(f"cannot delete {name!r} through {self!r}")

    def _ef_get_class(self) -> type:
        backend = object.__getattribute__(self, "_ef_backend")
        if backend is not None:
            cls: type | None = backend._ref_class(self)
            if cls is not None:
                return cls
        return Ref

    # ``isinstance(ref, Item)`` is True when the backend knows the class, as
    # it would be for the entity object itself in plain Python.
    __class__ = property(_ef_get_class)

    def __eq__(self, other: object) -> bool:
        """Equal when both name the same entity (``other`` may be the entity object itself,
        as ``self`` is inside its methods)."""
        if isinstance(other, Ref):
            return self._ef_type == other._ef_type and self._ef_norm == other._ef_norm
        backend = object.__getattribute__(self, "_ef_backend")
        if backend is not None:
            as_ref = backend._entity_ref(other)
            if as_ref is not None:
                return self == as_ref
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        """The negation of :meth:`__eq__`."""
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        """Hash of the identity ``(type name, normalized key)``."""
        return hash((self._ef_type, self._ef_norm))

    def __repr__(self) -> str:
        """``Ref('Item', 'apple')``."""
        return f"Ref({self._ef_type!r}, {self._ef_key!r})"

    def __copy__(self) -> Ref:
        """References are immutable: a copy is the reference itself."""
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Ref:
        """References are immutable: a deep copy is the reference itself."""
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as an unbound reference."""
        return (Ref, (self._ef_type, self._ef_key))


def ref_type(ref: Ref) -> str:
    """Return the entity type name of ``ref``."""
    return ref._ef_type


def ref_key(ref: Ref) -> Key:
    """Return the key of ``ref`` as it was given (not normalized)."""
    return ref._ef_key


def ref_json(ref: Ref) -> dict[str, Any]:
    """Return the JSON form of ``ref``: ``{"$entity": T, "key": K}``."""
    return {"$entity": ref._ef_type, "key": ref._ef_key}
