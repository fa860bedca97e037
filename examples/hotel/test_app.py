"""The hotel example, run as plain Python and through LocalApp."""

from __future__ import annotations

from pathlib import Path

import pytest

from entiflow import Ref
from entiflow.testing import LocalApp

from . import app as hotel

HERE = Path(__file__).parent
INVOCATIONS = HERE / "invocations.jsonl"
ROOMS = {"101": 120, "102": 90, "201": 200}


# ---------------------------------------------------------------- plain CPython


def test_plain_python_booking() -> None:
    ritz = hotel.Hotel("Ritz", ROOMS)
    ann = hotel.User("ann", 500)
    assert ann.book(ritz, "101", 2) == 240
    assert ann.budget == 260 and ritz.revenue == 240
    assert ritz.free_rooms() == ["102", "201"]
    with pytest.raises(hotel.RoomUnavailable):
        ann.book(ritz, "101", 1)
    assert ann.try_book(ritz, "999", 1) is False
    ann.add_favorite(ritz)
    assert ann.book_in_favorites(1) == "102 at Ritz"
    assert ann.cancel_all() == 330
    assert ann.budget == 500 and ritz.free_rooms() == ["101", "102", "201"]


def test_plain_python_while_loop() -> None:
    inn = hotel.Hotel("Inn", {"1": 40, "2": 30, "3": 50})
    cy = hotel.User("cy", 1000)
    assert cy.book_many(inn, 5, 1) == ["2", "1", "3"]
    assert inn.occupancy() == (3, 3)
    assert cy.total_spent() == 120


# ------------------------------------------------------------------- LocalApp


@pytest.fixture
def app() -> LocalApp:
    app = LocalApp(hotel)
    app.create("Hotel", "Ritz", ROOMS)
    app.create("Hotel", "Inn", {"1": 40})
    app.create("User", "ann", 500)
    app.create("User", "bob", 100)
    return app


def test_booking_is_an_a_b_a_chain(app: LocalApp) -> None:
    ritz, ann = app.ref("Hotel", "Ritz"), app.ref("User", "ann")
    assert ann.book(ritz, "101", 2) == 240
    # Hotel.book charged ann through a call back into User
    assert ann.budget == 260
    assert app.state("Hotel", "Ritz")["rooms"]["101"] == {"price": 120, "guest": "ann", "nights": 2}
    assert app.state("User", "ann")["bookings"] == [
        {"hotel": {"$entity": "Hotel", "key": "Ritz"}, "room": "101", "nights": 2, "cost": 240}
    ]


def test_failed_callback_rolls_back_the_hotel(app: LocalApp) -> None:
    before = app.dump_state()
    with pytest.raises(hotel.OverBudget, match="bob cannot pay 200 to Ritz"):
        app.ref("User", "bob").book(app.ref("Hotel", "Ritz"), "201", 1)
    assert app.dump_state() == before


def test_try_except_around_remote_call(app: LocalApp) -> None:
    ritz, ann, bob = app.ref("Hotel", "Ritz"), app.ref("User", "ann"), app.ref("User", "bob")
    ann.book(ritz, "102", 1)
    assert bob.try_book(ritz, "102", 1) is False
    assert bob.try_book(ritz, "nope", 1) is False
    assert bob.try_book(app.ref("Hotel", "Inn"), "1", 1) is True
    assert app.state("User", "bob")["budget"] == 60


def test_for_loop_over_refs_in_state(app: LocalApp) -> None:
    ann, inn, ritz = app.ref("User", "ann"), app.ref("Hotel", "Inn"), app.ref("Hotel", "Ritz")
    assert ann.add_favorite(inn) == 1
    assert ann.add_favorite(ritz) == 2
    assert ann.add_favorite(inn) == 2
    assert ann.favorites == [Ref("Hotel", "Inn"), Ref("Hotel", "Ritz")]
    assert app.state("User", "ann")["favorites"] == [
        {"$entity": "Hotel", "key": "Inn"},
        {"$entity": "Hotel", "key": "Ritz"},
    ]
    assert ann.book_in_favorites(1) == "1 at Inn"
    # The Inn is full now: the loop continues with the next favourite.
    assert ann.book_in_favorites(2) == "101 at Ritz"
    assert ann.budget == 500 - 40 - 240


def test_for_else_when_nothing_is_free(app: LocalApp) -> None:
    ann = app.ref("User", "ann")
    ann.add_favorite(app.ref("Hotel", "Inn"))
    assert ann.book_in_favorites(1) == "1 at Inn"
    assert ann.book_in_favorites(1) == "nothing available"


def test_while_loop_and_rollback_of_all_iterations(app: LocalApp) -> None:
    ritz, ann, bob = app.ref("Hotel", "Ritz"), app.ref("User", "ann"), app.ref("User", "bob")
    before = app.dump_state()
    # bob affords the first room (90) but not the second: everything is undone.
    with pytest.raises(hotel.OverBudget):
        bob.book_many(ritz, 3, 1)
    assert app.dump_state() == before
    assert ann.book_many(ritz, 5, 1) == ["102", "101", "201"]
    assert ritz.occupancy() == (3, 3)
    assert ann.cancel_all() == 410
    assert app.state("User", "ann")["budget"] == 500
    assert ritz.free_rooms() == ["101", "102", "201"]


def test_invocations_file() -> None:
    app = LocalApp(HERE / "app.py")
    results = app.exec_jsonl(INVOCATIONS)
    lines = [line for line in INVOCATIONS.read_text().splitlines() if line.strip()]
    assert 30 <= len(lines) <= 200 and len(results) == len(lines)
    seqs = [r["seq"] for r in results if "seq" in r]
    assert seqs == list(range(1, len(seqs) + 1))
    by_id = {r["id"]: r for r in results if r["id"] is not None}
    assert by_id[11]["result"] == 240
    assert by_id[12]["error"]["type"] == "RoomUnavailable"
    assert by_id[13]["error"] == {"type": "OverBudget", "message": "bob cannot pay 200 to Ritz"}
    assert by_id[14]["result"] == ["102", "201"]  # the failed booking left room 201 free
    assert by_id[15]["result"] is False and by_id[16]["result"] is False
    assert by_id[26]["result"] == "2 at Inn"
    assert by_id[28]["result"] == [3, 3]
    assert by_id[35]["error"] == {"type": "EntityNotFound", "message": "Hotel 'Atlantis' does not exist"}
    assert by_id[36]["error"] == {"type": "EntityNotFound", "message": "User 'dan' does not exist"}
    assert by_id[39]["error"]["type"] == "InvalidRequest"
    assert by_id["ritz-free"]["result"] == ["101", "201"]
    state = app.dump_state()
    assert list(state) == ["Hotel", "User"]
    assert list(state["Hotel"]) == ["Ritz", "Inn", "Hostel"]
    assert state["Hotel"]["Hostel"] == {"name": "Hostel", "rooms": {}, "revenue": 0}
    assert state["User"]["bob"]["favorites"] == [
        {"$entity": "Hotel", "key": "Hostel"},
        {"$entity": "Hotel", "key": "Inn"},
    ]
    assert state["User"]["ann"]["budget"] == 400
    assert sum(r.get("error", {}).get("type") == "InvalidRequest" for r in results) == 6
