from entiflow import entity


@entity
class Doc:
    def __init__(self, name: str, text: str):
        self.name = name
        self.text = text

    def __key__(self):
        return self.name

    def fields(self) -> list:
        s = self.text
        out = []
        i = 0
        while True:
            j = s.find(",", i)
            if j < 0:
                out.append(s[i:])
                return out
            out.append(s[i:j])
            i = j + 1

    def letters(self) -> list:
        n = 0
        upper = 0
        for ch in self.text:
            if ch.isalpha():
                n += 1
            if ch.isupper():
                upper += 1
        return [n, upper, len(self.text)]

    def searches(self, needle: str) -> list:
        s = self.text
        out = []
        for a, b in [(None, None), (0, None), (3, None), (-5, None), (2, 9), (100, None), (5, 2), (-100, -1), (0, 100)]:
            out.append([
                s.find(needle, a, b),
                s.rfind(needle, a, b),
                s.count(needle, a, b),
                s.startswith(needle, a, b),
                s.endswith(needle, a, b),
                s.startswith((needle, "x"), a, b),
            ])
        try:
            out.append(s.index(needle, 5, 6))
        except ValueError as e:
            out.append(str(e))
        try:
            out.append(s.rindex(needle))
        except ValueError as e:
            out.append(str(e))
        return out

    def slices(self) -> list:
        s = self.text
        return [s[2:9], s[-4:], s[::3], s[10:2], s[::-2], s[100:], s[3:3], s[-100:3]]
