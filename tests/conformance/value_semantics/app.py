from entiflow import entity


class Rejected(ValueError):
    pass


@entity
class Box:
    def __init__(self, name: str, tags: list):
        self.name = name
        self.tags = tags
        self.meta = {"seen": [], "count": 0}
        self.peer = None

    def __key__(self):
        return self.name

    def get_tags(self) -> list:
        return self.tags

    def get_meta(self) -> dict:
        return self.meta

    def mutate_arg(self, items: list) -> list:
        items.append("callee")
        self.meta["seen"].append(len(items))
        return items

    def store_arg(self, items: list) -> int:
        self.tags = items
        items.append("stored")
        return len(self.tags)

    def add_tag(self, t: str) -> list:
        self.tags.append(t)
        return self.tags

    def reset_tags(self) -> None:
        self.tags = []

    def set_peer(self, other) -> None:
        self.peer = other

    def read_remote_copy(self, other) -> list:
        t = other.tags
        t.append("local-only")
        m = other.get_meta()
        m["count"] = 999
        r = other.get_tags()
        r.clear()
        return [len(t), other.tags, other.meta["count"]]

    def pass_list(self, other) -> list:
        mine = ["a", "b"]
        back = other.mutate_arg(mine)
        return [mine, back, back is mine]

    def pass_field(self, other) -> list:
        other.store_arg(self.tags)
        return [self.tags, other.tags]

    def helper_aliasing(self) -> list:
        local = [1]
        self._grow(local)
        self._grow(self.tags)
        return [local, self.tags]

    def _grow(self, items: list) -> None:
        items.append(len(items))

    def alias_across_reentry(self, other) -> list:
        mine = self.tags
        other.call_back_add(self, "via-peer")
        same = mine is self.tags
        return [mine, self.tags, same]

    def rebind_across_reentry(self, other) -> list:
        mine = self.tags
        other.call_back_reset(self)
        return [mine, self.tags, mine is self.tags]

    def call_back_add(self, origin, t: str) -> None:
        origin.add_tag(t)

    def call_back_reset(self, origin) -> None:
        origin.reset_tags()

    def send_self(self, other) -> list:
        other.set_peer(self)
        return [other.peer]

    def refs_as_keys(self, a, b) -> list:
        d = {a: 1}
        d[b] = d.get(b, 0) + 10
        s = {a, b, a}
        return [len(d), len(s), d[a], a in s, sorted([str(x) for x in s])]

    def nested_copy(self, other) -> list:
        data = {"inner": [1, [2, 3]]}
        result = other.echo(data)
        result["inner"][1].append(4)
        return [data, result]

    def echo(self, x):
        return x

    def shared_structure(self, other) -> list:
        inner = [0]
        outer = [inner, inner]
        back = other.echo(outer)
        back[0].append(1)
        return [back, back[0] is back[1], outer]

    def tuple_with_list(self, other) -> list:
        t = ([1], 2)
        back = other.echo(t)
        back[0].append(9)
        return [t, back]

    def raise_after_write(self, t: str) -> None:
        self.tags.append(t)
        raise Rejected("no " + t)

    def caught_callee_write(self, other) -> list:
        try:
            other.raise_after_write("x")
        except Rejected as e:
            return [str(e), other.tags]
        return []
