"""bench/relevance_metrics.py on tiny hand-made records, and the shipped mood set's shape."""

from __future__ import annotations

import ast
import csv
import json
import sys
from collections import Counter
from types import SimpleNamespace

import pytest

from tests.conftest import PROJECT

sys.path.insert(0, str(PROJECT / "bench"))

import relevance_metrics as rm  # noqa: E402

MOODS = PROJECT / "bench" / "relevance_moods.jsonl"


def case(**fields) -> rm.MoodCase:
    data = {"mood": "a test mood", "kind": "topic", "ok": ["crime", "comedy"], "avoid": ["family"]}
    data.update(fields)
    return rm.parse_case(data, "test:1")


def write(tmp_path, *lines: str):
    path = tmp_path / "moods.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps({"mood": "a heist", "kind": "topic", "ok": ["crime"], "avoid": [], "topic": "heist"})


# ---------------------------------------------------------------- load_cases


def test_load_cases_reads_fields_and_skips_blank_lines(tmp_path):
    line = json.dumps(
        {
            "mood": "a short Korean comedy",
            "kind": "language",
            "ok": ["Comedy"],
            "avoid": ["horror"],
            "topic": "seoul|korea",
            "expect": {"type": "movie", "max_runtime": 90, "countries": ["kr"], "family_safe": True},
        }
    )
    cases = rm.load_cases(write(tmp_path, GOOD, "", line))
    assert len(cases) == 2
    heist, korean = cases
    assert heist.mood == "a heist" and heist.kind == "topic" and heist.ok == ("crime",)
    assert heist.avoid == () and not heist.expect
    assert heist.topic is not None and heist.topic.search("A daring HEIST")
    assert korean.ok == ("comedy",) and korean.avoid == ("horror",)
    assert korean.expect["type"] == "MOVIE" and korean.expect["countries"] == ("KR",)
    with pytest.raises(AttributeError):
        korean.mood = "changed"  # frozen
    with pytest.raises(TypeError):
        korean.expect["type"] = "SHOW"  # read-only


def test_case_without_topic_or_avoid(tmp_path):
    (only,) = rm.load_cases(
        write(tmp_path, json.dumps({"mood": "I feel nostalgic", "kind": "feeling", "ok": ["family"]}))
    )
    assert only.topic is None and only.avoid == () and dict(only.expect) == {}


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"kind": "topic", "ok": ["crime"]}, "'mood'"),
        ({"mood": "x", "kind": "mystery", "ok": ["crime"]}, "'kind'"),
        ({"mood": "x", "kind": "topic", "ok": []}, "'ok'"),
        ({"mood": "x", "kind": "topic", "ok": ["noir"]}, "'ok'"),
        ({"mood": "x", "kind": "topic", "ok": "crime"}, "'ok'"),
        ({"mood": "x", "kind": "topic", "ok": ["crime"], "avoid": ["zombies"]}, "'avoid'"),
        ({"mood": "x", "kind": "topic", "ok": ["crime"], "avoid": ["crime"]}, "'avoid'"),
        ({"mood": "x", "kind": "topic", "ok": ["crime"], "topic": "heist("}, "'topic'"),
        ({"mood": "x", "kind": "topic", "ok": ["crime"], "expect": {"type": "FILM"}}, "'expect.type'"),
        (
            {"mood": "x", "kind": "topic", "ok": ["crime"], "expect": {"max_runtime": "90"}},
            "'expect.max_runtime'",
        ),
        (
            {"mood": "x", "kind": "era", "ok": ["crime"], "expect": {"min_year": 1990, "max_year": 1980}},
            "'expect.min_year'",
        ),
        (
            {"mood": "x", "kind": "language", "ok": ["crime"], "expect": {"countries": ["Korea"]}},
            "'expect.countries'",
        ),
        (
            {"mood": "x", "kind": "audience", "ok": ["family"], "expect": {"family_safe": False}},
            "'expect.family_safe'",
        ),
        ({"mood": "x", "kind": "topic", "ok": ["crime"], "expect": {"language": "ko"}}, "'expect'"),
        ({"mood": "x", "kind": "topic", "ok": ["crime"], "genre": ["crime"]}, "'genre'"),
    ],
)
def test_malformed_line_names_file_line_and_field(tmp_path, bad, field):
    path = write(tmp_path, GOOD, GOOD, json.dumps(bad))
    with pytest.raises(SystemExit) as exc:
        rm.load_cases(path)
    message = str(exc.value)
    assert f"{path}:3:" in message
    assert f"field {field}" in message


