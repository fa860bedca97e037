from entiflow import entity


class Bad(ValueError):
    def __init__(self, msg: str, data: list):
        super().__init__(msg)
        self.data = data


@entity
class B:
    def __init__(self, k: str):
        self.k = k
        self.d = {"a": 1}
        self.v = self.d.keys()
        self.inner = [1]
        self.t = (self.inner, 5)
        self.nest = {"x": [self.inner]}
        self.cyc = []
        self.cyc.append(self.cyc)
        self.err = None
        self.e2 = None

    def __key__(self):
        return self.k

    def step(self, x: int) -> list:
        self.d[str(x)] = x
        self.inner.append(x)
        self.cyc.append(x)
        try:
            raise Bad("b", self.inner)
        except Bad as e:
            self.err = e
            self.e2 = e
        return [list(self.v), list(self.t[0]), len(self.nest["x"][0]), len(self.cyc), len(self.cyc[0]), len(self.err.data), self.err is self.e2]

    def step_fail(self, x: int) -> int:
        self.d.pop("a", None)
        self.d[str(-x)] = -x
        self.inner.insert(0, -x)
        self.cyc[0].append(-x)
        self.err = None
        raise Bad("f", [x])

    def get(self) -> list:
        return [list(self.v), list(self.t[0]), self.nest["x"][0] is self.inner, self.t[0] is self.inner, self.cyc[0] is self.cyc, len(self.cyc)]
