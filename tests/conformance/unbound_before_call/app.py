from entiflow import entity


@entity
class B:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def cb(self, a: "A", v: int) -> int:
        a.bump(v)
        return v

    def fail(self) -> int:
        raise ValueError("remote raised")


@entity
class A:
    def __init__(self, name: str, b: B):
        self.name = name
        self.b = b
        self.total = 0
        self.lst = [0]

    def __key__(self):
        return self.name

    def bump(self, v: int) -> None:
        self.total += v
        self.lst.append(v)

    def binop(self) -> list:
        self.total = 1
        x = self.total + self.b.cb(self, 10)
        return [x, self.total]

    def display(self) -> list:
        self.total = 1
        r = [self.total, self.b.cb(self, 10), self.total]
        return r

    def call_args(self) -> list:
        self.total = 1
        return list((self.total, self.b.cb(self, 10)))

    def len_first(self) -> list:
        self.lst = [0]
        return [len(self.lst), self.b.cb(self, 5), len(self.lst)]

    def fstr(self) -> str:
        self.total = 1
        return f"{self.total}-{self.b.cb(self, 10)}-{self.total}"

    def unbound_first(self, flag: bool) -> list:
        if flag:
            a = 1
        return [a, self.b.fail()]

    def zero_div_first(self, d: int) -> list:
        return [10 // d, self.b.fail()]

    def key_err_first(self) -> list:
        d = {}
        return [d["missing"], self.b.fail()]

    def unbound_caught(self) -> str:
        try:
            if self.total < 0:
                a = 1
            r = a + self.b.cb(self, 100)
        except UnboundLocalError:
            return "unbound"
        return "no"
