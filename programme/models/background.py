"""The rows of the background work: the reports the Celery worker makes (GeneratedReport)
and the outbox of follow-up e-mails and tasks (Outbox). Re-exported by programme.models."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _, pgettext_lazy
from simple_history.models import HistoricalRecords

# --- Generated reports (KPI and evaluation reports made by the Celery worker) ---------------
# The choices live beside the model rather than in enums.py so that this section can be
# appended without touching the rest of the app; governance.reports.services owns every write.


class ReportKind(models.TextChoices):
    KPI = "kpi", pgettext_lazy("report kind", "KPI report")
    CALL_EVALUATION = "call_evaluation", pgettext_lazy("report kind", "Call evaluation report")


class ReportState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("report state", "Queued")
    RUNNING = "running", pgettext_lazy("report state", "Running")
    DONE = "done", pgettext_lazy("report state", "Done")
    FAILED = "failed", pgettext_lazy("report state", "Failed")


class GeneratedReport(models.Model):
    """One requested report and, once made, its file.

    `parameters` holds what the requester chose: {"programme": id, "year": int or null,
    "language": "nl"/"en", "call": id or null}. The file lives under MEDIA_ROOT/reports/
    with a name derived from the id (governance.reports.domain.report_file_name), so a task that
    is delivered twice still leaves exactly one file; it is only served by the
    permission-checked download view.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    parameters = models.JSONField(_("parameters"), default=dict)
    requested_by = models.ForeignKey(
        "programme.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    progress_message = models.CharField(_("progress message"), max_length=200, blank=True)
    file = models.FileField(_("file"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error_message = models.TextField(_("reason of the failure"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("task attempts"), default=0)
    # Until when the running attempt holds the report; renewed with each progress step.
    # A running report whose lease expired lost its worker and is queued again.
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="generated_report_progress_lte_100"
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | (~Q(file="") & ~Q(sha256="")),
                name="generated_report_done_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_pending(self) -> bool:
        """Queued or running: the page keeps polling its row."""
        return self.state in (ReportState.QUEUED, ReportState.RUNNING)


class OutboxKind(models.TextChoices):
    EMAIL = "email", pgettext_lazy("outbox kind", "E-mail")
    TASK = "task", pgettext_lazy("outbox kind", "Task")


class Outbox(models.Model):
    """Follow-up work of a state change (an e-mail, a PDF to render, a letter or report
    to make), written in the same transaction as the change, so that it is never lost
    when the broker or the mail server is down (programme.services.outbox_enqueue).

    `payload` is {"task": dotted task name, "kwargs": {...}}. A task row is delivered
    once the broker accepted the message (the broker keeps it, acks_late redelivers it
    when a worker dies, and the row of the report/letter/PDF tracks the rest); an e-mail
    row once the SMTP server accepted the mail. The beat task `sweep_outbox`
    dispatches again what is not delivered (`dispatched_at` older than the backoff).
    """

    kind = models.CharField(_("kind"), max_length=10, choices=OutboxKind.choices)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("last dispatched at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["dispatched_at"],
                condition=Q(delivered_at__isnull=True),
                name="outbox_undelivered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}: {self.payload.get('task', '')}"
