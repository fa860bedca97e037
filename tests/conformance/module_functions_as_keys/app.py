from entiflow import entity

def score(x):
    return -x if x % 2 else x

def is_big(x, limit=3):
    return x > limit

def pair(a, b):
    return a * b

def weight(item: "Item") -> int:
    return item.price * 2

@entity
class Item:
    def __init__(self, name: str, price: int):
        self.name = name
        self.price = price
    def __key__(self):
        return self.name

@entity
class Acc:
    def __init__(self, name: str):
        self.name = name
    def __key__(self):
        return self.name
    def run(self, xs: list[int]):
        return [sorted(xs, key=score), list(map(score, xs)), list(filter(is_big, xs)),
                max(xs, key=score), min(xs, key=score), list(map(pair, xs, xs))]
    def heavy(self, items: list[Item]):
        return [i.name for i in sorted(items, key=weight)]
