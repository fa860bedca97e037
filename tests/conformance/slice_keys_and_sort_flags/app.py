from entiflow import entity


@entity
class Table:
    def __init__(self, name: str):
        self.name = name
        self.d = {"a": 1}

    def __key__(self):
        return self.name

    def slice_key(self, which: int) -> str:
        d = {0: "zero"}
        try:
            if which == 0:
                d[0:1] = 1
            elif which == 1:
                return str(d[0:1])
            elif which == 2:
                del d[0:1]
            elif which == 3:
                self.d[1:2] = 7
        except TypeError as e:
            return "TypeError: " + str(e)
        return str(d)

    def state(self) -> dict:
        return self.d

    def sort_flags(self, flag: object) -> str:
        xs = [3, 1, 2]
        try:
            a = sorted(xs, reverse=flag)
            b = list(xs)
            b.sort(reverse=flag)
            c = sorted(xs, key=lambda v: -v, reverse=flag)
            return str([a, b, c])
        except TypeError as e:
            return "TypeError: " + str(e)
