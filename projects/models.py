"""Applications to a call: the consortium (partners), their budgets, attachments, the
frozen snapshot of a submission, the admissibility check and the typed-but-unsaved
drafts of forms.

Models hold fields, constraints and simple properties. The rules are in domain.py,
the writes in services.py. Uploaded files live under MEDIA_ROOT, which has no URL:
views.attachment_download serves them after a permission check.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from calls.models import Call
from programme.models import MONEY, ActionDomain, DiseaseDomain, Organisation, Theme

from .enums import (
    AbstractLanguage,
    Activity,
    AdmissibilityOutcome,
    ApplicationState,
    AttachmentKind,
    CostCategory,
    Part,
)


class Application(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    # The coordinator's organisation, denormalised from its Partner row for lists.
    coordinator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="coordinated_applications",
        verbose_name=_("coordinator"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=30)
    abstract = models.TextField(_("abstract"), blank=True)
    abstract_language = models.CharField(
        _("language of the abstract"),
        max_length=2,
        choices=AbstractLanguage.choices,
        default=AbstractLanguage.NL,
    )
    action_domain = models.ForeignKey(
        ActionDomain,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("action domain"),
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("theme")
    )
    disease_domain = models.ForeignKey(
        DiseaseDomain,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("disease domain"),
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set by services.application_submit, never typed in.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    receipt_number = models.CharField(
        _("receipt number"), max_length=40, null=True, blank=True, unique=True
    )
    snapshot = models.JSONField(_("submitted version"), null=True, blank=True, editable=False)
    snapshot_pdf = models.FileField(
        _("submitted version (PDF)"),
        upload_to="applications/snapshots/",
        blank=True,
        editable=False,
    )
    snapshot_pdf_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Totals at submission, for sorting and exporting the staff list without the budgets.
    total_cost = models.DecimalField(_("total cost (€)"), null=True, blank=True, **MONEY)
    total_aid = models.DecimalField(_("requested aid (€)"), null=True, blank=True, **MONEY)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft") | Q(submitted_at__isnull=False, snapshot__isnull=False),
                name="application_handed_in_has_snapshot",
            ),
        ]
        indexes = [models.Index(fields=["call", "state"])]

    def __str__(self) -> str:
        return f"{self.acronym} — {self.title}"


class Partner(models.Model):
    """An organisation in the consortium of an application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="partnerships",
        verbose_name=_("organisation"),
    )
    part = models.CharField(_("part"), max_length=10, choices=Part.choices)
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    declares_non_economic = models.BooleanField(
        _("declares non-economic research activities"),
        default=False,
        help_text=_(
            "Hospitals sit in the company part unless they declare non-economic research "
            "activities."
        ),
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partnerships",
        verbose_name=_("contact person"),
    )
    contact_email = models.EmailField(_("e-mail of the contact person"))
    contact_name = models.CharField(_("name of the contact person"), max_length=200, blank=True)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "-is_coordinator", "part", "pk"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "organisation"], name="partner_once_per_application"
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(is_coordinator=True),
                name="partner_one_coordinator",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class BudgetEntry(models.Model):
    """One cell of a partner's budget: project year × cost category × activity."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="budget_entries")
    year = models.PositiveSmallIntegerField(
        _("project year"), validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    category = models.CharField(_("cost category"), max_length=20, choices=CostCategory.choices)
    activity = models.CharField(_("activity"), max_length=20, choices=Activity.choices)
    amount = models.DecimalField(
        _("amount (€)"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["partner", "year", "category", "activity"]
        verbose_name = _("budget entry")
        verbose_name_plural = _("budget entries")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "year", "category", "activity"], name="budget_entry_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_entry_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} Y{self.year} {self.category} {self.activity}: {self.amount}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is ours, not the uploader's: no path tricks, no guessable names.
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class Attachment(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "-kind", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(kind="description"),
                name="attachment_one_description",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class AdmissibilityCheck(models.Model):
    """Staff's admissibility check of a submitted application (DOMAIN.md §1 and §5)."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="admissibility"
    )
    complementary = models.BooleanField(
        _("complementary to VLAIO/FWO's regular channels"), null=True, blank=True
    )
    broad_application = models.BooleanField(
        _("broad application beyond single companies"), null=True, blank=True
    )
    consortium_rules = models.BooleanField(_("consortium rules met"), null=True, blank=True)
    complete = models.BooleanField(_("application complete"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=AdmissibilityOutcome.choices, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)
    completion_items = models.JSONField(_("items to complete"), default=list, blank=True)
    completion_deadline = models.DateTimeField(_("completion deadline"), null=True, blank=True)
    # Empty while staff fill in the checklist; set with the outcome.
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("admissibility check")
        verbose_name_plural = _("admissibility checks")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="inadmissible") | ~Q(reason=""),
                name="admissibility_inadmissible_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="completion") | Q(completion_deadline__isnull=False),
                name="admissibility_completion_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.get_outcome_display() or '—'}"


class FormDraft(models.Model):
    """What a person typed in a form that did not validate (or was never sent whole),
    kept so that nothing typed is lost; the form is shown bound to it next time.
    Deleted when the form saves cleanly. No audit trail on purpose: it is a scratchpad
    of keystrokes, not a record; what is saved from it is audited where it lands."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="drafts")
    form_key = models.CharField(max_length=60)
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "application", "form_key"], name="form_draft_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.form_key}"
