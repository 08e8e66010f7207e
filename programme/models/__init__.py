"""The programme, its yearly budget, its reference lists and KPIs; the organisations
registry and the people (users with roles).

The rows of the background work (generated reports, the outbox) are in background.py,
re-exported here. Models hold fields, constraints and simple properties. Rules live in
domain.py, writes in services.py. Every model keeps an audit trail (django-simple-history).
"""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext_lazy as _, pgettext_lazy
from simple_history.models import HistoricalRecords

from .. import domain
from ..enums import (
    BudgetLineKind,
    KpiKind,
    LinkKind,
    MembershipState,
    OrganisationKind,
    Role,
    SmeClass,
)
from ..formats import round_cents

MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}


class Bilingual:
    """Picks `<field>_nl` or `<field>_en` by the active language (Dutch as fallback)."""

    def localized(self, field: str) -> str:
        lang = (get_language() or "nl")[:2]
        value = getattr(self, f"{field}_{lang}", "") if lang in ("nl", "en") else ""
        return value or getattr(self, f"{field}_nl", "")

    @property
    def name(self) -> str:
        return self.localized("name")


# --- Organisations -------------------------------------------------------------------------


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    enterprise_number = models.CharField(
        _("enterprise number"),
        max_length=10,
        unique=True,
        help_text=_("Belgian enterprise (KBO/VAT) number, e.g. BE0403.170.701."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    is_flemish = models.BooleanField(
        _("established in Flanders"),
        default=True,
        help_text=_("Companies outside Flanders may join a consortium but receive no aid."),
    )
    reference_year = models.PositiveSmallIntegerField(_("reference year"))
    headcount = models.PositiveIntegerField(
        _("staff headcount"), help_text=_("Annual work units in the reference year.")
    )
    turnover = models.DecimalField(_("annual turnover (€)"), **MONEY)
    balance_sheet_total = models.DecimalField(_("balance sheet total (€)"), **MONEY)
    public_body_share = models.DecimalField(
        _("share held by public bodies (%)"), default=Decimal("0"), **PERCENT
    )
    in_difficulty = models.BooleanField(
        _("undertaking in difficulty"),
        default=False,
        help_text=_("Undertakings in difficulty cannot receive aid."),
    )
    # Computed by services.organisation_save from the figures above; never typed in.
    sme_class = models.CharField(
        _("SME class"), max_length=10, choices=SmeClass.choices, editable=False
    )
    verified = models.BooleanField(_("verified by VLAIO"), default=False)
    # Set when a member changed figures that decide aid after VLAIO verified them;
    # cleared when staff verify again. The applications of the organisation show it.
    reverification_pending = models.BooleanField(
        _("changed since verification, awaiting VLAIO"), default=False
    )
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise_number__regex=r"^[01][0-9]{9}$"),
                name="organisation_enterprise_number_normalised",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def enterprise_number_display(self) -> str:
        return domain.format_enterprise_number(self.enterprise_number)

    @property
    def is_sme(self) -> bool:
        return self.sme_class != SmeClass.LARGE

    @property
    def sme_class_reason(self) -> str:
        return domain.sme_class_reason(
            headcount=self.headcount,
            turnover=self.turnover,
            balance_sheet_total=self.balance_sheet_total,
            public_body_share=self.public_body_share,
        )


class OrganisationLink(models.Model):
    """A partner or linked enterprise relation (2003/361 art. 3), used by the SME class
    with the group (linked 100%, partner the held share) and the 'non-linked companies'
    consortium rule (linked enterprises count as one)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="links_out"
    )
    other = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind of link"), max_length=10, choices=LinkKind.choices)
    # The share of capital or voting rights one holds in the other (either direction: for
    # the SME class both count the same share of the other's figures).
    share = models.DecimalField(
        _("share held (%)"),
        null=True,
        blank=True,
        help_text=_(
            "Share of the capital or voting rights one enterprise holds in the other, in "
            "percent: from 25 to 50 for partner enterprises, more than 50 for linked ones "
            "(may be left empty when one controls the other)."
        ),
        **PERCENT,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation link")
        verbose_name_plural = _("organisation links")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "other"], name="organisation_link_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(organisation=models.F("other")), name="organisation_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.other} ({self.get_kind_display()})"


class OrganisationMembership(models.Model):
    """A person's membership of an organisation. Only an approved membership makes the
    person a member (User.organisation, set by services.membership_decide); a pending
    one shows them nothing of the organisation. A manager approves join requests and
    changes the organisation's figures."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        "programme.User", on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=MembershipState.choices, default=MembershipState.PENDING
    )
    is_manager = models.BooleanField(_("manages the organisation"), default=False)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "programme.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "state", "requested_at"]
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="organisation_membership_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} ({self.get_state_display()})"


