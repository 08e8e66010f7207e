"""The call evaluation report (PDF made by the Celery worker) and the call's exports of
scores and decisions (CSV, XLSX): one function computes the figures, every output prints
them (the ranking page's own reads, governance.decisions.selectors, underneath).

`evaluation_data(call, viewer=...)` gathers, in a fixed number of queries whatever the
number of applications: the call's parameters; the applications by state; reviewer and
conflict counts; the ranking with consensus scores per criterion, thresholds, weighted
totals and the envelope cut; the funded set, the reserve list and the rest; the
distribution of the reviewers' individual scores per criterion and of the proposals'
totals; and one summary per application (partners with cost and aid, the spread of the
individual scores, advice and decision).

Conflicts of interest: a viewer who is not staff never sees a proposal they declared
(or is detected to have) a conflict with — it is only said to exist, after the ranked
rows, with no rank, name or figure, and it gets no summary page (the same masking as the
ranking page: governance.review.selectors.hidden_proposals decides). The report
is made for the person who asked for it; `downloadable` keeps a conflicted person from
downloading a report somebody else asked for.

Known limits: reviewers' names are not printed (the summaries give the number of
reviews and the spread); the score distribution counts submitted reviews only.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from calls.enums import TieBreak
from calls.models import Call, CallParameters
from governance.decisions import selectors as decision_selectors
from governance.decisions.enums import DecisionOutcome
from governance.review import selectors as review_selectors
from governance.review.enums import AssignmentState, ConflictSource
from governance.review.models import ConflictDeclaration, ReviewAssignment, ReviewScore
from programme.exports import BOOLEAN, DATE, MONEY, NUMBER, Column, Table
from programme.formats import BRUSSELS, format_brussels, format_euro, format_number
from programme.models import GeneratedReport
from programme.rules import is_staff
from projects.enums import ApplicationState
from projects.models import Application

from . import charts
from .domain import Progress, ReportError

ZERO = Decimal("0")
# Parameters printed elsewhere in the report (criteria, tie-break order) or not rules.
_SKIPPED_PARAMETERS = {"id", "call", "tie_break_order"}


# --- The figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewCounts:
    reviewers: int  # distinct people with an assignment in the call (withdrawn excluded)
    assignments: int
    submitted: int
    withdrawn: int
    conflicts_declared: int
    conflicts_detected: int

    @property
    def conflicts(self) -> int:
        return self.conflicts_declared + self.conflicts_detected


@dataclass(frozen=True)
class Spread:
    """The submitted individual scores of one application on one criterion."""

    count: int
    minimum: Decimal | None
    maximum: Decimal | None
    mean: Decimal | None


@dataclass
class Summary:
    """One application's page of the report."""

    row: decision_selectors.Row
    partners: list  # (Partner, PartnerFigures)
    criteria: list  # (Criterion, ConsensusScore | None, Spread)
    cost: Decimal


@dataclass
class EvaluationData:
    call: Call
    parameters: list  # (label, display value)
    tie_break: list[str]
    states: list  # (label, count)
    review: ReviewCounts
    ranking: decision_selectors.Ranking
    funded: list  # rows funded and not declined (or the plain cut while undecided)
    reserve: list
    declined: list
    decided: bool  # at least one decision recorded
    masked: int
    distribution: Table  # individual scores per criterion and scale value
    totals_distribution: Table  # proposals per band of the total consensus score
    summaries: list[Summary] = field(default_factory=list)
    table: Table | None = None

    @property
    def funded_aid(self) -> Decimal:
        return sum((_granted(r) for r in self.funded), ZERO)


def _granted(row: decision_selectors.Row) -> Decimal:
    decision = row.decision
    if decision is not None and decision.outcome == DecisionOutcome.FUND and decision.amount:
        return decision.amount
    return row.figures.requested_aid


