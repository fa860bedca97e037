from entiflow import entity


@entity
class Cycles:
    def __init__(self, name: str):
        self.name = name
        self.loop = []

    def __key__(self):
        return self.name

    def same_object(self, which: int) -> list:
        d = {}
        d["k"] = d
        x = [1]
        x.append(x)
        t = ([2],)
        t[0].append(t)
        out = []
        if which == 0:
            out = [d == d, d in [d], [d].count(d), [d, 1].index(d), d != d]
        elif which == 1:
            out = [x == x, x in [x], [x, x].count(x), x <= x, (x,) == (x,)]
        elif which == 2:
            y = [5, x]
            y.remove(x)
            out = [y, t == t, t in [t], {"a": x} == {"a": x}]
        elif which == 3:
            self.loop.append(self.loop)
            out = [self.loop == self.loop, self.loop in [self.loop], len(self.loop)]
        return out

    def distinct(self, which: int) -> str:
        x = []
        x.append(x)
        y = []
        y.append(y)
        try:
            if which == 0:
                return str(x == y)
            if which == 1:
                return str(x < y)
            if which == 2:
                return str(sorted([x, y]))
            if which == 3:
                return str(max(x, y))
            if which == 4:
                return str([x].index(y))
            if which == 5:
                return str(x in [y])
            if which == 6:
                return str({"k": x} == {"k": y})
        except RecursionError as e:
            return "RecursionError: " + str(e)
        return "none"

    def deep(self, n: int) -> list:
        a = []
        b = []
        for _ in range(n):
            a = [a]
            b = [b]
        try:
            return [a == b, a != b, a in [b]]
        except RecursionError as e:
            return [type(e).__name__]

    def remove_while_inside(self) -> list:
        x = [[5]]
        x.insert(0, x)
        x.remove([5])
        return [len(x), x[0] is x]
