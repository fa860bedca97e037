from entiflow import entity


@entity
class Mixer:
    def __init__(self, k: str):
        self.k = k

    def __key__(self):
        return self.k

    def divs(self, pairs: list) -> list:
        return [repr(a / b) for a, b in pairs]

    def compare(self, pairs: list) -> list:
        out = []
        for a, b in pairs:
            f = float(b)
            out.append([a < f, a <= f, a == f, a > f, f < a, max(a, f) == a, sorted([f, a]) == [f, a]])
        return out
