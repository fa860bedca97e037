"""str.format field names: an index in brackets is taken whole (it may hold ':', '!', '{' or
'}'), and the errors of malformed fields."""
from entiflow import entity


@entity
class Fmt:
    def __init__(self, name: str):
        self.name = name

    def __key__(self):
        return self.name

    def render(self, template: str, table: dict, width: int):
        try:
            return template.format(table, width, x=table)
        except (ValueError, KeyError, IndexError, TypeError) as e:
            return f"{type(e).__name__}: {e}"
