from entiflow import entity


@entity
class T:
    def __init__(self, name: str):
        self.name = name
        self.d = {"a": 1}
        self.xs = [1, 2]

    def __key__(self):
        return self.name

    def _grow(self, k: str) -> int:
        self.d[k + "!"] = 0
        return 1

    def t_listcomp_keys(self):
        d = {"a": 1}
        return [d.setdefault(k + "y", 0) for k in d.keys()]

    def t_listcomp_dict(self):
        d = {"a": 1}
        return [d.setdefault(k + "y", 0) for k in d]

    def t_listcomp_items(self):
        d = {"a": 1}
        return [d.setdefault(k + "y", 0) for k, v in d.items()]

    def t_dictcomp(self):
        d = {"a": 1}
        return {k: d.setdefault(k + "y", 0) for k in d}

    def t_setcomp(self):
        d = {"a": 1}
        return sorted({d.setdefault(k + "y", 0) for k in d.values()})

    def t_genexp_sum(self):
        d = {"a": 1}
        return sum(d.setdefault(str(k) + "y", 0) for k in d)

    def t_self_helper(self):
        return [self._grow(k) for k in self.d]

    def t_for_self_helper(self):
        for k in self.d:
            self._grow(k)
        return 0

    def t_list_append_comp(self):
        xs = [1, 2]
        return [xs.append(x) for x in xs if len(xs) < 6]

    def t_set_iter_mut(self):
        s = {1, 2}
        for x in s:
            s.add(x + 10)
        return s

    def t_set_comp_mut(self):
        s = {1, 2}
        return [s.add(x + 10) for x in s]
