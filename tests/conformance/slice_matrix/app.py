from entiflow import entity


@entity
class Slicer:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def _b(self, v):
        return None if v == "-" else v

    def reads(self, seq, bounds: list) -> list:
        out = []
        for lo, hi, st in bounds:
            a = self._b(lo)
            b = self._b(hi)
            c = self._b(st)
            try:
                out.append([seq[a:b:c], tuple(seq)[a:b:c], list(range(len(seq)))[a:b:c], range(len(seq))[a:b:c] == range(len(seq))[a:b:c]])
            except (ValueError, TypeError) as e:
                out.append(f"E: {e!r}")
        return out

    def writes(self, seq: list, bounds: list, value: list) -> list:
        out = []
        for lo, hi, st in bounds:
            a = self._b(lo)
            b = self._b(hi)
            c = self._b(st)
            x = list(seq)
            y = list(seq)
            try:
                x[a:b:c] = value
                out.append(x)
            except (ValueError, TypeError) as e:
                out.append(f"E: {e!r}")
            try:
                del y[a:b:c]
                out.append(y)
            except (ValueError, TypeError) as e:
                out.append(f"E: {e!r}")
        return out

    def str_reads(self, s: str, bounds: list) -> list:
        out = []
        for lo, hi, st in bounds:
            try:
                out.append(s[self._b(lo):self._b(hi):self._b(st)])
            except (ValueError, TypeError) as e:
                out.append(f"E: {e!r}")
        return out