def test_invalid_json_and_non_object_lines_name_the_line(tmp_path):
    path = write(tmp_path, GOOD, '{"mood": "unclosed"')
    with pytest.raises(SystemExit, match=r"moods\.jsonl:2: not valid JSON"):
        rm.load_cases(path)
    path = write(tmp_path, '["a", "list"]')
    with pytest.raises(SystemExit, match=r"moods\.jsonl:1: a case must be a JSON object"):
        rm.load_cases(path)


def test_empty_or_missing_file_exits(tmp_path):
    with pytest.raises(SystemExit, match="no cases"):
        rm.load_cases(write(tmp_path, "", "  "))
    with pytest.raises(SystemExit, match="cannot read"):
        rm.load_cases(tmp_path / "absent.jsonl")


# ---------------------------------------------------------------- per-pick judgements


def test_genre_fit_needs_an_ok_genre_and_no_avoided_one():
    c = case(ok=["crime", "comedy"], avoid=["family"])
    assert rm.genre_fit(["drama", "crime"], c)
    assert rm.genre_fit(["COMEDY"], c)  # case-insensitive
    assert rm.genre_fit("['thriller', 'crime']", c)  # the catalog's string form
    assert not rm.genre_fit(["drama"], c)  # no ok genre
    assert not rm.genre_fit(["comedy", "Family"], c)  # an avoided genre
    assert not rm.genre_fit([], c)
    assert not rm.genre_fit(None, c)


def test_topic_fit_over_title_and_synopsis():
    c = case(topic=r"heist|con artist|thie(f|ves)")
    assert rm.topic_fit("Money Heist", "Eight robbers take a mint.", c) is True
    assert rm.topic_fit("Lupin", "A gentleman THIEF plans revenge.", c) is True
    assert rm.topic_fit("Blippi", "Blippi sings about colours.", c) is False
    assert rm.topic_fit(None, None, c) is False
    assert rm.topic_fit("Money Heist", "", case()) is None


def test_expect_fit_checks_each_constraint():
    c = case(
        expect={
            "type": "MOVIE",
            "max_runtime": 90,
            "min_year": 1980,
            "max_year": 1989,
            "countries": ["US", "GB"],
            "family_safe": True,
        }
    )
    good = {
        "type": "MOVIE",
        "runtime": 88,
        "year": 1985,
        "production_countries": ["GB"],
        "age_certification": "PG",
    }
    assert rm.expect_fit(good, c) is True
    assert rm.expect_fit({**good, "type": "SHOW"}, c) is False
    assert rm.expect_fit({**good, "runtime": 91}, c) is False
    assert rm.expect_fit({**good, "runtime": None}, c) is False  # unknown runtime cannot be checked
    assert rm.expect_fit({**good, "year": 1979}, c) is False
    assert rm.expect_fit({**good, "year": 1990}, c) is False
    assert rm.expect_fit({**good, "production_countries": ["FR", "DE"]}, c) is False
    assert rm.expect_fit({**good, "production_countries": "['FR', 'US']"}, c) is True
    for cert in ("R", "NC-17", "TV-MA"):
        assert rm.expect_fit({**good, "age_certification": cert}, c) is False
    assert rm.expect_fit({**good, "age_certification": None}, c) is True  # only named ratings fail


