"""The consortium rules of DOMAIN.md §4 and the readiness checks of an application: each
rule returns `(ok, reason)`, so the pages can show *why*.

Known limits: the 70% rule is applied per partner, not per group of linked companies;
the research budget range is pro-rated for a last project year shorter than 12 months
(a 30-month project's third year counts 6/12 of the range).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from programme.enums import OrganisationKind
from programme.formats import format_euro, format_number, round_cents

from ..enums import Part
from .budget import (
    HUNDRED,
    MONTHS_PER_YEAR,
    ZERO,
    CostLine,
    PartnerFacts,
    PartnerTotals,
    activities_for_part,
    months_in_year,
    partner_budget_totals,
    project_years,
)

# --- Consortium rules (each returns (ok, reason)) -----------------------------------------


def _names(items) -> str:
    return ", ".join(items)


def check_consortium_composition(*, params, partners: Sequence[PartnerFacts]) -> tuple[bool, str]:
    """At least N Flemish research organisations; companies outside Flanders only when
    the call allows them; one coordinator."""
    coordinators = [p for p in partners if p.is_coordinator]
    if len(coordinators) != 1:
        return False, _("The consortium needs exactly one coordinator.")
    flemish_ros = [
        p
        for p in partners
        if p.kind == OrganisationKind.RESEARCH and p.part == Part.RESEARCH and p.is_flemish
    ]
    needed = params.min_research_organisations
    if len(flemish_ros) < needed:
        return False, _(
            "The consortium has %(count)s Flemish research organisation(s); this call "
            "requires at least %(needed)s."
        ) % {"count": len(flemish_ros), "needed": needed}
    foreign = [p.name for p in partners if p.part == Part.COMPANY and not p.is_flemish]
    if foreign and not params.non_flemish_companies_allowed:
        return False, _("This call admits no companies outside Flanders: %(names)s.") % {
            "names": _names(foreign)
        }
    return True, _(
        "%(count)s Flemish research organisation(s) (at least %(needed)s required) and one "
        "coordinator."
    ) % {"count": len(flemish_ros), "needed": needed}


def company_groups(
    partners: Sequence[PartnerFacts], links: Iterable[tuple[int, int]]
) -> list[list[PartnerFacts]]:
    """The companies of the consortium, grouped so that linked enterprises (either
    direction of the link) fall in one group (union-find). `links` are the pairs of
    LINKED enterprises only: partner enterprises (25-50%) stay separate companies."""
    companies = [
        p for p in partners if p.kind == OrganisationKind.COMPANY and p.part == Part.COMPANY
    ]
    parent = {p.organisation_id: p.organisation_id for p in companies}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    groups: dict[int, list[PartnerFacts]] = {}
    for p in companies:
        groups.setdefault(find(p.organisation_id), []).append(p)
    return list(groups.values())


def check_non_linked_companies(
    *, params, partners: Sequence[PartnerFacts], links: Iterable[tuple[int, int]]
) -> tuple[bool, str]:
    """At least N non-linked companies: linked enterprises count as one; partner
    enterprises are separate companies (DOMAIN.md §4)."""
    groups = company_groups(partners, links)
    needed = params.min_companies
    merged = [_names(p.name for p in group) for group in groups if len(group) > 1]
    detail = ""
    if merged:
        detail = " " + _("Linked companies count as one: %(groups)s.") % {
            "groups": "; ".join(merged)
        }
    if len(groups) < needed:
        return False, _(
            "%(count)s non-linked companies; this call requires at least %(needed)s."
        ) % {"count": len(groups), "needed": needed} + detail
    return True, _("%(count)s non-linked companies (at least %(needed)s required).") % {
        "count": len(groups),
        "needed": needed,
    } + detail


def check_company_share(*, params, totals: Sequence[PartnerTotals]) -> tuple[bool, str]:
    """No company carries more than the maximum share (70%) of the company-part cost."""
    company = [t for t in totals if t.part == Part.COMPANY]
    company_cost = sum((t.total_cost for t in company), ZERO)
    limit = Decimal(params.max_company_share)
    if not company_cost:
        return False, _("The company part has no cost yet.")
    over = [
        (t.partner.name, t.total_cost * HUNDRED / company_cost)
        for t in company
        if t.total_cost * HUNDRED > limit * company_cost
    ]
    if over:
        return False, _("%(names)s carries more than %(limit)s%% of the company-part cost.") % {
            "names": _names(f"{name} ({format_number(share, 1)}%)" for name, share in over),
            "limit": format_number(limit),
        }
    largest = max(company, key=lambda t: t.total_cost)
    share = (largest.total_cost * HUNDRED / company_cost).quantize(Decimal("0.1"))
    return True, _(
        "The largest company share is %(share)s%% (%(name)s); at most %(limit)s%% allowed."
    ) % {
        "share": format_number(share, 1),
        "name": largest.partner.name,
        "limit": format_number(limit),
    }


def check_research_budget_range(
    *, params, totals: Sequence[PartnerTotals], duration_months: int
) -> tuple[bool, str]:
    """Each research-part partner's cost per project year lies in the call's range
    (185,000–500,000 by default), pro-rated for a shorter last year."""
    research = [t for t in totals if t.part == Part.RESEARCH]
    if not research:
        return False, _("The research part has no partner.")
    low, high = (
        Decimal(params.research_budget_min_per_year),
        Decimal(params.research_budget_max_per_year),
    )
    years = project_years(duration_months)
    if not years:
        return False, _("Enter the duration of the project first.")
    problems = []
    for t in research:
        for year in years:
            fraction = Decimal(months_in_year(year, duration_months)) / MONTHS_PER_YEAR
            lo, hi = round_cents(low * fraction), round_cents(high * fraction)
            cost = t.cost_by_year.get(year, ZERO)
            if not lo <= cost <= hi:
                problems.append(
                    _("%(name)s, year %(year)s: %(cost)s (allowed %(lo)s–%(hi)s)")
                    % {
                        "name": t.partner.name,
                        "year": year,
                        "cost": format_euro(cost),
                        "lo": format_euro(lo),
                        "hi": format_euro(hi),
                    }
                )
    if problems:
        return False, _("Research budget per year out of range: %(problems)s.") % {
            "problems": "; ".join(problems)
        }
    return True, _("Every research organisation stays between %(lo)s and %(hi)s per year.") % {
        "lo": format_euro(low),
        "hi": format_euro(high),
    }


def check_research_share(*, params, totals: Sequence[PartnerTotals]) -> tuple[bool, str]:
    """Each research-part partner carries at least 15% of the research-part cost."""
    research = [t for t in totals if t.part == Part.RESEARCH]
    research_cost = sum((t.total_cost for t in research), ZERO)
    minimum = Decimal(params.research_min_share)
    if not research_cost:
        return False, _("The research part has no cost yet.")
    under = [
        (t.partner.name, t.total_cost * HUNDRED / research_cost)
        for t in research
        if t.total_cost * HUNDRED < minimum * research_cost
    ]
    if under:
        return False, _("%(names)s carries less than %(min)s%% of the research-part cost.") % {
            "names": _names(f"{n} ({format_number(s, 1)}%)" for n, s in under),
            "min": format_number(minimum),
        }
    return True, _(
        "Every research organisation carries at least %(min)s%% of the research part."
    ) % {"min": format_number(minimum)}


def check_duration(*, params, duration_months: int | None) -> tuple[bool, str]:
    """The project lasts at most the call's maximum (48 months by default)."""
    maximum = params.max_duration_months
    if not duration_months or duration_months <= 0:
        return False, _("Enter the duration of the project.")
    if duration_months > maximum:
        return False, _("%(months)s months is longer than the %(max)s months allowed.") % {
            "months": duration_months,
            "max": maximum,
        }
    return True, _("%(months)s months (at most %(max)s).") % {
        "months": duration_months,
        "max": maximum,
    }


