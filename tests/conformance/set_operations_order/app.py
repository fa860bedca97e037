"""Set operations, methods and displays (with `*`), with sets, lists, tuples, dicts, dict views
and ranges as arguments, on sets of many shapes: the order of every result is CPython's."""

from entiflow import entity


def mk(name: str):
    if name == "empty":
        return set()
    if name == "small2":
        s = set()
        s.add(7)
        s.add(15)
        return s
    if name == "small4":
        s = set()
        for x in [7, 15, 23, 31]:
            s.add(x)
        return s
    if name == "disp6":
        return {8, 16, 24, 32, 40, 0}
    if name == "dummies":
        s = set(range(0, 80, 8))
        for x in [0, 16, 32, 48, 64, 72]:
            s.discard(x)
        return s
    if name == "cleared":
        s = {1, 2, 3}
        s.clear()
        return s
    if name == "big":
        return set(range(0, 400, 7))
    if name == "neg":
        return {-1, -2, -9, 7, -17}
    if name == "float":
        return {0.5, 1.5, 8.0, -0.0, 1e300, 16}
    if name == "tup":
        return {(1, 2), (2, 1), (0,), (), (8, 0)}
    if name == "emptied":
        s = {1, 2, 3, 4, 5, 6}
        for x in [1, 2, 3, 4, 5, 6]:
            s.discard(x)
        return s
    if name == "popped":
        s = set(range(0, 96, 8))
        s.pop()
        s.pop()
        s.add(1)
        return s
    return None


def arg(kind: str, name: str):
    s = mk(name)
    if kind == "set":
        return s
    if kind == "list":
        return list(s)
    if kind == "tuple":
        return tuple(s)
    if kind == "dict":
        return dict.fromkeys(s)
    if kind == "keys":
        return dict.fromkeys(s).keys()
    if kind == "range":
        return range(0, 60, 8)
    return None


@entity
class M:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def run(self, op: str, left: str, kind: str, right: str) -> list:
        s = mk(left)
        t = s if kind == "same" else arg(kind, right)
        r = None
        if op == "update":
            s.update(t)
        elif op == "ior":
            s |= t
        elif op == "iand":
            s &= t
        elif op == "isub":
            s -= t
        elif op == "ixor":
            s ^= t
        elif op == "intersection_update":
            s.intersection_update(t)
        elif op == "difference_update":
            s.difference_update(t)
        elif op == "symmetric_difference_update":
            s.symmetric_difference_update(t)
        elif op == "union":
            r = s.union(t)
        elif op == "intersection":
            r = s.intersection(t)
        elif op == "difference":
            r = s.difference(t)
        elif op == "symmetric_difference":
            r = s.symmetric_difference(t)
        elif op == "or":
            r = s | t
        elif op == "and":
            r = s & t
        elif op == "sub":
            r = s - t
        elif op == "xor":
            r = s ^ t
        elif op == "ror":
            r = t | s
        elif op == "rand":
            r = t & s
        elif op == "rsub":
            r = t - s
        elif op == "rxor":
            r = t ^ s
        elif op == "set":
            r = set(t)
        elif op == "star":
            r = {*t}
        elif op == "star2":
            r = {*s, *t}
        elif op == "copy":
            r = s.copy()
        out = [list(s)]
        if r is not None:
            out.append(list(r))
            r.add(999)
            r.add(7 + 1024)
            out.append(list(r))
        s.add(999)
        s.add(7 + 1024)
        s.add(-5)
        out.append(list(s))
        return out
