"""Celery task of the reports: makes one GeneratedReport (services.report_generate);
queued with transaction.on_commit by services.report_request."""

from celery import Task, shared_task
from django.core.exceptions import ObjectDoesNotExist

from . import services as reports


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
    """Make the file of one GeneratedReport (safe to deliver twice: see
    services.report_generate)."""
    return reports.report_generate(report_id=report_id).state


@shared_task
def recover_stuck_reports() -> list[int]:
    """Queue again the reports whose worker died (lease expired); beat, every minute."""
    return reports.report_recover()
