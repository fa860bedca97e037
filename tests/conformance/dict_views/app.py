from entiflow import entity


@entity
class Inventory:
    def __init__(self, name: str):
        self.name = name
        self.stock = {"apple": 3, "pear": 0, "fig": 7}

    def __key__(self):
        return self.name

    def live(self) -> list:
        ks = self.stock.keys()
        vs = self.stock.values()
        its = self.stock.items()
        before = len(ks)
        self.stock["kiwi"] = 2
        return [before, len(ks), list(vs), sorted(its), "kiwi" in ks, 2 in vs, ("fig", 7) in its, ("fig", 8) in its]

    def set_like(self, other: "Inventory") -> list:
        theirs = other.names()
        mine = self.stock.keys()
        return [
            mine == {"apple", "pear", "fig", "kiwi"},
            mine == set(theirs),
            sorted(mine & set(theirs)),
            sorted(mine - theirs),
            sorted(mine | {"plum"}),
            sorted(mine ^ ["apple", "zzz"]),
            self.stock.items() == {("apple", 3), ("pear", 0), ("fig", 7), ("kiwi", 2)},
            self.stock.values() == self.stock.values(),
            bool({}.keys()),
            bool(self.stock.items()),
        ]

    def names(self) -> list:
        return list(self.stock)

    def text(self) -> list:
        return [str(self.stock.keys()), repr(self.stock.values()), f"{self.stock.items()}", str({}.items())]

    def mutate_during(self):
        for k in self.stock.keys():
            self.stock[k + "!"] = 1
        return 0

    def errors(self, which: int):
        if which == 0:
            return self.stock.keys()[0]
        if which == 1:
            return {self.stock.keys(): 1}
        return self.stock.keys()

    def consume(self) -> list:
        total = sum(self.stock.values())
        top = max(self.stock.items(), key=lambda kv: kv[1])
        pairs = dict(self.stock.items())
        pairs["new"] = 1
        joined = ",".join(sorted(self.stock.keys()))
        return [total, top, len(pairs), len(self.stock), joined, list(reversed(self.stock.keys())), [k for k, v in self.stock.items() if v]]

    def values_are_not_sets(self, which: int):
        if which == 0:
            return self.stock.values() | {1}
        return {1} & self.stock.values()

    def view_order(self) -> list:
        ks = self.stock.keys()
        return [ks <= {"apple", "pear", "fig", "kiwi", "x"}, ks < set(ks), ks >= {"fig"}, {"fig"} < ks, self.stock.items() > {("fig", 7)}]
