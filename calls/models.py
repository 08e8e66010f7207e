"""Calls, their parameters and evaluation criteria, and the budget envelopes with their
append-only ledger.

The envelope keeps running totals (amount, reserved, committed) next to its ledger so
that the database itself refuses an over-allocation: the CheckConstraint below holds
under any concurrency, whatever Python does. Only calls.services writes these columns,
always together with a ledger row in the same transaction. Ledger rows are append-only,
also in the database: migration 0002 installs a trigger that refuses UPDATE and DELETE.

Known limits: the ledger has no history table of its own (it *is* the audit trail of the
envelope); documents are stored in MEDIA_ROOT and served only through calls.views.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models import (
    MONEY,
    PERCENT,
    ActionDomain,
    Bilingual,
    DiseaseDomain,
    Programme,
    ProgrammeYear,
    Theme,
)

from .enums import (
    DEFAULT_TIE_BREAK,
    AidCapScope,
    CallState,
    Instrument,
    LedgerEntryKind,
    PreregistrationState,
    ReminderKind,
)


def default_tie_break() -> list[str]:
    return [str(step) for step in DEFAULT_TIE_BREAK]


class CallQuerySet(models.QuerySet):
    def published(self):
        """Calls the public may see: everything but drafts."""
        return self.exclude(state=CallState.DRAFT)

    def with_budget(self):
        """Annotate envelope_total, committed_total, reserved_total and
        registration_count with subqueries (no row multiplication, one query)."""

        def envelope_sum(field: str):
            rows = (
                Envelope.objects.filter(call=OuterRef("pk"))
                .order_by()
                .values("call")
                .annotate(total=Sum(field))
                .values("total")
            )
            return Coalesce(
                Subquery(rows, output_field=DecimalField(**MONEY)),
                Value(Decimal("0")),
                output_field=DecimalField(**MONEY),
            )

        registrations = (
            CallRegistration.objects.filter(call=OuterRef("pk"))
            .order_by()
            .values("call")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            envelope_total=envelope_sum("amount"),
            committed_total=envelope_sum("committed"),
            reserved_total=envelope_sum("reserved"),
            registration_count=Coalesce(Subquery(registrations), Value(0)),
        )


class Call(Bilingual, models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="calls")
    programme_year = models.ForeignKey(
        ProgrammeYear,
        on_delete=models.PROTECT,
        related_name="calls",
        verbose_name=_("budget year"),
    )
    title_nl = models.CharField(_("title (Dutch)"), max_length=250)
    title_en = models.CharField(_("title (English)"), max_length=250)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    instrument = models.CharField(
        _("instrument"), max_length=20, choices=Instrument.choices, default=Instrument.ICON
    )
    action_domains = models.ManyToManyField(
        ActionDomain, blank=True, verbose_name=_("eligible action domains")
    )
    themes = models.ManyToManyField(Theme, blank=True, verbose_name=_("eligible themes"))
    disease_domains = models.ManyToManyField(
        DiseaseDomain, blank=True, verbose_name=_("eligible disease domains")
    )
    # Aware datetimes, stored in UTC, shown in Europe/Brussels.
    opens_at = models.DateTimeField(_("opens at"))
    deadline = models.DateTimeField(_("deadline"))
    preregistration_deadline = models.DateTimeField(
        _("pre-registration deadline"), null=True, blank=True
    )
    review_deadline = models.DateTimeField(_("review deadline"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=CallState.choices, default=CallState.DRAFT
    )
    parameters_frozen_at = models.DateTimeField(_("parameters frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-deadline"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gt=F("opens_at")), name="call_deadline_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(preregistration_deadline__isnull=True)
                | (
                    Q(preregistration_deadline__gt=F("opens_at"))
                    & Q(preregistration_deadline__lte=F("deadline"))
                ),
                name="call_preregistration_within_call",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def description(self) -> str:
        return self.localized("description")

    @property
    def year(self) -> int:
        return self.programme_year.year


class CallParameters(models.Model):
    """The rules of one call, defaulting to the personalised-medicine ICON values of
    DOMAIN.md §4. They freeze when the call opens (services refuse edits after that;
    an administrator may amend with a recorded justification)."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="parameters")
    # Consortium
    min_companies = models.PositiveSmallIntegerField(_("minimum non-linked companies"), default=3)
    max_company_share = models.DecimalField(
        _("maximum share of one company in the company-part cost (%)"),
        default=Decimal("70"),
        **PERCENT,
    )
    min_research_organisations = models.PositiveSmallIntegerField(
        _("minimum Flemish research organisations"), default=1
    )
    research_budget_min_per_year = models.DecimalField(
        _("research budget per research organisation per year, minimum (€)"),
        default=Decimal("185000"),
        **MONEY,
    )
    research_budget_max_per_year = models.DecimalField(
        _("research budget per research organisation per year, maximum (€)"),
        default=Decimal("500000"),
        **MONEY,
    )
    research_min_share = models.DecimalField(
        _("minimum share of each research organisation in the research part (%)"),
        default=Decimal("15"),
        **PERCENT,
    )
    non_flemish_companies_allowed = models.BooleanField(
        _("companies outside Flanders may join (without aid)"), default=True
    )
    # Company aid (EU GBER art. 25), in percentage points
    industrial_research_base = models.DecimalField(
        _("industrial research: base aid (%)"), default=Decimal("50"), **PERCENT
    )
    experimental_development_base = models.DecimalField(
        _("experimental development: base aid (%)"), default=Decimal("25"), **PERCENT
    )
    small_enterprise_bonus = models.DecimalField(
        _("small enterprise bonus (points)"), default=Decimal("20"), **PERCENT
    )
    medium_enterprise_bonus = models.DecimalField(
        _("medium-sized enterprise bonus (points)"), default=Decimal("10"), **PERCENT
    )
    collaboration_bonus_enabled = models.BooleanField(_("collaboration bonus"), default=False)
    collaboration_bonus = models.DecimalField(
        _("collaboration bonus (points)"), default=Decimal("15"), **PERCENT
    )
    industrial_research_cap = models.DecimalField(
        _("industrial research: cap in this call (%)"), default=Decimal("60"), **PERCENT
    )
    experimental_development_cap = models.DecimalField(
        _("experimental development: cap in this call (%)"), default=Decimal("50"), **PERCENT
    )
    absolute_cap = models.DecimalField(
        _("absolute aid ceiling (%)"), default=Decimal("80"), **PERCENT
    )
    max_aid_per_company = models.DecimalField(
        _("maximum aid per company (€)"), default=Decimal("3000000"), **MONEY
    )
    aid_cap_scope = models.CharField(
        _("maximum aid per company counted"),
        max_length=12,
        choices=AidCapScope.choices,
        default=AidCapScope.APPLICATION,
        help_text=_(
            "Per application: each application's aid per company is capped. Per call: a "
            "company's aid over all its funded projects of the call is capped, checked when "
            "the funding decisions are recorded."
        ),
    )
    # Project
    max_duration_months = models.PositiveSmallIntegerField(
        _("maximum duration (months)"), default=48
    )
    # Payments of funded projects (DOMAIN.md §6): annual advances up to this share of the
    # granted aid; the rest is the balance, paid after the final reports.
    advance_share = models.DecimalField(
        _("advances: at most this share of the granted aid (%)"), default=Decimal("80"), **PERCENT
    )
    # Evaluation
    scale_min = models.DecimalField(
        _("score scale: minimum"), max_digits=4, decimal_places=1, default=Decimal("0")
    )
    scale_max = models.DecimalField(
        _("score scale: maximum"), max_digits=4, decimal_places=1, default=Decimal("5")
    )
    scale_step = models.DecimalField(
        _("score scale: step"), max_digits=3, decimal_places=2, default=Decimal("0.5")
    )
    overall_threshold = models.DecimalField(
        _("overall threshold"), max_digits=6, decimal_places=2, default=Decimal("10")
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"), default=3
    )
    tie_break_order = models.JSONField(_("tie-break order"), default=default_tie_break)
    preselection_factor = models.DecimalField(
        _("pre-selection up to this multiple of the available budget"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("3"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call parameters")
        verbose_name_plural = _("call parameters")
        constraints = [
            models.CheckConstraint(
                condition=Q(research_budget_max_per_year__gte=F("research_budget_min_per_year")),
                name="parameters_research_range",
            ),
            models.CheckConstraint(
                condition=Q(scale_max__gt=F("scale_min")) & Q(scale_step__gt=0),
                name="parameters_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Parameters')}: {self.call}"


class Criterion(Bilingual, models.Model):
    """An evaluation criterion of a call (VLAIO's grid by default); weights serve ranking
    only, thresholds decide whether a proposal is fundable."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    threshold = models.DecimalField(
        _("threshold"), max_digits=4, decimal_places=1, default=Decimal("3")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "position"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["call", "position"], name="criterion_unique_position")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return self.localized("description")


class Envelope(Bilingual, models.Model):
    """A budget envelope of a call, drawn from the project-budget line of the call's year.

    amount = initial amount ± transfers; reserved + committed can never exceed it.
    """

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="envelopes")
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    action_domain = models.ForeignKey(
        ActionDomain,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("action domain"),
    )
    initial_amount = models.DecimalField(_("initial amount (€)"), **MONEY)
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    reserved = models.DecimalField(_("reserved (€)"), default=Decimal("0"), **MONEY)
    committed = models.DecimalField(_("committed (€)"), default=Decimal("0"), **MONEY)
    # Part of `committed` paid out to funded projects (ledger entries of kind payment).
    paid = models.DecimalField(_("paid (€)"), default=Decimal("0"), **MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "name_nl"]
        verbose_name = _("budget envelope")
        verbose_name_plural = _("budget envelopes")
        constraints = [
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(committed__gte=0) & Q(amount__gte=0),
                name="envelope_totals_not_negative",
            ),
            # The guarantee: no interleaving of transactions can over-allocate.
            models.CheckConstraint(
                condition=Q(amount__gte=F("reserved") + F("committed")),
                name="envelope_never_over_allocated",
            ),
            # Payments draw on the commitments: never more paid than committed.
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(committed__gte=F("paid")),
                name="envelope_never_overpaid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def available(self) -> Decimal:
        return self.amount - self.committed - self.reserved

    @property
    def allocated(self) -> Decimal:
        """What the envelope's amount may never drop below: reserved + committed."""
        return self.reserved + self.committed


class LedgerEntry(models.Model):
    """One movement on an envelope. Never edited, never deleted: corrections are new
    entries (a release undoes a commitment, a transfer has an out and an in entry)."""

    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerEntryKind.choices)
    amount = models.DecimalField(
        _("amount (€)"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    reason = models.CharField(_("reason"), max_length=300)
    decision_reference = models.CharField(
        _("steering-group decision reference"), max_length=100, blank=True
    )
    counterpart = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("other side of the transfer"),
    )
    # What the money is for, e.g. an application's receipt number; the evaluation app
    # links its decisions here.
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    # Empty for movements made by the system (a task, the demo seed).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["envelope", "created_at", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(
                condition=~Q(kind__in=["transfer_in", "transfer_out"]) | ~Q(decision_reference=""),
                name="ledger_transfer_needs_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.envelope})"


class CallRegistration(models.Model):
    """An applicant who registered interest in (pre-registered for) a call; they receive
    the deadline reminders."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_registrations"
    )
    # The project sketch of a pre-registration (calls with a pre-selection stage only).
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    project_title = models.CharField(_("project title"), max_length=250, blank=True)
    requested_aid = models.DecimalField(
        _("requested aid, estimate (€)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        **MONEY,
    )
    state = models.CharField(
        _("pre-selection"),
        max_length=20,
        choices=PreregistrationState.choices,
        default=PreregistrationState.REGISTERED,
    )
    preselection_reason = models.TextField(_("reason"), blank=True)
    preselected_at = models.DateTimeField(_("pre-selection recorded at"), null=True, blank=True)
    preselected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "created_at"]
        verbose_name = _("call registration")
        verbose_name_plural = _("call registrations")
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="call_registration_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.call}"


class ReminderSent(models.Model):
    """Proof that one deadline reminder was queued for one person: the unique constraint
    makes each reminder exactly-once even when the beat runs twice at the same time."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reminders_sent")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=4, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "sent_at"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "user", "kind"], name="reminder_sent_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} ({self.call})"


def call_document_path(instance: "CallDocument", filename: str) -> str:
    return f"calls/{instance.call_id}/{filename}"


class CallDocument(Bilingual, models.Model):
    """A document published with a call (call text, templates, guidance). Public once the
    call is published; served through calls.views.call_document only."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="documents")
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    file = models.FileField(_("file"), upload_to=call_document_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "title_nl"]
        verbose_name = _("call document")
        verbose_name_plural = _("call documents")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.localized("title")


class ParameterAmendment(models.Model):
    """An administrator's amendment of a call's frozen parameters, with the full
    justification (the audit trail's change reason is limited to 100 characters)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="amendments")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    justification = models.TextField(_("justification"))
    changes = models.JSONField(_("changes"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "-created_at"]
        verbose_name = _("parameter amendment")
        verbose_name_plural = _("parameter amendments")

    def __str__(self) -> str:
        return f"{self.call}: {self.justification[:60]}"


class EnvelopeAmendment(models.Model):
    """An administrator's amendment of an envelope of an open (or later) call: its amount
    and/or action domain before and after, with the full justification. The public call
    page lists these, so applicants see why the published budget changed."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="envelope_amendments")
    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="amendments")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    justification = models.TextField(_("justification"))
    amount_before = models.DecimalField(_("amount before (€)"), **MONEY)
    amount_after = models.DecimalField(_("amount after (€)"), **MONEY)
    action_domain_before = models.ForeignKey(
        ActionDomain, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action_domain_after = models.ForeignKey(
        ActionDomain, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "-created_at", "-pk"]
        verbose_name = _("envelope amendment")
        verbose_name_plural = _("envelope amendments")

    def __str__(self) -> str:
        return f"{self.envelope}: {self.amount_before} → {self.amount_after}"

    @property
    def amount_changed(self) -> bool:
        return self.amount_before != self.amount_after

    @property
    def action_domain_changed(self) -> bool:
        return self.action_domain_before_id != self.action_domain_after_id
