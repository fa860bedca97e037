from entiflow import entity


@entity
class Acc:
    def __init__(self, k: str, b: int):
        self.k = k
        self.b = b

    def __key__(self):
        return self.k

    def get(self) -> int:
        return self.b

    def all_balances(self, others: list) -> list:
        return [self.b, *(o.get() for o in others), *(x * 2 for x in range(3))]

    def as_set(self, others: list) -> set:
        return {*(o.get() for o in others)}

    def as_tuple(self, others: list) -> tuple:
        return (*(o.get() for o in others), 0)
