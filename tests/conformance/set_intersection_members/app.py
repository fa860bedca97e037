from entiflow import entity


@entity
class Sets:
    def __init__(self, name: str):
        self.name = name
        self.s = {1, 2, 3}

    def __key__(self):
        return self.name

    def _kinds(self, s: set) -> list:
        return sorted([type(v).__name__, v] for v in s)

    def ops(self, which: int) -> list:
        if which == 0:
            return self._kinds({1, 2} & {2.0})
        if which == 1:
            return self._kinds({1} & {True})
        if which == 2:
            return self._kinds({2.0} & {1, 2})
        if which == 3:
            return self._kinds({1, 2.0} & {2, 1.0})
        if which == 4:
            return self._kinds({1, 2}.intersection([2.0, 1.0]))
        if which == 5:
            return self._kinds({1, 2, 3}.intersection({2.0, 3.0}, [3, True]))
        if which == 6:
            a = {1, 2}
            a &= {2.0, 5.0, 6.0}
            return self._kinds(a)
        if which == 7:
            a = {1.0, 2.0, 3.0}
            a.intersection_update({1, 2})
            return self._kinds(a)
        return []

    def keep(self, other: list) -> list:
        self.s &= set(other)
        return self._kinds(self.s)

    def views_disjoint(self, d: dict, other: list) -> list:
        out = [d.keys().isdisjoint(other), d.items().isdisjoint([("a", 1)])]
        try:
            d.keys().isdisjoint([[1]])
        except TypeError as e:
            out.append(str(e))
        try:
            d.values().isdisjoint(other)
        except AttributeError as e:
            out.append(str(e))
        return out
