from entiflow import entity


@entity
class Bag:
    def __init__(self, name: str):
        self.name = name
        self.lst = [1, 2, 3]
        self.d = {"a": 1}

    def __key__(self):
        return self.name

    def popl(self) -> int:
        return self.lst.pop()

    def addk(self, k: str) -> int:
        self.d[k] = len(self.d)
        return len(self.d)

    def grow(self, xs: list) -> int:
        xs.append(9)
        return len(xs)

    def own_calls(self) -> list:
        a = f"{self.lst!r}{self.popl()}"
        b = f"{self.d}{self.addk('q')}"
        c = f"{self.lst}-{len(self.lst)}-{self.popl()}-{self.lst}"
        return [a, b, c]

    def remote_calls(self, other: "Bag") -> list:
        xs = [1]
        a = f"{xs}{other.grow(xs)}{xs}"
        b = f"{self.lst!r:>12}|{other.popl()}|{other.lst}"
        return [a, b]

    def spec_order(self) -> list:
        x = [1]
        a = f'{x!r:{"" if x.append(2) else ""}}'
        y = [1]
        b = f"{y!s:{len(y)}}{y.append(5) or ''}{y}"
        return [a, b]

