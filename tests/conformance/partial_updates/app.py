from entiflow import entity


@entity
class Box:
    def __init__(self, name: str):
        self.name = name
        self.s = {1, 2}
        self.d = {"a": 1}

    def __key__(self):
        return self.name

    def set_update(self, fail: bool) -> list:
        try:
            self.s.update([10], [11, [3]])
        except TypeError as e:
            if fail:
                raise
            return [str(e), sorted(self.s)]
        return sorted(self.s)

    def set_diff(self) -> list:
        try:
            self.s.difference_update([1, [2]])
        except TypeError:
            pass
        return sorted(self.s)

    def set_inter(self) -> list:
        try:
            self.s.intersection_update([10, [2]])
        except TypeError:
            pass
        return sorted(self.s)

    def dict_update(self, fail: bool) -> dict:
        try:
            self.d.update([("n", 1), ("m",)], k=2)
        except ValueError:
            if fail:
                raise
        return self.d

    def dict_ior(self) -> dict:
        try:
            self.d |= [("p", 1), ([1], 2)]
        except TypeError:
            pass
        return self.d
