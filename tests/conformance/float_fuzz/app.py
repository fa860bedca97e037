from entiflow import entity


@entity
class Floats:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def render(self, xs: list) -> list:
        out = []
        for x in xs:
            out.append([str(x), f"{x:.3g}", f"{x:e}", f"{x:.2f}", f"{x:,.1f}", f"{x:.12}", f"{x:%}"[:40], str(round(x, 3)), str(round(x, -2))])
        return out

    def arith(self, xs: list) -> list:
        out = []
        for x in xs:
            row = []
            for y in [0.3, -0.7, 7, -2.5, 1e-3]:
                row.append([x // y, x % y, x / y, round(x * y, 5)])
            out.append(row)
        return out

    def parse(self, texts: list) -> list:
        out = []
        for t in texts:
            try:
                out.append(float(t))
            except ValueError as e:
                out.append(str(e))
        return out
