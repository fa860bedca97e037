from entiflow import entity


class NoScore(ValueError):
    pass


@entity
class Scorer:
    def __init__(self, name: str, bonus: int):
        self.name = name
        self.bonus = bonus
        self.calls = 0

    def __key__(self):
        return self.name

    def score(self, word: str, scale: int = 10) -> int:
        self.calls += 1
        if word == "":
            raise NoScore("empty word")
        return len(word) * scale - ord(word[0]) + self.bonus


@entity
class Board:
    def __init__(self, name: str):
        self.name = name
        self.words = ["pear", "fig", "apple", "kiwi", "banana"]
        self.points = {"ann": 3, "bob": 5, "cy": 1}

    def __key__(self):
        return self.name

    def _weight(self, player: str) -> int:
        return -self.points.get(player, 0)

    def by_points(self) -> list:
        return sorted(self.points, key=self._weight)

    def extremes(self) -> list:
        return [min(self.points, key=self._weight), max(self.points, key=self._weight)]

    def ranking(self, s: Scorer) -> list:
        return sorted(self.words, key=s.score, reverse=True)

    def sort_in_place(self, s: Scorer) -> list:
        self.words.sort(key=s.score)
        return self.words

    def untyped(self, s) -> list:
        return [max(self.words, key=s.score), s.score("x")]

    def failing(self, s: Scorer) -> list:
        self.words.append("")
        try:
            return sorted(self.words, key=s.score)
        except NoScore as e:
            self.words.pop()
            return ["caught", str(e)]

    def escaping(self, s: Scorer) -> list:
        self.words.append("")
        return sorted(self.words, key=s.score)
