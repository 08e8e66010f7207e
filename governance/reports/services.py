"""Generated reports: the request, the generation by the Celery worker, the file, and the
KPI report's HTML, CSV and XLSX.

Owns every write of GeneratedReport. The lifecycle is queued → running → done | failed
(every move in enums.REPORT_TRANSITIONS):
`report_request` saves a queued row and queues `governance.reports.tasks.generate_report` on
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
FileSystemStorage). A worker that dies mid-render leaves the row "running" with a
lease (REPORT_LEASE, renewed at each progress step); once it expires the beat task
`recover_stuck_reports` queues the report again (report_recover, said on the row), and
the late redelivery of the first message by Redis (visibility timeout, 5 minutes) finds
the report done and leaves it alone (or, still rendering, renders too: one file stays).
The kinds of report are listed once, below: the KPI report (kpi_report.py) and the call
evaluation report (evaluation.py), each with its generator and, where needed,
a download check.
"""

import hashlib
import os
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Call
from programme.models import GeneratedReport, Programme, ReportKind, ReportState, User
from programme.pdf import render_pdf
from programme.services import audited_save, outbox_dispatch, outbox_enqueue

from . import evaluation, kpi_report
from .domain import (
    LANGUAGES,
    Progress,
    ReportError,
    error_text,
    report_file_name,
    reports_dir,
    temporary_prefix,
)
from .enums import REPORT_TRANSITIONS

# --- The kinds of report ----------------------------------------------------------------

Generator = Callable[[GeneratedReport, Progress], str]
GENERATORS: dict[str, Generator] = {
    ReportKind.KPI: kpi_report.generator,
    ReportKind.CALL_EVALUATION: evaluation.generator,
}
# Who may download a report beyond the view_reports permission: kind → function(user,
# reports) returning the ids of those reports the user may download (one query for a
# whole list). The call evaluation and KPI reports keep a person with a conflict of
# interest in the call (programme) from reading a report somebody else asked for.
AccessFilter = Callable[[User, list[GeneratedReport]], set[int]]
ACCESS: dict[str, AccessFilter] = {
    ReportKind.CALL_EVALUATION: evaluation.downloadable,
    ReportKind.KPI: kpi_report.downloadable,  # its source rows name the funded projects
}


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
            raise ValidationError(_("%(year)s is not a year of this programme.") % {"year": year})
    language = parameters.get("language") or "nl"
    if language not in LANGUAGES:
        raise ValidationError(_("Reports are made in Dutch or English."))
    call = parameters.get("call") or None
    if kind == ReportKind.CALL_EVALUATION:
        found = Call.objects.filter(pk=call, programme=programme).first()
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
    from .tasks import generate_report

    row = outbox_enqueue(task=generate_report, kwargs={"report_id": report.pk}, dispatch=False)
    transaction.on_commit(lambda: _queue_generation(report.pk, row.pk))
    return report


def _queue_generation(report_id: int, outbox_id: int) -> None:
    """Hand the task to the broker through the outbox. A broker that cannot be reached
    leaves the report queued, saying so on its row, and the outbox sweep queues it when
    the broker is back. Tasks run in-process (the embedded default without Redis): the
    failure of the one attempt fails the report with its reason (not retried)."""
    from celery.exceptions import Retry

    try:
        dispatched = outbox_dispatch(outbox_id=outbox_id)
    except Exception as exc:  # noqa: BLE001 - any failure is shown on the report's row
        report_fail(report_id=report_id, error=exc.exc if isinstance(exc, Retry) else exc)
        return
    if not dispatched:
        GeneratedReport.objects.filter(pk=report_id, state=ReportState.QUEUED).update(
            progress_message=str(
                _("The task queue cannot be reached; the report will be made when it is back.")
            )[:200]
        )


# How long an attempt holds a running report without a sign of life (a progress step).
# Longer than the longest step (laying out the 300-application evaluation report: 57 s
# in `make bench`); with the sweep every minute a dead worker's report starts again
# within 4 minutes.
REPORT_LEASE = timedelta(minutes=3)


