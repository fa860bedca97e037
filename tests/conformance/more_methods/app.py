"""`float.is_integer`, `int.bit_length`, `str.isprintable`, `str.isidentifier`, `str.expandtabs`."""
from entiflow import entity


@entity
class M:
    def __init__(self, k: str):
        self.k = k

    def __key__(self):
        return self.k

    def floats(self, x: float) -> list:
        return [x.is_integer(), (x * 2).is_integer(), (-x).is_integer()]

    def ints(self, n: int) -> list:
        return [n.bit_length(), (-n).bit_length(), (n + 1).bit_length(), True.bit_length(),
                False.bit_length()]

    def texts(self, s: str) -> list:
        return [s.isprintable(), s.isidentifier()]

    def tabs(self, s: str, size: int) -> list:
        return [s.expandtabs(), s.expandtabs(size), s.expandtabs(tabsize=size)]

    def bad(self, which: int):
        if which == 0:
            return "a\tb".expandtabs("4")
        if which == 1:
            return "a\tb".expandtabs(1, 2)
        if which == 2:
            return "a\tb".expandtabs(size=2)
        if which == 3:
            return (1.5).is_integer(1)
        if which == 4:
            return (5).bit_length(1)
        if which == 5:
            return "a".isprintable(1)
        if which == 6:
            return "a".isidentifier(1)
        if which == 7:
            return "a\tb".expandtabs(2 ** 40)
        if which == 8:
            return "a\tb".expandtabs(None)
        return (1.0).is_integer(x=1)
