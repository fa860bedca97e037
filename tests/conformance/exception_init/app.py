from entiflow import entity


class ShopError(Exception):
    """Base of the shop's errors."""


class InsufficientFunds(ShopError):
    def __init__(self, needed: int, available: int):
        super().__init__(f"need {needed}, have {available}")
        self.needed = needed
        self.available = available
        self.short = self.needed - self.available


class OutOfStock(ShopError):
    def __init__(self, item, wanted=1):
        self.item = item
        self.wanted = wanted


class NotAllowed(ValueError):
    def __init__(self, who: str, why: str = "policy"):
        ValueError.__init__(self, who, why)
        self.who = who


class Detailed(InsufficientFunds):
    pass


class Coded(KeyError):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


@entity
class Item:
    def __init__(self, name: str, stock: int, price: int):
        self.name = name
        self.stock = stock
        self.price = price

    def __key__(self):
        return self.name

    def take(self, n: int) -> int:
        if n > self.stock:
            raise OutOfStock(self.name, wanted=n)
        self.stock -= n
        return self.stock


@entity
class Wallet:
    def __init__(self, owner: str, balance: int):
        self.owner = owner
        self.balance = balance
        self.log = []

    def __key__(self):
        return self.owner

    def pay(self, amount: int) -> int:
        if amount > self.balance:
            raise InsufficientFunds(amount, self.balance)
        self.balance -= amount
        return self.balance

    def buy(self, item: Item, n: int):
        try:
            item.take(n)
        except OutOfStock as e:
            self.log.append(f"{e.item} x{e.wanted}: {e.args} [{str(e)}]")
            return [e.item, e.wanted, list(e.args), str(e), repr(e)]
        try:
            return self.pay(n * item.price)
        except InsufficientFunds as e:
            return {"needed": e.needed, "available": e.available, "short": e.short, "msg": str(e), "args": e.args}

    def strict(self, amount: int):
        return self.pay(amount)

    def deny(self, who: str):
        raise NotAllowed(who)

    def detailed(self):
        try:
            raise Detailed(5, 2)
        except ShopError as e:
            return [type(e).__name__, e.needed, str(e), isinstance(e, InsufficientFunds)]

    def coded(self):
        try:
            raise Coded("x1")
        except KeyError as e:
            return [str(e), e.code]

    def missing_attr(self):
        try:
            raise OutOfStock("pen")
        except OutOfStock as e:
            return e.needed
