from entiflow import entity


@entity
class Holder:
    def __init__(self, key: str):
        self.key = key
        self.s1 = set()
        self.s2 = self.s1
        self.it = zip([1, 2, 3, 4], [10, 20, 30, 40])
        self.it2 = self.it
        self.rows = [[0]]
        self.view = self.rows[0]
        self.kinds = [iter([5, 6, 7]), iter("xyz"), iter((8, 9)),
                      map(str, [1, 2]), filter(None, [0, 3]), reversed([1, 2])]

    def __key__(self):
        return self.key

    def add(self, x: int) -> list:
        self.s1.add(x)
        return sorted(self.s2)

    def take(self) -> list:
        return [next(self.it, None), next(self.it2, None)]

    def push(self, x: int) -> list:
        self.view.append(x)
        return self.rows

    def advance(self) -> list:
        return [next(i, None) for i in self.kinds]

    def shared(self) -> list:
        return [self.s1 is self.s2, self.it is self.it2, self.rows[0] is self.view]

    def fail_after_take(self) -> None:
        next(self.it)
        self.s2.add(-1)
        raise ValueError("undo")


@entity
class Other:
    def __init__(self, key: str):
        self.key = key

    def __key__(self):
        return self.key

    def poke(self, h: Holder) -> list:
        return [h.add(7), h.take(), h.push(5)]
