from entiflow import entity


@entity
class U:
    def __init__(self, k: str):
        self.k = k

    def __key__(self):
        return self.k

    def loop_unpack(self, items: list) -> list:
        out = []
        for a, b in items:
            out.append(b)
        return out

    def comp_unpack(self, items: list) -> list:
        return [b for a, b in items]

    def nested_comp_unpack(self, items: list) -> list:
        return [c for a, (b, c) in items]

    def dict_comp_unpack(self, items: list) -> dict:
        return {a: b for a, b in items}

    def enumerate_unpack(self, items: list) -> list:
        return [(i, b) for i, (a, b) in enumerate(items)]
