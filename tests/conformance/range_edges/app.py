from entiflow import entity


@entity
class A:
    def __init__(self, k: str):
        self.k = k

    def __key__(self):
        return self.k

    def rng(self):
        r = range(-1, 9223372036854775807)
        return [str(r[:1]), str(range(10)[::-2]), range(10)[::-2] == range(9, -1, -2), str(range(0, 10, 3)[0:2])]

    def big(self):
        try:
            n = len(range(-2, 9223372036854775807))
        except OverflowError as e:
            n = str(e)
        r = range(-9223372036854775808, 9223372036854775807)
        return [n, bool(r), r[-1], 5 in r, round(-5, -19), round(-123, -400), int(-9223372036854775808.0)]


    def nested(self):
        try:
            raise ValueError("x")
        except ValueError as e:
            try:
                raise KeyError("b")
            except KeyError as e:
                pass
        try:
            raise ValueError("y")
        except ValueError as e:
            del e
        return "done"

    def any_all(self, start: int, stop: int, step: int) -> list:
        r = range(start, stop, step)
        return [any(r), all(r)]
