import pytest

from moodreel.catalog import load_catalog
from moodreel.errors import CatalogError

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
