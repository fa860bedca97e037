from entiflow import entity


@entity
class Box:
    def __init__(self, name: str):
        self.name = name
        self.log = []

    def __key__(self):
        return self.name

    def named(self, n: int) -> list:
        self.log.append(n)
        try:
            x = [0] * n
        except MemoryError as e:
            self.log.append(type(e).__name__)
            return [type(e).__name__, str(e), e.args]
        return [len(x)]

    def broad(self, n: int) -> str:
        try:
            x = "a" * n
        except Exception as e:
            self.log.append("caught")
            return type(e).__name__
        return str(len(x))

    def bare(self, n: int) -> str:
        try:
            x = "ab" * n
        except:
            return "bare"
        return str(len(x))

    def too_long(self, n: int) -> str:
        try:
            x = "ab" * n
        except OverflowError as e:
            return str(e)
        return str(len(x))

    def uncaught(self, n: int) -> int:
        self.log.append(-n)
        return len([1, 2] * n)

    def history(self) -> list:
        return self.log
