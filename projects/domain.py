"""Pure rules of applications: aid intensity (EU GBER art. 25 with the call's caps),
partner and project budget totals, the consortium rules of DOMAIN.md §4, the snapshot
of a submitted application and the guards of its lifecycle (enums.APPLICATION_TRANSITIONS).
No writes and no queries: selectors.py gathers the inputs, services.py writes.

Every figure comes with the sentence that explains it (`Figure.reason`), and every rule
returns `(ok, reason)`, so the pages can show *why*.

Known limits:
- the 70% rule is applied per partner, not per group of linked companies;
- the research budget range is pro-rated for a last project year shorter than 12
  months (a 30-month project's third year counts 6/12 of the range);
- the per-company cap (max aid per company) applies to each company partner of this
  application; aid the same company receives in other applications is not summed.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from calls.domain import accepts_submissions
from programme.enums import OrganisationKind, SmeClass
from programme.formats import format_money, format_number, round_cents

from .enums import Activity, AdmissibilityOutcome, CostCategory, Part

HUNDRED = Decimal("100")
ZERO = Decimal("0")
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class Figure:
    """A computed number and the sentence that explains it."""

    value: Decimal
    reason: str


# --- Parts ---------------------------------------------------------------------------------


def default_part(*, kind: str, declares_non_economic: bool = False) -> Part:
    """Which part of the project an organisation sits in.

    Research organisations: research part. Hospitals sit in the company part (their
    activities are economic) unless they declare non-economic research activities.
    Companies and other organisations: company part.
    """
    if kind == OrganisationKind.RESEARCH:
        return Part.RESEARCH
    if kind == OrganisationKind.HOSPITAL and declares_non_economic:
        return Part.RESEARCH
    return Part.COMPANY


def activities_for_part(part: str) -> tuple[Activity, ...]:
    if part == Part.RESEARCH:
        return (Activity.RESEARCH,)
    return (Activity.INDUSTRIAL_RESEARCH, Activity.EXPERIMENTAL_DEVELOPMENT)


# --- Aid intensity (GBER art. 25) --------------------------------------------------------


def aid_intensity(
    *,
    params,
    part: str,
    activity: str,
    sme_class: str,
    is_flemish: bool = True,
    in_difficulty: bool = False,
) -> Figure:
    """The aid intensity (percent of the eligible cost) of one partner for one activity.

    Research part: 100%. Company part (EU GBER art. 25, with this call's parameters):
    base (industrial research / experimental development) + small or medium enterprise
    bonus + collaboration bonus when the call enables it, capped at the call's cap for
    the activity and at the absolute ceiling. Companies outside Flanders and undertakings
    in difficulty receive no aid.
    """
    if part == Part.RESEARCH:
        return Figure(HUNDRED, _("Research part: funded at 100%."))
    if in_difficulty:
        return Figure(ZERO, _("Undertaking in difficulty: no aid (0%)."))
    if not is_flemish:
        return Figure(ZERO, _("Established outside Flanders: takes part without aid (0%)."))
    if activity == Activity.INDUSTRIAL_RESEARCH:
        base, call_cap = params.industrial_research_base, params.industrial_research_cap
    elif activity == Activity.EXPERIMENTAL_DEVELOPMENT:
        base, call_cap = params.experimental_development_base, params.experimental_development_cap
    else:
        return Figure(
            ZERO,
            _("%(activity)s is not an activity of the company part: no aid (0%%).")
            % {"activity": Activity(activity).label},
        )
    klass = SmeClass(sme_class)
    terms = [f"{format_number(base)}%"]
    total = Decimal(base)
    if klass in (SmeClass.MICRO, SmeClass.SMALL):
        total += params.small_enterprise_bonus
        terms.append(
            _("%(points)s points") % {"points": format_number(params.small_enterprise_bonus)}
        )
    elif klass == SmeClass.MEDIUM:
        total += params.medium_enterprise_bonus
        terms.append(
            _("%(points)s points") % {"points": format_number(params.medium_enterprise_bonus)}
        )
    if params.collaboration_bonus_enabled:
        total += params.collaboration_bonus
        terms.append(
            _("%(points)s points collaboration")
            % {"points": format_number(params.collaboration_bonus)}
        )
    subject = _("%(klass)s, %(activity)s") % {
        "klass": klass.label,
        "activity": Activity(activity).label.lower(),
    }
    sum_text = " + ".join(terms)
    cap = min(Decimal(call_cap), Decimal(params.absolute_cap))
    if total > cap:
        if call_cap <= params.absolute_cap:
            capped = _("capped at %(cap)s%% in this call") % {"cap": format_number(cap)}
        else:
            capped = _("capped at the absolute ceiling of %(cap)s%%") % {"cap": format_number(cap)}
        reason = _("%(subject)s: %(sum)s = %(total)s%%, %(capped)s.") % {
            "subject": subject,
            "sum": sum_text,
            "total": format_number(total),
            "capped": capped,
        }
        return Figure(cap, reason)
    if len(terms) == 1:
        reason = _("%(subject)s: %(total)s%%.") % {
            "subject": subject,
            "total": format_number(total),
        }
    else:
        reason = _("%(subject)s: %(sum)s = %(total)s%%.") % {
            "subject": subject,
            "sum": sum_text,
            "total": format_number(total),
        }
    return Figure(total, reason)


# --- Budgets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostLine:
    """One cell of a partner's budget: project year (1, 2, …), category, activity."""

    year: int
    category: str
    activity: str
    amount: Decimal


@dataclass(frozen=True)
class PartnerFacts:
    """What the rules need to know about a partner (no model instances here)."""

    name: str
    kind: str
    part: str
    sme_class: str
    is_flemish: bool = True
    in_difficulty: bool = False
    is_coordinator: bool = False
    organisation_id: int | None = None
    has_contact: bool = True


@dataclass(frozen=True)
class PartnerTotals:
    partner: PartnerFacts
    total_cost: Decimal
    cost_by_activity: dict[str, Decimal]
    cost_by_year: dict[int, Decimal]
    cost_by_category: dict[str, Decimal]
    intensities: dict[str, Figure]
    aid: Figure
    own_contribution: Figure

    @property
    def part(self) -> str:
        return self.partner.part


def partner_budget_totals(
    *, params, partner: PartnerFacts, lines: Iterable[CostLine]
) -> PartnerTotals:
    """Total cost, aid and own contribution of one partner, each with its reason.

    Aid = Σ over activities of cost × aid intensity, rounded to the cent per activity;
    a company partner's aid is capped at the call's maximum aid per company.
    """
    by_activity: dict[str, Decimal] = {}
    by_year: dict[int, Decimal] = {}
    by_category: dict[str, Decimal] = {}
    for line in lines:
        amount = Decimal(line.amount)
        by_activity[line.activity] = by_activity.get(line.activity, ZERO) + amount
        by_year[line.year] = by_year.get(line.year, ZERO) + amount
        by_category[line.category] = by_category.get(line.category, ZERO) + amount
    total = sum(by_activity.values(), ZERO)
    intensities: dict[str, Figure] = {}
    aid = ZERO
    pieces = []
    for activity in [*activities_for_part(partner.part), *sorted(by_activity)]:
        if activity in intensities:
            continue
        cost = by_activity.get(activity, ZERO)
        if cost == ZERO and activity not in activities_for_part(partner.part):
            continue
        figure = aid_intensity(
            params=params,
            part=partner.part,
            activity=activity,
            sme_class=partner.sme_class,
            is_flemish=partner.is_flemish,
            in_difficulty=partner.in_difficulty,
        )
        intensities[activity] = figure
        if cost:
            aid += round_cents(cost * figure.value / HUNDRED)
            pieces.append(
                _("%(pct)s%% of %(cost)s (%(activity)s)")
                % {
                    "pct": format_number(figure.value),
                    "cost": format_money(cost),
                    "activity": Activity(activity).label.lower(),
                }
            )
    if not pieces:
        aid_reason = _("No cost entered yet.")
    else:
        aid_reason = " + ".join(pieces) + f" = {format_money(aid)}."
    cap = Decimal(params.max_aid_per_company)
    if partner.part == Part.COMPANY and aid > cap:
        aid_reason = _(
            "%(computed)s The aid is capped at %(cap)s per company in this call."
        ) % {"computed": aid_reason, "cap": format_money(cap)}
        aid = round_cents(cap)
    own = total - aid
    own_reason = _("Total cost %(total)s − aid %(aid)s = %(own)s.") % {
        "total": format_money(total),
        "aid": format_money(aid),
        "own": format_money(own),
    }
    return PartnerTotals(
        partner=partner,
        total_cost=total,
        cost_by_activity=by_activity,
        cost_by_year=by_year,
        cost_by_category=by_category,
        intensities=intensities,
        aid=Figure(aid, aid_reason),
        own_contribution=Figure(own, own_reason),
    )


@dataclass(frozen=True)
class PartTotals:
    cost: Decimal = ZERO
    aid: Decimal = ZERO

    @property
    def own_contribution(self) -> Decimal:
        return self.cost - self.aid

    @property
    def aid_share(self) -> Decimal:
        """Aid as a percentage of the cost (0 when there is no cost)."""
        return (self.aid * HUNDRED / self.cost).quantize(Decimal("0.1")) if self.cost else ZERO


@dataclass(frozen=True)
class ApplicationTotals:
    research: PartTotals
    company: PartTotals
    project: PartTotals
    sme_cost: Decimal
    sme_count: int
    company_count: int

    @property
    def sme_cost_share(self) -> Decimal:
        """SME share of the company-part cost (%), for the call-level 30% target."""
        if not self.company.cost:
            return ZERO
        return (self.sme_cost * HUNDRED / self.company.cost).quantize(Decimal("0.1"))


def application_totals(partner_totals: Sequence[PartnerTotals]) -> ApplicationTotals:
    """Totals of the research part, the company part and the project."""
    research = PartTotals(
        cost=sum((t.total_cost for t in partner_totals if t.part == Part.RESEARCH), ZERO),
        aid=sum((t.aid.value for t in partner_totals if t.part == Part.RESEARCH), ZERO),
    )
    company = PartTotals(
        cost=sum((t.total_cost for t in partner_totals if t.part == Part.COMPANY), ZERO),
        aid=sum((t.aid.value for t in partner_totals if t.part == Part.COMPANY), ZERO),
    )
    smes = [
        t
        for t in partner_totals
        if t.part == Part.COMPANY
        and t.partner.kind == OrganisationKind.COMPANY
        and t.partner.sme_class != SmeClass.LARGE
    ]
    return ApplicationTotals(
        research=research,
        company=company,
        project=PartTotals(cost=research.cost + company.cost, aid=research.aid + company.aid),
        sme_cost=sum((t.total_cost for t in smes), ZERO),
        sme_count=len(smes),
        company_count=sum(
            1
            for t in partner_totals
            if t.part == Part.COMPANY and t.partner.kind == OrganisationKind.COMPANY
        ),
    )


def project_years(duration_months: int) -> list[int]:
    """Project years 1..n covering `duration_months` (a started year counts)."""
    if not duration_months or duration_months <= 0:
        return []
    return list(range(1, (duration_months + MONTHS_PER_YEAR - 1) // MONTHS_PER_YEAR + 1))


def months_in_year(year: int, duration_months: int) -> int:
    return max(0, min(MONTHS_PER_YEAR, duration_months - MONTHS_PER_YEAR * (year - 1)))


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
    """The companies of the consortium, grouped so that linked or partner enterprises
    (either direction of the link) fall in one group (union-find)."""
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
    """At least N non-linked companies: linked or partner enterprises count as one."""
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
        return False, _(
            "%(names)s carries more than %(limit)s%% of the company-part cost."
        ) % {
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
    low, high = Decimal(params.research_budget_min_per_year), Decimal(
        params.research_budget_max_per_year
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
                        "cost": format_money(cost),
                        "lo": format_money(lo),
                        "hi": format_money(hi),
                    }
                )
    if problems:
        return False, _("Research budget per year out of range: %(problems)s.") % {
            "problems": "; ".join(problems)
        }
    return True, _(
        "Every research organisation stays between %(lo)s and %(hi)s per year."
    ) % {"lo": format_money(low), "hi": format_money(high)}


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
        return False, _(
            "%(names)s carries less than %(min)s%% of the research-part cost."
        ) % {
            "names": _names(f"{n} ({format_number(s, 1)}%)" for n, s in under),
            "min": format_number(minimum),
        }
    return True, _("Every research organisation carries at least %(min)s%% of the research part.") % {
        "min": format_number(minimum)
    }


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
        return False, _(
            "Cost in a column that does not fit the partner's part for: %(names)s."
        ) % {"names": _names(misplaced)}
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
        ("duration", _("Duration"), check_duration(params=p, duration_months=facts.duration_months)),
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


# --- Receipt --------------------------------------------------------------------------------


def receipt_number(*, call_year: int, call_id: int, application_id: int) -> str:
    """The receipt number of a submission: ICON-<year>-<call>-<application>."""
    return f"ICON-{call_year}-{call_id:03d}-{application_id:05d}"


COST_CATEGORIES = list(CostCategory)


# --- Lifecycle: the guards of enums.APPLICATION_TRANSITIONS ----------------------------------


def can_submit(*, call, now: datetime, checks: Sequence[RuleCheck]) -> tuple[bool, str]:
    """A draft is submitted while the call takes submissions and when every rule passes."""
    ok, reason = accepts_submissions(call, now)
    if not ok:
        return ok, reason
    return ready_to_submit(checks)


def can_record_admissibility(
    *,
    outcome: str,
    reason: str,
    completion_items: Sequence[str],
    completion_deadline: datetime | None,
    now: datetime,
) -> tuple[bool, str]:
    """Staff's outcome of the admissibility check: a completion request names at least
    one item and a deadline in the future; inadmissibility gives its reason."""
    if outcome == AdmissibilityOutcome.COMPLETION:
        if not completion_items:
            return False, _("Name at least one item to complete.")
        if completion_deadline is None or completion_deadline <= now:
            return False, _("The completion deadline must lie in the future.")
    if outcome == AdmissibilityOutcome.INADMISSIBLE and not reason.strip():
        return False, _("Give the reason why the application is inadmissible.")
    return True, ""


def can_complete(*, completion_deadline: datetime | None, now: datetime) -> tuple[bool, str]:
    """The completed application is handed in before the completion deadline."""
    if completion_deadline is None or now >= completion_deadline:
        return False, _("The deadline for completing the application has passed.")
    return True, ""


def can_withdraw(*, has_decision: bool) -> tuple[bool, str]:
    """An application can be withdrawn until the steering group decides on it."""
    if has_decision:
        return False, _(
            "The steering group has decided on this application; it can no longer be "
            "withdrawn. Granted aid can be declined within one month of the decision."
        )
    return True, ""
