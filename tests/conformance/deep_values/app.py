from entiflow import entity


@entity
class Deep:
    def __init__(self, key: str):
        self.key = key
        self.x = []

    def __key__(self):
        return self.key

    def nest(self, n: int) -> int:
        x = []
        for i in range(n):
            x = [x]
        self.x = x
        return n

    def give(self) -> list:
        return self.x

    def text_size(self) -> int:
        return len(repr(self.x)) + len(str(self.x))

    def same(self, n: int) -> bool:
        y = []
        for i in range(n):
            y = [y]
        return self.x == y

    def flat(self) -> int:
        self.x = [1]
        return len(self.x)
