from typing import List, Optional
from entiflow import entity

MAX_TRIES = 3


class Rejected(Exception):
    pass


class Frozen(Rejected):
    pass


@entity
class Node:
    def __init__(self, name: str, limit: int = 10):
        self.name = name
        self.limit = limit
        self.value = 0
        self.log: List[str] = []
        self.next: Optional["Node"] = None
        self.children: list["Node"] = []

    def __key__(self):
        return self.name

    def link(self, other: "Node") -> str:
        self.next = other
        self.children.append(other)
        return f"{self.name}->{other.name}"

    def bump(self, n: int = 1) -> int:
        if self.value + n > self.limit:
            raise Frozen(f"{self.name} would exceed {self.limit}")
        self.value += n
        self.log.append(f"+{n}")
        return self.value

    def chain(self, n: int) -> int:
        # A -> B -> A: the callee calls back and sees our writes
        self.value += 100
        if self.next is None:
            return self.value
        got = self.next.echo(n)
        return got + self.value

    def echo(self, n: int) -> int:
        if self.next is not None:
            return self.next.peek() + n
        return n

    def peek(self) -> int:
        return self.value

    def retry(self, n: int) -> list:
        out = []
        tries = 0
        while tries < MAX_TRIES and self.next.bump(n) < 1000:
            tries += 1
            out.append(tries)
        else:
            out.append("else")
        return out

    def guarded(self, n: int) -> str:
        try:
            try:
                self.next.bump(n)
                return "ok"
            finally:
                self.log.append("inner-finally")
        except Frozen as e:
            return f"frozen: {e}"
        except Rejected:
            return "rejected"
        finally:
            self.log.append("outer-finally")

    def loop_finally(self, n: int) -> int:
        total = 0
        for c in self.children:
            try:
                if c.peek() > n:
                    break
                total += c.bump(1)
            except Frozen:
                continue
            finally:
                total += 1000
        return total

    def sums(self) -> dict:
        vals = [c.peek() for c in self.children if c.peek() >= 0]
        return {"n": len(vals), "sum": sum(c.peek() for c in self.children), "any": any(c.peek() > 5 for c in self.children), "max": max([0] + vals)}

    def through(self, n: int) -> int:
        # exception raised two hops away, not caught in the middle
        try:
            return self.next.relay(n)
        except Frozen as e:
            self.log.append(str(e))
            return -1

    def relay(self, n: int) -> int:
        self.value += 1
        return self.next.bump(n)

    def snapshot(self) -> tuple:
        return (self.name, self.value, self.log[-3:], [c.name for c in self.children])
