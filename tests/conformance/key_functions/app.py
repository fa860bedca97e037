from entiflow import entity


@entity
class Player:
    def __init__(self, name: str, score: int):
        self.name = name
        self.score = score

    def __key__(self):
        return self.name

    def get_score(self) -> int:
        return self.score

    def add(self, points: int) -> int:
        self.score += points
        return self.score


@entity
class Board:
    def __init__(self, name: str):
        self.name = name
        self.players: list[Player] = []
        self.votes = {}

    def __key__(self):
        return self.name

    def join(self, p: Player):
        self.players.append(p)

    def vote(self, option: str):
        self.votes[option] = self.votes.get(option, 0) + 1

    def ranking(self) -> list:
        ranked = sorted(self.players, key=lambda p: p.get_score(), reverse=True)
        return [r.name for r in ranked]

    def best_and_worst(self) -> list:
        best = max(self.players, key=lambda p: p.score)
        worst = min(self.players, key=lambda p: (p.get_score(), p.name))
        return [best, worst]

    def leader_vote(self):
        return max(self.votes, key=self.votes.get, default=None)

    def tallies(self) -> list:
        by_count = sorted(self.votes.items(), key=lambda kv: kv[1], reverse=True)
        by_name = sorted(self.votes, key=str.lower)
        words = ["pear", "Fig", "apple", "kiwi", "banana", "fig"]
        stable = sorted(words, key=len)
        rev = sorted(words, key=len, reverse=True)
        words.sort(key=str.lower)
        nums = [3, -7, 2, -1, 7]
        nums.sort(key=abs, reverse=True)
        return [by_count, by_name, stable, rev, words, nums, min(4, -9, 2, key=abs), max("a", "bbb", "cc", key=len)]

    def key_errors(self, which: int):
        if which == 0:
            return sorted([1, "a", 2], key=lambda x: x)
        if which == 1:
            return min([], key=len)
        if which == 2:
            return max([1, 0, 2], key=lambda x: 10 // x)
        xs = [3, 1, 2]
        try:
            xs.sort(key=lambda x: [1, "a"][x % 2])
        except TypeError as e:
            return [str(e), len(xs)]
        return xs

    def bump_all(self) -> list:
        # The key function's remote calls change state; the order of calls is the items' order.
        return sorted(self.players, key=lambda p: p.add(1))

    def key_edges(self) -> list:
        words = ["bb", "a", "ccc"]
        from_gen = sorted((w.upper() for w in words), key=len, reverse=True)
        longest = max((w for w in words), key=len)
        xs = [3, 1, 2]
        try:
            xs.sort(key=lambda x: xs.append(x))
        except ValueError as e:
            grown = [str(e), xs]
        return [from_gen, longest, grown]
