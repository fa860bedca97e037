from entiflow import entity


@entity
class Text:
    def __init__(self, name: str):
        self.name = name
        self.printed = 0

    def __key__(self):
        return self.name

    def ascii_checks(self, words: list) -> list:
        return [(w, w.isascii(), str.isascii(w)) for w in words]

    def say(self, what: str) -> int:
        print(what, file=None)
        print(what, self.name, sep="-", end="!\n", file=None, flush=True)
        self.printed += 2
        return self.printed

    def say_to(self, target: int) -> str:
        try:
            print("x", file=target)
        except AttributeError as e:
            return str(e)
        return "printed"

    def del_many(self, xs: list, i: int) -> list:
        a, b, d = 1, 2, {"k": 1, "j": 2}
        del (a, b)
        del [xs[i], d["k"]]
        try:
            return [a]
        except UnboundLocalError as e:
            return [str(e), xs, d]

    def del_missing(self, xs: list) -> list:
        d = {"k": 1}
        try:
            del d["k"], xs[10], d["j"]
        except (IndexError, KeyError) as e:
            return [type(e).__name__, str(e), d, xs]
        return []
