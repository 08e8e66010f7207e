"""The programme manager's KPIs (DOMAIN.md §3) and the budget execution: the one source of
truth for the KPI page, the KPI report PDF and the CSV/XLSX exports.

Read-only: this module queries, it never writes. Every figure comes as a `KpiResult`
that carries the rows it was computed from (`columns` + `rows`, the drill-down), so a
report can always show where a number came from. `kpi_table()` turns results into the
rows that the page, the PDF, the CSV and the XLSX all print — one function, one set of
figures. Texts are translated when the functions run: call them inside
`translation.override(language)` for a report in that language.

Which KPI is computed how, by its number (the numbering of seed 001, as seeded by
programme.demo): 1 `calls_per_year`; 2, 6, 7 (kind "milestone") `milestone_status`;
3 `sme_involvement`, 4 `unique_companies_per_call`, 5 `leverage`.

Plugging in the funded projects (KPIs 3, 4, 5)
-----------------------------------------------
KPIs 3, 4 and 5 are computed from the partners of *funded* projects, which the
governance app (decisions) will own; programme may not import it (it depends on us).
The formulas are written and tested here over plain `Participation` rows; only the
data source is missing. When decisions exist, the governance app registers its source
once, in its `AppConfig.ready()`:

    from programme import kpis
    kpis.register_participation_source(funded_participations)

where `funded_participations(programme, year) -> list[kpis.Participation]` returns one
row per partner of each project the steering group decided to fund (year None: the
whole programme; a year: the calls of that programme year), with the partner's eligible
cost and granted aid. Until a source is registered, or while it returns no rows, these
KPIs are "pending" with the reason "no decided projects yet" — never a made-up figure.

Definitions chosen here (one place to change them): SME involvement is counted over the
company partners (research organisations and hospitals are not companies), by number of
participations and by their eligible cost; leverage = company own funds (cost − aid of
the company partners) / all government aid of the funded projects × 100.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from .domain import KIND_ORDER
from .enums import KpiKind, KpiStatus
from .models import BudgetLine, Kpi, MilestoneRecord, Programme

HUNDRED = Decimal("100")
ONE_DECIMAL = Decimal("0.1")


# --- Results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A drill-down column; `kind` tells the renderers how to print the cells
    (text, count, money, percent, date)."""

    label: str
    kind: str = "text"


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
        return str(KpiStatus(self.status).label)


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


def fmt_number(value: Decimal | int, decimals: int = 0) -> str:
    return number_format(Decimal(value), decimal_pos=decimals, force_grouping=True)


def fmt_percent(value: Decimal) -> str:
    return number_format(value, decimal_pos=1) + "\u00a0%"


def fmt_money(value: Decimal) -> str:
    return "€\u00a0" + number_format(value, decimal_pos=0, force_grouping=True)


def share(part: Decimal | int, whole: Decimal | int) -> Decimal:
    """part / whole in percent, one decimal, half up (whole must not be zero)."""
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def _target_display(kpi: Kpi, suffix: str = "") -> str:
    if kpi.target is None:
        return "—"
    figure = fmt_percent(kpi.target) if kpi.unit == "percent" else fmt_number(kpi.target)
    return f"≥ {figure}{suffix}"


# --- KPI 1: at least one call per programme year ------------------------------------------


