"""HTTP client for a server started with ``entiflow run``.

Endpoints used:

* ``POST /v1/invoke`` — one invocation in, one result out (HTTP 400 with an
  ``InvalidRequest`` result for a malformed invocation);
* ``POST /v1/batch`` — an array of invocations in, the array of results out,
  in input order;
* ``GET /v1/entities/{Entity}/{key}`` — the fields of one entity (404 when it
  does not exist);
* ``GET /healthz`` — 200 when the server is up.

Only the standard library is used.
"""

from __future__ import annotations

import ast
import builtins
import http.client
import json
import threading
import time
import types
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Iterable, Mapping, Sequence, cast

from . import errors
from ._codec import decode_value, encode_value
from ._ref import Key, Ref, normalize_key, ref_type

__all__ = ["Client", "exception_from_error", "new_request_id"]

_ENTIFLOW_ERRORS: dict[str, type[Exception]] = {
    "EntityNotFound": errors.EntityNotFound,
    "EntityExists": errors.EntityExists,
    "InvalidRequest": errors.InvalidRequest,
}

_remote_classes: dict[str, type[errors.RemoteError]] = {}
_builtin_variants: dict[str, type[BaseException]] = {}
_class_lock = threading.Lock()


def _remote_error_class(name: str) -> type[errors.RemoteError]:
    """The RemoteError subclass named ``name`` (one class per name)."""
    with _class_lock:
        cls = _remote_classes.get(name)
        if cls is None:
            cls = types.new_class(name, (errors.RemoteError,))
            cls.__module__ = "entiflow.errors.remote"
            _remote_classes[name] = cls
        return cls


def _builtin_with_text(base: type[Exception]) -> type[BaseException]:
    """A subclass of ``base`` with the same name whose ``str()`` is its first argument.

    Needed for builtins whose ``str()`` is not the message they were built
    with, such as ``KeyError`` (``str(KeyError("x")) == "'x'"``).
    """
    name = base.__name__
    with _class_lock:
        cls = _builtin_variants.get(name)
        if cls is None:

            def __init__(self: BaseException, message: str) -> None:
                BaseException.__init__(self, message)

            def __str__(self: BaseException) -> str:
                return str(self.args[0]) if self.args else ""

            cls = types.new_class(name, (base,), exec_body=lambda ns: ns.update(__init__=__init__, __str__=__str__))
            cls.__module__ = "builtins"
            cls.__qualname__ = name
            _builtin_variants[name] = cls
        return cls


def _make_builtin(cls: type[Exception], message: str) -> BaseException:
    if cls is KeyError:
        # str(KeyError(v)) is repr(v): recover v from the message when possible.
        try:
            value = ast.literal_eval(message)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            pass
        else:
            key_error = KeyError(value)
            if str(key_error) == message:
                return key_error
    else:
        exc: BaseException | None
        try:
            exc = cls(message)
        except Exception:
            exc = None
        if exc is not None and str(exc) == message:
            return exc
    return _builtin_with_text(cls)(message)


def exception_from_error(
    error: Mapping[str, Any],
    exception_types: Mapping[str, type[BaseException]] | None = None,
) -> BaseException:
    """Build the Python exception for an error result ``{"type": T, "message": M}``.

    The class is looked up in ``exception_types`` (user exceptions by name),
    then among entiflow's errors, then among the builtin exceptions; unknown
    names get a :class:`~entiflow.errors.RemoteError` subclass of that name.
    In every case ``type(exc).__name__ == T`` and ``str(exc) == M``.
    """
    name = str(error.get("type", "RemoteError"))
    message = str(error.get("message", ""))
    if exception_types and name in exception_types:
        rebuilt = _rebuild(exception_types[name], message)
        if rebuilt is not None:
            return rebuilt
    if name in _ENTIFLOW_ERRORS:
        return _ENTIFLOW_ERRORS[name](message)
    candidate = getattr(builtins, name, None)
    if isinstance(candidate, type) and issubclass(candidate, Exception):
        try:
            return _make_builtin(candidate, message)
        except Exception:
            pass
    return _remote_error_class(name)(message)


def _rebuild(cls: type[BaseException], message: str) -> BaseException | None:
    """An instance of the user exception class ``cls`` whose ``str`` is ``message``, or None.

    The class is called with the message; when its ``__init__`` wants other arguments (whose
    values the reply does not carry), the instance is made without it, holding the message as
    its only argument, so that ``except`` clauses naming the class or a base still catch it.
    """
    for make in (lambda: cls(message), lambda: _without_init(cls, message)):
        try:
            exc = make()
            if str(exc) == message:
                return exc
        except Exception:
            continue
    return None


