"""Digits of other scripts: `isdecimal`/`isdigit`/`isnumeric` and what `int()`/`float()` read."""
from entiflow import entity


@entity
class Parser:
    def __init__(self, k: str):
        self.k = k
        self.total = 0

    def __key__(self):
        return self.k

    def parse(self, s: str) -> list:
        out = [s.isdigit(), s.isdecimal(), s.isnumeric(), s.isalnum()]
        try:
            n = int(s)
            self.total += n
            out.append(n)
        except ValueError as e:
            out.append(str(e))
        try:
            out.append(float(s))
        except ValueError as e:
            out.append(str(e))
        return out
