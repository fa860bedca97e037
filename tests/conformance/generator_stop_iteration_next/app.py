from entiflow import entity


@entity
class A:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def st(self, x: int) -> int:
        if x == 1:
            raise StopIteration("s")
        return x

    def n1(self) -> str:
        try:
            return str(next((self.st(x) for x in range(3) if x > 0), "dflt"))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def n2(self) -> str:
        try:
            return str(next(map(self.st, [1, 2]), "dflt"))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def n3(self) -> str:
        try:
            return str([self.st(x) for x in range(3)])
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def n4(self) -> str:
        try:
            return str({x: self.st(x) for x in range(3)})
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def n5(self) -> str:
        try:
            return str(sorted([2, 1, 0], key=self.st))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)

    def n6(self) -> str:
        try:
            return str(list(filter(self.st, [0, 2, 1, 3])))
        except RuntimeError as e:
            return "RT " + str(e)
        except StopIteration as e:
            return "SI " + repr(e)
