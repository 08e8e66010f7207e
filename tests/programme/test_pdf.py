"""html_to_pdf and the SVG charts, read back with poppler (pdftotext, pdfinfo)."""

from decimal import Decimal

import pytest

from governance.reports import charts
from programme.pdf import html_to_pdf, render_pdf
from tests.pdf import pdf_info, pdf_text


def document(body: str, *, lang: str = "en") -> str:
    """A document with the running header and footer print.css places in the margins."""
    return (
        f'<!doctype html><html lang="{lang}"><head><title>Test report</title></head><body>'
        '<div class="print-header">Programme X<span class="right">generated 1 March 2020 '
        "10:00 CET</span></div>"
        '<div class="print-footer">Test report<span class="right">page '
        '<span class="page-number"></span> of <span class="page-count"></span></span></div>'
        f"{body}</body></html>"
    )


def long_table(rows: int) -> str:
    body = "".join(f"<tr><td>Row {i}</td><td>{i * 1000}</td></tr>" for i in range(rows))
    return (
        "<table><thead><tr><th>Budget line header</th><th>Amount header</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def test_html_to_pdf_contains_the_figures():
    content = html_to_pdf(document("<h1>KPI 1</h1><p>Total programme budget 10.000.000</p>"))

    text = pdf_text(content)

    assert content[:5] == b"%PDF-"
    assert "Total programme budget 10.000.000" in text
    assert "Programme X" in text  # running header
    assert "generated 1 March 2020 10:00 CET" in text


def test_html_to_pdf_numbers_every_page_x_of_y():
    rendered = render_pdf(document(long_table(120)))

    texts = [pdf_text(rendered.content, first=n, last=n) for n in (1, 2)]

    assert rendered.page_count >= 2
    assert f"page 1 of {rendered.page_count}" in texts[0]
    assert f"page 2 of {rendered.page_count}" in texts[1]


def test_html_to_pdf_repeats_the_table_header_on_the_next_page():
    rendered = render_pdf(document(long_table(120)))

    first = pdf_text(rendered.content, first=1, last=1)
    second = pdf_text(rendered.content, first=2, last=2)

    assert first.count("Budget line header") == 1
    assert second.count("Budget line header") == 1
    assert "Row 119" not in first  # the table really went on to page 2


def test_html_to_pdf_never_cuts_a_row_across_pages():
    # Each row is six lines high (a split leaves enough lines for orphans and widows);
    # a cut row would put its lines on two pages.
    rows = "".join(
        "<tr><td>" + "<br>".join(f"Cell {i} line {n}" for n in range(6)) + "</td></tr>"
        for i in range(80)
    )
    content = html_to_pdf(document(f"<table><thead><tr><th>H</th></tr></thead>{rows}</table>"))

    pages = pdf_text(content).split("\f")

    for i in range(80):
        holding = [n for n, page in enumerate(pages) if f"Cell {i} line" in page]
        assert len(holding) == 1, f"row {i} is on pages {holding}"


def test_html_to_pdf_is_a4_and_tagged():
    info = pdf_info(html_to_pdf(document("<p>Accessible</p>")))

    assert info["Tagged"] == "yes"
    assert info["Page size"].startswith("595.") and "x 841.8" in info["Page size"]  # A4
    assert info["Title"] == "Test report"


def test_html_to_pdf_embeds_an_inline_svg_chart():
    svg = charts.bar_chart(
        title="Budget",
        categories=["2019", "2020"],
        series=[charts.Series("Project budget", [Decimal("4500000"), Decimal("5000000")])],
    )

    text = pdf_text(html_to_pdf(document(f"<figure>{svg}</figure>")))

    assert "Project budget" in text  # the legend is text in the PDF
    assert "2019" in text and "2020" in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0"), Decimal("1")),
        (Decimal("0.7"), Decimal("1")),
        (Decimal("3"), Decimal("5")),
        (Decimal("4500000"), Decimal("5000000")),
        (Decimal("5000000"), Decimal("5000000")),
        (Decimal("5000001"), Decimal("1E+7")),
        (Decimal("2100"), Decimal("2500")),
    ],
)
def test_nice_maximum_rounds_up_to_1_2_25_5(value, expected):
    assert charts.nice_maximum(value) == expected


def test_bar_chart_is_an_image_with_title_and_a_bar_per_value():
    svg = charts.bar_chart(
        title="Budget <execution>",
        categories=["2019", "2020"],
        series=[
            charts.Series("Budget", [Decimal("4500000"), Decimal("5000000")]),
            charts.Series("Committed", [Decimal("2500000"), Decimal("0")]),
        ],
        value_format=lambda v: f"{v:.0f}",
    )

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"')
    assert "<title id=" in svg and "Budget &lt;execution&gt;</title>" in svg
    assert svg.count("<rect x=") == 4 + 2  # 4 bars + 2 legend keys
    assert "<title>Budget, 2020: 5000000</title>" in svg
    # The highest bar fills the plot: axis top 5,000,000, plot height 260 - 34 - 28 = 198.
    assert 'y="34.0" width=' in svg and 'height="198.0"' in svg


def test_bar_chart_is_the_same_for_the_same_input():
    def make():
        return charts.bar_chart(title="T", categories=["a"], series=[charts.Series("s", [1])])

    assert make() == make()


# --- The renderer fetches nothing from outside (programme.pdf.url_fetcher) -----------------


class _Listener:
    """A local HTTP server that counts the requests it receives."""

    def __init__(self):
        import http.server
        import threading

        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.hardening
def test_pdf_renderer_never_requests_an_http_url():
    listener = _Listener()
    try:
        url = f"http://127.0.0.1:{listener.port}"
        html_to_pdf(
            document(
                f'<img src="{url}/img.png" alt="x"><link rel="stylesheet" href="{url}/a.css">'
                f'<p style="background: url({url}/bg.png)">text</p>'
            )
        )
    finally:
        listener.close()
    assert listener.hits == []


@pytest.mark.hardening
def test_pdf_renderer_never_embeds_a_local_file(tmp_path):
    import io

    from pypdf import PdfReader

    secret = tmp_path / "secret.txt"
    secret.write_text("top-secret-local-file")
    content = html_to_pdf(
        document(
            f'<link rel="attachment" href="file://{secret}">'
            '<link rel="attachment" href="file:///etc/hostname">'
            f'<img src="file://{secret}" alt="x"><p>body</p>'
        )
    )
    reader = PdfReader(io.BytesIO(content))
    assert reader.attachments == {}
    assert b"top-secret" not in content


@pytest.mark.hardening
@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/hostname",
        "file:///etc/passwd",
        "file://127.0.0.1/static/css/print.css",
        "http://127.0.0.1:9/static/css/print.css",
        "https://example.org/static/css/print.css",
        "ftp://example.org/x",
        "file:///static/../config/settings.py",
        "file:///static/css/does-not-exist.css",
    ],
)
def test_pdf_url_fetcher_refuses_everything_but_static_files(url):
    from programme.pdf import url_fetcher

    with pytest.raises(ValueError):
        url_fetcher().fetch(url)


@pytest.mark.hardening
def test_pdf_url_fetcher_serves_the_apps_static_files(settings):
    from programme.pdf import url_fetcher

    fetcher = url_fetcher()
    expected = (settings.BASE_DIR / "static/css/print.css").read_bytes()
    assert fetcher.fetch("file:///static/css/print.css").read() == expected
    by_path = fetcher.fetch(f"file://{settings.BASE_DIR}/static/css/print.css").read()
    assert by_path == expected
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
