from entiflow import entity


@entity
class Board:
    def __init__(self, name: str):
        self.name = name
        self.posts: list = []

    def __key__(self):
        return self.name

    def post(self, author: str, text: str, role: str = "member") -> int:
        self.posts.append((author, text, role))
        return len(self.posts)

    def lines(self) -> list:
        return [f"{'@' if r != 'member' else ''}{a}: {t[:8]!r}" for a, t, r in self.posts]

    def widths(self, xs: list) -> list:
        return [f"{x:>{len(x) + 2}}|" for x in xs]

    def doubled(self, xs: list) -> list:
        return list(f"{x + x}" for x in xs)

    def initials(self, xs: list) -> str:
        return ",".join(f"{w[0].upper()}" for w in xs if w)

    def starting_with(self, xs: list, letter: str) -> list:
        return [x for x in xs if f"{x[0]}" == letter]

    def index(self, xs: list) -> dict:
        return {f"{x.upper()}-{i}": len(x) for i, x in enumerate(xs)}

    def grid(self, n: int) -> list:
        return [[f"{r * n + c:02d}" for c in range(n)] for r in range(n)]

    def tags(self, xs: list) -> set:
        return {f"#{x.lower()}" for x in xs}

    def scoped(self, xs: list) -> list:
        x = "outer"
        ys = [f"{x * 2}" for x in xs]
        return [x, ys]

    def broken(self, xs: list) -> list:
        return [f"{10 // x}" for x in xs]
