from entiflow import entity


@entity
class Conv:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def to_int(self, x) -> int:
        return int(x)

    def to_int_base(self, s: str, base: int) -> int:
        return int(s, base)

    def to_float(self, x) -> float:
        return float(x)

    def to_str(self, x) -> str:
        return str(x)

    def to_bool(self, x) -> bool:
        return bool(x)

    def to_list(self, x) -> list:
        return list(x)

    def to_tuple(self, x) -> list:
        return [tuple(x), len(tuple(x))]

    def to_set(self, x) -> list:
        return sorted(set(x))

    def to_dict(self, x) -> dict:
        return dict(x)

    def kinds(self, x) -> list:
        return [isinstance(x, int), isinstance(x, float), isinstance(x, str), isinstance(x, bool), isinstance(x, list), isinstance(x, dict), isinstance(x, (int, float)), isinstance(x, (list, tuple)), isinstance(x, object)]

    def empty_ctors(self) -> list:
        return [int(), float(), str(), bool(), list(), tuple(), dict(), len(set())]

    def floats_special(self) -> list:
        return [float("  1.5 "), float("-0"), float("1e3"), float("1_000.5"), int(" 42 "), int("-0"), int("1_000"), int(3.99), int(-3.99), int(True), float(False)]

    def inf_checks(self) -> list:
        big = float("inf")
        return [big > 1e308, -big < 0, str(big), str(-big), big == big + 1]

    def nan_checks(self) -> list:
        n = float("nan")
        return [n == n, n != n, str(n), n > 0, n < 0]

    def int_of_inf(self) -> int:
        return int(float("inf"))
