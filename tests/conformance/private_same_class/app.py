from entiflow import entity


@entity
class A:
    def __init__(self, k: str):
        self.k = k
        self._secret = 0

    def __key__(self):
        return self.k

    def _p(self) -> int:
        self._secret += 1
        return self._secret

    def f(self, o: "A") -> list:
        return [o._p(), o._p(), o._secret]
