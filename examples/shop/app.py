from entiflow import entity

@entity
class Item:
    def __init__(self, item_id: str, price: int):
        self.item_id = item_id
        self.price = price
        self.stock = 0
    def __key__(self):
        return self.item_id
    def update_stock(self, amount: int) -> bool:
        if self.stock + amount < 0:
            return False
        self.stock += amount
        return True

@entity
class User:
    def __init__(self, username: str):
        self.username = username
        self.balance = 100
    def __key__(self):
        return self.username
    def buy_item(self, amount: int, item: Item) -> bool:
        total = amount * item.price          # remote field read
        if self.balance < total:
            raise ValueError("insufficient balance")
        if not item.update_stock(-amount):   # remote call inside a condition
            return False
        self.balance -= total
        return True
