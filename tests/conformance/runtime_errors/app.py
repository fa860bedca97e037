from entiflow import entity


@entity
class Faulty:
    def __init__(self, name: str):
        self.name = name
        self.data = {"a": 1}
        self.items = [1, 2, 3]
        self.hits = 0

    def __key__(self):
        return self.name

    def key_error(self, k):
        self.hits += 1
        return self.data[k]

    def index_error(self, i: int):
        self.hits += 1
        return self.items[i]

    def tuple_index(self, i: int):
        t = (1, 2)
        return t[i]

    def bad_index_type(self, i):
        return self.items[i]

    def unsupported(self, a, b):
        return a + b

    def unsupported_ops(self, op: str, a, b):
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
        if op == "neg":
            return -a
        if op == "&":
            return a & b
        return None

    def unbound(self, flag: bool):
        if flag:
            value = 1
        return value

    def del_local(self) -> int:
        x = 5
        y = x
        del x
        return x + y

    def del_then_rebind(self) -> int:
        x = 5
        del x
        x = 6
        return x

    def not_subscriptable(self, x):
        return x[0]

    def not_iterable(self, x) -> list:
        out = []
        for v in x:
            out.append(v)
        return out

    def item_assign(self, x):
        x[0] = 1
        return x

    def list_methods_wrong(self):
        return self.items.index()

    def dict_get_unhashable(self):
        return self.data.get([1])

    def str_mul_float(self):
        return "ab" * 2.5

    def recursion(self, n: int) -> int:
        return self.recursion(n + 1)

    def no_recursion(self, n: int) -> int:
        if n <= 0:
            return 0
        return n + self.no_recursion(n - 1)
