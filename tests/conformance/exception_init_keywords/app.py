from entiflow import entity


class Base(Exception):
    code = 400

    def __init__(self, msg: str, amount: int = 0, tag: str = "t"):
        super().__init__(msg)
        self.amount = amount
        self.tag = tag


class Pay(Base):
    code = 402

    def __init__(self, need: int, have: int = 0):
        super().__init__(f"need {need}", amount=need - have)
        self.need = need


class Kw(Base):
    def __init__(self, m: str):
        Base.__init__(self, m, tag="kw", amount=7)


@entity
class A:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def f(self, x: int):
        try:
            raise Pay(x, have=2)
        except Base as e:
            return [e.need, e.amount, e.tag, e.code, str(e), e.args, Pay.code, Base.code, Kw.code]

    def g(self):
        try:
            raise Kw("m")
        except Base as e:
            return [e.amount, e.tag, str(e)]
