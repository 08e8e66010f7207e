"""HTML to PDF with WeasyPrint: one pure function, A4 with page numbers.

Known limit: a shared report/PDF module for the KPI reports is being built elsewhere;
this one will be unified with it.
"""

from weasyprint import CSS, HTML

PAGE_CSS = CSS(
    string="""
@page {
  size: A4;
  margin: 18mm 16mm 20mm 16mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; color: #555; }
}
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; }
"""
)


def html_to_pdf(html: str) -> bytes:
    """Render `html` (a complete document, no external resources) to PDF bytes."""
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[PAGE_CSS])
