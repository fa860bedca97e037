from entiflow import entity

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
LIMIT = 2 ** 31 - 1
KB = 1 << 10
HALF = 1 / 2
RATE: float = 0.5 * 3
NEG = -HOUR // 7
REM = -17 % 5
MASK = (KB - 1) & 0x3F | 0x100 ^ 0x1
PREFIX = "user" + "-"
RULE = "-" * 12
OPEN_HOURS = (8 * HOUR, 20 * HOUR)
PLANS = {"basic": KB, "pro": KB * 2, "hours": [MINUTE, HOUR], "prefix": PREFIX + "x"}


@entity
class Clock:
    def __init__(self, name: str, start: int = DAY):
        self.name = name
        self.t = start

    def __key__(self):
        return self.name

    def advance(self, minutes: int = 15 * MINUTE // 60) -> int:
        self.t += minutes * MINUTE
        return self.t

    def describe(self) -> list:
        days, rest = divmod(self.t, DAY)
        opens, closes = OPEN_HOURS
        return [PREFIX + self.name, days, rest // HOUR, opens <= rest < closes, LIMIT, KB, HALF,
                RATE, NEG, REM, MASK, RULE]

    def plans(self, plan: str) -> list:
        KB = 5
        plans = PLANS
        return [plans[plan], KB, PLANS["hours"], PLANS["prefix"]]
