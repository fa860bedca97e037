from entiflow import entity


class Oops(ValueError):
    pass


@entity
class Src:
    def __init__(self, k: str, n: int):
        self.k = k
        self.n = n

    def __key__(self):
        return self.k

    def pair(self) -> tuple:
        return (self.n, self.n * 2)

    def items(self) -> list:
        return [(i, f"v{i}") for i in range(self.n)]

    def key(self) -> str:
        return f"k{self.n % 3}"

    def boom(self) -> int:
        raise Oops(f"boom {self.n}")

    def width(self) -> int:
        return self.n + 4


@entity
class Sink:
    def __init__(self, k: str, a: Src, b: Src):
        self.k = k
        self.a = a
        self.b = b
        self.d = {}
        self.xs = list(range(10))

    def __key__(self):
        return self.k

    def unpack(self) -> list:
        x, y = self.a.pair()
        (p, q), r = self.b.pair(), self.a.n
        return [x, y, p, q, r]

    def loop_items(self) -> dict:
        out = {}
        for i, label in self.a.items():
            out[label] = i * self.b.n
        return out

    def nested(self) -> list:
        return [[x * y for y in range(self.b.n) if y % 2 == 0] for x in range(self.a.n) if self.a.n > x]

    def counts(self) -> dict:
        for s in [self.a, self.b, self.a]:
            self.d[s.key()] = self.d.get(s.key(), 0) + 1
        self.d[self.a.key()] += 10
        return self.d

    def chain_cmp(self) -> list:
        return [self.a.n < self.b.n <= self.b.width(), 0 < self.a.n < 2 < self.b.n]

    def fmt(self) -> str:
        return f"[{self.a.n:>{self.b.width()}}|{self.b.n:<{self.a.width()}.1f}|{self.a.k!r:^9}]"

    def finally_wins(self) -> str:
        try:
            self.a.boom()
        finally:
            return "finally"

    def reraise(self) -> str:
        try:
            self.b.boom()
        except Oops as e:
            raise KeyError(str(e)) from e

    def slices(self) -> list:
        del self.xs[::3]
        self.xs[1:3] = [self.a.n, self.b.n, 99]
        return self.xs[::-2]

    def while_else(self, limit: int) -> list:
        seen = []
        i = 0
        while i < limit:
            i += 1
            if i == self.b.n:
                break
            seen.append(i)
        else:
            seen.append("done")
        return seen

    def cond_expr(self) -> list:
        return [self.a.n if self.b.n > 2 else self.b.boom(), self.b.n or self.a.boom(), self.a.n and self.b.width()]
