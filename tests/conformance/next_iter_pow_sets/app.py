from entiflow import entity


class Bad(ValueError):
    pass


@entity
class Box:
    def __init__(self, name: str):
        self.name = name
        self.items = [3, 1, 4, 1, 5]
        self.tags = {"a", "b", "c"}
        self.peer = None
        self.hits = 0

    def __key__(self):
        return self.name

    def set_peer(self, p: "Box") -> None:
        self.peer = p

    def check(self, x: int) -> bool:
        self.hits += 1
        if x < 0:
            raise Bad(f"neg {x}")
        return x > 3

    def first_big(self, limit: int):
        return next((x for x in self.items if x > limit), None)

    def first_big_strict(self, limit: int):
        return next(x for x in self.items if x > limit)

    def first_remote(self, xs: list):
        return next((x for x in xs if self.peer.check(x)), -1)

    def first_map(self, xs: list):
        return next(map(self.peer.check, xs))

    def first_filter(self, xs: list):
        return next(filter(self.peer.check, xs), "none")

    def hits_of_peer(self) -> int:
        return self.peer.hits

    def iter_steps(self) -> list:
        it = iter(self.items)
        a = next(it)
        b = next(it)
        rest = list(it)
        return [a, b, rest, next(it, "end")]

    def first_key(self, d: dict):
        return next(iter(d))

    def first_key_default(self, d: dict):
        return next(iter(d), "empty")

    def not_iter(self):
        return next(self.items)

    def stop(self):
        try:
            return next(iter([]))
        except StopIteration as e:
            return "stopped:" + str(e) + type(e).__name__

    def maps(self) -> list:
        m = map(str, self.items)
        first = next(m)
        return [first, list(m), list(m)]

    def map_len(self):
        return len(map(str, self.items))

    def powers(self) -> list:
        return [pow(2, 10), pow(2, -1), pow(3, 4, 5), pow(-3, 3, 7), pow(3, -1, 7), pow(5, 2, -7), pow(2.0, 3), pow(base=2, exp=5)]

    def pow_bad(self, m: int):
        return pow(2, -1, m)

    def bases(self) -> list:
        return [bin(10), bin(-5), oct(64), hex(255), hex(-255), bin(0), hex(True)]

    def hex_bad(self):
        return hex(1.5)

    def sets(self) -> list:
        s = set(self.tags)
        s.difference_update({"a"}, ["z"])
        t = set(self.tags)
        t.intersection_update({"a", "b", "q"})
        u = {1, 2, 3}
        u.symmetric_difference_update([3, 4])
        self.tags.difference_update(["c"])
        return [sorted(s), sorted(t), sorted(u), sorted(self.tags)]

    def str_map(self) -> str:
        return "-".join(map(str, filter(lambda v: v % 2 == 1, self.items)))

    def for_map(self) -> int:
        total = 0
        for v in map(lambda x: x * 2, self.items):
            total += v
        return total