def calls_per_year_figures(
    *, years: Sequence[int], calls: Sequence[tuple[int, str, str, str]], target: Decimal,
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
        figures.append(Figure(str(year), Decimal(count), fmt_number(count), status, reason))
    return tuple(figures), sum(1 for call in calls if call[0] in years)


def calls_per_year(
    programme: Programme, *, kpi: Kpi, year: int | None = None, today: date | None = None
) -> KpiResult:
    """KPI 1: calls opened (any state but draft) per programme year, target ≥ 1 a year."""
    from calls.enums import CallState
    from calls.models import Call

    today = today or timezone.localdate()
    years = [y for y in programme.years.values_list("year", flat=True) if year in (None, y)]
    queryset = (
        Call.objects.filter(programme=programme, programme_year__year__in=years)
        .exclude(state=CallState.DRAFT)
        .select_related("programme_year")
        .order_by("programme_year__year", "opens_at", "pk")
    )
    calls = [
        (call.year, call.title, str(call.get_state_display()), call.opens_at)
        for call in queryset
    ]
    figures, total = calls_per_year_figures(
        years=years, calls=calls, target=kpi.target or Decimal(1), today=today
    )
    status = overall_status(f.status for f in figures)
    reasons = [f.reason for f in figures if f.reason]
    if not years:
        reasons = [_("the programme has no years")]
    return KpiResult(
        number=kpi.number,
        name=kpi.name,
        kind=kpi.kind,
        target=kpi.target,
        target_display=_target_display(kpi, " " + _("per year")),
        value=Decimal(total),
        value_display="; ".join(f"{f.label}: {f.value_display}" for f in figures) or "—",
        status=status,
        reason="; ".join(reasons) if reasons else _("target met in every year"),
        columns=(
            Column(_("Year"), "year"),
            Column(_("Call")),
            Column(_("State")),
            Column(_("Opens at"), "datetime"),
        ),
        rows=tuple(calls),
        breakdown=figures,
        unit=kpi.unit,
    )


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
            Column(_("Date"), "date"),
            Column(_("What was delivered")),
            Column(_("Evidence")),
            Column(_("Recorded by")),
        ),
        rows=tuple(
            (
                record.date,
                record.description,
                record.evidence_url or (record.evidence_file.name.rsplit("/", 1)[-1]
                                        if record.evidence_file else ""),
                str(record.recorded_by),
            )
            for record in sorted(records, key=lambda r: (r.date, r.pk))
        ),
    )


# --- KPIs 3, 4, 5: from the funded projects (data source plugged in by governance) ---------


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


ParticipationSource = Callable[[Programme, int | None], Sequence[Participation]]
_participation_source: ParticipationSource | None = None


def register_participation_source(source: ParticipationSource | None) -> None:
    """Tell the KPIs where the funded projects' partners come from (None: no source)."""
    global _participation_source
    _participation_source = source


def funded_participations(programme: Programme, year: int | None) -> list[Participation]:
    """The partners of the funded projects, or [] while no source is registered."""
    if _participation_source is None:
        return []
    return list(_participation_source(programme, year))


def sme_share_of_aid(participations: Sequence[Participation]) -> Decimal | None:
    """Share (%) of the aid granted to funded projects that goes to SME partners (the
    budget page's "SME share of the commitments"); None without funded projects."""
    total = sum((p.aid for p in participations), Decimal(0))
    if not total:
        return None
    return share(sum((p.aid for p in participations if p.is_sme), Decimal(0)), total)


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


def sme_involvement(
    *, kpi: Kpi, participations: Sequence[Participation], today: date
) -> KpiResult:
    """KPI 3: SME share of the company partners, by number and by budget; both must
    reach the target."""
    target_display = _target_display(kpi, " " + _("by number and by budget"))
    companies = [p for p in participations if p.is_company]
    if not companies:
        return _pending_without_projects(kpi, target_display)
    target = kpi.target or Decimal(30)
    smes = [p for p in companies if p.is_sme]
    by_number = share(len(smes), len(companies))
    total_budget = sum((p.budget for p in companies), Decimal(0))
    by_budget = (
        share(sum((p.budget for p in smes), Decimal(0)), total_budget)
        if total_budget
        else Decimal(0)
    )
    figures = tuple(
        Figure(
            label,
            value,
            fmt_percent(value),
            KpiStatus.MET if value >= target else KpiStatus.NOT_MET,
        )
        for label, value in ((_("by number"), by_number), (_("by budget"), by_budget))
    )
    status = overall_status(f.status for f in figures)
    return KpiResult(
        number=kpi.number,
        name=kpi.name,
        kind=kpi.kind,
        target=kpi.target,
        target_display=target_display,
        value=min(by_number, by_budget),
        value_display=_("%(number)s by number, %(budget)s by budget")
        % {"number": fmt_percent(by_number), "budget": fmt_percent(by_budget)},
        status=status,
        reason=_("%(smes)s of %(companies)s company participations are SMEs")
        % {"smes": len(smes), "companies": len(companies)},
        columns=(
            Column(_("Call")),
            Column(_("Project")),
            Column(_("Company")),
            Column(_("SME")),
            Column(_("Budget"), "money"),
        ),
        rows=tuple(
            (p.call_title, p.project, p.organisation_name, _("yes") if p.is_sme else _("no"),
             p.budget)
            for p in companies
        ),
        breakdown=figures,
        unit=kpi.unit,
    )


