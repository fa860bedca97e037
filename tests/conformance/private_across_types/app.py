"""`_names` through references whose type is known only at run time: an entity of the same type
may use them, another type gets AttributeError (caught here, or failing the transaction)."""
from entiflow import entity


@entity
class A:
    def __init__(self, name: str):
        self.name = name
        self._secret = 1
        self.seen = []

    def __key__(self):
        return self.name

    def _hidden(self) -> str:
        return "A hidden " + self.name

    def peek(self, other) -> list:
        out = []
        try:
            out.append(other._hidden())
        except AttributeError as e:
            out.append(str(e))
        try:
            out.append(other._secret)
        except AttributeError as e:
            out.append(str(e))
        self.seen.append(len(out))
        return out

    def grab(self, other) -> int:
        self.seen.append(-1)
        return other._secret


@entity
class B:
    def __init__(self, label: str):
        self.label = label
        self._secret = 7

    def __key__(self):
        return self.label

    def _hidden(self) -> str:
        return "B hidden"
