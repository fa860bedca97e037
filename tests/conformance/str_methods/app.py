from entiflow import entity

SEP = ", "


@entity
class Text:
    def __init__(self, name: str, body: str):
        self.name = name
        self.body = body
        self.words = []

    def __key__(self):
        return self.name

    def cases(self) -> list:
        b = self.body
        return [b.upper(), b.lower(), b.title(), b.capitalize(), b.strip(), b.lstrip(), b.rstrip(), b.zfill(12)]

    def splitting(self) -> list:
        b = self.body
        self.words = b.split()
        return [b.split(), b.split(" "), b.split(",", 1), b.split("a"), SEP.join(self.words), "-".join(b.split())]

    def searching(self, sub: str) -> list:
        b = self.body
        return [b.find(sub), b.count(sub), b.startswith(sub), b.endswith(sub), sub in b, b.replace(sub, "#"), b.replace(sub, "", 1)]

    def index_of(self, sub: str) -> int:
        return self.body.index(sub)

    def slicing(self) -> list:
        b = self.body
        return [b[0], b[-1], b[1:4], b[:3], b[-3:], b[::2], b[::-1], b[5:1:-1], b[100:], b[-100:2], len(b)]

    def char_at(self, i: int) -> str:
        return self.body[i]

    def predicates(self) -> list:
        b = self.body
        return [b.isdigit(), b.isalpha(), b.isalnum(), b.strip().isdigit(), b.startswith(("x", " ")), b.endswith(("!", "d"))]

    def strip_chars(self, chars: str) -> list:
        b = self.body
        return [b.strip(chars), b.lstrip(chars), b.rstrip(chars)]

    def build(self, n: int) -> str:
        out = ""
        for i in range(n):
            out += str(i) * 2
        return out + "!" * 3 + "-" * 0

    def join_bad(self) -> str:
        return ",".join(["a", 1])

    def repr_quotes(self) -> list:
        return [repr(self.body), str(self.body), repr("a'b"), repr('a"b'), repr("a'b\"c"), repr("tab\there"), repr("nl\n"), repr("back\\slash")]

    def unicode(self) -> list:
        s = "héllo wörld"
        return [s.upper(), len(s), s[1], s[::-1], s.title(), s.find("w")]
