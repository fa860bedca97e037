from entiflow import entity


class NotEnough(Exception):
    """Raised when stock runs out."""


@entity
class Item:
    """A product."""

    def __init__(self, sku: str, qty: int):
        self.sku = sku
        self.qty = qty

    def __key__(self):
        return self.sku

    def take(self, n: int) -> int:
        if n > self.qty:
            raise NotEnough(self.sku)
        self.qty -= n
        return self.qty

    def label(self) -> str:
        return self.sku.upper().replace("-", "_")


@entity
class Order:
    def __init__(self, oid: str):
        self.oid = oid
        self.lines: list[Item] = []
        self.failed = {}

    def __key__(self):
        return self.oid

    def add(self, item: Item) -> int:
        if item in self.lines:
            return -1
        self.lines.append(item)
        return len(self.lines)

    def _take_one(self, item: Item, n: int) -> bool:
        try:
            item.take(n)
            return True
        except NotEnough as e:
            self.failed[str(e)] = n
            return False

    def fill(self, n: int) -> dict:
        ok = [self._take_one(i, n) for i in self.lines]
        return {"ok": ok, "failed": self.failed, "kinds": [isinstance(i, Item) for i in self.lines]}

    def labels(self) -> str:
        return ", ".join(sorted(i.label() for i in self.lines))

    def ordered(self) -> list:
        return sorted(self.lines)

    def keyed(self) -> dict:
        d = {i: i.qty for i in self.lines}
        return {k.sku: v for k, v in d.items()}

    def bad_keys(self) -> dict:
        return {i: 1 for i in self.lines}
