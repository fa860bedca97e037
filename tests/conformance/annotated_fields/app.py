"""Module docstring."""
from entiflow import entity
from typing import Optional


@entity
class Thing:
    """An entity with annotated fields and docstrings."""

    def __init__(self, name: str):
        """Init doc."""
        self.name: str = name
        self.count: int = 0
        self.items: list[int] = []
        self.best: Optional[int] = None

    def __key__(self):
        return self.name

    def shared(self) -> str:
        return "shared:" + self.name

    def bump(self, n: int = 1) -> int:
        self.count += n
        return self.count

    def own(self) -> list:
        """Method doc."""
        x: int = 5
        self.items.append(x)
        return [self.shared(), self.bump(2), self.items]

    def annotated(self) -> list:
        total: float = 0
        for v in self.items:
            total += v
        self.best = max(self.items) if self.items else None
        return [total, self.best]

    def tuple_swap_fields(self) -> list:
        self.count, self.best = self.best, self.count
        return [self.count, self.best]

    def nested_field_aug(self) -> list:
        self.items[0] += 100
        self.items[-1] *= 2
        return self.items

    def bool_chain(self, a, b, c) -> list:
        return [a or b and c, not a == b, a < b == c, (a, b) == (b, a), [a] * 2 + [b]]
