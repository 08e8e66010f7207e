"""Celery tasks of the calls app, run by beat (config/settings.py CELERY_BEAT_SCHEDULE).
Both are safe to run twice at once: closing locks the call row, reminders are recorded
with a unique constraint before the mail is queued."""

from celery import shared_task

from . import services


@shared_task
def close_calls_at_deadline() -> list[int]:
    """Close the open calls whose deadline has passed (every minute)."""
    return services.calls_close_at_deadline()


@shared_task
def send_deadline_reminders() -> int:
    """Queue the 7-day and 1-day deadline reminders that are due (every 15 minutes)."""
    return services.reminders_send_due()
