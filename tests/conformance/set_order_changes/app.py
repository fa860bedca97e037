"""Sets that gain and lose members iterate in CPython's order: dummies, growth, pop's finger."""

from entiflow import entity


@entity
class Board:
    def __init__(self, name: str):
        self.name = name
        self.ids = set()

    def __key__(self):
        return self.name

    def apply(self, ops: list) -> list:
        seen = []
        for op, x in ops:
            if op == "add":
                self.ids.add(x)
            elif op == "discard":
                self.ids.discard(x)
            elif op == "pop":
                if self.ids:
                    seen.append(self.ids.pop())
            elif op == "update":
                self.ids.update(x)
            elif op == "ior":
                self.ids |= set(x)
            elif op == "isub":
                self.ids -= set(x)
            elif op == "copy":
                self.ids = self.ids.copy()
            elif op == "minus":
                self.ids = self.ids - set(x)
            elif op == "xor":
                self.ids = self.ids ^ set(x)
            elif op == "union":
                self.ids = self.ids | set(x)
            seen.append(list(self.ids))
        return seen
