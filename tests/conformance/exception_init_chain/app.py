from entiflow import entity


class Base(Exception):
    code = 400

    def __init__(self, msg: str, amount: int = 0):
        super().__init__(msg)
        self.amount = amount


class Pay(Base):
    code = 402

    def __init__(self, need: int, have: int = 0):
        super().__init__(f"need {need}", need - have)
        self.need = need
        self.have = have
        self.total = self.amount + self.need


class Quiet(Base):
    def __init__(self, what: str):
        self.what = what


class Deep(Pay):
    def __init__(self):
        Pay.__init__(self, 10)
        self.deep = True


@entity
class A:
    def __init__(self, name: str):
        self.name = name
        self.n = 0

    def __key__(self):
        return self.name

    def f(self, x: int):
        try:
            raise Pay(x, have=2)
        except Base as e:
            return [e.need, e.have, e.code, e.amount, e.total, str(e), e.args]

    def g(self):
        try:
            raise Quiet("q")
        except Base as e:
            return [e.what, str(e), e.args, e.code]

    def h(self):
        try:
            raise Deep()
        except Pay as e:
            return [e.deep, e.need, e.amount, str(e), e.args]

    def aug(self, x: int) -> list:
        b = 1
        b += (b := x)
        c = [1]
        c += (c := [2])
        return [b, c]
