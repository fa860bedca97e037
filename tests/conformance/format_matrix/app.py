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
            except (ValueError, TypeError) as e:
                out.append(f"E: {e}")
        return out
