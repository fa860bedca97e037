from entiflow import entity


@entity
class F:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def fmt(self, f: str) -> str:
        try:
            return f.format(1)
        except (ValueError, IndexError, KeyError) as e:
            return type(e).__name__ + ": " + str(e)