def unique_companies_per_call(
    *, kpi: Kpi, participations: Sequence[Participation], today: date
) -> KpiResult:
    """KPI 4: distinct companies among the funded partners of each call; every call
    must reach the target."""
    target_display = _target_display(kpi, " " + _("per call"))
    companies = [p for p in participations if p.is_company]
    if not companies:
        return _pending_without_projects(kpi, target_display)
    target = kpi.target or Decimal(15)
    per_call: dict[int, tuple[str, set[int]]] = {}
    for p in companies:
        per_call.setdefault(p.call_id, (p.call_title, set()))[1].add(p.organisation_id)
    figures = tuple(
        Figure(
            title,
            Decimal(len(ids)),
            fmt_number(len(ids)),
            KpiStatus.MET if len(ids) >= target else KpiStatus.NOT_MET,
        )
        for title, ids in per_call.values()
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
        reason=_("lowest call: %(count)s companies") % {"count": fmt_number(lowest)},
        columns=(Column(_("Call")), Column(_("Project")), Column(_("Company"))),
        rows=tuple((p.call_title, p.project, p.organisation_name) for p in companies),
        breakdown=figures,
        unit=kpi.unit,
    )


def leverage(*, kpi: Kpi, participations: Sequence[Participation], today: date) -> KpiResult:
    """KPI 5: company own funds / government funds × 100, by the KPI's deadline."""
    target_display = _target_display(kpi)
    if kpi.deadline:
        target_display += " " + _("by %(date)s") % {
            "date": date_format(kpi.deadline, "DATE_FORMAT")
        }
    government = sum((p.aid for p in participations), Decimal(0))
    if not participations or not government:
        return _pending_without_projects(kpi, target_display)
    company_funds = sum((p.budget - p.aid for p in participations if p.is_company), Decimal(0))
    value = share(company_funds, government)
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
        value_display=fmt_percent(value),
        status=status,
        reason=_("company funds %(company)s / government funds %(government)s")
        % {"company": fmt_money(company_funds), "government": fmt_money(government)},
        columns=(
            Column(_("Project")),
            Column(_("Partner")),
            Column(_("Budget"), "money"),
            Column(_("Aid"), "money"),
            Column(_("Own funds (companies)"), "money"),
        ),
        rows=tuple(
            (p.project, p.organisation_name, p.budget, p.aid,
             p.budget - p.aid if p.is_company else None)
            for p in participations
        ),
        unit=kpi.unit,
    )


FROM_PARTICIPATIONS = {3: sme_involvement, 4: unique_companies_per_call, 5: leverage}


# --- All KPIs of a programme ----------------------------------------------------------------


def programme_kpis(
    programme: Programme, *, year: int | None = None, today: date | None = None,
    participations: list[Participation] | None = None,
) -> list[KpiResult]:
    """Every KPI of `programme` (whole programme, or one programme year), in number order.
    `participations`: that period's funded partners when the caller has them already
    (fetched here otherwise; computing them is the expensive part)."""
    today = today or timezone.localdate()
    kpis = list(Kpi.objects.filter(programme=programme).order_by("number"))
    records: dict[int, list[MilestoneRecord]] = {}
    for record in MilestoneRecord.objects.filter(kpi__programme=programme).select_related(
        "recorded_by"
    ):
        records.setdefault(record.kpi_id, []).append(record)
    results = []
    for kpi in kpis:
        if kpi.kind == KpiKind.MILESTONE:
            results.append(milestone_status(kpi=kpi, records=records.get(kpi.pk, []), today=today))
        elif kpi.number == 1:
            results.append(calls_per_year(programme, kpi=kpi, year=year, today=today))
        elif kpi.number in FROM_PARTICIPATIONS:
            if participations is None:
                participations = funded_participations(programme, year)
            results.append(
                FROM_PARTICIPATIONS[kpi.number](
                    kpi=kpi, participations=participations, today=today
                )
            )
        else:
            results.append(
                KpiResult(
                    number=kpi.number,
                    name=kpi.name,
                    kind=kpi.kind,
                    target=kpi.target,
                    target_display=_target_display(kpi),
                    value=None,
                    value_display="—",
                    status=KpiStatus.PENDING,
                    reason=_("no computation is defined for this KPI"),
                    unit=kpi.unit,
                )
            )
    return results


# --- Trend per programme year ---------------------------------------------------------------


@dataclass(frozen=True)
class TrendCell:
    """One measure in one programme year; value None while it cannot be computed yet."""

    value: Decimal | None
    display: str
    status: str

    @property
    def status_label(self) -> str:
        return str(KpiStatus(self.status).label)


