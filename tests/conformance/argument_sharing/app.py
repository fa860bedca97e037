from entiflow import entity


@entity
class Peer:
    def __init__(self, k: str):
        self.k = k
        self.first = []
        self.second = []

    def __key__(self):
        return self.k

    def take(self, a: list, b: list, c: list = None) -> list:
        a.append(1)
        return [a is b, b, c is a, len(a)]

    def keep(self, a: list, b: list) -> bool:
        self.first = a
        self.second = b
        self.first.append("x")
        return self.second == ["x"]

    def shared(self) -> list:
        self.first.append("y")
        return [self.first, self.second, self.first is self.second]


@entity
class Caller:
    def __init__(self, k: str, peer: Peer):
        self.k = k
        self.peer = peer

    def __key__(self):
        return self.k

    def same_twice(self) -> list:
        xs = []
        got = self.peer.take(xs, xs, c=xs)
        return [got, xs]

    def different(self) -> list:
        return self.peer.take([], [])

    def store_shared(self) -> list:
        xs = []
        return [self.peer.keep(xs, xs), self.peer.shared()]
