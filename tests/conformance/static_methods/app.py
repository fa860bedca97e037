from entiflow import entity

RATE = 10

@entity
class Account:
    def __init__(self, name: str, balance: int = 0):
        self.name = name
        self.balance = balance - Account.fee(balance)
    def __key__(self):
        return self.name

    @staticmethod
    def fee(amount: int, rate: int = RATE) -> int:
        return amount * rate // 100

    @staticmethod
    def _round(x: int) -> int:
        return x - x % 5

    def deposit(self, amount: int) -> int:
        self.balance += self._round(amount - self.fee(amount))
        return self.balance

    def ranked(self, xs: list[int]) -> list[int]:
        return sorted(xs, key=Account._round)

@entity
class Bank:
    def __init__(self, name: str):
        self.name = name
    def __key__(self):
        return self.name
    def quote(self, amount: int, acc: Account) -> tuple:
        return (Account.fee(amount), Account.fee(amount, rate=50), acc.fee(amount))
