from entiflow import entity

PI = 3.14159


@entity
class Shower:
    def __init__(self, name: str):
        self.name = name
        self.out = []

    def __key__(self):
        return self.name

    def floats(self) -> list:
        vals = [0.1 + 0.2, 1e20, 1.0, 1e16, 1e15, 123456789012345678.0, 1e-4, 1e-5, 0.0001234, -0.0, 2.5e-10, 1 / 3, 2 / 3, 100.0, 1.5e300 * 1.0, PI, 3.0 * 1.1, float(7), 1e22, 9007199254740993.0]
        return [str(v) for v in vals]

    def float_repr(self, x: float) -> list:
        return [str(x), repr(x), f"{x}", str([x]), str(x * 10), str(x / 7)]

    def containers(self) -> list:
        t = (1,)
        e = ()
        d = {"a": 1, 2: "b", (1, 2): [3.5, None]}
        s = {3}
        nested = [[1, 2], (3, "x"), {"k": [True, False]}]
        return [str(t), str(e), str(d), repr(d), str(s), str(set()), str(nested), str({}), str([]), repr("x"), str(None), str(True), str((1, "a", 2.0)), str(range(3)), str(range(1, 10, 2))]

    def ints(self) -> list:
        return [str(0), str(-5), repr(123), str(10 ** 15), str(-(2 ** 62)), str(True + 0)]

    def exceptions(self) -> list:
        out = []
        try:
            raise ValueError("bad", 3)
        except ValueError as e:
            out.append(str(e))
            out.append(repr(e))
        try:
            raise KeyError("k")
        except KeyError as e:
            out.append(str(e))
            out.append(repr(e))
        try:
            raise RuntimeError()
        except RuntimeError as e:
            out.append(str(e))
            out.append(repr(e))
        try:
            {}["missing"]
        except KeyError as e:
            out.append(str(e))
        try:
            raise IndexError(42)
        except IndexError as e:
            out.append(str(e))
            out.append(repr(e))
        return out

    def ref_str(self) -> list:
        return [str(self.name), repr(self.out)]

    def text_repr(self, codes: list) -> list:
        # Unassigned code points, private use, separators and controls are escaped; other
        # letters of every script are shown as they are.
        return [repr(chr(c)) for c in codes] + [f"{chr(c)!a}" for c in codes]
