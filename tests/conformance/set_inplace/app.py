from entiflow import entity

@entity
class S:
    def __init__(self, k: str):
        self.k = k
        self.s = set()
    def __key__(self):
        return self.k
    def grow(self, n: int) -> int:
        s = set()
        for i in range(n):
            s |= {i}
        for i in range(0, n, 2):
            s -= {i}
        t = set(range(50))
        for i in range(n):
            t &= t
            t ^= {i % 7}
        return len(s) + len(t)
    def add(self, x: int) -> int:
        self.s |= {x}
        return len(self.s)
    def mix(self, xs: list) -> list:
        s = {1, 2, 3, 4}
        s |= set(xs)
        s -= {2, 99}
        s.difference_update([3], [1])
        s.symmetric_difference_update({4, 5, 6})
        s |= s
        u = set(s)
        u -= u
        return [sorted(s), len(u)]
    def fail(self, x: int):
        self.s |= {x, x + 1}
        self.s -= {x}
        self.s ^= {100}
        raise ValueError("no")
