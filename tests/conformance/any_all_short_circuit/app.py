# any()/all() over a generator stop at the first decisive element, as in CPython: the rest is
# never evaluated (it may raise or change state), also inside `or`, conditional expressions,
# while conditions and comprehensions.
from entiflow import entity

@entity
class A:
    def __init__(self, k: str):
        self.k = k
        self.xs = [1, 0]
        self.log = []
    def __key__(self):
        return self.k
    def t1(self) -> bool:
        return any(1 / x > 0 for x in self.xs)
    def t2(self) -> bool:
        return all(1 / x < 0 for x in self.xs)
    def t4(self) -> bool:
        return any(self.xs.pop() == 0 for _ in range(2))
    def t5(self) -> list:
        return [self.xs, self.log]
    def t6(self, flag: bool) -> bool:
        return flag or any(1 / x > 0 for x in [0])
    def t7(self, flag: bool) -> str:
        return "skip" if flag else str(all(1 / x for x in [0]))
    def t8(self) -> int:
        n = 0
        while any(x > n for x in [3, 1]):
            n += 1
        return n
    def t9(self) -> list:
        return [any(x > k for x in self.log) for k in range(3)] + [all(y for y in [])]
