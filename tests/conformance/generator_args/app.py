from entiflow import entity


@entity
class Acc:
    def __init__(self, name: str):
        self.name = name
        self.xs = [3, 1, 2]
        self.peers: list["Acc"] = []
        self.book: dict[str, "Acc"] = {}

    def __key__(self):
        return self.name

    def add(self, other: "Acc") -> int:
        self.peers.append(other)
        self.book[other.name] = other
        return len(self.peers)

    def get(self) -> int:
        return len(self.name)

    def show(self) -> str:
        # Generator arguments of methods and of builtins outside the consumer list.
        return ",".join(str(x) for x in self.xs) + "|" + "-".join(sorted(p.name for p in self.peers))

    def remote_join(self) -> str:
        # `get` is also a dict method: the target's element type makes it a remote call.
        return "+".join(str(p.get()) for p in self.peers)

    def remote_list(self) -> list:
        return [p.get() * 2 for p in self.peers if p.get() > 3]

    def remote_pairs(self) -> dict:
        return {k: v.get() for k, v in self.book.items()}

    def ext(self) -> list:
        out = []
        out.extend(x * 2 for x in self.xs if x > 1)
        d = dict((str(x), x) for x in self.xs)
        return [out, d, list(enumerate(x for x in self.xs)), "".join(c.upper() for c in self.name)]

    def total(self) -> int:
        return sum(p.get() for p in self.peers) + max(len(p.name) for p in self.peers)
