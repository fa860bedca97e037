"""`raise X from cause` checks its cause as CPython does (an exception, an exception class or
None; anything else is a TypeError), and `del x[i]` on what cannot delete items words its
TypeError as CPython does."""
from entiflow import entity


class Failed(ValueError):
    pass


@entity
class Source:
    def __init__(self, name: str):
        self.name = name
        self.calls = 0

    def __key__(self):
        return self.name

    def cause(self, kind: str):
        self.calls += 1
        if kind == "exception":
            return KeyError("inner")
        return kind


@entity
class Raiser:
    def __init__(self, name: str, source: Source):
        self.name = name
        self.source = source
        self.log = []

    def __key__(self):
        return self.name

    def raise_from(self, v):
        self.log.append("before")
        raise Failed("outer") from v

    def raise_from_caught(self, v) -> list:
        try:
            raise Failed("outer") from v
        except TypeError as e:
            return ["TypeError", str(e)]
        except Failed as e:
            return ["Failed", str(e)]

    def raise_from_handler(self, key: str) -> str:
        try:
            try:
                {}[key]
            except KeyError as e:
                raise Failed(f"no {key}") from e
        except Failed as f:
            return str(f)
        return "none"

    def raise_from_class(self) -> str:
        try:
            raise Failed("x") from KeyError
        except Failed as e:
            return "Failed " + str(e)

    def raise_from_none(self) -> str:
        try:
            raise Failed("y") from None
        except Failed as e:
            return "Failed " + str(e)

    def raise_from_remote(self, kind: str) -> list:
        try:
            raise Failed("z") from self.source.cause(kind)
        except (TypeError, Failed) as e:
            return [type(e).__name__, str(e)]

    def delete(self, kind: str, index) -> str:
        values = {"str": "abc", "tuple": (1, 2, 3), "range": range(3), "int": 7,
                  "none": None, "float": 1.5, "bool": True}
        target = values[kind]
        try:
            if isinstance(index, list):
                del target[index[0]:index[1]]
            else:
                del target[index]
        except TypeError as e:
            return str(e)
        return "deleted"
