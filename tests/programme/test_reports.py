"""Generated reports: request → Celery task → one PDF file; redelivery, retries and
failure; the pages (history, htmx progress, download, KPI page, exports)."""

import csv
import hashlib
import io
import time
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from config.celery import app as celery_app
from governance.reports import domain as report_domain, kpi_report, services as reports
from governance.reports.tasks import generate_report
from programme.demo import seed_programme
from programme.models import GeneratedReport, ReportKind, ReportState
from tests.factories import (
    ApplicantFactory,
    CallFactory,
    DoneReportFactory,
    EnvelopeFactory,
    GeneratedReportFactory,
    ProgrammeManagerFactory,
    SteeringFactory,
)
from tests.pdf import pdf_info, pdf_text


def files_in_reports_dir() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "reports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def programme(db):
    """The seed-001 programme (10,000,000 over 2019-2020, seven KPIs) with one opened
    call and an envelope, as the demo has it."""
    programme = seed_programme()
    call = CallFactory(
        programme=programme,
        programme_year=programme.years.get(year=2019),
        title_nl="ICON Gepersonaliseerde Geneeskunde 2019",
        title_en="ICON Personalised Medicine 2019",
    )
    EnvelopeFactory(
        call=call,
        name_nl="Algemeen",
        name_en="General",
        initial_amount=Decimal("4500000"),
        committed=Decimal("1200000"),
    )
    return programme


@pytest.fixture
def manager(db):
    return ProgrammeManagerFactory()


def request_kpi_report(manager, programme, *, year=None, language="nl"):
    return reports.report_request(
        actor=manager,
        kind=ReportKind.KPI,
        parameters={"programme": programme.pk, "year": year, "language": language},
    )


# --- Request and generation --------------------------------------------------------------


def test_report_request_queues_and_the_task_makes_the_pdf(
    programme, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = request_kpi_report(manager, programme)

    report.refresh_from_db()
    path = Path(settings.MEDIA_ROOT) / report.file.name
    assert len(callbacks) == 1
    assert (report.state, report.progress, report.attempts) == (ReportState.DONE, 100, 1)
    assert report.file.name == f"reports/report-{report.pk:06d}.pdf"
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert report.page_count >= 2
    assert report.started_at <= report.finished_at
    text = pdf_text(path)
    assert "€ 10.000.000" in text  # total programme budget, Dutch grouping
    assert "Minstens 1 programma-oproep per jaar" in text
    assert "Oplevering van een speerpuntclusterdossier" in text
    assert f"pagina 1 van {report.page_count}" in text  # the Dutch footer of the report
    assert pdf_info(path)["Tagged"] == "yes"


def test_report_in_english_uses_english_names_and_grouping(programme, manager):
    report = request_kpi_report(manager, programme, language="en")

    report = reports.report_generate(report_id=report.pk)

    text = pdf_text(Path(settings.MEDIA_ROOT) / report.file.name)
    assert "€ 10,000,000" in text
    assert "At least 1 programme call per year" in text
    assert "Minstens 1 programma-oproep" not in text


def test_report_for_one_year_prints_that_year_only(programme, manager):
    report = reports.report_generate(report_id=request_kpi_report(manager, programme, year=2020).pk)

    text = pdf_text(Path(settings.MEDIA_ROOT) / report.file.name)
    assert "€ 5.000.000" in text
    assert "€ 10.000.000" not in text


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"programme": 0}, "Choose a programme."),
        ({"year": 2031}, "2031 is not a year of this programme."),
        ({"language": "fr"}, "Reports are made in Dutch or English."),
    ],
)
def test_report_request_refuses_bad_parameters(programme, manager, parameters, message):
    with pytest.raises(ValidationError) as error, translation.override("en"):
        reports.report_request(
            actor=manager,
            kind=ReportKind.KPI,
            parameters={"programme": programme.pk, "language": "nl", **parameters},
        )

    assert error.value.messages == [message]
    assert GeneratedReport.objects.count() == 0


def test_report_request_in_process_failure_marks_the_report_failed(
    programme, manager, django_capture_on_commit_callbacks
):
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    (Path(settings.MEDIA_ROOT) / "reports").write_text("not a folder")

    with django_capture_on_commit_callbacks(execute=True):
        report = request_kpi_report(manager, programme)

    report.refresh_from_db()
    assert (report.state, report.attempts) == (ReportState.FAILED, 1)
    assert report.error_message.startswith(("FileExistsError", "NotADirectoryError"))


def test_report_request_refuses_a_kind_without_generator(programme, manager, monkeypatch):
    monkeypatch.delitem(reports.GENERATORS, ReportKind.CALL_EVALUATION)

    with pytest.raises(ValidationError) as error, translation.override("en"):
        reports.report_request(
            actor=manager, kind=ReportKind.CALL_EVALUATION, parameters={"programme": programme.pk}
        )

    assert error.value.messages == ["This kind of report cannot be made yet."]


# --- Exactly one file per request ---------------------------------------------------------


def test_report_generate_twice_leaves_one_file_and_one_attempt(programme, manager):
    report = request_kpi_report(manager, programme)

    first = reports.report_generate(report_id=report.pk)
    content = (Path(settings.MEDIA_ROOT) / first.file.name).read_bytes()
    again = reports.report_generate(report_id=report.pk)  # the task delivered a second time

    assert files_in_reports_dir() == [f"report-{report.pk:06d}.pdf"]
    assert (again.state, again.attempts, again.sha256) == (ReportState.DONE, 1, first.sha256)
    assert (Path(settings.MEDIA_ROOT) / again.file.name).read_bytes() == content


def test_redelivery_after_a_crash_between_file_and_row_leaves_one_file(programme, manager):
    report = request_kpi_report(manager, programme)
    # The first delivery got as far as putting its file in place, then the worker died
    # before the row was marked done.
    reports.report_claim(report_id=report.pk)
    crashed = reports.write_atomically(
        Path(settings.MEDIA_ROOT) / report_domain.report_file_name(report),
        b"%PDF-1.7 half",
        prefix=f".report-{report.pk:06d}-",
    )
    crashed.replace(Path(settings.MEDIA_ROOT) / report_domain.report_file_name(report))
    report.refresh_from_db()
    assert report.state == ReportState.RUNNING

    report = reports.report_generate(report_id=report.pk)  # the redelivered task

    path = Path(settings.MEDIA_ROOT) / report.file.name
    assert files_in_reports_dir() == [f"report-{report.pk:06d}.pdf"]
    assert (report.state, report.attempts) == (ReportState.DONE, 2)
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert path.read_bytes() != b"%PDF-1.7 half"


def test_redelivery_after_a_crash_mid_write_removes_the_partial_file(programme, manager):
    report = request_kpi_report(manager, programme)
    reports.report_claim(report_id=report.pk)
    reports.write_atomically(  # the worker died before the rename: a temporary file stays
        Path(settings.MEDIA_ROOT) / report_domain.report_file_name(report),
        b"%PDF-1.7 par",
        prefix=f".report-{report.pk:06d}-",
    )
    assert len(files_in_reports_dir()) == 1

    reports.report_generate(report_id=report.pk)

    assert files_in_reports_dir() == [f"report-{report.pk:06d}.pdf"]


def test_a_late_second_delivery_discards_its_own_file(programme, manager):
    report = request_kpi_report(manager, programme)
    reports.report_claim(report_id=report.pk)  # delivery A starts, stalls
    done = reports.report_generate(report_id=report.pk)  # delivery B finishes
    late = reports.write_atomically(
        Path(settings.MEDIA_ROOT) / report_domain.report_file_name(report),
        b"%PDF late",
        prefix=f".report-{report.pk:06d}-",
    )

    stored = reports.report_store(
        report_id=report.pk, temporary=late, sha256="x" * 64, page_count=1
    )  # delivery A wakes up

    assert stored.sha256 == done.sha256
    assert files_in_reports_dir() == [f"report-{report.pk:06d}.pdf"]


# --- Retries and failure ---------------------------------------------------------------


def test_task_retries_then_fails_with_the_reason(programme, manager, settings, monkeypatch):
    # In-process, celery re-applies a retry with the propagate setting: switch it off so
    # that the three retries run here one after the other, as a worker would run them.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    report = request_kpi_report(manager, programme)
    # The reports folder cannot be made: a file is in its way (a broken disk, say).
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    (Path(settings.MEDIA_ROOT) / "reports").write_text("not a folder")

    result = generate_report.apply(kwargs={"report_id": report.pk}, throw=False)

    report.refresh_from_db()
    assert (report.state, report.attempts) == (ReportState.FAILED, 4)  # 1 + 3 retries
    assert report.error_message.startswith(("FileExistsError", "NotADirectoryError"))
    assert report.file.name == ""
    assert result.state == "FAILURE"


def test_task_does_not_retry_when_the_programme_is_gone(manager, db):
    programme = seed_programme()
    report = request_kpi_report(manager, programme)
    programme.delete()

    with translation.override("en"):  # the reason is stored in the worker's language
        result = generate_report.apply(kwargs={"report_id": report.pk}, throw=False)

    report.refresh_from_db()
    assert (report.state, report.attempts) == (ReportState.FAILED, 1)
    assert report.error_message == "The programme of this report no longer exists."
    assert result.state == "FAILURE"


