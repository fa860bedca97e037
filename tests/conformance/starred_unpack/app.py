from entiflow import entity


@entity
class Queue:
    def __init__(self, name: str, items: list):
        self.name = name
        self.items = items
        self.head = None
        self.rest = []

    def __key__(self):
        return self.name

    def split(self) -> list:
        first, *rest = self.items
        self.head, *self.rest = self.items
        *init, last = self.items
        a, *mid, z = self.items
        [p, *q] = "xyz"
        return [first, rest, init, last, a, mid, z, p, q, self.head, self.rest]

    def pairs(self) -> list:
        out = []
        for row in self.items:
            k, *vs = row
            out.append((k, len(vs)))
        return out

    def short(self, n: int):
        a, b, *c = self.items[:n]
        return [a, b, c]
