"""Writes that change only which values share one list or dict (rebinding a field to an equal but
distinct object, making two fields share one, untangling `[[]] * 3`), and cyclic values kept in
state, touched by later transactions."""
from entiflow import entity


@entity
class Box:
    def __init__(self, k: int):
        self.k = k
        self.a = []
        self.b = self.a
        self.c = {}
        self.d = {}

    def __key__(self):
        return self.k

    def reset(self) -> None:
        self.a = []

    def link(self) -> None:
        self.d = self.c

    def push(self, v: int) -> list:
        self.a.append(v)
        self.c[v] = v
        return [self.a, self.b, self.c, self.d]


@entity
class Board:
    def __init__(self, k: str):
        self.k = k
        self.rows = [[]] * 3
        self.loop = []

    def __key__(self):
        return self.k

    def fix_rows(self) -> None:
        self.rows = [[] for _ in range(3)]

    def share_rows(self) -> None:
        self.rows = [self.rows[0]] * 3

    def add(self, r: int, v: int) -> list:
        self.rows[r].append(v)
        return self.rows

    def tie(self) -> int:
        a = [1]
        a.append(a)
        self.loop = a
        return len(self.loop[1][1])

    def depth(self) -> int:
        n = 0
        x = self.loop
        while len(x) == 2 and n < 5:
            x = x[1]
            n += 1
        return n

    def untie(self) -> int:
        n = self.depth()
        self.loop = []
        return n
