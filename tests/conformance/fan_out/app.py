from entiflow import entity


@entity
class Leaf:
    def __init__(self, key: str):
        self.key = key
        self.hits = 0
        self.log = []

    def __key__(self):
        return self.key

    def ping(self, n: int) -> int:
        self.hits += n
        self.log.append(n)
        return self.hits


@entity
class Hub:
    def __init__(self, name: str):
        self.name = name
        self.leaves: list[Leaf] = []

    def __key__(self):
        return self.name

    def attach(self, leaf: Leaf) -> int:
        self.leaves.append(leaf)
        return len(self.leaves)

    def ping_all(self, n: int, fail_at: int) -> list:
        seen = []
        for i, leaf in enumerate(self.leaves):
            if i == fail_at:
                raise ValueError(f"stopped at {i} after {sum(seen)}")
            seen.append(leaf.ping(n))
        return seen

    def ping_some_caught(self, n: int) -> list:
        out = []
        for leaf in self.leaves:
            try:
                out.append(leaf.ping(n))
                if len(out) % 7 == 0:
                    raise KeyError(len(out))
            except KeyError as e:
                out.append(str(e))
        return out
