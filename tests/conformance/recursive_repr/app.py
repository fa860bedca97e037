"""Containers that hold themselves print `[...]`, `{...}` and `(...)` where they recur."""
from entiflow import entity


@entity
class Shelf:
    def __init__(self, name: str):
        self.name = name
        self.log = []

    def __key__(self):
        return self.name

    def lists(self) -> list:
        a = [1]
        a.append(a)
        b = [a, [a]]
        return [repr(a), str(b), f"{a!r}"]

    def dicts(self) -> list:
        d = {"k": 1}
        d["self"] = d
        inner = [d]
        d["list"] = inner
        return [repr(d), str(inner)]

    def tuples(self) -> list:
        l = [1]
        t = (l,)
        l.append(t)
        u = (l, t, 2)
        self.log.append(repr(u))
        return [repr(t), str(l), repr(u), "%r" % (t,)]
