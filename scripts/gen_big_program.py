#!/usr/bin/env python3
"""Writes a large entity program for compiler benchmarks: E entities x M methods, each method a
mix of control flow, comprehensions, f-strings and remote calls (~10k lines by default).

Usage: gen_big_program.py [ENTITIES] [METHODS] > big.py
"""
import sys

entities = int(sys.argv[1]) if len(sys.argv) > 1 else 50
methods = int(sys.argv[2]) if len(sys.argv) > 2 else 10
out = ["from entiflow import entity", "", ""]
for e in range(entities):
    peer = f"E{(e + 1) % entities}"
    out += [
        "@entity",
        f"class E{e}:",
        f"    def __init__(self, key: str, peer: \"{peer}\"):",
        "        self.key = key",
        "        self.peer = peer",
        "        self.total = 0",
        "        self.items: list = []",
        "        self.index: dict = {}",
        "",
        "    def __key__(self):",
        "        return self.key",
        "",
    ]
    for m in range(methods):
        out += [
            f"    def m{m}(self, a: int, b: int = 2) -> int:",
            "        x = a * b + self.total",
            "        for i, v in enumerate(self.items):",
            "            if v > x and i % 2 == 0:",
            "                x += v",
            "            elif v < 0:",
            "                continue",
            "            else:",
            "                x -= 1",
            "        n = 0",
            "        while n < 3 and x > 0:",
            "            n += 1",
            "            x = x // 2",
            "        try:",
            f"            y = self.peer.m{(m + 1) % methods}(x, b=1) if a > 100 else 0",
            "        except ValueError as err:",
            "            y = len(str(err))",
            "        finally:",
            "            self.total += 1",
            "        squares = [k * k for k in range(a % 5) if k != 2]",
            "        label = f\"{self.key}:{x:>6}:{sum(squares)}\"",
            "        self.index[label] = y",
            "        return x + y + len(squares)",
            "",
        ]
    out.append("")
print("\n".join(out))
