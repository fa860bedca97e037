from entiflow import entity


class BadInput(ValueError):
    pass


@entity
class Registry:
    def __init__(self, name: str):
        self.name = name
        self.members = []

    def __key__(self):
        return self.name

    def register(self, who) -> int:
        self.members.append(who)
        return len(self.members)

    def size(self) -> int:
        return len(self.members)


@entity
class Member:
    def __init__(self, first: str, last: str, registry: Registry = None, age: int = 0):
        if age < 0:
            raise BadInput(f"negative age {age}")
        self.first = first
        self.last = last
        self.age = age
        self.registry = registry
        self.number = -1

    def __key__(self):
        return f"{self.last}, {self.first}"

    def join(self) -> int:
        if self.registry is None:
            raise BadInput(f"{self.first} has no registry")
        self.number = self.registry.register(self)
        return self.number

    def describe(self) -> str:
        return f"{self.first} {self.last} ({self.age}) #{self.number}"


@entity
class Numbered:
    def __init__(self, n: int, label: str = ""):
        self.n = n
        self.label = label or f"n{n}"

    def __key__(self):
        return self.n * 10

    def label_of(self) -> str:
        return self.label


@entity
class BadKey:
    def __init__(self, k):
        self.k = k

    def __key__(self):
        return self.k

    def get(self):
        return self.k
