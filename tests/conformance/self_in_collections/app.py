from entiflow import entity


@entity
class N:
    def __init__(self, k: str):
        self.k = k
        self.peers: set = set()

    def __key__(self):
        return self.k

    def add(self, p: "N") -> int:
        self.peers.add(p)
        return len(self.peers)

    def check(self) -> list:
        d = {p: 1 for p in self.peers}
        return [self in self.peers, self in list(self.peers), self in d, len(self.peers | {self})]
