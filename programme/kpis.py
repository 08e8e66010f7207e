"""The definition of each computed KPI of the programme manager (DOMAIN.md §3): pure
functions on plain rows, no queries and no writes. governance.reports.kpis gathers the
rows (the calls, the milestone records, the funded projects' partners) and calls these;
the KPI page, the KPI report PDF and the CSV/XLSX exports all print their results.

Every figure comes as a `KpiResult` that carries the rows it was computed from
(`columns` + `rows`, the drill-down), so a report can always show where a number came
from. `kpi_table()` turns results into the rows that every output prints — one function,
one set of figures. Texts are translated when the functions run: call them inside
`translation.override(language)` for a report in that language.

Which KPI is computed how, by its number (the numbering of seed 001, as seeded by
programme.demo): 1 `calls_per_year_figures`; 2, 6, 7 (kind "milestone")
`milestone_status`; 3 `sme_involvement`, 4 `unique_companies_per_call`, 5 `leverage`,
the last three over `Participation` rows: one per partner of each funded project, with
the partner's eligible cost and granted aid. Without such rows these KPIs are "pending"
with the reason "no decided projects yet" — never a made-up figure.

The definitions (DOMAIN.md §3), one function each, used by the KPI page, the KPI report
and exports, the ranking's scenario figures and the optimal selection alike (they take
any rows with `is_company`, `is_sme`, `organisation_id`, `cost` and `aid`: a
`Participation` here, a proposal's `PartnerFigures` on the decision side):

- KPI 3 by number, `sme_share_by_number`: SME participations ÷ all partner participations
  (companies, research organisations, hospitals);
- KPI 3 by budget, `sme_share_by_budget`: the SMEs' share of the aid (the project funds
  granted; seed 001 imposes 30% "voor de besteding van de projectmiddelen");
- KPI 3 secondary figures, labelled so and not judged: `sme_share_of_cost` (of the total
  project cost) and `sme_share_of_company_cost` (of the company part);
- KPI 4, `unique_companies`: distinct companies (an organisation is one enterprise
  number) among the partners;
- KPI 5, `leverage_share`: company own funds (company cost − company aid) ÷ all
  government aid, research part included.

Percentages have one decimal, rounded half up (`share`), everywhere they are shown.
Known limit: the planned figures only (from the decided budgets); the realised ones wait
for the financial reports.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .enums import KpiStatus
from .exports import DATE, MONEY, NUMBER, Column, Table
from .formats import format_euro, format_number, format_percent
from .models import Kpi, MilestoneRecord

HUNDRED = Decimal("100")
ONE_DECIMAL = Decimal("0.1")


# --- Results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One line of a KPI's breakdown, e.g. one programme year or one call."""

    label: str
    value: Decimal | None
    value_display: str
    status: str
    reason: str = ""

    @property
    def status_label(self) -> str:
        # A secondary figure has no status: it is shown, not judged.
        return str(KpiStatus(self.status).label) if self.status else ""


@dataclass(frozen=True)
class KpiResult:
    """A KPI against its target, with the rows it was computed from."""

    number: int
    name: str
    kind: str
    target: Decimal | None
    target_display: str
    value: Decimal | None
    value_display: str
    status: str
    reason: str
    columns: tuple[Column, ...] = ()
    rows: tuple[tuple, ...] = ()
    breakdown: tuple[Figure, ...] = ()
    unit: str = ""

    @property
    def status_label(self) -> str:
        return str(KpiStatus(self.status).label)


def overall_status(statuses: Iterable[str]) -> str:
    """Not met if any part is not met; else pending if any part is; else met."""
    statuses = list(statuses)
    if not statuses:
        return KpiStatus.PENDING
    if KpiStatus.NOT_MET in statuses:
        return KpiStatus.NOT_MET
    if KpiStatus.PENDING in statuses:
        return KpiStatus.PENDING
    return KpiStatus.MET


def share(part: Decimal | int, whole: Decimal | int) -> Decimal:
    """part / whole in percent, one decimal, half up (whole must not be zero)."""
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def kpi_target_display(kpi: Kpi, suffix: str = "") -> str:
    if kpi.target is None:
        return "—"
    figure = format_percent(kpi.target, 1) if kpi.unit == "percent" else format_number(kpi.target)
    return f"≥ {figure}{suffix}"


