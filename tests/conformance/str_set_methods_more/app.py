from entiflow import entity


@entity
class Text:
    def __init__(self, key: str, body: str):
        self.key = key
        self.body = body
        self.seen = {"a", "b"}

    def __key__(self):
        return self.key

    def splits(self, sep, n: int) -> list:
        return [self.body.rsplit(sep, n), self.body.rsplit(sep), self.body.rsplit(maxsplit=n),
                self.body.split(sep, n)]

    def parts(self, sep: str) -> list:
        return [self.body.partition(sep), self.body.rpartition(sep)]

    def pads(self, width: int, fill: str) -> list:
        return [self.body.center(width, fill), self.body.ljust(width, fill),
                self.body.rjust(width, fill), self.body.center(width), "ab".center(5), "ab".center(6),
                "abc".center(6, "*"), "abc".center(7, "*")]

    def finds(self, sub: str) -> list:
        return [self.body.rfind(sub), self.body.find(sub), self.body.rfind(sub, 0, 4),
                self.body.rfind(""), self.body.rindex(sub)]

    def preds(self) -> list:
        b = self.body
        return [b.isupper(), b.islower(), b.isspace(), "  \t".isspace(), "".isspace(),
                "ABC1".isupper(), "abc1".islower(), "123".isupper(), b.swapcase(),
                b.removeprefix("he"), b.removesuffix("lo"), b.removeprefix("zz")]

    def sets(self, other: list) -> list:
        o = set(other)
        before = sorted(self.seen)
        r = [self.seen.issubset(o), self.seen.issuperset(o), self.seen.isdisjoint(o),
             sorted(self.seen.symmetric_difference(o))]
        self.seen.update(other, ["z"])
        return [before, r, sorted(self.seen)]

    def bad(self, which: int):
        if which == 0:
            return self.body.partition("")
        if which == 1:
            return self.body.center(9, "ab")
        if which == 2:
            return self.body.rindex("nope")
        if which == 3:
            return self.body.rsplit("")
        return self.body.partition(3)
