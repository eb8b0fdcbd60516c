"""Render a PDF's pages to PNG (PDFium, from the test extras), e.g. the meeting pack's
screenshots in docs/:

    python -m pipelines build
    python -m pipelines pack --total 500000 --out docs/meeting_pack.pdf
    python scripts/pdf_pages.py docs/meeting_pack.pdf docs/screenshots/meeting_pack --pages 1 2
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pypdfium2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("prefix", help="PNG files are written as PREFIX_p1.png, PREFIX_p2.png, ...")
    parser.add_argument("--pages", type=int, nargs="*", help="page numbers from 1 (default: all)")
    parser.add_argument("--dpi", type=int, default=110)
    args = parser.parse_args()
    document = pypdfium2.PdfDocument(args.pdf)
    for number in args.pages or range(1, len(document) + 1):
        path = Path(f"{args.prefix}_p{number}.png")
        document[number - 1].render(scale=args.dpi / 72).to_pil().save(path, optimize=True)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
