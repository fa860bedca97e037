from entiflow import entity

LIMIT = 100

def clamp(x: int, lo: int = 0, hi: int = LIMIT) -> int:
    return max(lo, min(x, hi))

def total_price(items: list["Item"]) -> int:
    return sum(i.price for i in items)

def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)

def push(xs, x):
    xs.append(x)
    return len(xs)

def negated_total(xs):
    return -sum(xs)

def boom(x):
    if x < 0:
        raise ValueError(f"negative: {x}")
    return x

@entity
class Item:
    def __init__(self, name: str, price: int):
        self.name = name
        self.price = clamp(price)
    def __key__(self):
        return self.name

@entity
class Acc:
    def __init__(self, name: str):
        self.name = name
        self.v = 0
        self.log = []
    def __key__(self):
        return self.name
    def add(self, x: int) -> int:
        self.v = clamp(self.v + x, hi=50)
        n = push(self.log, x)
        return self.v * 1000 + n
    def cost(self, items: list[Item]) -> int:
        return total_price(items) + fact(5) + negated_total([1])
    def safe(self, x: int):
        try:
            return boom(x)
        except ValueError as e:
            return str(e)
    def unsafe(self, x: int):
        self.v = 7
        return boom(x)