def _set_progress(report_id: int, percent: int, message: str) -> None:
    """Commit progress at once and renew the lease (no audit row: it is not a change of
    the record)."""
    GeneratedReport.objects.filter(pk=report_id, state=ReportState.RUNNING).update(
        progress=percent,
        progress_message=str(message)[:200],
        lease_until=timezone.now() + REPORT_LEASE,
    )


def _may_move(report: GeneratedReport, to: str, service: str) -> bool:
    """Does enums.REPORT_TRANSITIONS let `service` move `report` to `to`? (Not when it
    is done: a redelivered task then leaves it alone.)"""
    return REPORT_TRANSITIONS.find(report.state, to, service=service) is not None


@transaction.atomic
def report_claim(*, report_id: int) -> GeneratedReport | None:
    """Start an attempt: lock the row, mark it running and take the lease. Returns None
    when the report is already done (a redelivered task has nothing left to do). A
    report running under another attempt is claimed too: at worst two attempts render,
    and report_store keeps exactly one file."""
    report = GeneratedReport.objects.select_for_update().get(pk=report_id)
    if not _may_move(report, ReportState.RUNNING, "report_claim"):
        return None
    now = timezone.now()
    report.state = ReportState.RUNNING
    report.attempts += 1
    report.lease_until = now + REPORT_LEASE
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
    if not _may_move(report, ReportState.DONE, "report_store"):
        temporary.unlink(missing_ok=True)
        return report
    name = report_file_name(report)
    os.replace(temporary, Path(settings.MEDIA_ROOT) / name)
    for leftover in reports_dir().glob(temporary_prefix(report_id) + "*"):
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
        prefix=temporary_prefix(report_id),
    )
    return report_store(
        report_id=report_id,
        temporary=temporary,
        sha256=hashlib.sha256(pdf.content).hexdigest(),
        page_count=pdf.page_count,
    )


@transaction.atomic
def report_retry_scheduled(*, report_id: int, error: BaseException, countdown: float) -> None:
    """An attempt failed and the task will run again: say so on the row (state queued)."""
    report = GeneratedReport.objects.select_for_update().get(pk=report_id)
    if not _may_move(report, ReportState.QUEUED, "report_retry_scheduled"):
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
def report_recover(*, now=None) -> list[int]:
    """Queue again the running reports whose lease expired: their worker died.

    Side effects, in order, per report: state queued, saying on the row that the
    worker stopped and the report starts again (audited); the task through the outbox
    on commit. Returns the ids."""
    from .tasks import generate_report

    now = now or timezone.now()
    stuck = GeneratedReport.objects.select_for_update(skip_locked=True).filter(
        state=ReportState.RUNNING, lease_until__lt=now
    )
    recovered = []
    for report in stuck:
        if not _may_move(report, ReportState.QUEUED, "report_recover"):
            continue
        report.state = ReportState.QUEUED
        report.progress = 0
        report.progress_message = (
            _("The worker of attempt %(attempt)s stopped; the report is made again.")
            % {"attempt": report.attempts}
        )[:200]
        report.error_message = _("Worker lost (no sign of life for %(minutes)s minutes).") % {
            "minutes": int(REPORT_LEASE.total_seconds() // 60)
        }
        report.lease_until = None
        audited_save(report, actor=None, reason=f"attempt {report.attempts} lost its worker")
        outbox_enqueue(task=generate_report, kwargs={"report_id": report.pk})
        recovered.append(report.pk)
    return recovered


@transaction.atomic
def report_fail(*, report_id: int, error: BaseException) -> None:
    """The last attempt failed: state failed, with the reason the page shows."""
    report = GeneratedReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None or not _may_move(report, ReportState.FAILED, "report_fail"):
        return
    report.state = ReportState.FAILED
    report.progress_message = _("Failed")
    report.error_message = error_text(error)
    report.finished_at = timezone.now()
    audited_save(report, actor=None, reason="report failed")
