import pytest
from pydantic import ValidationError

from moodreel.catalog import load_catalog
from moodreel.errors import CatalogError
from moodreel.records import LIMITS, Title

HEADER = "id,title,description,type,genres,release_year,runtime,imdb_score"


def write(tmp_path, text: str, name: str = "c.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_loads_typed_titles(small_catalog):
    catalog = load_catalog(small_catalog)
    assert len(catalog.titles) == 60 and catalog.problems == []
    inception = catalog.titles[0]
    assert inception.title == "Inception" and inception.type == "MOVIE"
    assert inception.genres == ("action", "scifi", "music", "thriller")
    assert inception.release_year == 2010 and inception.imdb_votes == 2294231


@pytest.mark.parametrize("column", ["id", "title", "description", "type", "genres"])
def test_missing_required_column_names_column_and_file(tmp_path, column):
    cols = [c for c in HEADER.split(",") if c != column]
    path = write(tmp_path, ",".join(cols) + "\n" + ",".join("x" for _ in cols) + "\n")
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    assert f"'{column}'" in str(err.value) and str(path) in str(err.value)


def test_empty_file(tmp_path):
    path = write(tmp_path, "")
    with pytest.raises(CatalogError, match="empty"):
        load_catalog(path)


def test_missing_file(tmp_path):
    with pytest.raises(CatalogError, match="not found"):
        load_catalog(tmp_path / "nope.csv")


def test_non_utf8_file_names_line(tmp_path):
    path = write(tmp_path, HEADER + "\na1,Amélie,Paris,MOVIE,['romance'],2001,120,8.3\n", encoding="latin-1")
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    assert "line 2" in str(err.value) and "UTF-8" in str(err.value)


BAD_ROWS = [
    ('a2,,"x",MOVIE,"[\'drama\']",2000,90,7', "title", "empty title"),
    ('a2,T,"x",MOVIE,"drama; comedy",2000,90,7', "genres", "list of strings"),
    ('a2,T,"x",MOVIE,"[\'drama\'",2000,90,7', "genres", "list of strings"),
    ('a2,T,"x",MOVIE,"[1, 2]",2000,90,7', "genres", "list of strings"),
    ('a2,T,"x",FILM,"[\'drama\']",2000,90,7', "type", "MOVIE or SHOW"),
    ('a1,T,"x",MOVIE,"[\'drama\']",2000,90,7', "id", "duplicate id 'a1'"),
    ('a2,T,"x",MOVIE', "(row)", "cells"),
]


@pytest.mark.parametrize("row,field,message", BAD_ROWS)
def test_bad_row_is_reported_with_line_and_skipped(tmp_path, row, field, message):
    good = 'a1,Good,"multi\nline synopsis",MOVIE,"[\'drama\']",1999,100,7.5'
    path = write(tmp_path, f"{HEADER}\n{good}\n{row}\na3,Also good,y,SHOW,[],,,\n")
    catalog = load_catalog(path)
    assert [t.id for t in catalog.titles] == ["a1", "a3"]
    assert catalog.skipped == 1
    (problem,) = catalog.problems
    assert problem.line == 4  # the good row spans lines 2-3
    assert problem.field == field and message in problem.message


def test_bad_optional_number_keeps_row_and_reports(tmp_path):
    path = write(tmp_path, f"{HEADER}\na1,T,x,MOVIE,['drama'],soon,90,7\n")
    catalog = load_catalog(path)
    assert catalog.titles[0].release_year is None and catalog.skipped == 0
    assert catalog.problems[0].field == "release_year" and not catalog.problems[0].skipped


def test_content_hash_changes_with_what_extractors_read(tmp_path):
    path = write(tmp_path, f"{HEADER}\na1,T,x,MOVIE,['drama'],2000,90,7\n")
    before = load_catalog(path).titles[0]
    path.write_text(f"{HEADER}\na1,T,x,MOVIE,['drama'],2000,95,8\n")
    assert load_catalog(path).titles[0].content_hash() == before.content_hash()  # numbers only
    path.write_text(f"{HEADER}\na1,T,new synopsis,MOVIE,['drama'],2000,90,7\n")
    assert load_catalog(path).titles[0].content_hash() != before.content_hash()


# ---- issue 13: values beyond the store's limits, and CSV that goes wrong mid-file ----------
FULL = "id,title,description,type,genres,release_year,imdb_score,imdb_votes,age_certification,tmdb_popularity"


def full_row(i: int, **values: str) -> str:
    cells = {
        "id": f"a{i}", "title": f"T{i}", "description": f"story {i}", "type": "MOVIE",
        "genres": "\"['drama']\"", "release_year": "2000", "imdb_score": "7", "imdb_votes": "100",
        "age_certification": "PG", "tmdb_popularity": "3.5",
    }  # fmt: skip
    cells.update(values)
    return ",".join(cells[c] for c in FULL.split(","))


OVER_LIMIT = [  # (cells, field, words of the message, row skipped?)
    ({"id": "x" * (LIMITS.id + 1)}, "id", "at most 64", True),
    ({"title": "T" * 100_000}, "title", "at most 512", True),
    ({"title": "é" * 257}, "title", "514 bytes", True),  # the store counts UTF-8 bytes
    ({"genres": f"\"['{'g' * 33}']\""}, "genres", "longer than 32 bytes", True),
    ({"genres": '"' + str([f"g{n}" for n in range(17)]) + '"'}, "genres", "17 genres", True),
    ({"age_certification": "Y" * 17}, "age_certification", "at most 16", False),
    ({"imdb_votes": str(2**70)}, "imdb_votes", "less than or equal", False),
    ({"imdb_votes": "-3"}, "imdb_votes", "greater than or equal to 0", False),
    ({"imdb_score": "inf"}, "imdb_score", "finite", False),
    ({"imdb_score": "11"}, "imdb_score", "less than or equal to 10", False),
    ({"release_year": "-20"}, "release_year", "greater than or equal to 1800", False),
    ({"tmdb_popularity": "1e39"}, "tmdb_popularity", "less than or equal", False),
    ({"tmdb_popularity": "nan"}, None, "", False),  # NaN means unknown, as pandas writes it
]


@pytest.mark.parametrize("cells,field,words,skipped", OVER_LIMIT)
def test_a_value_beyond_the_store_limits_is_reported_with_line_and_field(
    tmp_path, cells, field, words, skipped
):
    path = write(tmp_path, "\n".join([FULL, full_row(1), full_row(2, **cells), full_row(3)]) + "\n")
    catalog = load_catalog(path)
    ids = [t.id for t in catalog.titles]
    if field is None:
        assert ids == ["a1", "a2", "a3"] and catalog.problems == []
        assert catalog.titles[1].popularity is None
        return
    (problem,) = catalog.problems
    assert (problem.line, problem.field, problem.skipped) == (3, field, skipped)
    assert words in problem.message, problem.message
    assert ids == (["a1", "a3"] if skipped else ["a1", "a2", "a3"])
    if not skipped:  # the row stays, without the bad value
        column = {"tmdb_popularity": "popularity"}.get(field, field)
        assert getattr(catalog.titles[1], column) is None
        assert "value ignored" in str(problem)


def test_a_long_synopsis_is_clipped_to_the_store_limit_with_a_note(tmp_path):
    long = "é" * LIMITS.description  # 2 bytes each
    path = write(tmp_path, "\n".join([FULL, full_row(1, description=long), full_row(2)]) + "\n")
    catalog = load_catalog(path)
    assert [t.id for t in catalog.titles] == ["a1", "a2"]
    assert len(catalog.titles[0].description.encode()) == LIMITS.description
    (problem,) = catalog.problems
    assert (problem.line, problem.field, problem.skipped) == (2, "description", False)
    assert "clipped" in str(problem) and "8,192 bytes" in problem.message


def test_every_title_fits_the_limits_it_is_checked_against():
    at_limit = Title(
        id="i" * LIMITS.id,
        title="é" * (LIMITS.title // 2),
        description="d" * LIMITS.description,
        type="SHOW",
        genres=tuple("g" * LIMITS.genre for _ in range(LIMITS.genres)),
        age_certification="c" * LIMITS.age_certification,
        production_countries=tuple("c" * LIMITS.country for _ in range(LIMITS.production_countries)),
        imdb_votes=LIMITS.int64,
    )
    assert at_limit.imdb_votes == 2**63 - 1
    with pytest.raises(ValidationError, match="production_countries"):
        Title(id="a", title="t", type="MOVIE", production_countries=("c" * (LIMITS.country + 1),))


def rows(n: int) -> list[str]:
    return [f'a{i},T{i},"story {i}, told",MOVIE,"[\'drama\']"' for i in range(n)]


CSV_ACCIDENTS = [  # (row 3 replaced by, what the problem says)
    ('a3,T3,"never closed,MOVIE,"[\'drama\']"', "has 3 cells"),  # closed again on its own line
    ('a3,T3,"never closed,MOVIE,[]', "unterminated quote"),  # runs into the next row's quotes
    ('a3,T3,"never closed and no quote after', "unterminated quote"),
    ('a3,T3,"' + "x" * 200_000 + '",MOVIE,"[\'drama\']"', "field larger than field limit"),
]


@pytest.mark.parametrize("bad,words", CSV_ACCIDENTS)
def test_a_broken_record_costs_that_row_only(tmp_path, bad, words):
    """102 rows, one broken: 101 titles and the broken one named by line (was: 1 title)."""
    lines = rows(102)
    lines[3] = bad
    path = write(tmp_path, "id,title,description,type,genres\n" + "\n".join(lines) + "\n")
    catalog = load_catalog(path)
    assert len(catalog.titles) == 101 and "a3" not in {t.id for t in catalog.titles}
    (problem,) = catalog.problems
    assert problem.line == 5 and problem.skipped and words in problem.message


def test_an_unterminated_quote_on_the_last_row(tmp_path):
    lines = rows(10)
    lines[9] = 'a9,T9,"open to the end,MOVIE,[]'
    path = write(tmp_path, "id,title,description,type,genres\n" + "\n".join(lines) + "\n")
    catalog = load_catalog(path)
    assert len(catalog.titles) == 9 and [p.line for p in catalog.problems] == [11]


@pytest.mark.parametrize(
    "synopsis",
    [
        "In Paris, a man, his wife, a dog\nand, at last, a cat, go west",
        # the last line, with the rest of the row, splits into 5 cells with MOVIE 4th
        "A show.\n\nIntended as a, strike or no strike, it was cancelled",
    ],
)
def test_multi_line_synopses_with_commas_are_not_mistaken_for_broken_quotes(tmp_path, synopsis):
    lines = [f'a{i},T{i},"{synopsis}",MOVIE,"[]"' for i in range(5)]
    path = write(tmp_path, "id,title,description,type,genres\n" + "\n".join(lines) + "\n")
    catalog = load_catalog(path)
    assert len(catalog.titles) == 5 and catalog.problems == []


def test_many_problems_are_summarised(tmp_path):
    junk = "\n".join(f"j{i},,x,MOVIE,[]" for i in range(5000))
    path = write(tmp_path, "id,title,description,type,genres\n" + junk + "\na,Good,x,SHOW,[]\n")
    catalog = load_catalog(path)
    assert [t.id for t in catalog.titles] == ["a"] and catalog.skipped == 5000
    report = catalog.report(20)
    assert len(report) == 21
    assert "line 2, field 'title'" in report[0] and "line 21," in report[19]
    assert report[20].endswith("… and 4,980 more problems (5,000 rows skipped in all)")
    assert len(catalog.report(10_000)) == 5000
