"""Celery tasks of the projects app; each calls a service with keyword-only ids."""

from celery import shared_task

from . import services


@shared_task(
    acks_late=True, autoretry_for=(OSError,), retry_backoff=10, retry_kwargs={"max_retries": 3}
)
def render_snapshot_pdf(*, application_id: int) -> str:
    """Render the submitted version of an application to PDF (WeasyPrint)."""
    application = services.application_render_pdf(application_id=application_id)
    return application.snapshot_pdf.name
