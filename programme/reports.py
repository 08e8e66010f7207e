"""Generated reports: the request, the generation by the Celery worker, the file, and the
KPI report's HTML, CSV and XLSX.

Owns every write of GeneratedReport. The lifecycle is queued → running → done | failed:
`report_request` saves a queued row and queues `programme.tasks.generate_report` on
commit; the worker calls `report_generate`, which is safe to run twice for the same
report (acks_late redelivers a task whose worker died):

1. claim: lock the row (select_for_update); a done report is left alone;
2. render the HTML and the PDF, outside any transaction, committing progress as it goes;
3. write the bytes to a temporary name in MEDIA_ROOT/reports/ and, with the row locked
   again, rename it atomically (os.replace) to the name derived from the report id and
   mark the row done with the checksum — or, if another delivery finished first, throw
   the temporary file away. Leftover temporary files of the report are removed.

So a request leaves exactly one file whatever the number of deliveries, and the stored
checksum is always the one of the file on disk.

Known limits: the atomic rename needs MEDIA_ROOT on a local file system (the default
FileSystemStorage); a worker that dies mid-render leaves the row "running" until the
redelivered task claims it (Redis redelivers after its visibility timeout, 1 hour by
default). Kinds of report plug in with `register_report_generator` (the KPI report
below; the call evaluation report in governance.evaluation_report), and optionally a
request form (`register_report_form`) and a download check (`register_report_access`).
"""

import csv
import hashlib
import io
import os
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import charts, kpis
from .models import GeneratedReport, Programme, ReportKind, ReportState, User
from .pdf import render_pdf
from .services import audited_save

REPORTS_DIR = "reports"
LANGUAGES = ("nl", "en")
BRUSSELS = ZoneInfo("Europe/Brussels")
MAX_ERROR_LENGTH = 2000
SOURCE_ROWS_SHOWN = 100  # per KPI on the KPI page and in the KPI report


class ReportError(Exception):
    """A failure that retrying cannot fix; its message (translated) is shown to the user."""


# --- Names and times ---------------------------------------------------------------------


def report_file_name(report: GeneratedReport) -> str:
    """The storage name of the report's file: derived from the id alone, so every
    delivery of the task writes (and replaces) the same file."""
    return f"{REPORTS_DIR}/report-{report.pk:06d}.pdf"


def _temporary_prefix(report_id: int) -> str:
    return f".report-{report_id:06d}-"


def reports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / REPORTS_DIR


def report_download_name(report: GeneratedReport, programme_code: str = "") -> str:
    """The file name the browser saves, e.g. kpi-report-gg-2019-2020-nl.pdf."""
    params = report.parameters
    parts = [report.kind.replace("_", "-"), "report", programme_code or "programme"]
    if params.get("call"):
        parts.append(f"call-{params['call']}")
    parts.append(str(params.get("year") or "all"))
    parts.append(params.get("language") or "nl")
    return "-".join(parts) + ".pdf"


def format_brussels(moment: datetime) -> str:
    """'22 november 2026 16:42 CET': local time in Europe/Brussels with the zone shown."""
    local = timezone.localtime(moment, BRUSSELS)
    return f"{date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


# --- Generators: kind → function(report, progress) -> HTML ----------------------------------

Progress = Callable[[int, str], None]
Generator = Callable[[GeneratedReport, Progress], str]
GENERATORS: dict[str, Generator] = {}


def register_report_generator(kind: str, generator: Generator) -> None:
    """Let another app make a kind of report (called from its AppConfig.ready())."""
    GENERATORS[kind] = generator


# Who may download a report beyond the view_reports permission: kind → function(user,
# reports) returning the ids of those reports the user may download (one query for a
# whole list). The call evaluation report keeps a person with a conflict of interest in
# the call from reading a report somebody else asked for.
AccessFilter = Callable[[User, list[GeneratedReport]], set[int]]
ACCESS: dict[str, AccessFilter] = {}
# The form that asks for a kind of report on the reports page: kind → form class whose
# cleaned_data["parameters"] are clean_parameters' result (KPI: programme.reports_forms).
REQUEST_FORMS: dict[str, type] = {}


