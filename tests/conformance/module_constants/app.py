from entiflow import entity

PRICES = {"basic": 10, "premium": 25, "tiers": ["a", "b"]}
LEVELS = ["bronze", "silver", "gold"]
ALLOWED: set = {"card", "cash"}
LIMITS = (100, 1000)
SMALLEST = -9223372036854775808


@entity
class Shop:
    def __init__(self, name: str):
        self.name = name
        self.tiers = list(LEVELS)
        self.catalog = PRICES

    def __key__(self):
        return self.name

    def price(self, plan: str, method: str) -> int:
        if method not in ALLOWED:
            raise ValueError(f"unsupported payment {method!r}")
        return PRICES.get(plan, LIMITS[0])

    def grow(self) -> list:
        self.tiers.append("platinum")
        self.catalog["basic"] += 1
        local = LEVELS
        local = local + ["x"]
        return [self.tiers, LEVELS, self.catalog["basic"], PRICES["basic"], local, SMALLEST]

    def info(self) -> list:
        return [sorted(PRICES), len(LEVELS), LEVELS[-1], max(LIMITS), PRICES["tiers"][1]]