def test_expect_fit_reads_objects_and_release_year():
    c = case(expect={"type": "show", "min_year": 2020})
    record = SimpleNamespace(type="SHOW", release_year=2021, runtime=30)
    assert rm.expect_fit(record, c) is True
    assert rm.expect_fit({"type": "SHOW", "release_year": 2019}, c) is False
    assert rm.expect_fit({"type": "SHOW"}, c) is False  # unknown year
    assert rm.expect_fit(record, case()) is None


def test_is_junk():
    assert not rm.is_junk(["drama"], 100)
    assert not rm.is_junk("['drama']", "2500.0")
    assert rm.is_junk(["drama"], 99)
    assert rm.is_junk(["drama"], None)
    assert rm.is_junk(["drama"], float("nan"))
    assert rm.is_junk(["drama"], "")
    assert rm.is_junk([], 10_000)
    assert rm.is_junk("[]", 10_000)


# ---------------------------------------------------------------- scoring


def pick(title="t", description="", genres=("crime",), votes=1000, **extra) -> dict:
    return {
        "title": title,
        "description": description,
        "genres": list(genres),
        "imdb_votes": votes,
        "type": "MOVIE",
        "runtime": 100,
        "year": 2015,
        "production_countries": ["US"],
        "age_certification": "R",
        **extra,
    }


def test_score_top_k_overall_and_per_kind():
    heist = case(kind="topic", ok=["crime"], avoid=["family"], topic="heist")
    kids = case(kind="audience", ok=["family", "animation"], avoid=["horror"], expect={"family_safe": True})
    results = [
        [
            pick("The Heist", genres=["crime"]),
            pick("A heist gone wrong", genres=["crime", "family"]),
            pick("Cooking", genres=["reality"], votes=50),
            pick("Ignored beyond k", genres=["crime"], description="heist"),
        ],
        [
            pick("Cartoon", genres=["animation"], age_certification="TV-Y"),
            pick("Slasher", genres=["horror"], age_certification="R"),
        ],
    ]
    score = rm.score_top_k([heist, kids], results, k=3)
    assert score["k"] == 3 and score["n_cases"] == 2 and score["n_empty"] == 0
    per = score["per_kind"]
    assert per["topic"]["genre_fit"] == pytest.approx(1 / 3)
    assert per["topic"]["topic_fit"] == pytest.approx(2 / 3)
    assert per["topic"]["expect_fit"] is None and per["topic"]["n_expect"] == 0
    assert per["topic"]["junk"] == pytest.approx(1 / 3)
    assert per["audience"]["genre_fit"] == pytest.approx(0.5)
    assert per["audience"]["expect_fit"] == pytest.approx(0.5)
    assert per["audience"]["topic_fit"] is None
    overall = score["overall"]
    assert overall["genre_fit"] == pytest.approx((1 / 3 + 0.5) / 2)
    assert overall["topic_fit"] == pytest.approx(2 / 3)  # only the case with a topic
    assert overall["expect_fit"] == pytest.approx(0.5)  # only the case with expect
    assert overall["junk"] == pytest.approx((1 / 3 + 0) / 2)
    assert (overall["n"], overall["n_topic"], overall["n_expect"]) == (2, 1, 1)
    assert set(per) == {"topic", "audience"}


def test_score_top_k_empty_results_and_mismatch():
    heist = case(topic="heist")
    score = rm.score_top_k([heist], [[]])
    assert score["n_empty"] == 1
    assert score["overall"]["genre_fit"] == 0.0 and score["overall"]["topic_fit"] == 0.0
    with pytest.raises(ValueError):
        rm.score_top_k([heist], [])


def test_format_table():
    heist = case(topic="heist")
    full = rm.score_top_k([heist], [[pick("heist")]])
    table = rm.format_table({"plot only": full, "flat": {"genre_fit": 0.5, "junk": 0.031}})
    lines = table.strip().splitlines()
    assert lines[0] == "| method | genre-fit@10 | topic-fit@10 | expect-fit@10 | junk |"
    assert lines[1].startswith("|---")
    assert lines[2] == "| plot only | 1.00 | 1.00 | – | 0.0% |"
    assert lines[3] == "| flat | 0.50 | – | – | 3.1% |"


