"""Calls and replies that carry payloads of a given size (for transports with a message limit)."""
from entiflow import entity


@entity
class Box:
    def __init__(self, name: str):
        self.name = name
        self.held = ""
        self.calls = 0

    def __key__(self):
        return self.name

    def put(self, text: str) -> int:
        self.held = text[:10]
        return len(text)

    def get(self, size: int) -> str:
        return "x" * size

    def send(self, other: "Box", size: int) -> int:
        self.calls += 1
        return other.put("y" * size)

    def fetch(self, other: "Box", size: int) -> int:
        self.calls += 1
        return len(other.get(size))

    def try_send(self, other: "Box", size: int) -> int:
        self.calls += 1
        try:
            return other.put("y" * size)
        except MemoryError:
            return -1

    def try_fetch(self, other: "Box", size: int) -> int:
        self.calls += 1
        try:
            return len(other.get(size))
        except MemoryError:
            return -1
