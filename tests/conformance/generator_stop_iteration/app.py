from entiflow import entity


@entity
class B:
    def __init__(self, name: str):
        self.name = name
        self.n = 0

    def __key__(self):
        return self.name

    def stop(self, x: int) -> int:
        self.n += 1
        if x == 1:
            raise StopIteration(x)
        return x


@entity
class A:
    def __init__(self, name: str, b: B):
        self.name = name
        self.b = b

    def __key__(self):
        return self.name

    def remote_in_genexpr(self) -> int:
        return sum(self.b.stop(x) for x in range(3))

    def local_in_genexpr(self) -> int:
        return sum(next(iter([])) for x in range(3))

    def caught(self) -> str:
        try:
            return str(any(self.b.stop(x) > 5 for x in range(3)))
        except RuntimeError as e:
            return "RuntimeError: " + str(e)
        except StopIteration as e:
            return "StopIteration: " + repr(e)
