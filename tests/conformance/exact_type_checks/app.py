from entiflow import entity


class Oops(ValueError):
    pass


@entity
class T:
    def __init__(self, k: str):
        self.k = k

    def __key__(self):
        return self.k

    def kinds(self, xs: list) -> list:
        out = []
        for x in xs:
            if type(x) is int:
                out.append("int")
            elif type(x) == str:
                out.append("str")
            elif type(x) in (list, tuple):
                out.append("seq")
            elif type(x) is not dict:
                out.append("other:" + type(x).__name__)
            else:
                out.append("dict")
        return out

    def exc(self):
        try:
            raise Oops("x")
        except ValueError as e:
            return [type(e) is Oops, type(e) is ValueError, type(e) not in (KeyError, TypeError)]

    def bools(self) -> list:
        return [type(True) is int, type(True) is bool, type(1.0) == float, type(None) is int]
