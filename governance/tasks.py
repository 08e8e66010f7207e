"""Celery tasks of the governance app: keyword-only ids; the work is in decisions.py
(letters) and services.py (review reminders, run by beat: config/settings.py
CELERY_BEAT_SCHEDULE; safe to run twice at once, each reminder is recorded with a
unique constraint before the mail is queued)."""

from celery import Task, shared_task
from django.core.exceptions import ObjectDoesNotExist

from . import decisions, services


class LetterTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        decisions.letter_fail(letter_id=kwargs["letter_id"], error=exc)


@shared_task(
    base=LetterTask,
    bind=True,
    acks_late=True,  # a worker that dies mid-letter leaves the task to be redelivered
    autoretry_for=(Exception,),
    dont_autoretry_for=(ObjectDoesNotExist,),
    retry_backoff=10,
    retry_kwargs={"max_retries": 3},
)
def generate_letter(self, *, letter_id: int) -> str:
    """Make and e-mail one Letter (safe to deliver twice: see governance.decisions)."""
    letter = decisions.letter_generate(letter_id=letter_id)
    return letter.file.name


@shared_task
def send_review_reminders() -> int:
    """Queue the 3-day and 1-day review-deadline reminders that are due (every 15 min)."""
    return services.review_reminders_send_due()
