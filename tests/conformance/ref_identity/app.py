from typing import Dict, Optional
from entiflow import entity


@entity
class Seat:
    def __init__(self, number: int, price: float):
        self.number = number
        self.price = price
        self.holder: Optional[str] = None

    def __key__(self):
        return self.number

    def hold(self, who: str) -> bool:
        if self.holder is not None:
            return False
        self.holder = who
        return True

    def info(self) -> dict:
        return {"n": self.number, "p": self.price, "h": self.holder}


@entity
class Venue:
    def __init__(self, name: str):
        self.name = name
        self.seats: Dict[int, Seat] = {}
        self.best: Optional[Seat] = None

    def __key__(self):
        return self.name

    def add(self, seat: Seat) -> int:
        self.seats[seat.number] = seat
        if self.best is None or seat.price > self.best.price:
            self.best = seat
        return len(self.seats)

    def cheapest(self) -> Seat:
        best = None
        for number, seat in sorted(self.seats.items()):
            if best is None or seat.price < best.price:
                best = seat
        return best

    def book(self, who: str) -> list:
        got = []
        for n in sorted(self.seats):
            s = self.seats[n]
            if s.hold(who):
                got.append(n)
            if len(got) == 2:
                break
        return got

    def same(self, a: Seat, b: Seat) -> list:
        return [a == b, a is b, a in self.seats.values(), self.best == a]

    def totals(self) -> dict:
        return {str(n): round(s.price * 1.2, 2) for n, s in self.seats.items()}

    def describe(self) -> list:
        return [self.seats[n].info() for n in sorted(self.seats)]
