from entiflow import entity


@entity
class Probe:
    def __init__(self, name: str):
        self.name = name
        self.settings = {"a": 1}

    def __key__(self):
        return self.name

    def merge(self, pairs: list) -> dict:
        self.settings |= pairs
        return self.settings

    def attempt(self, case: int):
        try:
            if case == 0:
                return "abc"["x"]
            if case == 1:
                return "abc".replace(None, "b")
            if case == 2:
                return ",".join(5)
            if case == 3:
                xs = [1, 2, 3]
                xs[0:1] = 5
                return xs
            if case == 4:
                return {(1, [2])}
            if case == 5:
                return chr(10**18)
            if case == 6:
                xs = [1, 2, 3, 4]
                xs[::2] = 7
                return xs
            if case == 7:
                return "abc".find(None)
            if case == 8:
                d = {"a": 1}
                d |= 5
                return d
            if case == 9:
                d = {"a": 1}
                d |= [1]
                return d
            return [1, 2][None]
        except Exception as e:
            return [type(e).__name__, str(e)]
