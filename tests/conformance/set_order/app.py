"""Sets of ints, floats and tuples that never lost a member iterate in CPython's order (its
hash table's, not insertion order): built member by member, displays, copies and set operations."""

from entiflow import entity


@entity
class Group:
    def __init__(self, name: str):
        self.name = name
        self.members = set()
        self.seen = {40, 3, 17, 8, 1}

    def __key__(self):
        return self.name

    def join(self, member_id: int) -> list:
        self.members.add(member_id)
        return list(self.members)

    def first(self) -> int:
        for m in self.members:
            return m
        return -1

    def share(self, other: "Group") -> list:
        return other.receive(self.members)

    def receive(self, ids: set) -> list:
        ids.add(7)
        return list(ids)

    def displays(self, a: int, b: int) -> list:
        return [
            list({3, 1, 2}),
            list({a, b, 1}),
            list({16, 1, 2, 3, 4}),
            list({40, 9, 33, 1, 2, 17, 64}),
            list({-1, -2, 7, 8}),
            str({10, 2, 18}),
            list({x * 7 for x in range(10)}),
            list(set([25, 9, 1, 17])),
            list(set({"b": 1, "a": 2, 33: 3, 1: 4}.values())),
            list({(1, 2), (0, 5), (3, 3)}),
            list({2.5, 0.5, 1.0, 100.25}),
            list({True, 5, 0}),
            list(self.seen),
        ]

    def operations(self, xs: list, ys: list) -> list:
        s = set(xs)
        t = set(ys)
        out = [list(s | t), list(s & t), list(s - t)]
        out.append(list(s.union(ys)))
        out.append(list(s.intersection(t)))
        out.append(list(s.difference(t)))
        out.append(list(s.copy()))
        out.append(list(set(s)))
        u = set(s)
        u |= t
        out.append(list(u))
        out.append(u.pop())
        out.append(sorted(s) == sorted(list(s)))
        out.append(",".join(str(x) for x in s))
        return out
