from entiflow import entity


@entity
class Node:
    def __init__(self, name: str):
        self.name = name
        self.total = 0
        self.next = None

    def __key__(self):
        return self.name

    def link(self, other: "Node") -> str:
        self.next = other
        return other.label()

    def label(self) -> str:
        return self.name

    def push(self, amount: int, hops: int) -> int:
        self.total += amount
        if hops > 0 and self.next is not None:
            return self.next.push(amount, hops - 1) + 1
        return 0

    def get(self) -> int:
        return self.total
