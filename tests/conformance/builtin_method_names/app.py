from entiflow import entity


@entity
class Store:
    def __init__(self, name: str):
        self.name = name
        self.data = {}
        self.tags = set()

    def __key__(self):
        return self.name

    # Entity methods named like builtin methods.
    def get(self, k: str) -> int:
        return self.data.get(k, 0)

    def update(self, k: str, v: int) -> None:
        self.data.update({k: v})

    def title(self) -> str:
        return self.name.title()

    def count(self) -> int:
        return len(self.data)

    def add(self, tag: str) -> int:
        self.tags.add(tag)
        return len(self.tags)

    def index(self, k: str) -> int:
        return list(self.data).index(k)

    # Builtin methods on values whose type is plain from their assignments.
    def locals(self, s: str) -> list:
        d = {"a": 1}
        d.update({"b": 2})
        words = s.split()
        line = f"{s}-{len(words)}"
        joined = " ".join(words).title()
        n = [1, 2, 2, 3]
        seen = set()
        seen.add(3)
        if len(words) > 1:
            d = dict(d)
        else:
            d = {}
        return [d.get("a"), d.get("z", -1), line.title(), joined, n.count(2), n.index(3), sorted(seen), s.upper().title(), "ab".center(6, "*")]

    def through_refs(self, other: "Store") -> list:
        other.update("x", 5)
        got = other.get("x")
        return [got, other.count(), other.title(), other.add("t"), other.index("x")]

    def mixed(self, other: "Store", thing, flag: bool) -> list:
        # One name, two kinds of value: entity reference or builtin value, decided at run time.
        s = other
        first = s.title()
        s = "abc"
        second = s.title()
        x = {"x": 1}
        if flag:
            x = other
        got = x.get("x")
        for t in [other, {"x": 7}]:
            got2 = t.get("x")
        counts = {"a": 3, "b": 1}
        names = sorted(counts, key=thing.get)
        return [first, second, got, got2, thing.count(), names]
