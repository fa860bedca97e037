from entiflow import entity


class InsufficientFunds(Exception):
    pass


@entity
class Account:
    def __init__(self, owner: str, balance: int):
        self.owner = owner
        self.balance = balance
        self.history = []

    def __key__(self):
        return self.owner

    def deposit(self, amount: int) -> int:
        self.balance += amount
        self.history.append(("dep", amount))
        return self.balance

    def withdraw(self, amount: int) -> int:
        self.history.append(("try", amount))
        if amount > self.balance:
            raise InsufficientFunds(f"{self.owner} has {self.balance}, needs {amount}")
        self.balance -= amount
        self.history.append(("wd", amount))
        return self.balance

    def transfer(self, to, amount: int) -> list:
        self.withdraw(amount)
        to.deposit(amount)
        return [self.balance, to.balance]

    def transfer_then_fail(self, to, amount: int) -> int:
        to.deposit(amount)
        self.balance -= amount
        raise RuntimeError("abort after writes")

    def transfer_caught(self, to, amount: int) -> str:
        try:
            to.withdraw(amount)
        except InsufficientFunds as e:
            self.history.append(("caught", str(e)))
            return "caught"
        return "ok"

    def ping(self, other, depth: int) -> list:
        self.history.append(("ping", depth))
        if depth <= 0:
            return [self.owner, self.balance]
        return other.pong(self, depth - 1)

    def pong(self, other, depth: int) -> list:
        self.balance += 1
        return other.ping(self, depth)

    def reentrant_sees_writes(self, other) -> list:
        self.balance += 1000
        seen = other.read_back(self)
        return [seen, self.balance]

    def read_back(self, origin) -> int:
        return origin.get_balance()

    def get_balance(self) -> int:
        return self.balance

    def reentrant_modifies(self, other) -> list:
        before = self.balance
        other.call_deposit(self, 7)
        return [before, self.balance]

    def call_deposit(self, target, amount: int) -> int:
        return target.deposit(amount)

    def touch_missing(self, other) -> int:
        self.balance += 1
        return other.get_balance()

    def touch_missing_caught(self, other) -> str:
        self.balance += 1
        try:
            other.get_balance()
        except Exception:
            return "caught"
        return "not caught"

    def touch_missing_finally(self, other) -> str:
        try:
            other.get_balance()
        finally:
            self.history.append("finally ran")
        return "done"

    def read_missing_field(self, other) -> int:
        return other.balance

    def multi_fanout(self, others: list) -> int:
        total = 0
        for o in others:
            total += o.deposit(1)
        if total > 1000:
            raise ValueError(f"total {total} too large")
        return total

    def caught_callee_raise_keeps_callee_writes(self, other) -> list:
        try:
            other.withdraw(10 ** 6)
        except InsufficientFunds:
            pass
        return other.get_history_len()

    def get_history_len(self) -> list:
        return [len(self.history), self.history[-1]]

    def result_unencodable(self) -> float:
        self.balance += 5
        return float("inf")

    def result_set(self) -> set:
        return {3, 1, 2}
