"""The words and numbers every page shows on the default data, read from AppTest renders: no
table cell reads "None", and money is written one way ("£1,234", "-£5,219.00"; see
pipelines/base/money.py), in text, table cells, table formats and charts alike; the pages' words
follow GOV.UK style: days as "1 March 2018" (pipelines/base/clock.day_text), never 2018-03-01 or
01/03/2018, and plain words for Latin abbreviations and code words."""

from __future__ import annotations

import io
import json
import re

import polars as pl
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest
from test_dashboard import fresh_caches  # noqa: F401 - autouse: every page starts with empty caches

from dashboard.formatting import MISSING, SHARED_SCHOOL
from pipelines.base import config
from pipelines.base.money import D3_LOCALE, MINUS, pounds
from scripts.screenshots import demo_store

APP = str(config.PROJECT_ROOT / "dashboard" / "app.py")
# A pound sign with a figure after it, whatever its sign or spacing, so a wrong form is caught too.
MONEY_LIKE = re.compile(r"[-−+]?\s?£\s?[-−+(]?\s?\d(?:[\d,]*\d)?(?:\.\d+)?")
BRACKETED = re.compile(r"\(£?[\d,.]+\)")  # a loss in accounting brackets
# The one form: "£1,234", "£1,234.56", "-£1,234.56" (a scenario's name such as "£500k" is a
# figure followed by a letter, and passes).
MONEY = re.compile(rf"(?:{re.escape(MINUS)}|\+)?£\d{{1,3}}(?:,\d{{3}})*(?:\.\d\d)?")
# Streamlit number formats that would write money another way: brackets for a loss, a dollar
# sign, or a printf pattern ("£%.2f" writes "£-5219.00").
WRONG_FORMATS = re.compile(r"^(accounting|dollar|euro|yen)$|£")
# A day written any way but GOV.UK's "1 March 2018": ISO (files keep it), numeric, or a leading zero.
WRONG_DAYS = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|\b0\d (?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
)
# Words GOV.UK asks to write plainly (its style guide: "for example", "that is", no "etc.";
# nor a program's own words for nothing or yes and no).
NOT_PLAIN = re.compile(r"\b(?:e\.g\.|i\.e\.|etc\.|via|N/A|nan|NaN|null|NULL|None|True|False)(?![\w])")
# Pages with what they are opened with: the comparison and a decision as a meeting has them, a
# split in pence with protection against the previous amounts (losses shown), a draft plan.
PAGES = [
    ("overview", {}),
    ("allocation", {"total": "500000"}),
    ("allocation", {"total": "612345.67", "unit": "0.01", "loss": "5", "lump": "1000"}),
    ("gaps", {}),
    ("partnerships", {"p": "LOC8"}),
    ("plan", {}),
    ("scenarios", {"compare": "1,2"}),
    ("decisions", {"d": "1"}),
    ("data", {}),
    ("accessibility", {}),
    ("support", {}),
    ("cookies", {}),
]


@pytest.fixture(scope="module")
def default_store(tmp_path_factory):
    return demo_store(tmp_path_factory.mktemp("words"))


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _rendered(store, monkeypatch, page: str, query: dict) -> AppTest:
    monkeypatch.setattr(config, "DEFAULT_DB", store)
    app = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    if page != "overview":
        app.switch_page(f"app_pages/{page}.py").run()
    if page == "plan":  # a draft, so the loaded and draft allocations are shown side by side
        next(b for b in app.button if b.key == "plan_apply_best").click().run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _display_values(element) -> list[str]:
    """What a pandas Styler writes into a table's cells (Streamlit shows these, not the data)."""
    styler = element.proto.arrow_data.styler
    if not styler.display_values:
        return []
    table = pa.ipc.open_stream(io.BytesIO(styler.display_values)).read_all()
    return [str(v) for column in table.columns for v in column.to_pylist() if v is not None]


def _words(app: AppTest) -> list[str]:
    """The page's own words: text, labels, helps, placeholders and metric values (not table cells,
    which hold the data as loaded, nor the choices of a list, which are names from the data). The
    escapes that keep Markdown plain are taken off, so "2018\\-01\\-18" is read as written."""
    words: list[str] = []
    for node in _walk(app._tree):
        if node.type in ("dataframe", "table", "vega_lite_chart", "html", "date_input"):
            continue
        for attribute in ("value", "label", "help", "body", "placeholder"):
            value = getattr(node, attribute, None)
            if isinstance(value, str):
                words.append(re.sub(r"\\(.)", r"\1", value))
    return words


def _texts(app: AppTest) -> list[str]:
    """Every piece of text the page shows: words, labels, helps, metric values, table cells."""
    texts: list[str] = []
    for node in _walk(app._tree):
        for attribute in ("value", "label", "help", "body"):
            value = getattr(node, attribute, None) if attribute != "value" or node.type != "dataframe" else None
            if isinstance(value, str):
                texts.append(value)
        if node.type in ("dataframe", "table"):
            frame = pl.from_pandas(node.value)
            texts += [str(v) for c in frame.columns if frame[c].dtype == pl.String for v in frame[c].drop_nulls()]
            texts += list(frame.columns)
            texts += _display_values(node)
        if node.type == "vega_lite_chart":
            texts += [str(v) for v in _strings(json.loads(node.proto.spec))]
    return texts


