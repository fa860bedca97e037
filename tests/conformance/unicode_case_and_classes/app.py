"""Character classes and case conversions beyond ASCII (Unicode 14, as CPython 3.11)."""
from entiflow import entity


@entity
class Text:
    def __init__(self, k: str):
        self.k = k

    def __key__(self):
        return self.k

    def classes(self, s: str) -> list:
        return [s.isalpha(), s.isalnum(), s.isnumeric(), s.isupper(), s.islower(), s.istitle()]

    def cases(self, s: str) -> list:
        return [s.lower(), s.upper(), s.casefold(), s.swapcase(), s.capitalize(), s.title()]

    def folds_equal(self, a: str, b: str) -> bool:
        return a.casefold() == b.casefold()
