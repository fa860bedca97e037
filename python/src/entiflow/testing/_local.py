"""In-process execution of an entiflow app: :class:`LocalApp`.

:class:`LocalApp` runs the entities of a module in plain CPython with the
transactional semantics of the entiflow runtime.  It is the reference the
runtime's conformance tests compare against, so its behaviour is specified
precisely in the package README; the short version:

* every top-level invocation is one transaction: if an exception escapes, every
  entity it touched is restored;
* entities only see each other through :class:`~entiflow.Ref` objects, and
  values crossing an entity boundary are deep-copied;
* results are encoded as JSON values and numbered with a sequence number.
"""

from __future__ import annotations

import copy
import importlib.util
import inspect
import itertools
import json
import math
import os
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from .. import errors
from .._codec import ENTITY_TAG, MAX_JSON_DEPTH, decode_value, encode_dump, encode_value, room_for_depth
from .._entity import is_entity_class
from .._ref import Key, Ref, normalize_key, ref_key, ref_type

__all__ = ["LocalApp", "load_module"]

_T = TypeVar("_T")

#: Identity of an entity: (type name, normalized key).
_Ident = tuple[str, str]

_CALL_FIELDS = frozenset({"id", "entity", "key", "method", "args", "kwargs"})
_CREATE_FIELDS = frozenset({"id", "create", "args", "kwargs"})
_ATOMS = (type(None), bool, int, float, complex, str, bytes)
_module_counter = itertools.count(1)


def load_module(path: str | os.PathLike[str]) -> types.ModuleType:
    """Import the Python file at ``path`` under a fresh, unique module name.

    Loading the same file twice gives two independent modules, so two
    :class:`LocalApp` objects never share classes or module state.
    """
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"no such app file: {file}")
    stem = "".join(c if c.isalnum() else "_" for c in file.stem)
    name = f"_entiflow_app_{next(_module_counter)}_{stem}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {file} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


class _EntityNotFoundAbort(BaseException):
    """Raised inside a transaction when a reference names a missing entity.

    It derives from BaseException so that ``except Exception`` in user code
    does not catch it; and the transaction remembers it, so it aborts even if
    user code swallows it with a bare ``except``.  It is reported as
    ``EntityNotFound``.
    """


class _Invalid(Exception):
    """An invalid request, with the request id if it could be read."""

    def __init__(self, request_id: object, message: str) -> None:
        super().__init__(message)
        self.request_id = request_id


@dataclass
class _Transaction:
    """Book-keeping of the running top-level invocation."""

    #: Entities whose methods ran, with a snapshot of their state on first touch.
    touched: dict[_Ident, tuple[object, dict[str, Any]]] = field(default_factory=dict)
    #: Entities created by this transaction (removed again on abort).
    created: list[_Ident] = field(default_factory=list)
    #: The entities whose methods are running, innermost last (None: a constructor).
    stack: list[_Ident | None] = field(default_factory=list)
    #: The first EntityNotFound abort; once set, the transaction cannot commit.
    fatal: _EntityNotFoundAbort | None = None


@dataclass
class _Outcome:
    """How a transaction ended: a value or an exception."""

    seq: int
    value: Any = None
    error: BaseException | None = None


class _RemoteMethod:
    """A method of an entity, looked up through a reference."""

    __slots__ = ("_app", "_ref", "_name")

    def __init__(self, app: LocalApp, ref: Ref, name: str) -> None:
        self._app = app
        self._ref = ref
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._app._call_through_ref(self._ref, self._name, args, kwargs)

    def __repr__(self) -> str:
        return f"<method {self._name} of {self._ref!r}>"