@dataclass(frozen=True)
class TrendMeasure:
    """A KPI figure that has a meaning per programme year, one cell per year."""

    kpi_number: int
    label: str
    unit: str  # "count" or "percent": how the chart's axis prints values
    target: Decimal | None
    target_display: str
    cells: tuple[TrendCell, ...]


@dataclass(frozen=True)
class KpiTrend:
    years: tuple[int, ...]
    measures: tuple[TrendMeasure, ...]

    @property
    def rows(self) -> list[tuple[int, list[TrendCell]]]:
        """(year, one cell per measure): the rows of the trend table."""
        return [(year, [m.cells[i] for m in self.measures]) for i, year in enumerate(self.years)]


def _trend_cell(value: Decimal | None, display: str, status: str) -> TrendCell:
    return TrendCell(value=value, display=display if value is not None else "—", status=status)


def kpi_trend(
    programme: Programme, *, today: date | None = None,
    participations: list[Participation] | None = None,
) -> KpiTrend:
    """The KPIs that mean something per programme year (1 calls, 3 SME share by number and
    by budget, 4 unique companies, 5 leverage), for each year of `programme`.

    Each year's figures come from the same KPI functions as the KPI table, fed with that
    year's rows, so the trend cannot disagree with a report for one year. The funded
    partners are fetched once for the whole programme and split by the year of their
    call: the number of queries does not grow with the years or the projects. KPIs the
    programme does not have (or milestones) are left out. KPI 4 counts per call; a
    year's figure is its lowest call, as the KPI's own value is.
    """
    from calls.models import Call

    today = today or timezone.localdate()
    by_number = {
        kpi.number: kpi
        for kpi in Kpi.objects.filter(programme=programme, kind=KpiKind.COMPUTED)
    }
    years = tuple(programme.years.order_by("year").values_list("year", flat=True))
    measures: list[TrendMeasure] = []
    if 1 in by_number:
        kpi = by_number[1]
        figures = {f.label: f for f in calls_per_year(programme, kpi=kpi, today=today).breakdown}
        measures.append(TrendMeasure(
            kpi_number=1, label=_("Calls opened"), unit="count", target=kpi.target,
            target_display=_target_display(kpi),
            cells=tuple(
                _trend_cell(f.value, f.value_display, f.status)
                for f in (figures[str(year)] for year in years)
            ),
        ))
    if not {3, 4, 5} & by_number.keys():
        return KpiTrend(years=years, measures=tuple(measures))

    call_years = dict(
        Call.objects.filter(programme=programme).values_list("pk", "programme_year__year")
    )
    per_year: dict[int, list[Participation]] = {year: [] for year in years}
    if participations is None:
        participations = funded_participations(programme, None)
    for p in participations:
        if call_years.get(p.call_id) in per_year:
            per_year[call_years[p.call_id]].append(p)

    def results(number: int) -> list[KpiResult]:
        compute = FROM_PARTICIPATIONS[number]
        return [compute(kpi=by_number[number], participations=per_year[year], today=today)
                for year in years]

    if 3 in by_number:
        kpi = by_number[3]
        yearly = results(3)
        for index, label in ((0, _("SME share by number")), (1, _("SME share by budget"))):
            measures.append(TrendMeasure(
                kpi_number=3, label=label, unit="percent", target=kpi.target,
                target_display=_target_display(kpi),
                cells=tuple(
                    _trend_cell(r.breakdown[index].value, r.breakdown[index].value_display,
                                r.breakdown[index].status)
                    if r.breakdown else _trend_cell(None, "", r.status)
                    for r in yearly
                ),
            ))
    for number, label, unit in ((4, _("Unique companies (lowest call)"), "count"),
                                (5, _("Leverage"), "percent")):
        if number in by_number:
            kpi = by_number[number]
            measures.append(TrendMeasure(
                kpi_number=number, label=label, unit=unit, target=kpi.target,
                target_display=_target_display(kpi),
                # KPI 4's own value_display lists every call; the cell shows the figure.
                cells=tuple(
                    _trend_cell(r.value, fmt_number(r.value) if unit == "count"
                                else fmt_percent(r.value), r.status)
                    if r.value is not None else _trend_cell(None, "", r.status)
                    for r in results(number)
                ),
            ))
    return KpiTrend(years=years, measures=tuple(measures))


@dataclass(frozen=True)
class KpiTable:
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]


