from entiflow import entity

RATE = 0.25
SCALE = 1e3


@entity
class Meter:
    def __init__(self, name: str, reading: float):
        self.name = name
        self.reading = reading
        self.total = 0.0

    def __key__(self):
        return self.name

    def mix(self, a, b) -> list:
        return [a + b, a - b, a * b, a / b]

    def floor_mod(self, a, b) -> list:
        return [a // b, a % b, divmod(a, b)]

    def power(self, a, b):
        return a ** b

    def accumulate(self, amounts: list) -> float:
        for x in amounts:
            self.total += x * RATE
        self.reading = self.reading * SCALE / 1000
        return self.total

    def compare(self, a, b) -> list:
        return [a == b, a != b, a < b, a <= b, a > b, a >= b]

    def special(self) -> list:
        x = 0.1 + 0.2
        return [x, x == 0.3, 1.0 == 1, 2 ** 0.5, 10 / 4, 9 / 3, 1e16, 1e-5, 123456789.123, -0.0, 0.5 * 3]

    def int_float_eq(self) -> list:
        return [1 == 1.0, 3 == 3.0000001, 2 ** 53 == 2.0 ** 53, 0.0 == -0.0, True == 1.0]

    def float_zero(self, a: float) -> list:
        out = []
        try:
            out.append(a / 0.0)
        except ZeroDivisionError as e:
            out.append(str(e))
        try:
            out.append(a // 0.0)
        except ZeroDivisionError as e:
            out.append(str(e))
        try:
            out.append(a % 0.0)
        except ZeroDivisionError as e:
            out.append(str(e))
        try:
            out.append(divmod(a, 0))
        except ZeroDivisionError as e:
            out.append(str(e))
        try:
            out.append(0.0 ** -1)
        except ZeroDivisionError as e:
            out.append(str(e))
        return out

    def neg_pow(self, a: float):
        return a ** 0.5
