from entiflow import entity


@entity
class Walker:
    def __init__(self, name: str):
        self.name = name
        self.index = {"a": 1, "b": 2, "c": 3}
        self.members = {1, 2, 3}
        self.queue = [1, 2, 3]

    def __key__(self):
        return self.name

    def grow_dict(self) -> list:
        for k in self.index:
            self.index[k + k] = 0
        return list(self.index)

    def shrink_dict(self) -> list:
        for k in self.index:
            if self.index[k] == 2:
                del self.index[k]
        return list(self.index)

    def update_values(self) -> dict:
        for k in self.index:
            self.index[k] = self.index[k] * 10
        return self.index

    def mutate_then_break(self) -> list:
        for k in self.index:
            self.index["zz"] = 1
            break
        return sorted(self.index)

    def caught_mutation(self) -> str:
        try:
            for k in self.index:
                self.index.pop(k)
        except RuntimeError as e:
            return f"caught: {e}"
        return "no error"

    def grow_set(self) -> list:
        for x in self.members:
            self.members.add(x * 10)
        return sorted(self.members)

    def discard_missing(self) -> list:
        for x in self.members:
            self.members.discard(100)
        return sorted(self.members)

    def grow_list(self) -> list:
        seen = []
        for x in self.queue:
            seen.append(x)
            if x < 4:
                self.queue.append(x + 3)
        return [seen, self.queue]

    def shrink_list(self) -> list:
        seen = []
        for x in self.queue:
            seen.append(x)
            self.queue.remove(x)
        return [seen, self.queue]

    def comprehension_snapshot(self) -> list:
        return [k for k in self.index]

    def nested_over_same(self) -> list:
        out = []
        for a in self.index:
            for b in self.index:
                out.append(a + b)
        return out
