# A small bank: accounts that deposit, withdraw and transfer money.
#
# A transfer is one transaction across two accounts: ``transfer`` (on the
# sender) calls ``receive`` on the recipient, which calls ``note_transfer`` back
# on the sender (A -> B -> A).  If any step raises, both accounts are unchanged.

from entiflow import entity


class InsufficientFunds(ValueError):
    pass


class AccountFrozen(Exception):
    pass


MAX_HISTORY = 5


@entity
class Account:
    def __init__(self, account_id: str, owner: str, funds: int = 0):
        self.account_id = account_id
        self.owner = owner
        self.funds = funds
        self.frozen = False
        self.history = []
        self.counterparties = []

    def __key__(self) -> str:
        return self.account_id

    def balance(self) -> int:
        return self.funds

    def deposit(self, amount: int) -> int:
        if amount <= 0:
            raise ValueError(f"invalid amount: {amount}")
        if self.frozen:
            raise AccountFrozen(f"account {self.account_id} is frozen")
        self.funds += amount
        self._record(f"+{amount}")
        return self.funds

    def withdraw(self, amount: int) -> int:
        if amount <= 0:
            raise ValueError(f"invalid amount: {amount}")
        if self.frozen:
            raise AccountFrozen(f"account {self.account_id} is frozen")
        if amount > self.funds:
            raise InsufficientFunds(f"account {self.account_id} has {self.funds}, needs {amount}")
        self.funds -= amount
        self._record(f"-{amount}")
        return self.funds

    def transfer(self, amount: int, to: "Account") -> int:
        if to.account_id == self.account_id:
            raise ValueError("cannot transfer to the same account")
        self.withdraw(amount)
        to.receive(amount, self)
        return self.funds

    def receive(self, amount: int, sender: "Account") -> int:
        self.deposit(amount)
        if sender not in self.counterparties:
            self.counterparties.append(sender)
        sender.note_transfer(amount, self)
        return self.funds

    def note_transfer(self, amount: int, recipient: "Account") -> None:
        if recipient not in self.counterparties:
            self.counterparties.append(recipient)
        self._record(f"sent {amount} to {recipient.account_id}")

    def split(self, amount: int, recipients: list["Account"]) -> int:
        if not recipients:
            raise ValueError("no recipients")
        share, rest = divmod(amount, len(recipients))
        for i, recipient in enumerate(recipients):
            part = share
            if i < rest:
                part += 1
            self.transfer(part, recipient)
        return self.funds

    def try_transfer(self, amount: int, to: "Account") -> bool:
        if to.frozen:
            return False
        try:
            self.transfer(amount, to)
        except (InsufficientFunds, AccountFrozen):
            return False
        return True

    def pay_until_broke(self, amount: int, to: "Account") -> int:
        payments = 0
        while self.funds >= amount:
            if not self.try_transfer(amount, to):
                break
            payments += 1
        return payments

    def total_of_counterparties(self) -> int:
        return sum([account.balance() for account in self.counterparties])

    def freeze(self) -> bool:
        was_frozen = self.frozen
        self.frozen = True
        return not was_frozen

    def unfreeze(self) -> bool:
        was_frozen = self.frozen
        self.frozen = False
        return was_frozen

    def _record(self, entry: str) -> None:
        self.history.append(entry)
        while len(self.history) > MAX_HISTORY:
            del self.history[0]
