"""reversed() takes sequences, dicts and dict views, and refuses iterators, sets and scalars
as CPython does; range.index and range.count; int() parses only the whitespace CPython skips."""
from entiflow import entity


@entity
class Seq:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def reverse(self, kind: str, xs: list):
        d = {str(x): x for x in xs}
        values = {
            "list": xs,
            "tuple": tuple(xs),
            "str": "".join(str(x) for x in xs),
            "range": range(len(xs)),
            "dict": d,
            "keys": d.keys(),
            "values": d.values(),
            "items": d.items(),
        }
        try:
            return list(reversed(values[kind]))
        except TypeError as e:
            return f"TypeError: {e}"

    def not_reversible(self, kind: str, xs: list) -> str:
        try:
            if kind == "map":
                reversed(map(str, xs))
            elif kind == "filter":
                reversed(filter(None, xs))
            elif kind == "zip":
                reversed(zip(xs, xs))
            elif kind == "enumerate":
                reversed(enumerate(xs))
            elif kind == "iter":
                reversed(iter(xs))
            elif kind == "reversed":
                reversed(reversed(xs))
            elif kind == "set":
                reversed(set(xs))
            elif kind == "int":
                reversed(len(xs))
            elif kind == "float":
                reversed(len(xs) / 2)
            elif kind == "none":
                reversed(None)
            elif kind == "bool":
                reversed(len(xs) > 0)
            return "reversed"
        except TypeError as e:
            return f"TypeError: {e}"

    def range_index(self, start: int, stop: int, step: int, x):
        r = range(start, stop, step)
        try:
            return r.index(x)
        except ValueError as e:
            return f"ValueError: {e}"

    def range_count(self, start: int, stop: int, step: int, x) -> int:
        return range(start, stop, step).count(x)

    def range_bad_calls(self) -> list:
        out = []
        r = range(3)
        for attempt in range(3):
            try:
                if attempt == 0:
                    r.index()
                elif attempt == 1:
                    r.count(1, 2)
                else:
                    r.index(x=1)
            except TypeError as e:
                out.append(str(e))
        return out

    def parse(self, text: str):
        try:
            return int(text)
        except ValueError as e:
            return f"ValueError: {e}"
