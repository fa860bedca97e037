"""`str.format_map` with a dict: named fields, format specs, nested lookups and its errors."""
from entiflow import entity


@entity
class Card:
    def __init__(self, name: str):
        self.name = name
        self.fields = {"name": name, "n": 3, "tags": ["a", "b"], "price": 2.5}

    def __key__(self):
        return self.name

    def render(self, template: str) -> str:
        return template.format_map(self.fields)

    def render_with(self, template: str, extra: dict) -> str:
        merged = dict(self.fields)
        merged.update(extra)
        return template.format_map(merged)

    def attempt(self, template: str, mapping) -> str:
        try:
            return template.format_map(mapping)
        except (KeyError, ValueError, IndexError) as e:
            return type(e).__name__ + ": " + str(e)