def check_budget_complete(
    *, totals: Sequence[PartnerTotals], duration_months: int | None
) -> tuple[bool, str]:
    """Every partner has a budget; no cost outside the project years or in a column
    that does not belong to the partner's part."""
    if not totals:
        return False, _("The consortium has no partners yet.")
    years = set(project_years(duration_months or 0))
    empty = [t.partner.name for t in totals if t.total_cost <= 0]
    if empty:
        return False, _("No budget yet for: %(names)s.") % {"names": _names(empty)}
    outside = [t.partner.name for t in totals if set(t.cost_by_year) - years]
    if outside:
        return False, _("Cost entered after the end of the project for: %(names)s.") % {
            "names": _names(outside)
        }
    misplaced = [
        t.partner.name
        for t in totals
        if any(
            amount and activity not in activities_for_part(t.part)
            for activity, amount in t.cost_by_activity.items()
        )
    ]
    if misplaced:
        return False, _("Cost in a column that does not fit the partner's part for: %(names)s.") % {
            "names": _names(misplaced)
        }
    return True, _("Every partner has a budget for the project years.")


def check_undertakings_in_difficulty(*, partners: Sequence[PartnerFacts]) -> tuple[bool, str]:
    """Undertakings in difficulty are excluded from the consortium."""
    names = [p.name for p in partners if p.in_difficulty]
    if names:
        return False, _("Undertakings in difficulty are excluded: %(names)s.") % {
            "names": _names(names)
        }
    return True, _("No partner is an undertaking in difficulty.")


