from entiflow import entity


class Carry(Exception):
    def __init__(self, data: list, tag: str):
        super().__init__(f"carry {tag}")
        self.data = data
        self.tag = tag


class Plain(ValueError):
    pass


@entity
class Store:
    def __init__(self, name: str):
        self.name = name
        self.items = []
        self.log = {"n": 0}

    def __key__(self):
        return self.name

    def leak(self):
        raise Carry(self.items, self.name)

    def leak_args(self):
        raise Plain(self.items, self.log)

    def leak_through(self, other: "Store"):
        other.leak()

    def stop(self):
        raise StopIteration(self.items)

    def _leak_here(self):
        raise Carry(self.items, "self")

    def keep_own(self, x: int) -> list:
        # A call of the entity on itself shares the exception, as Python does.
        try:
            self._leak_here()
        except Carry as e:
            e.data.append(x)
        return self.items

    def add(self, x: int) -> list:
        self.items.append(x)
        return self.items

    def size(self) -> int:
        return len(self.items)


@entity
class Client:
    def __init__(self, name: str):
        self.name = name
        self.kept = None
        self.alias = None

    def __key__(self):
        return self.name

    def push(self, s: Store, x: int) -> list:
        try:
            s.leak()
        except Carry as e:
            e.data.append(x)
            return [s.size(), e.data, e.tag, str(e), e.args]
        return []

    def push_args(self, s: Store, x: int) -> list:
        try:
            s.leak_args()
        except Plain as e:
            e.args[0].append(x)
            e.args[1]["n"] = x
            return [s.size(), list(e.args), str(e)]
        return []

    def push_through(self, s: Store, t: Store, x: int) -> list:
        try:
            s.leak_through(t)
        except Carry as e:
            e.data.append(x)
            return [s.size(), t.size(), e.data, e.tag]
        return []

    def stopped(self, s: Store) -> list:
        try:
            s.stop()
        except StopIteration as e:
            e.args[0].append(1)
            return [e.args, s.size()]
        return []

    def grab(self, s: Store) -> int:
        try:
            s.leak()
        except Carry as e:
            self.kept = e
            self.alias = e.data
        return 0

    def poke(self, x: int) -> list:
        self.alias.append(x)
        return [self.kept.data, self.alias, self.kept.data is self.alias]

    def rethrow(self, s: Store, x: int) -> int:
        try:
            s.leak()
        except Carry as e:
            e.data.append(x)
            raise
        return 0