def _without_init(cls: type[BaseException], message: str) -> BaseException:
    exc = cls.__new__(cls, message)
    exc.args = (message,)
    return exc


class _ClientMethod:
    """A method of a remote entity, looked up through a client reference."""

    __slots__ = ("_client", "_ref", "_name")

    def __init__(self, client: Client, ref: Ref, name: str) -> None:
        self._client = client
        self._ref = ref
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._client.call(ref_type(self._ref), self._ref._ef_key, self._name, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<remote method {self._name} of {self._ref!r}>"


class Client:
    """Talks to an entiflow server over HTTP.

    ``url`` is the server's base URL, e.g. ``"http://127.0.0.1:8080"``.

    Every logical call gets a request id (``uuid4().hex``) that is reused when
    the request is retried after a connection error, a timeout or an HTTP 5xx
    reply (``retries`` extra attempts, exponential backoff starting at
    ``backoff`` seconds), so a server that deduplicates ids applies it once.
    ``timeout`` is the per-attempt socket timeout in seconds.
    ``exception_types`` are the app's own exception classes (or a module
    holding them): errors with those names are raised as those classes.

    >>> client = Client("http://127.0.0.1:8080")               # doctest: +SKIP
    >>> apple = client.create("Item", "apple", 5)              # doctest: +SKIP
    >>> client.ref("User", "alice").buy_item(2, apple)         # doctest: +SKIP
    True

    Connections are made directly, without HTTP proxies.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.05,
        max_backoff: float = 2.0,
        exception_types: Iterable[type[BaseException]] | types.ModuleType = (),
    ) -> None:
        """Configure the client; no connection is made until the first request."""
        if retries < 0:
            raise ValueError("retries must be >= 0")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        classes: Iterable[type[BaseException]]
        if isinstance(exception_types, types.ModuleType):
            module = exception_types
            classes = [
                value
                for value in vars(module).values()
                if isinstance(value, type)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
            ]
        else:
            classes = cast("Iterable[type[BaseException]]", exception_types)
        self.exception_types: dict[str, type[BaseException]] = {cls.__name__: cls for cls in classes}
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def __repr__(self) -> str:
        """``Client('http://...')``."""
        return f"Client({self.url!r})"

    # ------------------------------------------------------------ raw API

    def invoke(self, invocation: Mapping[str, Any]) -> dict[str, Any]:
        """Send one invocation and return the result dict as the server sent it.

        An ``id`` is added if the invocation has none.  Error results are
        returned, not raised; :class:`~entiflow.errors.TransportError` is
        raised when no result could be obtained.
        """
        body = dict(invocation)
        body.setdefault("id", new_request_id())
        status, reply = self._request("POST", "/v1/invoke", body)
        if not isinstance(reply, dict) or ("result" not in reply and "error" not in reply):
            raise errors.TransportError(f"unexpected reply to /v1/invoke (HTTP {status}): {reply!r:.200}")
        return reply

    def batch(self, invocations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Send several invocations at once; return their results in input order.

        Invocations without an ``id`` get one.
        """
        bodies = []
        for invocation in invocations:
            body = dict(invocation)
            body.setdefault("id", new_request_id())
            bodies.append(body)
        status, reply = self._request("POST", "/v1/batch", bodies)
        if not isinstance(reply, list) or len(reply) != len(bodies) or not all(isinstance(r, dict) for r in reply):
            raise errors.TransportError(f"unexpected reply to /v1/batch (HTTP {status}): {reply!r:.200}")
        return reply

    def state(self, entity_type: str, key: Key) -> dict[str, Any] | None:
        """Return the fields of an entity as JSON values, or None if it does not exist.

        An unknown entity type raises :class:`~entiflow.errors.InvalidRequest`.
        """
        path = "/v1/entities/{}/{}".format(
            urllib.parse.quote(entity_type, safe=""), urllib.parse.quote(normalize_key(key), safe="")
        )
        status, reply = self._request("GET", path, None, ok_statuses=(200, 404))
        if status == 404:
            error = reply.get("error") if isinstance(reply, dict) else None
            if isinstance(error, dict) and error.get("type") == "InvalidRequest":
                # An unknown entity type, not a missing entity.
                raise exception_from_error(error, self.exception_types)
            return None
        if not isinstance(reply, dict):
            raise errors.TransportError(f"unexpected reply to GET {path}: {reply!r:.200}")
        return reply

    def healthy(self) -> bool:
        """Return True if ``GET /healthz`` answers 200 (a single attempt)."""
        try:
            status, _ = self._send_once("GET", "/healthz", None)
        except (OSError, http.client.HTTPException):
            return False
        return status == 200

    def wait_healthy(self, timeout: float = 10.0, interval: float = 0.05) -> None:
        """Poll ``/healthz`` until it answers 200; raise TransportError after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if time.monotonic() >= deadline:
                raise errors.TransportError(f"{self.url} did not become healthy within {timeout} s")
            time.sleep(interval)

    # ------------------------------------------------------- Pythonic API

    def create(self, entity_type: str, /, *args: Any, **kwargs: Any) -> Ref:
        """Create an entity and return a reference to it; raise its error on failure."""
        invocation: dict[str, Any] = {"id": new_request_id(), "create": entity_type, "args": encode_value(list(args))}
        if kwargs:
            invocation["kwargs"] = encode_value(kwargs)
        value = self.unwrap(self.invoke(invocation))
        if not isinstance(value, Ref):
            raise errors.TransportError(f"create returned {value!r} instead of a reference")
        return value

    def call(self, entity_type: str, key: Key, method: str, /, *args: Any, **kwargs: Any) -> Any:
        """Call a method of an entity; return the decoded result or raise its error."""
        invocation: dict[str, Any] = {
            "id": new_request_id(),
            "entity": entity_type,
            "key": key,
            "method": method,
            "args": encode_value(list(args)),
        }
        if kwargs:
            invocation["kwargs"] = encode_value(kwargs)
        return self.unwrap(self.invoke(invocation))

    def ref(self, entity_type: str, key: Key) -> Ref:
        """Return a reference whose method calls are sent to this server.

        ``client.ref("User", "alice").buy_item(2, client.ref("Item", "apple"))``
        is :meth:`call`.  Fields cannot be read through a client reference;
        use :meth:`state`.
        """
        return Ref(entity_type, key, self)

    def unwrap(self, result: Mapping[str, Any]) -> Any:
        """Return the decoded value of a result dict, or raise its error."""
        if "error" in result:
            error = result["error"]
            if not isinstance(error, Mapping):
                error = {"type": "RemoteError", "message": str(error)}
            raise exception_from_error(error, self.exception_types)
        return decode_value(result.get("result"), self._decode_ref)

    # ------------------------------------------------- reference backend

    def _ref_class(self, ref: Ref) -> type | None:
        return None

    def _entity_ref(self, value: object) -> Ref | None:
        return None

    def _ref_getattr(self, ref: Ref, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(f"{name!r} is private and cannot be called remotely")
        return _ClientMethod(self, ref, name)

    def _decode_ref(self, entity_type: Any, key: Any) -> Ref:
        if not isinstance(entity_type, str):
            raise errors.TransportError(f"malformed entity reference type {entity_type!r}")
        try:
            return Ref(entity_type, key, self)
        except TypeError as exc:
            raise errors.TransportError(f"malformed entity reference key {key!r}") from exc

    # ------------------------------------------------------------ HTTP

    def _send_once(self, method: str, path: str, payload: Any) -> tuple[int, Any]:
        """One HTTP exchange; returns (status, decoded JSON body or raw text)."""
        data = None if payload is None else json.dumps(payload, separators=(",", ":")).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
            exc.close()
        text = raw.decode("utf-8", errors="replace")
        try:
            return status, json.loads(text) if text.strip() else None
        except ValueError:
            return status, text

    def _request(
        self,
        method: str,
        path: str,
        payload: Any,
        ok_statuses: tuple[int, ...] = (),
    ) -> tuple[int, Any]:
        """Send a request with retries; return (status, body) of a non-5xx reply.

        Replies with status 2xx, a status in ``ok_statuses`` or a 4xx whose body
        is JSON are returned; others raise TransportError.
        """
        last: str = ""
        cause: BaseException | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))
            try:
                status, body = self._send_once(method, path, payload)
            except (OSError, http.client.HTTPException) as exc:
                last, cause = f"{type(exc).__name__}: {exc}", exc
                continue
            if status >= 500:
                last, cause = f"HTTP {status}: {body!r:.200}", None
                continue
            if 200 <= status < 300 or status in ok_statuses:
                return status, body
            if 400 <= status < 500 and isinstance(body, (dict, list)):
                return status, body
            raise errors.TransportError(f"{method} {path}: unexpected HTTP {status}: {body!r:.200}")
        raise errors.TransportError(
            f"{method} {path} failed after {self.retries + 1} attempts: {last}"
        ) from cause


def new_request_id() -> str:
    """Return a fresh request id (``uuid4().hex``)."""
    return uuid.uuid4().hex
