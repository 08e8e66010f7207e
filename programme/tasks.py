"""Celery tasks of the programme app (e-mail). Tasks take keyword-only arguments and call a
function that does the work; they are queued with transaction.on_commit by services."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail


@shared_task(
    autoretry_for=(OSError,), retry_backoff=30, retry_kwargs={"max_retries": 5}, acks_late=True
)
def send_email(*, to: list[str], subject: str, body: str) -> int:
    """Send one plain-text e-mail; a refused SMTP connection is retried with backoff."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
