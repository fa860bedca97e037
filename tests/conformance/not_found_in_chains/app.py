from entiflow import entity


@entity
class N:
    def __init__(self, k: str):
        self.k = k
        self.hops = 0

    def __key__(self):
        return self.k

    def fwd(self, rest: list) -> int:
        self.hops += 1
        if not rest:
            return 0
        return rest[0].fwd(rest[1:]) + 1

    def peek(self, rest: list) -> str:
        if len(rest) == 1:
            return rest[0].k
        return rest[0].peek(rest[1:])

    def caught(self, rest: list) -> str:
        try:
            return str(rest[0].fwd(rest[1:]))
        except Exception as e:
            return "caught " + type(e).__name__
