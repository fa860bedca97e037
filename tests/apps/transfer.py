from entiflow import entity


class Insufficient(ValueError):
    pass


@entity
class Account:
    def __init__(self, account_id: str, balance: int):
        self.account_id = account_id
        self.balance = balance

    def __key__(self):
        return self.account_id

    def transfer(self, amount: int, to: "Account") -> int:
        if amount > self.balance:
            raise Insufficient(f"{self.account_id} has {self.balance}, needs {amount}")
        self.balance -= amount
        to.deposit(amount)
        return self.balance

    def deposit(self, amount: int) -> int:
        if amount <= 0:
            raise ValueError("amount must be positive")
        self.balance += amount
        return self.balance

    def get(self) -> int:
        return self.balance
