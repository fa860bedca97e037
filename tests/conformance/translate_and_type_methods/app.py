from entiflow import entity


@entity
class Text:
    def __init__(self, name: str):
        self.name = name
        self.words = []

    def __key__(self):
        return self.name

    def clean(self, s: str) -> str:
        table = str.maketrans("", "", "!?.,")
        return s.translate(table)

    def rot(self, s: str) -> str:
        return s.translate(str.maketrans("abc", "xyz"))

    def dict_table(self, s: str) -> str:
        return s.translate(str.maketrans({"a": "4", "e": None, "o": 48}))

    def raw_table(self, s: str) -> str:
        return s.translate({97: "A", 98: None})

    def qualified(self, s: str) -> list:
        xs = [3, 1]
        list.append(xs, 2)
        list.sort(xs)
        return [str.upper(s), str.split("a b"), xs, dict.get({"k": 1}, "k"), str.join("-", ["x", "y"])]

    def bad_receiver(self):
        return str.upper(5)

    def bad_table(self):
        return str.maketrans("ab", "x")

    def bad_one(self):
        return str.maketrans("ab")

    def bad_key(self):
        return str.maketrans({"ab": 1})

    def add_word(self, w: str) -> int:
        list.append(self.words, w)
        return len(self.words)
