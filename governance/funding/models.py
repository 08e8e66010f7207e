"""Funded projects (DOMAIN.md §6): the project made from a funding decision that was not
declined, its support agreement in versions (aid per partner and year, deliverables),
the collaboration agreement, the payments drawn from the envelope and the change
requests. Every write goes through funding/services.py.

The money guarantee: `committed` and `paid` of a project move only with its row locked,
and the CheckConstraint `funded_project_never_overpaid` makes PostgreSQL refuse paid above
committed even if some code skipped the lock (the envelope has the same constraint,
`envelope_never_overpaid`).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models import MONEY

from .enums import (
    ChangeKind,
    ChangeState,
    CollaborationState,
    PaymentKind,
    PaymentState,
    ProjectState,
)

ZERO = Decimal("0")


def collaboration_path(instance: "FundedProject", filename: str) -> str:
    return f"funding/{instance.pk}/collaboration-{filename}"


class FundedProject(models.Model):
    """A funded, not declined application, followed up until it is closed."""

    decision = models.OneToOneField(
        "governance.FundingDecision", on_delete=models.PROTECT, related_name="project"
    )
    application = models.OneToOneField(
        "projects.Application", on_delete=models.PROTECT, related_name="funded_project"
    )
    envelope = models.ForeignKey(
        "calls.Envelope", on_delete=models.PROTECT, related_name="funded_projects"
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ProjectState.choices,
        default=ProjectState.AGREEMENT_PENDING,
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    committed = models.DecimalField(_("committed (€)"), **MONEY)
    paid = models.DecimalField(_("paid (€)"), default=ZERO, **MONEY)
    released = models.DecimalField(_("released (€)"), default=ZERO, **MONEY)
    collaboration_state = models.CharField(
        _("collaboration agreement"),
        max_length=10,
        choices=CollaborationState.choices,
        default=CollaborationState.MISSING,
    )
    collaboration_file = models.FileField(
        _("collaboration agreement"), upload_to=collaboration_path, blank=True
    )
    collaboration_uploaded_at = models.DateTimeField(null=True, blank=True)
    collaboration_accepted_at = models.DateTimeField(null=True, blank=True)
    # Denormalised for the dashboard (one query): the next scheduled payment's due date.
    next_payment_due = models.DateField(_("next payment due"), null=True, blank=True)
    pending_changes = models.PositiveSmallIntegerField(default=0)
    stop_reason = models.TextField(_("reason for stopping"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application__acronym"]
        verbose_name = _("funded project")
        verbose_name_plural = _("funded projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(committed__gte=0) & Q(released__gte=0),
                name="funded_project_totals_not_negative",
            ),
            # The guarantee: no interleaving of payments can pay more than is committed.
            models.CheckConstraint(
                condition=Q(committed__gte=F("paid")), name="funded_project_never_overpaid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.application.acronym)

    @property
    def unpaid(self) -> Decimal:
        return self.committed - self.paid


class SupportAgreement(models.Model):
    """One version of the support agreement (steunovereenkomst). Version 1 is drawn up
    from the decision; every amendment is a new version saying what changed and why. The
    version in force is the latest signed one."""

    project = models.ForeignKey(FundedProject, on_delete=models.PROTECT, related_name="agreements")
    version = models.PositiveSmallIntegerField(_("version"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    aid_total = models.DecimalField(_("aid (€)"), **MONEY)
    # [{"description": ..., "target": ...}]: the project's KPIs and deliverables.
    deliverables = models.JSONField(_("KPIs and deliverables"), default=list, blank=True)
    special_conditions = models.TextField(_("special conditions"), blank=True)
    change_summary = models.TextField(_("what changed and why"), blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=2, default="nl")
    file = models.FileField(_("file"), upload_to="funding/agreements/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "version"]
        verbose_name = _("support agreement")
        verbose_name_plural = _("support agreements")
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="agreement_version_unique"),
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="agreement_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.version}"


class AgreementAid(models.Model):
    """The aid of one partner in one project year, in one version of the agreement."""

    agreement = models.ForeignKey(SupportAgreement, on_delete=models.CASCADE, related_name="aid")
    partner = models.ForeignKey("projects.Partner", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("project year"), validators=[MinValueValidator(1)])
    amount = models.DecimalField(_("aid (€)"), **MONEY)

    class Meta:
        ordering = ["agreement", "partner", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "partner", "year"], name="agreement_aid_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="agreement_aid_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.partner_id} Y{self.year}: {self.amount}"


class Payment(models.Model):
    """One payment of the schedule: an annual advance or the balance. Paid, it is a
    `payment` entry of the envelope's ledger (ledger_entry)."""

    project = models.ForeignKey(FundedProject, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("kind"), max_length=10, choices=PaymentKind.choices)
    year = models.PositiveSmallIntegerField(_("project year"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(
        _("amount (€)"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    state = models.CharField(
        _("state"), max_length=10, choices=PaymentState.choices, default=PaymentState.SCHEDULED
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ledger_entry = models.OneToOneField(
        "calls.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "due_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(state="paid") | Q(ledger_entry__isnull=False, paid_at__isnull=False),
                name="payment_paid_has_ledger_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.project}"


class ChangeRequest(models.Model):
    """A change the coordinator asks for during the project; staff approve or refuse it
    with a reason. An approved change makes a new version of the agreement."""

    project = models.ForeignKey(FundedProject, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("kind of change"), max_length=20, choices=ChangeKind.choices)
    description = models.TextField(_("what and why"))
    new_end_date = models.DateField(_("new end date"), null=True, blank=True)
    # For budget shifts and partners: {"<partner id>": {"<year>": "amount"}} — the aid per
    # partner and year as asked; partners left out keep their aid.
    new_aid = models.JSONField(_("new aid per partner and year"), default=dict, blank=True)
    # For a partner joining: the organisation of the registry, and in `joining` its
    # contact, part, activity, cost per year × category and the aid it asks:
    # {"contact_email", "contact_name", "declares_non_economic", "activity",
    #  "costs": {"<year>": {"<category>": "amount"}}, "aid_asked": "amount" or ""}.
    join_organisation = models.ForeignKey(
        "programme.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("joining organisation"),
    )
    joining = models.JSONField(_("the joining partner"), default=dict, blank=True)
    # Set when an approved join added the partner to the consortium.
    joined_partner = models.OneToOneField(
        "projects.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ChangeState.choices, default=ChangeState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    agreement = models.OneToOneField(
        SupportAgreement, null=True, blank=True, on_delete=models.PROTECT, related_name="change"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "-requested_at"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.project}"
