from entiflow import entity


@entity
class Kit:
    def __init__(self, name: str, nums: list):
        self.name = name
        self.nums = nums

    def __key__(self):
        return self.name

    def aggregates(self) -> list:
        n = self.nums
        return [sum(n), min(n), max(n), sorted(n), sorted(n, reverse=True), any(n), all(n), len(n), sum(n, 10), sum([0.1] * 3)]

    def empty_min(self):
        return min([])

    def empty_max_default(self):
        return max([], default="none")

    def multi_arg(self) -> list:
        return [min(3, 1, 2), max("b", "a", "c"), max([1, 2], [1, 3]), min((2, "b"), (1, "z")), max(1, 2.5), min(-0.0, 0)]

    def iterators(self) -> list:
        n = self.nums
        return [list(enumerate(n)), list(enumerate(n, 1)), list(zip(n, "abcdef")), list(zip(n, n[1:], n[2:])), list(reversed(n)), list(range(len(n)))]

    def ranges(self) -> list:
        return [list(range(5)), list(range(2, 8)), list(range(10, 0, -3)), list(range(0, 10, 4)), list(range(5, 0)), len(range(0, 100, 7)), range(10)[3], range(1, 20, 2)[-1], list(range(10)[2:8:2]), sum(range(101))]

    def range_zero_step(self) -> list:
        return list(range(0, 10, 0))

    def rounding(self) -> list:
        return [round(0.5), round(1.5), round(2.5), round(-0.5), round(-1.5), round(3.14159, 2), round(2.675, 2), round(1234.5, -1), round(1250, -2), round(1350, -2), round(-1250, -2), round(7), round(0.125, 2), round(0.375, 2), round(5.5), round(-2.5), round(1e15 + 0.5)]

    def div_mod(self) -> list:
        return [divmod(7, 2), divmod(-7, 2), divmod(7, -2), divmod(7.5, 2), divmod(-7.5, 2), divmod(0, 5)]

    def absolutes(self) -> list:
        return [abs(-3), abs(3), abs(-2.5), abs(0.0), abs(-0.0), abs(True), abs(False)]

    def any_all_gen(self, limit: int) -> list:
        n = self.nums
        return [any(x > limit for x in n), all(x > limit for x in n), sum(x * x for x in n if x > limit), max((x for x in n if x < limit), default=-1), sorted(x % 3 for x in n), list(x for x in n if x != limit), tuple(x * 2 for x in n), set(x % 2 for x in n), dict((x, x * x) for x in n if x < 3)]

    def empty_any_all(self) -> list:
        return [any([]), all([]), sum([]), sorted([]), list(reversed([]))]

    def bad_sum(self):
        return sum(["a", "b"])

    def bad_len(self, x):
        return len(x)

    def bad_abs(self, x):
        return abs(x)

    def sorted_strings(self, words: list) -> list:
        return [sorted(words), sorted(words, reverse=True), min(words), max(words), sorted("hello"), sorted({"b": 1, "a": 2})]

    def reversed_dict(self):
        return list(reversed({"a": 1}))

    def sums(self, start) -> list:
        out = []
        for items in [[[1], [2]], [(1,), (2,)], ["a", "b"], [1.5, 2], []]:
            try:
                out.append(sum(items, start))
            except TypeError as e:
                out.append(f"E: {e}")
        return out