# --- KPI 1: at least one call per programme year ------------------------------------------


def calls_per_year_figures(
    *,
    years: Sequence[int],
    calls: Sequence[tuple[int, str, str, str]],
    target: Decimal,
    today: date,
) -> tuple[tuple[Figure, ...], int]:
    """Per programme year: the number of opened calls against `target`.

    `calls` are (year, title, state, ...) of the calls that were opened (state not
    draft). A year short of the target is pending while it is not over, not met after.
    """
    figures = []
    for year in years:
        count = sum(1 for call in calls if call[0] == year)
        if count >= target:
            status, reason = KpiStatus.MET, ""
        elif year >= today.year:
            status, reason = KpiStatus.PENDING, _("%(year)s is not over yet") % {"year": year}
        else:
            status, reason = KpiStatus.NOT_MET, _("no call opened in %(year)s") % {"year": year}
        figures.append(Figure(str(year), Decimal(count), format_number(count), status, reason))
    return tuple(figures), sum(1 for call in calls if call[0] in years)


# --- KPIs 2, 6, 7: milestones ---------------------------------------------------------------


def milestone_status(*, kpi: Kpi, records: Sequence[MilestoneRecord], today: date) -> KpiResult:
    """Met when a record exists; without one, pending until the deadline, not met after
    it (and pending for good when the KPI has no deadline)."""
    dates = sorted(record.date for record in records)
    deadline = kpi.deadline
    if dates:
        status = KpiStatus.MET
        reason = _("delivered on %(date)s") % {"date": date_format(dates[0], "DATE_FORMAT")}
        if deadline and dates[0] > deadline:
            reason += " " + _("(after the deadline of %(date)s)") % {
                "date": date_format(deadline, "DATE_FORMAT")
            }
    elif deadline and today > deadline:
        status = KpiStatus.NOT_MET
        reason = _("deadline %(date)s passed without a record") % {
            "date": date_format(deadline, "DATE_FORMAT")
        }
    else:
        status = KpiStatus.PENDING
        reason = _("no record yet")
        if deadline:
            reason += " " + _("(deadline %(date)s)") % {
                "date": date_format(deadline, "DATE_FORMAT")
            }
    return KpiResult(
        number=kpi.number,
        name=kpi.name,
        kind=kpi.kind,
        target=None,
        target_display=(
            _("delivered by %(date)s") % {"date": date_format(deadline, "DATE_FORMAT")}
            if deadline
            else _("delivered")
        ),
        value=None,
        value_display=date_format(dates[0], "DATE_FORMAT") if dates else "—",
        status=status,
        reason=reason,
        columns=(
            Column(_("Date"), DATE),
            Column(_("What was delivered")),
            Column(_("Evidence")),
            Column(_("Recorded by")),
        ),
        rows=tuple(
            (
                record.date,
                record.description,
                record.evidence_url
                or (record.evidence_file.name.rsplit("/", 1)[-1] if record.evidence_file else ""),
                str(record.recorded_by),
            )
            for record in sorted(records, key=lambda r: (r.date, r.pk))
        ),
    )


# --- KPIs 3, 4, 5: from the funded projects' partners -------------------------------------


@dataclass(frozen=True)
class Participation:
    """One partner in one funded project, as the decisions data source reports it."""

    call_id: int
    call_title: str
    project: str  # the project's reference or acronym
    organisation_id: int
    organisation_name: str
    is_company: bool
    is_sme: bool
    budget: Decimal  # the partner's eligible cost in the project (€)
    aid: Decimal  # government funds granted to the partner (€)
    application_id: int | None = None  # the funded application (to mask a conflict)

    @property
    def cost(self) -> Decimal:
        return self.budget


ZERO = Decimal(0)


def _share_or_none(part, whole) -> Decimal | None:
    return share(part, whole) if whole else None


def sme_share_by_number(rows: Iterable) -> Decimal | None:
    """KPI 3 by number (%): SME participations ÷ all partner participations; None
    without partners."""
    rows = list(rows)
    return _share_or_none(sum(1 for r in rows if r.is_sme), len(rows))


def sme_share_by_budget(rows: Iterable) -> Decimal | None:
    """KPI 3 by budget (%): the SMEs' share of the aid of all partners; None without aid."""
    rows = list(rows)
    return _share_or_none(
        sum((r.aid for r in rows if r.is_sme), ZERO), sum((r.aid for r in rows), ZERO)
    )


def sme_share_of_cost(rows: Iterable) -> Decimal | None:
    """KPI 3, secondary (%): the SMEs' share of the total project cost of all partners."""
    rows = list(rows)
    return _share_or_none(
        sum((r.cost for r in rows if r.is_sme), ZERO), sum((r.cost for r in rows), ZERO)
    )


def sme_share_of_company_cost(rows: Iterable) -> Decimal | None:
    """KPI 3, secondary (%): the SMEs' share of the company partners' cost."""
    return sme_share_of_cost([r for r in rows if r.is_company])


def unique_companies(rows: Iterable) -> int:
    """KPI 4: distinct companies (organisations, i.e. enterprise numbers) among the rows."""
    return len({r.organisation_id for r in rows if r.is_company})


def company_own_funds(rows: Iterable) -> Decimal:
    """Company cost − company aid: what the companies invest themselves (KPI 5)."""
    return sum((r.cost - r.aid for r in rows if r.is_company), ZERO)


def government_aid(rows: Iterable) -> Decimal:
    """All aid of the rows, research part included (KPI 5's denominator)."""
    return sum((r.aid for r in rows), ZERO)


def leverage_share(rows: Iterable) -> Decimal | None:
    """KPI 5 (%): company own funds ÷ all government aid; None without aid."""
    rows = list(rows)
    return _share_or_none(company_own_funds(rows), government_aid(rows))


def sme_share_of_aid(participations: Sequence[Participation]) -> Decimal | None:
    """The budget page's "SME share of the commitments": KPI 3 by budget."""
    return sme_share_by_budget(participations)


def _pending_without_projects(kpi: Kpi, target_display: str) -> KpiResult:
    return KpiResult(
        number=kpi.number,
        name=kpi.name,
        kind=kpi.kind,
        target=kpi.target,
        target_display=target_display,
        value=None,
        value_display="—",
        status=KpiStatus.PENDING,
        reason=_("no decided projects yet"),
        unit=kpi.unit,
    )


def sme_involvement(*, kpi: Kpi, participations: Sequence[Participation], today: date) -> KpiResult:
    """KPI 3: SME share by number of participations and by aid, both against the target;
    beside them the secondary shares of cost (total and company part), not judged."""
    target_display = kpi_target_display(kpi, " " + _("by number and by budget"))
    if not participations:
        return _pending_without_projects(kpi, target_display)
    target = kpi.target or Decimal(30)
    by_number = sme_share_by_number(participations)
    by_budget = sme_share_by_budget(participations) or ZERO
    judged = tuple(
        Figure(
            label,
            value,
            format_percent(value, 1),
            KpiStatus.MET if value >= target else KpiStatus.NOT_MET,
            reason,
        )
        for label, value, reason in (
            (_("by number"), by_number, _("SME participations of all partner participations")),
            (_("by budget"), by_budget, _("SME share of the aid granted")),
        )
    )
    secondary = tuple(
        Figure(label, value, format_percent(value, 1) if value is not None else "—", "", reason)
        for label, value, reason in (
            (
                _("secondary: SME share of the total project cost"),
                sme_share_of_cost(participations),
                _("secondary figure, not judged against the target"),
            ),
            (
                _("secondary: SME share of the company-part cost"),
                sme_share_of_company_cost(participations),
                _("secondary figure, not judged against the target"),
            ),
        )
    )
    smes = sum(1 for p in participations if p.is_sme)
    return KpiResult(
        number=kpi.number,
        name=kpi.name,
        kind=kpi.kind,
        target=kpi.target,
        target_display=target_display,
        value=min(by_number, by_budget),
        value_display=_("%(number)s by number, %(budget)s by budget")
        % {"number": format_percent(by_number, 1), "budget": format_percent(by_budget, 1)},
        status=overall_status(f.status for f in judged),
        reason=_("%(smes)s of %(all)s partner participations are SMEs")
        % {"smes": smes, "all": len(participations)},
        columns=(
            Column(_("Call")),
            Column(_("Project")),
            Column(_("Partner")),
            Column(_("SME")),
            Column(_("Budget"), MONEY),
            Column(_("Aid"), MONEY),
        ),
        rows=tuple(
            (
                p.call_title,
                p.project,
                p.organisation_name,
                _("yes") if p.is_sme else _("no"),
                p.budget,
                p.aid,
            )
            for p in participations
        ),
        breakdown=judged + secondary,
        unit=kpi.unit,
    )


