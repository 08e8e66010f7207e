"""Celery tasks of the decision side: keyword-only ids; the work is in services.py."""

from celery import Task, shared_task
from django.core.exceptions import ObjectDoesNotExist

from . import services


class LetterTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        services.letter_fail(letter_id=kwargs["letter_id"], error=exc)


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
    """Make and e-mail one Letter (safe to deliver twice: see services.letter_generate)."""
    letter = services.letter_generate(letter_id=letter_id)
    return letter.file.name
