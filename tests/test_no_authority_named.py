"""The product serves any English authority, so nothing in it names one (the word alone, in code,
SQL, page text or a comment): the store's dataset row and outlines say which authority it is. The
one exception is the builder of the embedded default (make_default_data.py), which is about that
authority's files, and the names of the default's reference files it writes and the default build
reads (data/reference/norfolk_districts*.geojson)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("dashboard", "pipelines", "sql")
BUILDER = ROOT / "pipelines" / "datasets" / "make_default_data.py"
REFERENCE_FILE_NAME = re.compile(r"norfolk_districts(?:_map)?\.geojson")
NAMED = re.compile(r"norfolk", re.IGNORECASE)


def _text_files() -> list[Path]:
    files = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path != BUILDER:
                try:
                    path.read_text(encoding="utf-8")
                except UnicodeDecodeError:  # an icon
                    continue
                files.append(path)
    return files


def test_no_file_of_the_product_names_an_authority():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _text_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if NAMED.search(REFERENCE_FILE_NAME.sub("", line))
    ]
    assert found == []


def test_the_search_reads_the_product_and_would_see_the_word():
    files = _text_files()
    assert {f.relative_to(ROOT).parts[0] for f in files} == set(FOLDERS)
    assert any(f.suffix == ".sql" for f in files) and any(f.suffix == ".py" for f in files)
    # the builder itself says it (so the pattern finds the word as written), and is the one file left out
    assert NAMED.search(BUILDER.read_text(encoding="utf-8"))
    assert NAMED.search(REFERENCE_FILE_NAME.sub("", "the Norfolk default")) and not NAMED.search(
        REFERENCE_FILE_NAME.sub("", "data/reference/norfolk_districts_map.geojson")
    )
