from entiflow import entity


@entity
class Target:
    def __init__(self, name: str, size: int = 1, tag: str = "none"):
        self.name = name
        self.size = size
        self.tag = tag
        self.calls = []

    def __key__(self):
        return self.name

    def one(self, a) -> list:
        self.calls.append(a)
        return [a]

    def two_defaults(self, a, b=2, c="c") -> list:
        return [a, b, c]

    def none_args(self) -> str:
        return "none"

    def many(self, a, b, c, d) -> list:
        return [a, b, c, d]

    def kw_only_style(self, first, second=None) -> list:
        return [first, second]

    def _private(self) -> str:
        return "secret"


@entity
class Caller:
    def __init__(self, name: str):
        self.name = name
        self.done = 0

    def __key__(self):
        return self.name

    def call_one_missing(self, t):
        self.done += 1
        return t.one()

    def call_one_extra(self, t):
        self.done += 1
        return t.one(1, 2)

    def call_unexpected(self, t):
        return t.one(1, zz=3)

    def call_multiple(self, t):
        return t.one(1, a=2)

    def call_defaults(self, t) -> list:
        return [t.two_defaults(1), t.two_defaults(1, 5), t.two_defaults(1, c="z"), t.two_defaults(b=0, a=9), t.two_defaults(1, 2, 3)]

    def call_defaults_too_many(self, t):
        return t.two_defaults(1, 2, 3, 4)

    def call_many_missing(self, t):
        return t.many(1)

    def call_none_args(self, t):
        return t.none_args(5)

    def catch_arity(self, t) -> str:
        try:
            t.one()
        except TypeError as e:
            return f"caught: {e}"
        return "no"

    def helper(self, x) -> int:
        return x
