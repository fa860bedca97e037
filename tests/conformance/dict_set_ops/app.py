from entiflow import entity


@entity
class Store:
    def __init__(self, name: str):
        self.name = name
        self.data = {"a": 1, "b": 2}
        self.members = {1, 2, 3}
        self.counts = {}

    def __key__(self):
        return self.name

    def basics(self) -> list:
        d = self.data
        return [d.get("a"), d.get("z"), d.get("z", 0), list(d.keys()), list(d.values()), list(d.items()), len(d), "a" in d, 1 in d]

    def put(self, k: str, v) -> dict:
        self.data[k] = v
        return self.data

    def take(self, k: str):
        return self.data.pop(k)

    def take_default(self, k: str):
        return self.data.pop(k, "none")

    def read(self, k):
        return self.data[k]

    def drop_key(self, k: str) -> dict:
        del self.data[k]
        return self.data

    def setdefault_update(self) -> list:
        d = self.data
        r1 = d.setdefault("a", 100)
        r2 = d.setdefault("new", [])
        r2.append(1)
        d.update({"b": 20, "c": 30})
        d.update([("d", 4)])
        d["a"] += 1
        return [r1, r2, d]

    def count_words(self, words: list) -> dict:
        for w in words:
            self.counts[w] = self.counts.get(w, 0) + 1
        return self.counts

    def iterate(self) -> list:
        out = []
        for k in self.data:
            out.append(k)
        for k, v in self.data.items():
            out.append(f"{k}={v}")
        for v in self.data.values():
            out.append(v)
        return out

    def mutate_during(self) -> list:
        d = {"x": 1, "y": 2}
        for k in list(d):
            d[k + k] = d.pop(k)
        return [d]

    def merge(self) -> list:
        a = {"x": 1, "y": 2}
        b = {"y": 3, "z": 4}
        c = a | b
        e = dict(a)
        e["w"] = 0
        return [c, a, e, dict(zip(["p", "q"], [1, 2])), dict([("k", "v")]), dict(x=1, y=2), dict(a, y=9)]

    def key_types(self) -> dict:
        d = {}
        d[1] = "int"
        d[1.0] = "float"
        d[True] = "bool"
        d[(1, 2)] = "tuple"
        d[None] = "none"
        d["1"] = "str"
        return {str(k): v for k, v in d.items()}

    def bad_key(self) -> dict:
        d = {}
        d[[1]] = 2
        return d

    def sets(self, other: list) -> list:
        s = self.members
        o = set(other)
        return [s | o, s & o, s - o, s ^ o, s.union(other), s.intersection(other), s.difference(other), s <= o, s < s | o, s >= {1}, len(s), 2 in s]

    def set_mutate(self, x: int) -> list:
        self.members.add(x)
        self.members.add(x)
        self.members.discard(100)
        self.members.discard(1)
        return [self.members, sorted(self.members), len(self.members)]

    def set_remove(self, x: int) -> list:
        self.members.remove(x)
        return sorted(self.members)

    def set_strings(self, words: list) -> list:
        s = set(words)
        t = {w.upper() for w in words}
        return [sorted(s), sorted(t), len(s), s == set(reversed(words)), sorted(s - {"a"})]

    def copy_clear(self) -> list:
        c = self.data.copy()
        self.data.clear()
        c["zz"] = 1
        return [c, self.data]

    def eq(self) -> list:
        return [{"a": 1, "b": 2} == {"b": 2, "a": 1}, {1, 2} == {2, 1}, {1: 1} == {1.0: 1.0}, {} == set(), [1] == (1,)]

    def from_keys(self, keys: list) -> list:
        zeros = dict.fromkeys(keys, 0)
        nones = dict.fromkeys("abca")
        shared = dict.fromkeys(["x", "y"], [])
        shared["x"].append(1)
        self.counts = self.data.fromkeys(self.members, 0)
        return [zeros, nones, shared, self.counts]

    def from_keys_bad(self, keys: list) -> dict:
        return dict.fromkeys(keys)

    def from_keys_none(self) -> dict:
        return dict.fromkeys(None)