@pytest.mark.worker
def test_real_worker_on_redis_makes_the_report(celery_worker_on_redis, programme, manager):
    report = request_kpi_report(manager, programme)  # autocommit: queued on Redis at once

    # Wait (bounded) for the worker thread; the assertions below are about content.
    for _ in range(240):
        report.refresh_from_db()
        if report.state in (ReportState.DONE, ReportState.FAILED):
            break
        time.sleep(0.5)

    assert (report.state, report.error_message) == (ReportState.DONE, "")
    path = Path(settings.MEDIA_ROOT) / report.file.name
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    text = pdf_text(path)
    assert "€ 10.000.000" in text
    assert "Een strategische roadmap" in text
    assert "Minstens 15 unieke bedrijven per programma-oproep" in text
    assert files_in_reports_dir() == [f"report-{report.pk:06d}.pdf"]


# --- Pages ------------------------------------------------------------------------------


def test_report_list_shows_history_and_requests_a_report(
    client, programme, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("report_list"),
            {"programme": programme.pk, "year": "2019", "language": "en"},
        )
    page = client.get(reverse("report_list"))

    report = GeneratedReport.objects.get()
    assert response.status_code == 302
    assert report.parameters == {
        "programme": programme.pk,
        "year": 2019,
        "language": "en",
        "call": None,
    }
    assert report.requested_by == manager
    assert report.state == ReportState.DONE  # tasks run eagerly in tests
    html = page.content.decode()
    assert reverse("report_download", args=[report.pk]) in html
    assert report.sha256 in html


def test_report_list_keeps_the_input_when_the_year_is_not_the_programmes(
    client, programme, manager
):
    from tests.factories import ProgrammeYearFactory

    ProgrammeYearFactory(year=2031)  # a year of another programme, offered in the list
    client.force_login(manager)

    response = client.post(
        reverse("report_list"), {"programme": programme.pk, "year": "2031", "language": "en"}
    )

    assert response.status_code == 200
    assert GeneratedReport.objects.count() == 0
    assert response.context["form"].errors == {  # in the page's language, Dutch
        "year": ["2031 is geen jaar van dit programma."]
    }
    assert response.context["form"]["language"].value() == "en"


def test_report_list_without_request_permission_cannot_post(client, programme):
    client.force_login(ApplicantFactory())

    response = client.post(reverse("report_list"), {"programme": programme.pk, "language": "nl"})

    assert response.status_code == 403
    assert GeneratedReport.objects.count() == 0


def test_report_row_polls_while_pending_and_stops_when_done(client, programme, manager):
    client.force_login(manager)
    queued = GeneratedReportFactory(
        parameters={"programme": programme.pk, "language": "nl"},
        progress=40,
        progress_message="Computing the KPIs",
    )
    done = DoneReportFactory(parameters={"programme": programme.pk, "language": "nl"})

    pending_html = client.get(
        reverse("report_row", args=[queued.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    done_html = client.get(reverse("report_row", args=[done.pk])).content.decode()

    assert 'hx-trigger="every 1s"' in pending_html
    assert 'aria-valuenow="40"' in pending_html
    assert "Computing the KPIs" in pending_html
    assert "hx-trigger" not in done_html
    assert reverse("report_download", args=[done.pk]) in done_html


def test_report_row_of_a_failed_report_shows_the_reason(client, programme, manager):
    client.force_login(manager)
    failed = GeneratedReportFactory(
        parameters={"programme": programme.pk},
        state="failed",
        error_message="The programme of this report no longer exists.",
    )

    html = client.get(reverse("report_row", args=[failed.pk])).content.decode()

    assert "The programme of this report no longer exists." in html
    assert "hx-trigger" not in html


def test_report_list_query_count_is_the_same_for_1_and_many_reports(
    client, programme, manager, query_count
):
    client.force_login(manager)
    DoneReportFactory(parameters={"programme": programme.pk, "language": "nl"})

    one = query_count(client.get, reverse("report_list"))
    for _ in range(4):
        DoneReportFactory(
            parameters={"programme": programme.pk, "language": "nl"}, requested_by=SteeringFactory()
        )
    assert query_count(client.get, reverse("report_list")) == one


def test_report_download_streams_the_stored_pdf(client, programme, manager):
    client.force_login(manager)
    report = reports.report_generate(report_id=request_kpi_report(manager, programme).pk)

    response = client.get(reverse("report_download", args=[report.pk]))

    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="kpi-report-{programme.code}-all-nl.pdf"'
    )
    assert hashlib.sha256(body).hexdigest() == report.sha256


def test_report_download_of_an_unfinished_report_is_404(client, programme, manager):
    client.force_login(manager)
    queued = GeneratedReportFactory(parameters={"programme": programme.pk})

    assert client.get(reverse("report_download", args=[queued.pk])).status_code == 404


# --- Same figures on the page, in the PDF, the CSV and the XLSX ------------------------------


def test_page_pdf_csv_and_xlsx_print_the_same_kpi_figures(client, programme, manager):
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        context = kpi_report.kpi_report_context(programme, year=None, today=timezone.localdate())
    report = reports.report_generate(
        report_id=request_kpi_report(manager, programme, language="en").pk
    )

    page = client.get(reverse("kpi_overview", args=[programme.pk]))
    xlsx = client.get(reverse("kpi_export", args=[programme.pk, "xlsx"]))
    csv_response = client.get(reverse("kpi_export", args=[programme.pk, "csv"]))
    pdf = " ".join(pdf_text(Path(settings.MEDIA_ROOT) / report.file.name, mode="-raw").split())

    html = unescape(page.content.decode())
    workbook = load_workbook(io.BytesIO(xlsx.content))
    sheet_rows = list(workbook.worksheets[0].iter_rows(min_row=3, values_only=True))
    csv_rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))[1:]
    rows = context["table"].rows
    assert len(rows) == 7
    for row, sheet_row, csv_row in zip(rows, sheet_rows, csv_rows, strict=True):
        number, name, target, result, value, status, reason = row
        assert sheet_row == (
            number,
            name,
            target,
            result,
            None if value is None else float(value),
            status,
            reason,
        )
        assert csv_row == [
            str(number),
            name,
            target,
            result,
            "" if value is None else str(value),
            status,
            reason,
        ]
        for text in (name, target, result, status, reason):
            assert text in html
            assert " ".join(text.split()) in pdf, text  # pdftotext turns NBSP into spaces
    budget_sheet = workbook.worksheets[1]
    assert budget_sheet.cell(row=budget_sheet.max_row, column=5).value == 10_000_000
    assert "€\u00a010,000,000" in html
    assert "€ 10,000,000" in pdf


