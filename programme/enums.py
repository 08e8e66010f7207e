"""Choices of the programme app: roles, organisation kinds, SME classes, budget lines, KPIs."""

from django.db import models
from django.utils.translation import pgettext_lazy

from .states import Transition, Transitions


class Role(models.TextChoices):
    """A person may hold several roles; each is a Django group of the same code."""

    APPLICANT = "applicant", pgettext_lazy("role", "Applicant")
    STAFF = "staff", pgettext_lazy("role", "VLAIO staff")
    COUNCIL = "council", pgettext_lazy("role", "Advisory council member")
    EXPERT = "expert", pgettext_lazy("role", "External expert")
    STEERING = "steering", pgettext_lazy("role", "Steering group member")
    PROGRAMME_MANAGER = "programme_manager", pgettext_lazy("role", "Programme manager")
    ADMIN = "administrator", pgettext_lazy("role", "Administrator")


class OrganisationKind(models.TextChoices):
    COMPANY = "company", pgettext_lazy("organisation kind", "Company")
    RESEARCH = "research", pgettext_lazy("organisation kind", "Research organisation")
    HOSPITAL = "hospital", pgettext_lazy("organisation kind", "University hospital")
    OTHER = "other", pgettext_lazy("organisation kind", "Other")


class SmeClass(models.TextChoices):
    """EU Recommendation 2003/361 size classes; `sme_class()` in domain.py decides."""

    MICRO = "micro", pgettext_lazy("SME class", "Micro enterprise")
    SMALL = "small", pgettext_lazy("SME class", "Small enterprise")
    MEDIUM = "medium", pgettext_lazy("SME class", "Medium-sized enterprise")
    LARGE = "large", pgettext_lazy("SME class", "Large enterprise")

    @property
    def is_sme(self) -> bool:
        return self is not SmeClass.LARGE


class LinkKind(models.TextChoices):
    """Relations between enterprises in the sense of 2003/361 art. 3."""

    PARTNER = "partner", pgettext_lazy("enterprise link", "Partner enterprise (25–50%)")
    LINKED = "linked", pgettext_lazy("enterprise link", "Linked enterprise (> 50% or control)")


class BudgetLineKind(models.TextChoices):
    PROGRAMME_MANAGEMENT = "management", pgettext_lazy("budget line", "Programme management")
    STUDY = "study", pgettext_lazy("budget line", "Study")
    PROJECT_BUDGET = "projects", pgettext_lazy("budget line", "Project budget")


class KpiKind(models.TextChoices):
    COMPUTED = "computed", pgettext_lazy("KPI kind", "Computed from the data")
    MILESTONE = "milestone", pgettext_lazy("KPI kind", "Milestone")


class KpiStatus(models.TextChoices):
    MET = "met", pgettext_lazy("KPI status", "Met")
    NOT_MET = "not_met", pgettext_lazy("KPI status", "Not met")
    PENDING = "pending", pgettext_lazy("KPI status", "Pending")


class MembershipState(models.TextChoices):
    """A person's membership of an organisation: asked, then decided by a manager of the
    organisation or by VLAIO staff."""

    PENDING = "pending", pgettext_lazy("membership", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("membership", "Approved")
    REFUSED = "refused", pgettext_lazy("membership", "Refused")


MEMBERSHIP_TRANSITIONS = Transitions(
    states=MembershipState,
    initial=MembershipState.PENDING,
    moves=(
        Transition(
            MembershipState.PENDING,
            MembershipState.APPROVED,
            "can_decide_membership",
            ("membership_decide",),
        ),
        Transition(
            MembershipState.PENDING,
            MembershipState.REFUSED,
            "can_decide_membership",
            ("membership_decide",),
        ),
    ),
    terminal=frozenset({MembershipState.APPROVED, MembershipState.REFUSED}),
)
