"""Celery tasks of funded projects: keyword-only ids; the work is in services.py."""

from celery import Task, shared_task
from django.core.exceptions import ObjectDoesNotExist

from . import services


class AgreementTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        services.agreement_fail(agreement_id=kwargs["agreement_id"], error=exc)


@shared_task(
    base=AgreementTask,
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(ObjectDoesNotExist,),
    retry_backoff=10,
    retry_kwargs={"max_retries": 3},
)
def generate_agreement(self, *, agreement_id: int) -> str:
    """Make the PDF of one support agreement version (safe to deliver twice)."""
    return services.agreement_generate(agreement_id=agreement_id).file.name


@shared_task
def open_funded_projects() -> int:
    """Daily: every funded decision whose month to decline passed becomes a project."""
    return services.projects_open_due()
