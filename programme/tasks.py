"""Celery tasks of the programme app (e-mail, the outbox sweep). Tasks take keyword-only
arguments and call a function that does the work; they are queued through the outbox
(programme.services.outbox_enqueue) by services."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from . import services


@shared_task(
    autoretry_for=(OSError,), retry_backoff=30, retry_kwargs={"max_retries": 5}, acks_late=True
)
def send_email(
    *, to: list[str] | None = None, subject: str = "", body: str = "", outbox_id: int | None = None
) -> int:
    """Send one plain-text e-mail. With `outbox_id` (every e-mail queued since the
    outbox): the row holds the message and is marked delivered once SMTP accepted it; a
    refusal leaves it for the sweep. Without (a message queued before): sent as given, a
    refused SMTP connection retried with backoff."""
    if outbox_id is not None:
        return int(services.outbox_deliver_email(outbox_id=outbox_id))
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to or [])


@shared_task
def sweep_outbox() -> int:
    """Dispatch again the outbox rows not yet delivered (beat, every minute)."""
    return services.outbox_sweep()
