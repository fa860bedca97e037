from entiflow import entity


@entity
class Box:
    def __init__(self, k: str):
        self.k = k
        self.items = [1]
        self.kept = []

    def __key__(self):
        return self.k

    def keep(self, xs: list):
        self.kept = xs

    def give(self) -> list:
        return self.items

    def arg_via_self_ref(self, me: "Box") -> bool:
        me.keep(self.items)
        self.items.append(2)
        return self.kept == self.items

    def result_via_self_ref(self, me: "Box") -> list:
        got = me.give()
        got.append(3)
        return self.items

    def field_via_self_ref(self, me: "Box") -> list:
        got = me.items
        got.append(4)
        return self.items

    def arg_to_other(self, other: "Box") -> bool:
        other.keep(self.items)
        self.items.append(5)
        return other.kept == self.items

    def is_me(self, other: "Box") -> list:
        return [other == self, self == other, self in [other], other != self]
