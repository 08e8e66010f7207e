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

from .enums import (
    AdviceOutcome,
    DecidingLevel,
    DecisionOutcome,
    LetterKind,
    ProposalState,
    VoteChoice,
)


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
    proposal = models.ForeignKey(
        "governance.DecisionProposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("decision proposal"),
    )
    funded_from_reserve_at = models.DateTimeField(
        _("funded from the reserve list at"), null=True, blank=True
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


class DecisionProposal(models.Model):
    """What staff propose to the steering group for one call, built from the ranking:
    the funded set (amounts and envelopes), the reserve list in rank order and the
    rejections. The steering group's voting members vote on it in a meeting; only an
    approved proposal leads to funding decisions (services.proposal_record_decisions).
    `round` counts the votes: a proposal sent back for amendment is voted on again."""

    call = models.ForeignKey(
        "calls.Call", on_delete=models.PROTECT, related_name="decision_proposals"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.DRAFT
    )
    meeting = models.ForeignKey(
        "governance.Meeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decision_proposals",
        verbose_name=_("meeting"),
    )
    round = models.PositiveSmallIntegerField(_("round of votes"), default=1)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    concluded_at = models.DateTimeField(_("vote concluded at"), null=True, blank=True)
    signed_by_administrator_general = models.CharField(
        _("signed by (administrator-general)"), max_length=200, blank=True
    )
    signed_by_decision_committee = models.CharField(
        _("signed by (decision committee)"), max_length=200, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "-prepared_at"]
        verbose_name = _("decision proposal")
        verbose_name_plural = _("decision proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["call"],
                condition=~Q(state="rejected"),
                name="decision_proposal_one_standing_per_call",
            )
        ]

    def __str__(self) -> str:
        return f"{self.call}: {self.get_state_display()}"


class ProposalItem(models.Model):
    """One application in a decision proposal: funded (amount, envelope), reserve list
    or rejected, at its rank in the ranking."""

    proposal = models.ForeignKey(DecisionProposal, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(
        "projects.Application", on_delete=models.PROTECT, related_name="proposal_items"
    )
    rank = models.PositiveIntegerField(_("rank"))
    outcome = models.CharField(
        _("proposed decision"), max_length=10, choices=DecisionOutcome.choices
    )
    amount = models.DecimalField(_("aid proposed (€)"), null=True, blank=True, **MONEY)
    envelope = models.ForeignKey(
        "calls.Envelope", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "rank"]
        verbose_name = _("proposal item")
        verbose_name_plural = _("proposal items")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "application"], name="proposal_item_unique"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="fund") | Q(amount__gt=0, envelope__isnull=False),
                name="proposal_item_fund_has_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.application}: {self.get_outcome_display()}"


class ProposalVote(models.Model):
    """One voting member's vote on a decision proposal in one round: approve, amend or
    reject (amending and rejecting say why)."""

    proposal = models.ForeignKey(DecisionProposal, on_delete=models.CASCADE, related_name="votes")
    round = models.PositiveSmallIntegerField(_("round of votes"))
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("voter"),
    )
    choice = models.CharField(_("vote"), max_length=10, choices=VoteChoice.choices)
    reason = models.TextField(_("reason"), blank=True)
    cast_at = models.DateTimeField(_("cast at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "round", "cast_at"]
        verbose_name = _("vote on a decision proposal")
        verbose_name_plural = _("votes on decision proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "round", "voter"], name="proposal_vote_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(choice="approve") | ~Q(reason=""),
                name="proposal_vote_reason_unless_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter}: {self.get_choice_display()} ({self.proposal_id})"
