"""Header-only CSV templates for our own layouts, generated from the layouts themselves so
the templates the data officer downloads can never disagree with the validator."""

from __future__ import annotations

from pathlib import Path

from pipelines.base import config
from pipelines.ingest.layouts import LAYOUTS


def template_files() -> dict[str, str]:
    """File name -> CSV text (a header row) for every layout except the GIAS download: the
    columns a council fills, which are all a layout's but years a 14-19 scheme has no use for
    (layouts.TEMPLATE_YEARS)."""
    files = {}
    for kind, layouts in LAYOUTS.items():
        for layout in layouts:
            if layout.name == "gias":
                continue
            suffix = "" if len(layouts) == 1 or layout.name == "standard" else f"_{layout.name}"
            files[f"{kind}{suffix}.csv"] = ",".join(f.name for f in layout.fields if f.in_template) + "\n"
    return files


def write_templates(folder: Path = config.TEMPLATES_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in template_files().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_templates():
        print(path)
