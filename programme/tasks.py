"""Celery tasks of the programme app. Tasks take keyword-only arguments and call a
function that does the work; they are queued with transaction.on_commit by services."""

from celery import Task, shared_task
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import send_mail

from . import reports


@shared_task(
    autoretry_for=(OSError,), retry_backoff=30, retry_kwargs={"max_retries": 5}, acks_late=True
)
def send_email(*, to: list[str], subject: str, body: str) -> int:
    """Send one plain-text e-mail; a refused SMTP connection is retried with backoff."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


class ReportTask(Task):
    """Marks the report failed, with its reason, once the last attempt has failed, and
    notes each failed attempt that will be retried."""

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        # exc is the attempt's error; einfo holds celery's Retry, whose `when` is the delay.
        when = getattr(einfo.exception, "when", None)
        reports.report_retry_scheduled(
            report_id=kwargs["report_id"],
            error=exc,
            countdown=when if isinstance(when, int | float) else 0,
        )

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        reports.report_fail(report_id=kwargs["report_id"], error=exc)


@shared_task(
    base=ReportTask,
    bind=True,
    acks_late=True,  # a worker that dies mid-report leaves the task to be redelivered
    autoretry_for=(Exception,),
    dont_autoretry_for=(ObjectDoesNotExist, reports.ReportError),  # retrying cannot help
    retry_backoff=10,  # 10 s, 20 s, 40 s (with jitter)
    retry_kwargs={"max_retries": 3},
)
def generate_report(self, *, report_id: int) -> str:
    """Make the file of one GeneratedReport (safe to deliver twice: see programme.reports)."""
    return reports.report_generate(report_id=report_id).state
