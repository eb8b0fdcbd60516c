"""The layout is the architecture: pipelines/ is a stack of stages and each stage imports only the
stages below it (or its own); nothing below the dashboard imports the dashboard; the dashboard does
not import the command line; no two modules import each other, even lazily inside a function.

Read from the source, not by importing: an import inside a function or under TYPE_CHECKING is an
arrow too, since it runs (or type-checks) the same way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Bottom first: a stage may import the stages before it in this list, and itself.
STAGES = ("base", "store", "ingest", "datasets", "rules", "outputs", "cli")
PROJECT = ("pipelines", "dashboard")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    """The module a relative import names (``from ..rules import x`` in pipelines/store/db.py is
    pipelines.rules), as Python resolves it from the file's package."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(path: Path) -> set[str]:
    """Every project module this file names in an import, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or node.level):
            module = _absolute(path, node) if node.level else str(node.module)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in PROJECT}


def _graph() -> dict[str, set[str]]:
    files = sorted([*(ROOT / "pipelines").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py")])
    modules = {_module_name(path): path for path in files}
    # "from pipelines.base import clock" names the module pipelines.base.clock; a name that is
    # not a module (a function, a class) is an arrow to the module it was taken from.
    return {
        name: {imported if imported in modules else imported.rsplit(".", 1)[0] for imported in _imports(path)} - {name}
        for name, path in modules.items()
    }


GRAPH = _graph()


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "pipelines" and len(parts) > 1 and parts[1] in STAGES else None


def test_every_module_below_the_dashboard_is_in_a_stage():
    loose = [m for m in GRAPH if m.startswith("pipelines.") and _stage(m) is None and m != "pipelines.__main__"]
    assert loose == [], f"modules outside the stages {STAGES}: {loose}"
    assert {path.name for path in (ROOT / "pipelines").iterdir() if not path.name.startswith("__")} == set(STAGES)


def upward_arrows(graph: dict[str, set[str]]) -> list[str]:
    arrows = []
    for module, imported in graph.items():
        for target in sorted(imported):
            if module.startswith("pipelines") and target.startswith("dashboard"):
                arrows.append(f"{module} -> {target} (into the dashboard)")
            elif module.startswith("dashboard") and _stage(target) == "cli":
                arrows.append(f"{module} -> {target} (the dashboard into the command line)")
            elif (own := _stage(module)) and (theirs := _stage(target)) in STAGES and STAGES.index(theirs) > STAGES.index(own):
                arrows.append(f"{module} -> {target} ({own} up into {theirs})")
    return arrows


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), each a circle of imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_stage_imports_a_stage_above_it_nor_the_dashboard():
    arrows = upward_arrows(GRAPH)
    assert arrows == [], "imports that point up:\n" + "\n".join(arrows)


def test_no_two_modules_import_each_other():
    found = circles(GRAPH)
    assert found == [], "modules that import each other:\n" + "\n".join(" <-> ".join(group) for group in found)


def test_a_relative_import_is_read_as_the_module_it_names():
    store = ROOT / "pipelines" / "store" / "db.py"
    node = ast.parse("from ..rules import allocate").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _absolute(store, node) == "pipelines.rules"
    sibling = ast.parse("from . import audit_chain").body[0]
    assert isinstance(sibling, ast.ImportFrom)
    assert _absolute(store, sibling) == "pipelines.store"


def test_the_map_specification_is_below_both_the_dashboard_and_the_meeting_pack():
    assert "pipelines.outputs.maps" in GRAPH["pipelines.outputs.meeting_pack"]
    assert "pipelines.outputs.maps" in GRAPH["dashboard.queries"]
    assert "pipelines.outputs.meeting_pack" not in GRAPH["pipelines.outputs.maps"]


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"pipelines.store.db": {"pipelines.rules.allocate"}, "pipelines.rules.allocate": set()}, "store up into rules"),
        ({"pipelines.outputs.meeting_pack": {"dashboard.maps"}, "dashboard.maps": set()}, "into the dashboard"),
        ({"dashboard.app": {"pipelines.cli.flags"}, "pipelines.cli.flags": set()}, "the dashboard into the command line"),
    ],
)
def test_the_check_sees_an_upward_arrow(graph, expected):
    assert [arrow for arrow in upward_arrows(graph) if expected in arrow]


def test_the_check_sees_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


def test_the_architecture_page_names_files_and_names_that_exist():
    """docs/architecture.md's table of where each rule lives: every file it names exists and
    every macro or name it gives for that file is written in it."""
    rows = [
        line for line in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").splitlines() if line.startswith("| ")
    ]
    checked = 0
    for row in rows[1:]:
        _, files, names = (cell.strip() for cell in row.strip("|").split("|"))
        paths = [ROOT / f for f in re.findall(r"`([^`]+\.(?:sql|py))`", files)]
        folder = paths[0].parent if paths else ROOT
        paths = [path if path.exists() else folder / path.name for path in paths]
        assert paths and all(path.exists() for path in paths), row
        text = "".join(path.read_text(encoding="utf-8") for path in paths)
        for name in re.findall(r"`([^`]+)`", names):
            assert re.search(rf"\b{re.escape(name)}\b", text), f"{name} is not in {files}"
            checked += 1
    assert checked >= 25
