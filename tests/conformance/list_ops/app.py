from entiflow import entity


@entity
class Bag:
    def __init__(self, name: str, items: list):
        self.name = name
        self.items = items
        self.log = []

    def __key__(self):
        return self.name

    def mutate(self) -> list:
        x = self.items
        x.append(99)
        x.extend([7, 8])
        x.insert(0, -1)
        x.insert(-1, 55)
        x.insert(100, 1000)
        last = x.pop()
        first = x.pop(0)
        x.remove(7)
        return [last, first, x, self.items]

    def queries(self, v) -> list:
        return [self.items.count(v), v in self.items, len(self.items)]

    def index_of(self, v) -> int:
        return self.items.index(v)

    def remove_missing(self, v) -> list:
        self.items.remove(v)
        return self.items

    def pop_at(self, i: int):
        return self.items.pop(i)

    def sorting(self) -> list:
        a = self.items.copy()
        a.sort()
        b = self.items.copy()
        b.sort(reverse=True)
        c = sorted(self.items, reverse=True)
        d = list(reversed(self.items))
        e = self.items[:]
        e.reverse()
        return [a, b, c, d, e, self.items]

    def clear_copy(self) -> list:
        c = self.items.copy()
        self.items.clear()
        return [c, self.items]

    def slices(self) -> list:
        a = self.items
        return [a[1:3], a[::-1], a[::2], a[-2:], a[:-2], a[5:1:-2], a[1:100], a[-100:], a[3:1], a[::-3]]

    def slice_assign(self) -> list:
        a = list(range(10))
        a[2:5] = ["x", "y"]
        b = list(range(6))
        b[::2] = [0, 0, 0]
        c = list(range(5))
        c[1:1] = [9, 9]
        d = list(range(5))
        d[-2:] = []
        e = list(range(5))
        e[:] = "ab"
        return [a, b, c, d, e]

    def slice_assign_bad(self) -> list:
        a = list(range(6))
        a[::2] = [1, 2]
        return a

    def deletes(self) -> list:
        a = list(range(10))
        del a[0]
        del a[-1]
        del a[2:4]
        del a[::2]
        self.log.append(len(a))
        return a

    def del_bad(self, i: int) -> list:
        a = [1, 2, 3]
        del a[i]
        return a

    def set_index(self, i: int, v) -> list:
        self.items[i] = v
        return self.items

    def ops(self) -> list:
        a = [1, 2]
        b = a + [3]
        c = a * 3
        d = 0 * a
        a += [4]
        e = [[0] * 2] * 2
        e[0][0] = 5
        return [a, b, c, d, e, [] * 5]

    def pop_empty(self):
        x = []
        return x.pop()

    def sort_mixed(self) -> list:
        x = [3, "a", 1]
        x.sort()
        return x

    def truthy(self) -> list:
        return [bool([]), bool([0]), not self.items, len([[]])]
