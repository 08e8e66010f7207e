"""The submitted version as PDF: WeasyPrint (programme.pdf, the app's one way to make a
PDF) in process and through a real Celery worker on Redis, the text checked with
pdftotext."""

import time

import pytest

from projects import services
from projects.models import Application
from tests.builders import ready_application
from tests.pdf import pdf_info, pdf_text


@pytest.mark.django_db
def test_snapshot_pdf_is_tagged_with_running_header_and_page_x_of_y_footer(
    django_capture_on_commit_callbacks,
):
    application = ready_application(abstract_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(actor=application.created_by, application=application)
    application.refresh_from_db()

    with application.snapshot_pdf.open("rb") as handle:
        data = handle.read()
    info = pdf_info(data)
    pages = int(info["Pages"])
    text = pdf_text(data)
    footers = [line.split()[-4:] for line in text.splitlines() if " page " in line]
    assert pages >= 2
    assert footers == [["page", str(n), "of", str(pages)] for n in range(1, pages + 1)]
    assert text.count(application.call.programme.name) == pages  # the running header
    assert f"{application.acronym} — {application.receipt_number}" in text
    assert info["Tagged"] == "yes"
    # The submission time in Brussels time with its zone, not the stored ISO timestamp.
    from django.utils import translation

    from programme.formats import format_brussels

    with translation.override("en"):
        assert f"Submitted at: {format_brussels(application.submitted_at)}" in text
    assert application.snapshot["submitted_at"] not in text


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
