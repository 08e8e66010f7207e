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

The renderer fetches nothing from outside: `StaticOnlyFetcher` serves the app's own
static files (and `data:` URIs) and refuses every other scheme, host and path, so a
template mistake cannot turn a PDF into a request to an internal service (SSRF) or a
copy of a local file. A refused reference is left out of the PDF (WeasyPrint logs it).
"""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation

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


class RefusedResource(ValueError):
    """A reference the PDF renderer will not fetch (not one of the app's static files)."""


def _static_roots() -> list[Path]:
    roots = [Path(root).resolve() for root in settings.STATICFILES_DIRS]
    roots.append(Path(settings.STATIC_ROOT).resolve())
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location).resolve())
    return roots


def static_file_for(url: str) -> Path:
    """The static file a `file:` URL names, or RefusedResource.

    Accepted: a path inside one of the static folders (STATICFILES_DIRS, the apps'
    static/ folders, STATIC_ROOT), or a path starting with STATIC_URL that the static
    finders know. Anything else (another scheme, a host, `..`, /etc/...) is refused."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedResource(f"not a static file of the app: {url}")
    path = unquote(parts.path)
    static_url = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"
    candidates = []
    for prefix in (static_url, str(Path(settings.BASE_DIR) / "static") + "/"):
        if path.startswith(prefix):
            try:
                found = finders.find(path.removeprefix(prefix))
            except SuspiciousFileOperation:  # '..' out of a static folder
                found = None
            if found:
                candidates.append(Path(found))
    candidates.append(Path(path))
    roots = _static_roots()
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.is_file() and any(resolved.is_relative_to(root) for root in roots):
            return resolved
    raise RefusedResource(f"not a static file of the app: {url}")


def url_fetcher():
    """The URL fetcher of every PDF: the app's static files and data: URIs, nothing else."""
    import weasyprint.urls

    class StaticOnlyFetcher(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            path = static_file_for(url)
            return weasyprint.urls.URLFetcherResponse(path.as_uri(), path.read_bytes())

    return StaticOnlyFetcher(allowed_protocols={"data", "file"}, allow_redirects=False)


def render_pdf(html: str, *, base_url: str | None = None) -> RenderedPdf:
    """Lay out `html` with the print stylesheet; return the PDF bytes and the page count."""
    # Imported here: WeasyPrint loads Pango/fontconfig, which web requests never need.
    import weasyprint

    fetcher = url_fetcher()
    stylesheet = weasyprint.CSS(filename=str(print_stylesheet_path()), url_fetcher=fetcher)
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=[stylesheet]
    )
    content = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    return RenderedPdf(content=content, page_count=len(document.pages))


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of `html` (A4, print stylesheet, tagged), as bytes."""
    return render_pdf(html, base_url=base_url).content