# ---------------------------------------------------------------- the shipped mood set


def catalog_genres() -> set[str]:
    with (PROJECT / "data" / "netflix_titles.csv").open(encoding="utf-8") as fh:
        return {g for row in csv.DictReader(fh) for g in ast.literal_eval(row["genres"] or "[]")}


def test_shipped_mood_set():
    cases = rm.load_cases(MOODS)  # also validates every line (regexes compile, known fields)
    assert len(cases) >= 100
    kinds = Counter(c.kind for c in cases)
    assert set(kinds) == set(rm.KINDS)
    assert all(n >= 10 for n in kinds.values()), kinds
    assert catalog_genres() == rm.GENRES
    for c in cases:
        assert set(c.ok) | set(c.avoid) <= rm.GENRES, c.mood
    assert len({c.mood.lower() for c in cases}) == len(cases), "duplicate moods"
    moods = {c.mood for c in cases}
    for verbatim in (
        "in the mood for a clever heist, con artists double-crossing each other",
        "anxious, need something calm, soothing and gentle, absolutely nothing scary",
        "heartbroken after a breakup, cheer me up",
        "Want to feel like a soldier in the trenches, intense battle scenes",
        "Ugh, rough week at work, I want something cozy that makes me laugh",
    ):
        assert verbatim in moods
    raw = [json.loads(line) for line in MOODS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert all(isinstance(r.get("topic", ""), str) for r in raw)


def test_every_case_sits_in_the_split_its_seeded_hash_gives():
    for name in ("relevance_moods.jsonl", "relevance_typed.jsonl"):
        cases = rm.load_cases(PROJECT / "bench" / name)
        assert all(c.split == rm.split_of(c.mood) for c in cases)
        dev = rm.load_cases(PROJECT / "bench" / name, "dev")
        assert 0.35 < len(dev) / len(cases) < 0.65
    assert len(rm.load_cases(PROJECT / "bench" / "relevance_typed.jsonl")) >= 200


def test_a_split_that_does_not_match_the_hash_is_refused():
    mood = "a quiet film about lighthouses"
    wrong = "test" if rm.split_of(mood) == "dev" else "dev"
    with pytest.raises(SystemExit, match="seeded hash"):
        rm.parse_case({"mood": mood, "kind": "topic", "ok": ["drama"], "split": wrong}, "x:1")


def test_max_certification_rejects_only_ratings_above_it():
    case = rm.parse_case(
        {"mood": "x", "kind": "audience", "ok": ["family"], "expect": {"max_certification": "PG"}}, "x"
    )
    assert rm.expect_fit({"age_certification": "TV-PG"}, case)
    assert not rm.expect_fit({"age_certification": "PG-13"}, case)
    assert rm.expect_fit({"age_certification": None}, case)  # unknown passes, as family_safe


def test_graded_scores_acceptance_ndcg_and_agreement():
    import graded

    case = rm.parse_case({"mood": "m", "kind": "genre", "ok": ["comedy"]}, "x")
    grades = {"m": {"a": {"grade": 2}, "b": {"grade": 0}, "c": {"grade": 1}}}
    picks = [
        [{"id": "a", "genres": ["comedy"]}, {"id": "b", "genres": ["comedy"]}, {"id": "z", "genres": []}]
    ]
    out = graded.score([case], picks, grades)
    assert out["acceptance@6"] == pytest.approx(0.5) and out["picks_graded"] == 2
    assert out["genre_fit_agrees"] == pytest.approx(0.5) and len(out["ungraded"]) == 1
    ideal = graded.dcg([2, 1, 0])
    assert out["ndcg@6"] == pytest.approx(graded.dcg([2, 0, 0]) / ideal)
