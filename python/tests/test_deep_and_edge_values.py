"""LocalApp with values as deep as the contract allows, numbers JSON cannot hold as floats,
fields JSON cannot hold as keys, and attributes a reference does not offer."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from entiflow import Ref, errors
from entiflow.client import exception_from_error
from entiflow.testing import LocalApp

APP = '''
from entiflow import entity


class OutOfStock(ValueError):
    def __init__(self, item: str, needed: int):
        super().__init__(f"{item}: {needed} more needed")
        self.needed = needed


@entity
class Box:
    def __init__(self, name: str):
        self.name = name
        self.value = None
        self.keyed = {(1, "a"): 1, 2: "two"}

    def __key__(self):
        return self.name

    def depth(self, value) -> int:
        depth = 0
        while isinstance(value, list) and value:
            value = value[0]
            depth += 1
        return depth

    def stored_depth(self) -> int:
        return self.depth(self.value)

    def keep(self, depth: int) -> int:
        x = [0]
        for _ in range(depth - 1):
            x = [x]
        self.value = x
        return depth
'''


@pytest.fixture
def app(tmp_path: Path) -> LocalApp:
    path = tmp_path / "boxes.py"
    path.write_text(APP)
    local = LocalApp(path)
    local.create("Box", "b")
    return local


def nested(depth: int) -> str:
    return "[" * depth + "0" + "]" * depth


def put(depth: int) -> str:
    return '{"id": %d, "entity": "Box", "key": "b", "method": "depth", "args": [%s]}' % (depth, nested(depth))


def test_arguments_may_nest_a_thousand_levels_and_no_deeper(app: LocalApp) -> None:
    assert app.invoke_json(put(1000))["result"] == 1000
    too_deep = app.invoke_json(put(1001))
    assert too_deep["error"]["type"] == "InvalidRequest" and "seq" not in too_deep
    assert app.invoke_json(put(50_000))["error"]["type"] == "InvalidRequest"


def test_an_entity_holding_a_deep_value_keeps_working(app: LocalApp) -> None:
    assert app.ref("Box", "b").keep(990) == 990
    assert app.ref("Box", "b").stored_depth() == 990
    assert app.ref("Box", "b").depth([[1]]) == 2
    # Deeper than a result may be: the dump shows the field by its repr.
    assert app.ref("Box", "b").keep(1500) == 1500
    assert isinstance(app.dump_state()["Box"]["b"]["value"], str)


def test_a_number_beyond_the_float_range_is_an_invalid_request(app: LocalApp) -> None:
    reply = app.invoke_json('{"id": 1, "entity": "Box", "key": "b", "method": "depth", "args": [1e400]}')
    assert reply["error"]["type"] == "InvalidRequest" and "seq" not in reply


def test_state_shows_keys_json_cannot_hold_as_the_dump_does(app: LocalApp) -> None:
    assert app.state("Box", "b")["keyed"] == app.dump_state()["Box"]["b"]["keyed"]
    assert app.state("Box", "b")["keyed"] == {"(1, 'a')": 1, "2": "two"}


def test_an_unknown_attribute_is_an_attribute_error_and_an_invalid_request(app: LocalApp) -> None:
    box = app.ref("Box", "b")
    assert not hasattr(box, "nothing")
    assert getattr(box, "nothing", 42) == 42
    with pytest.raises(errors.InvalidRequest):
        box._private_thing
    with pytest.raises(AttributeError):
        box.__init__("Box", "zzz")
    assert box == Ref("Box", "b")


def test_a_user_exception_with_more_parameters_is_rebuilt_as_its_class() -> None:
    module = types.ModuleType("boxes")
    exec(APP, module.__dict__)
    exc = exception_from_error(
        {"type": "OutOfStock", "message": "apple: 3 more needed"}, {"OutOfStock": module.OutOfStock}
    )
    assert isinstance(exc, module.OutOfStock) and isinstance(exc, ValueError)
    assert str(exc) == "apple: 3 more needed"


def test_a_reference_to_an_unknown_entity_type_is_refused_as_an_argument(app: LocalApp) -> None:
    with pytest.raises(errors.InvalidRequest, match="unknown entity type"):
        app.ref("Box", "b").depth([Ref("Nope", "x")])
    assert app.ref("Box", "b").depth([[Ref("Box", "b")]]) == 2
