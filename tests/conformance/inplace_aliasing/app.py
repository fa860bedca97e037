from entiflow import entity


@entity
class Bag:
    def __init__(self, name: str):
        self.name = name
        self.items = []
        self.members = {1, 2}
        self.tags = {"k": [1]}
        self.meta = {"a": 1}
        self.count = 0

    def __key__(self):
        return self.name

    def add_alias(self, x: int) -> list:
        alias = self.items
        alias += [x]
        return self.items

    def add_field(self, x: int) -> list:
        old = self.items
        self.items += [x, x]
        return [old, self.items]

    def grow_tag(self, x: int) -> dict:
        before = self.tags["k"]
        self.tags["k"] += [x]
        return {"before": before, "tags": self.tags}

    def union(self, x: int) -> list:
        alias = self.members
        self.members |= {x}
        self.members -= {1}
        return sorted(alias)

    def merge(self, k: str, v: int) -> dict:
        alias = self.meta
        alias |= {k: v}
        return self.meta

    def repeat(self, n: int) -> list:
        xs = [1, 2]
        ys = xs
        xs *= n
        return ys

    def numbers(self, n: int) -> int:
        self.count += n
        c = self.count
        c *= 2
        return c

    def remove(self, x: int) -> bool:
        self.members.remove(x)
        return x in self.members

    def bad(self) -> list:
        self.items += 5
        return self.items