class LocalApp:
    """Runs the entities of one module in CPython, with entiflow semantics.

    ``module`` is an imported module or the path of a ``.py`` file (loaded with
    :func:`load_module`).  All classes decorated with :func:`entiflow.entity`
    found in the module namespace are the entity types (in definition order);
    exception classes defined in the module are the user exceptions.

    Two interfaces share one store and one sequence counter:

    * the JSON contract: :meth:`invoke`, :meth:`invoke_json`,
      :meth:`exec_jsonl` take invocations and return result dicts;
    * the Pythonic one: :meth:`create`, :meth:`ref`, :meth:`state`; a method
      call on a reference from :meth:`ref` is a transaction that returns the
      value or raises the exception.

    >>> app = LocalApp("examples/shop/app.py")          # doctest: +SKIP
    >>> apple = app.create("Item", "apple", 5)          # doctest: +SKIP
    >>> app.invoke({"id": 1, "entity": "Item", "key": "apple",
    ...             "method": "update_stock", "args": [3]})  # doctest: +SKIP
    {'id': 1, 'seq': 2, 'result': True}

    A LocalApp is not thread-safe.
    """

    def __init__(self, module: types.ModuleType | str | os.PathLike[str]) -> None:
        """Collect the entity and exception classes of ``module``."""
        if not isinstance(module, types.ModuleType):
            module = load_module(module)
        self.module: types.ModuleType = module
        self._classes: dict[str, type] = {}
        self._exceptions: dict[str, type[BaseException]] = {}
        for value in list(vars(module).values()):
            if is_entity_class(value):
                name = value.__name__
                if name in self._classes and self._classes[name] is not value:
                    raise TypeError(f"two entity classes are named {name!r}")
                if not callable(getattr(value, "__key__", None)):
                    raise TypeError(f"entity class {name} does not define __key__")
                self._classes[name] = value
                # An entity object hashes as its references do (it already compares equal to
                # them), so `self in {ref, ...}` finds it as Python finds an object in a set of
                # the same objects.
                value.__hash__ = _entity_hash  # type: ignore[method-assign]
            elif (
                isinstance(value, type)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
            ):
                self._exceptions[value.__name__] = value
        self._class_names: dict[type, str] = {cls: name for name, cls in self._classes.items()}
        self._store: dict[str, dict[str, object]] = {name: {} for name in self._classes}
        self._refs_by_object: dict[int, Ref] = {}
        # One reference object per entity (and key spelling), so `a is b` holds for two
        # references to the same entity, as it does for plain objects; each entity type gets a
        # Ref subclass named after it, so error messages name the type as plain Python would.
        self._interned: dict[tuple[str, str, str], Ref] = {}
        self._ref_classes: dict[str, type[Ref]] = {}
        self._seq = 0
        self._tx: _Transaction | None = None
        # Results by invocation id (its JSON text: 7 and "7" are different ids).
        self._results: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ info

    @property
    def entity_types(self) -> dict[str, type]:
        """The entity classes by type name, in definition order."""
        return dict(self._classes)

    @property
    def exception_types(self) -> dict[str, type[BaseException]]:
        """The exception classes defined in the module, by name."""
        return dict(self._exceptions)

    @property
    def seq(self) -> int:
        """The sequence number of the last transaction (0 before the first)."""
        return self._seq

    # ------------------------------------------------------- JSON interface

    def invoke(self, invocation: object) -> dict[str, Any]:
        """Run one invocation (a dict in the JSON form) and return its result dict.

        Results look like ``{"id": ID, "seq": N, "result": VALUE}`` or
        ``{"id": ID, "seq": N, "error": {"type": T, "message": M}}``; invalid
        requests give ``{"id": ID, "error": {"type": "InvalidRequest", ...}}``
        without a ``seq``.  An id that already ran gets its recorded result
        and runs nothing.  This method does not raise for errors of the
        invocation itself.
        """
        self._require_idle()
        try:
            request_id, body = self._parse(invocation)
        except _Invalid as exc:
            return _invalid_result(exc.request_id, str(exc))
        dedup_key = json.dumps(request_id)
        recorded = self._results.get(dedup_key)
        if recorded is not None:
            return dict(recorded)
        outcome = self._transaction(body)
        if outcome.error is None:
            result = {"id": request_id, "seq": outcome.seq, "result": outcome.value}
        else:
            type_name, message = _describe(outcome.error)
            result = {"id": request_id, "seq": outcome.seq, "error": {"type": type_name, "message": message}}
        self._results[dedup_key] = result
        return dict(result)

    def invoke_json(self, line: str) -> dict[str, Any]:
        """Parse one JSON line and :meth:`invoke` it (bad JSON is an InvalidRequest)."""
        self._require_idle()
        try:
            with room_for_depth():
                invocation = json.loads(line, parse_constant=_reject_constant, parse_float=_finite_float)
        except (ValueError, RecursionError) as exc:
            return _invalid_result(None, f"malformed JSON: {exc}")
        # Only a line with that many brackets can nest that deep.
        brackets = line.count("[") + line.count("{")
        if brackets > MAX_DOCUMENT_DEPTH and _nesting(invocation) > MAX_DOCUMENT_DEPTH:
            return _invalid_result(None, f"malformed JSON: nested more than {MAX_DOCUMENT_DEPTH} levels deep")
        return self.invoke(invocation)

    def exec_jsonl(self, path: str | os.PathLike[str]) -> list[dict[str, Any]]:
        """Run every non-blank line of a JSONL file; return one result per line."""
        with open(path, encoding="utf-8-sig") as fh:
            return [self.invoke_json(line) for line in fh if line.strip()]

    def dump_state(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Return the JSON form of every entity, by type then by ``str(key)``.

        All entity types appear in definition order (empty ones as ``{}``),
        entities in creation order, fields in assignment order.
        """
        return {
            name: {key: self._encode_fields(obj) for key, obj in entities.items()}
            for name, entities in self._store.items()
        }

    # ---------------------------------------------------- Pythonic interface

    def create(self, entity_type: str, /, *args: Any, **kwargs: Any) -> Ref:
        """Create an entity in its own transaction and return a reference to it.

        Raises :class:`~entiflow.errors.InvalidRequest` for an unknown type,
        :class:`~entiflow.errors.EntityExists` when the key is taken, and the
        exception of the constructor if it fails.
        """
        self._require_idle()
        if entity_type not in self._classes:
            raise errors.InvalidRequest(f"unknown entity type {entity_type!r}")
        copied_args = self._boundary_copy(list(args))
        copied_kwargs = self._boundary_copy(dict(kwargs))
        ref: Ref = self._unwrap(self._transaction(lambda: self._create(entity_type, copied_args, copied_kwargs)))
        return ref

    def ref(self, entity_type: str, key: Key) -> Ref:
        """Return a reference bound to this app (the entity need not exist).

        Calling a method through it outside of a transaction runs a top-level
        transaction; reading a field returns a copy of the field.
        """
        if entity_type not in self._classes:
            raise errors.InvalidRequest(f"unknown entity type {entity_type!r}")
        return self._intern_ref(entity_type, key)

    def _intern_ref(self, entity_type: str, key: Key) -> Ref:
        """The reference object for ``(entity_type, key)`` bound to this app."""
        slot = (entity_type, type(key).__name__, normalize_key(key))
        ref = self._interned.get(slot)
        if ref is None:
            cls = self._ref_classes.get(entity_type)
            if cls is None:
                cls = type(entity_type, (Ref,), {"__slots__": ()})
                self._ref_classes[entity_type] = cls
            ref = cls(entity_type, key, self)
            self._interned[slot] = ref
        return ref

    def state(self, entity_type: str, key: Key) -> dict[str, Any]:
        """Return the JSON form of one entity's fields.

        Raises :class:`~entiflow.errors.EntityNotFound` if it does not exist.
        """
        if entity_type not in self._classes:
            raise errors.InvalidRequest(f"unknown entity type {entity_type!r}")
        obj = self._store[entity_type].get(normalize_key(key))
        if obj is None:
            raise errors.EntityNotFound(_not_found_message(entity_type, key))
        return self._encode_fields(obj)

    def exists(self, entity_type: str, key: Key) -> bool:
        """Return True if the entity exists."""
        return normalize_key(key) in self._store.get(entity_type, {})

    # --------------------------------------------------- reference backend

    def _ref_class(self, ref: Ref) -> type | None:
        return self._classes.get(ref_type(ref))

    def _ref_getattr(self, ref: Ref, name: str) -> Any:
        entity_type = ref_type(ref)
        tx = self._tx
        if tx is None:
            # Outside of a transaction: the Pythonic top-level interface.
            cls = self._classes.get(entity_type)
            if cls is None:
                raise errors.InvalidRequest(f"unknown entity type {entity_type!r}")
            if _is_public_method(cls, name):
                return _RemoteMethod(self, ref, name)
            obj = self._store[entity_type].get(ref._ef_norm)
            if obj is None:
                raise errors.EntityNotFound(_not_found_message(entity_type, ref_key(ref)))
            if not name.startswith("_") and name in vars(obj):
                return self._boundary_copy(vars(obj)[name])
            raise errors.UnknownAttribute(f"{entity_type} has no public method or field {name!r}")
        if name.startswith("__") and name.endswith("__"):
            # `__init__` and `__key__` of another entity are not the language's to call.
            raise AttributeError(f"{entity_type}.{name} cannot be used through a reference")
        obj = self._resolve(ref)
        if name.startswith("_") and (not tx.stack or tx.stack[-1][0] != entity_type):
            # As in Python, where `_name` is a convention of the class: its methods may use it
            # on any instance of the class.
            raise AttributeError(
                f"{entity_type}.{name} is private: only {entity_type} entities can use it"
            )
        fields = vars(obj)
        if name in fields:
            if tx.stack and tx.stack[-1] == _ident(ref):
                # A field of the running entity read through a reference to itself is the
                # field itself, as ``self.name`` is: no entity boundary is crossed.
                return fields[name]
            return self._boundary_copy(fields[name])
        if _is_method(inspect.getattr_static(type(obj), name, None)):
            return _RemoteMethod(self, ref, name)
        # Class attributes, or AttributeError as plain Python would raise it.
        return self._boundary_copy(getattr(obj, name))

    def _call_through_ref(self, ref: Ref, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self._tx is None:
            copied_args = self._boundary_copy(list(args))
            copied_kwargs = self._boundary_copy(kwargs)
            outcome = self._transaction(
                lambda: self._boundary_copy(self._call(ref, name, copied_args, copied_kwargs))
            )
            return self._unwrap(outcome)
        tx = self._tx
        if tx.stack and tx.stack[-1] == _ident(ref):
            # The running entity calling itself through a reference: like ``self.method``,
            # arguments and result are shared, not copied.
            return self._call(ref, name, list(args), dict(kwargs))
        try:
            result = self._call(ref, name, self._boundary_copy(list(args)), self._boundary_copy(kwargs))
        except Exception as exc:
            # An exception crossing into the caller is a copy, as a result is.
            raise self._boundary_copy(exc) from None
        return self._boundary_copy(result)

    # ------------------------------------------------------------ internals

    def _require_idle(self) -> None:
        if self._tx is not None:
            raise RuntimeError("a LocalApp cannot start a transaction inside another one")

    def _parse(self, invocation: object) -> tuple[Any, Callable[[], Any]]:
        """Validate an invocation; return its id and the transaction body."""
        if not isinstance(invocation, dict):
            raise _Invalid(None, "an invocation must be a JSON object")
        raw_id = invocation.get("id")
        request_id = raw_id if _valid_id(raw_id) else None
        if "id" not in invocation:
            raise _Invalid(None, "missing field 'id'")
        if request_id is None:
            raise _Invalid(None, "field 'id' must be a string or an integer")
        is_create = "create" in invocation
        allowed = _CREATE_FIELDS if is_create else _CALL_FIELDS
        unknown = [name for name in invocation if name not in allowed]
        if unknown:
            raise _Invalid(request_id, f"unknown field {unknown[0]!r}")
        if not is_create:
            for name in ("entity", "key", "method"):
                if name not in invocation:
                    raise _Invalid(request_id, f"missing field {name!r}")
        args = invocation.get("args", [])
        if not isinstance(args, list):
            raise _Invalid(request_id, "field 'args' must be an array")
        kwargs = invocation.get("kwargs", {})
        if not isinstance(kwargs, dict):
            raise _Invalid(request_id, "field 'kwargs' must be an object")
        entity_type = invocation["create"] if is_create else invocation["entity"]
        field_name = "create" if is_create else "entity"
        if not isinstance(entity_type, str):
            raise _Invalid(request_id, f"field {field_name!r} must be a string")
        cls = self._classes.get(entity_type)
        if cls is None:
            raise _Invalid(request_id, f"unknown entity type {entity_type!r}")
        try:
            args = decode_value(args, self._json_ref)
            kwargs = decode_value(kwargs, self._json_ref)
        except (ValueError, TypeError) as exc:
            raise _Invalid(request_id, str(exc)) from None
        if is_create:
            return request_id, lambda: self._encode(self._create(entity_type, args, kwargs))
        key = invocation["key"]
        if not _valid_key(key):
            raise _Invalid(request_id, "field 'key' must be a string or an integer")
        method = invocation["method"]
        if not isinstance(method, str):
            raise _Invalid(request_id, "field 'method' must be a string")
        if not _is_public_method(cls, method):
            raise _Invalid(request_id, f"{entity_type} has no public method {method!r}")
        target = self._intern_ref(entity_type, key)
        return request_id, lambda: self._encode(self._call(target, method, args, kwargs))

    def _json_ref(self, entity_type: Any, key: Any) -> Ref:
        if not isinstance(entity_type, str):
            raise ValueError(f"{ENTITY_TAG!r} of an entity reference must be a string")
        if entity_type not in self._classes:
            raise ValueError(f"unknown entity type {entity_type!r} in an entity reference")
        if not _valid_key(key):
            raise ValueError("the key of an entity reference must be a string or an integer")
        return self._intern_ref(entity_type, key)

    def _transaction(self, body: Callable[[], _T]) -> _Outcome:
        """Run ``body`` as one transaction with a fresh sequence number."""
        self._seq += 1
        tx = _Transaction()
        self._tx = tx
        try:
            try:
                value = body()
            except KeyboardInterrupt:
                self._rollback(tx)
                raise
            except BaseException as exc:  # every failure of user code aborts
                self._rollback(tx)
                return _Outcome(self._seq, error=tx.fatal or exc)
            if tx.fatal is not None:
                self._rollback(tx)
                return _Outcome(self._seq, error=tx.fatal)
            return _Outcome(self._seq, value=value)
        finally:
            self._tx = None

    def _unwrap(self, outcome: _Outcome) -> Any:
        """Return the value of a Pythonic transaction or raise its error."""
        error = outcome.error
        if error is None:
            return outcome.value
        if isinstance(error, _EntityNotFoundAbort):
            raise errors.EntityNotFound(str(error)) from None
        raise error

    def _rollback(self, tx: _Transaction) -> None:
        for obj, snapshot in tx.touched.values():
            state = vars(obj)
            state.clear()
            state.update(snapshot)
        for entity_type, key in tx.created:
            obj = self._store[entity_type].pop(key, None)
            if obj is not None:
                self._refs_by_object.pop(id(obj), None)

    def _resolve(self, ref: Ref) -> object:
        """Return the entity object of ``ref``; abort the transaction if missing."""
        entity_type = ref_type(ref)
        obj = self._store.get(entity_type, {}).get(ref._ef_norm)
        if obj is None:
            abort = _EntityNotFoundAbort(_not_found_message(entity_type, ref_key(ref)))
            if self._tx is not None and self._tx.fatal is None:
                self._tx.fatal = abort
            raise abort
        return obj

    def _touch(self, ident: _Ident, obj: object) -> None:
        tx = self._tx
        assert tx is not None
        if ident not in tx.touched:
            tx.touched[ident] = (obj, self._snapshot_copy(vars(obj)))

    def _call(self, ref: Ref, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Invoke method ``name`` of the entity ``ref`` inside the running transaction."""
        tx = self._tx
        assert tx is not None
        obj = self._resolve(ref)
        ident = _ident(ref)
        self._touch(ident, obj)
        method = getattr(obj, name)
        tx.stack.append(ident)
        try:
            return method(*args, **kwargs)
        finally:
            tx.stack.pop()

    def _create(self, entity_type: str, args: list[Any], kwargs: dict[str, Any]) -> Ref:
        tx = self._tx
        assert tx is not None
        cls = self._classes[entity_type]
        tx.stack.append(None)
        try:
            obj = cls(*args, **kwargs)
            key = obj.__key__()
        finally:
            tx.stack.pop()
        if not _valid_key(key):
            raise TypeError(f"{entity_type}.__key__() must return a str or an int, not {type(key).__name__}")
        norm = normalize_key(key)
        entities = self._store[entity_type]
        if norm in entities:
            raise errors.EntityExists(f"{entity_type} {key!r} already exists")
        ref = self._intern_ref(entity_type, key)
        entities[norm] = obj
        self._refs_by_object[id(obj)] = ref
        tx.created.append((entity_type, norm))
        return ref

    # ------------------------------------------------------------- values

    def _entity_ref(self, value: object) -> Ref | None:
        """The reference standing for an entity object, or None for other objects."""
        ref = self._refs_by_object.get(id(value))
        if ref is not None:
            return ref
        name = self._class_names.get(type(value))
        if name is None:
            return None
        return self._intern_ref(name, value.__key__())  # type: ignore[attr-defined]

    def _encode(self, value: Any) -> Any:
        return encode_value(value, self._entity_ref)

    def _encode_fields(self, obj: object) -> dict[str, Any]:
        """An entity's fields in the state dump (each as :func:`encode_dump` shows it)."""
        return {name: encode_dump(value, self._entity_ref) for name, value in vars(obj).items()}

    def _boundary_copy(self, value: _T) -> _T:
        """Deep copy for values crossing an entity boundary: entities become refs."""
        with room_for_depth():
            copied: _T = _deep_copy(value, {}, self._bind_or_ref)
        return copied

    def _snapshot_copy(self, value: _T) -> _T:
        """Deep copy of an entity's own state: entity objects stay themselves."""
        with room_for_depth():
            copied: _T = _deep_copy(value, {}, self._keep_entity)
        return copied

    def _bind_or_ref(self, value: object) -> object:
        if isinstance(value, Ref):
            if value._ef_backend is self:
                return value
            if ref_type(value) not in self._classes:
                # As in an invocation's JSON: a reference to an unknown entity type is refused.
                raise errors.InvalidRequest(f"unknown entity type in reference {value!r}")
            return self._intern_ref(ref_type(value), ref_key(value))
        return self._entity_ref(value)

    def _keep_entity(self, value: object) -> object:
        if isinstance(value, Ref) or type(value) in self._class_names:
            return value
        return None


def _deep_copy(value: Any, memo: dict[int, Any], special: Callable[[object], object]) -> Any:
    """Deep-copy plain data; ``special`` handles refs and entity objects.

    ``special(value)`` returns the replacement for a reference or an entity
    object and None for anything else, which is copied: builtin containers
    here (sharing preserved through ``memo``), other objects with
    :func:`copy.deepcopy`.
    """
    if type(value) in _ATOMS:
        return value
    replacement = special(value)
    if replacement is not None:
        return replacement
    marker = id(value)
    if marker in memo:
        return memo[marker]
    kind = type(value)
    result: Any
    if kind is list:
        result = []
        memo[marker] = result
        result.extend(_deep_copy(v, memo, special) for v in value)
    elif kind is dict:
        result = {}
        memo[marker] = result
        for k, v in value.items():
            result[_deep_copy(k, memo, special)] = _deep_copy(v, memo, special)
    elif kind is set:
        result = set()
        memo[marker] = result
        result.update(_deep_copy(v, memo, special) for v in value)
    elif kind is tuple:
        result = tuple(_deep_copy(v, memo, special) for v in value)
        memo[marker] = result
    elif kind is frozenset:
        result = frozenset(_deep_copy(v, memo, special) for v in value)
        memo[marker] = result
    elif isinstance(value, BaseException):
        # Not through `copy.deepcopy`, which calls the class with `args`: an `__init__` that
        # takes other parameters than the message would fail or run twice.
        # The nearest builtin class sets what it keeps beside `args` (`StopIteration.value`,
        # `OSError.errno`), in `__new__` or `__init__` (as CPython's own classes choose).
        args = _deep_copy(value.args, memo, special)
        builtin = next(c for c in kind.__mro__ if c.__module__ == "builtins")
        result = kind.__new__(kind, *args)
        builtin.__init__(result, *args)
        result.args = args
        memo[marker] = result
        if isinstance(value, OSError):
            # Set only when present: `str()` shows a file name that was set, even to None.
            for name in ("filename", "filename2"):
                if getattr(value, name) is not None:
                    setattr(result, name, getattr(value, name))
        for name, attribute in vars(value).items():
            setattr(result, name, _deep_copy(attribute, memo, special))
    else:
        result = copy.deepcopy(value, memo)
    return result


def _entity_hash(obj: object) -> int:
    """The hash of an entity object: that of a reference to it."""
    return hash((type(obj).__name__, normalize_key(obj.__key__())))  # type: ignore[attr-defined]


def _ident(ref: Ref) -> _Ident:
    return (ref_type(ref), ref._ef_norm)


def _valid_key(key: object) -> bool:
    return isinstance(key, str) or (isinstance(key, int) and not isinstance(key, bool))


_valid_id = _valid_key


def _is_public_method(cls: type, name: str) -> bool:
    """True if ``name`` is a method that may be invoked from outside."""
    if name.startswith("_"):
        return False
    return _is_method(inspect.getattr_static(cls, name, None))


def _is_method(attribute: object) -> bool:
    """True for a method of an entity class as defined in its body: a plain function or a
    ``@staticmethod`` (which a call through an instance reaches as well)."""
    return isinstance(attribute, (types.FunctionType, staticmethod))


def _not_found_message(entity_type: str, key: object) -> str:
    return f"{entity_type} {key!r} does not exist"


def _describe(error: BaseException) -> tuple[str, str]:
    """The reported (type, message) of an exception."""
    name = "EntityNotFound" if isinstance(error, _EntityNotFoundAbort) else type(error).__name__
    try:
        message = str(error)
    except Exception:  # a user exception with a broken __str__
        message = f"<unprintable {name} object>"
    return name, message


def _invalid_result(request_id: object, message: str) -> dict[str, Any]:
    return {"id": request_id, "error": {"type": "InvalidRequest", "message": message}}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    """A JSON number as a float; one beyond the float range (``1e400``) is refused, as
    entiflow refuses it, rather than read as infinity."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number out of range: {text}")
    return value


#: How deeply an invocation may nest: an argument as deep as a result may be
#: (:data:`~entiflow._codec.MAX_JSON_DEPTH`) inside the invocation and its argument list.
MAX_DOCUMENT_DEPTH = MAX_JSON_DEPTH + 2


def _nesting(value: Any) -> int:
    """How many arrays and objects of a parsed JSON document sit inside one another."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest
