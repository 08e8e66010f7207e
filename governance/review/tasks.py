"""Celery tasks of the review side, run by beat (config/settings.py CELERY_BEAT_SCHEDULE);
safe to run twice at once: each reminder is recorded with a unique constraint before the
mail is queued."""

from celery import shared_task

from . import services


@shared_task
def send_review_reminders() -> int:
    """Queue the 3-day and 1-day review-deadline reminders that are due (every 15 min)."""
    return services.review_reminders_send_due()
