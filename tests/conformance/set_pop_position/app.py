"""Where `pop` looks first belongs to the set: `clear`, `&=`, `intersection_update` and the
other operations that give a set a new table keep it, as CPython does."""

from entiflow import entity


@entity
class A:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def run(self, op: str, fill: int) -> list:
        s = set(range(0, 8 * fill, 8))
        s.add(3)
        s.pop()
        s.pop()
        if op == "iand":
            s &= {3, 1000}
        elif op == "iu1":
            s.intersection_update({3, 1000})
        elif op == "iu2":
            s.intersection_update([3, 1000], {3})
        elif op == "iu0":
            s.intersection_update()
        elif op == "iand_self":
            s &= s
        elif op == "iu_list":
            s.intersection_update([3, 1000])
        elif op == "clear":
            s.clear()
        elif op == "isub_self":
            s -= s
        elif op == "ixor_self":
            s ^= s
        elif op == "isub":
            s -= {3}
        elif op == "du":
            s.difference_update([3], {1000})
        elif op == "ixor":
            s ^= {3, 77}
        elif op == "sdu":
            s.symmetric_difference_update([3, 77])
        elif op == "ior":
            s |= {3, 77}
        elif op == "upd":
            s.update(range(100, 140))
        elif op == "iand_keys":
            s &= {3: 1}.keys()
        elif op == "du_self":
            s.difference_update(s)
        elif op == "du_self2":
            s.difference_update([], s)
        elif op == "sdu_self":
            s.symmetric_difference_update(s)
        elif op == "iu_self":
            s.intersection_update(s)
        elif op == "copy":
            s = s.copy()
        out = [list(s)]
        for x in [5, 0, 1, 2, 4, 6, 7]:
            s.add(x)
        pops = []
        while s and len(pops) < 5:
            pops.append(s.pop())
        out.append(pops)
        out.append(list(s))
        return out
