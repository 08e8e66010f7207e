"""The KPI report: the KPI page's and the PDF's context, the report's HTML (the worker
makes the PDF from it), and the sheets of the KPI export (programme.exports writes the
CSV and the XLSX from them). One set of figures for all of them (governance.reports.kpis
gathers them, programme.kpis defines each KPI)."""

from dataclasses import replace
from datetime import datetime
from functools import partial

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from calls.selectors import BudgetExecution, budget_execution
from governance.decisions.enums import DecisionOutcome
from governance.decisions.models import FundingDecision
from governance.decisions.selectors import funded_participations
from governance.review import selectors as review_selectors
from programme import exports, kpis
from programme.formats import (
    BRUSSELS,
    format_brussels,
    format_euro,
    format_number,
    format_percent,
)
from programme.models import GeneratedReport, Programme
from programme.rules import is_staff

from . import charts, kpis as gather
from .domain import SOURCE_ROWS_SHOWN, Progress, ReportError


def budget_chart(budget: BudgetExecution):
    """Bar chart of the budget execution: project budget, envelopes, committed per year."""
    return charts.bar_chart(
        title=_("Budget execution per year"),
        description=_(
            "Project budget, amount in the calls' envelopes and committed amount per "
            "programme year, in euro; the figures are in the table."
        ),
        categories=[str(y.year) for y in budget.years],
        series=[
            charts.Series(_("Project budget"), [y.project_budget for y in budget.years]),
            charts.Series(_("In envelopes"), [y.envelope_amount for y in budget.years]),
            charts.Series(_("Committed"), [y.committed for y in budget.years]),
        ],
        # Whole euros: a picture, with the figures to the cent in the table beside it.
        value_format=partial(format_euro, cents=False),
    )


def trend_charts(trend: gather.KpiTrend) -> list[tuple[gather.TrendMeasure, str]]:
    """One small bar chart per measure of the trend (their units differ: counts and
    percentages of very different sizes), each with its target as a dashed line."""
    charts_ = []
    for measure in trend.measures:
        # A count keeps its decimals: a quarter tick (top 1 → 0.25) is not rounded to a
        # misleading 0 or 1.
        value_format = (
            partial(format_percent, decimals=1) if measure.unit == "percent" else format_number
        )
        charts_.append(
            (
                measure,
                charts.bar_chart(
                    title=_("KPI %(number)s: %(measure)s per year")
                    % {"number": measure.kpi_number, "measure": measure.label},
                    description=_(
                        "%(measure)s per programme year against the target %(target)s; years "
                        "without a figure yet have no bar. The figures are in the table."
                    )
                    % {"measure": measure.label, "target": measure.target_display},
                    categories=[str(year) for year in trend.years],
                    series=[charts.Series(measure.label, [c.value for c in measure.cells])],
                    value_format=value_format,
                    width=360,
                    height=200,
                    target=measure.target,
                    target_label=_("Target"),
                ),
            )
        )
    return charts_


def masked_participations(participations: list[kpis.Participation], viewer) -> list:
    """The funded partners as `viewer` may read them: the rows of a project they have a
    conflict of interest with (governance.review.selectors.hidden_proposals) keep their
    figures, so every KPI stays the same, but name neither the project nor the partner."""
    if viewer is None:
        return participations
    hidden = review_selectors.hidden_proposals(
        viewer, {p.application_id for p in participations if p.application_id}
    )
    if not hidden:
        return participations
    not_shown = _("Not shown: conflict of interest")
    return [
        replace(p, project=not_shown, organisation_name="—") if p.application_id in hidden else p
        for p in participations
    ]


def kpi_report_context(programme: Programme, *, year: int | None, today=None, viewer=None) -> dict:
    """Everything the KPI page and the KPI report PDF print (active language), its source
    rows masked for `viewer`'s conflicts of interest. The trend per year is for the whole
    programme only (a one-year report has one year)."""
    # The funded partners once for both the KPIs and the trend (the expensive read).
    participations = masked_participations(funded_participations(programme, year), viewer)
    results = gather.programme_kpis(
        programme, year=year, today=today, participations=participations
    )
    table = kpis.kpi_table(results)
    budget = budget_execution(programme, year=year)
    trend = (
        gather.kpi_trend(programme, today=today, participations=participations)
        if year is None
        else None
    )
    return {
        "trend": trend,
        "trend_charts": trend_charts(trend) if trend and trend.measures else [],
        "programme": programme,
        "year": year,
        "results": results,
        "table": table,
        "table_rows": list(zip(table.rows, (r.status for r in results), strict=True)),
        "budget": budget,
        "chart": budget_chart(budget),
        # A KPI's source rows grow with the funded projects (thousands in a large
        # programme): the page and the PDF print the first ones, the XLSX all of them.
        "source_rows_limit": SOURCE_ROWS_SHOWN,
        "source_rows_slice": f":{SOURCE_ROWS_SHOWN}",
    }


