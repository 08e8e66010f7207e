"""The decision side of the evaluation: the advisory council's advice, the steering
group's funding decision and the letters (decision letter, Evaluation Summary Report).
Every write goes through decisions/services.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models import MONEY

from .enums import AdviceOutcome, DecidingLevel, DecisionOutcome, LetterKind


class Advice(models.Model):
    """The strategic advisory council's advice on one application, at a meeting."""

    application = models.OneToOneField(
        "projects.Application", on_delete=models.CASCADE, related_name="advice"
    )
    meeting = models.ForeignKey(
        "governance.Meeting", on_delete=models.PROTECT, related_name="advice"
    )
    outcome = models.CharField(_("advice"), max_length=10, choices=AdviceOutcome.choices)
    motivation = models.TextField(_("motivation"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("advice")
        verbose_name_plural = _("advice")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.application}"


class FundingDecision(models.Model):
    """The steering group's decision on one application. A funding decision commits the
    aid on an envelope through calls.services.envelope_commit (ledger_entry); a decline
    by the applicant within one month releases it (release_entry)."""

    application = models.OneToOneField(
        "projects.Application", on_delete=models.PROTECT, related_name="decision"
    )
    meeting = models.ForeignKey(
        "governance.Meeting", on_delete=models.PROTECT, related_name="decisions"
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=DecisionOutcome.choices)
    amount = models.DecimalField(_("aid granted (€)"), null=True, blank=True, **MONEY)
    envelope = models.ForeignKey(
        "calls.Envelope", null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    deciding_level = models.CharField(
        _("deciding level"), max_length=30, choices=DecidingLevel.choices, blank=True
    )
    decided_by = models.CharField(
        _("decided by"),
        max_length=200,
        blank=True,
        help_text=_("Name and function of who took the decision."),
    )
    motivation = models.TextField(_("motivation"), blank=True)
    ledger_entry = models.OneToOneField(
        "calls.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    release_entry = models.OneToOneField(
        "calls.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding decision")
        verbose_name_plural = _("funding decisions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="fund")
                | Q(amount__gt=0, envelope__isnull=False, ledger_entry__isnull=False),
                name="decision_fund_commits_an_amount",
            ),
            models.CheckConstraint(
                condition=Q(outcome="fund") | Q(amount__isnull=True),
                name="decision_amount_only_when_funded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.application}"


def letter_path(instance: "Letter", filename: str) -> str:
    return f"letters/{instance.application_id}/{filename}"


class Letter(models.Model):
    """A generated PDF sent to the consortium: the decision letter or the Evaluation
    Summary Report, in the applicant's language, made by a Celery worker."""

    application = models.ForeignKey(
        "projects.Application", on_delete=models.CASCADE, related_name="letters"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LetterKind.choices)
    language = models.CharField(_("language"), max_length=2, default="nl")
    file = models.FileField(_("file"), upload_to=letter_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "kind"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="letter_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.application}"
