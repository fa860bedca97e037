from entiflow import entity


@entity
class It:
    def __init__(self, k: str):
        self.k = k
        self.d = {"a": 1, "b": 2}
        self.view = None

    def __key__(self):
        return self.k

    def zip_twice(self) -> list:
        z = zip([1, 2, 3], "abc")
        a = list(z)
        b = list(z)
        return [a, b]

    def enum_twice(self) -> list:
        e = enumerate(["x", "y"])
        first = list(e)
        return [first, list(e)]

    def reversed_twice(self) -> list:
        r = reversed([1, 2, 3])
        return [list(r), list(r)]

    def zip_partial(self) -> list:
        z = zip(range(5), range(5))
        out = []
        for a, b in z:
            if a == 1:
                break
        for a, b in z:
            out.append(a)
        return out

    def live_keys(self) -> list:
        ks = self.d.keys()
        vs = self.d.values()
        its = self.d.items()
        self.d["c"] = 3
        return [len(ks), list(ks), list(vs), list(its), "c" in ks]

    def keys_eq_set(self) -> list:
        return [self.d.keys() == {"a", "b"}, sorted(self.d.keys() & {"a", "z"}), sorted(self.d.keys() | {"z"}), sorted(self.d.keys() - {"a"})]

    def range_stuff(self) -> list:
        r = range(10)
        return [list(r[::-2]), list(r[2:5]), len(range(0, -10, -3)), range(0) == range(2, 2), range(3) == range(0, 3, 1), str(range(3)), repr(range(1, 9, 2)), r[-1], 5 in r, r.index(4) if False else 0]

    def ret_range(self):
        return range(3)

    def ret_keys(self):
        return self.d.keys()

    def ret_items(self):
        return self.d.items()

    def ret_zip(self):
        return zip([1], [2])

    def ret_enum(self):
        return enumerate("ab")

    def ret_reversed(self):
        return reversed([1, 2])

    def store_view(self) -> int:
        self.view = self.d.keys()
        return 0

    def str_of_iters(self) -> list:
        return [str(self.d.keys()), str(self.d.values()), str(self.d.items()), repr(self.d.items())]

    def iter_mutate_keys(self) -> list:
        out = []
        for k in list(self.d.keys()):
            self.d[k + k] = 0
            out.append(k)
        return out

    def iter_mutate_view(self) -> list:
        out = []
        for k in self.d:
            out.append(k)
            self.d[k] = 5
        return out

    def in_generator_sum(self) -> list:
        g = [x * 2 for x in range(4)]
        return [sum(x for x in g), max(x for x in g), sorted((x for x in g), reverse=True), list(x for x in g), tuple(x for x in "ab"), set(x % 2 for x in g) == {0}, dict((x, x) for x in "ab"), "".join(reversed("abc"))]

    def loop_then_rest(self) -> list:
        pairs = zip([1, 2, 3, 4], "abcd")
        seen = []
        for n, c in pairs:
            seen.append(c)
            if n == 2:
                break
        rest = list(pairs)
        e = enumerate(["x", "y", "z"], 1)
        found = (2, "y") in e
        return [seen, rest, found, list(e), type(pairs).__name__, type(reversed([1])).__name__]

    def drained_inside(self) -> list:
        it = zip(range(5), range(5))
        out = []
        for a, b in it:
            out.append(a)
            out.append(len(list(it)))
        return out

    def any_all_partial(self) -> list:
        r = reversed([1, 0, 1])
        first = all(r)
        e = enumerate([0, 0, 5, 6])
        found = any(x for i, x in e)
        z = zip([0, 1, 2], "abc")
        hit = any(z)
        return [first, list(r), found, list(e), hit, list(z)]
