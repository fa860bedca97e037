from entiflow import entity


@entity
class Counter:
    def __init__(self, name: str):
        self.name = name
        self.n = 0
        self.items = [1, 5, 2, 8, 3]

    def __key__(self):
        return self.name

    def bump(self) -> int:
        self.n += 1
        return self.n

    def loop(self, limit: int) -> list:
        out = []
        i = 0
        while (i := i + 1) <= limit:
            out.append(i)
        return [out, i]

    def cond(self, xs: list):
        if (n := len(xs)) > 3:
            return f"long {n}"
        return n

    def comp(self) -> list:
        ys = [y for x in self.items if (y := x * 2) > 5]
        return [ys, y]

    def order(self) -> list:
        a = 1
        return [a, (a := 5), a, a + (a := 7) + a]

    def remote(self, other: "Counter") -> list:
        total = 0
        while (v := other.bump()) < 4:
            total += v
        return [total, v]

    def remote_in_expr(self, other: "Counter") -> int:
        return (b := other.bump()) * 10 + b

    def any_walrus(self) -> list:
        found = any((hit := x) > 4 for x in self.items)
        return [found, hit]

    def chained(self):
        if (first := self.items[0]) and (second := self.items[1]) > first:
            return first + second
        return None

    def unbound(self, flag: bool):
        if flag and (z := 3):
            pass
        return z

    def lambda_scope(self, y: int) -> list:
        a = 0
        out = list(map(lambda v: (a := v + y), [1, 2]))
        keys = sorted([3, 1, 2], key=lambda v: (k := -v))
        return [a, out, keys]