def check_attachments(*, has_description: bool) -> tuple[bool, str]:
    """The project description (PDF) is attached."""
    if not has_description:
        return False, _("Attach the project description (PDF).")
    return True, _("The project description is attached.")


def check_project_data(*, missing: Sequence[str]) -> tuple[bool, str]:
    """Title, acronym, abstract, domains, start and duration are filled in."""
    if missing:
        return False, _("Still to fill in: %(fields)s.") % {"fields": _names(missing)}
    return True, _("All project data are filled in.")


def check_partner_contacts(*, partners: Sequence[PartnerFacts]) -> tuple[bool, str]:
    """Every partner has a contact person."""
    names = [p.name for p in partners if not p.has_contact]
    if names:
        return False, _("No contact person yet for: %(names)s.") % {"names": _names(names)}
    return True, _("Every partner has a contact person.")


@dataclass(frozen=True)
class RuleCheck:
    code: str
    label: str
    ok: bool
    reason: str


@dataclass
class ApplicationFacts:
    """Everything the rules need about one application (assembled by selectors.py)."""

    params: object
    duration_months: int | None
    partners: list[PartnerFacts]
    lines: dict[int, list[CostLine]]  # index in `partners` -> its cost lines
    links: list[tuple[int, int]] = field(default_factory=list)
    has_description: bool = False
    missing_fields: list[str] = field(default_factory=list)

    def partner_totals(self) -> list[PartnerTotals]:
        return [
            partner_budget_totals(params=self.params, partner=p, lines=self.lines.get(i, []))
            for i, p in enumerate(self.partners)
        ]


def rule_checks(facts: ApplicationFacts, totals: Sequence[PartnerTotals] | None = None):
    """All the rules of a submission, in the order of the 'ready to submit?' panel."""
    totals = facts.partner_totals() if totals is None else totals
    p = facts.params
    rows = [
        ("project_data", _("Project data"), check_project_data(missing=facts.missing_fields)),
        (
            "duration",
            _("Duration"),
            check_duration(params=p, duration_months=facts.duration_months),
        ),
        (
            "composition",
            _("Consortium composition"),
            check_consortium_composition(params=p, partners=facts.partners),
        ),
        (
            "non_linked",
            _("Non-linked companies"),
            check_non_linked_companies(params=p, partners=facts.partners, links=facts.links),
        ),
        (
            "difficulty",
            _("Undertakings in difficulty"),
            check_undertakings_in_difficulty(partners=facts.partners),
        ),
        ("contacts", _("Contact persons"), check_partner_contacts(partners=facts.partners)),
        (
            "budget_complete",
            _("Budget completeness"),
            check_budget_complete(totals=totals, duration_months=facts.duration_months),
        ),
        ("company_share", _("Share of one company"), check_company_share(params=p, totals=totals)),
        (
            "research_range",
            _("Research budget per year"),
            check_research_budget_range(
                params=p, totals=totals, duration_months=facts.duration_months or 0
            ),
        ),
        ("research_share", _("Research share"), check_research_share(params=p, totals=totals)),
        (
            "attachments",
            _("Required attachments"),
            check_attachments(has_description=facts.has_description),
        ),
    ]
    return [RuleCheck(code, str(label), ok, reason) for code, label, (ok, reason) in rows]


def ready_to_submit(checks: Sequence[RuleCheck]) -> tuple[bool, str]:
    failing = [c.label for c in checks if not c.ok]
    if failing:
        return False, _("Not ready to submit; still failing: %(rules)s.") % {
            "rules": _names(failing)
        }
    return True, _("All rules pass: the application can be submitted.")
