from entiflow import entity


@entity
class Fmt:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def each(self, value, specs: list) -> list:
        out = []
        for spec in specs:
            try:
                out.append(f"{value:{spec}}")
            except (ValueError, TypeError, OverflowError) as e:
                out.append(f"E: {e}")
        return out

    def each_float(self, text: str, specs: list) -> list:
        return self.each(float(text), specs)

    def percent(self, formats: list, arg) -> list:
        out = []
        for f in formats:
            try:
                out.append(f % arg)
            except (ValueError, TypeError, KeyError, OverflowError) as e:
                out.append(f"E: {e!r}")
        return out

    def percent_tuple(self, formats: list, args: list) -> list:
        return self.percent(formats, tuple(args))

    def templates(self, templates: list, a, b, c) -> list:
        out = []
        for t in templates:
            try:
                out.append(t.format(a, b, c, x=a, y=[b, c], z={"k": c}))
            except (ValueError, TypeError, KeyError, IndexError) as e:
                out.append(f"E: {e!r}")
        return out
