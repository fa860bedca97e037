from entiflow import entity

FACTOR = 3


@entity
class Matrix:
    def __init__(self, name: str, rows: list):
        self.name = name
        self.rows = rows
        self.cache = {}

    def __key__(self):
        return self.name

    def flat(self) -> list:
        return [x for row in self.rows for x in row]

    def filtered(self, limit: int) -> list:
        return [x * FACTOR for row in self.rows for x in row if x > limit if x % 2 == 0]

    def transpose(self) -> list:
        n = len(self.rows[0]) if self.rows else 0
        return [[row[i] for row in self.rows] for i in range(n)]

    def dict_comp(self) -> dict:
        self.cache = {f"r{i}": sum(row) for i, row in enumerate(self.rows)}
        return self.cache

    def set_comp(self) -> list:
        return sorted({x % 3 for row in self.rows for x in row})

    def pairs(self) -> list:
        return [(i, j) for i in range(3) for j in range(i) if (i + j) % 2 == 1]

    def cond_expr(self) -> list:
        return ["even" if x % 2 == 0 else "odd" for x in range(5)]

    def with_locals(self, k: int) -> list:
        base = k * 10
        return [base + x for x in range(k)]

    def shadow(self) -> list:
        x = "outer"
        ys = [x for x in range(3)]
        return [x, ys]

    def from_dict(self) -> list:
        d = {"a": 1, "b": 2, "c": 3}
        return [[k for k in d], [v for v in d.values()], [f"{k}{v}" for k, v in d.items() if v != 2], {v: k for k, v in d.items()}]

    def nested_dict(self) -> dict:
        return {i: {j: i * j for j in range(3)} for i in range(1, 3)}

    def errors_inside(self, d: int) -> list:
        return [10 // x for x in range(d, 3)]

    def strings(self, words: list) -> list:
        return [w.upper() for w in words if w], "".join([c for c in "a-b-c" if c != "-"]), [len(w) for w in words]

    def field_in_comp(self) -> list:
        return [len(r) for r in self.rows if len(r) > len(self.rows[0]) - 1]
