from entiflow import entity


@entity
class Counter:
    def __init__(self, cid: int, start: int = 0, step: int = 1):
        self.cid = cid
        self.value = start
        self.step = step
        self.events = []

    def __key__(self):
        return self.cid

    def incr(self, times: int = 1) -> int:
        for _ in range(times):
            self.value += self.step
        self.events.append(self.value)
        return self.value

    def bump_other(self, other, amount: int = 1) -> list:
        other.incr(amount)
        self.value -= amount
        return [self.value, other.value]

    def key_info(self) -> list:
        return [self.cid, isinstance(self.cid, int), isinstance(self.cid, str)]

    def fail_if(self, limit: int) -> int:
        self.value += 100
        if self.value > limit:
            raise ValueError(f"{self.value} > {limit}")
        return self.value


@entity
class Named:
    def __init__(self, label: str, weight: float = 1.0, parts: list = None):
        self.label = label
        self.weight = weight
        self.parts = parts if parts is not None else []

    def __key__(self):
        return self.label

    def add_part(self, part: str, copies: int = 1, prefix: str = "") -> list:
        for i in range(copies):
            self.parts.append(f"{prefix}{part}{i}")
        return self.parts

    def scale(self, factor: float = 2) -> float:
        self.weight *= factor
        return self.weight
