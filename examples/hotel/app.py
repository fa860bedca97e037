# Hotels with rooms, and users who book them.
#
# A booking is one transaction over a user and a hotel: ``User.book`` calls
# ``Hotel.book`` remotely, which charges the guest by calling back
# ``User.charge`` (A -> B -> A).  Users keep references to their favourite
# hotels and to the hotels they booked.

from entiflow import entity


class RoomUnavailable(ValueError):
    pass


class NoSuchRoom(LookupError):
    pass


class OverBudget(ValueError):
    pass


@entity
class Hotel:
    def __init__(self, name: str, rooms: dict[str, int]):
        self.name = name
        self.rooms = {number: {"price": price, "guest": None, "nights": 0} for number, price in sorted(rooms.items())}
        self.revenue = 0

    def __key__(self) -> str:
        return self.name

    def free_rooms(self) -> list[str]:
        return sorted([number for number, room in self.rooms.items() if room["guest"] is None])

    def quote(self, number: str, nights: int) -> int:
        if number not in self.rooms:
            raise NoSuchRoom(f"{self.name} has no room {number}")
        return self.rooms[number]["price"] * nights

    def book(self, number: str, guest: "User", nights: int) -> int:
        if nights < 1:
            raise ValueError(f"invalid number of nights: {nights}")
        cost = self.quote(number, nights)
        room = self.rooms[number]
        if room["guest"] is not None:
            raise RoomUnavailable(f"room {number} of {self.name} is taken")
        guest.charge(cost, self.name)
        room["guest"] = guest.username
        room["nights"] = nights
        self.revenue += cost
        return cost

    def book_cheapest(self, guest: "User", nights: int) -> str:
        free = self.free_rooms()
        if not free:
            raise RoomUnavailable(f"{self.name} is full")
        best = free[0]
        for number in free:
            if self.rooms[number]["price"] < self.rooms[best]["price"]:
                best = number
        self.book(best, guest, nights)
        return best

    def cancel(self, number: str, username: str) -> int:
        room = self.rooms.get(number)
        if room is None:
            raise NoSuchRoom(f"{self.name} has no room {number}")
        if room["guest"] != username:
            raise PermissionError(f"room {number} is not booked by {username}")
        refund = room["price"] * room["nights"]
        room["guest"] = None
        room["nights"] = 0
        self.revenue -= refund
        return refund

    def occupancy(self) -> tuple[int, int]:
        taken = len([r for r in self.rooms.values() if r["guest"] is not None])
        return taken, len(self.rooms)


@entity
class User:
    def __init__(self, username: str, budget: int):
        self.username = username
        self.budget = budget
        self.favorites = []
        self.bookings = []

    def __key__(self) -> str:
        return self.username

    def charge(self, amount: int, hotel_name: str) -> int:
        if amount > self.budget:
            raise OverBudget(f"{self.username} cannot pay {amount} to {hotel_name}")
        self.budget -= amount
        return self.budget

    def add_favorite(self, hotel: Hotel) -> int:
        if hotel not in self.favorites:
            self.favorites.append(hotel)
        return len(self.favorites)

    def book(self, hotel: Hotel, number: str, nights: int) -> int:
        cost = hotel.book(number, self, nights)
        self.bookings.append({"hotel": hotel, "room": number, "nights": nights, "cost": cost})
        return cost

    def try_book(self, hotel: Hotel, number: str, nights: int) -> bool:
        try:
            cost = hotel.book(number, self, nights)
        except RoomUnavailable:
            return False
        except NoSuchRoom as e:
            assert "has no room" in str(e)
            return False
        else:
            self.bookings.append({"hotel": hotel, "room": number, "nights": nights, "cost": cost})
            return True

    def book_in_favorites(self, nights: int) -> str:
        for hotel in self.favorites:
            free = hotel.free_rooms()
            if not free:
                continue
            if self.try_book(hotel, free[0], nights):
                break
        else:
            return "nothing available"
        last = self.bookings[-1]
        return f"{last['room']} at {last['hotel'].name}"

    def book_many(self, hotel: Hotel, count: int, nights: int) -> list[str]:
        booked = []
        while len(booked) < count:
            taken, total = hotel.occupancy()
            if taken == total:
                break
            number = hotel.book_cheapest(self, nights)
            booked.append(number)
            self.bookings.append({"hotel": hotel, "room": number, "nights": nights, "cost": hotel.quote(number, nights)})
        return booked

    def cancel_all(self) -> int:
        refunded = 0
        for booking in self.bookings:
            refunded += booking["hotel"].cancel(booking["room"], self.username)
        self.budget += refunded
        self.bookings = []
        return refunded

    def total_spent(self) -> int:
        return sum([b["cost"] for b in self.bookings])
