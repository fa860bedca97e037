from entiflow import entity


@entity
class Counter:
    def __init__(self, name: str):
        self.name = name
        self.counter = 0
        self.log = []

    def __key__(self):
        return self.name

    def next_id(self) -> int:
        try:
            return self.counter
        finally:
            self.counter += 1

    def local(self) -> int:
        x = 1
        try:
            return x
        finally:
            x = 99

    def expr(self) -> list:
        try:
            return [self.counter, len(self.log)]
        finally:
            self.counter = 1000
            self.log.append("f")

    def in_loop(self) -> int:
        for i in range(3):
            try:
                return i
            finally:
                i = 50
        return -1

    def from_except(self) -> int:
        x = 1
        try:
            raise ValueError("v")
        except ValueError:
            return x
        finally:
            x = 99

    def param(self, p: int) -> int:
        try:
            return p
        finally:
            p = -1

    def tuple_ret(self) -> tuple:
        a = 1
        b = 2
        try:
            return a, b
        finally:
            a = 10
            b = 20

    def copy_then_reassign(self) -> int:
        x = 1
        y = x
        try:
            x = 5
        finally:
            pass
        return y
