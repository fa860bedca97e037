from entiflow import entity


@entity
class A:
    def __init__(self, k: str):
        self.k = k

    def __key__(self):
        return self.k

    def f(self, spec: str, x: float):
        return len(format(x, spec))

    def fs(self, p: int, x: float):
        return [len(f"{x:.{p}f}"), len(f"{x:.{p}e}"), f"{x:.{p}g}"[:20], len(f"{x:#.{p}g}"), len(f"{x:.{p}%}")]

    def pct(self, p: int, x: float):
        return len("%.*f" % (p, x))

    def w(self, n: int):
        return len(f"{self.k:>{n}}")

    def items(self, n: int):
        return len(list(range(n)))

    def method(self, n: int):
        return len(self.k.center(n))

    def chars(self, s: str):
        codes = [ord(c) for c in s]
        return [codes, "".join(chr(c + 1) for c in codes), format(3.14159, ".2f"), format(42), format(7, "08b")]

    def bad_chars(self, which: int):
        if which == 0:
            return ord("ab")
        if which == 1:
            return ord(5)
        if which == 2:
            return chr(-1)
        if which == 3:
            return chr("x")
        return format(1, 2)

    def text(self, s: str):
        return [s.splitlines(), s.splitlines(True), s.casefold(), s.isnumeric(), s.isdecimal(), s.istitle()]

    def drain(self):
        d = {"a": 1, "b": 2}
        d["c"] = 3
        del d["a"]
        d["a"] = 4
        out = []
        while d:
            out.append(d.popitem())
        try:
            d.popitem()
        except KeyError as e:
            out.append(str(e))
        xs = [3, 1, 2]
        xs.sort(key=None, reverse=True)
        out.append(xs)
        return out
