"""The submitted version as PDF: WeasyPrint through a real Celery worker on Redis, the
text checked with pdftotext."""

import subprocess
import time

import pytest

from projects import services
from projects.models import Application
from projects.pdf import html_to_pdf

from .factories import ready_application


def pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode()


def test_html_to_pdf_numbers_pages():
    pages = "".join(f'<p style="page-break-after: always">page {i}</p>' for i in range(3))
    data = html_to_pdf(f"<html><body>{pages}</body></html>")
    footers = [line.strip() for line in pdf_text(data).splitlines() if "/" in line]
    assert (data[:5], footers) == (b"%PDF-", ["1/3", "2/3", "3/3"])


@pytest.mark.worker
def test_submission_pdf_rendered_by_worker_shows_title_and_totals(celery_worker_on_redis):
    application = ready_application(title="Tumour board data commons", abstract_language="en")
    services.application_submit(actor=application.created_by, application=application)
    for _ in range(600):  # the worker needs a moment; this loop only waits, it asserts nothing
        application.refresh_from_db()
        if application.snapshot_pdf:
            break
        time.sleep(0.1)
    with application.snapshot_pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Tumour board data commons" in text
    assert application.receipt_number in text
    # Project totals in English number format: cost 2,400,000; aid (100% research part,
    # capped company aid) as computed at submission.
    assert "2,400,000" in text
    aid = f"{Application.objects.get(pk=application.pk).total_aid:,.0f}"
    assert aid in text
