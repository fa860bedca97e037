"""Arguments nest as deeply as results do: a value a method returns 300 levels deep can be
sent back; references beside them are checked as anywhere else."""
from entiflow import entity


@entity
class Item:
    def __init__(self, item_id: str):
        self.item_id = item_id

    def __key__(self):
        return self.item_id


@entity
class Box:
    def __init__(self, name: str):
        self.name = name
        self.value = None
        self.looks = 0

    def __key__(self):
        return self.name

    def look(self, item: Item) -> int:
        self.looks += 1
        return self.looks

    def nest(self, depth: int) -> list:
        x = [depth]
        for _ in range(depth - 1):
            x = [x]
        self.value = x
        return x

    def put(self, value) -> int:
        self.value = value
        depth = 0
        while isinstance(value, list) and value:
            value = value[0]
            depth += 1
        return depth