def register_report_access(kind: str, access: AccessFilter) -> None:
    ACCESS[kind] = access


def register_report_form(kind: str, form_class: type) -> None:
    REQUEST_FORMS[kind] = form_class


def mark_downloadable(user: User, report_list: list[GeneratedReport]) -> list[GeneratedReport]:
    """Set `report.may_download` on each report (one query per kind with a check)."""
    allowed: set[int] = set()
    by_kind: dict[str, list[GeneratedReport]] = {}
    for report in report_list:
        by_kind.setdefault(report.kind, []).append(report)
    for kind, some in by_kind.items():
        access = ACCESS.get(kind)
        allowed |= {r.pk for r in some} if access is None else access(user, some)
    for report in report_list:
        report.may_download = report.pk in allowed
    return report_list


def may_download(user: User, report: GeneratedReport) -> bool:
    return mark_downloadable(user, [report])[0].may_download


def clean_parameters(*, kind: str, parameters: dict) -> dict:
    """The parameters of a request, checked and normalised; raises ValidationError with
    a message the form can show."""
    if kind not in ReportKind.values:
        raise ValidationError(_("Unknown kind of report."))
    if kind not in GENERATORS:
        raise ValidationError(_("This kind of report cannot be made yet."))
    programme = Programme.objects.filter(pk=parameters.get("programme")).first()
    if programme is None:
        raise ValidationError(_("Choose a programme."))
    year = parameters.get("year") or None
    if year is not None:
        year = int(year)
        if not programme.years.filter(year=year).exists():
            raise ValidationError(
                _("%(year)s is not a year of this programme.") % {"year": year}
            )
    language = parameters.get("language") or "nl"
    if language not in LANGUAGES:
        raise ValidationError(_("Reports are made in Dutch or English."))
    call = parameters.get("call") or None
    if kind == ReportKind.CALL_EVALUATION:
        call_model = apps.get_model("calls", "Call")
        found = call_model.objects.filter(pk=call, programme=programme).first()
        if found is None:
            raise ValidationError(_("Choose a call of this programme."))
        call, year = found.pk, found.programme_year.year
    return {
        "programme": programme.pk,
        "year": year,
        "language": language,
        "call": call,
    }


# --- Services ----------------------------------------------------------------------------


@transaction.atomic
def report_request(*, actor: User, kind: str, parameters: dict) -> GeneratedReport:
    """Ask for a report.

    Side effects, in order: checks the parameters (ValidationError), saves a queued
    GeneratedReport with an audit row, and once the transaction commits queues the
    Celery task that makes it (_queue_generation).
    """
    report = GeneratedReport(
        kind=kind,
        parameters=clean_parameters(kind=kind, parameters=parameters),
        requested_by=actor,
        progress_message=_("Waiting for a worker"),
    )
    audited_save(report, actor=actor, reason="report requested")
    transaction.on_commit(lambda: _queue_generation(report.pk))
    return report


def _queue_generation(report_id: int) -> None:
    """Queue the task; if that fails the report fails with the reason instead of staying
    queued for ever: the broker is unreachable, or (tasks run in-process, the embedded
    default without Redis) the one attempt failed — in-process runs are not retried."""
    from celery.exceptions import Retry

    from .tasks import generate_report

    try:
        generate_report.delay(report_id=report_id)
    except Exception as exc:  # noqa: BLE001 - any failure is shown on the report's row
        report_fail(report_id=report_id, error=exc.exc if isinstance(exc, Retry) else exc)


def _set_progress(report_id: int, percent: int, message: str) -> None:
    """Commit progress at once (no audit row: it is not a change of the record)."""
    GeneratedReport.objects.filter(pk=report_id, state=ReportState.RUNNING).update(
        progress=percent, progress_message=str(message)[:200]
    )


