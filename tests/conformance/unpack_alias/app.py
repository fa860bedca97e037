from entiflow import entity

PAIR = (1, 2)


@entity
class Holder:
    def __init__(self, name: str):
        self.name = name
        self.items = []
        self.grid = [[0, 0], [0, 0]]
        self.meta = {"tags": []}
        self.pair = PAIR

    def __key__(self):
        return self.name

    def unpack(self, seq: list) -> list:
        a, b = seq
        return [b, a]

    def unpack3(self, seq: list) -> list:
        a, b, c = seq
        return [c, b, a]

    def nested(self) -> list:
        (a, b), c = [1, 2], 3
        x, (y, z) = "p", "qr"
        [m, n] = (5, 6)
        for i, (j, k) in enumerate([(1, 2), (3, 4)]):
            c += i + j + k
        return [a, b, c, x, y, z, m, n]

    def swap(self, a, b) -> list:
        a, b = b, a
        p, q = self.pair
        self.pair = (q, p)
        return [a, b, self.pair]

    def unpack_dict(self) -> list:
        k1, k2 = {"x": 1, "y": 2}
        return [k1, k2]

    def unpack_str(self, s: str) -> list:
        a, b, c = s
        return [a, b, c]

    def unpack_int(self, n: int) -> int:
        a, b = n
        return a

    def alias_field(self, v) -> list:
        x = self.items
        x.append(v)
        y = x
        y.append(v)
        return self.items

    def alias_nested(self) -> list:
        row = self.grid[0]
        row[1] = 7
        tags = self.meta["tags"]
        tags.append("t")
        g = self.grid
        g.append([1])
        return [self.grid, self.meta]

    def alias_rebind(self) -> list:
        x = self.items
        x = x + [100]
        z = self.items
        z = z * 1
        z.append(200)
        return [x, self.items, z]

    def alias_in_local_struct(self) -> list:
        box = {"list": self.items}
        box["list"].append("via-box")
        holder = [self.items, self.items]
        holder[0].append("via-holder")
        return [len(self.items), holder[1] is self.items, self.items[-2:]]

    def copy_not_alias(self) -> list:
        c = list(self.items)
        c.append("copy-only")
        d = self.items[:]
        d.clear()
        return [len(self.items), len(c), len(d)]

    def chained_assign(self) -> list:
        a = b = []
        a.append(1)
        x = y = 5
        x += 1
        return [a, b, x, y]

    def multi_target(self) -> list:
        self.items = out = [1, 2]
        out.append(3)
        return self.items
