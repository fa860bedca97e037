from entiflow import entity


class DomainError(Exception):
    pass


class Conflict(DomainError):
    pass


@entity
class Leaf:
    def __init__(self, name: str):
        self.name = name
        self.data = {"x": 1}
        self.log = []

    def __key__(self):
        return self.name

    def lookup(self, k: str) -> int:
        self.log.append(f"lookup {k}")
        return self.data[k]

    def divide(self, a: int, b: int) -> float:
        self.log.append("divide")
        return a / b

    def conflict(self, why: str) -> None:
        self.log.append("conflict")
        raise Conflict(why)

    def takes_two(self, a, b) -> list:
        return [a, b]

    def depth(self, other, n: int) -> int:
        if n == 0:
            return 0
        return 1 + other.depth(self, n - 1)

    def get_log(self) -> list:
        return self.log


@entity
class Middle:
    def __init__(self, name: str, leaf: Leaf):
        self.name = name
        self.leaf = leaf
        self.events = []

    def __key__(self):
        return self.name

    def pass_through(self, k: str) -> int:
        self.events.append("before")
        v = self.leaf.lookup(k)
        self.events.append("after")
        return v

    def with_finally(self, k: str) -> int:
        try:
            return self.leaf.lookup(k)
        finally:
            self.events.append(f"finally {k}")

    def translate(self, k: str) -> int:
        try:
            return self.leaf.lookup(k)
        except KeyError as e:
            raise DomainError(f"missing {e}")

    def get_events(self) -> list:
        return self.events


@entity
class Top:
    def __init__(self, name: str, middle: Middle, leaf: Leaf):
        self.name = name
        self.middle = middle
        self.leaf = leaf
        self.notes = []

    def __key__(self):
        return self.name

    def catch_lookup(self, k: str) -> str:
        try:
            return f"value {self.middle.pass_through(k)}"
        except LookupError as e:
            self.notes.append(repr(e))
            return f"lookup failed: {e!r}"

    def catch_domain(self, k: str) -> str:
        try:
            return str(self.middle.translate(k))
        except DomainError as e:
            return f"domain: {e}"

    def catch_conflict_as_base(self) -> str:
        try:
            self.leaf.conflict("busy")
        except DomainError as e:
            return f"DomainError caught: {e}"
        return "none"

    def arith_in_callee(self, a: int, b: int) -> str:
        try:
            return str(self.leaf.divide(a, b))
        except ArithmeticError as e:
            return f"arith: {e}"

    def arity_in_callee(self, leaf) -> str:
        try:
            return str(leaf.takes_two(1))
        except TypeError as e:
            return f"type: {e}"

    def uncaught(self, k: str) -> int:
        self.notes.append("uncaught start")
        return self.middle.pass_through(k)

    def not_matching(self) -> str:
        try:
            self.leaf.conflict("nope")
        except (KeyError, ValueError):
            return "wrong handler"
        return "unreachable"

    def ping_pong(self, n: int) -> int:
        return self.leaf.depth(self.middle_leaf(), n)

    def middle_leaf(self):
        return self.leaf

    def get_notes(self) -> list:
        return self.notes
