from entiflow import entity

BASE_FEE = 2


class TooSmall(ValueError):
    pass


@entity
class Account:
    """An account with class-level settings."""

    FEE = BASE_FEE * 3
    MIN_BALANCE: int = 10
    LIMITS = {"daily": 500, "single": 200}
    TIERS = ["basic", "gold"]
    CURRENCY = "EUR"
    PAIR = (1, "x")
    CURRENCY = "USD"
    KIND = "account"

    def __init__(self, owner: str, balance: int):
        self.owner = owner
        self.balance = balance
        self.KIND = "personal"

    def __key__(self):
        return self.owner

    def settings(self) -> list:
        return [self.FEE, Account.FEE, self.MIN_BALANCE, self.LIMITS, self.TIERS, self.CURRENCY, self.PAIR, self.KIND, Account.KIND]

    def lookups(self, tier: str) -> list:
        return [self.LIMITS == Account.LIMITS, tier in self.TIERS, self.LIMITS.get(tier, 0), sorted(self.LIMITS), self.TIERS.index("gold")]

    def withdraw(self, amount: int) -> int:
        if amount > self.LIMITS["single"]:
            raise ValueError(f"over the single limit of {self.LIMITS['single']} {self.CURRENCY}")
        if self.balance - amount - self.FEE < self.MIN_BALANCE:
            raise TooSmall("balance would fall below " + str(Account.MIN_BALANCE))
        self.balance -= amount + self.FEE
        return self.balance

    def pay(self, to: "Account", amount: int) -> list:
        fee = to.FEE
        self.withdraw(amount)
        to.deposit(amount)
        return [fee, to.CURRENCY, to.KIND, self.balance]

    def deposit(self, amount: int = MIN_BALANCE * 2) -> int:
        self.balance += amount
        return self.balance


@entity
class Bank:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def rules(self) -> list:
        return [Account.FEE, Account.MIN_BALANCE, Account.LIMITS["daily"], len(Account.TIERS), f"{Account.CURRENCY}-{Account.PAIR[1]}"]
