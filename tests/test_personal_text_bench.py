"""bench/personal_text.py's text measures: METEOR without WordNet (exact and stem matches
only, nothing downloaded) and the repeated-trigram rate."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import PROJECT

sys.path.insert(0, str(PROJECT / "bench"))
personal_text = pytest.importorskip("personal_text")


def test_meteor_counts_exact_and_stem_matches_but_no_synonyms():
    reference = "a family fights a monster in the woods"
    assert personal_text.meteor(reference, reference) > 0.99
    assert personal_text.meteor(reference, "pasta recipes for busy cooks") == 0.0
    stemmed = personal_text.meteor(reference, "families fighting monsters")
    assert 0 < stemmed < personal_text.meteor(reference, "a family fights a monster")
    assert personal_text.meteor(reference, "a household battles a beast") < stemmed  # no WordNet synonyms


def test_repeated_trigrams():
    assert personal_text.repeated_trigrams("one two three four") == 0.0
    assert personal_text.repeated_trigrams("so good so good so good") == 0.5  # 2 of 4 trigrams seen before
    assert personal_text.repeated_trigrams("short") == 0.0
