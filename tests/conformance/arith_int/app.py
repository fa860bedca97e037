from entiflow import entity

LIMIT = 1000


@entity
class Calc:
    def __init__(self, name: str):
        self.name = name
        self.last = 0
        self.history = []

    def __key__(self):
        return self.name

    def basic(self, a: int, b: int) -> list:
        out = [a + b, a - b, a * b, -a, +b, abs(a - b)]
        self.last = out[0]
        self.history.append(self.last)
        return out

    def floordiv_mod(self, a: int, b: int) -> list:
        return [a // b, a % b, divmod(a, b), (a // b) * b + a % b == a]

    def truediv(self, a: int, b: int):
        return a / b

    def power(self, a: int, b: int):
        return a ** b

    def bits(self, a: int, b: int) -> list:
        return [a & b, a | b, a ^ b, ~a, a << 3, a >> 1, -a >> 2]

    def augmented(self, start: int) -> list:
        x = start
        x += 5
        x -= 2
        x *= 3
        x //= 2
        x %= 7
        x **= 2
        y = start
        y /= 4
        self.last += x
        return [x, y, self.last]

    def truthiness(self, a: int) -> list:
        return [bool(a), not a, a and 10, a or 20, a if a > 0 else -a]

    def limit_check(self, a: int) -> str:
        if a > LIMIT:
            return "over"
        elif a == LIMIT:
            return "at"
        return "under"

    def bool_arith(self, a: bool, b: int) -> list:
        return [a + b, a * b, True + True, False - True, a & True]

    def mod_zero(self, a: int) -> int:
        return a % 0

    def div_zero(self, a: int) -> int:
        return a // 0

    def pow_zero_neg(self) -> float:
        return 0 ** -1
