"""The programme's KPIs gathered from the data (DOMAIN.md §3): KPI 1 from the calls, the
milestones from their records, KPIs 3, 4, 5 from the funded projects' partners
(governance.decisions.selectors.funded_participations), each computed by its one
function in programme.kpis; and the trend per programme year. Read-only.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from calls.enums import CallState
from calls.models import Call
from governance.decisions.selectors import funded_participations
from programme.enums import KpiKind, KpiStatus
from programme.exports import DATETIME, Column
from programme.formats import format_number, format_percent
from programme.kpis import (
    FROM_PARTICIPATIONS,
    KpiResult,
    Participation,
    calls_per_year_figures,
    kpi_target_display,
    milestone_status,
    overall_status,
)
from programme.models import Kpi, MilestoneRecord, Programme


def calls_per_year(
    programme: Programme, *, kpi: Kpi, year: int | None = None, today: date | None = None
) -> KpiResult:
    """KPI 1: calls opened (any state but draft) per programme year, target ≥ 1 a year."""
    today = today or timezone.localdate()
    years = [y for y in programme.years.values_list("year", flat=True) if year in (None, y)]
    queryset = (
        Call.objects.filter(programme=programme, programme_year__year__in=years)
        .exclude(state=CallState.DRAFT)
        .select_related("programme_year")
        .order_by("programme_year__year", "opens_at", "pk")
    )
    calls = [
        (call.year, call.title, str(call.get_state_display()), call.opens_at) for call in queryset
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
        target_display=kpi_target_display(kpi, " " + _("per year")),
        value=Decimal(total),
        value_display="; ".join(f"{f.label}: {f.value_display}" for f in figures) or "—",
        status=status,
        reason="; ".join(reasons) if reasons else _("target met in every year"),
        columns=(
            Column(_("Year")),  # a label, not a quantity: printed as is, not grouped
            Column(_("Call")),
            Column(_("State")),
            Column(_("Opens at"), DATETIME),
        ),
        rows=tuple(calls),
        breakdown=figures,
        unit=kpi.unit,
    )


# --- All KPIs of a programme ----------------------------------------------------------------


def programme_kpis(
    programme: Programme,
    *,
    year: int | None = None,
    today: date | None = None,
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
                FROM_PARTICIPATIONS[kpi.number](kpi=kpi, participations=participations, today=today)
            )
        else:
            results.append(
                KpiResult(
                    number=kpi.number,
                    name=kpi.name,
                    kind=kpi.kind,
                    target=kpi.target,
                    target_display=kpi_target_display(kpi),
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
    programme: Programme,
    *,
    today: date | None = None,
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
    today = today or timezone.localdate()
    by_number = {
        kpi.number: kpi for kpi in Kpi.objects.filter(programme=programme, kind=KpiKind.COMPUTED)
    }
    years = tuple(programme.years.order_by("year").values_list("year", flat=True))
    measures: list[TrendMeasure] = []
    if 1 in by_number:
        kpi = by_number[1]
        figures = {f.label: f for f in calls_per_year(programme, kpi=kpi, today=today).breakdown}
        measures.append(
            TrendMeasure(
                kpi_number=1,
                label=_("Calls opened"),
                unit="count",
                target=kpi.target,
                target_display=kpi_target_display(kpi),
                cells=tuple(
                    _trend_cell(f.value, f.value_display, f.status)
                    for f in (figures[str(year)] for year in years)
                ),
            )
        )
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
        return [
            compute(kpi=by_number[number], participations=per_year[year], today=today)
            for year in years
        ]

    if 3 in by_number:
        kpi = by_number[3]
        yearly = results(3)
        for index, label in ((0, _("SME share by number")), (1, _("SME share by budget"))):
            measures.append(
                TrendMeasure(
                    kpi_number=3,
                    label=label,
                    unit="percent",
                    target=kpi.target,
                    target_display=kpi_target_display(kpi),
                    cells=tuple(
                        _trend_cell(
                            r.breakdown[index].value,
                            r.breakdown[index].value_display,
                            r.breakdown[index].status,
                        )
                        if r.breakdown
                        else _trend_cell(None, "", r.status)
                        for r in yearly
                    ),
                )
            )
    for number, label, unit in (
        (4, _("Unique companies (lowest call)"), "count"),
        (5, _("Leverage"), "percent"),
    ):
        if number in by_number:
            kpi = by_number[number]
            measures.append(
                TrendMeasure(
                    kpi_number=number,
                    label=label,
                    unit=unit,
                    target=kpi.target,
                    target_display=kpi_target_display(kpi),
                    # KPI 4's own value_display lists every call; the cell shows the figure.
                    cells=tuple(
                        _trend_cell(
                            r.value,
                            format_number(r.value)
                            if unit == "count"
                            else format_percent(r.value, 1),
                            r.status,
                        )
                        if r.value is not None
                        else _trend_cell(None, "", r.status)
                        for r in results(number)
                    ),
                )
            )
    return KpiTrend(years=years, measures=tuple(measures))
