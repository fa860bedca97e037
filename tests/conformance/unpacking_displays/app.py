from entiflow import entity

DEFAULTS = {"color": "red", "size": 1}


@entity
class Catalog:
    def __init__(self, name: str):
        self.name = name
        self.items = ["a", "b"]
        self.extra = {"size": 3}
        self.log = []

    def __key__(self):
        return self.name

    def lists(self, more: list) -> list:
        merged = [*self.items, *more]
        around = [0, *more, 9]
        only = [*self.items]
        only.append("c")
        return [merged, around, only, self.items, [*"hi", *range(3)], [*{"k": 1, "j": 2}]]

    def tuples_and_sets(self, more: list) -> list:
        t = (*self.items, *more)
        s = {*self.items, *more, "a"}
        return [t, sorted(s), (*more,), len({*more})]

    def dicts(self, override: dict) -> list:
        merged = {**DEFAULTS, **self.extra}
        mixed = {"size": 0, **override, "name": self.name}
        copy = {**self.extra}
        copy["size"] = 99
        return [merged, mixed, copy, self.extra, list(mixed)]

    def _note(self, x: str) -> list:
        self.log.append(x)
        return [x, len(self.log)]

    def with_calls(self) -> list:
        out = [*self._note("first"), *self.log, *self._note("second")]
        d = {**{"n": len(self.log)}, "k": self._note("third")}
        return [out, d, self.log]

    def with_remote(self, other: "Catalog") -> list:
        return [*other.get_items(), *self.items, *other.get_items()]

    def get_items(self) -> list:
        return self.items

    def bad_star(self, n: int) -> list:
        return [*n]

    def bad_mapping(self, xs: list) -> dict:
        return {**xs}