def kpi_table(results: Sequence[KpiResult]) -> KpiTable:
    """The KPI table printed by the page, the PDF, the CSV and the XLSX (same rows)."""
    return KpiTable(
        columns=(
            Column(_("KPI"), "count"),
            Column(_("Name")),
            Column(_("Target")),
            Column(_("Result")),
            Column(_("Value"), "decimal"),
            Column(_("Status")),
            Column(_("Reason")),
        ),
        rows=tuple(
            (r.number, r.name, r.target_display, r.value_display, r.value, r.status_label,
             r.reason)
            for r in results
        ),
    )


# --- Budget execution -----------------------------------------------------------------------


@dataclass(frozen=True)
class EnvelopeRow:
    call: str
    call_state: str
    name: str
    amount: Decimal
    reserved: Decimal
    committed: Decimal

    @property
    def available(self) -> Decimal:
        return self.amount - self.reserved - self.committed


@dataclass(frozen=True)
class BudgetYear:
    year: int
    lines: tuple[tuple[str, Decimal], ...]  # (label, amount from the programme budget)
    project_budget: Decimal
    envelopes: tuple[EnvelopeRow, ...] = field(default=())

    @property
    def total(self) -> Decimal:
        return sum((amount for _label, amount in self.lines), Decimal(0))

    def _sum(self, attribute: str) -> Decimal:
        return sum((getattr(e, attribute) for e in self.envelopes), Decimal(0))

    @property
    def envelope_amount(self) -> Decimal:
        return self._sum("amount")

    @property
    def reserved(self) -> Decimal:
        return self._sum("reserved")

    @property
    def committed(self) -> Decimal:
        return self._sum("committed")

    @property
    def available(self) -> Decimal:
        return self._sum("available")

    @property
    def not_in_envelopes(self) -> Decimal:
        """Project budget of the year not (yet) put in a call's envelope."""
        return self.project_budget - self.envelope_amount


@dataclass(frozen=True)
class BudgetExecution:
    years: tuple[BudgetYear, ...]

    def _sum(self, attribute: str) -> Decimal:
        return sum((getattr(y, attribute) for y in self.years), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self._sum("total")

    @property
    def project_budget(self) -> Decimal:
        return self._sum("project_budget")

    @property
    def envelope_amount(self) -> Decimal:
        return self._sum("envelope_amount")

    @property
    def reserved(self) -> Decimal:
        return self._sum("reserved")

    @property
    def committed(self) -> Decimal:
        return self._sum("committed")

    @property
    def available(self) -> Decimal:
        return self._sum("available")

    @property
    def not_in_envelopes(self) -> Decimal:
        return self._sum("not_in_envelopes")


def budget_execution(programme: Programme, *, year: int | None = None) -> BudgetExecution:
    """Per programme year: the budget lines, and the calls' envelopes with what is
    reserved, committed and still available (two queries)."""
    from calls.models import Envelope

    from .enums import BudgetLineKind

    years = [y for y in programme.years.values_list("year", flat=True) if year in (None, y)]
    lines = BudgetLine.objects.filter(
        programme_year__programme=programme, programme_year__year__in=years
    ).select_related("programme_year")
    envelopes = (
        Envelope.objects.filter(call__programme=programme, call__programme_year__year__in=years)
        .select_related("call__programme_year")
        .order_by("call__opens_at", "call_id", "name_nl")
    )
    by_year: dict[int, dict] = {y: {"lines": [], "projects": Decimal(0), "envelopes": []}
                                for y in years}
    for line in sorted(lines, key=lambda line: (KIND_ORDER.get(line.kind, 9), line.name_nl)):
        by_year[line.year]["lines"].append((line.label, line.amount))
        if line.kind == BudgetLineKind.PROJECT_BUDGET:
            by_year[line.year]["projects"] += line.amount
    for envelope in envelopes:
        by_year[envelope.call.year]["envelopes"].append(
            EnvelopeRow(
                call=envelope.call.title,
                call_state=str(envelope.call.get_state_display()),
                name=envelope.name,
                amount=envelope.amount,
                reserved=envelope.reserved,
                committed=envelope.committed,
            )
        )
    return BudgetExecution(
        years=tuple(
            BudgetYear(
                year=y,
                lines=tuple(data["lines"]),
                project_budget=data["projects"],
                envelopes=tuple(data["envelopes"]),
            )
            for y, data in sorted(by_year.items())
        )
    )