def _strings(spec):
    if isinstance(spec, dict):
        for value in spec.values():
            yield from _strings(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _strings(value)
    elif isinstance(spec, str):
        yield spec


def _formats(spec):
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "format" and isinstance(value, str):
                yield value
            else:
                yield from _formats(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _formats(value)


def _problems(app: AppTest) -> list[str]:
    problems = []
    for node in _walk(app._tree):
        if node.type == "dataframe":
            frame = pl.from_pandas(node.value)
            with_nulls = [c for c in frame.columns if frame[c].null_count()]
            if with_nulls and node.proto.placeholder != MISSING:
                problems.append(f"a table shows None in {with_nulls} (no placeholder {MISSING!r})")
            columns = json.loads(node.proto.columns or "{}")
            for name, column in columns.items():
                wanted = column.get("type_config", {}).get("format") or ""
                if WRONG_FORMATS.search(wanted):
                    problems.append(f"column {name!r} writes money as {wanted!r}")
        if node.type == "table":
            frame = pl.from_pandas(node.value)
            if any(frame[c].null_count() for c in frame.columns):
                problems.append("an st.table shows None")
        if node.type == "vega_lite_chart":
            spec = json.loads(node.proto.spec)
            signed = [f for f in _formats(spec) if "+" in f or "$" in f]  # differences, money
            if signed and spec.get("config", {}).get("locale") != D3_LOCALE:
                problems.append(f"a chart writes {signed} without the money locale (d3's own minus is −)")
    for text in _texts(app):
        if text.strip() == "None":
            problems.append("a cell reads None")
        wrong = [f.strip() for f in MONEY_LIKE.findall(text) if not MONEY.fullmatch(f.strip())]
        wrong += [f for f in BRACKETED.findall(text) if "£" in f]
        problems += [f"money written as {figure!r} in {text[:80]!r}" for figure in wrong]
    for text in _words(app):
        problems += [f"a day written as {day!r} in {text[:80]!r}" for day in WRONG_DAYS.findall(text)]
        problems += [f"{word!r} in {text[:80]!r}" for word in NOT_PLAIN.findall(text)]
    return problems


@pytest.mark.parametrize(("page", "query"), PAGES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(PAGES)])
def test_every_page_writes_money_and_days_one_way_in_plain_words(default_store, monkeypatch, page, query):
    app = _rendered(default_store, monkeypatch, page, {"total": "500000", **query})
    assert _problems(app) == []


def test_the_checks_catch_what_they_look_for():
    """The patterns above find each wrong form they are meant to (so a pass means something)."""
    for wrong in ("£-5,219.00", "−£5,000", "£ 5,000", "£5000.5", "£1234"):
        assert [f for f in MONEY_LIKE.findall(f"x {wrong} y") if not MONEY.fullmatch(f.strip())], wrong
    assert BRACKETED.findall("a loss of (£5,000) here") and not BRACKETED.findall("the floor (£8,696.29 vs share)")
    for right in (pounds(-5219), pounds(5000, pence=False), "+£1,000", "£500k, accredited only"):
        assert all(MONEY.fullmatch(f.strip()) for f in MONEY_LIKE.findall(right)), right
    assert WRONG_FORMATS.search("accounting") and WRONG_FORMATS.search("£%.2f") and not WRONG_FORMATS.search("localized")
    for wrong in ("as of 2018-09-01.", "on 01/09/2018", "on 1/9/18", "on 01 September 2018"):
        assert WRONG_DAYS.findall(wrong), wrong
    for right in (
        "on 1 September 2018",
        "2018/19",
        "the 2008/9 basis",
        "Year 10 of 1,234",
        "11:30am GMT (2026-12-07T11:30:00Z)"[:20],
    ):
        assert not WRONG_DAYS.findall(right), right
    for wrong in ("e.g. £5", "fast, i.e. now", "and so on etc.", "sent via e-mail", "None", "is True", "N/A"):
        assert NOT_PLAIN.findall(wrong), wrong
    for right in ("for example £5", "none", "Nonesuch School", "true to its word", "Trueman Academy"):
        assert not NOT_PLAIN.findall(right), right


def test_a_typing_error_is_not_shown_as_a_broken_link(default_store, monkeypatch):
    """An amount typed wrongly is said with an error icon; a link's unusable value keeps the
    broken-link icon (it is the link that is wrong there)."""
    app = _rendered(default_store, monkeypatch, "overview", {})
    app.text_input(key="sc_total_text").input("five hundred").run()
    typed = [w for w in app.sidebar.warning if "five hundred" in w.value or "total" in w.value.lower()]
    assert typed and all(w.icon == ":material/error:" for w in typed), [(w.value, w.icon) for w in app.sidebar.warning]
    linked = _rendered(default_store, monkeypatch, "overview", {"total": "-5"})
    assert [w.icon for w in linked.sidebar.warning if "-5" in w.value] == [":material/link_off:"]


def test_the_overview_says_what_the_codes_and_the_halves_are(default_store, monkeypatch):
    """The partnership codes' prefixes are explained once on the first page (from the data's own
    description), and the Year 10 figure with a half says why."""
    app = _rendered(default_store, monkeypatch, "overview", {})
    captions = " ".join(c.value for c in app.caption).replace("\\", "")  # shown as plain text
    assert all(prefix in captions for prefix in ("LOC…", "DC-…", "INF-…")), captions
    funded = next(m for m in app.metric if m.label == "Year 10, funded")
    assert funded.value.endswith(".5") and SHARED_SCHOOL in funded.help


def test_a_browser_title_names_the_page_then_the_dataset_and_a_blank_name_means_the_service():
    from dashboard.formatting import SERVICE, browser_title

    assert browser_title("Allocation", "Kent school partnerships, 2023") == "Allocation – Kent school partnerships, 2023"
    assert browser_title("Data", "  ") == f"Data – {SERVICE}"
    assert browser_title("Data", None) == f"Data – {SERVICE}"
