from entiflow import entity


class Base(Exception):
    pass


class Pay(Base):
    code = 402

    def __init__(self, amount: int):
        super().__init__(f"need {amount}")
        self.amount = amount


@entity
class A:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def f(self, kind: str):
        try:
            if kind == "pay":
                raise Pay(5)
            raise Base("plain")
        except Base as e:
            return [getattr(e, "amount", None), getattr(e, "code", 0), hasattr(e, "amount"), getattr(e, "args"), hasattr(1, "x")]

    def g(self):
        try:
            raise Base("x")
        except Base as e:
            return getattr(e, "amount")

    def h(self):
        return getattr(self.name, 5)