def test_kpi_overview_for_one_year(client, programme, manager):
    client.force_login(manager)

    response = client.get(reverse("kpi_overview", args=[programme.pk]), {"year": "2020"})

    assert response.context["year"] == 2020
    assert response.context["budget"].total == Decimal("5000000")
    assert 'role="img"' in response.content.decode()  # the inline SVG chart


def test_kpi_overview_query_count_is_the_same_for_1_and_many_calls(
    client, programme, manager, query_count
):
    client.force_login(manager)
    url = reverse("kpi_overview", args=[programme.pk])

    one = query_count(client.get, url)
    for year in (2019, 2020, 2020):
        EnvelopeFactory(
            call=CallFactory(programme=programme, programme_year=programme.years.get(year=year))
        )
    assert query_count(client.get, url) == one


def test_kpi_export_of_an_unknown_format_is_404(client, programme, manager):
    client.force_login(manager)

    assert client.get(reverse("kpi_export", args=[programme.pk, "pdf"])).status_code == 404


# --- In the browser ------------------------------------------------------------------------


@pytest.fixture
def live_programme(transactional_db):
    return seed_programme()


@pytest.mark.browser
def test_browser_report_row_follows_progress_until_the_download_link(
    page, live_server, live_programme
):
    from ..conftest import browser_login

    manager = ProgrammeManagerFactory()
    report = GeneratedReportFactory(
        requested_by=manager,
        parameters={"programme": live_programme.pk, "year": None, "language": "nl"},
        state=ReportState.RUNNING,
        progress=40,
        progress_message="Computing the KPIs",
    )
    browser_login(page, live_server, manager.email)
    page.goto(f"{live_server.url}/reports/")
    row = page.locator(f"#report-{report.pk}")
    assert row.get_by_role("progressbar").get_attribute("aria-valuenow") == "40"

    reports.report_generate(report_id=report.pk)  # the worker finishes meanwhile

    # htmx polls the row every second and swaps in the finished one (no page reload).
    download = page.locator(f'#report-{report.pk} a[href="/reports/{report.pk}/download/"]')
    download.wait_for()
    assert page.locator(f"#report-{report.pk}").get_attribute("hx-trigger") is None
    assert page.get_by_role("progressbar").count() == 0


@pytest.mark.browser
def test_browser_report_pages_fit_a_phone_and_label_every_field(
    browser, live_server, live_programme
):
    from ..conftest import browser_login

    manager = ProgrammeManagerFactory()
    DoneReportFactory(
        requested_by=manager, parameters={"programme": live_programme.pk, "language": "nl"}
    )
    context = browser.new_context(locale="nl-BE", viewport={"width": 375, "height": 740})
    page = context.new_page()
    browser_login(page, live_server, manager.email)
    for path in ["/reports/", f"/programmes/{live_programme.pk}/kpis/"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
                .map(el => el.name)"""
        )
        assert (path, overflow <= 0, unlabelled) == (path, True, [])
    context.close()
