from entiflow import entity


class Stop(Exception):
    pass


@entity
class Log:
    def __init__(self, name: str):
        self.name = name
        self.entries = []

    def __key__(self):
        return self.name

    def note(self, what, value=None):
        self.entries.append(what)
        return what if value is None else value

    def entries_list(self) -> list:
        return self.entries

    def clear(self) -> int:
        n = len(self.entries)
        self.entries = []
        return n


@entity
class Src:
    def __init__(self, name: str, log: Log):
        self.name = name
        self.log = log
        self.data = {"a": 1, "b": 2}
        self.items = [10, 20, 30, 40, 50]

    def __key__(self):
        return self.name

    def num(self, n: int) -> int:
        self.log.note(f"{self.name}.num({n})")
        return n

    def key(self, k: str) -> str:
        self.log.note(f"{self.name}.key({k})")
        return k

    def pairs(self) -> list:
        self.log.note(f"{self.name}.pairs")
        return [("x", 1), ("y", 2)]

    def tags(self, n: int) -> list:
        self.log.note(f"{self.name}.tags({n})")
        return [f"t{i}" for i in range(n)]

    def truthy(self, v):
        self.log.note(f"{self.name}.truthy({v!r})")
        return v

    def fail(self, msg: str):
        self.log.note(f"{self.name}.fail")
        raise Stop(msg)


@entity
class User:
    def __init__(self, name: str, a: Src, b: Src, log: Log):
        self.name = name
        self.a = a
        self.b = b
        self.log = log
        self.counts = {}
        self.store = [0, 0, 0, 0, 0]

    def __key__(self):
        return self.name

    def order_binary(self) -> list:
        r = self.a.num(1) * 10 + self.b.num(2) - self.a.num(3)
        return [r, self.log.entries_list()]

    def order_args(self) -> list:
        r = self.log.note(self.a.key("first"), self.b.num(2))
        return [r, self.log.entries_list()]

    def order_call_chain(self) -> list:
        r = self.a.num(self.b.num(self.a.num(5)))
        return [r, self.log.entries_list()]

    def in_collections(self) -> list:
        d = {self.a.key("k1"): self.b.num(1), self.b.key("k2"): self.a.num(2)}
        s = {self.a.num(7), self.b.num(7)}
        t = (self.a.num(1), [self.b.num(2)])
        return [d, sorted(s), t, self.log.entries_list()]

    def in_slices(self) -> list:
        arr = [0, 1, 2, 3, 4, 5, 6]
        return [arr[self.a.num(1):self.b.num(5):self.a.num(2)], arr[self.b.num(-1)], self.log.entries_list()]

    def in_targets(self) -> list:
        self.counts[self.a.key("c")] = self.b.num(3)
        self.counts[self.a.key("c")] += self.b.num(4)
        self.store[self.a.num(1)] = self.b.num(9)
        del self.store[self.b.num(0)]
        return [self.counts, self.store, self.log.entries_list()]

    def in_fstring_spec(self) -> list:
        s = f"[{self.a.key('v'):>{self.b.num(6)}}|{3.14159:.{self.a.num(2)}f}]"
        return [s, self.log.entries_list()]

    def in_kwargs(self) -> list:
        r = self.log.note(value=self.a.num(4), what=self.b.key("w"))
        return [r, self.log.entries_list()]

    def in_assert(self, v: int) -> str:
        assert self.a.truthy(v), f"falsy: {self.b.num(v)}"
        return "passed"

    def in_raise(self) -> str:
        raise ValueError(self.a.key("boom"))

    def in_except_and_finally(self) -> list:
        out = []
        try:
            self.a.fail("first")
        except Stop as e:
            out.append(self.b.key(f"handled {e}"))
        else:
            out.append(self.b.key("else"))
        finally:
            out.append(self.a.key("finally"))
        return [out, self.log.entries_list()]

    def in_for_target(self) -> list:
        out = []
        for k, v in self.a.pairs():
            out.append(f"{k}{v}")
        for i, t in enumerate(self.b.tags(self.a.num(2))):
            out.append(f"{i}:{t}")
        return [out, self.log.entries_list()]

    def in_nested_comprehension(self) -> list:
        srcs = [self.a, self.b]
        r = [t for s in srcs for t in s.tags(2) if s.truthy(len(t))]
        return [r, self.log.entries_list()]

    def in_while_else(self) -> list:
        n = 0
        while self.a.truthy(n < 2):
            n += self.b.num(1)
        else:
            n += self.a.num(100)
        return [n, self.log.entries_list()]

    def short_circuit(self, x) -> list:
        r1 = x and self.a.num(1)
        r2 = x or self.b.num(2)
        r3 = self.a.truthy(x) and self.b.truthy(0) and self.a.num(3)
        r4 = self.a.num(4) if x else self.b.num(5)
        return [r1, r2, r3, r4, self.log.entries_list()]

    def return_in_finally_with_remote(self) -> int:
        try:
            return self.a.num(1)
        finally:
            self.b.num(2)

    def in_loop_break_else(self) -> list:
        for i in range(3):
            if self.a.num(i) == 5:
                break
        else:
            self.b.key("no-break")
        return self.log.entries_list()

    def remote_then_helper(self) -> list:
        return [self._helper(self.a.num(1)) + self.b.num(2), self.log.entries_list()]

    def _helper(self, x: int) -> int:
        return self.a.num(x * 100)

    def reset(self) -> int:
        return self.log.clear()
