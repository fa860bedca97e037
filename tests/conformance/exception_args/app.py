from entiflow import entity


class Missing(KeyError):
    pass


class Oops(ValueError):
    pass


@entity
class Box:
    def __init__(self, name: str):
        self.name = name
        self.log = []

    def __key__(self):
        return self.name

    def divide(self, x: int) -> int:
        return 10 // x

    def risky(self, x: int):
        if x > 100:
            raise Oops("too big", x)
        if x < 0:
            raise Oops()
        return 1 // x

    def catch_local(self, x: int):
        try:
            return self.risky(x)
        except ZeroDivisionError as e:
            self.log.append(e.args)
            return [str(e), e.args, len(e.args)]
        except Oops as e:
            self.log.append(list(e.args))
            return {"args": e.args, "first": e.args[0] if e.args else None, "repr": repr(e)}

    def catch_remote(self, other: "Box", x: int):
        try:
            return other.divide(x)
        except ArithmeticError as e:
            (message,) = e.args
            self.log.append(message)
            return message.upper()

    def catch_key(self, d: dict, k: str):
        try:
            return d[k]
        except KeyError as e:
            return e.args

    def not_an_exception(self, x: int):
        return x.args

    def key_error_subclass(self, name: str, remote: "Box"):
        try:
            raise Missing(name)
        except KeyError as e:
            first = [str(e), repr(e), e.args]
        try:
            remote.raise_missing(name)
        except LookupError as e:
            return first + [str(e), repr(e)]

    def raise_missing(self, name: str):
        raise Missing(name, 2) if name == "two" else Missing(name)

    def type_names(self, other: "Box", x: int):
        out = [type(x).__name__, type(self.log).__name__, type(other).__name__, type(None).__name__]
        try:
            other.divide(x)
        except Exception as e:
            out.append(f"{type(e).__name__}: {e}")
        try:
            self.risky(x)
        except Exception as e:
            out.append(type(e).__name__)
        return out