def kpi_report_html(
    *,
    programme: Programme,
    year: int | None,
    language: str,
    generated_at: datetime,
    progress: Progress | None = None,
    viewer=None,
) -> str:
    """The HTML of the KPI report, in `language` (the PDF is made from it), masked for
    `viewer`'s conflicts of interest."""
    progress = progress or (lambda percent, message: None)
    with translation.override(language):
        progress(15, _("Computing the KPIs"))
        context = kpi_report_context(
            programme,
            year=year,
            today=timezone.localdate(generated_at, BRUSSELS),
            viewer=viewer,
        )
        progress(40, _("Writing the report"))
        context.update(
            {
                "language": language,
                "generated_at": format_brussels(generated_at),
                "document_title": _("KPI report"),
            }
        )
        return render_to_string("governance/reports/kpi_report.html", context)


def generator(report: GeneratedReport, progress: Progress) -> str:
    params = report.parameters
    programme = Programme.objects.filter(pk=params.get("programme")).first()
    if programme is None:
        raise ReportError(_("The programme of this report no longer exists."))
    return kpi_report_html(
        programme=programme,
        year=params.get("year"),
        language=params.get("language") or "nl",
        generated_at=timezone.now(),
        progress=progress,
        viewer=report.requested_by,
    )


def downloadable(user, report_list: list[GeneratedReport]) -> set[int]:
    """The KPI reports `user` may download: whoever asked for one (it was masked for
    them), staff, and anyone without a conflict of interest with a funded project of the
    report's programme (its source rows name the projects)."""
    if is_staff(user):
        return {r.pk for r in report_list}
    programmes = {r.parameters.get("programme") for r in report_list}
    funded = dict(
        FundingDecision.objects.filter(
            application__call__programme_id__in=programmes, outcome=DecisionOutcome.FUND
        ).values_list("application_id", "application__call__programme_id")
    )
    conflicted = {funded[pk] for pk in review_selectors.hidden_proposals(user, funded)}
    return {
        r.pk
        for r in report_list
        if r.requested_by_id == user.pk or r.parameters.get("programme") not in conflicted
    }


def kpi_sheets(
    *,
    table: exports.Table,
    results: list[kpis.KpiResult],
    budget: BudgetExecution,
    title: str,
    trend: gather.KpiTrend | None = None,
) -> list[exports.Table | exports.Stack]:
    """The workbook of the KPI export: the KPI table (the CSV is this table alone), the
    budget execution, the trend per year (whole programme) and every KPI's source rows."""
    budget_rows = []
    for year in budget.years:
        budget_rows += [[year.year, label, None, None, amount] for label, amount in year.lines]
        budget_rows += [
            [year.year, None, e.call, e.name, e.amount, e.reserved, e.committed, e.available]
            for e in year.envelopes
        ]
    sheets = [
        replace(table, name=_("KPIs"), heading=title),
        exports.Table(
            name=_("Budget"),
            columns=[
                exports.Column(_("Year")),  # a label, not a quantity
                exports.Column(_("Budget line")),
                exports.Column(_("Call")),
                exports.Column(_("Envelope")),
                *(
                    exports.Column(label, exports.MONEY)
                    for label in (_("Amount"), _("Reserved"), _("Committed"), _("Available"))
                ),
            ],
            rows=budget_rows,
            totals=[[_("Total programme budget"), None, None, None, budget.total]],
        ),
    ]
    if trend is not None and trend.measures:
        sheets.append(
            exports.Table(
                name=_("Trend per year"),
                columns=[
                    exports.Column(_("Year")),
                    *(
                        exports.Column(
                            f"{m.label} (KPI {m.kpi_number})",
                            exports.PERCENT if m.unit == "percent" else exports.NUMBER,
                        )
                        for m in trend.measures
                    ),
                ],
                rows=[[year, *(c.value for c in cells)] for year, cells in trend.rows],
                totals=[[_("Target"), *(m.target for m in trend.measures)]],
            )
        )
    sheets.append(
        exports.Stack(
            _("Sources"),
            [
                exports.Table(
                    heading=f"KPI {result.number}: {result.name}",
                    columns=result.columns if result.rows else (),
                    rows=result.rows,
                    note="" if result.rows else result.reason,
                )
                for result in results
            ],
        )
    )
    return sheets
