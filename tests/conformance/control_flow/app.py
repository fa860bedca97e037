from entiflow import entity

MAX_STEPS = 50


@entity
class Runner:
    def __init__(self, name: str):
        self.name = name
        self.trace = []
        self.steps = 0

    def __key__(self):
        return self.name

    def classify(self, x) -> str:
        if x is None:
            return "none"
        elif isinstance(x, bool):
            return "bool"
        elif isinstance(x, int) and x < 0:
            return "negative"
        elif isinstance(x, int):
            if x == 0:
                return "zero"
            else:
                return "positive"
        else:
            return "other"

    def collatz(self, n: int) -> list:
        seq = [n]
        while n != 1:
            if n % 2 == 0:
                n //= 2
            else:
                n = 3 * n + 1
            seq.append(n)
            self.steps += 1
            if len(seq) > MAX_STEPS:
                break
        else:
            seq.append("done")
        return seq

    def while_else(self, limit: int) -> list:
        i = 0
        out = []
        while i < limit:
            i += 1
            if i == 2:
                continue
            if i == 7:
                break
            out.append(i)
        else:
            out.append("else")
        return out

    def for_else(self, items: list, target) -> str:
        for i, x in enumerate(items):
            if x == target:
                result = f"found at {i}"
                break
        else:
            result = "not found"
        return result

    def nested_loops(self, n: int) -> list:
        out = []
        for i in range(n):
            for j in range(n):
                if j > i:
                    break
                if (i + j) % 2:
                    continue
                out.append((i, j))
            else:
                out.append("inner-done")
        return out

    def early_return(self, items: list):
        for x in items:
            while True:
                if x > 10:
                    return x
                break
        return None

    def loop_over_dict(self) -> list:
        d = {"b": 2, "a": 1, "c": 3}
        keys = []
        for k in d:
            keys.append(k)
        total = 0
        for k, v in d.items():
            total += v * len(k)
        pairs = []
        for idx, (k, v) in enumerate(sorted(d.items())):
            pairs.append(f"{idx}:{k}:{v}")
        return [keys, total, pairs]

    def loop_var_after(self) -> list:
        for i in range(3):
            pass
        for ch in "xyz":
            last = ch
        return [i, last]

    def loop_modify_list(self) -> list:
        items = [1, 2, 3]
        seen = []
        for x in items:
            seen.append(x)
            if x < 3:
                items.append(x + 10)
        return [seen, items]

    def tracer(self, n: int) -> list:
        i = 0
        while True:
            i += 1
            self.trace.append(i)
            if i >= n:
                break
        return self.trace

    def pass_stmt(self, x: int) -> int:
        if x:
            pass
        else:
            x = -1
        return x

    def ternary_chain(self, x: int) -> str:
        return "big" if x > 100 else "medium" if x > 10 else "small"

    def bool_ops(self, a, b) -> list:
        return [a and b, a or b, not a, (a and not b) or (b and not a), a or b or "fallback"]

    def empty_return(self, x: int):
        if x > 0:
            return
        self.steps -= 1
