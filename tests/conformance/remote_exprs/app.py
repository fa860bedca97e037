from entiflow import entity


class OutOfStock(ValueError):
    pass


@entity
class Item:
    def __init__(self, item_id: str, price: int, stock: int = 0):
        self.item_id = item_id
        self.price = price
        self.stock = stock
        self.reads = 0

    def __key__(self):
        return self.item_id

    def get_price(self) -> int:
        self.reads += 1
        return self.price

    def double(self, x: int) -> int:
        return x * 2

    def take(self, n: int) -> int:
        if n > self.stock:
            raise OutOfStock(f"{self.item_id}: want {n}, have {self.stock}")
        self.stock -= n
        return self.stock

    def available(self) -> bool:
        return self.stock > 0

    def label(self) -> str:
        return f"{self.item_id}@{self.price}"

    def tags(self) -> list:
        return [self.item_id, self.item_id.upper()]

    def info(self) -> dict:
        return {"id": self.item_id, "price": self.price, "stock": self.stock}


@entity
class Shop:
    def __init__(self, name: str, items: list[Item]):
        self.name = name
        self.items = items
        self.revenue = 0
        self.log = []

    def __key__(self):
        return self.name

    def nested_calls(self, a: Item, b: Item, c: Item) -> int:
        return a.double(b.get_price()) + c.get_price()

    def in_condition(self, item: Item) -> str:
        if item.get_price() > 10 and item.available():
            return "pricey and available"
        elif item.available() or item.get_price() == 0:
            return "available"
        return "nope"

    def in_while(self, item: Item) -> int:
        taken = 0
        while item.available():
            item.take(1)
            taken += 1
        return taken

    def in_comprehension(self) -> list:
        return [i.get_price() for i in self.items if i.available()]

    def in_dict_comp(self) -> dict:
        return {i.label(): i.double(i.get_price()) for i in self.items}

    def in_fstring(self, item: Item) -> str:
        return f"{item.label()} costs {item.get_price():>5} ({item.double(item.price)!r})"

    def in_return(self, item: Item) -> list:
        return item.tags()

    def field_reads(self) -> list:
        out = []
        for i in self.items:
            out.append((i.item_id, i.price * i.stock))
        return out

    def total_value(self) -> int:
        return sum(i.price * i.stock for i in self.items)

    def in_aggregates(self) -> list:
        return [max(i.get_price() for i in self.items), min([i.price for i in self.items]), any(i.available() for i in self.items), all(i.available() for i in self.items), sorted(i.label() for i in self.items)]

    def in_ternary(self, item: Item) -> str:
        return item.label() if item.available() else "sold out: " + item.label()

    def in_subscript(self, idx: int) -> str:
        return self.items[idx].label()

    def in_args_and_kwargs(self, item: Item) -> int:
        return item.double(x=item.double(item.get_price()))

    def in_augassign(self, item: Item) -> int:
        self.revenue += item.get_price() * 2
        total = 0
        total += item.get_price()
        return self.revenue + total

    def in_boolean_shortcircuit(self, item: Item, go: bool) -> list:
        a = go and item.get_price()
        b = go or item.get_price()
        return [a, b, item.reads]

    def unpack_remote(self, item: Item) -> list:
        x, y = item.tags()
        d = item.info()
        return [y, x, d["price"]]

    def in_try(self, item: Item, n: int) -> str:
        try:
            left = item.take(n)
        except OutOfStock as e:
            return f"failed: {e}"
        else:
            return f"left {left}"
        finally:
            self.log.append(n)

    def loop_with_break(self, budget: int) -> list:
        bought = []
        for i in self.items:
            p = i.get_price()
            if p > budget:
                continue
            if not i.available():
                break
            budget -= p
            i.take(1)
            bought.append(i.item_id)
        return [bought, budget]

    def chained_refs(self) -> str:
        return self.items[0].label() + "/" + self.items[-1].label()

    def remote_in_index(self, item: Item) -> int:
        arr = [10, 20, 30, 40, 50]
        return arr[item.get_price() % 5]

    def compare_remote(self, a: Item, b: Item) -> list:
        return [a.get_price() < b.get_price() <= 100, a.price == b.price, a.label() in b.label()]

    def self_helper_calls_out(self, item: Item) -> int:
        return self._helper(item) + self._helper(item)

    def _helper(self, item: Item) -> int:
        self.revenue += 1
        return item.get_price()

    def ref_identity(self, a: Item, b: Item) -> list:
        return [a == b, a != b, a in self.items, self.items.index(a) if a in self.items else -1]

    def return_ref(self, idx: int) -> Item:
        return self.items[idx]

    def ref_in_collections(self, a: Item) -> list:
        return [[a, a], {"who": a}]
