"""Pure rules of a partner's and an application's budget: the part a partner belongs to
(research or company part), the aid intensity (EU GBER art. 25 with the call's caps), and
the partner and project totals. Every figure comes with the sentence that explains it
(`Figure.reason`).

Known limits: the per-company cap (max aid per company) applies to each company partner
of this application; aid the same company receives in other applications is not summed.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from programme.enums import OrganisationKind, SmeClass
from programme.formats import format_euro, format_number, round_cents

from ..enums import Activity, CostCategory, Part

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
                    "cost": format_euro(cost),
                    "activity": Activity(activity).label.lower(),
                }
            )
    if not pieces:
        aid_reason = _("No cost entered yet.")
    else:
        aid_reason = " + ".join(pieces) + f" = {format_euro(aid)}."
    cap = Decimal(params.max_aid_per_company)
    if partner.part == Part.COMPANY and aid > cap:
        aid_reason = _("%(computed)s The aid is capped at %(cap)s per company in this call.") % {
            "computed": aid_reason,
            "cap": format_euro(cap),
        }
        aid = round_cents(cap)
    own = total - aid
    own_reason = _("Total cost %(total)s − aid %(aid)s = %(own)s.") % {
        "total": format_euro(total),
        "aid": format_euro(aid),
        "own": format_euro(own),
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


COST_CATEGORIES = list(CostCategory)
