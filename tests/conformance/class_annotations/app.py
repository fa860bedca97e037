from entiflow import entity
from typing import List


@entity
class Item:
    name: str
    price: int

    def __init__(self, name: str, price: int):
        self.name = name
        self.price = price

    def __key__(self):
        return self.name


@entity
class Cart:
    owner: str
    items: List[Item]
    favourite: Item

    def __init__(self, owner: str):
        self.owner = owner
        self.items = []
        self.favourite = None

    def __key__(self):
        return self.owner

    def add(self, item: Item) -> int:
        self.items.append(item)
        self.favourite = item
        return len(self.items)

    def total(self) -> int:
        return sum(i.price for i in self.items)

    def fav_price(self) -> int:
        return self.favourite.price

    def kind(self) -> str:
        return self.__class__.__name__
