"""Orderings a person sees break ties by a stable key, never by float noise (issue 19, item 2):
the why-feelings of the same title come out the same whatever order its inputs come in and
whatever the last bits of the similarities are."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from moodreel.order import descending
from moodreel.records import Title
from moodreel.search.recommender import Recommender
from tests.fakes import FixedMoodParser
from tests.test_search import CATALOG, _services


def test_scores_equal_to_four_places_keep_their_own_order():
    noise = np.float32(1e-7)
    assert descending(np.array([1.0, 1.0 - noise, 1.0 + noise, 0.5], dtype=np.float32)) == [0, 1, 2, 3]
    assert descending([0.2, 0.9, 0.5]) == [1, 2, 0]
    assert descending([]) == []


def test_any_float_noise_gives_the_same_order():
    rng = np.random.default_rng(7)
    base = np.array([0.8, 0.8, 0.8, 0.3, 0.3, 0.9])
    orders = {tuple(descending(base + rng.normal(0, 1e-6, base.shape))) for _ in range(200)}
    assert orders == {(5, 0, 1, 2, 3, 4)}


@pytest.mark.parametrize("feelings", list(itertools.permutations(["amusement", "joy", "laughter"])))
def test_tied_why_feelings_follow_the_titles_own_order_in_every_permutation(tmp_path, feelings):
    """The three feelings all match the request exactly (similarity 1.0): the card lists them in
    the title's order, not in the order float32 noise happens to give on this machine."""
    catalog = [
        (Title(id="c1", title="Big Laughs", type="MOVIE", genres=("comedy",)), list(feelings)),
        *[item for item in CATALOG if item[0].id != "c1"],
    ]
    rec = Recommender.from_services(_services(tmp_path, catalog), FixedMoodParser(["amusement", "joy"]))
    top = rec.recommend("make me laugh", k=2).results[0]
    assert top.id == "c1"
    assert top.why[0] == "feels like: " + ", ".join(feelings)


def test_cards_with_equal_scores_are_ordered_by_id_whatever_the_stores_order(tmp_path):
    twins = [
        (Title(id=i, title=f"Twin {i}", type="MOVIE", genres=("comedy",)), ["amusement", "joy"])
        for i in ("t3", "t1", "t2")
    ]
    orders = set()
    for permutation in itertools.permutations(twins):
        rec = Recommender.from_services(_services(tmp_path, list(permutation)), FixedMoodParser(["joy"]))
        orders.add(tuple(r.id for r in rec.recommend("joy", k=3).results))
    assert orders == {("t1", "t2", "t3")}