@transaction.atomic
def report_claim(*, report_id: int) -> GeneratedReport | None:
    """Start an attempt: lock the row and mark it running. Returns None when the report
    is already done (a redelivered task has nothing left to do)."""
    report = GeneratedReport.objects.select_for_update().get(pk=report_id)
    if report.state == ReportState.DONE:
        return None
    report.state = ReportState.RUNNING
    report.attempts += 1
    report.started_at = timezone.now()
    report.finished_at = None
    report.error_message = ""
    report.progress = 5
    report.progress_message = _("Started")
    audited_save(report, actor=None, reason=f"attempt {report.attempts}")
    return report


def write_atomically(path: Path, content: bytes, *, prefix: str) -> Path:
    """Write `content` to a new temporary file beside `path` and return that file;
    the caller renames it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f"{prefix}{uuid.uuid4().hex}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    return temporary


@transaction.atomic
def report_store(
    *, report_id: int, temporary: Path, sha256: str, page_count: int
) -> GeneratedReport:
    """Finish an attempt: with the row locked, move the file into place and mark the
    report done; if another delivery already did, discard this attempt's file."""
    report = GeneratedReport.objects.select_for_update().get(pk=report_id)
    if report.state == ReportState.DONE:
        temporary.unlink(missing_ok=True)
        return report
    name = report_file_name(report)
    os.replace(temporary, Path(settings.MEDIA_ROOT) / name)
    for leftover in reports_dir().glob(_temporary_prefix(report_id) + "*"):
        leftover.unlink(missing_ok=True)  # files of attempts that died before this point
    report.file.name = name
    report.sha256 = sha256
    report.page_count = page_count
    report.state = ReportState.DONE
    report.progress = 100
    report.progress_message = _("Ready")
    report.finished_at = timezone.now()
    audited_save(report, actor=None, reason="report made")
    return report


def report_generate(*, report_id: int) -> GeneratedReport:
    """Make the report's file (the Celery task calls this; safe to call again).

    Side effects, in order: claims the row (state running, attempts + 1; a done report
    is returned untouched); commits progress while it renders the HTML and the PDF;
    writes a temporary file; renames it to the report's file name and stores checksum
    and page count with state done (report_store). Not one transaction on purpose: the
    progress must be visible to the page while the worker runs.
    Raises ReportError (not retried) when the report cannot be made at all.
    """
    report = report_claim(report_id=report_id)
    if report is None:
        return GeneratedReport.objects.get(pk=report_id)
    generator = GENERATORS.get(report.kind)
    if generator is None:
        raise ReportError(_("This kind of report cannot be made yet."))
    html = generator(report, lambda percent, message: _set_progress(report_id, percent, message))
    _set_progress(report_id, 60, _("Laying out the PDF"))
    pdf = render_pdf(html, base_url=str(settings.BASE_DIR))
    _set_progress(report_id, 90, _("Saving the file"))
    temporary = write_atomically(
        Path(settings.MEDIA_ROOT) / report_file_name(report),
        pdf.content,
        prefix=_temporary_prefix(report_id),
    )
    return report_store(
        report_id=report_id,
        temporary=temporary,
        sha256=hashlib.sha256(pdf.content).hexdigest(),
        page_count=pdf.page_count,
    )


def error_text(error: BaseException) -> str:
    """The reason shown to the user: our own messages as they are, others with their type."""
    if isinstance(error, ReportError):
        return str(error)
    return f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]


@transaction.atomic
def report_retry_scheduled(*, report_id: int, error: BaseException, countdown: float) -> None:
    """An attempt failed and the task will run again: say so on the row (state queued)."""
    report = GeneratedReport.objects.select_for_update().get(pk=report_id)
    if report.state == ReportState.DONE:
        return
    report.state = ReportState.QUEUED
    report.progress = 0
    report.progress_message = (
        _("Attempt %(attempt)s failed; trying again in %(seconds)s s")
        % {"attempt": report.attempts, "seconds": int(countdown)}
    )[:200]
    report.error_message = error_text(error)
    audited_save(report, actor=None, reason=f"attempt {report.attempts} failed")


