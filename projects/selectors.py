"""Reads of the projects app: which applications a person may see, the assembly of
one application's facts for the pure rules of domain.py (a fixed number of queries,
whatever the size of the consortium), and the tables of the admissibility list's export."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from programme.enums import LinkKind
from programme.exports import BOOLEAN, DATETIME, MONEY, NUMBER, Column, Table
from programme.models import OrganisationLink, User

from . import domain
from .enums import Activity, AttachmentKind
from .models import Application, Attachment, BudgetEntry, Partner


def applications_of(user: User) -> QuerySet[Application]:
    """Applications in which `user` is the contact person of a partner."""
    if not user.is_authenticated:
        return Application.objects.none()
    return Application.objects.filter(partners__contact=user).distinct()


def application_for_user(user: User, pk: int) -> Application | None:
    """The application when `user` may see it (a partner's contact, or staff), else None."""
    application = (
        Application.objects.select_related(
            "call", "call__parameters", "call__programme_year", "coordinator"
        )
        .filter(pk=pk)
        .first()
    )
    if application is None or not user.has_perm("projects.view_application", application):
        return None
    return application


_FK_FIELDS = {"action_domain", "theme", "disease_domain"}


def missing_project_fields(application: Application) -> list[str]:
    """Labels of the project data still empty (for the completeness rule)."""
    required = [
        "title",
        "acronym",
        "abstract",
        "action_domain",
        "theme",
        "disease_domain",
        "planned_start",
        "duration_months",
    ]
    missing = []
    for name in required:
        value = getattr(application, f"{name}_id" if name in _FK_FIELDS else name)
        if value in (None, ""):
            missing.append(str(Application._meta.get_field(name).verbose_name))
    return missing


@dataclass
class Dossier:
    """One application with everything its pages and rules need."""

    application: Application
    partners: list[Partner]
    facts: domain.ApplicationFacts
    partner_totals: list[domain.PartnerTotals]
    totals: domain.ApplicationTotals
    checks: list[domain.RuleCheck]
    attachments: list[Attachment]

    @property
    def ready(self) -> tuple[bool, str]:
        return domain.ready_to_submit(self.checks)

    def rows(self):
        """(partner, its totals) pairs, in consortium order."""
        return list(zip(self.partners, self.partner_totals, strict=True))


def partner_facts(partner: Partner) -> domain.PartnerFacts:
    org = partner.organisation
    return domain.PartnerFacts(
        name=org.name,
        kind=org.kind,
        part=partner.part,
        sme_class=org.sme_class,
        is_flemish=org.is_flemish,
        in_difficulty=org.in_difficulty,
        is_coordinator=partner.is_coordinator,
        organisation_id=org.pk,
        has_contact=partner.contact_id is not None,
    )


def cost_lines(partner: Partner) -> list[domain.CostLine]:
    return [
        domain.CostLine(year=e.year, category=e.category, activity=e.activity, amount=e.amount)
        for e in partner.budget_entries.all()
    ]


def load_dossier(application: Application) -> Dossier:
    """Partners, budgets, links, attachments of `application` and the rules' verdicts."""
    partners = list(
        Partner.objects.filter(application=application)
        .select_related("organisation", "contact")
        .prefetch_related(Prefetch("budget_entries", queryset=BudgetEntry.objects.all()))
    )
    org_ids = [p.organisation_id for p in partners]
    # Only linked enterprises count as one company; partner enterprises (25-50%) are
    # separate companies (DOMAIN.md §4).
    links = list(
        OrganisationLink.objects.filter(
            Q(organisation_id__in=org_ids) & Q(other_id__in=org_ids), kind=LinkKind.LINKED
        ).values_list("organisation_id", "other_id")
    )
    attachments = list(
        application.attachments.select_related("uploaded_by").order_by("-kind", "uploaded_at")
    )
    facts = domain.ApplicationFacts(
        params=application.call.parameters,
        duration_months=application.duration_months,
        partners=[partner_facts(p) for p in partners],
        lines={i: cost_lines(p) for i, p in enumerate(partners)},
        links=links,
        has_description=any(a.kind == AttachmentKind.DESCRIPTION for a in attachments),
        missing_fields=missing_project_fields(application),
    )
    partner_totals = facts.partner_totals()
    return Dossier(
        application=application,
        partners=partners,
        facts=facts,
        partner_totals=partner_totals,
        totals=domain.application_totals(partner_totals),
        checks=domain.rule_checks(facts, partner_totals),
        attachments=attachments,
    )


def _s(value) -> str:
    return "" if value is None else str(value)


def snapshot_from(dossier: Dossier, *, submitted_at, receipt_number: str) -> dict:
    """The whole application as plain JSON (amounts as strings): what was submitted.

    The PDF and every later reader use this, never the live rows, which may change in a
    completion round.
    """
    app = dossier.application
    call = app.call
    partners = []
    for partner, totals in dossier.rows():
        org = partner.organisation
        partners.append(
            {
                "name": org.name,
                "enterprise_number": org.enterprise_number_display,
                "kind": org.get_kind_display(),
                "sme_class": org.get_sme_class_display(),
                "is_flemish": org.is_flemish,
                "part": partner.get_part_display(),
                "part_code": partner.part,
                "coordinator": partner.is_coordinator,
                "contact": partner.contact_name or _s(partner.contact),
                "contact_email": partner.contact_email,
                "total_cost": _s(totals.total_cost),
                "aid": _s(totals.aid.value),
                "aid_reason": totals.aid.reason,
                "own_contribution": _s(totals.own_contribution.value),
                "intensities": [
                    {"activity": str(Activity(a).label), "percent": _s(f.value), "reason": f.reason}
                    for a, f in totals.intensities.items()
                ],
                "budget": [
                    {
                        "year": e.year,
                        "category": e.get_category_display(),
                        "activity": e.get_activity_display(),
                        "amount": _s(e.amount),
                    }
                    for e in partner.budget_entries.all()
                ],
            }
        )
    t = dossier.totals
    return {
        "receipt_number": receipt_number,
        "submitted_at": submitted_at.isoformat(),
        "call": {"id": call.pk, "title": call.title, "deadline": call.deadline.isoformat()},
        "title": app.title,
        "acronym": app.acronym,
        "abstract": app.abstract,
        "abstract_language": app.abstract_language,
        "action_domain": _s(app.action_domain),
        "theme": app.theme.name if app.theme_id else "",
        "disease_domain": app.disease_domain.name if app.disease_domain_id else "",
        "planned_start": _s(app.planned_start),
        "duration_months": app.duration_months,
        "partners": partners,
        "totals": {
            "research_cost": _s(t.research.cost),
            "research_aid": _s(t.research.aid),
            "company_cost": _s(t.company.cost),
            "company_aid": _s(t.company.aid),
            "project_cost": _s(t.project.cost),
            "project_aid": _s(t.project.aid),
            "own_contribution": _s(t.project.own_contribution),
            "sme_cost_share": _s(t.sme_cost_share),
        },
        "checks": [{"label": c.label, "ok": c.ok, "reason": c.reason} for c in dossier.checks],
        "attachments": [
            {
                "kind": a.get_kind_display(),
                "name": a.original_name,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in dossier.attachments
        ],
    }


EXPORT_TABLES = ("applications", "partners", "budget")


def submitted_export_tables(applications) -> dict[str, Table]:
    """The applications, their partners and their budget lines as tables (keys:
    EXPORT_TABLES), in the order of `applications`: three queries whatever their number.
    Texts in the active language."""
    applications = list(applications)
    by_id = {a.pk: a for a in applications}
    order = {a.pk: i for i, a in enumerate(applications)}
    partners = list(
        Partner.objects.filter(application_id__in=by_id)
        .select_related("organisation")
        .annotate(cost=Sum("budget_entries__amount"))
        .order_by("application_id", "-is_coordinator", "pk")
    )
    partners.sort(key=lambda p: order[p.application_id])
    entries = list(
        BudgetEntry.objects.filter(partner__application_id__in=by_id)
        .select_related("partner__organisation")
        .order_by("partner__application_id", "partner_id", "year", "category", "activity")
    )
    entries.sort(key=lambda e: order[e.partner.application_id])
    return {
        "applications": Table(
            name=_("Applications"),
            columns=[
                Column(_("Receipt number")),
                Column(_("Acronym")),
                Column(_("Title")),
                Column(_("Call")),
                Column(_("Coordinator")),
                Column(_("Partners"), NUMBER),
                Column(_("Total cost (€)"), MONEY),
                Column(_("Requested aid (€)"), MONEY),
                Column(_("State")),
                Column(_("Submitted at"), DATETIME),
            ],
            rows=[
                [
                    a.receipt_number,
                    a.acronym,
                    a.title,
                    a.call.title,
                    a.coordinator.name,
                    a.partner_count,
                    a.total_cost,
                    a.total_aid,
                    a.get_state_display(),
                    a.submitted_at,
                ]
                for a in applications
            ],
        ),
        "partners": Table(
            name=_("Partners"),
            columns=[
                Column(_("Receipt number")),
                Column(_("Acronym")),
                Column(_("Organisation")),
                Column(_("Enterprise number")),
                Column(_("Kind")),
                Column(_("Size class")),
                Column(_("Part")),
                Column(_("Coordinator"), BOOLEAN),
                Column(_("Total cost (€)"), MONEY),
            ],
            rows=[
                [
                    by_id[p.application_id].receipt_number,
                    by_id[p.application_id].acronym,
                    p.organisation.name,
                    p.organisation.enterprise_number_display,
                    p.organisation.get_kind_display(),
                    p.organisation.get_sme_class_display(),
                    p.get_part_display(),
                    p.is_coordinator,
                    p.cost or Decimal(0),
                ]
                for p in partners
            ],
        ),
        "budget": Table(
            name=_("Budget"),
            columns=[
                Column(_("Receipt number")),
                Column(_("Acronym")),
                Column(_("Organisation")),
                Column(_("Year")),  # a label, not a quantity
                Column(_("Cost category")),
                Column(_("Activity")),
                Column(_("Amount (€)"), MONEY),
            ],
            rows=[
                [
                    by_id[e.partner.application_id].receipt_number,
                    by_id[e.partner.application_id].acronym,
                    e.partner.organisation.name,
                    e.year,
                    e.get_category_display(),
                    e.get_activity_display(),
                    e.amount,
                ]
                for e in entries
            ],
        ),
    }
