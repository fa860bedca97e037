from entiflow import entity


@entity
class Ops:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def _mk(self, v):
        if isinstance(v, list) and len(v) > 0 and v[0] == "$t":
            return tuple(v[1:])
        if isinstance(v, list) and len(v) > 0 and v[0] == "$s":
            return set(v[1:])
        if isinstance(v, list) and len(v) > 0 and v[0] == "$f":
            return float(v[1])
        return v

    def _enc(self, r):
        if isinstance(r, float) and (r != r or r in [float("inf"), float("-inf")]):
            return "float:" + str(r)
        return r

    def _one(self, op: str, a, b):
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / b
        if op == "//":
            return a // b
        if op == "%":
            return a % b
        if op == "**":
            return a ** b
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        if op == ">=":
            return a >= b
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if op == "in":
            return a in b
        if op == "not in":
            return a not in b
        if op == "&":
            return a & b
        if op == "|":
            return a | b
        if op == "^":
            return a ^ b
        if op == "<<":
            return a << b
        if op == ">>":
            return a >> b
        if op == "divmod":
            return divmod(a, b)
        if op == "round":
            return round(a, b)
        if op == "min":
            return min(a, b)
        if op == "max":
            return max(a, b)
        return "?"

    def binary(self, a, b, ops: list) -> list:
        x = self._mk(a)
        y = self._mk(b)
        out = []
        for op in ops:
            try:
                out.append(self._enc(self._one(op, x, y)))
            except (TypeError, ValueError, ZeroDivisionError, OverflowError) as e:
                out.append(f"E {op}: {e!r}")
        return out

    def unary(self, a) -> list:
        x = self._mk(a)
        out = []
        for op in ["neg", "pos", "inv", "not", "abs", "len", "bool", "str", "repr", "int", "float", "list", "sorted", "sum", "round", "tuple"]:
            try:
                if op == "neg":
                    r = -x
                elif op == "pos":
                    r = +x
                elif op == "inv":
                    r = ~x
                elif op == "not":
                    r = not x
                elif op == "abs":
                    r = abs(x)
                elif op == "len":
                    r = len(x)
                elif op == "bool":
                    r = bool(x)
                elif op == "str":
                    r = str(x) if not isinstance(x, set) else "set"
                elif op == "repr":
                    r = repr(x) if not isinstance(x, set) else "set"
                elif op == "int":
                    r = int(x)
                elif op == "float":
                    r = float(x)
                elif op == "list":
                    r = list(x) if not isinstance(x, set) else sorted(x)
                elif op == "sorted":
                    r = sorted(x)
                elif op == "sum":
                    r = sum(x)
                elif op == "round":
                    r = round(x)
                else:
                    r = tuple(x) if not isinstance(x, set) else len(x)
                out.append(self._enc(r))
            except (TypeError, ValueError, ZeroDivisionError, OverflowError) as e:
                out.append(f"E {op}: {e!r}")
        return out