@transaction.atomic
def report_fail(*, report_id: int, error: BaseException) -> None:
    """The last attempt failed: state failed, with the reason the page shows."""
    report = GeneratedReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None or report.state == ReportState.DONE:
        return
    report.state = ReportState.FAILED
    report.progress_message = _("Failed")
    report.error_message = error_text(error)
    report.finished_at = timezone.now()
    audited_save(report, actor=None, reason="report failed")


# --- The KPI report ------------------------------------------------------------------------


def budget_chart(budget: kpis.BudgetExecution):
    """Bar chart of the budget execution: project budget, envelopes, committed per year."""
    return charts.bar_chart(
        title=_("Budget execution per year"),
        description=_(
            "Project budget, amount in the calls' envelopes and committed amount per "
            "programme year, in euro; the figures are in the table."
        ),
        categories=[str(y.year) for y in budget.years],
        series=[
            charts.Series(_("Project budget"), [y.project_budget for y in budget.years]),
            charts.Series(_("In envelopes"), [y.envelope_amount for y in budget.years]),
            charts.Series(_("Committed"), [y.committed for y in budget.years]),
        ],
        value_format=kpis.fmt_money,
    )


def _count_format(value) -> str:
    """A count on an axis: whole numbers as such, a quarter tick (top 1 → 0.25) with
    its decimals rather than rounded to a misleading 0 or 1."""
    decimals = max(0, -value.normalize().as_tuple().exponent)
    return kpis.fmt_number(value, decimals)


def trend_charts(trend: kpis.KpiTrend) -> list[tuple[kpis.TrendMeasure, str]]:
    """One small bar chart per measure of the trend (their units differ: counts and
    percentages of very different sizes), each with its target as a dashed line."""
    charts_ = []
    for measure in trend.measures:
        value_format = kpis.fmt_percent if measure.unit == "percent" else _count_format
        charts_.append((measure, charts.bar_chart(
            title=_("KPI %(number)s: %(measure)s per year")
            % {"number": measure.kpi_number, "measure": measure.label},
            description=_(
                "%(measure)s per programme year against the target %(target)s; years "
                "without a figure yet have no bar. The figures are in the table."
            ) % {"measure": measure.label, "target": measure.target_display},
            categories=[str(year) for year in trend.years],
            series=[charts.Series(measure.label, [c.value for c in measure.cells])],
            value_format=value_format,
            width=360,
            height=200,
            target=measure.target,
            target_label=_("Target"),
        )))
    return charts_


def kpi_report_context(
    programme: Programme, *, year: int | None, today=None
) -> dict:
    """Everything the KPI page and the KPI report PDF print (active language). The trend
    per year is for the whole programme only (a one-year report has one year)."""
    # The funded partners once for both the KPIs and the trend (the expensive read).
    participations = kpis.funded_participations(programme, year)
    results = kpis.programme_kpis(
        programme, year=year, today=today, participations=participations
    )
    table = kpis.kpi_table(results)
    budget = kpis.budget_execution(programme, year=year)
    trend = (
        kpis.kpi_trend(programme, today=today, participations=participations)
        if year is None else None
    )
    return {
        "trend": trend,
        "trend_charts": trend_charts(trend) if trend and trend.measures else [],
        "programme": programme,
        "year": year,
        "results": results,
        "table": table,
        "table_rows": list(zip(table.rows, (r.status for r in results), strict=True)),
        "budget": budget,
        "chart": budget_chart(budget),
        # A KPI's source rows grow with the funded projects (thousands in a large
        # programme): the page and the PDF print the first ones, the XLSX all of them.
        "source_rows_limit": SOURCE_ROWS_SHOWN,
        "source_rows_slice": f":{SOURCE_ROWS_SHOWN}",
    }