def _display(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return format_number(value)
    return str(value)


def parameter_rows(parameters: CallParameters) -> list[tuple[str, str]]:
    """Every rule of the call as (label, value), labels from the model (translated)."""
    rows = []
    for model_field in CallParameters._meta.concrete_fields:
        if model_field.name in _SKIPPED_PARAMETERS:
            continue
        value = getattr(parameters, model_field.name)
        label = str(model_field.verbose_name)
        if isinstance(value, Decimal) and "(€)" in label:
            shown = format_euro(value)
        elif isinstance(value, Decimal):
            shown = format_number(value)
        else:
            shown = _display(value)
        rows.append((label[:1].upper() + label[1:], shown))
    return rows


def review_counts(call: Call) -> ReviewCounts:
    """Two queries: the assignments by state and reviewer, the conflicts by source."""
    assignments = ReviewAssignment.objects.filter(application__call=call)
    figures = assignments.aggregate(
        reviewers=Count("reviewer", distinct=True, filter=~Q(state=AssignmentState.WITHDRAWN)),
        assignments=Count("pk", filter=~Q(state=AssignmentState.WITHDRAWN)),
        submitted=Count("pk", filter=Q(state=AssignmentState.SUBMITTED)),
        withdrawn=Count("pk", filter=Q(state=AssignmentState.WITHDRAWN)),
    )
    conflicts = ConflictDeclaration.objects.filter(
        application__call=call, has_conflict=True
    ).aggregate(
        declared=Count("pk", filter=Q(source=ConflictSource.DECLARED)),
        detected=Count("pk", filter=Q(source=ConflictSource.DETECTED)),
    )
    return ReviewCounts(
        conflicts_declared=conflicts["declared"],
        conflicts_detected=conflicts["detected"],
        **figures,
    )


def _individual_scores(call: Call) -> dict[tuple[int, int], list[Decimal]]:
    """(application id, criterion id) → the submitted individual scores. One query."""
    scores: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    rows = ReviewScore.objects.filter(
        assignment__application__call=call,
        assignment__state=AssignmentState.SUBMITTED,
        score__isnull=False,
    ).values_list("assignment__application_id", "criterion_id", "score")
    for application_id, criterion_id, score in rows.order_by():
        scores[(application_id, criterion_id)].append(score)
    return scores


def spread(scores: list[Decimal]) -> Spread:
    if not scores:
        return Spread(0, None, None, None)
    mean = (sum(scores, ZERO) / len(scores)).quantize(Decimal("0.01"))
    return Spread(len(scores), min(scores), max(scores), mean)


def criterion_label(criterion) -> str:
    """'Crit. 2': short enough for a chart legend and a table header (the criteria table
    gives the names)."""
    return _("Crit. %(number)s") % {"number": criterion.position}


def scale_values(parameters: CallParameters) -> list[Decimal]:
    """Every score the scale allows, lowest first (0, 0.5, …, 5 by default)."""
    values, value = [], parameters.scale_min
    while value <= parameters.scale_max:
        values.append(value)
        value += parameters.scale_step
    return values


def score_distribution(criteria, visible_ids: set[int], scores, parameters) -> Table:
    """How many submitted individual scores each criterion got at each scale value (only
    of the applications the viewer may see)."""
    counts: dict[int, Counter] = {c.pk: Counter() for c in criteria}
    for (application_id, criterion_id), values in scores.items():
        if application_id in visible_ids and criterion_id in counts:
            counts[criterion_id].update(values)
    columns = [Column(_("Score"), NUMBER)] + [Column(criterion_label(c), NUMBER) for c in criteria]
    rows = [[value] + [counts[c.pk][value] for c in criteria] for value in scale_values(parameters)]
    return Table(columns, rows)


def totals_distribution(
    rows: list[decision_selectors.Row], parameters: CallParameters, count: int
) -> Table:
    """How many proposals have a total consensus score (the sum the overall threshold
    reads) in each band of the possible range (about ten bands of whole points), split
    into those below and those at or above the overall threshold. Proposals without a
    complete consensus are left out."""
    count = max(count, 1)
    bottom, top = int(parameters.scale_min) * count, int(parameters.scale_max * count)
    width = max(1, math.ceil((top - bottom) / 10))
    threshold = parameters.overall_threshold
    below: Counter = Counter()
    reaching: Counter = Counter()
    for row in rows:
        if row.conflicted or not row.scores or any(s is None for s in row.scores):
            continue
        band = min((int(row.total) - bottom) // width, (top - bottom - 1) // width)
        (reaching if row.total >= threshold else below)[band] += 1
    table_rows = []
    for band in range((top - bottom - 1) // width + 1):
        start = bottom + band * width
        end = min(start + width, top)
        table_rows.append([f"{start}–{end}", below[band], reaching[band]])
    return Table(
        [
            Column(_("Total consensus score")),
            Column(_("Below the overall threshold"), NUMBER),
            Column(_("At or above the overall threshold"), NUMBER),
        ],
        table_rows,
    )


def _states(call: Call) -> list[tuple[str, int]]:
    counts = dict(
        call.applications.exclude(state=ApplicationState.DRAFT)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        (str(label), counts.get(value, 0))
        for value, label in ApplicationState.choices
        if value != ApplicationState.DRAFT
    ]


def scores_table(data: "EvaluationData") -> Table:
    """The ranking with scores and decisions: the table of the PDF, the CSV and the XLSX."""
    criteria = data.ranking.criteria
    columns = [
        Column(_("Rank"), NUMBER),
        Column(_("Acronym")),
        Column(_("Title")),
        Column(_("Coordinator")),
        *[Column(c.name, NUMBER) for c in criteria],
        Column(_("Total"), NUMBER),
        Column(_("Weighted total"), NUMBER),
        Column(_("Reaches the thresholds"), BOOLEAN),
        Column(_("Requested aid (€)"), MONEY),
        Column(_("Above the cut line"), BOOLEAN),
        Column(_("Advice")),
        Column(_("Decision")),
        Column(_("Aid granted (€)"), MONEY),
        Column(_("Declined"), DATE),
    ]
    rows = []
    for row in data.ranking.visible_rows:
        decision = row.decision
        rows.append(
            [
                row.rank,
                row.application.acronym,
                row.application.title,
                row.application.coordinator.name,
                *[s.score if s is not None else None for s in row.scores],
                row.total,
                row.figures.weighted_total,
                row.figures.passes,
                row.figures.requested_aid,
                row.in_cut,
                row.advice.get_outcome_display() if row.advice else "",
                decision.get_outcome_display() if decision else "",
                decision.amount if decision and decision.outcome == DecisionOutcome.FUND else None,
                timezone.localdate(decision.declined_at, BRUSSELS)
                if decision and decision.declined_at
                else None,
            ]
        )
    # A masked proposal is only said to exist: no rank, no figure, after the ranked rows.
    for _masked in range(data.ranking.hidden_count):
        rows.append([None, "—", _("Not shown: conflict of interest")] + [None] * (len(columns) - 3))
    return Table(columns, rows)


def evaluation_data(call: Call, *, viewer=None) -> EvaluationData:
    """Every figure of the report for `call`, masked for `viewer`'s conflicts."""
    call = Call.objects.select_related("parameters", "programme", "programme_year").get(pk=call.pk)
    parameters = call.parameters
    result = decision_selectors.call_ranking(call)
    if viewer is not None:
        decision_selectors.mark_conflicts(result, viewer)
    visible = [r for r in result.rows if not r.conflicted]
    decided = any(r.decision is not None for r in result.rows)
    if decided:
        funded = [
            r
            for r in visible
            if r.decision
            and r.decision.outcome == DecisionOutcome.FUND
            and not r.decision.declined_at
        ]
        declined = [r for r in visible if r.decision and r.decision.declined_at]
    else:
        funded = [r for r in visible if r.in_cut]
        declined = []
    reserve = [r for r in visible if r.decision and r.decision.outcome == DecisionOutcome.RESERVE]
    scores = _individual_scores(call)
    data = EvaluationData(
        call=call,
        parameters=parameter_rows(parameters),
        tie_break=[str(TieBreak(step).label) for step in parameters.tie_break_order],
        states=_states(call),
        review=review_counts(call),
        ranking=result,
        funded=funded,
        reserve=reserve,
        declined=declined,
        decided=decided,
        masked=len(result.rows) - len(visible),
        distribution=score_distribution(
            result.criteria, {r.application.pk for r in visible}, scores, parameters
        ),
        totals_distribution=totals_distribution(result.rows, parameters, len(result.criteria)),
    )
    for row in visible:
        figures = result.partners.get(row.application.pk, [])
        partners = list(zip(row.application.partners.all(), figures, strict=True))
        data.summaries.append(
            Summary(
                row=row,
                partners=partners,
                criteria=[
                    (c, s, spread(scores.get((row.application.pk, c.pk), [])))
                    for c, s in zip(result.criteria, row.scores, strict=True)
                ],
                cost=sum((f.cost for _p, f in partners), ZERO),
            )
        )
    data.table = scores_table(data)
    return data


# --- Charts ---------------------------------------------------------------------------------


def _score_label(value: Decimal) -> str:
    return format_number(value)


def distribution_chart(data: EvaluationData):
    table = data.distribution
    return charts.bar_chart(
        title=_("Individual scores per criterion"),
        description=_(
            "Number of submitted reviewer scores at each value of the scale, one bar per "
            "criterion; the figures are in the table below."
        ),
        categories=[_score_label(row[0]) for row in table.rows],
        series=[
            charts.Series(column.label, [row[i] for row in table.rows])
            for i, column in enumerate(table.columns[1:], start=1)
        ],
        value_format=lambda v: f"{v.normalize():f}" if isinstance(v, Decimal) else str(v),
    )


def totals_chart(data: EvaluationData):
    table = data.totals_distribution
    return charts.bar_chart(
        title=_("Total consensus score of the proposals"),
        description=_(
            "Number of proposals per band of the total consensus score, below and at or "
            "above the overall threshold; the figures are in the table below."
        ),
        categories=[row[0] for row in table.rows],
        series=[
            charts.Series(table.columns[1].label, [row[1] for row in table.rows]),
            charts.Series(table.columns[2].label, [row[2] for row in table.rows]),
        ],
        value_format=lambda v: f"{Decimal(v).normalize():f}",
    )


# --- The report -----------------------------------------------------------------------------


def evaluation_report_html(
    *,
    call: Call,
    language: str,
    generated_at: datetime,
    viewer=None,
    progress: Progress | None = None,
) -> str:
    """The HTML of the call evaluation report in `language` (the PDF is made from it)."""
    progress = progress or (lambda percent, message: None)
    with translation.override(language):
        progress(15, _("Ranking the proposals"))
        data = evaluation_data(call, viewer=viewer)
        progress(40, _("Writing the report"))
        context = {
            "data": data,
            "call": data.call,
            "programme": data.call.programme,
            "language": language,
            "generated_at": format_brussels(generated_at),
            "document_title": _("Call evaluation report"),
            "distribution_chart": distribution_chart(data),
            "totals_chart": totals_chart(data),
        }
        return render_to_string("governance/reports/evaluation_report.html", context)


def generator(report: GeneratedReport, progress: Progress) -> str:
    params = report.parameters
    call = Call.objects.filter(pk=params.get("call")).first()
    if call is None:
        raise ReportError(_("The call of this report no longer exists."))
    return evaluation_report_html(
        call=call,
        language=params.get("language") or "nl",
        generated_at=timezone.now(),
        viewer=report.requested_by,
        progress=progress,
    )


def downloadable(user, report_list: list[GeneratedReport]) -> set[int]:
    """The reports of `report_list` that `user` may download: whoever asked for a report
    may (it was masked for them); anyone else only without a conflict of interest in the
    report's call (declared or detected, review.selectors.hidden_proposals). Staff see
    everything. Four queries."""

    if is_staff(user):
        return {r.pk for r in report_list}
    applications = dict(
        Application.objects.filter(
            call_id__in={r.parameters.get("call") for r in report_list},
            state=ApplicationState.ADMISSIBLE,
        ).values_list("pk", "call_id")
    )
    hidden = review_selectors.hidden_proposals(user, applications)
    conflicted_calls = {applications[pk] for pk in hidden}
    return {
        r.pk
        for r in report_list
        if r.requested_by_id == user.pk or r.parameters.get("call") not in conflicted_calls
    }


# --- Exports --------------------------------------------------------------------------------


def scores_sheets(data: EvaluationData, *, title: str) -> list[Table]:
    """The workbook of the export (programme.exports writes it): the ranking with scores
    and decisions (the CSV is this table alone), the score distribution, the spread of the
    individual scores per application and criterion, and each partner's cost and aid (the
    figures of the report's summary pages)."""
    return [
        replace(data.table, name=_("Scores and decisions"), heading=title, frozen_columns=2),
        replace(data.distribution, name=_("Score distribution")),
        Table(
            name=_("Individual scores"),
            columns=[
                Column(_("Rank"), NUMBER),
                Column(_("Acronym")),
                Column(_("Criterion")),
                *(
                    Column(label, NUMBER)
                    for label in (
                        _("Consensus score"),
                        _("Reviews"),
                        _("Lowest"),
                        _("Highest"),
                        _("Mean"),
                    )
                ),
            ],
            rows=[
                [
                    summary.row.rank,
                    summary.row.application.acronym,
                    criterion.name,
                    consensus.score if consensus else None,
                    figures.count,
                    figures.minimum,
                    figures.maximum,
                    figures.mean,
                ]
                for summary in data.summaries
                for criterion, consensus, figures in summary.criteria
            ],
        ),
        Table(
            name=_("Partners"),
            columns=[
                Column(_("Rank"), NUMBER),
                Column(_("Acronym")),
                Column(_("Partner")),
                Column(_("Kind")),
                Column(_("SME"), BOOLEAN),
                Column(_("Cost (€)"), MONEY),
                Column(_("Aid (€)"), MONEY),
            ],
            rows=[
                [
                    summary.row.rank,
                    summary.row.application.acronym,
                    partner.organisation.name,
                    partner.organisation.get_kind_display(),
                    figures.is_sme,
                    figures.cost,
                    figures.aid,
                ]
                for summary in data.summaries
                for partner, figures in summary.partners
            ],
        ),
    ]


def export_name(call: Call, fmt: str, language: str) -> str:
    return f"evaluation-call-{call.pk}-{language}.{fmt}"
