from entiflow import entity


class Stop(Exception):
    pass


@entity
class Box:
    def __init__(self, name: str):
        self.name = name
        self.items = [3, 1, 2]
        self.alias = self.items
        self.index = {"a": 1, "b": 2, "c": 3}
        self.tags = {"x", "y", "z"}
        self.nested = {"rows": [[1, 2], [3]], "seen": {1, 2}}
        self.count = 0
        self.it = None

    def __key__(self):
        return self.name

    def mutate_lists(self, fail: bool) -> int:
        self.items.append(4)
        self.items.extend([5, 6])
        self.items += [7]
        self.items.insert(0, 0)
        self.items.pop()
        self.items.pop(1)
        self.items.remove(2)
        self.items[0] = 99
        self.items[1:3] = [8, 8, 8]
        self.items[::2] = [7] * len(self.items[::2])
        del self.items[0]
        del self.items[1:2]
        self.items.sort()
        self.items.reverse()
        self.items *= 2
        self.nested["rows"][0].append(10)
        self.nested["rows"].append([11])
        self.count += 1
        if fail:
            raise Stop("lists")
        return len(self.alias)

    def mutate_dicts(self, fail: bool) -> list:
        self.index["d"] = 4
        self.index["a"] = 10
        del self.index["b"]
        self.index.pop("c")
        self.index["b"] = 20
        self.index.setdefault("e", 5)
        self.index.update({"a": 11, "f": 6}, g=7)
        self.index |= {"h": 8}
        self.index.popitem()
        self.nested["seen"].add(3)
        self.nested["new"] = []
        self.count += 1
        if fail:
            raise Stop("dicts")
        return list(self.index.items())

    def mutate_sets(self, fail: bool) -> list:
        self.tags.add("w")
        self.tags.discard("x")
        self.tags.remove("y")
        self.tags.update({"q", "r"})
        self.tags |= {"s"}
        self.tags -= {"q"}
        self.tags.intersection_update({"z", "w", "r", "s", "t"})
        self.tags.symmetric_difference_update({"t", "z"})
        self.tags.difference_update({"w"})
        self.count += 1
        if fail:
            raise Stop("sets")
        return sorted(self.tags)

    def clear_all(self, fail: bool) -> int:
        self.items.clear()
        self.index.clear()
        self.tags.clear()
        self.nested = {}
        self.alias = []
        self.count += 1
        if fail:
            raise Stop("clear")
        return self.count

    def one(self, kind: str, fail: bool) -> list:
        items, index, tags = self.items, self.index, self.tags
        if kind == "append":
            items.append(4)
        elif kind == "extend":
            items.extend([5, 6])
        elif kind == "iadd":
            items += [7]
        elif kind == "imul":
            items *= 2
        elif kind == "insert":
            items.insert(1, 0)
        elif kind == "pop":
            items.pop()
        elif kind == "pop0":
            items.pop(0)
        elif kind == "remove":
            items.remove(1)
        elif kind == "setitem":
            items[1] = 99
        elif kind == "setslice":
            items[1:2] = [8, 8, 8]
        elif kind == "setext":
            items[::2] = [0] * len(items[::2])
        elif kind == "delitem":
            del items[0]
        elif kind == "delslice":
            del items[0:2]
        elif kind == "sort":
            items.sort()
        elif kind == "sortkey":
            self.alias.sort(key=lambda x: -x)
        elif kind == "reverse":
            items.reverse()
        elif kind == "lclear":
            items.clear()
        elif kind == "dset":
            index["a"] = 10
        elif kind == "dnew":
            index["z"] = 26
        elif kind == "ddel":
            del index["a"]
        elif kind == "dpop":
            index.pop("b")
        elif kind == "dpopitem":
            index.popitem()
        elif kind == "dsetdefault":
            index.setdefault("y", 25)
        elif kind == "dupdate":
            index.update({"b": 0, "q": 1})
        elif kind == "dior":
            index |= {"c": 0, "r": 1}
        elif kind == "dclear":
            index.clear()
        elif kind == "sadd":
            tags.add("new")
        elif kind == "sdiscard":
            tags.discard("x")
        elif kind == "sremove":
            tags.remove("y")
        elif kind == "supdate":
            tags.update({"m", "n"})
        elif kind == "sior":
            tags |= {"o"}
        elif kind == "sisub":
            tags -= {"z"}
        elif kind == "sinter":
            tags.intersection_update({"x", "z"})
        elif kind == "sdiff":
            tags.difference_update({"x"})
        elif kind == "ssym":
            tags.symmetric_difference_update({"x", "k"})
        elif kind == "sclear":
            tags.clear()
        elif kind == "field":
            self.items = [0]
        if fail:
            raise Stop(kind)
        return [items, list(index), sorted(tags), self.alias]

    def reset(self) -> None:
        self.items[:] = [3, 1, 2, 5]
        self.index.clear()
        self.index.update(a=1, b=2, c=3)
        self.tags.clear()
        self.tags.update(["x", "y", "z"])

    def start_iter(self) -> None:
        self.it = iter(range(10, 20))

    def take(self, fail: bool):
        first = next(self.it)
        if fail:
            raise Stop("take")
        return first

    def stop_iter(self) -> list:
        rest = list(self.it)
        self.it = None
        return rest

    def poke(self, other, fail: bool) -> int:
        other.mutate_lists(False)
        other.mutate_dicts(False)
        self.items.append(-1)
        if fail:
            raise Stop("poke")
        return len(self.items)

    def caught(self, other) -> str:
        try:
            other.mutate_sets(True)
        except Stop as e:
            return "caught " + str(e)
        return "not raised"

    def show(self) -> list:
        return [self.items, self.alias, self.items is self.alias, self.index, sorted(self.tags),
                self.nested["rows"], sorted(self.nested["seen"]), self.count]
