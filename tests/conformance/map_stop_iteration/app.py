from entiflow import entity


@entity
class Source:
    def __init__(self, key: str, limit: int):
        self.key = key
        self.limit = limit
        self.calls = 0

    def __key__(self):
        return self.key

    def take(self, v: int) -> int:
        self.calls += 1
        if v >= self.limit:
            raise StopIteration
        return v * 10


@entity
class M:
    def __init__(self, name: str):
        self.name = name
        self.seen = []

    def __key__(self):
        return self.name

    def _upto3(self, v: int) -> int:
        self.seen.append(v)
        if v > 3:
            raise StopIteration("past three")
        return v

    def first(self) -> int:
        return next(map(lambda v: next(iter([])), [1, 2]), 10)

    def whole(self) -> list:
        return [list(map(self._upto3, [1, 2, 3, 4, 5])), self.seen]

    def kept(self) -> list:
        return list(filter(lambda v: v < 3 or next(iter([])), [1, 2, 3, 4]))

    def summed(self) -> int:
        return sum(map(self._upto3, [3, 2, 9, 1]))

    def remote(self, s: Source) -> list:
        return list(map(s.take, [1, 2, 3, 4]))

    def anyall(self) -> list:
        return [any(map(lambda v: v > 5 or next(iter([])), [1, 2])), all(map(self._upto3, [1, 9]))]

    def other_errors(self) -> list:
        return list(map(lambda v: 10 // (v - 2), [1, 2, 3]))
