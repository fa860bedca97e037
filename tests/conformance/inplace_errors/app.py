from entiflow import entity


@entity
class Cell:
    def __init__(self, key: str):
        self.key = key
        self.value = None
        self.text = "a"

    def __key__(self):
        return self.key

    def add(self, n):
        self.value += n
        return self.value

    def set(self, v):
        self.value = v
        return v

    def local_ops(self):
        out = []
        for op in ["+=", "-=", "*=", "/=", "//=", "%=", "**=", "|=", "&=", "^=", "<<=", ">>=", "@="]:
            x = None
            try:
                if op == "+=":
                    x += 1
                elif op == "-=":
                    x -= 1
                elif op == "*=":
                    x *= 1
                elif op == "/=":
                    x /= 1
                elif op == "//=":
                    x //= 1
                elif op == "%=":
                    x %= 1
                elif op == "**=":
                    x **= 1
                elif op == "|=":
                    x |= 1
                elif op == "&=":
                    x &= 1
                elif op == "^=":
                    x ^= 1
                elif op == "<<=":
                    x <<= 1
                elif op == ">>=":
                    x >>= 1
                else:
                    x = x
            except TypeError as e:
                out.append(str(e))
        return out

    def concat(self, v):
        self.text += v
        return self.text
