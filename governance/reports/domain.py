"""What a generated report is, apart from how it is made: the error that retrying cannot
fix, the progress callback, the file names, the reason shown for a failure. No writes."""

from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from programme.models import GeneratedReport

Progress = Callable[[int, str], None]

REPORTS_DIR = "reports"
LANGUAGES = ("nl", "en")
MAX_ERROR_LENGTH = 2000
SOURCE_ROWS_SHOWN = 100  # per KPI on the KPI page and in the KPI report


class ReportError(Exception):
    """A failure that retrying cannot fix; its message (translated) is shown to the user."""


# --- Names and times ---------------------------------------------------------------------


def report_file_name(report: GeneratedReport) -> str:
    """The storage name of the report's file: derived from the id alone, so every
    delivery of the task writes (and replaces) the same file."""
    return f"{REPORTS_DIR}/report-{report.pk:06d}.pdf"


def temporary_prefix(report_id: int) -> str:
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


def error_text(error: BaseException) -> str:
    """The reason shown to the user: our own messages as they are, others with their type."""
    if isinstance(error, ReportError):
        return str(error)
    return f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
