from entiflow import entity


@entity
class Profile:
    def __init__(self, name: str, premium: bool):
        self.name = name
        if premium:
            self.discount = 10
        self.tags = []

    def __key__(self):
        return self.name

    def get_discount(self) -> int:
        return self.discount

    def discount_or_zero(self) -> int:
        try:
            return self.discount
        except AttributeError as e:
            return len(str(e))

    def grant(self, d: int) -> int:
        self.discount = d
        return self.discount

    def bump(self) -> int:
        self.discount += 1
        return self.discount

    def read_other(self, other: "Profile"):
        return other.discount


@entity
class Broken:
    def __init__(self, k: str):
        self.copy = self.k
        self.k = k

    def __key__(self):
        return self.k


@entity
class Pair:
    def __init__(self, k: str, a: int, b: int):
        self.k, (self.a, self.b) = k, (a, b)

    def __key__(self):
        return self.k

    def total(self) -> int:
        return self.a + self.b
