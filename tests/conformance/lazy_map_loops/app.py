"""Loops and comprehensions over map() and filter() apply the function item by item, as
CPython's lazy iterators do: a break leaves the rest unapplied, a StopIteration from the
function ends the loop normally, and the body's effects interleave with the function's."""
from entiflow import entity


class Stop(Exception):
    pass


@entity
class Counter:
    def __init__(self, name: str):
        self.name = name
        self.seen = []

    def __key__(self):
        return self.name

    def look(self, x: int) -> int:
        self.seen.append(x)
        if x < 0:
            raise ValueError(f"negative {x}")
        return x * 2

    def positive(self, x: int) -> bool:
        self.seen.append(("p", x))
        return x > 0

    def history(self) -> list:
        return self.seen


@entity
class Probe:
    def __init__(self, key: str, other: Counter):
        self.key = key
        self.other = other
        self.log = []

    def __key__(self):
        return self.key

    def note(self, x):
        self.log.append(x)
        if x == 99:
            raise StopIteration
        return x > 2

    def loop_break(self) -> list:
        self.log = []
        found = None
        for ok in map(self.note, [1, 3, 4, 5]):
            if ok:
                found = ok
                break
        return [found, self.log]

    def loop_continue_else(self) -> list:
        self.log = []
        out = []
        for v in filter(self.note, [5, 1, 7, 2]):
            if v == 5:
                continue
            out.append(v)
        else:
            out.append("else")
        return [out, self.log]

    def loop_stop_iteration_runs_else(self) -> list:
        self.log = []
        out = []
        for ok in map(self.note, [3, 99, 4]):
            out.append(ok)
        else:
            out.append("else")
        return [out, self.log]

    def loop_body_raises(self) -> list:
        self.log = []
        try:
            for ok in map(self.note, [1, 2, 3, 4]):
                if ok:
                    raise Stop("body")
        except Stop as e:
            return [str(e), self.log]
        return ["no", self.log]

    def loop_remote(self) -> list:
        total = 0
        for doubled in map(self.other.look, [1, 2, -3, 4]):
            total += doubled
            if total > 5:
                break
        return [total, self.other.history()]

    def loop_remote_raises(self) -> list:
        got = []
        try:
            for doubled in map(self.other.look, [7, -1, 8]):
                got.append(doubled)
        except ValueError as e:
            got.append(str(e))
        return [got, self.other.history()]

    def loop_remote_filter(self) -> list:
        kept = []
        for x in filter(self.other.positive, [0, 2, -1, 3]):
            kept.append(x)
            if len(kept) == 1:
                continue
        return [kept, self.other.history()]

    def return_inside(self) -> list:
        self.log = []
        for ok in map(self.note, [0, 1, 5, 6]):
            if ok:
                return ["returned", self.log]
        return ["end", self.log]

    def nested(self) -> list:
        self.log = []
        pairs = []
        for a in map(lambda v: v * 10, [1, 2]):
            for b in filter(lambda w: w % 2 == 0, range(a, a + 4)):
                pairs.append((a, b))
                if b > a:
                    break
        return pairs

    def several_iterables(self) -> list:
        out = []
        for s in map(lambda x, y: x + y, [1, 2, 3], [10, 20]):
            out.append(s)
        return out

    def filter_none(self) -> list:
        return [x for x in filter(None, [0, 1, "", "a", None, [], [2]])]

    def comprehension_interleaves(self) -> list:
        self.log = []
        try:
            values = [10 // (v - 3) for v in map(lambda v: self.note(v) and v, [4, 5, 3, 6])]
        except ZeroDivisionError as e:
            return [str(e), self.log]
        return [values, self.log]

    def comprehension_with_ifs(self) -> list:
        self.log = []
        kept = {x: x * x for x in filter(self.note, [1, 3, 4, 99, 5]) if x != 4}
        return [kept, self.log]

    def comprehension_nested(self) -> list:
        return [(a, b) for a in map(str, [1, 2]) for b in filter(lambda c: c != a, ["1", "2"])]

    def generator_in_sum(self) -> list:
        self.log = []
        total = sum(x for x in map(self.note, [3, 1, 99, 7]))
        return [total, self.log]

    def while_around(self) -> list:
        self.log = []
        rounds = 0
        while rounds < 3:
            rounds += 1
            for ok in map(self.note, [rounds, 5]):
                if ok:
                    break
        return [rounds, self.log]

    def scopes(self) -> list:
        xs = [1, 2, 3]
        x = 5
        same_name = [x for x in map(lambda x: x + 1, xs)]
        outer_var = [y for x in xs for y in map(lambda v: v + x, [10, 20]) if y != 21]
        pairs = [i + a + b for i, (a, b) in enumerate(map(lambda p: (p, p * p), xs))]
        unpacked = {k: v for k, v in map(lambda p: (str(p), p), xs)}
        return [same_name, outer_var, pairs, unpacked, x]

    def loop_conversion_fails(self) -> int:
        last = 0
        for last in map(int, ["1", "2", "z", "4"]):
            pass
        return last
