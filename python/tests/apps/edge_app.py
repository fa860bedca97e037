# Entities that exercise the corners of the LocalApp contract.
from entiflow import entity


class Boom(Exception):
    pass


@entity
class Node:
    def __init__(self, name, next_node=None, notify=None):
        self.name = name
        self.next = next_node
        self.visits = 0
        self.log = []
        if notify is not None:
            notify.record(f"created {name}")

    def __key__(self):
        return self.name

    def record(self, entry):
        self.log.append(entry)
        return len(self.log)

    def set_next(self, node):
        self.next = node
        return node

    def visit(self, depth, fail_at, max_depth=10):
        self.visits += 1
        self.log.append(depth)
        if depth == fail_at:
            raise Boom(f"failed at {self.name} depth {depth}")
        if self.next is None or depth >= max_depth:
            return [self.name]
        return [self.name] + self.next.visit(depth + 1, fail_at, max_depth)

    def visit_catching(self, fail_at):
        self.log.append("before")
        try:
            self.next.visit(0, fail_at)
        except Boom as e:
            self.log.append(str(e))
            return "caught"
        return "ok"

    def fail_after_write(self):
        self.visits += 1
        self.log.append("written")
        raise Boom("after write")

    def catch_own_error(self):
        try:
            self.fail_after_write()
        except Boom:
            pass
        return self.visits

    def swallow_bare(self, other):
        self.visits += 100
        try:
            other.record("x")
        except:  # noqa: E722 - deliberately bare
            return "swallowed"
        return "not reached"

    def swallow_exception(self, other):
        self.visits += 100
        try:
            other.record("x")
        except Exception:
            return "swallowed"
        return "not reached"

    def finally_runs(self, other):
        try:
            other.record("x")
        finally:
            self.log.append("finally")

    def read_missing_field(self, other):
        return other.name

    def recurse(self, n):
        self.visits += 1
        return self.next.recurse(n + 1)

    def me(self):
        return self

    def register_with(self, other):
        return other.record(self)

    def _secret(self):
        return f"secret of {self.name}"

    def secret_of(self, other):
        return other._secret()

    def private_field_of(self, other):
        return other._hidden

    def write_through_ref(self, other):
        other.visits = 99

    def is_node(self, value):
        return isinstance(value, Node)

    def compare(self, a, b):
        return [a == b, a != b, a in [b], len({a, b}), {a: 1}.get(b, 0)]

    def unknown_attr(self, other):
        return other.does_not_exist


@entity
class Store:
    def __init__(self, name, items=None):
        self.name = name
        self.items = items if items is not None else []
        self.meta = {}

    def __key__(self):
        return self.name

    def add(self, value):
        self.items.append(value)
        return value

    def peek_secret(self, node):
        return node._secret()

    def get(self):
        return self.items

    def shared(self):
        pair = [1, 2]
        self.meta["a"] = pair
        self.meta["b"] = pair
        self.meta["a"].append(3)
        return self.meta["b"]

    def give_and_mutate(self, other, value):
        other.add(value)
        value.append("mutated by caller")
        got = other.get()
        got.append("mutated copy")
        items = other.items
        items.append("mutated field copy")
        return [value, got, items]

    def encodings(self):
        return {
            "dict": {1: "int", 2.5: "float", None: "none", False: "bool", "s": "str"},
            "set": {"b", "c", "a"},
            "frozenset": frozenset([3, 1, 2]),
            "mixed": {1, "x", None},
            "tuple": (1, (2, 3)),
            "nested": [{"k": {7}}],
            "float": 0.1,
        }

    def ref_set(self, a, b, c):
        return {c, a, b}

    def nan(self):
        self.items.append("before nan")
        return float("nan")

    def unencodable(self):
        self.items.append("before")
        return self.add

    def tuple_key(self):
        self.items.append("before")
        return {(1, 2): "x"}

    def poison(self):
        self.meta[(1, 2)] = "tuple keys cannot be encoded"
        return True

    def kw(self, a, b=2, *, c=3):
        return [a, b, c]

    def echo(self, value):
        return value


@entity
class Counter:
    def __init__(self, number):
        self.number = number
        self.count = 0

    def __key__(self):
        return self.number

    def bump(self, by=1):
        self.count += by
        return self.count


@entity
class BadKey:
    def __init__(self, value):
        self.value = value

    def __key__(self):
        return self.value


@entity
class Empty:
    def __init__(self, name):
        self.name = name

    def __key__(self):
        return self.name


class NotAnEntity:
    pass