# --- People --------------------------------------------------------------------------------


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person; logs in with an e-mail address. Roles are groups named after Role."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=[("nl", "Nederlands"), ("en", "English")],
        default="nl",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def roles(self) -> frozenset[str]:
        """Role codes of this user, cached on the instance (one query per request)."""
        if not hasattr(self, "_roles_cache"):
            if not self.is_active or self.pk is None:
                self._roles_cache = frozenset()
            else:
                self._roles_cache = frozenset(
                    name for name in self.groups.values_list("name", flat=True) if name in Role
                )
        return self._roles_cache

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


# --- Programme, years, budget ---------------------------------------------------------------


class Programme(Bilingual, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    managing_agency = models.CharField(_("managing agency"), max_length=100, default="VLAIO")
    cluster = models.CharField(_("cluster organisation"), max_length=100, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return self.localized("description")


class ProgrammeYear(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "year"]
        verbose_name = _("programme year")
        verbose_name_plural = _("programme years")
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="programme_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.year}"


class BudgetLine(Bilingual, models.Model):
    """An amount of the programme budget for one year and purpose.

    `amount` is what the programme budget pays; `cofinancing_share` is the part of the
    activity's cost paid from outside (e.g. programme management: 600,000 over two
    years, 50% co-financed by industry, so the programme pays 300,000).
    """

    programme_year = models.ForeignKey(
        ProgrammeYear, on_delete=models.CASCADE, related_name="budget_lines"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=BudgetLineKind.choices)
    name_nl = models.CharField(_("label (Dutch)"), max_length=200)
    name_en = models.CharField(_("label (English)"), max_length=200)
    amount = models.DecimalField(
        _("amount from the programme budget (€)"),
        validators=[MinValueValidator(Decimal("0"))],
        **MONEY,
    )
    cofinancing_share = models.DecimalField(
        _("co-financed from outside the programme (%)"), default=Decimal("0"), **PERCENT
    )
    note_nl = models.CharField(_("note (Dutch)"), max_length=300, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme_year", "kind"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["programme_year", "kind", "name_nl"], name="budget_line_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.programme_year.year}"

    @property
    def label(self) -> str:
        return self.name

    @property
    def note(self) -> str:
        return self.localized("note")

    @property
    def year(self) -> int:
        return self.programme_year.year

    @property
    def total_cost(self) -> Decimal:
        """Cost of the activity including co-financing (amount is the programme's part)."""
        if self.cofinancing_share >= 100:
            return self.amount
        return round_cents(self.amount * 100 / (100 - self.cofinancing_share))


class ReferenceItem(Bilingual, models.Model):
    """Shared fields of the programme's reference lists (data, not code)."""

    code = models.CharField(_("code"), max_length=20)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class ActionDomain(ReferenceItem):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="action_domains"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    history = HistoricalRecords()

    class Meta(ReferenceItem.Meta):
        verbose_name = _("action domain")
        verbose_name_plural = _("action domains")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="action_domain_unique")
        ]


class Theme(ReferenceItem):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="themes")
    history = HistoricalRecords()

    class Meta(ReferenceItem.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="theme_unique")]


class DiseaseDomain(ReferenceItem):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="disease_domains"
    )
    history = HistoricalRecords()

    class Meta(ReferenceItem.Meta):
        verbose_name = _("disease domain")
        verbose_name_plural = _("disease domains")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="disease_domain_unique")
        ]


# --- KPIs ----------------------------------------------------------------------------------


class Kpi(Bilingual, models.Model):
    """One of the programme manager's KPIs (DOMAIN.md §3), as data."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="kpis")
    number = models.PositiveSmallIntegerField(_("number"))
    name_nl = models.CharField(_("name (Dutch)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=KpiKind.choices)
    target = models.DecimalField(
        _("target"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(
        _("unit"),
        max_length=20,
        blank=True,
        choices=[
            ("count", pgettext_lazy("KPI unit", "count")),
            ("percent", pgettext_lazy("KPI unit", "percent")),
        ],
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="kpi_unique_number"),
            models.CheckConstraint(
                condition=Q(kind="milestone") | Q(target__isnull=False),
                name="kpi_computed_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"KPI {self.number}: {self.name}"


def milestone_evidence_path(instance: "MilestoneRecord", filename: str) -> str:
    return f"milestones/{instance.kpi_id}/{filename}"


class MilestoneRecord(models.Model):
    """Evidence that a milestone KPI (roadmap, AI alignment, cluster dossier) was met."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("date"))
    description = models.TextField(_("what was delivered"))
    evidence_file = models.FileField(
        _("evidence (file)"), upload_to=milestone_evidence_path, blank=True
    )
    evidence_url = models.URLField(_("evidence (link)"), blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi", "-date"]
        verbose_name = _("milestone record")
        verbose_name_plural = _("milestone records")

    def __str__(self) -> str:
        return f"{self.kpi} — {self.date}"


from .background import (  # noqa: E402  (the background work's rows, re-exported)
    GeneratedReport as GeneratedReport,
    Outbox as Outbox,
    OutboxKind as OutboxKind,
    ReportKind as ReportKind,
    ReportState as ReportState,
)