def unique_companies_per_call(
    *, kpi: Kpi, participations: Sequence[Participation], today: date
) -> KpiResult:
    """KPI 4: distinct companies among the funded partners of each call; every call
    must reach the target."""
    target_display = kpi_target_display(kpi, " " + _("per call"))
    companies = [p for p in participations if p.is_company]
    if not companies:
        return _pending_without_projects(kpi, target_display)
    target = kpi.target or Decimal(15)
    per_call: dict[int, tuple[str, list[Participation]]] = {}
    for p in companies:
        per_call.setdefault(p.call_id, (p.call_title, []))[1].append(p)
    counts = [(title, unique_companies(rows)) for title, rows in per_call.values()]
    figures = tuple(
        Figure(
            title,
            Decimal(count),
            format_number(count),
            KpiStatus.MET if count >= target else KpiStatus.NOT_MET,
        )
        for title, count in counts
    )
    lowest = min(f.value for f in figures)
    return KpiResult(
        number=kpi.number,
        name=kpi.name,
        kind=kpi.kind,
        target=kpi.target,
        target_display=target_display,
        value=lowest,
        value_display="; ".join(f"{f.label}: {f.value_display}" for f in figures),
        status=overall_status(f.status for f in figures),
        reason=_("lowest call: %(count)s companies") % {"count": format_number(lowest)},
        columns=(Column(_("Call")), Column(_("Project")), Column(_("Company"))),
        rows=tuple((p.call_title, p.project, p.organisation_name) for p in companies),
        breakdown=figures,
        unit=kpi.unit,
    )


def leverage(*, kpi: Kpi, participations: Sequence[Participation], today: date) -> KpiResult:
    """KPI 5: company own funds / government funds × 100, by the KPI's deadline."""
    target_display = kpi_target_display(kpi)
    if kpi.deadline:
        target_display += " " + _("by %(date)s") % {
            "date": date_format(kpi.deadline, "DATE_FORMAT")
        }
    value = leverage_share(participations)
    if value is None:
        return _pending_without_projects(kpi, target_display)
    company_funds, government = company_own_funds(participations), government_aid(participations)
    target = kpi.target or Decimal(200)
    if value >= target:
        status = KpiStatus.MET
    elif kpi.deadline and today > kpi.deadline:
        status = KpiStatus.NOT_MET
    else:
        status = KpiStatus.PENDING
    return KpiResult(
        number=kpi.number,
        name=kpi.name,
        kind=kpi.kind,
        target=kpi.target,
        target_display=target_display,
        value=value,
        value_display=format_percent(value, 1),
        status=status,
        reason=_("company funds %(company)s / government funds %(government)s")
        % {"company": format_euro(company_funds), "government": format_euro(government)},
        columns=(
            Column(_("Project")),
            Column(_("Partner")),
            Column(_("Budget"), MONEY),
            Column(_("Aid"), MONEY),
            Column(_("Own funds (companies)"), MONEY),
        ),
        rows=tuple(
            (
                p.project,
                p.organisation_name,
                p.budget,
                p.aid,
                p.budget - p.aid if p.is_company else None,
            )
            for p in participations
        ),
        unit=kpi.unit,
    )


FROM_PARTICIPATIONS = {3: sme_involvement, 4: unique_companies_per_call, 5: leverage}


def kpi_table(results: Sequence[KpiResult]) -> Table:
    """The KPI table printed by the page, the PDF, the CSV and the XLSX (same rows)."""
    return Table(
        columns=(
            Column(_("KPI"), NUMBER),
            Column(_("Name")),
            Column(_("Target")),
            Column(_("Result")),
            Column(_("Value"), NUMBER),
            Column(_("Status")),
            Column(_("Reason")),
        ),
        rows=tuple(
            (r.number, r.name, r.target_display, r.value_display, r.value, r.status_label, r.reason)
            for r in results
        ),
    )
