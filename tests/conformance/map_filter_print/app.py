from entiflow import entity
from typing import Optional, List, Dict


class Bad(ValueError):
    pass


@entity
class Scorer:
    def __init__(self, name: str, weight: int):
        self.name = name
        self.weight = weight
        self.calls = 0

    def __key__(self):
        return self.name

    def score(self, x: int) -> int:
        self.calls += 1
        if x < 0:
            raise Bad(f"negative {x}")
        return x * self.weight

    def pair(self, x: int, y: int) -> int:
        return x * 10 + y


@entity
class Store:
    def __init__(self, name: str, scorer: Scorer):
        self.name = name
        self.items: Dict[str, int] = {}
        self.log: List[str] = []
        self.scorer = scorer

    def __key__(self):
        return self.name

    def add(self, item: str, qty: int) -> str:
        self.items[item] = self.items.get(item, 0) + qty
        self.log.append(f"add {item} {qty}")
        return ", ".join(map(str, sorted(self.items.values())))

    def names(self) -> list:
        return list(map(str.upper, self.items))

    def big(self) -> list:
        return list(filter(None, [0, 1, 2, "", "x"]))

    def show(self) -> str:
        print("showing", self.name, sep="|")
        return "{0} has {1} items".format(self.name, len(self.items))

    def scored(self, xs: list) -> list:
        return list(map(self.scorer.score, xs))

    def scored_lambda(self, xs: list) -> int:
        return sum(map(lambda x: self.scorer.score(x) + 1, xs))

    def pairs(self, xs: list, ys: list) -> list:
        return list(map(self.scorer.pair, xs, ys)) + list(map(lambda a, b: a - b, xs, ys))

    def any_neg(self, xs: list) -> bool:
        try:
            return any(map(lambda x: self.scorer.score(x) > 5, xs))
        except Bad as e:
            return str(e)

    def all_pos(self, xs: list):
        return all(filter(lambda x: self.scorer.score(x) > 0, xs))

    def evens(self, xs: list) -> list:
        return [x for x in filter(lambda v: v % 2 == 0, xs)]

    def getmany(self, ks: list) -> list:
        return list(map(self.items.get, ks))

    def calls(self) -> int:
        return self.scorer.calls

    def bad_print(self):
        print(1, sep=2)
