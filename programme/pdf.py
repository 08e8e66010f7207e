"""HTML to PDF, the one way the app makes a PDF (WeasyPrint).

`html_to_pdf(html) -> bytes` is pure: no database, no files written. It always applies
static/css/print.css: A4, repeated table headers, rows never cut across pages, and the
running header/footer that a document supplies as `.print-header` / `.print-footer`
elements (see programme/templates/programme/reports/pdf_base.html, which every report
template extends, for the programme name, the generation time and "page X of Y").

The PDF is tagged (PDF/UA-1 variant: structure tree, document language and title from
the HTML), so a screen reader can read it. Known limits: WeasyPrint does not tag SVG
content beyond the image itself, so charts carry a <title>/<desc> and their figures are
always also printed in a table; fonts come from the system (fonts-dejavu-core).
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

PRINT_CSS = "css/print.css"
# PDF/UA-1 makes WeasyPrint write a tagged PDF (structure tree, /MarkInfo /Marked true)
# plus the pdfuaid metadata; it needs <html lang> and <title>, which pdf_base.html sets.
PDF_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


def print_stylesheet_path() -> Path:
    """The print stylesheet: found by the static finders (development), else collected."""
    found = finders.find(PRINT_CSS)
    if found:
        return Path(found)
    return Path(settings.STATIC_ROOT) / PRINT_CSS


def render_pdf(html: str, *, base_url: str | None = None) -> RenderedPdf:
    """Lay out `html` with the print stylesheet; return the PDF bytes and the page count."""
    # Imported here: WeasyPrint loads Pango/fontconfig, which web requests never need.
    import weasyprint

    stylesheet = weasyprint.CSS(filename=str(print_stylesheet_path()))
    document = weasyprint.HTML(string=html, base_url=base_url).render(stylesheets=[stylesheet])
    content = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    return RenderedPdf(content=content, page_count=len(document.pages))


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of `html` (A4, print stylesheet, tagged), as bytes."""
    return render_pdf(html, base_url=base_url).content