def kpi_report_html(
    *, programme: Programme, year: int | None, language: str, generated_at: datetime,
    progress: Progress | None = None,
) -> str:
    """The HTML of the KPI report, in `language` (the PDF is made from it)."""
    progress = progress or (lambda percent, message: None)
    with translation.override(language):
        progress(15, _("Computing the KPIs"))
        context = kpi_report_context(
            programme, year=year, today=timezone.localdate(generated_at, BRUSSELS)
        )
        progress(40, _("Writing the report"))
        context.update(
            {
                "language": language,
                "generated_at": format_brussels(generated_at),
                "document_title": _("KPI report"),
            }
        )
        return render_to_string("programme/reports/kpi_report.html", context)


def _kpi_generator(report: GeneratedReport, progress: Progress) -> str:
    params = report.parameters
    programme = Programme.objects.filter(pk=params.get("programme")).first()
    if programme is None:
        raise ReportError(_("The programme of this report no longer exists."))
    return kpi_report_html(
        programme=programme,
        year=params.get("year"),
        language=params.get("language") or "nl",
        generated_at=timezone.now(),
        progress=progress,
    )


register_report_generator(ReportKind.KPI, _kpi_generator)


def rows_csv(header, rows) -> str:
    """A table as CSV (RFC 4180, comma-separated; values unformatted, None empty): the
    KPI export and the evaluation exports."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def kpi_csv(table: kpis.KpiTable) -> str:
    """The KPI table as CSV."""
    return rows_csv([c.label for c in table.columns], table.rows)


def kpi_xlsx(
    *, table: kpis.KpiTable, results: list[kpis.KpiResult], budget: kpis.BudgetExecution,
    title: str, trend: kpis.KpiTrend | None = None,
) -> bytes:
    """The KPI table, the budget execution, the trend per year (whole programme) and
    every KPI's source rows as a workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    money = '"€" #,##0.00'
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("KPIs")[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([c.label for c in table.columns])
    for cell in sheet[2]:
        cell.font = bold
    for row in table.rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A3"
    for letter, width in zip("ABCDEFG", (6, 60, 28, 36, 10, 12, 50), strict=True):
        sheet.column_dimensions[letter].width = width

    sheet = workbook.create_sheet(_("Budget")[:31])
    header = [_("Year"), _("Budget line"), _("Call"), _("Envelope"), _("Amount"),
              _("Reserved"), _("Committed"), _("Available")]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = bold
    for year in budget.years:
        for label, amount in year.lines:
            sheet.append([year.year, label, None, None, amount])
        for e in year.envelopes:
            sheet.append([year.year, None, e.call, e.name, e.amount, e.reserved, e.committed,
                          e.available])
    sheet.append([_("Total programme budget"), None, None, None, budget.total])
    sheet.cell(row=sheet.max_row, column=1).font = bold
    for row in sheet.iter_rows(min_row=2, min_col=5, max_col=8):
        for cell in row:
            cell.number_format = money
    for letter, width in zip("ABCDEFGH", (8, 44, 40, 30, 16, 16, 16, 16), strict=True):
        sheet.column_dimensions[letter].width = width

    if trend is not None and trend.measures:
        sheet = workbook.create_sheet(_("Trend per year")[:31])
        sheet.append([_("Year"), *(f"{m.label} (KPI {m.kpi_number})" for m in trend.measures)])
        for cell in sheet[1]:
            cell.font = bold
        for year, cells in trend.rows:
            sheet.append([year, *(c.value for c in cells)])
        sheet.append([_("Target"), *(m.target for m in trend.measures)])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.column_dimensions["A"].width = 10
        for index in range(len(trend.measures)):
            sheet.column_dimensions[chr(ord("B") + index)].width = 26

    sheet = workbook.create_sheet(_("Sources")[:31])
    for result in results:
        sheet.append([f"KPI {result.number}: {result.name}"])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        if not result.rows:
            sheet.append([result.reason])
        else:
            sheet.append([c.label for c in result.columns])
            for row in result.rows:
                sheet.append([_xlsx_value(v) for v in row])
        sheet.append([])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value):
    """Excel has no time zones: aware datetimes are written in Brussels time."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value, BRUSSELS).replace(tzinfo=None)
    return value
