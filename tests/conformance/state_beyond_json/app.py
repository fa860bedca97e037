from entiflow import entity


@entity
class Tracker:
    def __init__(self, name: str):
        self.name = name
        self.best = float("inf")
        self.worst = float("-inf")
        self.by_pair = {}
        self.by_ref = {}
        self.loop = []
        self.mixed = [1.5, float("nan"), (2, "x")]

    def __key__(self):
        return self.name

    def record(self, a: int, b: str, score: float) -> int:
        self.by_pair[(a, b)] = score
        self.best = min(self.best, score)
        self.worst = max(self.worst, score)
        return len(self.by_pair)

    def link(self, other: "Tracker") -> int:
        self.by_ref[other] = other.name
        return len(self.by_ref)

    def tie(self) -> int:
        self.loop.append(self.loop)
        return len(self.loop)
