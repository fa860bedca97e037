"""zip over one single-pass iterator given twice pairs consecutive items, as in CPython."""

from entiflow import entity

@entity
class Z:
    def __init__(self, k: str):
        self.k = k

    def __key__(self):
        return self.k

    def run(self) -> list:
        it = iter([1, 2, 3, 4, 5, 6])
        a = list(zip(it, it))
        it2 = iter([1, 2, 3, 4])
        b = list(zip(it2, ["a"]))
        c = list(it2)
        it3 = iter("abcdef")
        d = [x + y for x, y in zip(it3, it3)]
        it4 = iter([1, 2, 3, 4, 5])
        e = list(zip(range(2), it4))
        f = list(it4)
        it5 = iter(["a", 1, "b", 2])
        g = dict(zip(it5, it5))
        return [a, b, c, d, e, f, g]
