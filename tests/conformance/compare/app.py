from entiflow import entity

LOW = 10
HIGH = 20
NAMES = ("ann", "bob")


@entity
class Judge:
    def __init__(self, name: str):
        self.name = name
        self.seen = []
        self.tags = {"a": 1, "b": 2}

    def __key__(self):
        return self.name

    def band(self, x) -> str:
        if LOW <= x < HIGH:
            return "mid"
        elif x < LOW:
            return "low"
        else:
            return "high"

    def chain(self, a, b, c) -> list:
        return [a < b < c, a < b > c, a == b == c, a != b != c, a <= b <= c <= 100, 1 < a in [1, 2, 3]]

    def identity(self, x) -> list:
        y = x
        z = self.seen
        return [x is None, x is not None, y is x, z is self.seen, [] is [], x is True, x == True]

    def membership(self, x) -> list:
        return [x in self.tags, x not in self.tags, x in NAMES, x in "bobcat", x in ["a", 1, None], x in {"ann", 1}]

    def range_in(self, x: int) -> list:
        return [x in range(10), x in range(0, 20, 3), x in range(10, 0, -2), x in range(5, 5)]

    def mixed_order(self, a, b) -> bool:
        return a < b

    def seq_compare(self, a: list, b: list) -> list:
        return [a < b, a == b, tuple(a) <= tuple(b), a > b, max(a, b), min([a, b])]

    def str_compare(self, a: str, b: str) -> list:
        return [a < b, a == b, a > b, sorted([a, b]), a.lower() == b.lower()]

    def none_eq(self, x) -> list:
        return [x == None, None == x, x != None, [x] == [None]]

    def contains_bad(self, x) -> bool:
        return x in "abc"

    def unhashable_in(self) -> bool:
        return [1] in self.tags
