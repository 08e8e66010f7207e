"""Reading the PDFs the system makes, with poppler's pdftotext and pdfinfo (installed by
`make sysdeps`). A PDF is given as its bytes or the path of its file."""

import subprocess
from pathlib import Path


def _bytes(pdf: bytes | str | Path) -> bytes:
    return pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()


def pdf_text(
    pdf: bytes | str | Path,
    *,
    mode: str = "-layout",
    first: int | None = None,
    last: int | None = None,
) -> str:
    """The text of a PDF, pages separated by form feeds. `-layout` keeps the columns of
    a page; `-raw` keeps a wrapped table cell's lines together. `first` and `last`
    limit it to those pages."""
    pages = []
    if first:
        pages += ["-f", str(first)]
    if last:
        pages += ["-l", str(last)]
    return subprocess.run(
        ["pdftotext", mode, *pages, "-", "-"], input=_bytes(pdf), capture_output=True, check=True
    ).stdout.decode()


def pdf_info(pdf: bytes | str | Path) -> dict[str, str]:
    """The fields pdfinfo prints (Pages, Tagged, Title…), by name."""
    out = subprocess.run(
        ["pdfinfo", "-"], input=_bytes(pdf), capture_output=True, check=True
    ).stdout.decode()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}
